"""The sheet's document outline, the same for every output format: headings, text, tables.

render_md and render_html turn these blocks into markup (and escape every piece of text), so
the two formats cannot drift apart in what they show.
"""

from __future__ import annotations

from dataclasses import dataclass

from skill.content.reviews import CHANGED, NOT_REVIEWED, REVIEWED
from skill.script.sheet import Entry, Line, Sheet


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Quote:
    """Words the runner hears."""

    text: str


@dataclass(frozen=True)
class Items:
    """A list of (label, text) items; an empty label gives a plain item."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SignOff:
    fields: tuple[str, ...]


Block = Heading | Paragraph | Quote | Items | Table | SignOff

READING = (
    "Every line the runner can hear is below with its word count and speaking time. Each "
    "medical line carries its review status and the fact ids it rests on; each fact id is "
    "followed by the fact in one line (the facts and their sources are in CONTENT_FACTS.md). "
    "[10 s] marks a pause that Alexa keeps silent. Review every medical line against "
    "CONTENT_FACTS.md, then sign at the end."
)
TRIGGERS = (
    "Trigger words are listed as the skill matches them: lower case, without apostrophes. They "
    'count at any moment of the dialog; a negated mention ("no chest pain") does not.'
)
SIGN_STATEMENT = (
    "I have reviewed every medical line of this sheet against CONTENT_FACTS.md. Lines I do not "
    "accept are marked on the sheet, with what should change."
)


def fact_line(fact_id: str, text: str) -> str:
    return f"{fact_id} — {text}"


def _entry(entry: Entry) -> list[Block]:
    items: list[tuple[str, str]] = [
        ("Words and time", entry.spoken.figures),
        ("Review", entry.review),
    ]
    if entry.triggers:
        items.append(("Trigger words", ", ".join(entry.triggers)))
    items += [("Note", note) for note in entry.notes]
    if entry.facts:
        items += [("Fact", fact_line(f.id, f.text)) for f in entry.facts]
    else:
        items.append(("Fact", "no fact id"))
    return [
        Heading(4, f"{entry.title} ({entry.id})"),
        Quote(entry.spoken.text),
        Items(tuple(items)),
    ]


def _lines_table(lines: tuple[Line, ...], first: str) -> Table:
    rows = tuple((line.key, line.spoken.text, line.spoken.figures) for line in lines)
    return Table((first, "What the runner hears", "Words and time"), rows)


def outline(sheet: Sheet) -> list[Block]:
    counts = sheet.review_counts
    total = sum(counts.values())
    locale = sheet.locale
    if sheet.content_locale != sheet.locale:
        locale += (
            f" (no script of its own: answered with the shared English, {sheet.content_locale})"
        )
    blocks: list[Block] = [
        Heading(1, f"Cramp Coach script for clinical review: {sheet.locale}"),
        Items(
            (
                ("Locale", locale),
                ("Built", f"{sheet.built}, cramp-coach {sheet.version}"),
                ("Speaking time", sheet.timing),
                (
                    "Review status",
                    f"{total} medical lines: {counts[REVIEWED]} {REVIEWED}, "
                    f"{counts[NOT_REVIEWED]} {NOT_REVIEWED}, {counts[CHANGED]} {CHANGED}",
                ),
            )
        ),
        Paragraph(READING),
        Heading(2, "Emergency number"),
        Items(
            (
                ("Spoken", sheet.emergency_spoken),
                ("On the card", sheet.emergency_card),
            )
        ),
        Heading(2, "Disclaimer"),
        *_entry(sheet.disclaimer),
        Heading(2, "Routines"),
        Paragraph("Each routine's steps in order; every step's words follow under Steps."),
    ]
    for routine in sheet.routines:
        blocks.append(Heading(3, f"{routine.name.capitalize()} routine"))
        rows = tuple(
            (str(s.number), s.title, s.id, ", ".join(s.facts), s.timing or "—")
            for s in routine.steps
        )
        blocks.append(Table(("#", "Step", "Id", "Facts", "Hold or timer"), rows))
    blocks.append(Heading(2, "Steps"))
    for entry in sheet.steps:
        blocks += _entry(entry)
    blocks += [Heading(2, "Escalations"), Paragraph(TRIGGERS)]
    for group in sheet.escalations:
        blocks.append(Heading(3, f"{group.level}: {group.card_title}"))
        for entry in group.entries:
            blocks += _entry(entry)
    blocks.append(Heading(2, "Other safety lines"))
    for entry in sheet.safety_lines:
        blocks += _entry(entry)
    blocks.append(Heading(2, "Prevention tips"))
    for entry in sheet.tips:
        blocks += _entry(entry)
    blocks += [
        Heading(2, "Everything else the skill says"),
        Paragraph("No medical words; {placeholders} are filled in by the dialog."),
        _lines_table(sheet.other_lines, "Line"),
        Heading(2, "Longest replies"),
        Paragraph(
            f"The dialog, walked through every routine (first and later use) and every "
            f"escalation, gave {sheet.replies_walked} different replies. The "
            f"{len(sheet.longest)} longest, by words:"
        ),
        _lines_table(sheet.longest, "Where"),
        Heading(2, "Facts"),
        Table(("Fact", "In one line"), tuple((f.id, f.text) for f in sheet.facts)),
        Heading(2, "Sign-off"),
        Paragraph(SIGN_STATEMENT),
        SignOff(("Reviewer's name", "Date", "Signature")),
    ]
    return blocks
