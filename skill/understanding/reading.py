"""One reading of what the runner said: red flag, muscle, how the cramp feels, and their answer.

Each question the skill asks picks what it needs from a Reading (see skill.questions): the
muscle question the muscle, "has it eased?" the mood, the emergency question the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from skill.understanding.durations import INEXACT, spoken_number
from skill.understanding.meaning import EASED, NOT_EASED, WORSE, Reading
from skill.understanding.negation import Negation
from skill.understanding.patterns import Found, Pattern, PatternIndex
from skill.understanding.red_flags import RedFlagFinder
from skill.understanding.tokens import BREAK, tokens

# What a denied mood means: "not better" is not eased; "not tight any more" is eased.
_DENIED_MOOD = {EASED: NOT_EASED, NOT_EASED: EASED, WORSE: NOT_EASED}
# Within one clause, the more cautious reading wins ("a bit better, still tight").
_MOOD_RANK = {WORSE: 0, NOT_EASED: 1, EASED: 2}


@dataclass(frozen=True)
class _Seen:
    value: str
    found: Found
    denied: bool


class Choices:
    """A few values (muscles, moods, answers), each recognised by its patterns."""

    def __init__(
        self,
        by_value: Mapping[str, Sequence[Pattern]],
        negation: Negation,
        *,
        taken_back: bool = True,
        by_no: bool = True,
    ) -> None:
        self._index = PatternIndex(
            [(value, pattern) for value, patterns in by_value.items() for pattern in patterns]
        )
        self._negation = negation
        self._taken_back = taken_back
        self._by_no = by_no

    def seen(self, toks: Sequence[str]) -> list[_Seen]:
        """Every mention, in order of where it starts. A mention inside a longer one is not
        counted: "hurts less" is eased, whatever "hurts" alone would say.
        """
        hits = [
            (value, hit)
            for value, pattern in self._index.candidates(toks)
            for hit in pattern.find(toks)
        ]
        kept = [
            _Seen(
                value,
                hit,
                self._negation.denied(toks, hit, taken_back=self._taken_back, by_no=self._by_no),
            )
            for value, hit in hits
            if not any(_inside(hit, other) for _, other in hits)
        ]
        return sorted(kept, key=lambda s: (s.found.start, -s.found.end))

    def first(self, toks: Sequence[str]) -> str | None:
        """The first value mentioned and not denied."""
        return next((s.value for s in self.seen(toks) if not s.denied), None)

    def only(self, toks: Sequence[str], doubt: Sequence[Pattern]) -> str | None:
        """The value mentioned, unless the text names two and doubts which ("calf or hammy")."""
        named = list(dict.fromkeys(s.value for s in self.seen(toks) if not s.denied))
        if len(named) > 1 and any(next(p.find(toks), None) for p in doubt):
            return None
        return named[0] if named else None


_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip


def _step_number(toks: Sequence[str]) -> int | None:
    """The number after "step" ("go to step four", "the step 4"), or the last number said."""
    found = None
    for i in range(len(toks)):
        if toks[i] in INEXACT:
            continue
        if toks[i] == "one" and i > 0 and toks[i - 1] in _ORDINALS:
            continue  # "the fifth one"
        number = (_ORDINALS[toks[i]], i + 1) if toks[i] in _ORDINALS else spoken_number(toks, i)
        if number is not None:
            found = int(number[0])
            if i > 0 and toks[i - 1] == "step":
                return found
    return found


def _inside(hit: Found, other: Found) -> bool:
    return (
        other.start <= hit.start
        and hit.end <= other.end
        and (other.end - other.start) > (hit.end - hit.start)
    )


class Reader:
    def __init__(
        self,
        red_flags: RedFlagFinder,
        muscles: Choices,
        moods: Choices,
        answers: Choices,
        remarks: Choices,
        commands: Choices,
        negation: Negation,
        lexicon: Mapping[str, Any],
        muscle_doubt: Sequence[Pattern] = (),
    ) -> None:
        self.red_flags = red_flags
        # The vocabulary this reader was built from (the models are generated from it too).
        self.lexicon = lexicon
        # Report intents, with what their carrier phrase means ("FeelReportIntent": "i feel").
        self.report_intents: Mapping[str, str] = lexicon["report_intents"]
        self._muscles = muscles
        self._moods = moods
        self._answers = answers
        self._remarks = remarks
        self._commands = commands
        self._negation = negation
        self._muscle_doubt = tuple(muscle_doubt)

    def read(self, *texts: str | None) -> Reading:
        said = [t for t in texts if t]
        if not said:
            return Reading()
        toks = tokens(f" {BREAK} ".join(said))
        return Reading(
            flag=self.red_flags.find(*said),
            muscle=self._muscles.only(toks, self._muscle_doubt),
            mood=self.mood(toks),
            answer=self._answers.first(toks),
            remark=self._remarks.first(toks),
            command=(command := self._commands.first(toks)),
            number=_step_number(toks) if command == "goto" else None,
        )

    def mood(self, toks: Sequence[str]) -> str | None:
        """How the cramp feels; where clauses disagree, the last one says how it is now."""
        by_clause: dict[int, list[str]] = {}
        for seen in self._moods.seen(toks):
            mood = _DENIED_MOOD[seen.value] if seen.denied else seen.value
            by_clause.setdefault(self._negation.clause_start(toks, seen.found.start), []).append(
                mood
            )
        if not by_clause:
            return None
        last = by_clause[max(by_clause)]
        return min(last, key=_MOOD_RANK.__getitem__)
