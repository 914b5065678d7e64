"""The web service over real HTTP, with real Alexa-style signatures (see signing.py)."""

from __future__ import annotations

import datetime as dt
import http.client
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from signing import (
    BAD_CERT_URLS,
    CERT_URL_PREFIX,
    FOREIGN_SKILL_ID,
    TEST_SKILL_ID,
    SigningIdentity,
    TestPKI,
    TrustFiles,
    alexa_envelope,
    encode,
    signed_headers,
    tampered,
)
from web_fixtures import HOST, HttpReply, WebServer, running_web_server

from skill.web import CERT_DOWNLOAD_TIMEOUT_S

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


# Alexa timestamps are in whole seconds: cut down, "now + 151 s" can arrive under 150 s ahead,
# so the future case keeps a second of margin.
@pytest.mark.parametrize("skew_s", [-151, -600, 152], ids=["stale", "old", "future"])
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


def test_request_without_context_system_is_forbidden(
    web_server_with_skill_id: WebServer, alexa_pki: TestPKI
) -> None:
    envelope = alexa_envelope()
    envelope["context"] = {}
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


# --- bodies and headers the service cannot take: 4xx, never 5xx --------------------------


def _signed_raw(server: WebServer, identity: SigningIdentity, body: bytes) -> HttpReply:
    return server.post(ALEXA, body, signed_headers(body, identity))


NOT_AN_ENVELOPE = {
    "empty": b"",
    "not-json": b"my chest hurts",
    "truncated-json": encode(alexa_envelope())[:-1],
    "not-utf8": b'{"version": "1.0", "x": "\xff"}',
    "json-array": b"[1, 2]",
    "json-string": b'"LaunchRequest"',
    "json-null": b"null",
    "empty-object": b"{}",
    "deeply-nested": b"[" * 50_000 + b"]" * 50_000,
}


@pytest.mark.parametrize("body", NOT_AN_ENVELOPE.values(), ids=NOT_AN_ENVELOPE.keys())
def test_signed_body_that_is_not_an_envelope_is_refused(
    web_server: WebServer, alexa_pki: TestPKI, body: bytes
) -> None:
    _assert_refused(_signed_raw(web_server, alexa_pki.good, body), 400)


def _envelope_with(**changes: Any) -> dict[str, Any]:
    envelope = alexa_envelope()
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        target = envelope
        for key in parents:
            target = target[key]
        if value is _DELETE:
            del target[leaf]
        else:
            target[leaf] = value
    return envelope


_DELETE = object()
BROKEN_ENVELOPES = {
    "no-request": {"request": _DELETE},
    "request-not-object": {"request": 5},
    "unknown-request-type": {"request__type": "Cramp.Unknown"},
    "intent-not-object": {"request__type": "IntentRequest", "request__intent": "next"},
    "slots-a-list": {
        "request__type": "IntentRequest",
        "request__intent": {"name": "AMAZON.NextIntent", "slots": [1]},
    },
    "bad-dialog-state": {"request__type": "IntentRequest", "request__dialogState": "BOGUS"},
    "session-attributes-a-list": {"session__attributes": [1, 2]},
    "no-context": {"context": _DELETE},
    "timestamp-garbage": {"request__timestamp": "yesterday"},
}


@pytest.mark.parametrize("changes", BROKEN_ENVELOPES.values(), ids=BROKEN_ENVELOPES.keys())
def test_signed_broken_envelope_is_refused(
    web_server: WebServer, alexa_pki: TestPKI, changes: dict[str, Any]
) -> None:
    _assert_refused(_signed_raw(web_server, alexa_pki.good, encode(_envelope_with(**changes))), 400)


@pytest.mark.parametrize("changes", BROKEN_ENVELOPES.values(), ids=BROKEN_ENVELOPES.keys())
def test_no_verify_refuses_broken_envelope(
    web_server_no_verify: WebServer, changes: dict[str, Any]
) -> None:
    body = encode(_envelope_with(**changes))
    _assert_refused(web_server_no_verify.post(ALEXA, body), 400)


@pytest.mark.parametrize("body", NOT_AN_ENVELOPE.values(), ids=NOT_AN_ENVELOPE.keys())
def test_no_verify_refuses_body_that_is_not_an_envelope(
    web_server_no_verify: WebServer, body: bytes
) -> None:
    _assert_refused(web_server_no_verify.post(ALEXA, body), 400)


def test_timestamp_without_time_zone_is_refused(web_server: WebServer, alexa_pki: TestPKI) -> None:
    naive = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    envelope = _envelope_with(request__timestamp=naive)
    _assert_refused(_signed_raw(web_server, alexa_pki.good, encode(envelope)), 400)


@pytest.mark.parametrize(
    "signature",
    ["!!!not base64!!!", "abc", "ab\u00e9c=", "", "QUJD REVG"],
    ids=["punctuation", "bad-padding", "not-ascii", "empty", "space"],
)
def test_signature_that_is_not_base64_is_refused(
    web_server: WebServer, alexa_pki: TestPKI, signature: str
) -> None:
    body = encode(alexa_envelope())
    headers = signed_headers(body, alexa_pki.good)
    headers["Signature-256"] = signature
    # http.client sends header values as Latin-1, as a client on the internet may.
    _assert_refused(web_server.post(ALEXA, body, headers), 400)


