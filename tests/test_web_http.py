"""The web service over real HTTP, with real Alexa-style signatures (see signing.py)."""

from __future__ import annotations

import datetime as dt
import http.client
from typing import Any

import pytest
from signing import (
    BAD_CERT_URLS,
    FOREIGN_SKILL_ID,
    TEST_SKILL_ID,
    SigningIdentity,
    TestPKI,
    alexa_envelope,
    encode,
    signed_headers,
    tampered,
)
from web_fixtures import HttpReply, WebServer

ALEXA = "/alexa"
MAX_BODY = 256 * 1024


def _post_signed(
    server: WebServer,
    identity: SigningIdentity,
    envelope: dict[str, Any] | None = None,
    **envelope_fields: Any,
) -> HttpReply:
    body = encode(envelope if envelope is not None else alexa_envelope(**envelope_fields))
    return server.post(ALEXA, body, signed_headers(body, identity))


def _assert_skill_answered(reply: HttpReply) -> None:
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"].startswith("application/json")
    envelope = reply.json()
    assert envelope["version"] == "1.0"
    assert envelope["response"]["outputSpeech"]["type"] in {"SSML", "PlainText"}


def _assert_refused(reply: HttpReply, status: int) -> dict[str, Any]:
    assert reply.status == status, reply.body
    error: dict[str, Any] = reply.json()
    assert error["reason"]
    assert "response" not in error
    return error


# --- verification on, any skill id --------------------------------------------------


def test_healthz(web_server: WebServer) -> None:
    reply = web_server.get("/healthz")
    assert reply.status == 200
    assert reply.json() == {"status": "ok"}


def test_signed_launch_request_is_answered(web_server: WebServer, alexa_pki: TestPKI) -> None:
    _assert_skill_answered(_post_signed(web_server, alexa_pki.good))
    # The verifier's cryptography deprecation warning is filtered, and only that.
    assert "CryptographyDeprecationWarning" not in web_server.log()


def test_alexa_route_takes_only_post(web_server: WebServer) -> None:
    assert web_server.get(ALEXA).status == 405


@pytest.mark.parametrize("headers", ["none", "cert-url-only", "signature-only"])
def test_unsigned_request_is_refused(
    web_server: WebServer, alexa_pki: TestPKI, headers: str
) -> None:
    body = encode(alexa_envelope())
    signed = signed_headers(body, alexa_pki.good)
    sent = {
        "none": {},
        "cert-url-only": {"SignatureCertChainUrl": signed["SignatureCertChainUrl"]},
        "signature-only": {"Signature-256": signed["Signature-256"]},
    }[headers]
    _assert_refused(web_server.post(ALEXA, body, sent), 400)


def test_tampered_body_is_refused(web_server: WebServer, alexa_pki: TestPKI) -> None:
    body = encode(alexa_envelope())
    _assert_refused(
        web_server.post(ALEXA, tampered(body), signed_headers(body, alexa_pki.good)), 400
    )


def test_signature_by_another_key_is_refused(web_server: WebServer, alexa_pki: TestPKI) -> None:
    body = encode(alexa_envelope())
    headers = signed_headers(body, alexa_pki.good)
    headers["Signature-256"] = signed_headers(body + b" ", alexa_pki.good)["Signature-256"]
    _assert_refused(web_server.post(ALEXA, body, headers), 400)


@pytest.mark.parametrize("skew_s", [-151, -600, 151], ids=["stale", "old", "future"])
def test_timestamp_outside_150_s_is_refused(
    web_server: WebServer, alexa_pki: TestPKI, skew_s: int
) -> None:
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=skew_s)
    _assert_refused(_post_signed(web_server, alexa_pki.good, timestamp=moment), 400)


def test_timestamp_within_150_s_is_accepted(web_server: WebServer, alexa_pki: TestPKI) -> None:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=120)
    _assert_skill_answered(_post_signed(web_server, alexa_pki.good, timestamp=moment))


