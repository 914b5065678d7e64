"""Deployment artifacts: the SAM template, the Lambda bundle, the ASK skill package, no secrets.

The bundle tests build real zips with pip (PyPI) and run one in a fresh virtual environment that
holds only what the Lambda runtime has (boto3); together they take about half a minute. Their
names all contain "bundle", so `pytest -k "not bundle"` leaves them out of a quick run.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope
from cfnlint.api import ManualArgs, lint, lint_file
from cfnlint.decode import cfn_yaml
from installs import next_commit_files
from lambda_runtime import (
    PLACEHOLDER_SKILL_ID,
    assert_answers_from_the_bundle_alone,
    host_arch,
    invoke_unpacked_bundle,
)
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from skill import packaging
from skill.assembly import SKILL_ID_ENV
from skill.cli import main
from skill.simulator.matcher import FALLBACK, UtteranceMatcher
from skill.storage import TABLE_ENV

ROOT = Path(__file__).resolve().parent.parent
SOURCE = packaging.Source(ROOT)
TEMPLATE = ROOT / "lambda" / "template.yaml"
MODELS = sorted((ROOT / "interaction_models").glob("*.json"))
DISCLAIMER = (
    "general information, not medical advice; in an emergency call your local emergency number"
)
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")


# --- the SAM template --------------------------------------------------------------------------


def sam_template() -> dict[str, Any]:
    # cfn-lint's YAML loader understands the short intrinsic forms (!Ref, !GetAtt); the JSON round
    # trip turns its node classes into plain dicts for the SAM translator.
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(TEMPLATE))))
    return loaded


def transformed_template() -> dict[str, Any]:
    template = sam_template()
    # `sam deploy` uploads the local zip and rewrites CodeUri to its S3 location before the
    # transform runs in CloudFormation; do the same here.
    template["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://bucket/lambda.zip"
    # A session with a region and no credentials: the translator only reads the region from it.
    session = boto3.session.Session(region_name="us-east-1")
    translator = Translator(None, Parser(), boto_session=session)
    output: dict[str, Any] = translator.translate(
        template,
        parameter_values={"SkillId": PLACEHOLDER_SKILL_ID},
        get_managed_policy_map=lambda: {},
    )
    return output


def test_template_is_cfn_lint_clean_including_informational_rules() -> None:
    matches = lint_file(TEMPLATE, config=ManualArgs(include_checks=["I"]))
    assert not matches, "\n".join(str(match) for match in matches)


def test_template_transforms_with_sam_and_the_result_lints_clean() -> None:
    output = transformed_template()
    types = {name: resource["Type"] for name, resource in output["Resources"].items()}
    assert sorted(types.values()) == [
        "AWS::DynamoDB::Table",
        "AWS::IAM::Role",
        "AWS::Lambda::Alias",
        "AWS::Lambda::Function",
        "AWS::Lambda::Permission",
        "AWS::Lambda::Version",
        "AWS::Logs::LogGroup",
    ]
    matches = lint(json.dumps(output), config=ManualArgs(include_checks=["I"]))
    assert not matches, "\n".join(str(match) for match in matches)


def _one(resources: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = ((name, r) for name, r in resources.items() if r["Type"] == kind)
    return found


def test_only_this_skill_may_invoke_the_function_through_its_alias() -> None:
    resources = transformed_template()["Resources"]
    alias, _ = _one(resources, "AWS::Lambda::Alias")
    _, permission = _one(resources, "AWS::Lambda::Permission")
    assert permission["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Ref": alias},
        "Principal": "alexa-appkit.amazon.com",
        "EventSourceToken": {"Ref": "SkillId"},
    }


def test_snapstart_applies_to_the_published_version_the_alias_and_endpoint_use() -> None:
    function = sam_template()["Resources"]["SkillFunction"]["Properties"]
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    # A new version (and snapshot) for any change, code or settings; the old one is deleted.
    assert function["AutoPublishAliasAllProperties"] is True
    assert function["VersionDeletionPolicy"] == "Delete"
    resources = transformed_template()["Resources"]
    version_name, version = _one(resources, "AWS::Lambda::Version")
    alias_name, alias = _one(resources, "AWS::Lambda::Alias")
    _, lambda_function = _one(resources, "AWS::Lambda::Function")
    assert lambda_function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert version["DeletionPolicy"] == "Delete"
    assert alias["Properties"]["Name"] == function["AutoPublishAlias"]
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_name, "Version"]}
    # The endpoint to paste into the skill is the alias's ARN (a Ref to an alias is its ARN).
    outputs = transformed_template()["Outputs"]
    assert outputs["SkillFunctionArn"]["Value"] == {"Ref": alias_name}


def test_function_settings() -> None:
    function = sam_template()["Resources"]["SkillFunction"]["Properties"]
    assert function["Handler"] == "lambda_function.lambda_handler"
    assert function["Runtime"] in ("python3.12", "python3.13")
    assert function["Runtime"] == f"python{packaging.runtime_python_version(SOURCE)}"
    assert function["Architectures"] == ["arm64"]
    assert function["Timeout"] < 8  # Alexa's own deadline
    assert function["MemorySize"] == 256
    assert function["Environment"]["Variables"] == {
        SKILL_ID_ENV: {"Ref": "SkillId"},
        TABLE_ENV: {"Ref": "StateTable"},
    }
    # CodeUri is relative to the template: it must name what `cramp-coach package` writes.
    assert (TEMPLATE.parent / function["CodeUri"]).resolve() == SOURCE.default_bundle
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "SkillLogGroup"}


def test_table_and_logs() -> None:
    resources = sam_template()["Resources"]
    table = resources["StateTable"]["Properties"]
    assert table["TableName"] == {"Ref": "TableName"}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert resources["SkillLogGroup"]["Properties"]["RetentionInDays"] > 0
    assert set(sam_template()["Parameters"]) == {"SkillId", "TableName"}
    assert "SkillFunctionArn" in sam_template()["Outputs"]


_ITEM_CALL = re.compile(
    r"\.(get_item|put_item|delete_item|update_item|query|scan|batch_get_item|batch_write_item"
    r"|transact_get_items|transact_write_items)\("
)


def _dynamodb_item_actions_used() -> set[str]:
    """The DynamoDB item calls the SDK's adapter and the skill's own DynamoDB code make.

    Table management (create_table, TTL set-up) happens only with create_table=True, which the
    Lambda never uses: the table comes from the template.
    """
    # Located, not imported: importing it builds a boto3 resource, which needs a region.
    adapter = importlib.util.find_spec("ask_sdk_dynamodb.adapter")
    assert adapter is not None and adapter.origin is not None
    sources = [Path(adapter.origin)]
    sources += [
        path
        for path in sorted((ROOT / "skill").rglob("*.py"))
        if "ask_sdk_dynamodb" in path.read_text(encoding="utf-8")
    ]
    calls = {call for path in sources for call in _ITEM_CALL.findall(path.read_text("utf-8"))}
    return {"dynamodb:" + call.title().replace("_", "") for call in calls}


def test_role_grants_only_the_item_calls_the_code_makes_on_its_own_table_and_logs() -> None:
    role = sam_template()["Resources"]["SkillFunctionRole"]["Properties"]
    statements = [
        statement
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    assert all(statement["Effect"] == "Allow" for statement in statements)
    granted = {
        action: statement["Resource"] for statement in statements for action in statement["Action"]
    }
    dynamodb = {action for action in granted if action.startswith("dynamodb:")}
    assert dynamodb == _dynamodb_item_actions_used()
    assert dynamodb == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}
    assert all(granted[action] == {"Fn::GetAtt": ["StateTable", "Arn"]} for action in dynamodb)
    logs = set(granted) - dynamodb
    assert logs == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert all(granted[action] == {"Fn::GetAtt": ["SkillLogGroup", "Arn"]} for action in logs)
    assert "ManagedPolicyArns" not in role


# --- the Lambda bundle -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def host_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle built for this machine's architecture and Python.

    A dependency with compiled parts (charset_normalizer ships mypyc builds) only loads them when
    architecture and Python match, so this build can really run here.
    """
    out = tmp_path_factory.mktemp("bundle") / "lambda.zip"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    packaging.build_bundle(out, SOURCE, arch=host_arch(), python_version=version)
    return out


