"""Drives whole dialogs through the real entry points, checking every response on the way.

A Conversation types utterances through the chat simulator's matcher (so the interaction
model decides the intent, as Alexa would), sends the envelope to a handler — the Lambda
handler in-process, or the web service over HTTP — and validates each response.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from alexa_rules import assert_valid
from budgets import assert_within_budget

from skill.locale_models import model_path
from skill.simulator.chat import ChatSession, Reply
from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.matcher import Match, UtteranceMatcher

ROOT = Path(__file__).resolve().parent.parent
Handler = Callable[[dict[str, Any]], dict[str, Any]]


@cache
def lambda_module() -> Any:
    """lambda/lambda_function.py, imported the way Lambda does (it is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "lambda_function", ROOT / "lambda" / "lambda_function.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def sync_tool() -> Any:
    """tools/sync_models.py, imported from its file (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("sync_models", ROOT / "tools" / "sync_models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lambda_handler(envelope: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = lambda_module().lambda_handler(envelope, None)
    return response


@cache
def matcher(locale: str = "en-US") -> UtteranceMatcher:
    return UtteranceMatcher.from_files(str(model_path(locale)))


@dataclass
class Conversation:
    handler: Handler = lambda_handler
    locale: str = "en-US"
    # A device with a screen: its requests declare APL, and `press` sends its buttons' events.
    screen: bool = False
    envelopes: EnvelopeFactory = field(init=False)
    history: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.envelopes = EnvelopeFactory(locale=self.locale, screen=self.screen)
        self._session = ChatSession(self._checked, matcher(self.locale), self.envelopes)

    def _checked(self, envelope: dict[str, Any]) -> dict[str, Any]:
        # Round-trip through JSON, as the wire would, so nothing in-process leaks through.
        request = json.loads(json.dumps(envelope))
        response = self.handler(request)
        assert_valid(response, request)
        assert_within_budget(response, request)
        self.history.append((request, response))
        return response

    def say(self, utterance: str) -> Reply:
        reply = self._session.say(utterance)
        assert reply is not None
        return reply

    def send(self, match: Match) -> Reply:
        """An intent built directly, for requests the matcher would never produce."""
        if not self.envelopes.in_session:
            self.envelopes.begin_session()
        return self._session.send(self.envelopes.intent(match))

    def press(self, *arguments: Any) -> Reply:
        """A button on the screen: an APL UserEvent with these arguments."""
        return self._session.send(self.envelopes.user_event(list(arguments)))

    def raw(self, body: dict[str, Any]) -> dict[str, Any]:
        """Any request body in a full envelope of this session; returns the whole response."""
        envelope = self.envelopes.request(body)
        response = self._checked(envelope)
        self.envelopes.keep(response)
        return response

    @property
    def last_response(self) -> dict[str, Any]:
        return self.history[-1][1]

    @property
    def attributes(self) -> dict[str, Any]:
        return self.envelopes.attributes

    @property
    def progress(self) -> dict[str, Any]:
        value = self.last_response.get("sessionAttributes", {}).get("progress", {})
        assert isinstance(value, dict)
        return value

    def rendered(self) -> dict[str, Any] | None:
        """The last response's APL RenderDocument directive, if it has one."""
        for directive in self.last_response["response"].get("directives") or []:
            if directive.get("type") == "Alexa.Presentation.APL.RenderDocument":
                assert isinstance(directive, dict)
                return directive
        return None

    def card(self) -> dict[str, Any] | None:
        card = self.last_response["response"].get("card")
        return card if isinstance(card, dict) else None

    def reprompt(self) -> str | None:
        reprompt = self.last_response["response"].get("reprompt")
        return None if reprompt is None else reprompt["outputSpeech"].get("ssml")


NewConversation = Callable[..., Conversation]
