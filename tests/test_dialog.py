"""Whole dialogs, one test per behaviour the runner relies on.

Every test runs twice: through lambda_handler, and over real HTTP against the web service with
signature verification on (the `new` fixture in conftest.py).
"""

from __future__ import annotations

import pytest
from conversation import Conversation, NewConversation

from skill.content import content_for
from skill.simulator.matcher import Match, SlotFill

C = content_for("en-US")
CALF = C.routine("calf")


def started(
    new: NewConversation, utterance: str = "ask cramp coach to help with my calf"
) -> Conversation:
    """A conversation that has passed the emergency check and hears the stretch."""
    talk = new()
    talk.say(utterance)
    talk.say("no")
    return talk


def test_launch_asks_for_the_muscle_with_disclaimer_and_reprompt(new: NewConversation) -> None:
    talk = new()
    reply = talk.say("open cramp coach")
    assert C.say("welcome") in reply.text
    assert C.say("disclaimer") in reply.text
    assert reply.text.endswith(C.say("ask_muscle"))
    assert not reply.end_session
    assert C.say("ask_muscle_reprompt") in (talk.reprompt() or "")


@pytest.mark.parametrize(
    ("utterance", "routine"),
    [
        ("ask cramp coach to help with my calf", "calf"),
        ("ask cramp coach to help with my hamstring", "hamstring"),
        ("ask cramp coach what to do for a cramp in my foot", "foot"),
        ("ask cramp coach to help with the front of my thigh", "quadriceps"),
        ("ask cramp coach to help with my calves", "calf"),
        ("ask cramp coach to help with my lower leg", "calf"),
        ("ask cramp coach to help with the back of my thigh", "hamstring"),
        ("ask cramp coach to help with my quad", "quadriceps"),
        ("ask cramp coach to help with my arch", "foot"),
        ("ask cramp coach to help with my toes", "foot"),
    ],
)
def test_one_shot_goes_straight_to_that_muscles_routine(
    new: NewConversation, utterance: str, routine: str
) -> None:
    talk = new()
    reply = talk.say(utterance)
    steps = C.routine(routine)
    assert steps[0].speech in reply.text
    assert reply.text.endswith(C.say("emergency_question"))
    assert talk.progress["routine"] == routine
    # The stretch for that muscle comes by the second response.
    reply = talk.say("no")
    assert steps[1].speech in reply.text
    assert talk.progress["step"] == 1


def test_unknown_muscle_is_asked_once_then_the_general_routine_runs(new: NewConversation) -> None:
    talk = new()
    talk.say("open cramp coach")
    reply = talk.say("I don't know")
    assert talk.progress["routine"] == "general"
    assert C.say("routine_general") in reply.text
    assert C.routine("general")[0].speech in reply.text


def test_start_without_muscle_slot_asks_which_muscle(new: NewConversation) -> None:
    talk = new()
    reply = talk.send(Match("StartRoutineIntent", {}, ("muscle",)))
    assert reply.text.endswith(C.say("ask_muscle"))
    assert talk.progress["pending"] == "muscle"


def test_unmatched_muscle_value_is_treated_as_unknown(new: NewConversation) -> None:
    talk = new()
    talk.say("open cramp coach")
    elbow = SlotFill("muscle", "elbow", "MUSCLE")
    reply = talk.send(Match("StartRoutineIntent", {"muscle": elbow}, ("muscle",)))
    assert talk.progress["routine"] == "general"
    assert C.say("routine_general") in reply.text


def test_next_and_done_and_ready_move_one_step(new: NewConversation) -> None:
    talk = started(new)
    moves = [("yes", 2), ("next", 3), ("no", 3), ("done", 4), ("ready", 5), ("ok what's next", 6)]
    for said, index in moves:
        reply = talk.say(said)
        assert talk.progress["step"] == index, said
        assert CALF[index].speech in reply.text or said == "no"


