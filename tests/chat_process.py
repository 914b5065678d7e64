"""Runs `cramp-coach chat` as a user would: a real process reading piped lines."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("cramp-coach")


def chat(
    stdin: str, *args: str, db: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The chat's output; its state goes to the SQLite file `db`, never the user's own."""
    environment = {**(env if env is not None else os.environ), "CRAMP_COACH_DB": str(db)}
    environment.pop("CRAMP_COACH_DYNAMODB_TABLE", None)
    return subprocess.run(
        [str(SCRIPT), "chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )


def alexa_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """What Alexa said, one line per reply."""
    return [line for line in result.stdout.splitlines() if line.startswith("Alexa: ")]
