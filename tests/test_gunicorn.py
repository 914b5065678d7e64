"""The production WSGI entry, `skill.web:wsgi_app()`, under gunicorn as the README runs it."""

from __future__ import annotations

import http.client
import json
import os
import sys
from pathlib import Path

from local_servers import HOST, free_port, start, stop
from signing import alexa_envelope, encode


def test_gunicorn_serves_the_verified_app_with_json_logs(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CRAMP_COACH_DB": str(tmp_path / "state.sqlite3")}
    env.pop("CRAMP_COACH_DYNAMODB_TABLE", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = tmp_path / "gunicorn.log"
    process = start(
        [gunicorn, "--workers", "2", "--bind", f"{HOST}:{port}", "skill.web:wsgi_app()"],
        port=port,
        ready_path="/healthz",
        log_path=log,
        env=env,
    )
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        connection.request("POST", "/alexa", encode(alexa_envelope()))
        reply = connection.getresponse()
        # Unsigned: verification is on by default, so the skill never sees it.
        assert reply.status == 400
        assert json.loads(reply.read())["error"]
    finally:
        stop(process)
    assert (tmp_path / "state.sqlite3").exists()  # the store was opened where the env said
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines and all(json.loads(line)["level"] for line in lines)
