"""Matches typed text against an interaction model, roughly as Alexa's NLU would.

Each sample becomes a pattern; slots match their type's values and synonyms (custom types, which
also take unknown words, unresolved), numbers (AMAZON.NUMBER) or any words (AMAZON.SearchQuery).
The most specific full match wins; text that matches nothing becomes AMAZON.FallbackIntent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

FALLBACK = "AMAZON.FallbackIntent"

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_SLOT_RE = re.compile(r"\{(\w+)\}")


def _as_said(said: str, span: tuple[int, int], spoken_words: list[str]) -> str:
    """A slot's words with the spelling they were said in ("hammy's" rather than "hammys")."""
    start, end = span
    first = said[:start].count(" ")
    return " ".join(spoken_words[first : first + said[start:end].count(" ") + 1])


def spoken_words(text: str) -> list[str]:
    """The words of `text` in lower case, apostrophes kept ("hammy's"), punctuation dropped."""
    return [w for w in re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")) if w.strip("'")]


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, punctuation to spaces: how samples and input compare."""
    text = text.lower().replace("’", "'").replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


@dataclass(frozen=True)
class SlotFill:
    name: str
    value: str
    slot_type: str
    resolved_id: str | None = None
    resolved_name: str | None = None


@dataclass(frozen=True)
class Match:
    intent: str
    slots: dict[str, SlotFill] = field(default_factory=dict)
    slot_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Pattern:
    intent: str
    regex: re.Pattern[str] | None  # None for a bare "{slot}" sample of a custom type
    literal_chars: int
    slot_types: dict[str, str]


class UtteranceMatcher:
    def __init__(self, model: dict[str, Any], builtins: dict[str, list[str]]) -> None:
        language = model["interactionModel"]["languageModel"]
        self._values: dict[str, dict[str, tuple[str, str]]] = {}
        for slot_type in language.get("types", []):
            table = {}
            for value in slot_type.get("values", []):
                name = value["name"]["value"]
                value_id = value.get("id") or name
                for spoken in [name, *value["name"].get("synonyms", [])]:
                    table[normalise(spoken)] = (value_id, name)
            self._values[slot_type["name"]] = table
        self._intent_slots: dict[str, tuple[str, ...]] = {}
        # Samples that start with a word are only tried on text starting with that word.
        self._by_first_word: dict[str, list[_Pattern]] = {}
        self._slot_first: list[_Pattern] = []
        for intent in language["intents"]:
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            self._intent_slots[intent["name"]] = tuple(slot_types)
            samples = [*intent.get("samples", []), *builtins.get(intent["name"], [])]
            for sample in samples:
                pattern = self._compile(intent["name"], sample, slot_types)
                first = normalise(_SLOT_RE.split(sample)[0]).split(" ")[0]
                if first:
                    self._by_first_word.setdefault(first, []).append(pattern)
                else:
                    self._slot_first.append(pattern)

    @classmethod
    def from_files(cls, model_path: str) -> UtteranceMatcher:
        with open(model_path, encoding="utf-8") as handle:
            model = json.load(handle)
        builtin_text = resources.files("skill.simulator").joinpath("builtin_samples.json")
        builtins = json.loads(builtin_text.read_text(encoding="utf-8"))["intents"]
        return cls(model, builtins)

    def literal_samples(self) -> frozenset[str]:
        """Every sample without a slot, as compared with input (for corpus checks)."""
        return frozenset(
            p.regex.pattern.replace("\\ ", " ")
            for patterns in self._by_first_word.values()
            for p in patterns
            if p.regex is not None and not p.slot_types
        )

    def intents(self) -> tuple[str, ...]:
        return tuple(self._intent_slots)

    def match(self, text: str) -> Match:
        # Slots carry the words as said ("hammy's"), as Alexa sends them; matching ignores
        # apostrophes. Each spoken word is one compared word, so the two line up.
        said_words = spoken_words(text)
        said = " ".join(w.replace("'", "") for w in said_words)
        candidates = [*self._by_first_word.get(said.split(" ")[0], []), *self._slot_first]
        best: tuple[tuple[int, int], _Pattern, dict[str, tuple[int, int]]] | None = None
        for pattern in candidates:
            spans = self._spans(pattern, said)
            if spans is None:
                continue
            groups = {k: said[a:b] for k, (a, b) in spans.items()}
            fit = pattern.literal_chars + sum(
                self._slot_score(slot_type, groups.get(slot, ""))
                for slot, slot_type in pattern.slot_types.items()
            )
            # On a tie, free text belongs in a SearchQuery slot rather than an unresolved value.
            unresolved = sum(
                1
                for slot, slot_type in pattern.slot_types.items()
                if slot_type in self._values and groups.get(slot) not in self._values[slot_type]
            )
            score = (fit, -unresolved)
            if best is None or score > best[0]:
                best = (score, pattern, spans)
        if best is None:
            return Match(FALLBACK, slot_names=self._intent_slots.get(FALLBACK, ()))
        _, pattern, spans = best
        slots = {
            name: self._fill(
                name,
                slot_type,
                said[slice(*spans[name])],
                _as_said(said, spans[name], said_words),
            )
            for name, slot_type in pattern.slot_types.items()
            if name in spans
        }
        return Match(pattern.intent, slots, self._intent_slots[pattern.intent])

    def _spans(self, pattern: _Pattern, said: str) -> dict[str, tuple[int, int]] | None:
        """Where each slot's words are in `said`, if the sample matches the whole text."""
        """The words each slot took, if the sample matches the whole text."""
        if pattern.regex is None:
            # A bare "{slot}" sample matches only the slot's own values, never any words.
            ((name, slot_type),) = pattern.slot_types.items()
            return {name: (0, len(said))} if said in self._values[slot_type] else None
        found = pattern.regex.fullmatch(said)
        if found is None:
            return None
        return {k: found.span(k) for k, v in found.groupdict().items() if v}

    def _slot_score(self, slot_type: str, spoken: str) -> int:
        """Words a slot matched count toward a sample's fit only when they are known values; an
        unknown value of a custom type costs two points for every word past the first, as a
        long run of words is an unlikely value ("no i am okay only" is no MUSCLE).
        """
        if slot_type == "AMAZON.NUMBER" or spoken in self._values.get(slot_type, {}):
            return len(spoken)
        if slot_type in self._values:
            return -2 * spoken.count(" ")
        return 0

    def _fill(self, name: str, slot_type: str, spoken: str, as_said: str) -> SlotFill:
        if slot_type == "AMAZON.NUMBER":
            number = _NUMBER_WORDS.get(spoken, spoken)
            return SlotFill(name, str(number), slot_type)
        if slot_type in self._values:
            resolved = self._values[slot_type].get(spoken)
            if resolved:
                return SlotFill(name, as_said, slot_type, resolved[0], resolved[1])
        return SlotFill(name, as_said, slot_type)

    def _compile(self, intent: str, sample: str, slot_types: dict[str, str]) -> _Pattern:
        pieces, literal, used = [], 0, {}
        for i, part in enumerate(_SLOT_RE.split(sample)):
            if i % 2 == 0:
                words = normalise(part)
                if words:
                    pieces.append(re.escape(words))
                    literal += len(words)
            else:
                used[part] = slot_types[part]
                pieces.append(f"(?P<{part}>{self._slot_pattern(slot_types[part])})")
        if not literal and len(used) == 1 and all(t in self._values for t in used.values()):
            return _Pattern(intent, None, 0, used)
        regex = re.compile(" ".join(pieces) if pieces else r"(?!)")
        return _Pattern(intent, regex, literal, used)

    def _slot_pattern(self, slot_type: str) -> str:
        if slot_type == "AMAZON.NUMBER":
            words = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
            return rf"\d+|{words}"
        # Like Alexa, a custom slot also takes words that are not among its values; they arrive
        # unresolved (ER_SUCCESS_NO_MATCH) and score lower than a known value (_slot_score).
        return r"[a-z0-9]+(?: [a-z0-9]+)*"
