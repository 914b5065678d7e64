"""``python -m bench``: cold start, warm latency, memory and bundle, against a hello-world skill.

Cold start is measured twice, each time against the hello-world in the same run: with the wheel
installed by pip into a fresh venv (bench/installed.py), and from the Lambda bundle unpacked as
Lambda unpacks it (bench/bundle.py). Prints each section as it is measured, then the targets
(issues 8 and 14) with PASS or MISS. Exits 0 unless ``--strict`` is given and a target is missed
or could not be measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench import bundle, cold, importtime, installed, warm
from bench.baseline import MODULE as BASELINE_MODULE
from bench.baseline import write_baseline
from bench.dynamodb import TABLE, ServerError, aws_env, item_count, local_dynamodb
from bench.envelopes import dialog, launch_requests
from bench.proc import ProcessFailed, clean_env
from bench.report import (
    COLD_RATIO_LIMIT,
    DYNAMODB_SLACK_MS,
    PEAK_RSS_LIMIT_MIB,
    WARM_RATIO_LIMIT,
    Target,
    not_measured,
    print_targets,
)
from bench.stats import median, percentile
from skill.storage import TABLE_ENV

REPO = Path(__file__).resolve().parent.parent
LAMBDA_DIR = REPO / "lambda"
LAMBDA_MODULE = "lambda_function"
COLD_WARMUP_ROUNDS = 1
# Where no server listens: processes without DynamoDB get the same AWS settings as the one with
# it, so the table variable is the only difference between them.
NO_ENDPOINT = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Settings:
    cold_runs: int
    dialog_passes: int
    warm_warmup_passes: int
    bundle_runs: int


FULL = Settings(cold_runs=15, dialog_passes=300, warm_warmup_passes=20, bundle_runs=5)
QUICK = Settings(cold_runs=5, dialog_passes=60, warm_warmup_passes=5, bundle_runs=2)

COLD_TARGET = "cold start as installed, no persistence ÷ baseline"
BUNDLED_TARGET = "cold start as bundled ÷ baseline bundled"
DYNAMODB_TARGET = "cold start, DynamoDB − no persistence"
WARM_TARGET = "warm median per request ÷ baseline"
RSS_TARGETS = {"cramp": "peak RSS, no persistence", "dynamodb": "peak RSS, DynamoDB"}
RSS_LIMIT = f"≤ {PEAK_RSS_LIMIT_MIB:.0f} MiB"
RSS_BASELINE_TARGET = "peak RSS as installed ÷ baseline"
COLD_LIMIT = f"≤ {COLD_RATIO_LIMIT:.2f}×"


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"


def _print_rows(rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned first and last columns, right-aligned figures between."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        print("  " + "  ".join([*cells, row[-1]]).rstrip())


def _wall(runs: Sequence[cold.Run]) -> float:
    return median([run.wall_ms for run in runs])


def _to_response(runs: Sequence[cold.Run]) -> float:
    """Spawn to response, leaving out the interpreter's exit: a Lambda container does not exit."""
    return median([run.wall_ms - (run.exit_ms or 0.0) for run in runs])


def _short(module: str) -> str:
    return "services" if module == cold.SERVICE_CLIENTS else module


def _median_of(runs: Sequence[cold.Run], field: str) -> str:
    values = [getattr(run, field) for run in runs]
    return "" if None in values else _ms(median(values))


def _print_cold_table(programs: Sequence[cold.Program], runs: Mapping[str, list[cold.Run]]) -> None:
    startup = _wall(runs["pass"])
    rows = [("", "process", "− pass", "CPU", "import", "1st request", "exit", "peak RSS", "loaded")]
    for program in programs:
        program_runs = runs[program.key]
        peaks = [run.peak_rss_mib for run in program_runs if run.peak_rss_mib is not None]
        rows.append(
            (
                program.label,
                _ms(_wall(program_runs)),
                "" if program.key == "pass" else _ms(_wall(program_runs) - startup),
                _median_of(program_runs, "cpu_ms"),
                _median_of(program_runs, "import_ms"),
                _median_of(program_runs, "request_ms"),
                _median_of(program_runs, "exit_ms"),
                f"{max(peaks):.1f} MiB" if peaks else "",
                " ".join(_short(name) for name in program_runs[0].modules),
            )
        )
    _print_rows(rows)


