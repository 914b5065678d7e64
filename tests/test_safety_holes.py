"""The safety holes of issue 16, closed, each through real envelopes (Lambda and signed HTTP).

- a yes with a symptom at the emergency question escalates; an unsure answer is asked once,
  then treated as yes;
- nothing passes the emergency question unanswered, "go to step 2" and "start over" included;
- worse pain stops the stretching and says what to do;
- pregnancy or a condition said with the opening or with "no" is kept for the end, and the
  muscle in the same sentence is not lost;
- "I can't stand up" is the cramp (F1.2), not a collapse (E1.4): the runner is told to stay
  sitting and the routine goes on.
"""

from __future__ import annotations

import pytest
from conversation import Conversation, NewConversation

from skill.content import content_for
from skill.speech import break_seconds

C = content_for("en-US")
E1_TITLE = C.escalations["E1"]["card_title"]
CALF = C.routine("calf")


def at_the_emergency_question(new: NewConversation) -> Conversation:
    talk = new()
    talk.say("ask cramp coach to help with my calf")
    assert talk.progress["pending"] == "emergency_check"
    return talk


def card_title(talk: Conversation) -> str | None:
    card = talk.card()
    return card["title"] if card else None


@pytest.mark.parametrize(
    "answer", ["yes my chest hurts", "yes I threw up", "yeah I feel a bit dizzy", "yes"]
)
def test_a_yes_with_a_symptom_at_the_emergency_question_is_an_emergency(
    new: NewConversation, answer: str
) -> None:
    talk = at_the_emergency_question(new)
    reply = talk.say(answer)
    assert reply.end_session and card_title(talk) == E1_TITLE


@pytest.mark.parametrize("answer", ["maybe", "I think so", "not sure", "possibly, I don't know"])
def test_an_unsure_answer_is_asked_once_then_treated_as_yes(
    new: NewConversation, answer: str
) -> None:
    talk = at_the_emergency_question(new)
    reply = talk.say(answer)
    assert C.say("emergency_unsure") in reply.text and not reply.end_session
    assert CALF[1].speech not in reply.text
    reply = talk.say(answer)
    assert reply.end_session and card_title(talk) == E1_TITLE


def test_unsure_then_no_goes_on_to_the_stretch(new: NewConversation) -> None:
    talk = at_the_emergency_question(new)
    talk.say("maybe")
    assert CALF[1].speech in talk.say("no").text


@pytest.mark.parametrize(
    "move", ["go to step 2", "go to step 5", "next", "go back", "skip", "what's next"]
)
def test_no_move_passes_the_emergency_question(new: NewConversation, move: str) -> None:
    talk = at_the_emergency_question(new)
    reply = talk.say(move)
    assert talk.progress["step"] == 0 and talk.progress["pending"] == "emergency_check"
    assert reply.text.endswith(C.say("emergency_question_again"))
    for step in CALF[1:]:
        assert step.speech not in reply.text


def test_start_over_asks_the_emergency_question_again_and_holds_there(
    new: NewConversation,
) -> None:
    talk = at_the_emergency_question(new)
    talk.say("no")
    talk.say("next")
    talk.say("start over")
    assert talk.progress["pending"] == "emergency_check"
    reply = talk.say("go to step 3")
    assert talk.progress["step"] == 0
    assert CALF[2].speech not in reply.text


@pytest.mark.parametrize(
    "worse", ["it hurts more", "it's getting worse", "ow that made it worse", "way worse"]
)
def test_worse_pain_stops_the_stretching(new: NewConversation, worse: str) -> None:
    talk = at_the_emergency_question(new)
    talk.say("no")
    assert talk.progress["pending"] == "eased"
    reply = talk.say(worse)
    assert C.say("pain_worse") in reply.text
    assert not break_seconds(talk.last_response["response"]["outputSpeech"]["ssml"])
    assert talk.progress["worse"] is True
    # Going back to the stretch never counts another hold in this routine.
    reply = talk.say("go back")
    reply = talk.say("go to step 2")
    assert C.say("no_stretch_when_worse") in reply.text
    assert not break_seconds(talk.last_response["response"]["outputSpeech"]["ssml"])


def test_worse_pain_after_ten_minutes_is_a_doctor_today(new: NewConversation) -> None:
    talk = at_the_emergency_question(new)
    talk.say("no")
    progress = {**talk.attributes["progress"], "started_at": 0}
    talk.envelopes.attributes = {**talk.attributes, "progress": progress}
    talk.say("it's getting worse")
    assert card_title(talk) == C.escalations["E2"]["card_title"]


@pytest.mark.parametrize(
    ("opening", "muscle"),
    [
        ("ask cramp coach I'm pregnant and my calf is cramping", "calf"),
        ("ask cramp coach my hamstring's seized and I'm diabetic", "hamstring"),
    ],
)
def test_a_condition_in_the_opening_is_kept_and_so_is_the_muscle(
    new: NewConversation, opening: str, muscle: str
) -> None:
    talk = new()
    reply = talk.say(opening)
    assert talk.progress["routine"] == muscle
    assert talk.progress["e3_reason"] == "condition"
    assert reply.text.endswith(C.say("emergency_question"))
    talk.say("no")
    reply = talk.say("go to step 8")
    assert C.escalations["E3"]["reasons"]["condition"] in reply.text


def test_no_but_pregnant_is_a_no_and_the_condition_is_told_at_the_end(
    new: NewConversation,
) -> None:
    talk = at_the_emergency_question(new)
    reply = talk.say("no but I'm pregnant")
    assert CALF[1].speech in reply.text  # the no was taken: on to the stretch
    assert reply.text.startswith(C.say("e3_noted"))
    assert talk.progress["e3_reason"] == "condition"
    reply = talk.say("stop")
    assert C.escalations["E3"]["reasons"]["condition"] in reply.text


@pytest.mark.parametrize("said", ["I can't stand up", "I can't put any weight on it"])
def test_a_cramp_that_stops_standing_is_not_a_collapse(new: NewConversation, said: str) -> None:
    talk = at_the_emergency_question(new)
    talk.say("no")
    talk.say("next")
    reply = talk.say(said)
    assert not reply.end_session and card_title(talk) != E1_TITLE
    assert C.say("remark_cant_stand") in reply.text
    assert talk.progress["step"] == 2


def test_legs_giving_way_is_still_a_collapse(new: NewConversation) -> None:
    talk = at_the_emergency_question(new)
    talk.say("no")
    reply = talk.say("my legs just gave way")
    assert reply.end_session and card_title(talk) == E1_TITLE
