"""Runs a short Python program in a fresh interpreter and reads the JSON report it prints.

Import-time behaviour (what the Lambda handler loads, the SnapStart hooks, a bundle on its own)
can only be seen in a process that nothing else has imported into.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def run_probe(
    code: str,
    *args: str,
    cwd: Path,
    env: Mapping[str, str],
    python: str | Path = sys.executable,
    stdin: str = "",
) -> dict[str, Any]:
    """`python -c code args...`; fails the test with its stderr unless it exits 0."""
    result = subprocess.run(
        [str(python), "-c", code, *args],
        input=stdin,
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report
