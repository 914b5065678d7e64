"""Builds a locale's Reader from skill/content/lexicon.json, red_flags.json and the locale's
additions ("lexicon_extra" in its content file: words added, never removed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from skill.understanding.meaning import RedFlag
from skill.understanding.negation import Negation
from skill.understanding.patterns import Pattern, PatternError, WordClasses
from skill.understanding.reading import Choices, Reader
from skill.understanding.red_flags import DurationRule, FlagRule, RedFlagFinder
from skill.understanding.tokens import words


def merged(
    base: Mapping[str, Any], extra: Mapping[str, Any], path: str = "lexicon_extra"
) -> dict[str, Any]:
    """The shared lexicon with a locale's additions: lists grow, nothing is replaced."""
    result = dict(base)
    for key, value in extra.items():
        have = base.get(key)
        if isinstance(value, Mapping) and isinstance(have, Mapping):
            result[key] = merged(have, value, f"{path}.{key}")
        elif isinstance(value, list) and isinstance(have, list):
            result[key] = [*have, *value]
        elif have is None and path != "lexicon_extra":
            result[key] = value  # a word class or value the shared lexicon does not have
        else:
            raise PatternError(f"{path}.{key} must add to a list or a section of the lexicon")
    return result


def build_reader(lexicon: Mapping[str, Any], flags: Mapping[str, Mapping[str, Any]]) -> Reader:
    classes = WordClasses(lexicon["classes"])

    def compile_all(sources: Sequence[str]) -> tuple[Pattern, ...]:
        return tuple(Pattern(s, classes) for s in sources)

    def choices(
        section: Mapping[str, Sequence[str]], *, taken_back: bool = True, by_no: bool = True
    ) -> Choices:
        patterns = {value: compile_all(p) for value, p in section.items()}
        return Choices(patterns, negation, taken_back=taken_back, by_no=by_no)

    neg = lexicon["negation"]
    negation = Negation(
        negators=frozenset(neg["negators"]),
        no_words=frozenset(neg["no_words"]),
        no_blockers=frozenset(neg["no_blockers"]),
        doubts=compile_all(neg["doubts"]),
        resolved=compile_all(neg["resolved"]),
        clause_breaks=frozenset(neg["clause_breaks"]),
        restarts=frozenset(neg["restarts"]),
    )
    known = {
        flag_id: RedFlag(flag_id, meta["level"], meta["reason"]) for flag_id, meta in flags.items()
    }
    rules = []
    for flag_id, spec in lexicon["red_flags"].items():
        if flag_id not in known:
            raise PatternError(f"lexicon red flag {flag_id!r} is not in red_flags.json")
        rules.append(
            FlagRule(
                known[flag_id],
                compile_all(spec["patterns"]),
                compile_all(spec.get("unless", [])),
                frozenset(spec.get("overrides", [])),
            )
        )
    span = lexicon["durations"]
    missing = (
        set(known)
        - {r.flag.id for r in rules}
        - {
            span["cramp_flag"],
            span["soreness_flag"],
        }
    )
    if missing:
        raise PatternError(f"red flags without words in the lexicon: {sorted(missing)}")
    durations = DurationRule(
        cramp=known[span["cramp_flag"]],
        cramp_seconds=float(span["cramp_seconds"]),
        soreness=known[span["soreness_flag"]],
        soreness_seconds=float(span["soreness_seconds"]),
        soreness_words=compile_all(span["soreness_words"]),
        just_sore=compile_all(span["just_sore"]),
        cramping=compile_all(span["cramping"]),
        frequent=known[span["frequent_flag"]],
        frequent_seconds=float(span["frequent_seconds"]),
        frequent_words=compile_all(span["frequent_words"]),
        ongoing=compile_all(span["ongoing"]),
        about_other=compile_all(span["about_other"]),
        not_cramp_before=compile_all(span["not_cramp_before"]),
        qualifiers=frozenset(tuple(words(q)) for q in span["qualifiers"]),
        not_cramp_after=compile_all(span["not_cramp_after"]),
    )
    return Reader(
        red_flags=RedFlagFinder(
            rules,
            negation,
            durations,
            compile_all(lexicon["masks"]),
            combinations=[
                (frozenset(c["flags"]), known[c["then"]]) for c in lexicon["red_flag_combinations"]
            ],
            keep_unmasked=compile_all(lexicon["keep_unmasked"]),
        ),
        muscles=choices(lexicon["muscles"], taken_back=False),
        moods=choices(lexicon["moods"]),
        # An answer leads what is said ("yes, my chest hurts"), after at most two fillers;
        # "okay" in the middle of a sentence answers nothing.
        answers=choices(
            {
                value: [
                    *(f"^ (@filler|) (@filler|) {p}" for p in patterns),
                    # ...or ends it ("breathing hard from the run, otherwise no").
                    *lexicon["answer_endings"].get(value, []),
                ]
                for value, patterns in lexicon["answers"].items()
            }
        ),
        remarks=choices(lexicon["remarks"]),
        # "No, stop" is a stop, and "nah, leave it" still leaves it: no "no" denies a request.
        commands=choices(lexicon["commands"], taken_back=False, by_no=False),
        negation=negation,
        lexicon=lexicon,
        muscle_doubt=compile_all(lexicon["muscle_doubt"]),
    )
