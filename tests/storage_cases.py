"""What the store tests on both backends share: records, a settable clock, request envelopes."""

from __future__ import annotations

import time
import uuid

from ask_sdk_model import Application, Context, LaunchRequest, RequestEnvelope, User
from ask_sdk_model.interfaces.system import SystemState

PROGRESS = {"routine": "calf", "step": 3, "started_at": 1_700_000_000.25, "timer": None}
PREFS = {"disclaimer_heard": True, "timer_consent_asked": False}
TIMER = {"id": "t-1", "ends_at": 1_700_000_900.5, "label": "cold pack"}


class Clock:
    """Epoch seconds that a test sets by hand."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


def envelope(user_id: str, request_id: str | None = None) -> RequestEnvelope:
    """A request from ``user_id``; each call is a new request unless ``request_id`` is given."""
    return RequestEnvelope(
        version="1.0",
        context=Context(
            system=SystemState(
                application=Application(application_id="amzn1.ask.skill.test"),
                user=User(user_id=user_id),
            )
        ),
        request=LaunchRequest(
            request_id=request_id or f"amzn1.echo-api.request.{uuid.uuid4()}", locale="en-US"
        ),
    )


def new_user() -> str:
    return f"amzn1.ask.account.{uuid.uuid4().hex}"
