"""Safety: the emergency check comes first, red flags escalate at any moment, nothing is kept.

The corpus below is said mid-routine, through the simulator's matcher, as real envelopes into
lambda_handler; each must reach its escalation level, and ordinary talk must not.
"""

from __future__ import annotations

import logging
import time

import pytest
from conversation import Conversation

from skill.content import content_for
from skill.speech import ssml_to_display

C = content_for("en-US")

E1 = [
    "my chest hurts", "I've got chest pain", "there's a pain in my chest", "my chest is tight",
    "I can't breathe properly", "I can't breathe", "I'm struggling to breathe",
    "I'm short of breath", "it's hard to breathe", "I feel dizzy", "I'm dizzy",
    "I'm a bit light headed", "I think I'm going to faint", "I feel faint",
    "I think I might pass out", "I nearly passed out", "I'm throwing up", "I just threw up",
    "I've been sick", "I feel sick", "I'm vomiting", "I'm really hot and confused",
    "I'm overheating", "I feel very hot", "I'm confused", "my words are slurring",
    "my legs gave way", "I collapsed", "I think I had a seizure",
    "help my chest hurts", "I can't keep water down",
]  # fmt: skip
E2 = [
    "my calf is swollen", "my leg is swollen", "my calf looks swollen",
    "there's swelling in my calf",
    "my leg is red and warm", "my calf is red and hot", "my leg feels warm",
    "one leg is darker than the other", "my leg feels numb", "my foot is numb",
    "I can't feel my toes", "I've got pins and needles", "my leg is weak",
    "my leg feels weak", "my pee is dark", "my urine is dark", "my pee looks like cola",
    "I have diarrhea", "I think it's a blood clot", "my calf is puffy", "I'm on water pills",
]  # fmt: skip
E3 = [
    "I get these cramps all the time", "it happens every run", "this keeps happening",
    "it keeps coming back", "I'm pregnant", "I just started a new medicine",
    "I started taking statins", "I have diabetes", "I'm diabetic",
    "I've got a thyroid problem", "they wake me up at night", "it came out of nowhere",
    "I keep getting cramps",
]  # fmt: skip
ORDINARY = [
    "next", "it's a bit better", "my calf still feels tight", "ok", "ready", "done",
    "go back", "repeat", "how many steps are left", "it's easing", "it's gone",
    "it's still cramping", "I'm fine", "it feels good", "it's loosening up",
    "I'm sitting down now", "what's next", "help", "pause", "resume", "go to step 3",
    "it's a bit sore", "my leg is sore", "it's tight", "I'm okay", "thanks", "that's better",
    "it hurts a bit", "my calf hurts", "I'm not dizzy", "no chest pain", "I don't feel sick",
    "it's not swollen", "say that again", "yes", "carry on",
    # A cramp can stop you standing (F1.2): that is the cramp, not a collapse (E1.4).
    "I can't stand up",
]  # fmt: skip


def level_of(talk: Conversation) -> str | None:
    response = talk.last_response["response"]
    card = response.get("card") or {}
    speech = ssml_to_display(response.get("outputSpeech", {}).get("ssml", ""))
    if card.get("title") == C.escalations["E1"]["card_title"]:
        return "E1"
    if card.get("title") == C.escalations["E2"]["card_title"]:
        return "E2"
    if C.say("e3_noted") in speech:
        return "E3"
    return None


def mid_routine() -> Conversation:
    talk = Conversation()
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("next")
    return talk


def test_the_corpus_is_big_enough() -> None:
    assert len(E1) + len(E2) + len(E3) >= 60
    assert len(ORDINARY) >= 30


@pytest.mark.parametrize(
    ("utterance", "level"),
    [(u, "E1") for u in E1] + [(u, "E2") for u in E2] + [(u, "E3") for u in E3],
)
def test_red_flag_escalates_at_the_right_level(utterance: str, level: str) -> None:
    talk = mid_routine()
    talk.say(utterance)
    assert level_of(talk) == level, utterance


@pytest.mark.parametrize("utterance", ORDINARY)
def test_ordinary_talk_does_not_escalate(utterance: str) -> None:
    talk = mid_routine()
    talk.say(utterance)
    assert level_of(talk) is None, utterance


@pytest.mark.parametrize("utterance", ["my chest hurts", "my calf is swollen"])
def test_red_flags_interrupt_even_the_first_question(utterance: str) -> None:
    talk = Conversation()
    talk.say("open cramp coach")
    talk.say(utterance)
    assert level_of(talk) in {"E1", "E2"}


