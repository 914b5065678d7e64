"""The skill as a self-hosted web service: Flask, with Alexa request verification.

``POST /alexa`` takes Alexa requests. With ``verify`` on (the default, and the only
safe setting on a public address) each request must carry a valid Alexa signature
(``Signature-256`` and ``SignatureCertChainUrl``) and a timestamp within 150 seconds,
or it is answered 400. When a skill id is configured, a request for another skill is
answered 403, after those checks and before the skill runs. ``GET /healthz`` answers
``{"status": "ok"}``.

Every request the service cannot take gets a 4xx with a short JSON reason, never a 500:

* a body over 256 KiB: 413, from ``Content-Length`` before it is read, or, for a chunked
  body, as soon as the limit is passed (never cut to the limit and parsed);
* a bad signature (including one that is not base64, and a signing certificate that
  cannot be downloaded within :data:`CERT_DOWNLOAD_TIMEOUT_S`): 400;
* a body that is not UTF-8 JSON, or JSON that is not an Alexa request envelope: 400.

The signature is checked on the raw body before it is parsed, so an unsigned body is
never deserialised. The log names the reason for a refusal but never quotes the body.

This is the only module (with :mod:`skill.oscrypto_compat`) that imports Flask; the
Lambda entry point never imports it.
"""

from __future__ import annotations

import base64
import logging
import os
import sys
import time
import warnings
from typing import Any
from urllib.request import urlopen

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import ExtensionNotFound
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, RequestEntityTooLarge

from skill.assembly import SKILL_ID_ENV, build_skill
from skill.oscrypto_compat import ensure_oscrypto_loads
from skill.storage import UserStore, open_store

# The verifier imports oscrypto (through certvalidator), which fails to load on OpenSSL
# >= 3.0.10 unless the fix is installed first.
ensure_oscrypto_loads()

from ask_sdk_core.exceptions import SerializationException  # noqa: E402
from ask_sdk_core.skill import CustomSkill  # noqa: E402
from ask_sdk_model import RequestEnvelope  # noqa: E402
from ask_sdk_webservice_support.verifier import (  # noqa: E402
    RequestVerifier,
    TimestampVerifier,
    VerificationException,
)
from flask_ask_sdk.skill_adapter import (  # noqa: E402
    VERIFY_SIGNATURE_APP_CONFIG,
    VERIFY_TIMESTAMP_APP_CONFIG,
    SkillAdapter,
)

__all__ = [
    "ALEXA_ROUTE",
    "CERT_DOWNLOAD_TIMEOUT_S",
    "MAX_BODY_BYTES",
    "SKILL_ID_ENV",
    "create_app",
    "serve",
]

_log = logging.getLogger(__name__)

#: The route Alexa posts requests to.
ALEXA_ROUTE = "/alexa"
#: Largest request body accepted (Alexa requests are a few KiB).
MAX_BODY_BYTES = 256 * 1024
#: Connect and read timeout for downloading a signing certificate chain. Alexa waits about
#: 8 s for an answer, and its chain is a few KiB from S3, so this leaves room for the skill
#: while a request naming a chain that cannot be fetched is refused quickly.
CERT_DOWNLOAD_TIMEOUT_S = 3.0
#: Largest certificate chain downloaded (Alexa's is about 6 KiB).
MAX_CERT_CHAIN_BYTES = 64 * 1024
#: How long a certificate chain that validated is trusted for its URL before it is validated
#: again (the signing certificate's own dates are checked on every request).
CHAIN_REVALIDATE_S = 3600.0

_NO_VERIFY_WARNING = "WARNING: request verification is OFF: only for local testing."
_NOT_VERIFIED = "Incoming request failed verification"
_NOT_ALEXA = "The body is not an Alexa request envelope."


