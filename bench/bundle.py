"""The Lambda bundle: its size, and how long ``import lambda_function`` takes from it.

The bundle is built with the project's own command (``cramp-coach package``, from
skill/packaging.py) into a temporary folder and unpacked as Lambda unpacks it into /var/task.
The import runs in a fresh ``python -S`` process of the bundle's Python version when this
machine has one (else this Python), with no site-packages and no bytecode written
(``PYTHONDONTWRITEBYTECODE``: /var/task is read-only on Lambda), in two states:

- as shipped, with the bytecode the package command compiled for that Python;
- with the bytecode removed, which is what every cold start would compile without it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.proc import clean_env, failure

# Imports the handler as the Lambda runtime does and checks it really came from the bundle.
_IMPORT_CHILD = """
import json
import sys
import time

started = time.perf_counter()
import lambda_function
import_ms = (time.perf_counter() - started) * 1e3
import skill
print(json.dumps({"import_ms": import_ms, "skill": skill.__file__}))
"""


@dataclass(frozen=True)
class BundleResult:
    size_bytes: int
    files: int
    unpacked_bytes: int
    #: ``import lambda_function`` times (ms): as shipped, and with its bytecode removed.
    shipped_import_ms: list[float]
    source_import_ms: list[float]
    #: How many .pyc files the zip holds, and the Python that imported it ("3.13").
    pyc_files: int
    python_version: str


def packaging_available() -> bool:
    return importlib.util.find_spec("skill.packaging") is not None


def build(out: Path, cwd: Path) -> None:
    """``cramp-coach package --out out``: the bundle exactly as it would be deployed."""
    command = Path(sys.executable).with_name("cramp-coach")
    done = subprocess.run(
        [str(command), "package", "--out", str(out)],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise failure("cramp-coach package", done.returncode, done.stderr or done.stdout)


def _unpack(bundle: Path, task_root: Path) -> int:
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(task_root)
        return sum(entry.file_size for entry in archive.infolist())


def _import_ms(python: str, task_root: Path) -> float:
    extra = {
        "PYTHONPATH": str(task_root),
        "LAMBDA_TASK_ROOT": str(task_root),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [python, "-S", "-c", _IMPORT_CHILD],
        cwd=task_root,
        env=clean_env(extra),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise failure("import lambda_function from the bundle", done.returncode, done.stderr)
    report = json.loads(done.stdout)
    if not Path(report["skill"]).is_relative_to(task_root):
        raise RuntimeError(f"skill was imported from {report['skill']}, not from the bundle")
    return float(report["import_ms"])


def measure(python: str, work_dir: Path, repo: Path, runs: int) -> BundleResult:
    """Builds, unpacks twice (as shipped, and without bytecode), times the import alternately."""
    from skill.packaging import runtime_interpreter, runtime_python_version

    bundle = work_dir / "lambda.zip"
    build(bundle, repo)
    version = runtime_python_version()
    runtime = runtime_interpreter(version)
    if runtime is None:
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    shipped, stripped = work_dir / "task-shipped", work_dir / "task-source"
    unpacked = _unpack(bundle, shipped)
    _unpack(bundle, stripped)
    for cache in sorted(stripped.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    shipped_ms, source_ms = [], []
    for _ in range(runs):
        shipped_ms.append(_import_ms(runtime or python, shipped))
        source_ms.append(_import_ms(runtime or python, stripped))
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    pycs = sum(name.endswith(".pyc") for name in names)
    return BundleResult(
        bundle.stat().st_size, len(names), unpacked, shipped_ms, source_ms, pycs, version
    )