def test_go_back_returns_to_the_previous_step_and_stops_at_the_first(new: NewConversation) -> None:
    talk = started(new)
    talk.say("next")
    reply = talk.say("go back")
    assert talk.progress["step"] == 1
    assert CALF[1].speech in reply.text
    talk.say("go back")
    reply = talk.say("go back")
    assert talk.progress["step"] == 0
    assert reply.text.startswith(C.say("first_step"))


def test_repeat_says_exactly_what_was_said_last(new: NewConversation) -> None:
    talk = started(new)
    talk.say("next")
    before = talk.last_response["response"]["outputSpeech"]["ssml"]
    talk.say("say that again")
    assert talk.last_response["response"]["outputSpeech"]["ssml"] == before
    assert talk.progress["step"] == 2


def test_repeat_during_a_hold_repeats_the_countdown(new: NewConversation) -> None:
    talk = started(new)
    hold = talk.last_response["response"]["outputSpeech"]["ssml"]
    talk.say("repeat")
    assert talk.last_response["response"]["outputSpeech"]["ssml"] == hold
    assert hold.count("<break") >= 3


def test_repeat_in_a_new_session_says_the_current_step(new: NewConversation) -> None:
    talk = new()
    reply = talk.say("ask cramp coach to repeat")
    assert reply.text.endswith(C.say("ask_muscle"))


