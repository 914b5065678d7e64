"""Small readers for what an Alexa request carries: intent name, slots, locale, user."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest
from ask_sdk_model.slu.entityresolution import StatusCode

# Alexa's intent names and request types are short and plain; anything else came from a
# hand-made request and must not reach a log line as it is.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._]{1,100}")


def loggable_name(value: object) -> str | None:
    """An intent name or request type as it may be logged: itself if plain, else "invalid"."""
    if value is None:
        return None
    return value if isinstance(value, str) and _PLAIN_NAME.fullmatch(value) else "invalid"


@dataclass(frozen=True)
class SlotValue:
    text: str | None
    resolved_id: str | None


def intent_name(handler_input: HandlerInput) -> str | None:
    request = handler_input.request_envelope.request
    if isinstance(request, IntentRequest) and request.intent is not None:
        return str(request.intent.name) if request.intent.name else None
    return None


def slot(handler_input: HandlerInput, name: str) -> SlotValue:
    """A slot's spoken text and, when entity resolution matched, the canonical value's id."""
    for slot_name, value in all_slots(handler_input).items():
        if slot_name == name:
            return value
    return SlotValue(None, None)


def all_slots(handler_input: HandlerInput) -> dict[str, SlotValue]:
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None:
        return {}
    found = {}
    for name, raw in (request.intent.slots or {}).items():
        if raw is None:
            continue
        text = raw.value if isinstance(raw.value, str) and raw.value.strip() else None
        found[name] = SlotValue(text, _resolved_id(raw))
    return found


def _resolved_id(raw_slot: object) -> str | None:
    resolutions = getattr(raw_slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if status != StatusCode.ER_SUCCESS_MATCH:
            continue
        for item in authority.values or []:
            value_id = getattr(getattr(item, "value", None), "id", None)
            if isinstance(value_id, str) and value_id:
                return value_id
    return None


def locale(handler_input: HandlerInput) -> str | None:
    value = getattr(handler_input.request_envelope.request, "locale", None)
    return value if isinstance(value, str) else None
