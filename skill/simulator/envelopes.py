"""Builds Alexa request envelopes the way the Alexa service sends them to a skill."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from skill.simulator.matcher import Match

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
DEFAULT_API_ENDPOINT = "https://api.amazonalexa.com"
APL = "Alexa.Presentation.APL"
# What an Echo Show 8 reports (hub landscape medium): APL up to this runtime, and its viewport.
SCREEN_APL_VERSION = "2024.3"
SCREEN_VIEWPORT: dict[str, Any] = {
    "experiences": [{"canRotate": False, "canResize": False}],
    "mode": "HUB",
    "shape": "RECTANGLE",
    "pixelWidth": 1280,
    "pixelHeight": 800,
    "dpi": 213,
    "currentPixelWidth": 1280,
    "currentPixelHeight": 800,
    "touch": ["SINGLE"],
    "keyboard": [],
}


def _id(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4()}"


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EnvelopeFactory:
    """One simulated user on one device; keeps the session between requests."""

    def __init__(
        self,
        *,
        locale: str = "en-US",
        skill_id: str = DEFAULT_SKILL_ID,
        user_id: str | None = None,
        api_endpoint: str = DEFAULT_API_ENDPOINT,
        api_access_token: str | None = None,
        screen: bool = False,
    ) -> None:
        self.locale = locale
        self.skill_id = skill_id
        self.user_id = user_id or _id("amzn1.ask.account")
        self.device_id = _id("amzn1.ask.device")
        self.api_endpoint = api_endpoint
        self.api_access_token = api_access_token or uuid.uuid4().hex
        # A device with a screen (APL): its requests say so, and its buttons send UserEvents.
        self.screen = screen
        self.apl_max_version = SCREEN_APL_VERSION
        self.screen_token: str | None = None  # the token of the document on the screen
        # Permissions the user has granted the skill (e.g. the timers scope after consent).
        self.granted_scopes: set[str] = set()
        self.session_id: str | None = None
        self.attributes: dict[str, Any] = {}
        self._new = False

    @property
    def in_session(self) -> bool:
        return self.session_id is not None

    def begin_session(self) -> None:
        self.session_id = _id("amzn1.echo-api.session")
        self.attributes = {}
        self._new = True

    def end_session(self) -> None:
        self.session_id = None
        self.attributes = {}

    def keep(self, response: dict[str, Any]) -> None:
        """Carries the response's session attributes into the next request, as Alexa does."""
        attributes = response.get("sessionAttributes")
        self.attributes = attributes if isinstance(attributes, dict) else {}
        body = response.get("response", {})
        for directive in body.get("directives") or []:
            if isinstance(directive, dict) and directive.get("type") == f"{APL}.RenderDocument":
                self.screen_token = directive.get("token")
        # A Connections.SendRequest hands the turn to Alexa (e.g. a consent question); the
        # answer comes back as Connections.Response in the same session.
        handed_over = any(
            isinstance(d, dict) and d.get("type") == "Connections.SendRequest"
            for d in body.get("directives") or []
        )
        if body.get("shouldEndSession", True) is not False and not handed_over:
            self.end_session()

    def launch(self) -> dict[str, Any]:
        return self._envelope({"type": "LaunchRequest"})

    def intent(self, match: Match) -> dict[str, Any]:
        slots = {name: {"name": name, "confirmationStatus": "NONE"} for name in match.slot_names}
        for name, fill in match.slots.items():
            slot: dict[str, Any] = {"name": name, "value": fill.value, "confirmationStatus": "NONE"}
            if fill.slot_type not in ("AMAZON.NUMBER", "AMAZON.SearchQuery"):
                slot["resolutions"] = self._resolutions(
                    fill.slot_type, fill.resolved_id, fill.resolved_name
                )
            slots[name] = slot
        intent: dict[str, Any] = {"name": match.intent, "confirmationStatus": "NONE"}
        if slots:
            intent["slots"] = slots
        return self._envelope({"type": "IntentRequest", "dialogState": "STARTED", "intent": intent})

    def user_event(self, arguments: list[Any]) -> dict[str, Any]:
        """A button on the screen pressed: what the document's SendEvent command sends."""
        return self._envelope(
            {
                "type": f"{APL}.UserEvent",
                "token": self.screen_token or "",
                "arguments": arguments,
                "source": {"type": "TouchWrapper", "handler": "Press", "id": ""},
            }
        )

    def session_ended(self, reason: str = "USER_INITIATED") -> dict[str, Any]:
        return self._envelope({"type": "SessionEndedRequest", "reason": reason})

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """Any other request body (e.g. Connections.Response), wrapped in a full envelope."""
        return self._envelope(body)

    def _resolutions(
        self, slot_type: str, value_id: str | None, name: str | None
    ) -> dict[str, Any]:
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{self.skill_id}.{slot_type}",
            "status": {"code": "ER_SUCCESS_MATCH" if value_id else "ER_SUCCESS_NO_MATCH"},
        }
        if value_id:
            authority["values"] = [{"value": {"name": name, "id": value_id}}]
        return {"resolutionsPerAuthority": [authority]}

    def _envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.session_id is None:
            self.begin_session()
        application = {"applicationId": self.skill_id}
        user: dict[str, Any] = {"userId": self.user_id}
        if self.granted_scopes:
            user["permissions"] = {
                "scopes": {scope: {"status": "GRANTED"} for scope in sorted(self.granted_scopes)}
            }
        interfaces: dict[str, Any] = {}
        if self.screen:
            interfaces[APL] = {"runtime": {"maxVersion": self.apl_max_version}}
        envelope: dict[str, Any] = {
            "version": "1.0",
            "session": {
                "new": self._new,
                "sessionId": self.session_id,
                "application": application,
                "attributes": self.attributes,
                "user": user,
            },
            "context": {
                "System": {
                    "application": application,
                    "user": user,
                    "device": {"deviceId": self.device_id, "supportedInterfaces": interfaces},
                    "apiEndpoint": self.api_endpoint,
                    "apiAccessToken": self.api_access_token,
                }
            },
            "request": {
                "requestId": _id("amzn1.echo-api.request"),
                "timestamp": _timestamp(),
                "locale": self.locale,
                **request,
            },
        }
        if self.screen:
            envelope["context"]["Viewport"] = SCREEN_VIEWPORT
        self._new = False
        return envelope