def test_hold_not_eased_holds_again(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.say("not really")
    assert reply.text.startswith(C.say("hold_again"))
    assert talk.progress["step"] == 1 and talk.progress["pending"] == "eased"


def test_feeling_better_at_the_check_moves_on(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.say("it's a bit better")
    assert talk.progress["step"] == 2
    assert reply.text.startswith(C.say("eased"))


def test_still_tight_at_the_check_holds_again(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.say("my calf still feels tight")
    assert reply.text.startswith(C.say("hold_again"))


def test_start_over_goes_back_to_the_first_step_and_the_check(new: NewConversation) -> None:
    talk = started(new)
    talk.say("next")
    reply = talk.say("start over")
    assert talk.progress["step"] == 0 and talk.progress["pending"] == "emergency_check"
    assert reply.text.endswith(C.say("emergency_question"))


@pytest.mark.parametrize("number", [1, 3, 8])
def test_go_to_step_n(new: NewConversation, number: int) -> None:
    talk = started(new)
    reply = talk.say(f"go to step {number}")
    assert talk.progress["step"] == number - 1
    assert reply.text.startswith(C.say("step_number", number=number))


@pytest.mark.parametrize("utterance", ["go to step 9", "go to step 0", "go to step 42"])
def test_go_to_step_out_of_range_says_how_many_and_stays(
    new: NewConversation, utterance: str
) -> None:
    talk = started(new)
    talk.say("next")
    reply = talk.say(utterance)
    assert talk.progress["step"] == 2
    assert C.say("goto_out_of_range", total=len(CALF)) in reply.text
    assert not reply.end_session


def test_go_to_step_with_missing_or_odd_number_asks_which(new: NewConversation) -> None:
    talk = started(new)
    for slot in ({}, {"number": SlotFill("number", "?", "AMAZON.NUMBER")}):
        reply = talk.send(Match("GoToStepIntent", slot, ("number",)))
        assert C.say("goto_missing", total=len(CALF)) in reply.text
        assert talk.progress["step"] == 1


def test_how_many_steps_are_left(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.say("how many steps are left")
    assert C.say("steps_left", number=2, total=len(CALF), left=len(CALF) - 2) in reply.text
    talk.say("go to step 8")
    reply = talk.say("how many steps are left")
    assert C.say("steps_left_last", number=8) in reply.text


def test_pause_then_resume_repeats_the_current_step(new: NewConversation) -> None:
    talk = started(new)
    talk.say("next")
    reply = talk.say("pause")
    assert reply.text == C.say("paused")
    assert not reply.end_session
    reply = talk.say("resume")
    assert CALF[2].speech in reply.text
    assert talk.progress["paused"] is False


def test_help_says_what_to_say_with_disclaimer_then_the_current_question(
    new: NewConversation,
) -> None:
    talk = started(new)
    talk.say("next")
    reply = talk.say("help")
    assert reply.text.startswith(C.say("help"))
    assert C.say("disclaimer") in reply.text
    # The step's own question, not the whole step again (short turns): "repeat" says it all.
    assert reply.text.endswith(CALF[2].question) and CALF[2].speech not in reply.text
    assert talk.progress["step"] == 2


def test_fallback_gives_a_hint_and_keeps_the_step(new: NewConversation) -> None:
    talk = started(new)
    talk.say("next")
    reply = talk.say("purple monkey dishwasher")
    assert reply.text.startswith(C.say("fallback"))
    assert talk.progress["step"] == 2
    assert not reply.end_session


def test_unknown_intent_is_answered_like_the_fallback(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.send(Match("OrderPizzaIntent"))
    assert reply.text.startswith(C.say("fallback"))
    assert talk.progress["step"] == 1


def test_yes_and_no_outside_a_question_get_a_hint(new: NewConversation) -> None:
    talk = started(new)
    talk.say("next")
    for said in ("yes", "no"):
        reply = talk.say(said)
        assert reply.text.startswith(C.say("noted"))
        assert talk.progress["step"] == 2


def test_cold_pack_timer_offer_declined_moves_on_when_asked(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.say("go to step 4")
    assert reply.text.endswith(CALF[3].question)
    reply = talk.say("no")
    assert reply.text.startswith(C.say("timer_skipped"))
    talk.say("next")
    assert talk.progress["step"] == 4


def test_closing_offers_tips_and_no_ends_kindly(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.say("go to step 8")
    assert reply.text.endswith(CALF[7].question)
    reply = talk.say("no")
    assert reply.end_session
    assert reply.text == C.say("finished")


def test_all_tips_then_goodbye(new: NewConversation) -> None:
    talk = started(new)
    talk.say("go to step 8")
    said = [talk.say("yes").text for _ in C.tips]
    for tip, text in zip(C.tips, said, strict=True):
        assert text.startswith(tip.text)
    assert talk.last_response["response"]["shouldEndSession"] is True


@pytest.mark.parametrize("utterance", ["stop", "cancel", "never mind"])
def test_stop_and_cancel_end_with_a_safety_line(new: NewConversation, utterance: str) -> None:
    talk = started(new)
    reply = talk.say(utterance)
    assert reply.end_session
    assert reply.text == C.say("stop")
    assert "reprompt" not in talk.last_response["response"]


def test_navigate_home_ends_the_session(new: NewConversation) -> None:
    talk = started(new)
    reply = talk.send(Match("AMAZON.NavigateHomeIntent"))
    assert reply.end_session


def test_session_ended_request_gets_an_empty_response(new: NewConversation) -> None:
    talk = started(new)
    response = talk.raw({"type": "SessionEndedRequest", "reason": "USER_INITIATED"})
    assert "outputSpeech" not in response["response"]


def test_every_open_response_has_a_reprompt_and_a_card_for_steps(new: NewConversation) -> None:
    talk = started(new)
    for said in ["next", "next", "no", "next", "next", "next"]:
        talk.say(said)
        assert talk.reprompt()
        card = talk.card()
        assert card is not None
        step = CALF[talk.progress["step"]]
        assert step.title in card["title"] and card["content"]


def test_malformed_session_attributes_do_not_crash(new: NewConversation) -> None:
    talk = started(new)
    talk.envelopes.attributes = {"progress": {"v": 1, "routine": 7, "step": "x"}, "last": 5}
    reply = talk.say("next")
    assert not reply.end_session
    talk.envelopes.attributes = {"progress": {"v": 1, "routine": "calf", "step": 999}}
    reply = talk.say("how many steps are left")
    assert C.say("steps_left_last", number=len(CALF)) in reply.text
    talk.envelopes.attributes = {"progress": "garbage"}
    reply = talk.say("repeat")
    assert not reply.end_session