def test_bundle_answers_a_launch_request_with_only_the_lambda_runtime_packages(
    host_bundle: Path, lambda_like_python: Path, tmp_path: Path
) -> None:
    task_root = tmp_path / "task"  # as /var/task, where Lambda unpacks the zip
    report = invoke_unpacked_bundle(lambda_like_python, host_bundle, task_root)
    assert_answers_from_the_bundle_alone(report, task_root)
    size = host_bundle.stat().st_size
    print(f"\nbundle {size:,} bytes; `import lambda_function` {report['import_seconds']:.3f} s")


def test_bundle_holds_the_skill_and_its_dependencies_but_not_the_runtimes(
    host_bundle: Path,
) -> None:
    names = set(zipfile.ZipFile(host_bundle).namelist())
    tops = {name.split("/", 1)[0] for name in names}
    assert "lambda_function.py" in names
    assert {"skill", "ask_sdk_core", "ask_sdk_model", "ask_sdk_dynamodb"} <= tops
    content = {f"skill/content/{p.name}" for p in (ROOT / "skill" / "content").glob("*.json")}
    assert content and content <= names
    assert not any(top.split("-")[0] in RUNTIME_PROVIDED for top in tops)
    assert not {"flask", "werkzeug", "flask_ask_sdk", "bin"}.intersection(tops)
    # Bytecode for the bundle's Python only, beside its source, so Lambda need not compile.
    tag = f"cpython-{sys.version_info[0]}{sys.version_info[1]}"
    pycs = [name for name in names if name.endswith(".pyc")]
    assert f"skill/__pycache__/dialog.{tag}.pyc" in pycs
    for pyc in pycs:
        folder, _, file = f"/{pyc}".rpartition("/__pycache__/")
        stem, file_tag, _ = file.rsplit(".", 2)
        assert file_tag == tag and f"{folder}/{stem}.py".lstrip("/") in names, pyc
    own = [Path(name) for name in names if name.startswith("skill/")]
    assert not [p for p in own if "tests" in p.parts or p.name.startswith("test_")]