def _cold_ratio_target(
    runs: Mapping[str, list[cold.Run]],
    name: str,
    subject: str = "cramp",
    baseline: str = "baseline",
) -> Target:
    """Cramp Coach against the baseline, printed several ways; the target is per process."""
    startup, base, cramp = _wall(runs["pass"]), _wall(runs["baseline"]), _wall(runs["cramp"])
    ratio = cramp / base
    to_response = _to_response(runs["cramp"]) / _to_response(runs["baseline"])
    cpu = median([run.cpu_ms for run in runs["cramp"]]) / median(
        [run.cpu_ms for run in runs["baseline"]]
    )
    print(
        f"  Cramp Coach ÷ baseline: {ratio:.2f}× per process ({_ms(cramp - base)}), "
        f"{(cramp - startup) / (base - startup):.2f}× minus python -c pass, "
        f"{to_response:.2f}× to the response (no exit), {cpu:.2f}× in CPU time"
    )
    return Target(name, f"{ratio:.2f}×", COLD_LIMIT, ratio <= COLD_RATIO_LIMIT)


def _rss_ratio_target(runs: Mapping[str, list[cold.Run]]) -> Target:
    """Peak RSS against the baseline's, in the same run: "unchanged or lower" made measurable."""
    cramp, base = (
        max(run.peak_rss_mib or 0.0 for run in runs[key]) for key in ("cramp", "baseline")
    )
    ratio = cramp / base
    return Target(RSS_BASELINE_TARGET, f"{ratio:.2f}×", "≤ 1.00×", ratio <= 1.0)


def _dynamodb_target(runs: Mapping[str, list[cold.Run]], stored_items: int) -> Target:
    """What DynamoDB adds to the cold start, against boto3's own import plus the slack."""
    boto3_import = _wall(runs["boto3"]) - _wall(runs["pass"])
    allowance = boto3_import + DYNAMODB_SLACK_MS
    limit = f"≤ {_ms(allowance)} (boto3 {_ms(boto3_import)} + {DYNAMODB_SLACK_MS:.0f})"
    dynamodb_runs = runs.get("dynamodb")
    if dynamodb_runs is None:
        return not_measured(DYNAMODB_TARGET, limit, "no DynamoDB server")
    if stored_items == 0 or "boto3" not in dynamodb_runs[0].modules:
        print(f"  DynamoDB was not used: {stored_items} items in the table, {TABLE_ENV} set")
        return not_measured(DYNAMODB_TARGET, limit, "DynamoDB not used")
    added = _wall(dynamodb_runs) - _wall(runs["cramp"])
    added_to_response = _to_response(dynamodb_runs) - _to_response(runs["cramp"])
    print(
        f"  DynamoDB adds {_ms(added)} per process, {_ms(added_to_response)} to the response; "
        f"boto3's own import costs {_ms(boto3_import)}; {stored_items} items in the table"
    )
    return Target(DYNAMODB_TARGET, f"+{_ms(added)}", limit, added <= allowance)


def _rss_targets(runs: Mapping[str, list[cold.Run]]) -> list[Target]:
    targets = []
    for key, name in RSS_TARGETS.items():
        if key in runs:
            peak = max(run.peak_rss_mib or 0.0 for run in runs[key])
            targets.append(Target(name, f"{peak:.1f} MiB", RSS_LIMIT, peak <= PEAK_RSS_LIMIT_MIB))
        else:
            targets.append(not_measured(name, RSS_LIMIT, "no DynamoDB server"))
    return targets


def _explain_cold_miss(
    programs: Mapping[str, cold.Program], keys: Sequence[str], envelope: Path
) -> None:
    """What a slow process imports that the baseline does not, heaviest first."""

    def self_times(program: cold.Program) -> dict[str, int]:
        return importtime.self_times_us([*program.argv, str(envelope)], program.env, REPO)

    baseline = self_times(programs["baseline"])
    for key in keys:
        print(f"  Imported by {programs[key].label} and not by the baseline (-X importtime):")
        for group, spent, count in importtime.extra_cost(self_times(programs[key]), baseline):
            print(f"    {group:<36} {spent:6.1f} ms  {count:3d} modules")


def _cold_programs(
    target: installed.Installed, baseline_dir: Path, env: Mapping[str, str], with_dynamodb: bool
) -> list[cold.Program]:
    python = str(target.python)
    programs = [
        cold.Program("pass", "python -c pass", (python, "-c", "pass"), env),
        cold.Program("boto3", "python -c 'import boto3'", (python, "-c", "import boto3"), env),
        cold.handler_program(
            "baseline", "hello-world baseline", python, baseline_dir, BASELINE_MODULE, env
        ),
        cold.handler_program(
            "cramp", "Cramp Coach, no persistence", python, target.handler_dir, LAMBDA_MODULE, env,
            skill_under=target.site_packages,
        ),
    ]  # fmt: skip
    if with_dynamodb:
        dynamodb_env = {**env, TABLE_ENV: TABLE}
        label = "Cramp Coach, DynamoDB"
        programs.append(
            cold.handler_program(
                "dynamodb", label, python, target.handler_dir, LAMBDA_MODULE, dynamodb_env,
                skill_under=target.site_packages,
            )
        )  # fmt: skip
    return programs


