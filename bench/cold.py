"""Cold start: one whole fresh process per run, from spawn to exit, with its peak RSS.

Each handler process imports a handler module, answers one LaunchRequest and exits: a Lambda
cold start (minus the runtime's own bootstrap, the same for every skill), plus the interpreter's
exit, which is also reported on its own because a Lambda container stays up after answering.
Runs of all programs are interleaved, round by round in rotating order, so a burst of noise on the
machine hits them all alike.

Peak RSS is the process's own ``VmHWM`` (/proc/self/status), read just before it exits. The
``ru_maxrss`` that ``wait4`` returns (used here for CPU time) is no good for memory: Linux
carries the parent's high-water mark over ``vfork`` + ``exec`` into the child's, so every child
would report at least this benchmark's own RSS (~50 MiB once boto3 is imported for the table).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.proc import ProcessFailed, failure

#: Modules whose presence after the first request the report shows: the web stack must never be
#: loaded on Lambda, boto3 and the DynamoDB adapter only with a table configured, Alexa's service
#: clients (shown as "services") only when a service is called.
SERVICE_CLIENTS = "ask_sdk_model.services.service_client_factory"
WATCHED_MODULES = (
    SERVICE_CLIENTS,
    "boto3",
    "botocore",
    "ask_sdk_dynamodb",
    "requests",
    "flask",
    "werkzeug",
    "flask_ask_sdk",
    "certvalidator",
    "oscrypto",
)

# Runs in the measured process: argv is [handler dir, module, envelope file]. It first imports
# what the Lambda Python runtime's bootstrap (awslambdaric) has imported before it loads any
# handler, so neither skill is charged for those, and reads the envelope; then the clock starts.
# CLOCK_MONOTONIC is one system-wide clock, so the parent can tell the interpreter's exit apart.
HANDLER_CHILD = f"""
import importlib
import json
import logging
import os
import sys
import time
import traceback

with open(sys.argv[3], encoding="utf-8") as file:
    event = json.load(file)
started = time.clock_gettime(time.CLOCK_MONOTONIC)
sys.path.insert(0, sys.argv[1])
handler = importlib.import_module(sys.argv[2]).lambda_handler
imported = time.clock_gettime(time.CLOCK_MONOTONIC)
response = handler(event, None)
answered = time.clock_gettime(time.CLOCK_MONOTONIC)
speech = (response.get("response") or {{}}).get("outputSpeech") or {{}}
with open("/proc/self/status", encoding="ascii") as status:
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({{
    "import_ms": (imported - started) * 1e3,
    "request_ms": (answered - imported) * 1e3,
    "finished": time.clock_gettime(time.CLOCK_MONOTONIC),
    "peak_rss_mib": peak_kib / 1024,
    "spoke": bool(speech.get("ssml") or speech.get("text")),
    "modules": [name for name in {WATCHED_MODULES!r} if name in sys.modules],
    "skill": getattr(sys.modules.get("skill"), "__file__", None),
}}))
"""


@dataclass(frozen=True)
class Program:
    """One kind of fresh process to time."""

    key: str
    label: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    #: A handler process: gets the round's envelope file as its last argument, prints a report.
    handler: bool = False
    #: Where the process must import the `skill` package from (the install or bundle measured).
    skill_under: Path | None = None


@dataclass(frozen=True)
class Run:
    #: From spawn to exit, as the parent sees it.
    wall_ms: float
    #: The process's user + system CPU time: steadier than wall time when the machine is busy.
    cpu_ms: float
    #: From the process's last line of code to its being reaped (interpreter finalisation).
    exit_ms: float | None = None
    import_ms: float | None = None
    request_ms: float | None = None
    peak_rss_mib: float | None = None
    modules: tuple[str, ...] = ()


def handler_program(
    key: str,
    label: str,
    python: str | Path,
    handler_dir: Path,
    module: str,
    env: Mapping[str, str],
    *,
    flags: tuple[str, ...] = (),
    skill_under: Path | None = None,
) -> Program:
    """A process that imports `module` from `handler_dir` and answers one LaunchRequest."""
    argv = (str(python), *flags, "-c", HANDLER_CHILD, str(handler_dir), module)
    return Program(key, label, argv, env, True, skill_under)


def _monotonic() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def run_once(program: Program, envelope: Path, cwd: Path) -> Run:
    argv = [*program.argv, str(envelope)] if program.handler else list(program.argv)
    with tempfile.TemporaryFile() as errors:
        spawned = _monotonic()
        process = subprocess.Popen(
            argv, cwd=cwd, env=dict(program.env), stdout=subprocess.PIPE, stderr=errors
        )
        assert process.stdout is not None
        with process.stdout:
            output = process.stdout.read()  # a few hundred bytes; EOF comes at exit
        # wait4 rather than Popen.wait: it also gives this child's own CPU time.
        _, status, usage = os.wait4(process.pid, 0)
        reaped = _monotonic()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise failure(program.label, process.returncode, errors.read())
    wall_ms = (reaped - spawned) * 1e3
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1e3
    if not program.handler:
        return Run(wall_ms, cpu_ms)
    report: dict[str, Any] = json.loads(output)
    if not report["spoke"]:
        raise ProcessFailed(f"{program.label} answered the LaunchRequest without speech")
    if program.skill_under is not None and not (
        report["skill"] and Path(report["skill"]).is_relative_to(program.skill_under)
    ):
        raise ProcessFailed(
            f"{program.label} imported skill from {report['skill']}, not {program.skill_under}"
        )
    return Run(
        wall_ms,
        cpu_ms,
        exit_ms=(reaped - report["finished"]) * 1e3,
        import_ms=report["import_ms"],
        request_ms=report["request_ms"],
        peak_rss_mib=report["peak_rss_mib"],
        modules=tuple(report["modules"]),
    )


def measure(
    programs: Sequence[Program], envelopes: Sequence[Path], warmup: int, cwd: Path
) -> dict[str, list[Run]]:
    """Runs every program once per envelope, interleaved; the first ``warmup`` rounds are dropped.

    Warm-up rounds write the bytecode caches and fill the OS page cache, so every timed run
    starts from the same state. (A bundle without bytecode is measured in bench/bundle.py.)
    """
    runs: dict[str, list[Run]] = {program.key: [] for program in programs}
    for round_index, envelope in enumerate(envelopes):
        shift = round_index % len(programs)
        for program in [*programs[shift:], *programs[:shift]]:
            run = run_once(program, envelope, cwd)
            if round_index >= warmup:
                runs[program.key].append(run)
    return runs