def _differing_entries(first: Path, second: Path) -> list[str]:
    """What changed between two builds (in a shared work tree, usually someone's edit)."""
    with zipfile.ZipFile(first) as one, zipfile.ZipFile(second) as other:
        names = sorted(set(one.namelist()) | set(other.namelist()))
        return [
            name
            for name in names
            if name not in one.namelist()
            or name not in other.namelist()
            or one.read(name) != other.read(name)
        ]


def test_package_command_builds_a_reproducible_arm64_bundle_and_prints_its_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    # Once found from a folder inside the clone, once named with --source from elsewhere.
    monkeypatch.chdir(ROOT / "lambda")
    assert main(["package", "--out", str(first)]) == 0
    printed = capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    assert main(["package", "--source", str(ROOT), "--arch", "arm64", "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes(), _differing_entries(first, second)
    assert f"{first.stat().st_size:,} bytes" in printed
    with zipfile.ZipFile(first) as bundle:
        infos = bundle.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    compiled = [info.filename for info in infos if ".so" in Path(info.filename).suffixes]
    assert all("aarch64" in name for name in compiled), compiled


def test_package_outside_a_clone_says_how_to_name_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["package"]) == 1
    error = capsys.readouterr().err
    assert f"{tmp_path} is not inside a clone" in error and "--source PATH" in error
    assert "Traceback" not in error
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    assert main(["package", "--source", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert f"--source {tmp_path}: not a source tree of cramp-coach" in error


def test_package_help_explains_source(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["package", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--source PATH" in text and "a clone of the repository or an unpacked sdist" in text


# --- the ASK CLI skill package -----------------------------------------------------------------


@pytest.fixture(scope="module")
def skill_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("skill") / "skill-package"
    assert main(["skill-package", "--out", str(out)]) == 0
    return out


def _manifest(skill_package: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((skill_package / "skill.json").read_text("utf-8"))
    return loaded["manifest"]


def test_manifest_matches_the_smapi_schema(skill_package: Path) -> None:
    # The SMAPI model classes drop keys they do not know and reject unknown enum values (such as a
    # misspelt permission), so a lossless round trip means every field is one Alexa reads.
    serializer = DefaultSerializer()
    text = (skill_package / "skill.json").read_text("utf-8")
    envelope = serializer.deserialize(text, SkillManifestEnvelope)
    assert serializer.serialize(envelope) == json.loads(text)


def test_manifest_publishing_information(skill_package: Path) -> None:
    publishing = _manifest(skill_package)["publishingInformation"]
    assert set(publishing["locales"]) == {path.stem for path in MODELS}
    assert publishing["category"] == "HEALTH_AND_FITNESS"
    assert publishing["testingInstructions"]
    countries = {path.stem.split("-")[1] for path in MODELS}
    assert set(publishing["distributionCountries"]) == countries
    for locale, info in publishing["locales"].items():
        assert info["name"] == "Cramp Coach"
        assert 0 < len(info["summary"]) <= 160
        assert DISCLAIMER in info["description"]
        assert info["keywords"]
        assert 1 <= len(info["examplePhrases"]) <= 3, locale


@pytest.mark.parametrize("model", MODELS, ids=lambda path: path.stem)
def test_example_phrases_use_the_invocation_name_and_sample_utterances(
    skill_package: Path, model: Path
) -> None:
    # Certification rejects example phrases that do not open the skill or match no sample.
    name = packaging.invocation_name(model)
    phrases = _manifest(skill_package)["publishingInformation"]["locales"][model.stem][
        "examplePhrases"
    ]
    assert phrases[0] == f"Alexa, open {name}"
    matcher = UtteranceMatcher.from_files(str(model))
    for phrase in phrases[1:]:
        prefix = f"Alexa, ask {name} "
        assert phrase.startswith(prefix), phrase
        found = matcher.match(phrase.removeprefix(prefix))
        assert found.intent != FALLBACK, phrase
        assert all(slot.resolved_id for slot in found.slots.values()), phrase


def test_manifest_privacy_permissions_and_endpoint(skill_package: Path) -> None:
    manifest = _manifest(skill_package)
    privacy = manifest["privacyAndCompliance"]
    assert {key: value for key, value in privacy.items() if key != "locales"} == {
        "allowsPurchases": False,
        "usesPersonalInfo": False,
        "isChildDirected": False,
        "isExportCompliant": True,
        "containsAds": False,
    }
    assert set(privacy["locales"]) == {path.stem for path in MODELS}
    for urls in privacy["locales"].values():
        assert urls["privacyPolicyUrl"].startswith("https://")
        assert urls["termsOfUseUrl"].startswith("https://")
    assert {"name": "alexa::alerts:timers:skill:readwrite"} in manifest["permissions"]
    endpoint = manifest["apis"]["custom"]["endpoint"]["uri"]
    # The function's alias, named as the template names function and alias.
    function = sam_template()["Resources"]["SkillFunction"]["Properties"]
    name, alias = function["FunctionName"], function["AutoPublishAlias"]
    assert endpoint == f"arn:aws:lambda:REGION:ACCOUNT_ID:function:{name}:{alias}"


def test_manifest_declares_the_apl_interface(skill_package: Path) -> None:
    # Without it Alexa never tells the skill that an Echo Show supports APL.
    interfaces = _manifest(skill_package)["apis"]["custom"]["interfaces"]
    assert [i["type"] for i in interfaces] == ["ALEXA_PRESENTATION_APL"]


def test_every_interaction_model_is_included_byte_for_byte(skill_package: Path) -> None:
    custom = skill_package / "interactionModels" / "custom"
    assert sorted(path.name for path in custom.iterdir()) == [path.name for path in MODELS]
    for model in MODELS:
        assert (custom / model.name).read_bytes() == model.read_bytes()


def test_skill_package_drops_models_removed_from_the_repo(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for locale in ("en-US", "en-GB"):
        (models / f"{locale}.json").write_bytes(MODELS[0].read_bytes())
    out = tmp_path / "skill-package"
    assert packaging.build_skill_package(out, models) == ["en-GB", "en-US"]
    (models / "en-GB.json").unlink()
    assert packaging.build_skill_package(out, models) == ["en-US"]
    assert [p.name for p in (out / "interactionModels" / "custom").iterdir()] == ["en-US.json"]
    manifest = json.loads((out / "skill.json").read_text("utf-8"))["manifest"]
    assert list(manifest["publishingInformation"]["locales"]) == ["en-US"]


def test_a_locale_without_store_text_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / "de-DE.json").write_bytes(MODELS[0].read_bytes())
    with pytest.raises(packaging.PackagingError, match="de-DE"):
        packaging.build_skill_package(tmp_path / "out", tmp_path)


# Alexa's invocation name requirements (developer.amazon.com, "Choose the invocation name for a
# custom skill" and "Invocation name requirements").
_NEVER = {"alexa", "amazon", "echo", "computer", "skill", "app"}
_LAUNCH_WORDS = {
    "ask", "begin", "do", "enable", "launch", "load", "open", "play", "resume", "run", "start",
    "talk", "tell", "use",
}  # fmt: skip
_CONNECTING_WORDS = {
    "to", "from", "in", "using", "with", "about", "for", "that", "by", "if", "and", "whether",
}  # fmt: skip
_NOT_IN_TWO_WORDS = {"the", "a", "an", "for", "to", "of", "my"}  # articles, prepositions, pronoun
# A word: lower-case letters, optionally possessive ("sam's"); or one letter of an abbreviation
# ("a. b. c.").
_WORD = re.compile(r"[^\W\d_]+(?:'s)?|[^\W\d_]\.")


def invocation_name_problems(name: str, locale: str) -> list[str]:
    problems = []
    words = name.split(" ")
    if not 2 <= len(name) <= 50:
        problems.append("must be 2 to 50 characters")
    if name != name.lower():
        problems.append("must be lower case")
    if "" in words or not all(_WORD.fullmatch(word) for word in words):
        problems.append("only letters, single spaces, possessive apostrophes, abbreviation dots")
    if len(words) < 2:
        problems.append("one-word names need proof of brand ownership")
    if _NEVER.intersection(words):
        problems.append("no wake words, 'skill' or 'app'")
    if locale.startswith("en-"):
        if (_LAUNCH_WORDS | _CONNECTING_WORDS).intersection(words):
            problems.append("no launch phrases or connecting words")
        if len(words) == 2 and _NOT_IN_TWO_WORDS.intersection(words):
            problems.append("a two-word name has no article, preposition or pronoun")
    return problems


@pytest.mark.parametrize("model", MODELS, ids=lambda path: path.stem)
def test_invocation_name_meets_alexa_requirements(model: Path) -> None:
    name = packaging.invocation_name(model)
    assert invocation_name_problems(name, model.stem) == []


@pytest.mark.parametrize(
    "name",
    ["cramp", "Cramp Coach", "cramp coach 2", "cramp  coach", "alexa cramp coach", "the cramp",
     "cramp skill", "ask cramp coach", "coach for cramps", "cramp-coach"],
)  # fmt: skip
def test_invocation_name_rules_catch_bad_names(name: str) -> None:
    assert invocation_name_problems(name, "en-US")


# --- nothing secret in the repository ----------------------------------------------------------

_SECRETS = {
    "AWS access key ID": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(
        r"aws_secret_access_key\s*[:=]\s*[\"']?[A-Za-z0-9/+=]{40}", re.IGNORECASE
    ),
    "AWS account ID in an ARN": re.compile(r"\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:"),
}
_SKILL_ID = re.compile(
    r"amzn1\.ask\.skill\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    re.IGNORECASE,
)


def _is_made_up(uuid: str) -> bool:
    """Test fixtures write skill IDs with long runs of one digit (all zeros, 1111...); a real,
    random ID has six equal hex digits in a row with odds of about 1 in 40,000."""
    return re.search(r"(.)\1{5}", uuid.replace("-", "")) is not None


def secret_findings(text: str) -> list[str]:
    found = [f"{kind}: {m.group(0)}" for kind, rx in _SECRETS.items() for m in rx.finditer(text)]
    found += [
        f"skill ID: {m.group(0)}" for m in _SKILL_ID.finditer(text) if not _is_made_up(m.group(1))
    ]
    return found


def test_secret_patterns_catch_what_they_are_for() -> None:
    # Assembled at run time, so this file holds none of them.
    samples = [
        "AKIA" + "Z7Q2" * 4,
        "aws_secret_access_key = " + "k9/Xw+Q2" * 5,
        "arn:aws:lambda:eu-west-1:" + "4" * 6 + "271828" + ":function:cramp-coach",
        "amzn1.ask.skill." + "-".join(["8c2f1e4a", "93b0", "4d6e", "a1f7", "2b5c8d0e3f16"]),
    ]
    assert [len(secret_findings(sample)) for sample in samples] == [1, 1, 1, 1]
    assert secret_findings(PLACEHOLDER_SKILL_ID + " arn:aws:lambda:REGION:ACCOUNT_ID:x") == []


def test_no_file_in_the_repository_holds_credentials_account_or_skill_ids() -> None:
    files = [ROOT / name for name in next_commit_files(ROOT)]
    assert any(path.name == "template.yaml" for path in files)
    findings = [
        f"{path.relative_to(ROOT)}: {finding}"
        for path in files
        if path.is_file()
        for finding in secret_findings(path.read_bytes().decode("utf-8", errors="replace"))
    ]
    assert findings == []
