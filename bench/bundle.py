"""The Lambda bundle: its size, and how long ``import lambda_function`` takes from it.

The bundle is built with the project's own command (``cramp-coach package``, from
skill/packaging.py) into a temporary folder and unpacked as Lambda unpacks it into /var/task.
The import runs in a fresh ``python -S`` process (no site-packages: only the standard library and
the bundle), in two states:

- as shipped: no bytecode, and none written (``PYTHONDONTWRITEBYTECODE``), because /var/task is
  read-only on Lambda, so every cold start compiles every module it imports;
- with bytecode compiled beforehand, to show what shipping ``.pyc`` files would save, and what
  that would add to the zip.
"""

from __future__ import annotations

import compileall
import importlib.util
import json
import py_compile
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
    #: ``import lambda_function`` times (ms): as shipped, and with bytecode compiled beforehand.
    source_import_ms: list[float]
    compiled_import_ms: list[float]
    #: The zip's size if it also held that bytecode.
    compiled_zip_bytes: int


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


def _import_ms(python: str, task_root: Path, write_bytecode: bool) -> float:
    extra = {"PYTHONPATH": str(task_root), "LAMBDA_TASK_ROOT": str(task_root)}
    if not write_bytecode:
        extra["PYTHONDONTWRITEBYTECODE"] = "1"
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


def _zip_size(tree: Path, out: Path) -> int:
    """The size of ``tree`` zipped the way skill/packaging.py zips the bundle (deflate, level 9)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(tree).as_posix())
    return out.stat().st_size


def measure(python: str, work_dir: Path, repo: Path, runs: int) -> BundleResult:
    """Builds, unpacks twice (as shipped, and precompiled), and times the import alternately."""
    bundle = work_dir / "lambda.zip"
    build(bundle, repo)
    shipped, compiled = work_dir / "task-shipped", work_dir / "task-compiled"
    unpacked = _unpack(bundle, shipped)
    _unpack(bundle, compiled)
    # Unchecked-hash pycs stay valid whatever the files' timestamps, as they would on Lambda.
    compileall.compile_dir(
        compiled,
        quiet=2,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    source_ms, compiled_ms = [], []
    for _ in range(runs):
        source_ms.append(_import_ms(python, shipped, write_bytecode=False))
        compiled_ms.append(_import_ms(python, compiled, write_bytecode=True))
    with zipfile.ZipFile(bundle) as archive:
        files = len(archive.infolist())
    compiled_zip = _zip_size(compiled, work_dir / "lambda-with-bytecode.zip")
    return BundleResult(
        bundle.stat().st_size, files, unpacked, source_ms, compiled_ms, compiled_zip
    )
