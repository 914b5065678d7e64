"""Understanding runners in their own words (issue 12), judged on words it was not built from.

The labelled corpora (tests/corpus/, see its README) run through the simulator's matcher and real
envelopes (bench/understanding.py). Every red flag must reach its level, no ordinary remark may
escalate, and at least 95% of the rest must be right, in every part, held-out parts included.
Then each concept family once more through Lambda and signed HTTP, and the safety net for words
the skill does not catch at all.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest
from conversation import Conversation, NewConversation

from bench import understanding
from skill.content import content_for
from skill.speech import break_seconds

C = content_for("en-US")
E1_TITLE = C.escalations["E1"]["card_title"]
E2_TITLE = C.escalations["E2"]["card_title"]


@cache
def report(part: str) -> understanding.Report:
    return understanding.run(understanding.load([part]))


def test_the_corpus_is_big_and_varied_enough() -> None:
    lines = understanding.load()
    assert len(lines) >= 600
    expects = Counter(line.expect for line in lines)
    for level in ("E1", "E2", "E3", "ordinary"):
        assert expects[level] >= 60, level
    voices = Counter(line.voice for line in lines)
    assert {"us", "uk", "au", "in", "nonnative"} <= set(voices)
    assert [p for p in understanding.parts() if p.startswith("heldout")], "no held-out part"
    # Within a part the same words may answer two questions ("yes"), never one twice; two
    # writers working apart may both write "calf".
    said = Counter((line.part, understanding.normalise(line.text), line.at) for line in lines)
    assert max(said.values()) == 1, said.most_common(3)


@pytest.mark.parametrize("part", understanding.parts())
def test_every_part_meets_the_bar(part: str) -> None:
    result = report(part)
    rows = result.rows()
    for level in ("E1", "E2", "E3", "ordinary"):
        right, total = rows[level]
        assert right == total, (part, level, result.failures())
    assert result.failures() == []


def test_the_judge_fails_a_wrong_answer() -> None:
    # The bar is only worth something if a wrong behaviour is seen as wrong.
    wrong = [
        understanding.Line("probe", "my chest hurts", "step", "ordinary", "us"),
        understanding.Line("probe", "next", "step", "back", "us"),
        understanding.Line("probe", "my calf is a bit sore", "step", "E2", "us"),
        understanding.Line("probe", "no", "emergency", "E1", "us"),
    ]
    assert not any(understanding.judge(line).right for line in wrong)


# ----- each concept family through real envelopes ----------------------------------------------


def mid_routine(new: NewConversation) -> Conversation:
    talk = new()
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("next")
    return talk


def level_of(talk: Conversation) -> str | None:
    card = talk.card() or {}
    if card.get("title") == E1_TITLE:
        return "E1"
    if card.get("title") == E2_TITLE:
        return "E2"
    return "E3" if talk.progress.get("e3_reason") else None


@pytest.mark.parametrize(
    ("said", "level"),
    [
        # the chest with any word for pain, pressure or tightness; pain that spreads
        ("there's a weight on my chest", "E1"),
        ("feels like a band squeezing across my chest", "E1"),
        ("pain going down my left arm", "E1"),
        # dizziness and fainting told by what the runner sees or feels
        ("everything's gone grey and swimmy", "E1"),
        ("I feel like I'm going to keel over", "E1"),
        # one leg bigger, hotter or another colour than the other
        ("my left calf is way fatter than the right", "E2"),
        ("one leg has gone a funny colour", "E2"),
        # dark pee in any words
        ("my wee was the colour of coke this morning", "E2"),
        # fluid lost earlier (E2.5); being sick now is E1
        ("I had the runs all last night", "E2"),
        ("I threw up this morning", "E2"),
        ("I'm throwing up", "E1"),
        # medicines and conditions (E3)
        ("I started on statins last month", "E3"),
        ("I'm expecting, about five months", "E3"),
        ("these wake me up most nights", "E3"),
        # words that lead a report and carry its meaning ("stabbing", "the doctor", "new pills"):
        # Alexa sends only the words after them, so the skill must put that meaning back
        ("stabbing right across my chest", "E1"),
        ("shooting down into my left arm", "E1"),
        ("the doctor put me on a cholesterol tablet", "E3"),
        ("new pills for my blood pressure", "E3"),
        # breathless at rest, not from the run; confusion or a fit seen by someone else
        ("out of breath just sitting here on the kerb", "E1"),
        ("he's having a fit on the grass", "E1"),
        ("she doesn't know what day it is", "E1"),
        # a colour or size told by comparing; pee described by what it looked like
        ("it's gone kind of blue, the other leg's fine", "E2"),
        ("the right one is like way thicker", "E2"),
        ("went to the toilet and it looked like black tea", "E2"),
        # how often, told by counting
        ("that's the fourth cramp this month", "E3"),
    ],
)
def test_a_concept_said_in_the_runners_words_reaches_its_level(
    new: NewConversation, said: str, level: str
) -> None:
    talk = mid_routine(new)
    talk.say(said)
    assert level_of(talk) == level, said


@pytest.mark.parametrize(
    "said",
    [
        "no chest pain or anything",
        "I'm breathing hard but that's just the run",
        "sweating buckets here",
        "my calf is really tight",
        "this is killing me",
        "sick of these cramps",
        "been running for an hour today",
        "it's boiling out here today",
        "my wife's pregnant, she's timing me",
        "no pain in the chest, only the calf is paining",
        "I was breathless on the last hill, fine now though",
        "it came out of nowhere halfway through my run",
        "only been a minute or two but it feels like forever",
        "I don't feel dizzy, um, just the calf",
    ],
)
def test_an_ordinary_remark_stays_ordinary(new: NewConversation, said: str) -> None:
    talk = mid_routine(new)
    reply = talk.say(said)
    assert level_of(talk) is None and not reply.end_session, said


@pytest.mark.parametrize(
    ("said", "level"),
    [
        ("it's been locked up for twenty minutes", "E2"),
        ("it's been going half an hour", "E2"),
        ("since this morning", "E2"),
        ("it started at eight and it's nearly twenty past now", "E2"),
        ("it started at quarter past nine and it's nearly ten now", "E2"),
        ("half ten now, it started at ten", "E2"),
        ("been sat with it a good hour", "E2"),
        ("since before breakfast", "E2"),
        ("it started at five to eight and it's eight now", None),
        ("it comes back on and off for months", "E3"),
        ("only a couple of minutes", None),
        ("I ran for forty minutes before it cramped", None),
    ],
)
def test_a_spoken_duration_is_held_to_the_ten_minute_rule(
    new: NewConversation, said: str, level: str | None
) -> None:
    talk = new()
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")  # the hold, and "has it eased?"
    talk.say(said)
    assert level_of(talk) == level, said


@pytest.mark.parametrize(
    "said", ["still tight and my chest feels tight", "not really, and I feel a bit dizzy"]
)
def test_a_red_flag_wins_over_still_tight(new: NewConversation, said: str) -> None:
    talk = new()
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    assert talk.progress["pending"] == "eased"
    talk.say(said)
    assert level_of(talk) == "E1"
    assert not break_seconds(talk.last_response["response"]["outputSpeech"]["ssml"])


# ----- the safety net for what is not understood --------------------------------------------


def test_words_not_caught_keep_the_step_and_say_how_to_get_help(new: NewConversation) -> None:
    talk = mid_routine(new)
    reply = talk.say("zebra crossings banana")  # nothing the model knows
    assert C.say("fallback") in reply.text
    assert "call nine one one" in reply.text and talk.progress["step"] == 2
    reply = talk.say("zebra crossings banana")
    assert C.say("fallback_twice") in reply.text
    reply = talk.say("next")  # understood again: the count starts over
    assert talk.progress["step"] == 3 and talk.progress["misses"] == 0


def test_words_not_caught_twice_at_the_emergency_question_give_the_advice(
    new: NewConversation,
) -> None:
    talk = new()
    talk.say("ask cramp coach to help with my calf")
    reply = talk.say("zebra crossings banana")
    assert reply.text.endswith(C.say("emergency_question_again"))
    reply = talk.say("zebra crossings banana")
    assert C.say("emergency_missed_twice") in reply.text
    assert talk.progress["pending"] == "emergency_check" and not reply.end_session


# ----- answers and requests in their own words ------------------------------------------------


@pytest.mark.parametrize(
    ("said", "pending"),
    [
        ("nup", "eased"),  # Australian no: on to the stretch
        ("fine other than the cramp", "eased"),
        ("sort of, I couldn't tell you", "emergency_unsure"),
        ("I think no, maybe", "emergency_unsure"),
        ("a little bit, I don't know", "emergency_unsure"),
    ],
)
def test_the_emergency_question_takes_answers_in_any_words(
    new: NewConversation, said: str, pending: str
) -> None:
    talk = new()
    talk.say("ask cramp coach to help with my calf")
    talk.say(said)
    assert talk.progress["pending"] == pending, said


@pytest.mark.parametrize(
    ("said", "step"),
    [
        ("just jump ahead to the sixth one", 6),
        ("from the top please", 1),
        ("return to before", 2),
        ("proceed", 4),
    ],
)
def test_requests_in_their_own_words_move_the_routine(
    new: NewConversation, said: str, step: int
) -> None:
    talk = mid_routine(new)  # the massage, step 3
    talk.say(said)
    assert talk.progress["step"] + 1 == step, said