class SignatureCheck(RequestVerifier):
    """The SDK's signature verifier, bounded, cached, and with every failure a
    :class:`VerificationException`.

    The SDK's version downloads an unknown certificate chain with no timeout and lets a
    download error, a missing SAN extension or a ``Signature-256`` that is not base64
    escape as other exceptions (a 500, or a worker stuck on a silent server). It also
    validates the whole chain on every request, about 3 ms of pure-Python ASN.1 work,
    most of the service's time per request: here a chain that validated is trusted for its
    URL for :data:`CHAIN_REVALIDATE_S`, while the signing certificate's validity dates and
    SAN and the body's signature are still checked on every request. The URL rules, the
    chain validation and the signature check itself are the SDK's.
    """

    def __init__(self) -> None:
        super().__init__()
        # URL -> (signing certificate, time.monotonic() when its chain validated).
        self._validated: dict[str, tuple[x509.Certificate, float]] = {}

    def _retrieve_and_validate_certificate_chain(
        self, cert_url: str, *backend: Any
    ) -> x509.Certificate:
        validated = self._validated.get(cert_url)
        now = time.monotonic()
        if validated is not None and now - validated[1] < CHAIN_REVALIDATE_S:
            self._validate_end_certificate(validated[0])
            return validated[0]
        certificate = super()._retrieve_and_validate_certificate_chain(cert_url, *backend)
        self._validated[cert_url] = (certificate, now)
        return certificate

    def _load_cert_chain(self, cert_url: str) -> bytes:
        cached: bytes | None = self._cert_cache.get(cert_url)
        if cached is not None:
            return cached
        try:
            # The URL has passed the SDK's rules (https://s3.amazonaws.com/echo.api/...).
            with urlopen(cert_url, timeout=CERT_DOWNLOAD_TIMEOUT_S) as reply:
                chain: bytes = reply.read(MAX_CERT_CHAIN_BYTES + 1)
        except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors
            raise VerificationException(
                f"could not download the certificate chain: {error}"
            ) from error
        if len(chain) > MAX_CERT_CHAIN_BYTES:
            raise VerificationException("the certificate chain is too large")
        self._cert_cache[cert_url] = chain
        return chain

    def _validate_end_certificate(self, x509_cert: Any) -> None:
        try:
            super()._validate_end_certificate(x509_cert)
        except ExtensionNotFound as error:
            raise VerificationException("the signing certificate has no SAN") from error

    def _valid_request_body(
        self, cert_chain: Any, signature: str, serialized_request_env: str
    ) -> None:
        try:
            base64.b64decode(signature, validate=True)
        except ValueError as error:  # binascii.Error, or a header that is not ASCII
            raise VerificationException("Signature-256 is not base64") from error
        super()._valid_request_body(cert_chain, signature, serialized_request_env)


class TimestampCheck(TimestampVerifier):
    """The SDK's 150-second timestamp check, refusing a timestamp without a time zone.

    The SDK subtracts the timestamp from an aware "now", which raises TypeError for a
    naive one.
    """

    def verify(
        self, headers: Any, serialized_request_env: str, deserialized_request_env: Any
    ) -> None:
        timestamp = getattr(deserialized_request_env.request, "timestamp", None)
        if timestamp is not None and timestamp.tzinfo is None:
            raise VerificationException("the request timestamp has no time zone")
        super().verify(headers, serialized_request_env, deserialized_request_env)


class SkillIdCheck:
    """Refuses, with 403, a request whose application id is not this skill's.

    It has the ``verify`` method of ``ask_sdk_webservice_support``'s verifiers and runs
    after the signature and timestamp checks and before the skill. It raises
    :class:`Forbidden` rather than a VerificationException, which would be a 400.
    """

    def __init__(self, skill_id: str) -> None:
        self.skill_id = skill_id

    def verify(
        self, headers: Any, serialized_request_env: str, deserialized_request_env: Any
    ) -> None:
        system = getattr(deserialized_request_env.context, "system", None)
        application = getattr(system, "application", None)
        application_id = getattr(application, "application_id", None)
        if application_id != self.skill_id:
            _log.warning("refused a request for application id %r", application_id)
            raise Forbidden(description="This service does not answer requests for that skill.")


class AlexaEndpoint(SkillAdapter):
    """flask-ask-sdk's adapter with the request handling this service needs.

    The adapter still registers itself in ``app.extensions`` and builds the SDK's
    webservice handler (with our checks as its verifiers, so tools that look for the
    :class:`RequestVerifier` there find it); :meth:`dispatch_request` replaces the SDK's,
    which answers 500 to most bad requests and verifies only after parsing the body.
    """

    def __init__(
        self, skill: CustomSkill, *, app: Flask, verify: bool, skill_id: str | None
    ) -> None:
        self._signature_checks: list[Any] = [SignatureCheck()] if verify else []
        self._envelope_checks: list[Any] = [TimestampCheck()] if verify else []
        if skill_id is not None:
            self._envelope_checks.append(SkillIdCheck(skill_id))
        # The SDK's own verifiers are switched off: ours above replace them.
        app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
        app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
        super().__init__(
            skill=skill,
            skill_id=skill_id,
            verifiers=[*self._signature_checks, *self._envelope_checks],
            app=app,
        )

    def dispatch_request(self) -> Response:
        body = _read_body()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            _log.warning("refused a body that is not UTF-8")
            raise BadRequest(description=_NOT_ALEXA) from error
        headers = request.headers
        try:
            for check in self._signature_checks:
                check.verify(headers, text, None)
            envelope = _envelope(self._skill, text)
            for check in self._envelope_checks:
                check.verify(headers, text, envelope)
        except VerificationException as error:
            _log.warning("request verification failed: %s", error)
            raise BadRequest(description=_NOT_VERIFIED) from error
        if getattr(envelope.context, "system", None) is None:
            # Alexa always sends context.System; the skill reads its API endpoint and user.
            _log.warning("refused an envelope without context.System")
            raise BadRequest(description=_NOT_ALEXA)
        response = self._skill.invoke(request_envelope=envelope, context=None)
        return jsonify(self._skill.serializer.serialize(response))


