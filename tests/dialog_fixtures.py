"""The `new` fixture: fresh Conversations through each entry point the skill has."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conversation import Conversation, Handler, NewConversation, lambda_handler
from signing import TestPKI, signed_headers
from web_fixtures import WebServer


def http_handler(server: WebServer, pki: TestPKI) -> Handler:
    """Posts each envelope, signed as Alexa would, to the running web service."""

    def send(envelope: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(envelope).encode()
        reply = server.post("/alexa", body, signed_headers(body, pki.good))
        assert reply.status == 200, reply.body
        answer: dict[str, Any] = reply.json()
        return answer

    return send


@pytest.fixture(params=["lambda", "http"])
def new(request: pytest.FixtureRequest) -> NewConversation:
    if request.param == "lambda":
        return lambda **options: Conversation(lambda_handler, **options)
    server: WebServer = request.getfixturevalue("web_server")
    handler = http_handler(server, request.getfixturevalue("alexa_pki"))
    return lambda **options: Conversation(handler, **options)
