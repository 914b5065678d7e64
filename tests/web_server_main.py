"""Run the skill's web service for the HTTP tests, in its own process.

    python tests/web_server_main.py --port P --trust-roots ROOTS.pem --cert-cache CACHE.json
    python tests/web_server_main.py --port P --no-verify

With verification on it builds the app with :func:`skill.web.create_app`, trusts only
the test root (through ``SSL_CERT_FILE``, set before anything reads the trust list)
and pre-fills the verifier's certificate cache (see ``tests/signing.py``). With
``--no-verify`` it runs :func:`skill.web.serve` exactly as the CLI would.
The skill id comes from ``CRAMP_COACH_SKILL_ID``, as in production.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from signing import TRUST_ROOTS_ENV, check_trust_roots, load_cert_cache, prefill_cert_cache

from skill.web import create_app, serve

HOST = "127.0.0.1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--trust-roots", type=Path)
    parser.add_argument("--cert-cache", type=Path)
    args = parser.parse_args()

    if args.no_verify:
        serve(HOST, args.port, verify=False)
        return
    if args.trust_roots is None or args.cert_cache is None:
        parser.error("--trust-roots and --cert-cache are required with verification on")

    os.environ[TRUST_ROOTS_ENV] = str(args.trust_roots)
    app = create_app(verify=True)
    prefill_cert_cache(app, load_cert_cache(args.cert_cache))
    check_trust_roots(args.trust_roots.read_bytes())
    app.run(host=HOST, port=args.port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