def _read_body() -> bytes:
    """The request body, refusing one over :data:`MAX_BODY_BYTES` with 413.

    A declared ``Content-Length`` is checked before anything is read. A chunked body has
    no length up front: it is read up to one byte past the limit, so a longer body is
    refused instead of being cut to the limit.
    """
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    stream = request.stream
    body = bytearray()
    while len(body) <= MAX_BODY_BYTES:
        chunk = stream.read(MAX_BODY_BYTES + 1 - len(body))
        if not chunk:
            break
        body += chunk
    if len(body) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    return bytes(body)


def _envelope(skill: CustomSkill, text: str) -> Any:
    """The request envelope in ``text``; 400 when it is not one the skill can answer."""
    try:
        envelope = skill.serializer.deserialize(payload=text, obj_type=RequestEnvelope)
    except SerializationException as error:
        # The SDK's message quotes the body, which may hold what the runner said: log the
        # kind of failure only.
        _log.warning("refused a body that is not an Alexa request: %s", type(error).__name__)
        raise BadRequest(description=_NOT_ALEXA) from error
    if envelope is None or envelope.request is None:
        _log.warning("refused an envelope without a request")
        raise BadRequest(description=_NOT_ALEXA)
    return envelope


def _json_http_error(error: HTTPException) -> tuple[Response, int]:
    """Render an HTTP error as a short JSON body instead of Werkzeug's HTML page."""
    status = error.code or 500
    return jsonify(error=error.name, reason=error.description), status


def create_app(
    *, verify: bool = True, skill_id: str | None = None, store: UserStore | None = None
) -> Flask:
    """Build the Flask app that serves the skill at :data:`ALEXA_ROUTE`.

    :param verify: check each request's Alexa signature and timestamp. Turn off only
        for local testing tools that cannot sign requests.
    :param skill_id: the only application id to answer; defaults to the
        ``CRAMP_COACH_SKILL_ID`` environment variable. ``None`` answers any skill.
    :param store: where progress and preferences are kept (see :mod:`skill.storage`).
    """
    # The verifier reads the certificate's naive-datetime validity properties, which
    # cryptography deprecates; silence exactly that warning from exactly that module.
    warnings.filterwarnings(
        "ignore",
        message="Properties that return a na\u00efve datetime object have been deprecated",
        category=CryptographyDeprecationWarning,
        module=r"ask_sdk_webservice_support\.verifier\Z",
    )

    if skill_id is None:
        skill_id = os.environ.get(SKILL_ID_ENV) or None

    app = Flask(__name__)
    # _read_body enforces MAX_BODY_BYTES. Werkzeug's own limit is one byte higher so that it
    # stops a chunked body one byte past ours rather than at it: a body of exactly the limit
    # can then be told from a longer one.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1
    app.register_error_handler(HTTPException, _json_http_error)

    skill = build_skill(store=store, skill_id=skill_id)
    AlexaEndpoint(skill, app=app, verify=verify, skill_id=skill_id).register(
        app=app, route=ALEXA_ROUTE
    )

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    return app


def wsgi_app() -> Flask:
    """The app for a production WSGI server: ``gunicorn 'skill.web:wsgi_app()'``.

    Verification on; state where CRAMP_COACH_DB or CRAMP_COACH_DYNAMODB_TABLE say (see
    skill.storage); one JSON log line per request.
    """
    from skill.request_log import configure_json_logging

    configure_json_logging(logging.INFO)
    return create_app(store=open_store())


def serve(host: str, port: int, *, verify: bool, db_path: str | None = None) -> None:
    """Serve the skill with Werkzeug's threaded server until interrupted.

    State goes to SQLite at `db_path` (default: see skill.storage), or DynamoDB when
    CRAMP_COACH_DYNAMODB_TABLE is set.
    """
    if not verify:
        print(_NO_VERIFY_WARNING, file=sys.stderr, flush=True)
    app = create_app(verify=verify, store=open_store(db_path=db_path))
    app.run(host=host, port=port, threaded=True, use_reloader=False)
