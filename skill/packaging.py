"""Builds what a deployment needs: the Lambda bundle (zip) and the ASK CLI skill package.

`cramp-coach package` writes the zip that lambda/template.yaml's CodeUri points at. It builds
from a source tree of the project (lambda/, skill/ and pyproject.toml: a clone, or an unpacked
sdist): the clone holding the current directory, or the one given with --source.
`cramp-coach skill-package` writes skill-package/ (skill.json and one interaction model per
locale) from the models installed with the package, so it runs anywhere the package is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_NAME = "cramp-coach"
# Relative to the source tree, not the working directory: the template's CodeUri names this file.
BUNDLE_IN_SOURCE = Path("build") / "lambda.zip"
DEFAULT_SKILL_PACKAGE = Path("build") / "skill-package"
SOURCE_HELP = (
    "the project's source tree to build from: a clone of the repository or an unpacked sdist, "
    "holding lambda/, skill/ and pyproject.toml (default: the clone holding the current directory)"
)

ARCHITECTURES = ("arm64", "x86_64")
_MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}
# pip does not widen a --platform tag to older or newer glibc baselines, so name each one a wheel
# may carry. The Python 3.12+ Lambda runtimes run on Amazon Linux 2023 (glibc 2.34).
_GLIBC_TAGS = ("manylinux2014", "manylinux_2_17", "manylinux_2_28", "manylinux_2_34")
# Already in every Python Lambda runtime; bundling them would only shadow the runtime's copies.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
# The extra whose packages the Lambda needs beside the core dependencies (DynamoDB state).
LAMBDA_EXTRA = "dynamodb"

# Zip entries get one timestamp and one mode, so the same inputs give the same bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_ZIP_FILE_MODE = 0o100644  # a regular file, readable by the Lambda runtime's user
_SKIPPED_DIRS = frozenset({"__pycache__", "tests"})

# The alias `live` of the function (lambda/template.yaml): SnapStart works on published versions.
PLACEHOLDER_ENDPOINT = "arn:aws:lambda:REGION:ACCOUNT_ID:function:cramp-coach:live"
PLACEHOLDER_URL = "https://example.com/REPLACE-ME/cramp-coach"
TIMERS_PERMISSION = "alexa::alerts:timers:skill:readwrite"
# Echo Show and Fire TV get the step on screen (skill.apl); without it Alexa sends no APL support.
INTERFACES = [{"type": "ALEXA_PRESENTATION_APL"}]
DISCLAIMER = (
    "general information, not medical advice; in an emergency call your local emergency number"
)


class PackagingError(Exception):
    """The checkout is missing something a build needs, or holds something it cannot use."""


@dataclass(frozen=True)
class Source:
    """A source tree of the project: what the Lambda bundle is built from."""

    root: Path

    @property
    def template(self) -> Path:
        return self.root / "lambda" / "template.yaml"

    @property
    def lambda_entry(self) -> Path:
        return self.root / "lambda" / "lambda_function.py"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def package_dir(self) -> Path:
        return self.root / "skill"

    @property
    def default_bundle(self) -> Path:
        return self.root / BUNDLE_IN_SOURCE

    @classmethod
    def find(cls, explicit: str | os.PathLike[str] | None = None) -> Source:
        """The tree at `explicit`, else the first of the working directory and its parents that
        is one (as git finds its repository).

        :raises PackagingError: saying what a source tree holds and how to name one.
        """
        if explicit is not None:
            root = Path(explicit).resolve()
            if not _is_source(root):
                raise PackagingError(
                    f"--source {explicit}: not a source tree of {PROJECT_NAME} (it needs "
                    "lambda/template.yaml, lambda/lambda_function.py, skill/ and a pyproject.toml "
                    f"naming {PROJECT_NAME}); pass a clone of the repository or an unpacked sdist"
                )
            return cls(root)
        here = Path.cwd().resolve()
        for folder in (here, *here.parents):
            if _is_source(folder):
                return cls(folder)
        raise PackagingError(
            f"{here} is not inside a clone of {PROJECT_NAME}: the Lambda bundle is built from the "
            "project's source (lambda/, skill/, pyproject.toml). Run this in a clone of the "
            "repository, or pass --source PATH (a clone or an unpacked sdist)."
        )


def _is_source(folder: Path) -> bool:
    probe = Source(folder)
    if not (probe.template.is_file() and probe.lambda_entry.is_file()):
        return False
    if not (probe.package_dir / "__init__.py").is_file() or not probe.pyproject.is_file():
        return False
    try:
        name = tomllib.loads(probe.pyproject.read_text(encoding="utf-8"))["project"]["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return bool(name == PROJECT_NAME)


@dataclass(frozen=True)
class Bundle:
    path: Path
    size: int
    files: int
    arch: str
    python_version: str
    # Whether the zip carries bytecode: Lambda's /var/task is read-only, so without it every cold
    # start compiles each module again (about three times the import time).
    bytecode: bool


# --- the Lambda bundle -------------------------------------------------------------------------


def runtime_python_version(source: Source) -> str:
    """The X.Y of the template's `Runtime: pythonX.Y`, so bundle and runtime cannot drift apart."""
    template = source.template
    match = re.search(r"^\s*Runtime:\s*python(\d+\.\d+)\s*$", _read(template), re.MULTILINE)
    if match is None:
        raise PackagingError(f"{template} names no python runtime")
    return match.group(1)


