"""The web service for the load test, as a gunicorn app: ``gunicorn bench.load_app:app``.

It is the production WSGI app (:func:`skill.web.wsgi_app`: verification on, state in SQLite,
JSON logs), with the two test seams of ``tests/signing.py`` so that requests signed by the load
client's throwaway CA verify, and nothing is fetched from the internet:

* ``SSL_CERT_FILE`` names a file holding only the test root (set from ``LOAD_TRUST_ROOTS``
  before anything reads the trust list), so the verifier trusts that root and no other;
* the verifier's certificate cache is filled from ``LOAD_CERT_CACHE`` (written by
  ``TestPKI.write``), so the signing chain is never downloaded.

``CRAMP_COACH_DB`` names the SQLite file, as for ``cramp-coach serve``. :mod:`bench.load` sets
all three; this module is not meant to serve real traffic.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from signing import (  # noqa: E402  (tests/ is put on the path just above)
    TRUST_ROOTS_ENV,
    check_trust_roots,
    load_cert_cache,
    prefill_cert_cache,
)

from skill.web import wsgi_app  # noqa: E402

TRUST_ROOTS = Path(os.environ["LOAD_TRUST_ROOTS"])
CERT_CACHE = Path(os.environ["LOAD_CERT_CACHE"])

os.environ[TRUST_ROOTS_ENV] = str(TRUST_ROOTS)
app = wsgi_app()
prefill_cert_cache(app, load_cert_cache(CERT_CACHE))
check_trust_roots(TRUST_ROOTS.read_bytes())
