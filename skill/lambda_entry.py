"""The AWS Lambda entry: one skill per container, built on first use and kept warm.

Imports stay light: no Flask, no web verifier; boto3 only when a DynamoDB table is configured;
Alexa's service clients only when the timer step calls one (skill.lazy_services). With Lambda
SnapStart, skill.snapstart warms all of it before the snapshot instead.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar

from skill import lazy_services, snapstart

# Before ask-sdk-core is imported: it imports ask_sdk_model.services as it loads.
lazy_services.install()

from ask_sdk_core.exceptions import AskSdkException  # noqa: E402
from ask_sdk_core.serialize import DefaultSerializer  # noqa: E402
from ask_sdk_core.skill import CustomSkill  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402

from skill.assembly import build_skill  # noqa: E402
from skill.content import content_for  # noqa: E402
from skill.request_log import configure_json_logging  # noqa: E402
from skill.session_keys import own_session_attributes  # noqa: E402
from skill.storage import open_lambda_store  # noqa: E402

log = logging.getLogger(__name__)

if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    # On Lambda: one JSON line per request to CloudWatch (see skill.request_log).
    configure_json_logging(logging.INFO)


class _RequestSerializer(DefaultSerializer):
    """The SDK's serializer with its two slowest steps for a request made cheap.

    Overrides private hooks of ask-sdk-core 1.19 (pinned): dateutil parsing of the timestamp
    costs ~40 us a request, and the SDK imports each model class by name for every field.
    """

    _classes: ClassVar[dict[str, Any]] = {}

    def _DefaultSerializer__deserialize_datetime(self, payload: Any, obj_type: Any) -> Any:
        try:
            parsed = datetime.fromisoformat(payload)
        except (TypeError, ValueError):
            return super()._DefaultSerializer__deserialize_datetime(payload, obj_type)  # type: ignore[misc]
        return parsed.date() if obj_type is date else parsed

    def _DefaultSerializer__load_class_from_name(self, class_name: str) -> Any:
        found = self._classes.get(class_name)
        if found is None:
            # mypy cannot see the SDK's name-mangled private method.
            found = super()._DefaultSerializer__load_class_from_name(class_name)  # type: ignore[misc]
            self._classes[class_name] = found
        return found


_serializer = _RequestSerializer()
# On Lambda's Python runtime (3.12+) the hooks run when SnapStart takes and restores snapshots.
snapstart.register()


@cache
def lambda_skill() -> CustomSkill:
    """The container's skill, built on first use and kept for the next requests.

    DynamoDB when CRAMP_COACH_DYNAMODB_TABLE is set (boto3 is imported only then).
    """
    return build_skill(store=open_lambda_store())


def rebuild_skill() -> CustomSkill:
    """A new skill with new clients (after a SnapStart restore: see skill.snapstart)."""
    lambda_skill.cache_clear()
    return lambda_skill()


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
        if envelope.context is None or envelope.context.system is None:
            # The SDK reads context.System before any handler could answer.
            raise ValueError("the envelope has no context.System")
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
    return handle_event(lambda_skill(), event)


def _as_json(event: Any) -> str:
    if not isinstance(event, dict):
        raise TypeError("an Alexa request is a JSON object")
    return json.dumps(event)


def _apology(event: Any) -> dict[str, Any]:
    """A valid response for a request we could not read, keeping the skill's session attributes."""
    attributes: dict[str, Any] = {}
    locale = None
    if isinstance(event, dict):
        session = event.get("session")
        if isinstance(session, dict):
            attributes = own_session_attributes(session.get("attributes"))
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
