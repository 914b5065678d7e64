"""The cold-pack timer against a local server that follows the Timers API contract.

The skill reaches the server through the envelope's context.System.apiEndpoint with the
envelope's apiAccessToken, exactly as it reaches Alexa's API in production.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from conversation import Conversation, NewConversation

from skill.content import content_for
from skill.simulator.timers_api import MAX_TIMERS, TimersApi, body_problem
from skill.speech import ssml_to_display
from skill.timers import TIMERS_SCOPE

C = content_for("en-US")
COLD = C.routine("calf")[3]
FALLBACK = C.say("timer_fallback", timer_minutes=COLD.timer_minutes)


@pytest.fixture
def api() -> Iterator[TimersApi]:
    server = TimersApi(token="test-access-token").start()
    yield server
    server.stop()


def at_cold_pack(new: NewConversation, api: TimersApi, *, granted: bool) -> Conversation:
    talk = new()
    talk.envelopes.api_endpoint = api.base_url
    talk.envelopes.api_access_token = api.token
    if granted:
        talk.envelopes.granted_scopes.add(TIMERS_SCOPE)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    reply = talk.say("go to step 4")
    assert reply.text.endswith(COLD.question)
    return talk


def consent_answer(talk: Conversation, status: str) -> str:
    directive = talk.last_response["response"]["directives"][0]
    response = talk.raw(
        {
            "type": "Connections.Response",
            "name": "AskFor",
            "status": {"code": "200", "message": "OK"},
            "token": directive["token"],
            "payload": {
                "permissionScopes": [{"permissionScope": TIMERS_SCOPE, "consentLevel": "ACCOUNT"}],
                "status": status,
            },
        }
    )
    return ssml_to_display(response["response"]["outputSpeech"]["ssml"])


def test_first_yes_asks_for_consent_by_voice(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=False)
    reply = talk.say("yes")
    response = talk.last_response["response"]
    (directive,) = response["directives"]
    assert directive["type"] == "Connections.SendRequest" and directive["name"] == "AskFor"
    assert directive["payload"]["@type"] == "AskForPermissionsConsentRequest"
    assert directive["payload"]["permissionScopes"][0]["permissionScope"] == TIMERS_SCOPE
    assert "reprompt" not in response and response.get("shouldEndSession") is not True
    assert reply.text.startswith(C.say("timer_consent"))
    assert api.calls == []


def test_consent_accepted_sets_an_announcing_timer(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=False)
    talk.say("yes")
    said = consent_answer(talk, "ACCEPTED")
    assert said.startswith(C.say("timer_set", minutes=COLD.timer_minutes))
    ((method, path, body),) = api.calls
    assert (method, path) == ("POST", "/v1/alerts/timers")
    assert body_problem(body) is None
    assert body["duration"] == f"PT{COLD.timer_minutes}M"
    assert body["timerLabel"] == C.say("timer_label")
    operation = body["triggeringBehavior"]["operation"]
    assert operation["type"] == "ANNOUNCE"
    assert operation["textToAnnounce"] == [{"locale": "en-US", "text": C.say("timer_announce")}]
    (timer_id,) = api.timers
    assert talk.progress["timer"]["id"] == timer_id and talk.progress["timer"]["step"] == 3
    assert talk.last_response["response"]["shouldEndSession"] is False


@pytest.mark.parametrize(
    ("status", "expected"),
    [("DENIED", [C.say("timer_denied"), FALLBACK]), ("NOT_ANSWERED", [FALLBACK])],
)
def test_consent_refused_or_unanswered_gives_spoken_advice(
    new: NewConversation, api: TimersApi, status: str, expected: list[str]
) -> None:
    talk = at_cold_pack(new, api, granted=False)
    talk.say("yes")
    said = consent_answer(talk, status)
    assert said.startswith(" ".join(expected))
    assert api.calls == []
    assert talk.progress["step"] == 3 and talk.progress["pending"] is None


def test_consent_is_asked_only_once(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=False)
    talk.say("yes")
    consent_answer(talk, "DENIED")
    talk.say("go to step 4")
    reply = talk.say("yes")
    assert "directives" not in talk.last_response["response"]
    assert reply.text.startswith(FALLBACK)


def test_with_permission_yes_sets_the_timer_at_once(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    reply = talk.say("yes")
    assert reply.text.startswith(C.say("timer_set", minutes=COLD.timer_minutes))
    assert len(api.timers) == 1
    reply = talk.say("next")
    assert talk.progress["step"] == 4 and C.routine("calf")[4].speech in reply.text


@pytest.mark.parametrize(
    ("status", "phrase"),
    [
        (400, "timer_too_many"),
        (403, "timer_unsupported"),
        (500, "timer_failed"),
        (504, "timer_offline"),
    ],
)
def test_each_api_error_gets_a_spoken_answer_and_keeps_the_place(
    new: NewConversation, api: TimersApi, status: int, phrase: str
) -> None:
    talk = at_cold_pack(new, api, granted=True)
    api.fail_status = status
    reply = talk.say("yes")
    assert reply.text.startswith(f"{C.say(phrase)} {FALLBACK}")
    assert talk.progress["step"] == 3 and talk.progress["timer"] is None
    assert not reply.end_session
    assert CALF_NEXT in talk.say("next").text


CALF_NEXT = C.routine("calf")[4].speech


def test_401_despite_permission_asks_for_consent(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    api.fail_status = 401
    talk.say("yes")
    assert talk.last_response["response"]["directives"][0]["name"] == "AskFor"


def test_a_real_timer_limit_is_a_400(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    for _ in range(MAX_TIMERS):
        talk.say("go to step 4")
        talk.say("yes")
    talk.say("go to step 4")
    reply = talk.say("yes")
    assert reply.text.startswith(C.say("timer_too_many"))


def test_a_server_that_never_answers_is_given_up_on_in_time(
    new: NewConversation, api: TimersApi
) -> None:
    talk = at_cold_pack(new, api, granted=True)
    api.hang = True
    started = time.monotonic()
    reply = talk.say("yes")
    assert time.monotonic() - started < 4.0
    assert reply.text.startswith(f"{C.say('timer_failed')} {FALLBACK}")


def test_wrong_token_is_refused_by_the_server(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    talk.envelopes.api_access_token = "someone-elses-token"
    talk.say("yes")
    # A 401 means no permission: the skill asks for consent rather than failing.
    assert talk.last_response["response"]["directives"][0]["name"] == "AskFor"


def test_how_long_is_left_reads_the_skills_timer(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    talk.say("yes")
    reply = talk.say("how long is left on my timer")
    minutes = COLD.timer_minutes
    assert reply.text.startswith(C.say("timer_left", minutes=minutes))
    (timer_id,) = api.timers
    assert api.calls[-1] == ("GET", f"/v1/alerts/timers/{timer_id}", None)
    api.timers.clear()  # it rang
    reply = talk.say("how long is left on my timer")
    assert reply.text.startswith(C.say("timer_done"))
    reply = talk.say("how long is left on my timer")
    assert reply.text.startswith(C.say("timer_none"))


def test_timer_check_failure_is_said_plainly(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    talk.say("yes")
    api.fail_status = 500
    reply = talk.say("how long is left on my timer")
    assert reply.text.startswith(C.say("timer_check_failed"))
    assert talk.progress["timer"] is not None


def test_cancel_the_timer(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    talk.say("yes")
    (timer_id,) = api.timers
    reply = talk.say("cancel the timer")
    assert reply.text.startswith(C.say("timer_cancelled"))
    assert api.calls[-1] == ("DELETE", f"/v1/alerts/timers/{timer_id}", None)
    assert api.timers == {} and talk.progress["timer"] is None
    assert not reply.end_session


def test_cancel_failure_keeps_the_timer_and_says_how(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    talk.say("yes")
    api.fail_status = 504
    reply = talk.say("cancel the timer")
    assert reply.text.startswith(C.say("timer_cancel_failed"))
    assert talk.progress["timer"] is not None


def test_cancel_with_no_timer(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    assert talk.say("cancel the timer").text.startswith(C.say("timer_none"))
    assert api.calls == []


def test_declining_the_timer_moves_on_without_a_call(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    reply = talk.say("no")
    assert reply.text.startswith(C.say("timer_skipped"))
    assert api.calls == []


def test_after_the_timer_is_set_the_prompt_is_next(new: NewConversation, api: TimersApi) -> None:
    talk = at_cold_pack(new, api, granted=True)
    talk.say("yes")
    reply = talk.say("how long is left on my timer")
    assert reply.text.endswith(C.say("next_prompt"))
