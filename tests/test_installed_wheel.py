"""The package as a user gets it: the built wheel, installed (not editable) in clean venvs.

`python -m build` makes the sdist and then, from the sdist alone, the wheel, so the sdist is
complete; twine checks both. The wheel goes into two fresh virtual environments, one with the
web extra and one with the core only, and every command runs there from a temporary directory,
where nothing of the checkout can be found by accident. The build and the venvs are made once
per session (about 40 s with pip's cache warm) and shared by the tests here, whose names all
contain "installed": `pytest -k "not installed"` leaves them out of a quick run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

import pytest
from installs import build, clean_env, copy_source_tree, venv_with
from lambda_runtime import assert_answers_from_the_bundle_alone, host_arch, invoke_unpacked_bundle
from local_servers import HOST, free_port, start, stop

from skill.content import content_for

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "interaction_models").glob("*.json"))
C = content_for("en-US")


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path
    #: The sdist unpacked: a source tree without git, as a user who downloaded it has.
    source: Path


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    work = tmp_path_factory.mktemp("dist")
    out = work / "out"
    build(copy_source_tree(ROOT, work / "checkout"), out)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "sdist", filter="data")
    (source,) = (work / "sdist").iterdir()
    return Dist(wheel, sdist, source)


@pytest.fixture(scope="session")
def web_install(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return venv_with(tmp_path_factory.mktemp("venv-web"), f"{dist.wheel}[web]")


@pytest.fixture(scope="session")
def core_install(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return venv_with(tmp_path_factory.mktemp("venv-core"), str(dist.wheel))


def _run(
    command: Path, *args: str, cwd: Path, stdin: str = "", env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(command), *args],
        input=stdin,
        cwd=cwd,
        env=clean_env({"CRAMP_COACH_DB": str(cwd / "state.sqlite3"), **(env or {})}),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --- what was built ----------------------------------------------------------------------------


def test_installed_wheel_and_sdist_pass_twine_check(dist: Dist) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dist.wheel), str(dist.sdist)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_installed_wheel_holds_every_package_the_models_and_the_data_files(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        for model in MODELS:
            assert wheel.read(f"skill/interaction_models/{model.name}") == model.read_bytes()
    # Every package under skill/ (pyproject.toml lists them rather than finding them).
    for init in (ROOT / "skill").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names
    data = [
        *(ROOT / "skill" / "content").glob("*.json"),
        ROOT / "skill/simulator/builtin_samples.json",
    ]
    assert {path.relative_to(ROOT).as_posix() for path in data} <= names
    # Build inputs that nothing reads at run time stay out.
    assert not [name for name in names if "/overlays/" in name or "/grammar/" in name]
    assert not [name for name in names if name.startswith(("interaction_models/", "lambda/"))]


def test_installed_sdist_is_a_source_tree_without_local_files(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "lambda/template.yaml", "lambda/lambda_function.py"} <= names
    assert {f"interaction_models/{path.name}" for path in MODELS} <= names
    overlays = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("interaction_models/*/*.json")}
    assert overlays <= names
    assert "lambda/samconfig.toml" not in names  # a deployer's, holding their skill ID
    assert not [name for name in names if name.endswith(".pyc")]


# --- the commands, installed -------------------------------------------------------------------


def test_installed_package_is_imported_from_site_packages(
    web_install: Path, tmp_path: Path
) -> None:
    probe = "import skill, skill.locale_models as m; print(skill.__file__); print(m.models_dir())"
    result = _run(web_install / "python", "-c", probe, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    package, models = (Path(line) for line in result.stdout.splitlines())
    site = web_install.parent / "lib"
    assert package.is_relative_to(site) and models.is_relative_to(site)
    assert not package.is_relative_to(ROOT)


def test_installed_chat_answers_a_piped_dialog_from_a_temporary_directory(
    core_install: Path, tmp_path: Path
) -> None:
    dialog = "open cramp coach\nmy calf is cramping\nno\nnext\nstop\n"
    result = _run(core_install / "cramp-coach", "chat", cwd=tmp_path, stdin=dialog)
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith("Alexa: ")]
    assert len(said) == 5
    assert said[0].startswith("Alexa: " + C.say("welcome"))
    assert C.routine("calf")[1].speech in said[2]
    assert said[4] == "Alexa: " + C.say("stop")
    assert (tmp_path / "state.sqlite3").is_file()  # progress went to the SQLite file


def test_installed_script_writes_the_sheet_from_a_temporary_directory(
    core_install: Path, tmp_path: Path
) -> None:
    result = _run(
        core_install / "cramp-coach", "script", "--locale", "en-GB", "--timing", "estimate",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "<style>" in result.stdout and "call nine nine nine" in result.stdout
    assert "not yet reviewed" in result.stdout  # the review records came with the wheel


def test_installed_serve_answers_healthz(web_install: Path, tmp_path: Path) -> None:
    port = free_port()
    # Verification stays on: nothing here posts an Alexa request.
    command = [str(web_install / "cramp-coach"), "serve", "--port", str(port)]
    env = clean_env({"CRAMP_COACH_DB": str(tmp_path / "state.sqlite3")})
    process = start(
        command, port=port, ready_path="/healthz", log_path=tmp_path / "serve.log", env=env,
        cwd=tmp_path,
    )  # fmt: skip
    try:
        with urlopen(f"http://{HOST}:{port}/healthz", timeout=5) as reply:
            assert reply.status == 200
            assert json.loads(reply.read()) == {"status": "ok"}
    finally:
        stop(process)


def test_installed_skill_package_writes_every_model_from_a_temporary_directory(
    core_install: Path, tmp_path: Path
) -> None:
    result = _run(core_install / "cramp-coach", "skill-package", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "build" / "skill-package"
    manifest = json.loads((out / "skill.json").read_text(encoding="utf-8"))["manifest"]
    assert set(manifest["publishingInformation"]["locales"]) == {path.stem for path in MODELS}
    custom = out / "interactionModels" / "custom"
    for model in MODELS:
        assert (custom / model.name).read_bytes() == model.read_bytes()


def test_installed_core_only_serve_names_the_web_extra_in_one_line(
    core_install: Path, tmp_path: Path
) -> None:
    result = _run(core_install / "cramp-coach", "serve", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "cramp-coach serve needs the web extra (flask is not installed): "
        "pip install 'cramp-coach[web]'"
    ]


def test_installed_core_only_chat_with_a_table_names_the_dynamodb_extra_in_one_line(
    core_install: Path, tmp_path: Path
) -> None:
    env = {"CRAMP_COACH_DYNAMODB_TABLE": "cramp-coach-state"}
    result = _run(core_install / "cramp-coach", "chat", cwd=tmp_path, stdin="hi\n", env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "DynamoDB state (CRAMP_COACH_DYNAMODB_TABLE) needs the dynamodb extra "
        "(boto3 is not installed): pip install 'cramp-coach[dynamodb]'"
    ]
    assert "Alexa:" not in result.stdout


def test_installed_package_builds_from_the_sdist_a_bundle_that_answers(
    dist: Dist, core_install: Path, lambda_like_python: Path, tmp_path: Path
) -> None:
    # For this machine's architecture, so the bundle's compiled parts could load here.
    bundle = tmp_path / "lambda.zip"
    result = _run(
        core_install / "cramp-coach", "package", "--source", str(dist.source),
        "--arch", host_arch(), "--out", str(bundle), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{bundle}: {bundle.stat().st_size:,} bytes" in result.stdout
    task_root = tmp_path / "task"
    report = invoke_unpacked_bundle(lambda_like_python, bundle, task_root)
    assert_answers_from_the_bundle_alone(report, task_root)