@pytest.mark.parametrize("which", ["expired", "wrong_san", "no_san", "untrusted"])
def test_bad_signing_certificate_is_refused(
    web_server: WebServer, alexa_pki: TestPKI, which: str
) -> None:
    identity: SigningIdentity = getattr(alexa_pki, which)
    _assert_refused(_post_signed(web_server, identity), 400)


@pytest.mark.parametrize("rule", sorted(BAD_CERT_URLS))
def test_cert_url_off_alexa_location_is_refused(
    web_server: WebServer, alexa_pki: TestPKI, rule: str
) -> None:
    # The server's cache holds the good chain under these URLs too: only the URL rule
    # can refuse them.
    body = encode(alexa_envelope())
    headers = signed_headers(body, alexa_pki.good, cert_url=BAD_CERT_URLS[rule])
    _assert_refused(web_server.post(ALEXA, body, headers), 400)


def _declare_oversize_body(server: WebServer) -> HttpReply:
    """Send only the headers of a body one byte over the limit, then read the answer.

    The server must answer from Content-Length alone; sending the body too would race
    with the server closing the connection on the unread bytes.
    """
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.putrequest("POST", ALEXA)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(MAX_BODY + 1))
        connection.endheaders()
        response = connection.getresponse()
        return HttpReply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def test_oversize_body_is_refused_before_it_is_read(web_server: WebServer) -> None:
    _assert_refused(_declare_oversize_body(web_server), 413)


def test_body_at_the_size_limit_is_accepted(web_server: WebServer, alexa_pki: TestPKI) -> None:
    envelope = alexa_envelope()
    envelope["session"]["attributes"]["padding"] = ""
    envelope["session"]["attributes"]["padding"] = "x" * (MAX_BODY - len(encode(envelope)))
    body = encode(envelope)
    assert len(body) == MAX_BODY
    _assert_skill_answered(web_server.post(ALEXA, body, signed_headers(body, alexa_pki.good)))


def test_server_has_no_skill_id_by_default(web_server: WebServer, alexa_pki: TestPKI) -> None:
    reply = _post_signed(web_server, alexa_pki.good, application_id=FOREIGN_SKILL_ID)
    _assert_skill_answered(reply)


# --- verification on, CRAMP_COACH_SKILL_ID set -----------------------------------------


def test_request_for_our_skill_is_answered(
    web_server_with_skill_id: WebServer, alexa_pki: TestPKI
) -> None:
    reply = _post_signed(web_server_with_skill_id, alexa_pki.good, application_id=TEST_SKILL_ID)
    _assert_skill_answered(reply)


def test_request_for_another_skill_is_forbidden(
    web_server_with_skill_id: WebServer, alexa_pki: TestPKI
) -> None:
    reply = _post_signed(web_server_with_skill_id, alexa_pki.good, application_id=FOREIGN_SKILL_ID)
    error = _assert_refused(reply, 403)
    assert "skill" in error["reason"]


def test_request_without_context_is_forbidden(
    web_server_with_skill_id: WebServer, alexa_pki: TestPKI
) -> None:
    envelope = alexa_envelope()
    del envelope["context"]
    _assert_refused(_post_signed(web_server_with_skill_id, alexa_pki.good, envelope), 403)


def test_skill_id_is_checked_after_verification(web_server_with_skill_id: WebServer) -> None:
    body = encode(alexa_envelope(application_id=FOREIGN_SKILL_ID))
    _assert_refused(web_server_with_skill_id.post(ALEXA, body), 400)


# --- verification off (serve(verify=False)) -------------------------------------------


def test_no_verify_answers_unsigned_request(web_server_no_verify: WebServer) -> None:
    body = encode(alexa_envelope(timestamp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
    _assert_skill_answered(web_server_no_verify.post(ALEXA, body))


def test_no_verify_warns_on_stderr(web_server_no_verify: WebServer) -> None:
    assert "request verification is OFF: only for local testing" in web_server_no_verify.log()


def test_no_verify_still_limits_body_size(web_server_no_verify: WebServer) -> None:
    _assert_refused(_declare_oversize_body(web_server_no_verify), 413)