def lambda_requirements(source: Source) -> list[str]:
    """The core dependencies plus the DynamoDB extra, as pyproject.toml declares them.

    The extra brings boto3 into the resolution on purpose: the packages the bundle shares with the
    runtime's botocore (python-dateutil, urllib3, six) then resolve to versions botocore accepts.
    boto3 and its kin are left out of the zip afterwards.
    """
    project = tomllib.loads(_read(source.pyproject))["project"]
    extra = project.get("optional-dependencies", {}).get(LAMBDA_EXTRA)
    if extra is None:
        raise PackagingError(f"{source.pyproject} has no [{LAMBDA_EXTRA}] extra")
    return [*project["dependencies"], *extra]


def build_bundle(
    out: Path, source: Source, arch: str = "arm64", python_version: str | None = None
) -> Bundle:
    """Writes the Lambda zip to `out`: lambda_function.py, the `skill` package, its dependencies,
    all from `source` (the dependencies as its pyproject.toml names them)."""
    if arch not in ARCHITECTURES:
        raise PackagingError(f"unknown architecture {arch!r}; choose one of {ARCHITECTURES}")
    version = python_version or runtime_python_version(source)
    entries = {"lambda_function.py": _existing(source.lambda_entry)}
    entries.update(_skill_files(source.package_dir))
    with tempfile.TemporaryDirectory(prefix="cramp-coach-deps-") as deps:
        _pip_install(Path(deps), lambda_requirements(source), arch, version)
        for arcname, path in _dependency_files(Path(deps)):
            if arcname in entries:
                raise PackagingError(f"a dependency ships {arcname}, which the skill also ships")
            entries[arcname] = path
        interpreter = runtime_interpreter(version)
        if interpreter is not None:
            entries.update(_bytecode(entries, interpreter, Path(deps) / "_bytecode"))
        _write_zip(out, entries)
    return Bundle(out, out.stat().st_size, len(entries), arch, version, interpreter is not None)


