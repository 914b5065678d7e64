"""The AWS Lambda entry: one skill per container, built on first use and kept warm.

Imports stay light: no Flask, no web verifier; boto3 only when a DynamoDB table is configured.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.assembly import build_skill
from skill.content import content_for
from skill.storage import open_lambda_store

log = logging.getLogger(__name__)
_serializer = DefaultSerializer()


@cache
def _skill() -> CustomSkill:
    # DynamoDB when CRAMP_COACH_DYNAMODB_TABLE is set (boto3 is imported only then).
    return build_skill(store=open_lambda_store())


def _skill_id_matches(skill: CustomSkill, envelope: RequestEnvelope) -> bool:
    return skill.skill_id is None or (
        envelope.context is not None
        and envelope.context.system is not None
        and envelope.context.system.application is not None
        and envelope.context.system.application.application_id == skill.skill_id
    )


def handle_event(skill: CustomSkill, event: Any) -> dict[str, Any]:
    """Runs one Alexa request through the skill; a request it cannot read gets a spoken apology."""
    try:
        envelope = _serializer.deserialize(payload=_as_json(event), obj_type=RequestEnvelope)
        if envelope is None or envelope.request is None:
            raise ValueError("the envelope has no request")
    except (ValueError, TypeError, AttributeError, AskSdkException) as error:
        log.warning("malformed request envelope: %s", type(error).__name__)
        return _apology(event)
    if not _skill_id_matches(skill, envelope):
        # Refuse loudly: a request for another skill must not get an answer from this one.
        raise AskSdkException("request is for a different skill ID")
    response = skill.invoke(request_envelope=envelope, context=None)
    serialized = _serializer.serialize(response)
    assert isinstance(serialized, dict)
    return serialized


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    return handle_event(_skill(), event)


def _as_json(event: Any) -> str:
    if not isinstance(event, dict):
        raise TypeError("an Alexa request is a JSON object")
    return json.dumps(event)


def _apology(event: Any) -> dict[str, Any]:
    """A valid response for a request we could not read, keeping any session attributes."""
    attributes: dict[str, Any] = {}
    locale = None
    if isinstance(event, dict):
        session = event.get("session")
        if isinstance(session, dict) and isinstance(session.get("attributes"), dict):
            attributes = session["attributes"]
        request = event.get("request")
        if isinstance(request, dict) and isinstance(request.get("locale"), str):
            locale = request["locale"]
    return {
        "version": "1.0",
        "sessionAttributes": attributes,
        "response": {
            "outputSpeech": {
                "type": "PlainText",
                "text": content_for(locale).say("error_no_step"),
            },
            "shouldEndSession": True,
        },
    }