def test_red_flag_words_inside_another_intents_slot_are_caught() -> None:
    talk = mid_routine()
    # "swollen calf" is no muscle value; it reaches the skill as the start intent's raw slot.
    talk.say("ask cramp coach to help with my swollen calf")
    assert level_of(talk) == "E2"


def test_first_response_gives_the_safe_action_and_the_emergency_question() -> None:
    talk = Conversation()
    reply = talk.say("ask cramp coach to help with my calf")
    assert C.routine("calf")[0].speech in reply.text
    assert reply.text.endswith(C.say("emergency_question"))
    assert C.routine("calf")[1].speech in talk.say("no").text


def test_bare_launch_hears_the_stretch_by_the_third_response() -> None:
    talk = Conversation()
    talk.say("open cramp coach")
    talk.say("my calf")
    assert C.routine("calf")[1].speech in talk.say("no").text


@pytest.mark.parametrize("answer", ["yes", "yeah"])
def test_yes_to_the_emergency_question_is_e1_and_ends_the_session(answer: str) -> None:
    talk = Conversation()
    talk.say("ask cramp coach to help with my calf")
    reply = talk.say(answer)
    assert level_of(talk) == "E1"
    assert reply.end_session
    response = talk.last_response["response"]
    assert "reprompt" not in response and "directives" not in response
    assert "call nine one one" in reply.text and "911" in response["card"]["title"]


def test_e1_never_says_alexa_will_call() -> None:
    for text in C.escalations["E1"]["reasons"].values():
        lowered = text.lower()
        assert "i'll call" not in lowered and "i will call" not in lowered
        assert "calling" not in lowered
        assert "call nine one one" in lowered


def test_e1_stops_the_routine_for_good() -> None:
    talk = mid_routine()
    talk.say("I feel dizzy")
    assert talk.last_response["sessionAttributes"]["progress"]["routine"] is None


def test_e2_stops_the_stretches_and_offers_to_repeat() -> None:
    talk = mid_routine()
    reply = talk.say("my calf is swollen")
    assert reply.text.startswith(C.escalations["E2"]["lead"])
    assert C.escalations["E2"]["reasons"]["clot"] in reply.text
    assert not reply.end_session
    reply = talk.say("next")
    assert reply.text.startswith(C.say("escalation_stopped"))
    reply = talk.say("go to step 2")
    assert C.routine("calf")[1].speech not in reply.text
    reply = talk.say("yes")
    assert C.escalations["E2"]["reasons"]["clot"] in reply.text
    reply = talk.say("no")
    assert reply.end_session


def test_e3_finishes_the_routine_then_gives_the_advice() -> None:
    talk = mid_routine()
    reply = talk.say("I get these cramps all the time")
    assert level_of(talk) == "E3"
    assert talk.progress["step"] == 2
    reply = talk.say("go to step 8")
    assert C.escalations["E3"]["reasons"]["frequent"] in reply.text


def test_ten_minute_rule_escalates_when_the_cramp_has_not_eased() -> None:
    talk = mid_routine()
    talk.say("go to step 2")
    progress = dict(talk.attributes["progress"])
    progress["started_at"] = time.time() - 601
    talk.envelopes.attributes = {**talk.attributes, "progress": progress}
    reply = talk.say("no")
    assert level_of(talk) == "E2"
    assert C.escalations["E2"]["reasons"]["long_cramp"] in reply.text


def test_under_ten_minutes_the_hold_is_repeated_instead() -> None:
    talk = mid_routine()
    talk.say("go to step 2")
    progress = dict(talk.attributes["progress"])
    progress["started_at"] = time.time() - 540
    talk.envelopes.attributes = {**talk.attributes, "progress": progress}
    reply = talk.say("no")
    assert level_of(talk) is None
    assert reply.text.startswith(C.say("hold_again"))


def test_help_carries_the_disclaimer() -> None:
    talk = mid_routine()
    assert C.say("disclaimer") in talk.say("help").text


def test_no_log_line_carries_the_symptom(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    talk = mid_routine()
    for said in ["my calf is swollen", "I'm pregnant", "my pee is dark"]:
        talk.say(said)
    logged = caplog.text.lower()
    for word in ["swollen", "pregnant", "pee", "dark", "clot"]:
        assert word not in logged
