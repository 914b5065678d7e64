"""Structured request logs: one JSON line per request, and nothing about the runner's health.

Every request the skill answers gets exactly one line from the ``skill.request_log`` logger, at
INFO, for example::

    {"time": "2026-11-21T21:40:19.123Z", "level": "INFO", "logger": "skill.request_log",
     "message": "request", "request_id": "amzn1.echo-api.request.…",
     "request_type": "IntentRequest", "intent": "AMAZON.NextIntent", "step": 3,
     "latency_ms": 1.42, "outcome": "ok"}

* ``step`` is the step the runner is on after this request, counted from 1 as they hear it
  ("go to step 3"); null when no routine has started.
* ``latency_ms`` is the skill's own time, from the first request interceptor to the line
  (envelope parsing, HTTP and Lambda overheads excluded).
* ``outcome`` is ``ok``, ``error`` (the exception handler answered) or ``escalated:E1`` /
  ``escalated:E2`` / ``escalated:E3`` (the runner was told to get help; only the level).

What is never logged: the user or device id (not even hashed: nothing here needs to tell users
apart), slot values, utterances, the routine (which muscle) and red-flag ids. The JSON formatter
also leaves out exception messages, which can quote request content (the SDK's deserialiser
puts the whole body in its message); it keeps the exception type and the stack's file, line and
function names.

Registration (see skill.assembly): :class:`RequestLogStart` as the first global request
interceptor, :class:`RequestLogEnd` as the last global response interceptor, and the exception
handler wrapped in :class:`ErrorLogged`, because the SDK skips response interceptors when a
handler raises.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import traceback
from typing import IO, Any

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from skill.content import content_for
from skill.handlers import PROGRESS, RED_FLAG
from skill.requests import locale, loggable_name
from skill.understanding.meaning import RedFlag

__all__ = [
    "ErrorLogged",
    "JsonFormatter",
    "RequestLogEnd",
    "RequestLogStart",
    "configure_json_logging",
]

log = logging.getLogger(__name__)

# Request attributes (per request, never sent to Alexa).
_STARTED = "request_log.started"  # time.perf_counter() when the request reached the skill
_LOGGED = "request_log.logged"  # set once the line is written: one line per request

# Alexa ids are short and plain; anything else is logged as "invalid" so a hand-made request
# cannot put arbitrary text into the log (names: see skill.requests.loggable_name).
_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_MAX_STEP = 1000
_ESCALATION_LEVELS = ("E1", "E2", "E3")


class RequestLogStart(AbstractRequestInterceptor):
    """Notes when the request reached the skill."""

    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[_STARTED] = time.perf_counter()


class RequestLogEnd(AbstractResponseInterceptor):
    """Writes the request's line once the handler has answered."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        _write_line(handler_input, response)


class ErrorLogged(AbstractExceptionHandler):
    """Wraps the exception handler so a failed request still gets its line, as an ``error``."""

    def __init__(self, handler: AbstractExceptionHandler) -> None:
        self._handler = handler

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return bool(self._handler.can_handle(handler_input, exception))

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response | None:
        try:
            return self._handler.handle(handler_input, exception)
        finally:
            # After the apology, so the line shows the step the runner is kept on.
            _write_line(handler_input, None, outcome="error")


def _write_line(
    handler_input: HandlerInput, response: Response | None, *, outcome: str | None = None
) -> None:
    """Log the request's line, unless it was logged already (one line per request)."""
    attributes = handler_input.attributes_manager.request_attributes
    if attributes.get(_LOGGED):
        return
    attributes[_LOGGED] = True
    started = attributes.get(_STARTED)
    latency_ms = (
        round((time.perf_counter() - started) * 1000, 2) if isinstance(started, float) else None
    )
    request = handler_input.request_envelope.request
    intent = request.intent.name if isinstance(request, IntentRequest) and request.intent else None
    fields = {
        "request_id": _plain(getattr(request, "request_id", None), _ID),
        "request_type": loggable_name(getattr(request, "object_type", None)),
        "intent": loggable_name(intent),
        "step": _step(handler_input),
        "latency_ms": latency_ms,
        "outcome": outcome or _outcome(handler_input, response),
    }
    log.info("request", extra={"fields": fields})


def _plain(value: object, pattern: re.Pattern[str]) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) and pattern.fullmatch(value) else "invalid"


def _step(handler_input: HandlerInput) -> int | None:
    """The runner's step after this request, from 1; read-only, and safe on garbage."""
    if handler_input.request_envelope.session is None:
        return None  # out of session: the SDK refuses to read session attributes
    session = handler_input.attributes_manager.session_attributes
    progress = session.get(PROGRESS) if isinstance(session, dict) else None
    if not isinstance(progress, dict) or not isinstance(progress.get("routine"), str):
        return None
    step = progress.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < _MAX_STEP:
        return None
    return step + 1


def _outcome(handler_input: HandlerInput, response: Response | None) -> str:
    """``escalated:<level>`` when this response sent the runner for help, else ``ok``.

    A red flag in what they said is recorded by the red-flag handler; an escalation the
    dialog reached on its own (a "yes" to the emergency question, a cramp not eased after
    ten minutes) shows as the escalation's card, whose title is fixed per level.
    """
    flag = handler_input.attributes_manager.request_attributes.get(RED_FLAG)
    if isinstance(flag, RedFlag):
        return f"escalated:{flag.level}"
    title = getattr(getattr(response, "card", None), "title", None)
    if title is not None:
        escalations = content_for(locale(handler_input)).escalations
        for level in _ESCALATION_LEVELS:
            if title == escalations.get(level, {}).get("card_title"):
                return f"escalated:{level}"
    return "ok"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line.

    Keys: ``time`` (UTC, ms), ``level``, ``logger``, ``message``, then the record's
    ``fields`` (``extra={"fields": {...}}``), and for an exception ``exception`` (its type)
    and ``stack`` (file:line in function). The exception's message is left out on purpose.
    """

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(entry, default=str)


def configure_json_logging(level: int | str, *, stream: IO[str] | None = None) -> logging.Handler:
    """Make the root logger write JSON lines (to stderr unless ``stream`` is given).

    Replaces the root logger's handlers, so each record is written once, as JSON (on Lambda
    this replaces the runtime's plain-text handler; stderr still goes to CloudWatch).
    Returns the installed handler.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler
