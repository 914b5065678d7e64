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


# Examples shown per pattern: a word list ("@condition_words") whole, combinations a few each.
_WORD_LIST, _COMBINATIONS = 200, 3


def trigger_words(content: LocaleContent, level: str, reason: str) -> list[str]:
    """Examples of what leads to this escalation in this locale: a few phrases of each concept
    in the lexicon (red flags are found by concept, so these are samples, not a closed list),
    each one read by the skill as this level."""
    finder = content.reader.red_flags
    examples = [
        phrase
        for rule in finder.rules
        if rule.flag.level == level and rule.flag.reason == reason
        for pattern in rule.patterns
        for phrase in pattern.examples(_WORD_LIST if len(pattern.terms) == 1 else _COMBINATIONS)
    ]
    return [
        p for p in dict.fromkeys(examples) if (found := finder.find(p)) and found.level == level
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