def _launch_files(work: Path, count: int) -> list[Path]:
    """One LaunchRequest (a new user each) per round, written before any timing."""
    paths = []
    for index, envelope in enumerate(launch_requests(count)):
        path = work / f"launch-{index}.json"
        path.write_text(json.dumps(envelope), encoding="utf-8")
        paths.append(path)
    return paths


def _install(work: Path) -> installed.Installed | None:
    print("\nInstalling the wheel (python -m build, then pip into a fresh venv)...", flush=True)
    try:
        return installed.install(REPO, work / "installed")
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        print(f"  not installed: {error}")
        return None


def _cold_not_measured(why: str) -> list[Target]:
    return [
        not_measured(COLD_TARGET, COLD_LIMIT, why),
        not_measured(DYNAMODB_TARGET, "≤ boto3 import + 30 ms", why),
        *(not_measured(name, RSS_LIMIT, why) for name in RSS_TARGETS.values()),
        not_measured(RSS_BASELINE_TARGET, "≤ 1.00×", why),
    ]


def _cold_section(
    target: installed.Installed | None, work: Path, baseline_dir: Path, settings: Settings
) -> list[Target]:
    print(
        f"\nCold start as installed by pip (non-editable wheel, pip's bytecode): a fresh process "
        f"imports the handler and answers one LaunchRequest (median of {settings.cold_runs} "
        "interleaved runs; peak RSS the highest)",
        flush=True,
    )
    if target is None:
        return _cold_not_measured("the wheel could not be installed")
    envelopes = _launch_files(work, settings.cold_runs + COLD_WARMUP_ROUNDS)
    with ExitStack() as stack:
        try:
            endpoint: str | None = stack.enter_context(local_dynamodb(work))
        except ServerError as error:
            print(f"  DynamoDB: not measured ({error})")
            endpoint = None
        env = clean_env(aws_env(endpoint or NO_ENDPOINT))
        programs = _cold_programs(target, baseline_dir, env, with_dynamodb=endpoint is not None)
        try:
            # From the work folder, not the checkout: `python -c` puts its directory on sys.path.
            runs = cold.measure(programs, envelopes, COLD_WARMUP_ROUNDS, work)
            stored_items = item_count(endpoint) if endpoint is not None else 0
        except ProcessFailed as error:
            print(f"  failed: {error}")
            return _cold_not_measured("a process failed")
    _print_cold_table(programs, runs)
    print(f"  skill imported from {target.site_packages}")
    targets = [
        _cold_ratio_target(runs, COLD_TARGET),
        _dynamodb_target(runs, stored_items),
        *_rss_targets(runs),
        _rss_ratio_target(runs),
    ]
    missed = [
        key
        for key, target_ in (("cramp", targets[0]), ("dynamodb", targets[1]))
        if target_.passed is False
    ]
    if missed:
        _explain_cold_miss({program.key: program for program in programs}, missed, envelopes[0])
    return targets


def _warm_section(python: str, work: Path, baseline_dir: Path, settings: Settings) -> Target:
    passes = settings.dialog_passes
    print(
        f"\nWarm requests through lambda_handler: {passes} dialog passes (each a new session), "
        f"and as many baseline LaunchRequests, interleaved in one process",
        flush=True,
    )
    labels, dialogs = dialog(passes + settings.warm_warmup_passes)
    limit = f"≤ {WARM_RATIO_LIMIT:.2f}×"
    try:
        result = warm.measure(
            python,
            cramp=(LAMBDA_DIR, LAMBDA_MODULE),
            baseline=(baseline_dir, BASELINE_MODULE),
            passes=dialogs,
            launch=launch_requests(1)[0],
            warmup=settings.warm_warmup_passes,
            work_dir=work,
            env=clean_env(aws_env(NO_ENDPOINT)),
            cwd=REPO,
        )
    except ProcessFailed as error:
        print(f"  failed: {error}")
        return not_measured(WARM_TARGET, limit, "the process failed")
    expected = [False] * (len(labels) - 1) + [True]
    off_script = [ended for ended in result.ended if ended != expected]
    if off_script:
        print(f"  the dialog went off script (session ends per turn: {off_script[0]})")
        return not_measured(WARM_TARGET, limit, "dialog off script")

    by_label: dict[str, list[int]] = {}
    for times in result.cramp_ns:
        for label, elapsed in zip(labels, times, strict=True):
            by_label.setdefault(label, []).append(elapsed)
    every = [elapsed for times in result.cramp_ns for elapsed in times]
    rows = [("", "median", "p99", "")]
    rows.append(("baseline LaunchRequest", *_us_pair(result.baseline_ns), ""))
    rows.append((f"Cramp Coach, all {len(every)} requests", *_us_pair(every), ""))
    rows += [
        (f"  {label}", *_us_pair(times), f"×{labels.count(label)}")
        for label, times in by_label.items()
    ]
    _print_rows(rows)
    ratio = median(every) / median(result.baseline_ns)
    p99_ratio = percentile(every, 0.99) / percentile(result.baseline_ns, 0.99)
    print(f"  Cramp Coach ÷ baseline: {ratio:.2f}× median, {p99_ratio:.2f}× p99")
    return Target(WARM_TARGET, f"{ratio:.2f}×", limit, ratio <= WARM_RATIO_LIMIT)


