"""Every fact id the content uses stands for a fact the script sheet can show (facts.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from skill.content.facts import fact_texts, line_facts, trigger_notes

CONTENT = Path(__file__).resolve().parent.parent / "skill" / "content"
# "F8" is a whole section cited as one fact; "E1" alone is an escalation level, not a fact.
FACT_ID = re.compile(r"F\d+(?:\.\d+)?|E\d+\.\d+")


def _values(data: object) -> Iterator[str]:
    """Every string value in a JSON document, however deep (keys are not values)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value)


def test_every_fact_id_used_anywhere_in_the_content_has_a_fact() -> None:
    used: dict[str, set[str]] = {}
    for path in sorted(CONTENT.glob("*.json")):
        for value in _values(json.loads(path.read_text(encoding="utf-8"))):
            if FACT_ID.fullmatch(value):
                used.setdefault(value, set()).add(path.name)
    # The scan finds the ids where they are known to be, so it is really looking.
    assert {"routines.json", "red_flags.json", "en.json", "facts.json"} <= set().union(
        *used.values()
    )
    missing = {fact: sorted(files) for fact, files in used.items() if fact not in fact_texts()}
    assert not missing, f"fact ids without a line in skill/content/facts.json: {missing}"


def test_each_fact_is_one_short_line_with_a_well_formed_id() -> None:
    facts = fact_texts()
    sections = {f"F{n}" for n in range(1, 9)} | {"E1", "E2", "E3"}
    assert {fact.split(".")[0] for fact in facts} == sections
    for fact, text in facts.items():
        assert FACT_ID.fullmatch(fact), fact
        assert text.strip() and "\n" not in text and len(text) <= 200, fact


def test_lines_and_triggers_name_known_facts_and_lines() -> None:
    for line, ids in line_facts().items():
        assert line.split(".")[0] in {"phrases", "escalations"}, line
        assert set(ids) <= set(fact_texts()), line
    assert set(trigger_notes()) <= set(line_facts())
