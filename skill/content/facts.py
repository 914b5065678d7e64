"""facts.json: what each fact id stands for, and the fact ids of lines routines.json lacks.

The facts themselves, with their sources, live in shared/CONTENT_FACTS.md outside this repo; the
one-line summaries here let the script sheet put each fact beside the words that rest on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

FACTS_FILE = Path(__file__).with_name("facts.json")


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
    return data


def fact_texts() -> Mapping[str, str]:
    """Fact id -> the fact in one short line."""
    facts: dict[str, str] = _data()["facts"]
    return facts


def line_facts() -> Mapping[str, tuple[str, ...]]:
    """Line id ("phrases.disclaimer", "escalations.E2.tail", ...) -> the fact ids it rests on."""
    return {line: tuple(ids) for line, ids in _data()["lines"].items()}


def trigger_notes() -> Mapping[str, str]:
    """Line id -> what sets off that escalation, for the escalations no red-flag word sets off."""
    notes: dict[str, str] = _data()["triggers"]
    return notes