def runtime_interpreter(version: str) -> str | None:
    """A Python of the runtime's version on this machine, or None: bytecode is per version.

    Looks at $CRAMP_COACH_RUNTIME_PYTHON, this Python, pythonX.Y on PATH, then pyenv's installs.
    """
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = [
        os.environ.get("CRAMP_COACH_RUNTIME_PYTHON"),
        sys.executable if f"{sys.version_info[0]}.{sys.version_info[1]}" == version else None,
        shutil.which(f"python{version}"),
        *map(str, sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True)),
    ]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def _bytecode(entries: Mapping[str, Path], interpreter: str, stage: Path) -> dict[str, Path]:
    """Compiles every module with the runtime's Python; returns the .pyc files by zip path.

    Hash-based pycs that are never checked against their source: the zip's fixed 1980 dates
    would make timestamp-based ones look stale, and the bundle is immutable once deployed.
    """
    for arcname, path in entries.items():
        if arcname.endswith(".py"):
            (stage / arcname).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, stage / arcname)
    command = [interpreter, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"]
    # Tracebacks name the files where Lambda unpacks them; a fixed hash seed keeps pycs identical.
    command += ["-s", str(stage), "-p", "/var/task", str(stage)]
    result = subprocess.run(
        command, env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True
    )
    if result.returncode != 0:
        # A module the runtime cannot compile would fail at import too; name it, keep going.
        print(f"some modules did not compile:\n{result.stdout}{result.stderr}", file=sys.stderr)
    return {path.relative_to(stage).as_posix(): path for path in sorted(stage.rglob("*.pyc"))}


def _skill_files(package_dir: Path) -> Iterator[tuple[str, Path]]:
    """The package as it runs: sources and content JSON; no tests, bytecode or hidden files.

    The interaction models are not in it: they live outside skill/ in the source tree, and Alexa,
    not the function, reads them.
    """
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(package_dir)
        if not path.is_file() or _SKIPPED_DIRS.intersection(relative.parts[:-1]):
            continue
        name = path.name
        if name.startswith((".", "test_")) or name == "conftest.py" or path.suffix == ".pyc":
            continue
        yield (Path("skill") / relative).as_posix(), path


def _pip_install(target: Path, requirements: list[str], arch: str, version: str) -> None:
    platforms = [f"--platform={tag}_{_MACHINE[arch]}" for tag in _GLIBC_TAGS]
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        f"--target={target}",
        *platforms,
        "--only-binary=:all:",
        f"--python-version={version}",
        "--implementation=cp",
        # pip would compile with this machine's Python (bytecode another Python version ignores)
        # and stamp source mtimes into it, which would break reproducibility.
        "--no-compile",
        *requirements,
    ]
    subprocess.run(command, check=True)


def _dependency_files(site: Path) -> Iterator[tuple[str, Path]]:
    from importlib.metadata import distributions

    # A distribution's RECORD lists every file it installed, its own .dist-info included.
    provided: set[str] = set()
    for dist in distributions(path=[str(site)]):
        if _normalise(dist.metadata["Name"]) in RUNTIME_PROVIDED:
            provided.update(Path(str(file)).as_posix() for file in dist.files or ())
    for path in sorted(site.rglob("*")):
        arcname = path.relative_to(site).as_posix()
        # bin/ holds console scripts whose shebang names this machine's Python: useless on Lambda.
        if not path.is_file() or arcname.startswith("bin/") or "__pycache__" in path.parts:
            continue
        if arcname not in provided:
            yield arcname, path


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _write_zip(out: Path, entries: Mapping[str, Path]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as bundle:
        for arcname in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
            info.external_attr = _ZIP_FILE_MODE << 16
            info.create_system = 3  # Unix, so unzip honours the mode above
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, entries[arcname].read_bytes(), compresslevel=9)
    os.replace(partial, out)


# --- the ASK CLI skill package -----------------------------------------------------------------


@dataclass(frozen=True)
class StoreText:
    """What the Alexa app shows for one language."""

    name: str
    summary: str
    description: str
    # Said after "Alexa, ask <invocation name>"; each must match a sample utterance.
    example_requests: tuple[str, ...]
    keywords: tuple[str, ...]


