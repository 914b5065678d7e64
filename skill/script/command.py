"""`cramp-coach script`: write a locale's script sheet for clinical review."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from skill.content import resolve_locale
from skill.script.timing import Clock, EspeakClock, EstimateClock, TimingError, default_clock

FORMATS = ("html", "md")


def _clock(choice: str) -> Clock | None:
    if choice == "estimate":
        return EstimateClock("chosen with --timing estimate")
    if choice == "espeak":
        binary = shutil.which("espeak-ng")
        return EspeakClock(binary) if binary else None
    return default_clock()


def _render(locale: str, fmt: str, clock: Clock) -> tuple[str, str]:
    """The document and a one-line summary of it."""
    from skill.script.render_html import render_html
    from skill.script.render_md import render_markdown
    from skill.script.sheet import build_sheet

    sheet = build_sheet(locale, clock)
    text = render_markdown(sheet) if fmt == "md" else render_html(sheet)
    counts = ", ".join(f"{n} {state}" for state, n in sheet.review_counts.items() if n)
    return text, f"{sum(sheet.review_counts.values())} medical lines ({counts})"


def _script(args: argparse.Namespace) -> int:
    fmt = args.format or (
        "md" if args.out and Path(args.out).suffix in {".md", ".markdown"} else "html"
    )
    if resolve_locale(args.locale) != args.locale:
        print(
            f"{args.locale} has no script of its own; this sheet is the shared English.",
            file=sys.stderr,
        )
    clock = _clock(args.timing)
    if clock is None:
        print("--timing espeak needs espeak-ng, which is not installed.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        text, summary = _render(args.locale, fmt, clock)
    except TimingError as error:
        print(f"{error}; timing with the estimate instead.", file=sys.stderr)
        clock = EstimateClock("espeak-ng failed on this machine")
        text, summary = _render(args.locale, fmt, clock)
    if not args.out:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"Could not write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 1
    took = time.perf_counter() - started
    print(
        f"Wrote {args.out}: {args.locale}, {summary}; timed with {clock.name} in {took:.1f} s.",
        file=sys.stderr,
    )
    return 0


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `script` to the cramp-coach command."""
    script = subparsers.add_parser(
        "script", help="write a locale's whole script as a sheet a clinician can review and sign"
    )
    script.add_argument("--locale", default="en-US", help="the locale (default en-US)")
    script.add_argument("--out", help="file to write (default: standard output)")
    script.add_argument(
        "--format", choices=FORMATS, help="html or md (default: from --out's suffix, else html)"
    )
    script.add_argument(
        "--timing",
        choices=("auto", "espeak", "estimate"),
        default="auto",
        help="speaking time from espeak-ng or from Alexa's words-per-second rate "
        "(default: espeak-ng when installed)",
    )
    script.set_defaults(run=_script)
