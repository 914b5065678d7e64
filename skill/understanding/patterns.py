"""A small pattern language over tokens, so vocabulary can live in data files.

A pattern is terms separated by spaces:
  word          that word
  @name         any phrase of the word class `name` (classes may name other classes)
  (a b|c|@d|)   one of the alternatives; an empty one makes the group optional
  ~N            up to N words of anything, within one clause
  $             the end of a clause: the text's end, a comma or full stop, or "but", "and"...
  ^             the start of a clause: the text's start, or just after a comma or full stop
Example: "@chest ~3 @pain" finds "my chest is really hurting" and "chest pain".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from skill.understanding.tokens import BREAK, words

Phrase = tuple[str, ...]
T = TypeVar("T")


class PatternError(ValueError):
    """A pattern or word class in the data that cannot be read."""


@dataclass(frozen=True)
class _Choice:
    phrases: tuple[Phrase, ...]  # longest first; () is the empty alternative
    kind: ClassVar[str] = "words"

    @property
    def optional(self) -> bool:
        return () in self.phrases


@dataclass(frozen=True)
class _Gap:
    most: int
    kind: ClassVar[str] = "gap"


@dataclass(frozen=True)
class _End:
    """Zero-width: the clause ends here."""

    kind: ClassVar[str] = "end"


@dataclass(frozen=True)
class _Start:
    """Zero-width: the clause starts here."""

    kind: ClassVar[str] = "start"


_Term = _Choice | _Gap | _End | _Start
# Words before which a statement ends, for `$`.
_ENDS_CLAUSE = frozenset({BREAK, "but", "and", "though", "although", "thanks", "thank"})


@dataclass(frozen=True)
class Found:
    """Where a pattern matched: its span, and where each of its words-terms began and ended."""

    start: int
    end: int
    parts: tuple[tuple[int, int], ...]


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` wherever it is outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise PatternError(f"unbalanced parentheses in {text!r}")
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise PatternError(f"unbalanced parentheses in {text!r}")
    parts.append("".join(current))
    return parts


class WordClasses:
    """Named sets of phrases, with @references between them resolved once."""

    def __init__(self, raw: Mapping[str, Sequence[str]]) -> None:
        self._raw = raw
        self._done: dict[str, tuple[Phrase, ...]] = {}

    def phrases(self, name: str, _seen: tuple[str, ...] = ()) -> tuple[Phrase, ...]:
        if name in self._done:
            return self._done[name]
        if name not in self._raw:
            raise PatternError(f"unknown word class @{name}")
        if name in _seen:
            raise PatternError(f"word class @{name} refers to itself")
        found: set[Phrase] = set()
        for entry in self._raw[name]:
            if entry.startswith("@"):
                found.update(self.phrases(entry[1:], (*_seen, name)))
            else:
                found.add(tuple(words(entry)))
        result = tuple(sorted(found, key=lambda p: (-len(p), p)))
        self._done[name] = result
        return result

    def names(self) -> tuple[str, ...]:
        return tuple(self._raw)


class Pattern:
    def __init__(self, source: str, classes: WordClasses) -> None:
        self.source = source
        try:
            # "(a|)(b)" and "(c)$" are two terms each, as written before groups could nest.
            spaced = re.sub(r"\)(?=[^\s)|])", ") ", source)
            parts = [p for p in _split(spaced, " ") if p]
            self._terms = tuple(_compile_term(p, classes) for p in parts)
        except PatternError as error:
            raise PatternError(f"{error} (in pattern {source!r})") from None
        if not any(isinstance(t, _Choice) for t in self._terms):
            raise PatternError(f"pattern {source!r} has no words")
        first = self._terms[0]
        # Most patterns start with words: only positions holding one of them can start a match.
        self._starts: frozenset[str] | None = (
            frozenset(p[0] for p in first.phrases)
            if isinstance(first, _Choice) and not first.optional
            else None
        )
        # A word the text must hold for any match: the first words of the pattern's narrowest
        # required part. Most texts hold none, and are passed over at once.
        required = [t for t in self._terms if isinstance(t, _Choice) and not t.optional]
        narrowest = min(required, key=lambda t: len(t.phrases), default=None)
        self._needs: frozenset[str] | None = (
            frozenset(p[0] for p in narrowest.phrases) if narrowest is not None else None
        )

    @property
    def needs(self) -> frozenset[str] | None:
        """Words of which the text must hold one for any match (None: no such word)."""
        return self._needs

    def examples(self, limit: int) -> list[str]:
        """Up to `limit` plain phrases this pattern matches (gaps left empty), spread so that
        every word of every part appears early: "high coloured urine" as well as "dark pee"."""
        parts = [
            [" ".join(p) for p in t.phrases] if isinstance(t, _Choice) else [""]
            for t in self._terms
            if isinstance(t, _Choice | _Gap)
        ]
        ranked = sorted(
            itertools.product(*(list(enumerate(options)) for options in parts)),
            key=lambda combo: (max(rank for rank, _ in combo), sum(rank for rank, _ in combo)),
        )
        found = (" ".join(word for _, word in combo if word) for combo in ranked)
        return list(dict.fromkeys(p for p in found if p))[:limit]

    @property
    def terms(self) -> tuple[_Term, ...]:
        """The compiled terms, each with a `kind` ("words", "gap", "end", "start")."""
        return self._terms

    def find(self, toks: Sequence[str]) -> Iterator[Found]:
        """Every position where the pattern matches (the first, shortest reading at each)."""
        if self._needs is not None and self._needs.isdisjoint(toks):
            return
        for start in range(len(toks)):
            if self._starts is not None and toks[start] not in self._starts:
                continue
            found = self._match(toks, 0, start, ())
            if found is not None:
                end, parts = found
                if parts:
                    yield Found(parts[0][0], end, parts)

    def match_at(self, toks: Sequence[str], start: int) -> Found | None:
        """The pattern's match beginning exactly at `start`, if any."""
        found = self._match(toks, 0, start, ())
        if found is None or not found[1]:
            return None
        return Found(found[1][0][0], found[0], found[1])

    def _match(
        self, toks: Sequence[str], index: int, pos: int, parts: tuple[tuple[int, int], ...]
    ) -> tuple[int, tuple[tuple[int, int], ...]] | None:
        if index == len(self._terms):
            return pos, parts
        term = self._terms[index]
        if isinstance(term, _Start):
            if pos > 0 and toks[pos - 1] != BREAK:
                return None
            return self._match(toks, index + 1, pos, parts)
        if isinstance(term, _End):
            if pos < len(toks) and toks[pos] not in _ENDS_CLAUSE:
                return None
            return self._match(toks, index + 1, pos, parts)
        if isinstance(term, _Gap):
            for skip in range(term.most + 1):
                if skip and (pos + skip > len(toks) or toks[pos + skip - 1] == BREAK):
                    break
                found = self._match(toks, index + 1, pos + skip, parts)
                if found is not None:
                    return found
            return None
        for phrase in term.phrases:
            end = pos + len(phrase)
            if tuple(toks[pos:end]) == phrase:
                more = (*parts, (pos, end)) if phrase else parts
                found = self._match(toks, index + 1, end, more)
                if found is not None:
                    return found
        return None


