"""The script sheet as data: every line of a locale's script with its facts, figures and review.

The renderers (render_md, render_html) only lay this out; everything a reviewer reads is
decided here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata

from skill.content import LEVELS, LocaleContent, content_for
from skill.content.facts import fact_texts, line_facts, trigger_notes
from skill.content.reviews import (
    CHANGED,
    NOT_REVIEWED,
    REVIEWED,
    MedicalLine,
    load_records,
    medical_lines,
    review_of,
)
from skill.script.replies import replies
from skill.script.timing import Clock, word_count
from skill.script.triggers import flag_facts, trigger_words
from skill.speech import ssml_to_display, to_ssml

LONGEST_REPLIES = 12
NO_FACT_TEXT = "(no summary in skill/content/facts.json)"


@dataclass(frozen=True)
class Spoken:
    text: str  # what the runner hears, pauses shown as [10 s]
    words: int
    seconds: float

    @property
    def figures(self) -> str:
        return figures(self.words, self.seconds)


def figures(words: int, seconds: float) -> str:
    return f"{words} {'word' if words == 1 else 'words'}, {seconds:.1f} s"


@dataclass(frozen=True)
class Fact:
    id: str
    text: str


@dataclass(frozen=True)
class Entry:
    """One medical line: what is said, what it rests on, and whether a clinician has signed it."""

    id: str
    title: str
    spoken: Spoken
    facts: tuple[Fact, ...]
    review: str
    notes: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    """Anything else the skill says (no medical words), with its figures."""

    key: str
    spoken: Spoken


@dataclass(frozen=True)
class RoutineStep:
    number: int
    title: str
    id: str
    facts: tuple[str, ...]
    timing: str


@dataclass(frozen=True)
class Routine:
    name: str
    steps: tuple[RoutineStep, ...]


@dataclass(frozen=True)
class Escalations:
    level: str
    card_title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Sheet:
    locale: str
    content_locale: str
    built: str
    version: str
    timing: str
    emergency_spoken: str
    emergency_card: str
    review_counts: dict[str, int]
    disclaimer: Entry
    routines: tuple[Routine, ...]
    steps: tuple[Entry, ...]
    escalations: tuple[Escalations, ...]
    safety_lines: tuple[Entry, ...]
    tips: tuple[Entry, ...]
    other_lines: tuple[Line, ...]
    replies_walked: int
    longest: tuple[Line, ...]
    facts: tuple[Fact, ...]

    def entries(self) -> list[Entry]:
        """Every medical line in sheet order."""
        levels = [entry for group in self.escalations for entry in group.entries]
        return [self.disclaimer, *self.steps, *levels, *self.safety_lines, *self.tips]


def _fact_key(fact_id: str) -> tuple[int, list[int]]:
    return (0 if fact_id.startswith("F") else 1, [int(n) for n in re.findall(r"\d+", fact_id)])


def _timing(hold_seconds: int, timer_minutes: int) -> str:
    if hold_seconds:
        return f"hold {hold_seconds} s, counted aloud"
    if timer_minutes:
        return f"offers a {timer_minutes}-minute timer"
    return ""


class _Builder:
    def __init__(self, content: LocaleContent, clock: Clock) -> None:
        self.content = content
        self.clock = clock
        self.facts = fact_texts()
        self.line_facts = line_facts()
        self.records = load_records().get(content.locale, {})
        self.counts = {NOT_REVIEWED: 0, REVIEWED: 0, CHANGED: 0}
        self.used_facts: set[str] = set()

    def spoken(self, text: str) -> Spoken:
        return self.spoken_ssml(to_ssml([text]), text)

    def spoken_ssml(self, ssml: str, text: str | None = None) -> Spoken:
        shown = ssml_to_display(ssml) if text is None else text
        return Spoken(shown, word_count(ssml), self.clock.seconds(ssml))

    def fact_list(self, ids: Iterable[str]) -> tuple[Fact, ...]:
        ids = tuple(ids)
        self.used_facts.update(ids)
        return tuple(Fact(i, self.facts.get(i, NO_FACT_TEXT)) for i in ids)

    def entry(
        self, line: MedicalLine, title: str, facts: Iterable[str], **extra: tuple[str, ...]
    ) -> Entry:
        review = review_of(line, self.records.get(line.id))
        self.counts[review.state] += 1
        return Entry(
            line.id, title, self.spoken(line.text), self.fact_list(facts), review.label, **extra
        )


def build_sheet(locale: str, clock: Clock, today: datetime.date | None = None) -> Sheet:
    content = content_for(locale)
    b = _Builder(content, clock)
    lines = {line.id: line for line in medical_lines(content)}

    steps_by_id = {s.id: s for steps in content.routines.values() for s in steps}
    used_in: dict[str, list[str]] = {}
    routines = []
    for name, steps in content.routines.items():
        label = content.routine_names[name]
        routines.append(
            Routine(
                label,
                tuple(
                    RoutineStep(n, s.title, s.id, s.facts, _timing(s.hold_seconds, s.timer_minutes))
                    for n, s in enumerate(steps, start=1)
                ),
            )
        )
        for s in steps:
            used_in.setdefault(s.id, []).append(label)
    step_entries = []
    for step_id, step in steps_by_id.items():
        notes = [note for note in (_timing(step.hold_seconds, step.timer_minutes),) if note]
        notes.append(f"card title: {step.title}")
        routines_in = used_in[step_id]
        notes.append(
            f"in the {', '.join(routines_in)} routine{'s' if len(routines_in) > 1 else ''}"
        )
        step_entries.append(
            b.entry(lines[f"steps.{step_id}"], step.title, step.facts, notes=tuple(notes))
        )

    escalations = []
    for level in LEVELS:
        group = content.escalations[level]
        entries = []
        for line_id, line in lines.items():
            kind, _, rest = line_id.partition(".")
            found_level, _, key = rest.partition(".")
            if kind != "escalations" or found_level != level:
                continue
            if key in group["reasons"]:
                words = tuple(trigger_words(content, level, key))
                note = trigger_notes().get(line_id, "")
                # Escalations no word sets off (a yes, the ten-minute rule) say what does.
                when = (note.format(minutes=content.ten_minute_rule_seconds // 60),) if note else ()
                facts = flag_facts(level, key) or b.line_facts.get(line_id, ())
                entries.append(b.entry(line, f"{level} {key}", facts, triggers=words, notes=when))
            else:  # the lead and tail around every E2 reason
                where = "before" if key == "lead" else "after"
                note = f"said {where} every {level} reason"
                entries.append(
                    b.entry(line, f"{level} {key}", b.line_facts.get(line_id, ()), notes=(note,))
                )
        escalations.append(Escalations(level, group["card_title"], tuple(entries)))

    tips = tuple(
        b.entry(lines[f"tips.{tip.fact}"], f"Tip {n}", (tip.fact,))
        for n, tip in enumerate(content.tips, start=1)
    )
    phrase_ids = [i for i in lines if i.startswith("phrases.")]
    disclaimer_id = "phrases.disclaimer"
    safety = tuple(
        b.entry(lines[i], i.partition(".")[2], b.line_facts.get(i, ()))
        for i in phrase_ids
        if i != disclaimer_id
    )
    disclaimer = b.entry(lines[disclaimer_id], "Disclaimer", b.line_facts[disclaimer_id])
    medical_phrases = {i.partition(".")[2] for i in phrase_ids}
    other = [
        Line(key, b.spoken(text))
        for key, text in content.phrases.items()
        if key not in medical_phrases
    ]
    other += [Line(f"hold_cues.{mark}", b.spoken(cue)) for mark, cue in content.hold_cues.items()]

    walked = replies(content)
    timed = [Line(reply.where, b.spoken_ssml(reply.ssml)) for reply in walked]
    longest = sorted(timed, key=lambda line: (line.spoken.words, line.spoken.seconds), reverse=True)
    try:
        version = metadata.version("cramp-coach")
    except metadata.PackageNotFoundError:
        version = "not installed"
    return Sheet(
        locale=locale,
        content_locale=content.locale,
        built=(today or datetime.date.today()).isoformat(),
        version=version,
        timing=clock.method,
        emergency_spoken=content.words["call_emergency"],
        emergency_card=content.words["emergency_number_card"],
        review_counts=dict(b.counts),
        disclaimer=disclaimer,
        routines=tuple(routines),
        steps=tuple(step_entries),
        escalations=tuple(escalations),
        safety_lines=safety,
        tips=tips,
        other_lines=tuple(other),
        replies_walked=len(walked),
        longest=tuple(longest[:LONGEST_REPLIES]),
        facts=tuple(
            Fact(i, b.facts.get(i, NO_FACT_TEXT)) for i in sorted(b.used_facts, key=_fact_key)
        ),
    )
