"""Red flags by concept: a body part or sign with its qualifiers, durations, and what was denied.

Each flag (skill/content/red_flags.json: level and reason) is found by the patterns of
skill/content/lexicon.json, in the words of any slot or free-form report. A denied mention does
not count; E1 beats E2 beats E3 when one utterance holds several.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from skill.understanding.durations import Duration, durations
from skill.understanding.meaning import SEVERITY, RedFlag
from skill.understanding.negation import Negation
from skill.understanding.patterns import Found, Pattern, PatternIndex
from skill.understanding.tokens import tokens

# A duration's cues ("ran for", "timer for") sit at most this many words before it.
_CUE_WINDOW = 4
_BLANK = "_"


@dataclass(frozen=True)
class FlagRule:
    flag: RedFlag
    patterns: tuple[Pattern, ...]
    # Any of these anywhere in the utterance takes the flag back ("breathless from the run").
    unless: tuple[Pattern, ...] = ()
    # Flags this one replaces where their words overlap ("sick last night" is fluid lost
    # earlier, E2, not being sick now, E1).
    overrides: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DurationRule:
    """How spoken durations become flags: a long cramp (E2.4), days of soreness (E3.5)..."""

    cramp: RedFlag
    cramp_seconds: float
    soreness: RedFlag
    soreness_seconds: float
    soreness_words: tuple[Pattern, ...]
    # Soreness without cramping is no lasting cramp, however long.
    just_sore: tuple[Pattern, ...]
    cramping: tuple[Pattern, ...]
    frequent: RedFlag
    frequent_seconds: float
    frequent_words: tuple[Pattern, ...]
    # Something in the clause says the time has already passed ("it's been", "still").
    ongoing: tuple[Pattern, ...]
    # The time is of something else ("on a new medicine since Monday").
    about_other: tuple[Pattern, ...]
    # Just before the duration: it is not the cramp's ("ran for", "a timer for", "in").
    not_cramp_before: tuple[Pattern, ...]
    # Words between such a cue and the duration that change nothing ("for about", "nearly").
    qualifiers: frozenset[tuple[str, ...]]
    # Just after it: the same ("left", "more", "to go").
    not_cramp_after: tuple[Pattern, ...]


@dataclass(frozen=True)
class _Hit:
    flag: RedFlag
    start: int
    end: int


class RedFlagFinder:
    def __init__(
        self,
        rules: Sequence[FlagRule],
        negation: Negation,
        duration_rule: DurationRule,
        masks: Sequence[Pattern] = (),
        combinations: Sequence[tuple[frozenset[str], RedFlag]] = (),
        keep_unmasked: Sequence[Pattern] = (),
    ) -> None:
        self._rules = tuple(rules)
        self._index = PatternIndex([(rule, p) for rule in self._rules for p in rule.patterns])
        self._masks = tuple(masks)
        # Where these are found no mask applies: "out of breath" is the run, "out of breath
        # sitting here" is not.
        self._keep = tuple(keep_unmasked)
        # Flags that together mean a more urgent one (a swollen leg and breathlessness: E1.1).
        self._combinations = tuple(combinations)
        self._negation = negation
        self._durations = duration_rule
        named = [r.flag for r in self._rules]
        named += [duration_rule.cramp, duration_rule.soreness, duration_rule.frequent]
        self.flags: Mapping[str, RedFlag] = {flag.id: flag for flag in named}

    @property
    def rules(self) -> tuple[FlagRule, ...]:
        return self._rules

    def find(self, *texts: str | None) -> RedFlag | None:
        """The most urgent red flag in any of the texts."""
        found: RedFlag | None = None
        for text in texts:
            for flag in self.all(text or ""):
                if flag.more_urgent_than(found):
                    found = flag
        return found

    def all(self, text: str) -> list[RedFlag]:
        """Every red flag the text names, each once, most urgent first."""
        toks = self._masked(tokens(text))
        if not toks:
            return []
        hits = [*self._pattern_hits(toks), *self._duration_hits(toks)]
        replaced = {
            (other.flag.id, other.start)
            for hit in hits
            for other in hits
            if other.flag.id in self._overrides(hit.flag.id)
            and other.start < hit.end
            and hit.start < other.end
        }
        flags: dict[str, RedFlag] = {}
        for hit in hits:
            if (hit.flag.id, hit.start) not in replaced:
                flags.setdefault(hit.flag.id, hit.flag)
        for together, meaning in self._combinations:
            if together <= set(flags):
                flags.setdefault(meaning.id, meaning)
        return sorted(flags.values(), key=lambda f: SEVERITY[f.level])

    def _masked(self, toks: list[str]) -> list[str]:
        """Idioms that only sound like red flags ("sick of", "chest strap") become blanks."""
        kept = [(f.start, f.end) for keep in self._keep for f in keep.find(toks)]
        for mask in self._masks:
            for found in mask.find(toks):
                if any(found.start < end and start < found.end for start, end in kept):
                    continue
                toks[found.start : found.end] = [_BLANK] * (found.end - found.start)
        return toks

    def _overrides(self, flag_id: str) -> frozenset[str]:
        for rule in self._rules:
            if rule.flag.id == flag_id:
                return rule.overrides
        return frozenset()

    def _pattern_hits(self, toks: list[str]) -> list[_Hit]:
        found_all = [
            (rule.flag, found, self._negation.denied(toks, found))
            for rule, pattern in self._index.candidates(toks)
            for found in pattern.find(toks)
        ]
        # "no pain in the chest only leg is paining": a mention that shares words with one
        # denied before it, of the same flag, is that denial read another way.
        denied = [
            (flag.id, f.start, f.end)
            for flag, f, no in found_all
            if no and self._negation.denied(toks, f, taken_back=False)
        ]
        hits = [
            _Hit(flag, f.start, f.end)
            for flag, f, no in found_all
            if not no and not any(i == flag.id and s < f.end and f.start < e for i, s, e in denied)
        ]
        flagged = {hit.flag.id for hit in hits}
        for rule in self._rules:
            if rule.flag.id in flagged and rule.unless and _any_found(rule.unless, toks):
                hits = [h for h in hits if h.flag.id != rule.flag.id]
        return hits

    def _duration_hits(self, toks: list[str]) -> list[_Hit]:
        rule, negation = self._durations, self._negation
        hits: list[_Hit] = []
        for spoken in durations(toks):
            found = Found(spoken.start, spoken.end, ((spoken.start, spoken.end),))
            if negation.denied(toks, found, by_no=False):
                continue
            clause = toks[
                negation.clause_start(toks, spoken.start) : negation.clause_end(toks, spoken.end)
            ]
            before = self._trimmed(toks[max(0, spoken.start - _CUE_WINDOW) : spoken.start])
            if _any_found(rule.not_cramp_before, before) or any(
                p.match_at(toks, spoken.end) for p in rule.not_cramp_after
            ):
                continue
            hits.extend(_Hit(f, spoken.start, spoken.end) for f in self._meaning(spoken, clause))
        return hits

    def _meaning(self, spoken: Duration, clause: Sequence[str]) -> list[RedFlag]:
        """What a duration says: days of soreness (E3.5), months of cramps (E3.1), or a cramp
        that has lasted (E2.4).
        """
        rule = self._durations
        if _any_found(rule.about_other, clause):
            return []  # "on a new medicine since Monday": not the cramp's time
        if spoken.seconds >= rule.soreness_seconds and _any_found(rule.soreness_words, clause):
            return [rule.soreness]
        if spoken.seconds >= rule.frequent_seconds and _any_found(rule.frequent_words, clause):
            return [rule.frequent]
        ongoing = spoken.since or _any_found(rule.ongoing, clause)
        if spoken.seconds >= rule.frequent_seconds:
            # Weeks or years are no single cramp (E2.4): pain that has lasted that long has not
            # got better with self-care (E3.5).
            return [rule.soreness] if ongoing else []
        if _any_found(rule.just_sore, clause) and not _any_found(rule.cramping, clause):
            return []  # sore for an hour after a cramp is soreness, not a cramp that lasts
        if spoken.seconds >= rule.cramp_seconds and ongoing:
            return [rule.cramp]
        return []

    def _trimmed(self, before: list[str]) -> list[str]:
        """The words before a duration without its qualifiers: "ran for about" -> "ran"."""
        qualifiers = self._durations.qualifiers
        trimmed = True
        while trimmed:
            trimmed = False
            for size in (2, 1):
                if len(before) >= size and tuple(before[-size:]) in qualifiers:
                    before, trimmed = before[:-size], True
                    break
        return before


def _any_found(patterns: Sequence[Pattern], toks: Sequence[str]) -> bool:
    return any(next(p.find(toks), None) is not None for p in patterns)