def _us_pair(times_ns: Sequence[int]) -> tuple[str, str]:
    return f"{median(times_ns) / 1e3:.0f} µs", f"{percentile(times_ns, 0.99) / 1e3:.0f} µs"


def _bundle_section(python: str, work: Path, settings: Settings) -> list[Target]:
    print("\nLambda bundle", flush=True)
    missing = [not_measured(BUNDLED_TARGET, COLD_LIMIT, "no bundle")]
    if not bundle.packaging_available():
        print("  bundle: not available (skill.packaging missing)")
        return missing
    try:
        unpacked = bundle.unpack(python, work / "bundle", REPO)
        shipped_ms, source_ms = bundle.import_times(unpacked, settings.bundle_runs)
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        print(f"  bundle: not available ({error})")
        return missing
    print(
        f"  cramp-coach package: {unpacked.size_bytes / 1e6:.2f} MB zip "
        f"({unpacked.size_bytes:,} bytes), {unpacked.files} files, "
        f"{unpacked.unpacked_bytes / 1e6:.1f} MB unpacked"
    )
    print(
        f"  import lambda_function from the unpacked bundle (Python {unpacked.python_version} -S, "
        f"median of {settings.bundle_runs}): {_ms(median(shipped_ms))} as shipped "
        f"({unpacked.pyc_files} .pyc files), {_ms(median(source_ms))} without "
        "bytecode (compiled at every cold start: /var/task is read-only)"
    )
    return [_bundled_cold_section(unpacked, work, settings)]


def _bundled_cold_section(
    unpacked: bundle.UnpackedBundle, work: Path, settings: Settings
) -> Target:
    """Both handlers from the one unpacked bundle, in the runtime's Python with -S (no
    site-packages) and no bytecode written, as Lambda runs them from its read-only /var/task."""
    print(
        f"\nCold start as bundled (Python {unpacked.python_version} -S, from the task root; "
        f"median of {settings.cold_runs} interleaved runs)",
        flush=True,
    )
    env = clean_env({**aws_env(NO_ENDPOINT), "PYTHONDONTWRITEBYTECODE": "1"})
    python, root, flags = unpacked.interpreter, unpacked.shipped, ("-S",)
    programs = [
        cold.Program("pass", "python -S -c pass", (python, "-S", "-c", "pass"), env),
        cold.handler_program(
            "baseline", "hello-world baseline, bundled", python, root, BASELINE_MODULE, env,
            flags=flags,
        ),
        cold.handler_program(
            "cramp", "Cramp Coach, bundled", python, root, LAMBDA_MODULE, env, flags=flags,
            skill_under=root,
        ),
    ]  # fmt: skip
    envelopes = _launch_files(work, settings.cold_runs + COLD_WARMUP_ROUNDS)
    try:
        runs = cold.measure(programs, envelopes, COLD_WARMUP_ROUNDS, work)
    except ProcessFailed as error:
        print(f"  failed: {error}")
        return not_measured(BUNDLED_TARGET, COLD_LIMIT, "a process failed")
    _print_cold_table(programs, runs)
    result = _cold_ratio_target(runs, BUNDLED_TARGET)
    if result.passed is False:
        _explain_cold_miss({program.key: program for program in programs}, ["cramp"], envelopes[0])
    return result


def _header(settings: Settings, quick: bool) -> None:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"Cramp Coach benchmark, {datetime.now():%Y-%m-%d %H:%M}, Python "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load}; "
        f"{'quick' if quick else 'full'} run ({settings.cold_runs} cold runs, "
        f"{settings.dialog_passes} dialog passes)",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a first look")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed or not measured"
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    python = sys.executable
    _header(settings, args.quick)
    with tempfile.TemporaryDirectory(prefix="cramp-coach-bench-") as temp:
        work = Path(temp)
        baseline_dir = work / "baseline"
        baseline_dir.mkdir()
        write_baseline(baseline_dir)
        targets = _cold_section(_install(work), work, baseline_dir, settings)
        targets.insert(1, _warm_section(python, work, baseline_dir, settings))
        targets += _bundle_section(python, work, settings)
    print_targets(targets)
    return 1 if args.strict and any(target.passed is not True for target in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
