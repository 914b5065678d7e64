"""Warm latency: requests through ``lambda_handler`` in one long-lived process, as a warm Lambda.

The parent writes a spec (handler modules, pre-built envelopes) and runs this module as
``python -m bench.warm SPEC OUT`` in a fresh process, so nothing the benchmark itself imported
(boto3, the simulator) skews the measured process. Cramp Coach and the baseline run in the same
process, one dialog pass and then as many baseline LaunchRequests, alternately: noise and
garbage collection then fall on both alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.proc import failure

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class WarmResult:
    #: Nanoseconds per request: one list per dialog pass, one entry per turn.
    cramp_ns: list[list[int]]
    baseline_ns: list[int]
    #: Whether each turn's response ended the session, per pass: shows the dialog went as written.
    ended: list[list[bool]]


def _import_handler(directory: str, module: str) -> Handler:
    sys.path.insert(0, directory)
    handler: Handler = __import__(module).lambda_handler
    return handler


def _replay(handler: Handler, turns: list[dict[str, Any]]) -> tuple[list[int], list[bool]]:
    """One dialog pass; each turn carries the previous response's session attributes."""
    times, ended = [], []
    attributes: dict[str, Any] = {}
    for envelope in turns:
        envelope["session"]["attributes"] = attributes
        started = time.perf_counter_ns()
        response = handler(envelope, None)
        times.append(time.perf_counter_ns() - started)
        attributes = response.get("sessionAttributes") or {}
        ended.append(response.get("response", {}).get("shouldEndSession") is True)
    return times, ended


def _time_launches(handler: Handler, envelope: dict[str, Any], count: int) -> list[int]:
    times = []
    for _ in range(count):
        started = time.perf_counter_ns()
        handler(envelope, None)
        times.append(time.perf_counter_ns() - started)
    return times


def _worker(spec_path: Path, out_path: Path) -> None:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    cramp = _import_handler(*spec["cramp"])
    baseline = _import_handler(*spec["baseline"])
    launch = spec["launch"]
    result: dict[str, list[Any]] = {"cramp_ns": [], "baseline_ns": [], "ended": []}
    for index, turns in enumerate(spec["passes"]):
        times, ended = _replay(cramp, turns)
        launches = _time_launches(baseline, launch, len(turns))
        # The first passes build the skill and fill the SDK's caches: a warm container has them.
        if index >= spec["warmup"]:
            result["cramp_ns"].append(times)
            result["baseline_ns"].extend(launches)
            result["ended"].append(ended)
    out_path.write_text(json.dumps(result), encoding="utf-8")


def measure(
    python: str,
    cramp: tuple[Path, str],
    baseline: tuple[Path, str],
    passes: list[list[dict[str, Any]]],
    launch: dict[str, Any],
    warmup: int,
    work_dir: Path,
    env: Mapping[str, str],
    cwd: Path,
) -> WarmResult:
    """Replays ``passes`` (the first ``warmup`` untimed) in a fresh process; returns the times."""
    spec_path, out_path = work_dir / "warm-spec.json", work_dir / "warm-out.json"
    spec = {
        "cramp": [str(cramp[0]), cramp[1]],
        "baseline": [str(baseline[0]), baseline[1]],
        "passes": passes,
        "launch": launch,
        "warmup": warmup,
    }
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    done = subprocess.run(
        [python, "-m", "bench.warm", str(spec_path), str(out_path)],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise failure("the warm-latency process", done.returncode, done.stderr)
    result = json.loads(out_path.read_text(encoding="utf-8"))
    return WarmResult(result["cramp_ns"], result["baseline_ns"], result["ended"])


if __name__ == "__main__":
    _worker(Path(sys.argv[1]), Path(sys.argv[2]))
