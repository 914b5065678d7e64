"""Finds red-flag words in whatever text a request carries (slot values, free-form reports)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Lower number is more urgent.
_SEVERITY = {"E1": 1, "E2": 2, "E3": 3}
# How many words before a match may hold a negation ("no chest pain", "I'm not dizzy").
_NEGATION_WINDOW = 2


def words_of(text: str) -> list[str]:
    """Lower-case words without apostrophes, so "can't" and "cant" compare equal."""
    text = text.lower().replace("’", "'").replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def contains_phrase(words: Sequence[str], phrase: Sequence[str]) -> int:
    """Index where phrase starts inside words, or -1."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if list(words[i : i + n]) == list(phrase):
            return i
    return -1


@dataclass(frozen=True)
class RedFlag:
    id: str
    level: str
    reason: str

    def more_urgent_than(self, other: RedFlag | None) -> bool:
        return other is None or _SEVERITY[self.level] < _SEVERITY[other.level]


class RedFlagScanner:
    def __init__(
        self,
        flags: Mapping[str, Mapping[str, Any]],
        phrases: Mapping[str, Iterable[str]],
        negators: Iterable[str],
    ) -> None:
        self._flags = {
            flag_id: RedFlag(flag_id, meta["level"], meta["reason"])
            for flag_id, meta in flags.items()
        }
        self._phrases = [
            (tuple(words_of(p)), self._flags[flag_id])
            for flag_id, texts in phrases.items()
            for p in texts
        ]
        self._negators = frozenset(negators)

    @property
    def negators(self) -> frozenset[str]:
        return self._negators

    @property
    def flags(self) -> Mapping[str, RedFlag]:
        return self._flags

    def phrases_for(self, flag_id: str) -> list[str]:
        return [" ".join(p) for p, flag in self._phrases if flag.id == flag_id]

    def scan(self, *texts: str | None) -> RedFlag | None:
        """The most urgent red flag named in any of the texts, ignoring negated mentions."""
        found: RedFlag | None = None
        for text in texts:
            if not text:
                continue
            words = words_of(text)
            for phrase, flag in self._phrases:
                if not flag.more_urgent_than(found):
                    continue
                start = contains_phrase(words, phrase)
                if start >= 0 and not self._negated(words, start):
                    found = flag
        return found

    def _negated(self, words: Sequence[str], start: int) -> bool:
        return any(w in self._negators for w in words[max(0, start - _NEGATION_WINDOW) : start])
