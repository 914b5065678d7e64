"""``python -m bench.understanding``: does the skill understand what runners actually say?

Runs every line of the labelled corpora (tests/corpus/*.jsonl, written as runners talk by people
who never saw the models) through the simulator's matcher and real request envelopes into the
Lambda handler, at the point of the conversation the line belongs to, and judges what the skill
did. Prints, per part and category, right / total and every miss. ``heldout*.jsonl`` are the
parts the grammar and vocabulary were not written from (see tests/corpus/README.md).
With ``--strict`` it exits 1 when a red flag misses its level, an ordinary remark escalates, or
fewer than 95% of the other lines are right.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from skill.content import LocaleContent, content_for
from skill.lambda_entry import lambda_handler
from skill.locale_models import model_path
from skill.simulator.chat import ChatSession, Reply
from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.matcher import UtteranceMatcher, normalise

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
VOICE_LOCALE = {"us": "en-US", "uk": "en-GB", "au": "en-AU", "in": "en-IN"}
LEVELS = ("E1", "E2", "E3")
RIGHT_SHARE = 0.95
CATEGORIES = (
    "opening", "emergency answer", "has it eased?", "navigation", "yes / no", "E1", "E2", "E3",
    "ordinary",
)  # fmt: skip
_OPENING = "ask cramp coach to help with my calf"
# What is said first to reach the point of the conversation each line belongs to.
SETUP: dict[str, tuple[str, ...]] = {
    "oneshot": (),
    "open": ("open cramp coach",),
    "emergency": (_OPENING,),
    "eased": (_OPENING, "no"),
    "step": (_OPENING, "no", "next"),  # the massage, step 3
    "paused": (_OPENING, "no", "next", "pause"),
    "timer": (_OPENING, "no", "next", "next"),
    "tips": (_OPENING, "no", "go to step eight"),
    "resume_offer": (),  # a session that opens on stored progress: see _offer_resume
}


@dataclass(frozen=True)
class Line:
    part: str
    text: str
    at: str
    expect: str
    voice: str
    also: str | None = None

    @property
    def locale(self) -> str:
        return VOICE_LOCALE.get(self.voice, "en-US")

    @property
    def category(self) -> str:
        if self.expect in (*LEVELS, "ordinary"):
            return self.expect
        return {
            "oneshot": "opening",
            "open": "opening",
            "emergency": "emergency answer",
            "eased": "has it eased?",
            "step": "navigation",
            "paused": "navigation",
        }.get(self.at, "yes / no")


@dataclass(frozen=True)
class Seen:
    """What the skill did with one line, read off its response and session."""

    level: str | None  # E1, E2, or E3 when an E3 reason was newly noted
    ended: bool
    routine: str | None
    step: int  # 1-based
    moved: bool  # to another step, or the same step said again with its number
    pending: str | None
    was_pending: str | None
    paused: bool
    worse: bool
    repeated: bool  # the reply is word for word the one before
    timer_asked: bool
    text: str

    def says(self, content: LocaleContent, key: str) -> bool:
        lead = content.phrases[key].split("{")[0]
        return bool(lead) and lead in self.text

    def describe(self) -> str:
        if self.level:
            return self.level
        if self.ended:
            return "ended the session"
        bits = [f"step {self.step}", f"asks {self.pending}"]
        if self.routine:
            bits.insert(0, f"{self.routine} routine")
        if self.repeated:
            bits.append("repeated")
        return ", ".join(bits)


@dataclass(frozen=True)
class Outcome:
    line: Line
    seen: Seen
    right: bool


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def rows(self, part: str | None = None) -> dict[str, tuple[int, int]]:
        table: dict[str, tuple[int, int]] = {}
        for o in self.outcomes:
            if part is None or o.line.part == part:
                right, total = table.get(o.line.category, (0, 0))
                table[o.line.category] = (right + o.right, total + 1)
        return table

    def failures(self, part: str | None = None) -> list[str]:
        """What the bar refuses: a red flag not at its level, an ordinary remark escalated,
        or fewer than 95% of the other lines right."""
        chosen = [o for o in self.outcomes if part is None or o.line.part == part]
        found = [
            f"{o.line.expect} missed: {o.line.text!r} ({o.seen.describe()})"
            for o in chosen
            if not o.right and o.line.category in (*LEVELS, "ordinary")
        ]
        rest = [o for o in chosen if o.line.category not in (*LEVELS, "ordinary")]
        share = sum(o.right for o in rest) / len(rest) if rest else 1.0
        if share < RIGHT_SHARE:
            found.append(f"only {share:.1%} of the other lines right (need {RIGHT_SHARE:.0%})")
        return found


def parts(folder: Path = CORPUS) -> tuple[str, ...]:
    """The corpus parts, development first."""
    names = sorted(p.stem for p in folder.glob("*.jsonl"))
    return tuple(sorted(names, key=lambda n: (n != "dev", n)))


def load(chosen: Sequence[str] | None = None, folder: Path = CORPUS) -> list[Line]:
    lines = []
    for part in chosen or parts(folder):
        for raw in (folder / f"{part}.jsonl").read_text(encoding="utf-8").splitlines():
            if raw.strip():
                data = json.loads(raw)
                fields = (data["text"], data["at"], data["expect"], data["voice"])
                lines.append(Line(part, *fields, also=data.get("also")))
    return lines


@cache
def _matcher(locale: str) -> UtteranceMatcher:
    return UtteranceMatcher.from_files(str(model_path(locale)))


Handler = Callable[[dict[str, Any]], dict[str, Any]]


def _lambda(envelope: dict[str, Any]) -> dict[str, Any]:
    # Through JSON, as on the wire.
    response: dict[str, Any] = lambda_handler(json.loads(json.dumps(envelope)), None)
    return response


def judge(line: Line, handler: Handler = _lambda) -> Outcome:
    """Says the line where it belongs and compares what the skill did with the label."""
    envelopes = EnvelopeFactory(locale=line.locale)
    session = ChatSession(handler, _matcher(line.locale), envelopes)
    before = _offer_resume(session, envelopes) if line.at == "resume_offer" else None
    for said in SETUP[line.at]:
        before = session.say(said)
    was = dict(envelopes.attributes.get("progress", {}))
    reply = session.say(line.text)
    assert reply is not None, line.text
    seen = _seen(reply, before, was, content_for(line.locale))
    return Outcome(line, seen, _right(line, seen, content_for(line.locale)))


def _offer_resume(session: ChatSession, envelopes: EnvelopeFactory) -> Reply:
    """A session that opens with "You were on step 4 ... Shall we carry on?"."""
    envelopes.begin_session()
    envelopes.attributes = {
        "progress": {"v": 1, "routine": "calf", "step": 3, "pending": "resume", "started_at": 0}
    }
    return session.send(envelopes.intent(_matcher(envelopes.locale).match("repeat")))


def _seen(reply: Reply, before: Reply | None, was: dict[str, Any], content: LocaleContent) -> Seen:
    response = reply.raw.get("response", {})
    title = (response.get("card") or {}).get("title")
    now = reply.raw.get("sessionAttributes", {}).get("progress", {}) or {}
    level = next(
        (lv for lv in ("E1", "E2") if title == content.escalations[lv]["card_title"]), None
    )
    if level is None and now.get("e3_reason") and not was.get("e3_reason"):
        level = "E3"
    step = int(now.get("step", 0))
    numbered = reply.text.startswith(content.say("step_number", number=step + 1))
    directives = {d.get("type") for d in response.get("directives") or []}
    return Seen(
        level=level,
        ended=reply.end_session,
        routine=now.get("routine"),
        step=step + 1,
        moved=step != was.get("step", 0) or numbered,
        pending=now.get("pending"),
        was_pending=was.get("pending"),
        paused=bool(now.get("paused")),
        worse=bool(now.get("worse")) and not was.get("worse"),
        repeated=before is not None and reply.text == before.text,
        timer_asked="Connections.SendRequest" in directives,
        text=reply.text,
    )


def _right(line: Line, s: Seen, c: LocaleContent) -> bool:
    e = line.expect
    if e in LEVELS:
        return s.level == e
    if e == "ordinary":
        return s.level is None and not s.ended
    # An E3 reason said beside the answer must be kept, and only then: the answer is judged too.
    if s.level != ("E3" if line.also == "E3" else None):
        return False
    checks: dict[str, Callable[[], bool]] = {
        "opening": lambda: (
            s.routine == e or (e == "general" and (s.routine == "general" or s.pending == "muscle"))
        ),
        "emergency": lambda: {"no": s.step == 2, "unsure": s.pending == "emergency_unsure"}[e],
        "eased": lambda: {
            "yes": s.step == 3,
            "no": s.step == 2 and (s.says(c, "hold_again") or s.repeated),
            "worse": s.worse,
        }[e],
        "paused": lambda: {
            "resume": not s.paused and not s.ended,
            "stop": s.ended,
        }[e],
        "timer": lambda: {"yes": s.timer_asked, "no": s.pending is None and not s.timer_asked}[e],
        "tips": lambda: {
            "yes": any(t.text in s.text for t in c.tips),
            "no": s.ended and not any(t.text in s.text for t in c.tips),
        }[e],
        "resume_offer": lambda: {
            "yes": s.pending != "resume" and s.step == 4,
            "no": s.pending == "muscle",
        }[e],
        "step": lambda: _step_right(e, s, c),
    }
    at = "opening" if line.at in ("oneshot", "open") else line.at
    return checks[at]()


def _step_right(e: str, s: Seen, c: LocaleContent) -> bool:
    if e.startswith("goto:"):
        return s.step == int(e.split(":")[1]) and s.moved
    return {
        "next": s.step == 4,
        "back": s.step == 2,
        "repeat": s.repeated,
        "start_over": s.step == 1 and s.pending == "emergency_check",
        "pause": s.paused,
        "steps_left": s.says(c, "steps_left"),
        "help": s.says(c, "help"),
        "stop": s.ended,
        "timer_status": s.says(c, "timer_none"),
        "pain_relief": s.says(c, "pain_relief"),
    }[e]


def run(lines: Iterable[Line]) -> Report:
    return Report([judge(line) for line in lines])


def verbatim(lines: Sequence[Line]) -> int:
    """How many lines are, word for word, a sample without slots of their model."""
    return sum(
        1 for line in lines if normalise(line.text) in _matcher(line.locale).literal_samples()
    )


def print_report(report: Report, out: Any = sys.stdout) -> None:
    names = [p for p in parts() if any(o.line.part == p for o in report.outcomes)]
    columns = [*names, "all"] if len(names) > 1 else names
    tables = {p: report.rows(p) for p in names} | {"all": report.rows()}
    header = f"{'category':<18}" + "".join(f"{c:>17}" for c in columns)
    print(header, file=out)
    print("-" * len(header), file=out)
    for category in CATEGORIES:
        cells = []
        for c in columns:
            right, total = tables[c].get(category, (0, 0))
            cells.append(f"{right}/{total} {100 * right / total:.0f}%" if total else "")
        print(f"{category:<18}" + "".join(f"{cell:>17}" for cell in cells), file=out)
    totals = []
    for c in columns:
        right = sum(r for r, _ in tables[c].values())
        total = sum(t for _, t in tables[c].values())
        totals.append(f"{right}/{total} {100 * right / total:.1f}%")
    print(f"{'all lines':<18}" + "".join(f"{cell:>17}" for cell in totals), file=out)
    misses = [o for o in report.outcomes if not o.right]
    print(f"\n{len(misses)} misses", file=out)
    for o in misses:
        line, also = o.line, f" + {o.line.also}" if o.line.also else ""
        print(
            f"  [{line.part} {line.at} {line.voice}] {line.text!r}: expected {line.expect}{also},"
            f" the skill: {o.seen.describe()}",
            file=out,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.understanding", description=__doc__)
    parser.add_argument("--part", action="append", help="only this part (dev, heldout, ...)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the bar is missed")
    args = parser.parse_args(argv)
    lines = load(args.part)
    report = run(lines)
    print_report(report)
    print(f"\n{verbatim(lines)} of {len(lines)} lines are word for word a sample of the model.")
    failures = report.failures()
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if args.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())
