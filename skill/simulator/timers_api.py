"""A local stand-in for Alexa's Timers REST API, following its documented contract.

POST/GET/DELETE /v1/alerts/timers[/{id}], bearer apiAccessToken, JSON bodies, and the documented
status codes (400, 401, 403, 404, 500, 504). The terminal simulator runs it on loopback so the
cold-pack timer works without a device; the tests use it, with forced faults, as the far end of
the skill's real HTTP calls.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from skill.timers import iso_duration_seconds

_TIMER_PATH = re.compile(r"^/v1/alerts/timers(?:/(?P<id>[A-Za-z0-9-]+))?$")
MAX_TIMERS = 5  # a device limit stand-in; the real one is the device's


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(text: Any) -> timedelta | None:
    seconds = iso_duration_seconds(text) if isinstance(text, str) else None
    if seconds is None:
        return None
    length = timedelta(seconds=seconds)
    return length if timedelta(seconds=1) <= length <= timedelta(hours=24) else None


def body_problem(body: Any) -> str | None:
    """Why a create-timer body breaks the documented schema, or None when it is valid."""
    if not isinstance(body, dict):
        return "body is not a JSON object"
    if _duration(body.get("duration")) is None:
        return "duration must be an ISO 8601 duration from PT1S to PT24H"
    label = body.get("timerLabel")
    if label is not None and (not isinstance(label, str) or len(label) > 256):
        return "timerLabel must be a string"
    visibility = body.get("creationBehavior", {}).get("displayExperience", {}).get("visibility")
    if visibility not in {"VISIBLE", "HIDDEN"}:
        return "creationBehavior.displayExperience.visibility must be VISIBLE or HIDDEN"
    triggering = body.get("triggeringBehavior")
    if not isinstance(triggering, dict):
        return "triggeringBehavior is required"
    operation = triggering.get("operation", {})
    kind = operation.get("type") if isinstance(operation, dict) else None
    if kind not in {"ANNOUNCE", "NOTIFY_ONLY", "LAUNCH_TASK"}:
        return "triggeringBehavior.operation.type is unknown"
    if kind == "ANNOUNCE":
        texts = operation.get("textToAnnounce")
        if not isinstance(texts, list) or not texts:
            return "ANNOUNCE needs textToAnnounce"
        for text in texts:
            if not isinstance(text, dict) or not text.get("locale") or not text.get("text"):
                return "each textToAnnounce needs a locale and a text"
    if not isinstance(triggering.get("notificationConfig", {}).get("playAudible"), bool):
        return "triggeringBehavior.notificationConfig.playAudible must be a boolean"
    return None


@dataclass
class TimersApi:
    """Run with `start()`; `base_url` goes into the envelope's context.System.apiEndpoint."""

    token: str
    timers: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    # Test faults: answer the next calls with this status, or never answer at all.
    fail_status: int | None = None
    hang: bool = False
    _server: ThreadingHTTPServer | None = None
    _released: threading.Event = field(default_factory=threading.Event)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> TimersApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                api._serve(self, "POST")

            def do_GET(self) -> None:
                api._serve(self, "GET")

            def do_DELETE(self) -> None:
                api._serve(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the tests read `calls`, not stderr

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _serve(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = ...
        self.calls.append((method, request.path, body))
        if self.hang:
            self._released.wait()
            return
        status, answer = self._answer(request, method, body)
        payload = b"" if answer is None else json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _answer(self, request: BaseHTTPRequestHandler, method: str, body: Any) -> tuple[int, Any]:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"code": "UNAUTHORIZED", "message": "bad or missing access token"}
        if self.fail_status is not None:
            return self.fail_status, {"code": "FORCED", "message": "fault injected by the test"}
        found = _TIMER_PATH.match(request.path)
        if not found:
            return 404, {"code": "NOT_FOUND", "message": "no such resource"}
        self._drop_rung()
        timer_id = found.group("id")
        if method == "POST" and timer_id is None:
            return self._create(body)
        if method == "GET" and timer_id is None:
            timers = sorted(self.timers.values(), key=lambda t: t["triggerTime"])
            return 200, {"timers": timers, "totalCount": len(timers), "nextToken": None}
        if method == "DELETE" and timer_id is None:
            self.timers.clear()
            return 200, None
        if timer_id not in self.timers:
            return 404, {"code": "TIMER_NOT_FOUND", "message": "no timer with that id"}
        if method == "GET":
            return 200, self.timers[timer_id]
        if method == "DELETE":
            del self.timers[timer_id]
            return 200, None
        return 405, {"code": "METHOD_NOT_ALLOWED", "message": method}

    def _create(self, body: Any) -> tuple[int, Any]:
        problem = body_problem(body)
        if problem:
            return 400, {"code": "INVALID_REQUEST", "message": problem}
        if len(self.timers) >= MAX_TIMERS:
            return 400, {"code": "TIMER_LIMIT_EXCEEDED", "message": "too many timers"}
        now = datetime.now(UTC)
        length = _duration(body["duration"])
        assert length is not None  # body_problem checked it
        timer = {
            "id": str(uuid.uuid4()),
            "status": "ON",
            "duration": body["duration"],
            "timerLabel": body.get("timerLabel"),
            "triggerTime": _iso(now + length),
            "createdTime": _iso(now),
            "updatedTime": _iso(now),
        }
        self.timers[timer["id"]] = timer
        return 200, timer

    def _drop_rung(self) -> None:
        now = _iso(datetime.now(UTC))
        for timer_id in [i for i, t in self.timers.items() if t["triggerTime"] <= now]:
            del self.timers[timer_id]
