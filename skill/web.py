"""The skill as a self-hosted web service: Flask, with Alexa request verification.

``POST /alexa`` takes Alexa requests. With ``verify`` on (the default, and the only
safe setting on a public address) each request must carry a valid Alexa signature
(``Signature-256`` and ``SignatureCertChainUrl``) and a timestamp within 150 seconds,
or it is answered 400. When a skill id is configured, a request for another skill is
answered 403, after those checks and before the skill runs. Bodies over 256 KiB are answered 413
before they are read. ``GET /healthz`` answers ``{"status": "ok"}``.

This is the only module (with :mod:`skill.oscrypto_compat`) that imports Flask; the
Lambda entry point never imports it.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import Any

from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import ExtensionNotFound
from flask import Flask, Response, jsonify
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException

from skill.assembly import SKILL_ID_ENV, build_skill
from skill.oscrypto_compat import ensure_oscrypto_loads
from skill.storage import UserStore, open_store

__all__ = ["ALEXA_ROUTE", "MAX_BODY_BYTES", "SKILL_ID_ENV", "create_app", "serve"]

_log = logging.getLogger(__name__)

#: The route Alexa posts requests to.
ALEXA_ROUTE = "/alexa"
#: Largest request body accepted (Alexa requests are a few KiB).
MAX_BODY_BYTES = 256 * 1024

_NO_VERIFY_WARNING = "WARNING: request verification is OFF: only for local testing."


class SkillIdCheck:
    """Refuses, with 403, a request whose application id is not this skill's.

    It has the ``verify`` method of ``ask_sdk_webservice_support``'s verifiers and is
    passed to the adapter as an extra verifier, so it runs after the signature and
    timestamp checks and before the skill. It raises :class:`Forbidden` rather than
    the SDK's exceptions, which flask-ask-sdk would turn into 400 or 500.
    """

    def __init__(self, skill_id: str) -> None:
        self.skill_id = skill_id

    def verify(
        self, headers: Any, serialized_request_env: str, deserialized_request_env: Any
    ) -> None:
        context = deserialized_request_env.context
        application = None if context is None else context.system.application
        application_id = None if application is None else application.application_id
        if application_id != self.skill_id:
            _log.warning("refused a request for application id %r", application_id)
            raise Forbidden(description="This service does not answer requests for that skill.")


def _json_http_error(error: HTTPException) -> tuple[Response, int]:
    """Render an HTTP error as a short JSON body instead of Werkzeug's HTML page."""
    status = error.code or 500
    return jsonify(error=error.name, reason=error.description), status


def _missing_certificate_extension(error: ExtensionNotFound) -> tuple[Response, int]:
    """Answer 400 when the signing certificate lacks an extension the verifier reads.

    The verifier looks up the certificate's Subject Alternative Name without handling
    its absence, so a certificate without one would otherwise surface as a 500.
    """
    _log.error("Request verification failed: %s", error)
    return _json_http_error(BadRequest(description="Incoming request failed verification"))


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
    ensure_oscrypto_loads()
    from flask_ask_sdk.skill_adapter import (  # after the oscrypto fix, on purpose
        VERIFY_SIGNATURE_APP_CONFIG,
        VERIFY_TIMESTAMP_APP_CONFIG,
        SkillAdapter,
    )

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
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # flask-ask-sdk reads these when the adapter is constructed.
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = verify
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = verify
    app.register_error_handler(HTTPException, _json_http_error)
    app.register_error_handler(ExtensionNotFound, _missing_certificate_extension)

    skill = build_skill(store=store, skill_id=skill_id)
    extra_checks = [] if skill_id is None else [SkillIdCheck(skill_id)]
    adapter = SkillAdapter(skill=skill, skill_id=skill_id, verifiers=extra_checks, app=app)
    adapter.register(app=app, route=ALEXA_ROUTE)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    return app


def serve(host: str, port: int, *, verify: bool, db_path: str | None = None) -> None:
    """Serve the skill with Werkzeug's threaded server until interrupted.

    State goes to SQLite at `db_path` (default: see skill.storage), or DynamoDB when
    CRAMP_COACH_DYNAMODB_TABLE is set.
    """
    if not verify:
        print(_NO_VERIFY_WARNING, file=sys.stderr, flush=True)
    app = create_app(verify=verify, store=open_store(db_path=db_path))
    app.run(host=host, port=port, threaded=True, use_reloader=False)
