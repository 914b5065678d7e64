"""Whether a mention is denied: "no chest pain", "I'm not dizzy", "my chest is fine".

Not negations: "no, my chest hurts" ("no" answers the question, then a new statement starts),
"not sure if it's swollen" (doubt is not denial), "never been this dizzy" (an intensifier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from skill.understanding.patterns import Found, Pattern
from skill.understanding.tokens import BREAK

# How many words before a mention a negator may stand ("I don't feel sick").
WINDOW = 3


@dataclass(frozen=True)
class Negation:
    negators: frozenset[str]
    # "no" negates only what follows it directly: these words after it start a new statement.
    no_words: frozenset[str]
    no_blockers: frozenset[str]
    # Phrases that begin with a negator but deny nothing ("not sure", "never been this").
    doubts: tuple[Pattern, ...]
    # What, said right after a mention, takes it back ("chest is fine", "the dizziness has gone").
    resolved: tuple[Pattern, ...]
    # Words that end a clause, so a denial before them does not reach past them ("but").
    clause_breaks: frozenset[str]
    # Fillers after a negator mean the speaker started again: "I don't, um, where am I?"
    restarts: frozenset[str] = frozenset()

    def clause_start(self, toks: Sequence[str], index: int) -> int:
        for i in range(index - 1, -1, -1):
            if toks[i] == BREAK or toks[i] in self.clause_breaks:
                return i + 1
        return 0

    def clause_end(self, toks: Sequence[str], index: int) -> int:
        for i in range(index, len(toks)):
            if toks[i] == BREAK or toks[i] in self.clause_breaks:
                return i
        return len(toks)

    def denied(
        self,
        toks: Sequence[str],
        found: Found,
        *,
        taken_back: bool = True,
        by_no: bool = True,
    ) -> bool:
        """Whether the mention is denied before it, or (with `taken_back`) taken back after it.

        A muscle is never taken back: "my hammy's gone" names the hamstring. Without `by_no`, a
        bare "no" denies nothing: "ten, no, more like fifteen minutes" corrects itself.
        """
        start = self.clause_start(toks, found.start)
        previous_end = start
        for index, (part_start, part_end) in enumerate(found.parts):
            lo = max(previous_end, part_start - WINDOW)
            if self._negator_before(toks, lo, part_start, by_no=by_no):
                return True
            # "chest fine, calf tight": a take-back between two parts counts, one that runs
            # into the next part is that part ("much | better").
            limit = found.parts[index + 1][0] if index + 1 < len(found.parts) else len(toks)
            for pattern in self.resolved if taken_back else ():
                undone = pattern.match_at(toks, part_end)
                if undone is not None and undone.end <= limit:
                    return True
            previous_end = part_end
        return False

    def _negator_before(self, toks: Sequence[str], lo: int, hi: int, *, by_no: bool) -> bool:
        if hi < len(toks) and toks[hi] in self.negators:
            return False  # "no, not really", "nah not yet": the mention is the denial itself
        for i in range(lo, hi):
            word = toks[i]
            if word not in self.negators:
                continue
            if any(p.match_at(toks, i) is not None for p in self.doubts):
                continue
            if any(t in self.restarts for t in toks[i + 1 : hi]):
                continue
            if word in self.no_words and (
                not by_no or any(t in self.no_blockers for t in toks[i + 1 : hi + 1])
            ):
                continue
            return True
        return False
