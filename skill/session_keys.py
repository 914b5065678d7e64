"""Only the skill's own session attributes go back to Alexa.

Alexa echoes whatever a response's sessionAttributes hold into the next request, and the whole
response must stay under 24 KB. A request carrying unknown keys or oversized values (a replayed or
tampered envelope) would otherwise have them sent back on every turn until the response is refused.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from skill.handlers import DISCLAIMER_HEARD, LAST_SPEECH, PROGRESS, TIMER_CONSENT_ASKED
from skill.persistence import STORE_STATE

log = logging.getLogger(__name__)

OWN_KEYS = frozenset({PROGRESS, LAST_SPEECH, DISCLAIMER_HEARD, TIMER_CONSENT_ASKED, STORE_STATE})
# The largest value a real session writes is about 350 bytes (the last reply, kept for "repeat").
MAX_VALUE_BYTES = 2_000


def own_session_attributes(attributes: Any) -> dict[str, Any]:
    """The skill's keys from `attributes`, each within MAX_VALUE_BYTES; the rest is dropped."""
    if not isinstance(attributes, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in attributes.items():
        if key not in OWN_KEYS:
            log.warning("dropped unknown session attribute %.40r", key)
            continue
        size = len(json.dumps(value, default=str))
        if size > MAX_VALUE_BYTES:
            log.warning("dropped session attribute %s: %d bytes", key, size)
            continue
        kept[key] = value
    return kept


class KeepOwnSessionKeys(AbstractRequestInterceptor):
    """Prunes the session before any handler reads it, so no answer path echoes foreign data."""

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        manager = handler_input.attributes_manager
        attributes = manager.session_attributes
        if not attributes:
            return
        kept = own_session_attributes(attributes)
        if len(kept) != len(attributes):
            manager.session_attributes = kept
