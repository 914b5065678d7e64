"""Alexa-style request signing for tests, with a throwaway certificate authority.

Alexa signs each request: ``Signature-256`` is the base64 RSA-SHA256 signature of the
raw body, and ``SignatureCertChainUrl`` names a PEM chain under
``https://s3.amazonaws.com/echo.api/`` whose leaf has the SAN ``echo-api.amazon.com``
and chains to a public root. Tests cannot get such a certificate, so they build
their own root and make the server under test trust it. Two seams, both in the
server process only:

* Trust roots: certvalidator (used by the verifier) takes its roots from oscrypto's
  trust list, which on Linux reads the file named by ``SSL_CERT_FILE`` first.
  The server runs with ``SSL_CERT_FILE`` set to a file holding only the test root
  (:data:`TRUST_ROOTS_ENV`), so Amazon's real roots are not trusted either.
* Certificate download: the verifier keeps a cache from URL to PEM chain and fetches
  only on a miss. :func:`prefill_cert_cache` fills that cache on the app's
  ``RequestVerifier`` with the test chains, so the server never goes online.

Everything else (URL rules, chain validation, expiry, SAN, signature, timestamp) is
the real verifier. The client side (:class:`TestPKI`, :func:`signed_headers`,
:func:`alexa_envelope`) does not import Flask or the verifier.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:
    from flask import Flask

#: The environment variable oscrypto reads the trust-root file name from (Linux/BSD).
TRUST_ROOTS_ENV = "SSL_CERT_FILE"
#: The SAN Alexa's signing certificate carries.
ALEXA_SAN = "echo-api.amazon.com"
#: Where Alexa's signing chains live; the verifier insists on this prefix.
CERT_URL_PREFIX = "https://s3.amazonaws.com/echo.api/"
#: Application id the tests configure as "ours".
TEST_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-00000c4a3b1e"
#: A different skill's application id.
FOREIGN_SKILL_ID = "amzn1.ask.skill.11111111-1111-4111-8111-111111111111"

#: Off-limits certificate URLs, each one rule of the verifier's URL check.
BAD_CERT_URLS: Mapping[str, str] = {
    "host": "https://evil.example.com/echo.api/good.pem",
    "scheme": "http://s3.amazonaws.com/echo.api/good.pem",
    "path": "https://s3.amazonaws.com/other.api/good.pem",
    "traversal": "https://s3.amazonaws.com/echo.api/../other.api/good.pem",
    "port": "https://s3.amazonaws.com:8443/echo.api/good.pem",
}

_KEY_BITS = 2048


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cramp Coach tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    *,
    issuer: x509.Certificate | None = None,
    issuer_key: rsa.RSAPrivateKey | None = None,
    now: dt.datetime,
) -> x509.Certificate:
    """A CA certificate: self-signed without ``issuer``, else signed by it."""
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(subject) if issuer is None else issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    return builder.sign(key if issuer_key is None else issuer_key, hashes.SHA256())


def _leaf_cert(
    key: rsa.RSAPrivateKey,
    *,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    sans: list[str] | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    """A signing certificate like Alexa's; ``sans=None`` leaves out the SAN extension."""
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(ALEXA_SAN))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
    )
    if sans is not None:
        san = x509.SubjectAlternativeName([x509.DNSName(name) for name in sans])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


@dataclass(frozen=True)
class SigningIdentity:
    """A signing key and the URL of its certificate chain (leaf first, as Alexa's)."""

    name: str
    key: rsa.RSAPrivateKey
    cert_url: str
    chain_pem: bytes


@dataclass(frozen=True)
class TrustFiles:
    """What the server process needs: the trust-root file and the cert-cache file."""

    trust_roots: Path
    cert_cache: Path