def _group(part: str, classes: WordClasses) -> set[Phrase]:
    """The phrases of "(a b|@class|c (d|e))": alternatives may hold words, classes and groups."""
    phrases: set[Phrase] = set()
    for alternative in _split(part[1:-1], "|"):
        options: set[Phrase] = {()}
        for piece in (p for p in _split(alternative.strip(), " ") if p):
            if piece.startswith("("):
                more = _group(piece, classes)
            elif piece.startswith("@"):
                more = set(classes.phrases(piece[1:]))
            else:
                more = {tuple(words(piece))}
            options = {a + b for a in options for b in more}
        phrases |= options
    return phrases


def _compile_term(part: str, classes: WordClasses) -> _Term:
    if part == "$":
        return _End()
    if part == "^":
        return _Start()
    if re.fullmatch(r"~\d+", part):
        return _Gap(int(part[1:]))
    if part.startswith("(") and part.endswith(")"):
        return _Choice(tuple(sorted(_group(part, classes), key=lambda p: (-len(p), p))))
    if part.startswith("@"):
        return _Choice(classes.phrases(part[1:]))
    word = words(part)
    if len(word) != 1 or any(c in part for c in "()|~@"):
        raise PatternError(f"cannot read {part!r}: use words, @class, (a|b) or ~N")
    return _Choice((tuple(word),))


class PatternIndex(Generic[T]):
    """Items with a pattern each, found by the words a text holds: a text is tried only
    against patterns that could match it, in the items' order.
    """

    def __init__(self, items: Sequence[tuple[T, Pattern]]) -> None:
        self._items = list(items)
        self._always: list[int] = []
        self._by_word: dict[str, list[int]] = {}
        for position, (_, pattern) in enumerate(self._items):
            if pattern.needs is None:
                self._always.append(position)
            for word in pattern.needs or ():
                self._by_word.setdefault(word, []).append(position)

    def candidates(self, toks: Sequence[str]) -> list[tuple[T, Pattern]]:
        positions = set(self._always)
        for word in set(toks):
            positions.update(self._by_word.get(word, ()))
        return [self._items[p] for p in sorted(positions)]
