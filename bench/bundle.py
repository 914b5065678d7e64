"""The Lambda bundle: its size, and how long ``import lambda_function`` takes from it.

The bundle is built with the project's own command (``cramp-coach package``, from
skill/packaging.py) into a temporary folder and unpacked as Lambda unpacks it into /var/task.
The import runs in a fresh ``python -S`` process of the bundle's Python version when this
machine has one (else this Python), with no site-packages and no bytecode written
(``PYTHONDONTWRITEBYTECODE``: /var/task is read-only on Lambda), in two states:

- as shipped, with the bytecode the package command compiled for that Python;
- with the bytecode removed, which is what every cold start would compile without it.

The task root as shipped also gets the hello-world baseline beside lambda_function.py, compiled
the same way, for the cold start as bundled (measured by bench/__main__.py with bench/cold.py).
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

from bench.baseline import write_baseline
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
class UnpackedBundle:
    size_bytes: int
    files: int
    unpacked_bytes: int
    #: How many .pyc files the zip holds, and the Python that runs it ("3.13").
    pyc_files: int
    python_version: str
    #: The runtime's Python when this machine has it, else this one.
    interpreter: str
    #: The task root as shipped, with the hello-world baseline beside lambda_function.py (on the
    #: bundle's own SDK, with bytecode compiled the same way), and a copy without any bytecode.
    shipped: Path
    stripped: Path


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


def unpack(python: str, work_dir: Path, repo: Path) -> UnpackedBundle:
    """Builds the bundle and unpacks it twice: as shipped (with the baseline added), and with no
    bytecode."""
    from skill.packaging import Source, runtime_interpreter, runtime_python_version

    bundle = work_dir / "lambda.zip"
    build(bundle, repo)
    version = runtime_python_version(Source(repo))
    runtime = runtime_interpreter(version)
    if runtime is None:
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    shipped, stripped = work_dir / "task-shipped", work_dir / "task-source"
    unpacked = _unpack(bundle, shipped)
    _unpack(bundle, stripped)
    for cache in sorted(stripped.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    _add_baseline(runtime or python, shipped)
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    pycs = sum(name.endswith(".pyc") for name in names)
    return UnpackedBundle(
        bundle.stat().st_size, len(names), unpacked, pycs, version, runtime or python, shipped,
        stripped,
    )  # fmt: skip


def _add_baseline(python: str, task_root: Path) -> None:
    """The hello-world beside lambda_function.py, compiled as `cramp-coach package` compiles."""
    source = write_baseline(task_root)
    command = [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"]
    done = subprocess.run([*command, str(source)], capture_output=True, check=False)
    if done.returncode != 0:
        raise failure("compiling the baseline", done.returncode, done.stderr)


def import_times(bundle: UnpackedBundle, runs: int) -> tuple[list[float], list[float]]:
    """``import lambda_function`` (ms), alternately as shipped and without bytecode."""
    shipped_ms, source_ms = [], []
    for _ in range(runs):
        shipped_ms.append(_import_ms(bundle.interpreter, bundle.shipped))
        source_ms.append(_import_ms(bundle.interpreter, bundle.stripped))
    return shipped_ms, source_ms
