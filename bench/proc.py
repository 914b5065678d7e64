"""What every measured process shares: a clean environment and one way to report a failure."""

from __future__ import annotations

import os
from collections.abc import Mapping


class ProcessFailed(RuntimeError):
    """A measured or helper process exited with an error."""


def failure(label: str, returncode: int, stderr: bytes | str) -> ProcessFailed:
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    tail = "\n".join(text.strip().splitlines()[-6:])
    return ProcessFailed(f"{label} exited with {returncode}:\n{tail}")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without anything that would change what a measured process does.

    PYTHON* variables (PYTHONPATH, PYTHONDEVMODE, ...) change imports and speed; AWS_* and
    CRAMP_COACH_* would point the skill at real AWS or switch persistence on.
    """
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTHON", "AWS_", "CRAMP_COACH_"))
    }
    return {**kept, **(extra or {})}
