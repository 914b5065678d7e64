"""Change control for the script's medical words: one review record per line and locale.

A record (reviews.json) says whether a clinician has reviewed a line, who, when, and the SHA-256
of exactly the words they read, as the runner in that locale hears them (placeholders filled).
When those words change, the hash no longer matches: the line shows as "changed since review"
and the content tests fail until it is reviewed again or marked not yet reviewed. Records are
written with tools/record_review.py, not by hand.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.content import BASE_LANGUAGE, LEVELS, LocaleContent, content_for, supported_locales
from skill.content.facts import line_facts

RECORDS_FILE = Path(__file__).with_name("reviews.json")
NOT_REVIEWED = "not yet reviewed"
REVIEWED = "reviewed"
CHANGED = "changed since review"
RECORD_TOOL = "python tools/record_review.py"
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class MedicalLine:
    id: str  # "steps.stretch_calf", "escalations.E2.clot", "tips.F8.1", "phrases.disclaimer"
    text: str  # exactly what the runner in this locale hears


@dataclass(frozen=True)
class Record:
    status: str = NOT_REVIEWED
    reviewer: str = ""
    date: str = ""
    sha256: str = ""

    def as_json(self) -> dict[str, str]:
        if self.status != REVIEWED:
            return {"status": self.status}
        return {
            "status": REVIEWED,
            "reviewer": self.reviewer,
            "date": self.date,
            "sha256": self.sha256,
        }


def review_locales() -> tuple[str, ...]:
    """Every script a runner can hear: the shared English (any other locale) and each locale."""
    return (BASE_LANGUAGE, *supported_locales())


def words_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def medical_lines(content: LocaleContent) -> list[MedicalLine]:
    """Every line with medical words, in script order: steps, escalations, tips, safety phrases."""
    lines: list[MedicalLine] = []
    seen: set[str] = set()
    for steps in content.routines.values():
        for step in steps:
            if step.id not in seen:
                seen.add(step.id)
                lines.append(MedicalLine(f"steps.{step.id}", step.speech))
    for level in LEVELS:
        escalation = content.escalations[level]
        # E2 advice is spoken as lead + reason + tail; each part is its own reviewed line.
        parts = {
            **({"lead": escalation["lead"]} if "lead" in escalation else {}),
            **escalation["reasons"],
            **({"tail": escalation["tail"]} if "tail" in escalation else {}),
        }
        for key, text in parts.items():
            lines.append(MedicalLine(f"escalations.{level}.{key}", text))
    lines += [MedicalLine(f"tips.{tip.fact}", tip.text) for tip in content.tips]
    for line_id in line_facts():
        kind, _, key = line_id.partition(".")
        if kind != "phrases":
            continue
        if key not in content.phrases:
            raise KeyError(f"facts.json names the phrase {key!r}, which the content does not have")
        lines.append(MedicalLine(line_id, content.phrases[key]))
    return lines


def load_records(path: Path = RECORDS_FILE) -> dict[str, dict[str, Record]]:
    """Locale -> line id -> record (none before the first `--sync`)."""
    if not path.exists():
        return {}
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    records: dict[str, dict[str, Record]] = {}
    for locale, entries in raw.get("records", {}).items():
        records[locale] = {
            line_id: Record(**{k: str(v) for k, v in entry.items() if k in _FIELDS})
            for line_id, entry in entries.items()
        }
    return records


_FIELDS = ("status", "reviewer", "date", "sha256")


def dump_records(records: Mapping[str, Mapping[str, Record]]) -> str:
    """reviews.json with one record a line, so a review changes one line of the diff."""
    out = ['{\n  "comment": ' + json.dumps(_COMMENT) + ',\n  "records": {']
    for i, locale in enumerate(sorted(records)):
        entries = records[locale]
        rows = [f"      {json.dumps(k)}: {json.dumps(entries[k].as_json())}" for k in entries]
        comma = "," if i < len(records) - 1 else ""
        out.append(f"    {json.dumps(locale)}: {{\n" + ",\n".join(rows) + f"\n    }}{comma}")
    out.append("  }\n}\n")
    return "\n".join(out)


_COMMENT = (
    "Review records for the medical words of the script, per locale and line (see "
    "skill/content/reviews.py). Written by tools/record_review.py: a reviewed record holds the "
    "SHA-256 of exactly the words reviewed, so any later change shows as 'changed since review'."
)


@dataclass(frozen=True)
class Review:
    """A line's review state as the sheet shows it."""

    state: str  # NOT_REVIEWED, REVIEWED or CHANGED
    record: Record

    @property
    def label(self) -> str:
        if self.state == REVIEWED:
            return f"reviewed by {self.record.reviewer} on {self.record.date}"
        if self.state == CHANGED:
            return f"{CHANGED} (reviewed by {self.record.reviewer} on {self.record.date})"
        return NOT_REVIEWED


def review_of(line: MedicalLine, record: Record | None) -> Review:
    if record is None or record.status != REVIEWED:
        return Review(NOT_REVIEWED, record or Record())
    state = REVIEWED if record.sha256 == words_hash(line.text) else CHANGED
    return Review(state, record)


def record_problems(record: Record) -> list[str]:
    """What is wrong with a record's fields (nothing for a well-formed one)."""
    if record.status not in (NOT_REVIEWED, REVIEWED):
        return [f"status {record.status!r} is neither {REVIEWED!r} nor {NOT_REVIEWED!r}"]
    if record.status == NOT_REVIEWED:
        return []
    found = []
    if not record.reviewer.strip():
        found.append("no reviewer")
    if not valid_date(record.date):
        found.append(f"date {record.date!r} is not YYYY-MM-DD")
    if not _HEX64.fullmatch(record.sha256):
        found.append("no SHA-256 of the reviewed words")
    return found


def valid_date(text: str) -> bool:
    try:
        return datetime.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def problems(records: Mapping[str, Mapping[str, Record]] | None = None) -> list[str]:
    """Everything that keeps the records from matching the script, each with what to do."""
    records = load_records() if records is None else records
    found: list[str] = []
    sync = f"run `{RECORD_TOOL} --sync` to add it as not yet reviewed"
    for locale in review_locales():
        kept = records.get(locale, {})
        lines = medical_lines(content_for(locale))
        for line in lines:
            where = f"{locale} {line.id}"
            record = kept.get(line.id)
            if record is None:
                found.append(f"{where}: no review record; {sync}.")
                continue
            errors = record_problems(record)
            if errors:
                found.append(f"{where}: malformed record ({'; '.join(errors)}).")
            elif review_of(line, record).state == CHANGED:
                found.append(
                    f"{where}: its words changed after {record.reviewer} reviewed them on "
                    f"{record.date}. Have a clinician review the new words and record it with "
                    f"`{RECORD_TOOL} --locale {locale} --id {line.id} --reviewer NAME`; until "
                    f"then mark it with `{RECORD_TOOL} --locale {locale} --id {line.id} "
                    "--not-reviewed`."
                )
        known = {line.id for line in lines}
        for line_id in kept.keys() - known:
            found.append(
                f"{locale} {line_id}: a record for a line the script no longer has; "
                f"`{RECORD_TOOL} --sync` drops it."
            )
    for locale in records.keys() - set(review_locales()):
        found.append(f"{locale}: records for a locale without content; `{RECORD_TOOL} --sync`.")
    return found
