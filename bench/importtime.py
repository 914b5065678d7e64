"""Where a cold start's import time goes: ``python -X importtime``, minus what the baseline loads.

Printed when a cold-start target is missed, to point at the modules worth making lazy. One run,
so the figures are indicative; the grouping by package is what matters.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.proc import failure

_LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)\s*$")


def self_times_us(argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> dict[str, int]:
    """Each imported module's own import time (µs), from one run of ``argv`` (a python command)."""
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise failure("python -X importtime", done.returncode, done.stderr)
    times = {}
    for line in done.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            times[match.group(2)] = int(match.group(1))
    return times


def _group(module: str) -> str:
    """A dependency by its top-level package; the skill's own code by module."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "skill" else parts[0]


def extra_cost(
    measured: Mapping[str, int], baseline: Mapping[str, int], top: int = 10
) -> list[tuple[str, float, int]]:
    """(group, milliseconds, modules) for what ``measured`` imports and ``baseline`` does not."""
    totals: dict[str, tuple[float, int]] = {}
    for module, micros in measured.items():
        if module in baseline:
            continue
        group = _group(module)
        spent, count = totals.get(group, (0.0, 0))
        totals[group] = (spent + micros / 1e3, count + 1)
    ranked = sorted(totals.items(), key=lambda item: item[1][0], reverse=True)
    return [(group, spent, count) for group, (spent, count) in ranked[:top]]
