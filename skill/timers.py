"""The cold-pack timer: consent by voice, then Alexa's Timers API through the SDK's service client.

Every outcome, success or fault, is one of a few kinds the dialog knows how to say; nothing here
raises to the caller, so a failing API never costs the runner their place.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.services import ServiceException

from skill.content import LocaleContent

log = logging.getLogger(__name__)

TIMERS_SCOPE = "alexa::alerts:timers:skill:readwrite"
CONSENT_TOKEN_PREFIX = "cramp-coach-timer-consent"


class Outcome(Enum):
    SET = "set"
    NO_PERMISSION = "no_permission"  # 401: consent missing or withdrawn
    TOO_MANY = "too_many"  # 400: the device has too many timers (or refused the request)
    UNSUPPORTED = "unsupported"  # 403: this device or account cannot take skill timers
    OFFLINE = "offline"  # 504: the device did not answer
    FAILED = "failed"  # 500, a timeout, anything else
    NOT_FOUND = "not_found"  # 404: the timer already rang or was cancelled


_BY_STATUS = {
    400: Outcome.TOO_MANY,
    401: Outcome.NO_PERMISSION,
    403: Outcome.UNSUPPORTED,
    404: Outcome.NOT_FOUND,
    504: Outcome.OFFLINE,
}


@dataclass(frozen=True)
class TimerResult:
    outcome: Outcome
    timer_id: str | None = None
    seconds_left: int | None = None


def has_permission(handler_input: HandlerInput) -> bool:
    system = getattr(handler_input.request_envelope.context, "system", None)
    user = getattr(system, "user", None)
    scopes = getattr(getattr(user, "permissions", None), "scopes", None) or {}
    scope = scopes.get(TIMERS_SCOPE)
    status = getattr(getattr(scope, "status", None), "value", None)
    return status == "GRANTED"


def consent_request() -> SendRequestDirective:
    """Asks, by voice, for permission to set timers (Alexa speaks the question itself)."""
    import uuid

    return SendRequestDirective(
        name="AskFor",
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": TIMERS_SCOPE, "consentLevel": "ACCOUNT"}],
        },
        token=f"{CONSENT_TOKEN_PREFIX}-{uuid.uuid4()}",
    )


def consent_status(payload: Any) -> str:
    """ACCEPTED, DENIED or NOT_ANSWERED from a Connections.Response payload (else NOT_ANSWERED)."""
    status = payload.get("status") if isinstance(payload, dict) else None
    # A tampered payload may hold a list or an object here; only the three strings count.
    if isinstance(status, str) and status in {"ACCEPTED", "DENIED", "NOT_ANSWERED"}:
        return status
    return "NOT_ANSWERED"


def _service(handler_input: HandlerInput) -> Any:
    factory = handler_input.service_client_factory
    if factory is None:
        raise ServiceException("no API client configured", 500, None, None)
    return factory.get_timer_management_service()


def _failure(action: str, error: Exception) -> TimerResult:
    status = getattr(error, "status_code", None)
    outcome = _BY_STATUS.get(status, Outcome.FAILED) if isinstance(status, int) else Outcome.FAILED
    # A timer that already rang answers 404: an ordinary outcome, not a fault.
    level = logging.INFO if outcome is Outcome.NOT_FOUND else logging.WARNING
    log.log(level, "timer %s failed: %s (%s)", action, outcome.value, type(error).__name__)
    return TimerResult(outcome)


def set_timer(handler_input: HandlerInput, content: LocaleContent, minutes: int) -> TimerResult:
    from ask_sdk_model.services.timer_management import (
        AnnounceOperation,
        CreationBehavior,
        DisplayExperience,
        NotificationConfig,
        TextToAnnounce,
        TimerRequest,
        TriggeringBehavior,
        Visibility,
    )

    request = TimerRequest(
        duration=f"PT{minutes}M",
        timer_label=content.say("timer_label"),
        creation_behavior=CreationBehavior(
            display_experience=DisplayExperience(visibility=Visibility.VISIBLE)
        ),
        triggering_behavior=TriggeringBehavior(
            operation=AnnounceOperation(
                text_to_announce=[
                    TextToAnnounce(
                        locale=getattr(handler_input.request_envelope.request, "locale", None)
                        or "en-US",
                        text=content.say("timer_announce"),
                    )
                ]
            ),
            notification_config=NotificationConfig(play_audible=True),
        ),
    )
    try:
        response = _service(handler_input).create_timer(timer_request=request)
    except Exception as error:  # noqa: BLE001 - every API or network fault has a spoken answer
        return _failure("create", error)
    timer_id = getattr(response, "id", None)
    if not isinstance(timer_id, str) or not timer_id:
        log.warning("timer create answered without an id")
        return TimerResult(Outcome.FAILED)
    return TimerResult(Outcome.SET, timer_id=timer_id, seconds_left=minutes * 60)


def read_timer(handler_input: HandlerInput, timer_id: str) -> TimerResult:
    try:
        timer = _service(handler_input).get_timer(id=timer_id)
    except Exception as error:  # noqa: BLE001 - every API or network fault has a spoken answer
        return _failure("read", error)
    return TimerResult(Outcome.SET, timer_id=timer_id, seconds_left=_seconds_left(timer))


def cancel_timer(handler_input: HandlerInput, timer_id: str) -> TimerResult:
    try:
        _service(handler_input).delete_timer(id=timer_id)
    except Exception as error:  # noqa: BLE001 - every API or network fault has a spoken answer
        return _failure("cancel", error)
    return TimerResult(Outcome.SET, timer_id=timer_id)


def _seconds_left(timer: Any) -> int | None:
    paused = getattr(timer, "remaining_time_when_paused", None)
    if isinstance(paused, str):
        return iso_duration_seconds(paused)
    trigger = getattr(timer, "trigger_time", None)
    if isinstance(trigger, datetime):
        if trigger.tzinfo is None:
            trigger = trigger.replace(tzinfo=UTC)
        return max(0, int((trigger - datetime.now(UTC)).total_seconds()))
    return None


def iso_duration_seconds(text: str) -> int | None:
    """Seconds in an ISO 8601 duration such as PT14M30S (the only form the Timers API uses)."""
    found = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    if not found or not any(found.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return hours * 3600 + minutes * 60 + seconds