class TestPKI:
    """A root CA, an intermediate, and signing identities for every test case.

    Attributes (each a :class:`SigningIdentity`):

    * ``good``: valid leaf with SAN ``echo-api.amazon.com``, via the intermediate.
    * ``expired``: same, but its validity ended yesterday.
    * ``wrong_san``: valid leaf whose SAN is another name.
    * ``no_san``: valid leaf with no SAN extension at all.
    * ``untrusted``: a well-formed leaf from a root the server does not trust.

    :data:`BAD_CERT_URLS` lists URLs the verifier must refuse; :meth:`cert_cache`
    maps them to the good chain too, so only the URL rule can refuse them.
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC)
        self.root_key = _key()
        self.root = _ca_cert("Cramp Coach test root", self.root_key, now=now)
        inter_key = _key()
        self.intermediate = _ca_cert(
            "Cramp Coach test intermediate",
            inter_key,
            issuer=self.root,
            issuer_key=self.root_key,
            now=now,
        )
        leaf_key = _key()  # one key for all leaves: the certificates are what differ
        recent = now - dt.timedelta(hours=1)
        later = now + dt.timedelta(days=7)

        def identity(
            name: str, sans: list[str] | None, start: dt.datetime, end: dt.datetime
        ) -> SigningIdentity:
            leaf = _leaf_cert(
                leaf_key,
                issuer=self.intermediate,
                issuer_key=inter_key,
                sans=sans,
                not_before=start,
                not_after=end,
            )
            return SigningIdentity(
                name, leaf_key, f"{CERT_URL_PREFIX}{name}.pem", _pem(leaf, self.intermediate)
            )

        self.good = identity("good", [ALEXA_SAN], recent, later)
        self.expired = identity(
            "expired", [ALEXA_SAN], now - dt.timedelta(days=10), now - dt.timedelta(days=1)
        )
        self.wrong_san = identity("wrong-san", ["echo-api.example.com"], recent, later)
        self.no_san = identity("no-san", None, recent, later)

        rogue_key = _key()
        rogue_root = _ca_cert("Somebody else's root", rogue_key, now=now)
        rogue_leaf = _leaf_cert(
            leaf_key,
            issuer=rogue_root,
            issuer_key=rogue_key,
            sans=[ALEXA_SAN],
            not_before=recent,
            not_after=later,
        )
        self.untrusted = SigningIdentity(
            "untrusted", leaf_key, f"{CERT_URL_PREFIX}untrusted.pem", _pem(rogue_leaf, rogue_root)
        )

    def identities(self) -> list[SigningIdentity]:
        return [self.good, self.expired, self.wrong_san, self.no_san, self.untrusted]

    def cert_cache(self) -> dict[str, bytes]:
        """URL → PEM chain, as the verifier would have downloaded them."""
        cache = {identity.cert_url: identity.chain_pem for identity in self.identities()}
        for url in BAD_CERT_URLS.values():
            cache[url] = self.good.chain_pem
        return cache

    def write(self, directory: Path) -> TrustFiles:
        """Write the trust-root PEM and the cert cache (JSON) for the server process."""
        trust_roots = directory / "trust-roots.pem"
        trust_roots.write_bytes(_pem(self.root))
        cert_cache = directory / "cert-cache.json"
        cache = {url: pem.decode("ascii") for url, pem in self.cert_cache().items()}
        cert_cache.write_text(json.dumps(cache, indent=1), encoding="utf-8")
        return TrustFiles(trust_roots=trust_roots, cert_cache=cert_cache)


# --- client side: envelopes and signatures ----------------------------------------


def alexa_timestamp(moment: dt.datetime | None = None) -> str:
    """An Alexa request timestamp (ISO 8601, UTC, whole seconds, ``Z``)."""
    moment = dt.datetime.now(dt.UTC) if moment is None else moment
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def alexa_envelope(
    *,
    application_id: str = TEST_SKILL_ID,
    request: Mapping[str, Any] | None = None,
    timestamp: dt.datetime | None = None,
    locale: str = "en-US",
    new_session: bool = True,
    api_endpoint: str = "https://api.amazonalexa.com",
) -> dict[str, Any]:
    """A full Alexa request envelope, as the service sends it; a LaunchRequest by default.

    ``request`` fields override the defaults (``type``, ``requestId``, ``timestamp``,
    ``locale``), e.g. ``request={"type": "IntentRequest", "intent": {...}}``.
    """
    user = {"userId": "amzn1.ask.account.TESTUSER"}
    application = {"applicationId": application_id}
    body: dict[str, Any] = {
        "type": "LaunchRequest",
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": alexa_timestamp(timestamp),
        "locale": locale,
        "shouldLinkResultBeReturned": False,
    }
    body.update(request or {})
    return {
        "version": "1.0",
        "session": {
            "new": new_session,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": dict(application),
            "attributes": {},
            "user": dict(user),
        },
        "context": {
            "System": {
                "application": dict(application),
                "user": dict(user),
                "device": {
                    "deviceId": "amzn1.ask.device.TESTDEVICE",
                    "supportedInterfaces": {},
                },
                "apiEndpoint": api_endpoint,
                "apiAccessToken": "test-api-access-token",
            },
        },
        "request": body,
    }


def encode(envelope: Mapping[str, Any]) -> bytes:
    """The request body bytes for ``envelope`` (what gets signed and sent)."""
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")


def sign(body: bytes, key: rsa.RSAPrivateKey) -> str:
    """Base64 RSA-SHA256 (PKCS#1 v1.5) signature of ``body``, as in ``Signature-256``."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def signed_headers(
    body: bytes, identity: SigningIdentity, *, cert_url: str | None = None
) -> dict[str, str]:
    """Headers Alexa would send with ``body``; ``cert_url`` overrides the chain URL."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "Signature-256": sign(body, identity.key),
        "SignatureCertChainUrl": identity.cert_url if cert_url is None else cert_url,
    }


def tampered(body: bytes) -> bytes:
    """``body`` changed after signing, still a valid envelope (another user id)."""
    envelope = json.loads(body)
    envelope["context"]["System"]["user"]["userId"] += "X"
    return encode(envelope)


# --- server side: configure the app's verifier --------------------------------------


def load_cert_cache(path: Path) -> dict[str, bytes]:
    """Read a cert-cache file written by :meth:`TestPKI.write`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {url: pem.encode("ascii") for url, pem in data.items()}


