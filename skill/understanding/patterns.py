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

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from skill.understanding.tokens import BREAK, words

Phrase = tuple[str, ...]


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


_PART = re.compile(r"\([^()]*\)|\S+")


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
            self._terms = tuple(_compile_term(p, classes) for p in _PART.findall(source))
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


def _compile_term(part: str, classes: WordClasses) -> _Term:
    if part == "$":
        return _End()
    if part == "^":
        return _Start()
    if re.fullmatch(r"~\d+", part):
        return _Gap(int(part[1:]))
    if part.startswith("(") and part.endswith(")"):
        phrases: set[Phrase] = set()
        for alternative in part[1:-1].split("|"):
            alternative = alternative.strip()
            if alternative.startswith("@"):
                phrases.update(classes.phrases(alternative[1:]))
            else:
                phrases.add(tuple(words(alternative)))
        return _Choice(tuple(sorted(phrases, key=lambda p: (-len(p), p))))
    if part.startswith("@"):
        return _Choice(classes.phrases(part[1:]))
    word = words(part)
    if len(word) != 1 or any(c in part for c in "()|~@"):
        raise PatternError(f"cannot read {part!r}: use words, @class, (a|b) or ~N")
    return _Choice((tuple(word),))
