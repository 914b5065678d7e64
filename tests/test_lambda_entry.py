"""The Lambda entry: same skill, bad envelopes answered, foreign skill IDs refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from alexa_rules import assert_valid
from conversation import ROOT, lambda_handler

from skill.assembly import build_skill
from skill.content import content_for
from skill.lambda_entry import handle_event
from skill.simulator.envelopes import EnvelopeFactory

C = content_for("en-US")


def launch_envelope(**kwargs: Any) -> dict[str, Any]:
    return EnvelopeFactory(**kwargs).launch()


def test_launch_through_lambda_handler() -> None:
    response = lambda_handler(launch_envelope())
    assert_valid(response)
    assert C.say("ask_muscle") in response["response"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize(
    "event",
    [
        None,
        "not an object",
        [],
        {},
        {"version": "1.0"},
        {"version": "1.0", "request": "nope"},
        {"version": "1.0", "session": {"attributes": {"progress": {"v": 1, "step": 2}}}},
        {"version": "1.0", "request": {"type": "IntentRequest", "intent": 5}},
    ],
)
def test_malformed_envelope_gets_a_spoken_apology_and_keeps_attributes(event: Any) -> None:
    response = lambda_handler(event)
    assert_valid(response)
    assert response["response"]["outputSpeech"]["text"] == C.say("error_no_step")
    if isinstance(event, dict) and "session" in event:
        assert response["sessionAttributes"] == event["session"]["attributes"]


def test_unknown_request_type_is_answered_without_speech() -> None:
    # What a screen device sends when a document fails to render: no turn of the dialog.
    envelope = EnvelopeFactory().request({"type": "Alexa.Presentation.APL.RuntimeError"})
    response = lambda_handler(envelope)
    assert_valid(response, envelope)
    assert "outputSpeech" not in response["response"]


def test_foreign_skill_id_is_refused_with_an_error() -> None:
    skill = build_skill(skill_id="amzn1.ask.skill.11111111-1111-1111-1111-111111111111")
    with pytest.raises(Exception, match="different skill"):
        handle_event(skill, launch_envelope())
    own = launch_envelope(skill_id="amzn1.ask.skill.11111111-1111-1111-1111-111111111111")
    assert_valid(handle_event(skill, own))


def test_handler_exception_gets_a_calm_apology_and_keeps_the_step() -> None:
    factory = EnvelopeFactory()
    factory.begin_session()
    factory.attributes = {"progress": {"v": 1, "routine": "calf", "step": 2}}

    def broken_clock() -> float:
        raise RuntimeError("clock failed")

    skill = build_skill(clock=broken_clock)
    from skill.simulator.matcher import Match

    envelope = json.loads(json.dumps(factory.intent(Match("AMAZON.StartOverIntent"))))
    response = handle_event(skill, envelope)
    assert_valid(response, envelope)
    assert C.say("error") in response["response"]["outputSpeech"]["ssml"]
    assert response["sessionAttributes"]["progress"]["step"] == 2
    assert response["response"]["shouldEndSession"] is False


def test_the_serializer_speed_ups_still_hook_into_the_sdk() -> None:
    """The Lambda entry overrides two private ask-sdk-core methods; an SDK upgrade that renames
    them would silently drop the speed-up, so check they exist and are really used."""
    from ask_sdk_core.serialize import DefaultSerializer

    from skill.lambda_entry import _RequestSerializer

    for name in ("deserialize_datetime", "load_class_from_name"):
        assert hasattr(DefaultSerializer, f"_DefaultSerializer__{name}")
    envelope = EnvelopeFactory().launch()
    from ask_sdk_model import RequestEnvelope

    parsed = _RequestSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
    assert parsed.request.timestamp.tzinfo is not None
    assert "ask_sdk_model.session.Session" in _RequestSerializer._classes


def test_on_lambda_each_request_logs_one_json_line() -> None:
    envelope = EnvelopeFactory().launch()
    code = (
        "import json, sys; sys.path.insert(0, 'lambda'); import lambda_function;"
        "lambda_function.lambda_handler(json.loads(sys.argv[1]), None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(envelope)],
        cwd=ROOT,
        env={**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "cramp-coach"},
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = result.stderr.splitlines()
    logged = json.loads(line)
    assert logged["request_type"] == "LaunchRequest" and logged["outcome"] == "ok"
    assert envelope["session"]["user"]["userId"] not in line
