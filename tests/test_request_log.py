"""Structured request logs: one JSON line per request, no user id, no health content.

These run dialogs through the real Lambda path, so they need the request log registered in
skill/assembly.py::build_skill (RequestLogStart first among the global request interceptors,
RequestLogEnd last among the global response interceptors, and the exception handler wrapped
in ErrorLogged).
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from conversation import Conversation

from skill import handlers
from skill.request_log import JsonFormatter, configure_json_logging

FIELDS = {"request_id", "request_type", "intent", "step", "latency_ms", "outcome"}
# Words a health log must never hold: what runners say, red-flag ids and reasons, muscles.
HEALTH_WORDS = [
    "swollen", "swelling", "chest", "dizzy", "faint", "pregnant", "pee", "urine", "vomit",
    "sick", "breath", "numb", "weak", "diabet", "statin", "medicine", "clot", "cardio",
    "nerve", "fluid_loss", "diarrh", "collapse", "seizure", "calf", "hamstring", "thigh",
    "foot", "cramp",
]  # fmt: skip


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The root logger writing JSON lines into a buffer, as `configure_json_logging` sets it."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    buffer = io.StringIO()
    configure_json_logging(logging.INFO, stream=buffer)
    try:
        yield buffer
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)


def entries(buffer: io.StringIO) -> list[dict[str, Any]]:
    """Every line in the log, each parsed as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def request_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [entry for entry in entries(buffer) if entry["logger"] == "skill.request_log"]


def red_flag_dialogs() -> list[Conversation]:
    """Dialogs that reach every escalation level, by words and by answers."""
    e2 = Conversation()
    for utterance in ["ask cramp coach to help with my calf", "no", "my calf is swollen", "yes"]:
        e2.say(utterance)
    e1_words = Conversation()
    for utterance in ["ask cramp coach to help with my hamstring", "I feel dizzy"]:
        e1_words.say(utterance)
    e1_answer = Conversation()
    for utterance in ["open cramp coach", "my calf", "yes"]:
        e1_answer.say(utterance)
    e3 = Conversation()
    for utterance in ["ask cramp coach to help with my foot", "no", "I'm pregnant", "next"]:
        e3.say(utterance)
    e1_chest = Conversation()
    for utterance in ["open cramp coach", "my chest hurts"]:
        e1_chest.say(utterance)
    return [e2, e1_words, e1_answer, e3, e1_chest]


def test_one_json_line_per_request_with_its_fields(log_lines: io.StringIO) -> None:
    talk = Conversation()
    for utterance in [
        "ask cramp coach to help with my calf", "no", "next", "go to step 3", "repeat",
        "how many steps are left", "help", "stop",
    ]:  # fmt: skip
        talk.say(utterance)
    lines = request_lines(log_lines)
    assert len(lines) == len(talk.history)
    for line, (request, response) in zip(lines, talk.history, strict=True):
        assert line.keys() >= FIELDS
        assert line["message"] == "request"
        assert line["level"] == "INFO"
        assert line["request_id"] == request["request"]["requestId"]
        assert line["request_type"] == request["request"]["type"]
        assert line["intent"] == request["request"].get("intent", {}).get("name")
        assert isinstance(line["latency_ms"], float) and 0 <= line["latency_ms"] < 1000
        assert line["outcome"] == "ok"
        progress = response["sessionAttributes"]["progress"]
        expected_step = progress["step"] + 1 if progress["routine"] else None
        assert line["step"] == expected_step
    assert [line["step"] for line in lines] == [1, 2, 3, 3, 3, 3, 3, 3]


def test_escalations_are_logged_by_level_only(log_lines: io.StringIO) -> None:
    red_flag_dialogs()
    outcomes = [line["outcome"] for line in request_lines(log_lines)]
    assert outcomes == [
        "ok", "ok", "escalated:E2", "escalated:E2",  # E2 by words; "yes" says it again
        "ok", "escalated:E1",  # E1 by words
        "ok", "ok", "escalated:E1",  # E1 by answering yes to the emergency question
        "ok", "ok", "escalated:E3", "ok",  # E3 by words
        "ok", "escalated:E1",  # E1 while the skill asks which muscle
    ]  # fmt: skip


def test_the_log_has_no_user_id_and_no_health_content(log_lines: io.StringIO) -> None:
    dialogs = red_flag_dialogs()
    text = log_lines.getvalue()
    assert request_lines(log_lines)
    for talk in dialogs:
        for request, _ in talk.history:
            system = request["context"]["System"]
            assert system["user"]["userId"] not in text
            assert system["device"]["deviceId"] not in text
            assert request["session"]["user"]["userId"] not in text
    lowered = text.lower()
    assert [word for word in HEALTH_WORDS if word in lowered] == []


def test_hand_made_ids_and_intent_names_are_not_logged_verbatim(log_lines: io.StringIO) -> None:
    talk = Conversation()
    talk.say("open cramp coach")
    talk.raw(
        {"type": "IntentRequest", "requestId": "I feel dizzy", "intent": {"name": "my chest hurts"}}
    )
    line = request_lines(log_lines)[-1]
    assert (line["request_id"], line["intent"]) == ("invalid", "invalid")
    assert "dizzy" not in json.dumps(line) and "chest" not in json.dumps(line)


def _failing_event(dialog: Any) -> Any:
    raise RuntimeError("my chest hurts and my calf is swollen")


def test_a_failed_request_is_logged_once_as_an_error(
    log_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    talk = Conversation()
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    monkeypatch.setitem(handlers._SIMPLE_EVENTS, "StepsLeftIntent", _failing_event)
    talk.say("how many steps are left")  # answered by the catch-all exception handler
    lines = request_lines(log_lines)
    assert [line["outcome"] for line in lines] == ["ok", "ok", "error"]
    assert lines[-1]["intent"] == "StepsLeftIntent"
    assert lines[-1]["step"] == 2  # the apology keeps the runner on their step
    errors = [entry for entry in entries(log_lines) if entry.get("exception")]
    assert errors and errors[0]["exception"] == "RuntimeError"
    assert any("_failing_event" in frame for frame in errors[0]["stack"])
    # The exception's message (which could quote the runner) is never written.
    assert "chest" not in log_lines.getvalue()


def test_formatter_writes_one_line_of_json_without_exception_messages() -> None:
    try:
        raise ValueError("I feel dizzy\nand sick")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
        record.exc_info = sys.exc_info()
    text = JsonFormatter().format(record)
    assert "\n" not in text
    entry = json.loads(text)
    assert entry["message"] == "failed here"
    assert entry["exception"] == "ValueError"
    assert entry["time"].endswith("Z")
    assert "dizzy" not in text