# A locale whose language has no text here stops the build rather than ship English to, say, de-DE.
_STORE_TEXT = {
    "en": StoreText(
        name="Cramp Coach",
        summary=(
            "Hands-free help for a leg cramp mid-run: a quick safety check, then stretches, "
            "massage and a cold-pack timer, one step at a time."
        ),
        description=(
            "Cramp Coach talks you through a calf, hamstring, quad or foot cramp while you stand "
            "on the roadside, one short instruction at a time. It first asks about warning signs, "
            "then guides a stretch with a spoken countdown, massage, a cold pack with a real "
            "Alexa timer, fluids, and when to run again. Say next, go back, repeat or pause at "
            "any point. If you mention chest pain, dizziness or a swollen calf, it stops and "
            "tells you to see a doctor or call for help. Cramp Coach gives "
            f"{DISCLAIMER}."
        ),
        example_requests=("to help with my calf", "what to do for a hamstring cramp"),
        keywords=("cramp", "leg cramp", "calf cramp", "muscle cramp", "running", "stretch"),
    ),
}
_TESTING_INSTRUCTIONS = (
    "Say 'Alexa, ask cramp coach to help with my calf', answer no to the safety question, then "
    "say 'next' through the steps. At the cold-pack step, say yes to set a timer (timers "
    "permission). Saying 'my chest hurts' at any point ends the routine with emergency advice."
)


def interaction_models(models_dir: Path) -> dict[str, Path]:
    """Every interaction model, by locale (the file name): en-US.json -> "en-US"."""
    models = {path.stem: path for path in sorted(models_dir.glob("*.json"))}
    if not models:
        raise PackagingError(f"no interaction models in {models_dir}")
    return models


def skill_manifest(models: Mapping[str, Path]) -> dict[str, Any]:
    """skill.json for these interaction models: one publishing locale per model."""
    locales = {locale: _publishing_locale(locale, path) for locale, path in models.items()}
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": locales,
                # Each locale's content names its own emergency number, so the skill is offered
                # only where a locale of it is spoken.
                "isAvailableWorldwide": False,
                "distributionCountries": sorted({_country(locale) for locale in models}),
                "category": "HEALTH_AND_FITNESS",
                "testingInstructions": _TESTING_INSTRUCTIONS,
            },
            "privacyAndCompliance": {
                "allowsPurchases": False,
                "usesPersonalInfo": False,
                "isChildDirected": False,
                "isExportCompliant": True,
                "containsAds": False,
                "locales": {
                    locale: {
                        "privacyPolicyUrl": f"{PLACEHOLDER_URL}/privacy",
                        "termsOfUseUrl": f"{PLACEHOLDER_URL}/terms",
                    }
                    for locale in models
                },
            },
            "permissions": [{"name": TIMERS_PERMISSION}],
            "apis": {
                "custom": {"endpoint": {"uri": PLACEHOLDER_ENDPOINT}, "interfaces": INTERFACES}
            },
        }
    }


def build_skill_package(out: Path, models_dir: Path | None = None) -> list[str]:
    """Writes out/skill.json and out/interactionModels/custom/<locale>.json; returns the locales.

    The models are the installed ones (skill.interaction_models) unless `models_dir` is given.
    """
    if models_dir is None:
        from skill.locale_models import models_dir as installed_models

        models_dir = installed_models()
    models = interaction_models(models_dir)
    manifest = skill_manifest(models)
    custom = out / "interactionModels" / "custom"
    # Start the models folder afresh so a model deleted from the repo leaves no stale copy here.
    shutil.rmtree(out / "interactionModels", ignore_errors=True)
    custom.mkdir(parents=True)
    for locale, path in models.items():
        shutil.copyfile(path, custom / f"{locale}.json")
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / "skill.json").write_text(text, encoding="utf-8")
    return list(models)


