"""Fixtures that run the web service over real HTTP in a separate process.

Each server is a ``tests/web_server_main.py`` subprocess on a free 127.0.0.1 port, in
its own process group; the fixture waits for ``GET /healthz`` and at teardown stops
the group by the server's PID. Servers are module-scoped: started once per test
module that uses them. The test PKI is session-scoped.

Fixtures: ``alexa_pki``, ``alexa_trust_files``, ``web_server`` (verification on, any
skill id), ``web_server_with_skill_id`` (verification on, ``CRAMP_COACH_SKILL_ID`` =
``TEST_SKILL_ID``), ``web_server_no_verify`` (``serve(verify=False)``).
"""

from __future__ import annotations

import http.client
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from local_servers import HOST, free_port, start, stop
from signing import TEST_SKILL_ID, TRUST_ROOTS_ENV, TestPKI, TrustFiles

from skill.assembly import SKILL_ID_ENV

LAUNCHER = Path(__file__).with_name("web_server_main.py")
REQUEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class WebServer:
    """A running web service: where it listens, and its combined stdout/stderr log."""

    host: str
    port: int
    pid: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpReply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return HttpReply(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def get(self, path: str) -> HttpReply:
        return self.request("GET", path)

    def post(self, path: str, body: bytes, headers: Mapping[str, str] | None = None) -> HttpReply:
        return self.request(
            "POST", path, body, {"Content-Type": "application/json", **(headers or {})}
        )


@contextmanager
def running_web_server(
    log_dir: Path,
    *,
    verify: bool = True,
    trust_files: TrustFiles | None = None,
    skill_id: str | None = None,
) -> Iterator[WebServer]:
    """Start the web service in a subprocess, yield it once healthy, then stop it."""
    args = [sys.executable, str(LAUNCHER)]
    if verify:
        if trust_files is None:
            raise ValueError("a verifying server needs the test trust files")
        args += ["--trust-roots", str(trust_files.trust_roots)]
        args += ["--cert-cache", str(trust_files.cert_cache)]
    else:
        args.append("--no-verify")
    env = {k: v for k, v in os.environ.items() if k not in (SKILL_ID_ENV, TRUST_ROOTS_ENV)}
    env.pop("CRAMP_COACH_DYNAMODB_TABLE", None)
    env["CRAMP_COACH_DB"] = str(log_dir / "state.sqlite3")  # never the developer's own file
    if skill_id is not None:
        env[SKILL_ID_ENV] = skill_id

    port = free_port()
    log_path = log_dir / f"web-server-{port}.log"
    process = start(
        [*args, "--port", str(port)], port=port, ready_path="/healthz", log_path=log_path, env=env
    )
    try:
        yield WebServer(HOST, port, process.pid, log_path)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def alexa_pki() -> TestPKI:
    return TestPKI()


@pytest.fixture(scope="session")
def alexa_trust_files(alexa_pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> TrustFiles:
    return alexa_pki.write(tmp_path_factory.mktemp("alexa-pki"))


@pytest.fixture(scope="module")
def web_server(
    alexa_trust_files: TrustFiles, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    """Verification on, no skill id configured."""
    with running_web_server(
        tmp_path_factory.mktemp("web"), verify=True, trust_files=alexa_trust_files
    ) as server:
        yield server


@pytest.fixture(scope="module")
def web_server_with_skill_id(
    alexa_trust_files: TrustFiles, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    """Verification on, answering only ``TEST_SKILL_ID`` (set through the environment)."""
    with running_web_server(
        tmp_path_factory.mktemp("web-skill-id"),
        verify=True,
        trust_files=alexa_trust_files,
        skill_id=TEST_SKILL_ID,
    ) as server:
        yield server


@pytest.fixture(scope="module")
def web_server_no_verify(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """``skill.web.serve(verify=False)``: for local tools that cannot sign requests."""
    with running_web_server(tmp_path_factory.mktemp("web-no-verify"), verify=False) as server:
        yield server
