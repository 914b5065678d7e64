"""What sets off each escalation, and its fact ids, as the red-flag data says.

The one place the sheet reads red-flag data: when red flags become concepts kept as data, only
these two functions change.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from skill.content import LocaleContent

_RED_FLAGS_FILE = Path(__file__).resolve().parents[1] / "content" / "red_flags.json"


def trigger_words(content: LocaleContent, level: str, reason: str) -> list[str]:
    """The words and phrases that lead to this escalation in this locale."""
    scanner = content.red_flags
    return [
        phrase
        for flag in scanner.flags.values()
        if flag.level == level and flag.reason == reason
        for phrase in scanner.phrases_for(flag.id)
    ]


@cache
def flag_facts(level: str, reason: str) -> tuple[str, ...]:
    """The fact ids of the red flags that lead to this escalation."""
    flags = json.loads(_RED_FLAGS_FILE.read_text(encoding="utf-8"))["flags"]
    ids = [
        fact
        for flag in flags.values()
        if flag["level"] == level and flag["reason"] == reason
        for fact in flag["facts"]
    ]
    return tuple(dict.fromkeys(ids))