def test_refusal_log_never_quotes_the_body(web_server: WebServer, alexa_pki: TestPKI) -> None:
    body = b"I am dizzy and my calf is swollen"
    _assert_refused(_signed_raw(web_server, alexa_pki.good, body), 400)
    envelope = _envelope_with(request__type="Cramp.Unknown", request__note="pregnant")
    _assert_refused(_signed_raw(web_server, alexa_pki.good, encode(envelope)), 400)
    log = web_server.log()
    assert "refused a body that is not an Alexa request" in log
    for word in ("dizzy", "swollen", "pregnant"):
        assert word not in log


# --- a certificate chain the server does not have yet -----------------------------------


@pytest.fixture
def blackhole_proxy() -> Iterator[str]:
    """An HTTPS proxy on loopback that accepts connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, 0))
        listener.listen(16)  # the kernel completes handshakes; nothing is ever read
        yield f"http://{HOST}:{listener.getsockname()[1]}"


@pytest.fixture
def refusing_proxy() -> str:
    """An HTTPS proxy address on loopback where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    return f"http://{HOST}:{port}"


def _server_behind_proxy(
    proxy: str, log_dir: Path, trust_files: TrustFiles, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """A verifying server whose certificate downloads go through ``proxy``, never online.

    urllib honours ``https_proxy``, so the download of an uncached chain reaches the
    loopback proxy instead of S3.
    """
    for name in ("no_proxy", "NO_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", proxy)
    return running_web_server(log_dir, verify=True, trust_files=trust_files)


def _unknown_chain_request(pki: TestPKI) -> tuple[bytes, dict[str, str]]:
    """A well-signed request naming a chain URL under echo.api that the server has not cached."""
    body = encode(alexa_envelope())
    unknown_url = f"{CERT_URL_PREFIX}echo-api-cert-unknown.pem"
    return body, signed_headers(body, pki.good, cert_url=unknown_url)


def test_certificate_download_that_hangs_is_refused_within_the_timeout(
    alexa_pki: TestPKI,
    alexa_trust_files: TrustFiles,
    blackhole_proxy: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _server_behind_proxy(blackhole_proxy, tmp_path, alexa_trust_files, monkeypatch) as server:
        body, headers = _unknown_chain_request(alexa_pki)
        started = time.monotonic()
        _assert_refused(server.post(ALEXA, body, headers), 400)
        assert time.monotonic() - started < CERT_DOWNLOAD_TIMEOUT_S + 2
        assert "could not download the certificate chain: <urlopen error timed out>" in server.log()


def test_certificate_download_that_fails_is_refused_and_not_cached(
    alexa_pki: TestPKI,
    alexa_trust_files: TrustFiles,
    refusing_proxy: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _server_behind_proxy(refusing_proxy, tmp_path, alexa_trust_files, monkeypatch) as server:
        body, headers = _unknown_chain_request(alexa_pki)
        _assert_refused(server.post(ALEXA, body, headers), 400)
        assert "could not download the certificate chain: <urlopen error" in server.log()
        # Tried again (nothing was cached for the URL), and cached chains still work.
        _assert_refused(server.post(ALEXA, body, headers), 400)
        assert server.log().count("could not download the certificate chain") == 2
        _assert_skill_answered(_post_signed(server, alexa_pki.good))


# --- chunked bodies: no Content-Length up front ---------------------------------------


def _post_chunked(server: WebServer, body: bytes, headers: dict[str, str]) -> HttpReply:
    """POST ``body`` with ``Transfer-Encoding: chunked``, in 16 KiB chunks."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.putrequest("POST", ALEXA)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            connection.putheader(name, value)
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        step = 16 * 1024
        try:
            for start in range(0, len(body), step):
                part = body[start : start + step]
                connection.send(b"%x\r\n%s\r\n" % (len(part), part))
            connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading the rest
        response = connection.getresponse()
        return HttpReply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def _envelope_of_size(size: int) -> bytes:
    envelope = alexa_envelope()
    envelope["session"]["attributes"]["padding"] = ""
    envelope["session"]["attributes"]["padding"] = "x" * (size - len(encode(envelope)))
    body = encode(envelope)
    assert len(body) == size
    return body


@pytest.mark.parametrize("size", [MAX_BODY + 1, MAX_BODY + 100_000], ids=["one-over", "far-over"])
def test_chunked_body_over_the_limit_is_refused_not_cut(
    web_server: WebServer, alexa_pki: TestPKI, size: int
) -> None:
    body = _envelope_of_size(size)
    _assert_refused(_post_chunked(web_server, body, signed_headers(body, alexa_pki.good)), 413)


@pytest.mark.parametrize("size", [2_000, MAX_BODY], ids=["small", "at-the-limit"])
def test_chunked_body_within_the_limit_is_answered(
    web_server: WebServer, alexa_pki: TestPKI, size: int
) -> None:
    body = _envelope_of_size(size)
    _assert_skill_answered(_post_chunked(web_server, body, signed_headers(body, alexa_pki.good)))


def test_no_verify_refuses_chunked_body_over_the_limit(web_server_no_verify: WebServer) -> None:
    _assert_refused(_post_chunked(web_server_no_verify, _envelope_of_size(MAX_BODY + 1), {}), 413)