def invocation_name(model_path: Path) -> str:
    try:
        model = json.loads(_read(model_path))
        name = model["interactionModel"]["languageModel"]["invocationName"]
    except (ValueError, KeyError, TypeError) as error:
        raise PackagingError(f"{model_path} is not an interaction model: {error!r}") from error
    if not isinstance(name, str) or not name:
        raise PackagingError(f"{model_path} has no invocationName")
    return name


def _publishing_locale(locale: str, model_path: Path) -> dict[str, Any]:
    language = locale.split("-", 1)[0]
    text = _STORE_TEXT.get(language)
    if text is None:
        raise PackagingError(f"no store text for {locale}: add a {language!r} entry in {__file__}")
    name = invocation_name(model_path)
    return {
        "name": text.name,
        "summary": text.summary,
        "description": text.description,
        "examplePhrases": [
            f"Alexa, open {name}",
            *(f"Alexa, ask {name} {request}" for request in text.example_requests),
        ],
        "keywords": list(text.keywords),
    }


def _country(locale: str) -> str:
    parts = locale.split("-")
    if len(parts) != 2 or not parts[1].isalpha():
        raise PackagingError(f"{locale!r} is not a language-COUNTRY locale")
    return parts[1].upper()


# --- shared ------------------------------------------------------------------------------------


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise PackagingError(f"{path} is missing from the source tree")
    return path


def _read(path: Path) -> str:
    return _existing(path).read_text(encoding="utf-8")


def _package(args: argparse.Namespace) -> int:
    try:
        source = Source.find(args.source)
        out = Path(args.out) if args.out else source.default_bundle
        bundle = build_bundle(out, source, args.arch)
    except subprocess.CalledProcessError as error:
        print(f"pip could not install the dependencies (exit {error.returncode})", file=sys.stderr)
        return 1
    except PackagingError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"{bundle.path}: {bundle.size:,} bytes ({bundle.size / 2**20:.1f} MiB), "
        f"{bundle.files} files, {bundle.arch}, Python {bundle.python_version}"
    )
    if not bundle.bytecode:
        print(
            f"note: no python{bundle.python_version} on this machine, so the bundle has no "
            "bytecode and every Lambda cold start compiles it (slower by ~0.2 s)",
            file=sys.stderr,
        )
    return 0


def _skill_package(args: argparse.Namespace) -> int:
    out = Path(args.out)
    try:
        locales = build_skill_package(out)
    except PackagingError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{out}: skill.json and interaction models for {', '.join(locales)}")
    print(f"Before deploying, replace in {out / 'skill.json'}:")
    print(f"  {PLACEHOLDER_ENDPOINT}  with the stack's SkillFunctionArn output")
    print(f"  {PLACEHOLDER_URL}/...  with your privacy policy and terms of use")
    return 0


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `package` and `skill-package` to the cramp-coach command."""
    package = subparsers.add_parser(
        "package",
        help="build the Lambda bundle (zip) from a clone of the repository",
        description=(
            "Builds the Lambda bundle from the project's source tree (lambda/lambda_function.py, "
            "skill/, and the dependencies pyproject.toml names), for the Python version of "
            "lambda/template.yaml. Run it inside a clone, or name one with --source."
        ),
    )
    package.add_argument("--source", metavar="PATH", help=SOURCE_HELP)
    package.add_argument(
        "--arch", choices=ARCHITECTURES, default="arm64", help="Lambda architecture (default arm64)"
    )
    package.add_argument(
        "--out",
        help=f"zip to write (default: {BUNDLE_IN_SOURCE} in the source tree, where the template's "
        "CodeUri points)",
    )
    package.set_defaults(run=_package)

    skill_package = subparsers.add_parser(
        "skill-package", help="write the ASK CLI skill package (skill.json, interaction models)"
    )
    skill_package.add_argument(
        "--out",
        default=DEFAULT_SKILL_PACKAGE,
        help=f"folder (default: {DEFAULT_SKILL_PACKAGE} in the current directory)",
    )
    skill_package.set_defaults(run=_skill_package)
