"""The project installed as a user installs it: its source tree copied out of the work tree,
built with `python -m build`, and the wheel installed by pip into a fresh virtual environment.

Shared by tests/test_installed_wheel.py, tests/test_deploy.py and bench/installed.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path


def next_commit_files(root: Path) -> list[str]:
    """What the next commit could hold: tracked files, and new ones git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name]


def copy_source_tree(root: Path, dest: Path) -> Path:
    """Copies the next commit's files to `dest`, so a build writes nothing into the work tree and
    sees no ignored local files."""
    for name in next_commit_files(root):
        if (root / name).is_file():  # a file deleted but not yet committed is skipped
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes((root / name).read_bytes())
    return dest


def build(source: Path, out: Path, *, wheel_only: bool = False) -> None:
    """`python -m build`: the sdist and, from it, the wheel (or the wheel alone) into `out`."""
    command = [sys.executable, "-m", "build", "--outdir", str(out), str(source)]
    _run([*command, *(["--wheel"] if wheel_only else [])], "python -m build")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without what would point Python or the skill elsewhere (PYTHONPATH, an
    active virtualenv, the skill's own settings)."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTHON", "CRAMP_COACH_", "VIRTUAL_ENV"))
    }
    return {**kept, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **(extra or {})}


def venv_with(home: Path, requirement: str) -> Path:
    """A fresh venv at `home` with `requirement` installed by pip (which compiles bytecode, as it
    does by default); returns the venv's bin folder."""
    venv.EnvBuilder(with_pip=True).create(home)
    pip = [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement]
    _run(pip, f"pip install {requirement}", env=clean_env())
    return home / "bin"


def _run(command: list[str], what: str, env: Mapping[str, str] | None = None) -> None:
    """Runs a build step; a failure is a RuntimeError ending with the step's own output."""
    done = subprocess.run(
        command,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