def prefill_cert_cache(app: Flask, cache: Mapping[str, bytes]) -> None:
    """Put ``cache`` into the certificate cache of the app's Alexa signature verifier.

    The verifier checks the URL before it looks in the cache, and validates whatever
    chain it finds there, so this replaces only the download.
    """
    from ask_sdk_webservice_support.verifier import RequestVerifier
    from flask_ask_sdk.skill_adapter import EXTENSION_NAME

    verifiers = [
        verifier
        for adapter in app.extensions[EXTENSION_NAME].values()
        for verifier in adapter._webservice_handler._verifiers
        if isinstance(verifier, RequestVerifier)
    ]
    if len(verifiers) != 1:
        raise RuntimeError(f"expected one RequestVerifier in the app, found {len(verifiers)}")
    verifiers[0]._cert_cache.update(cache)


def check_trust_roots(expected_pem: bytes) -> None:
    """Fail unless oscrypto's trust list is exactly the certificates in ``expected_pem``.

    Guards the ``SSL_CERT_FILE`` seam: if a future oscrypto ignored it, the server would
    trust the system roots instead of the test root, and this says so plainly.
    """
    from oscrypto import trust_list

    expected = {
        cert.public_bytes(serialization.Encoding.DER)
        for cert in x509.load_pem_x509_certificates(expected_pem)
    }
    actual = {cert.dump() for cert, _, _ in trust_list.get_list()}
    if actual != expected:
        raise RuntimeError(
            f"oscrypto trusts {len(actual)} roots, not the {len(expected)} test roots; "
            f"is {TRUST_ROOTS_ENV} honoured?"
        )
