"""The local servers that tests and benchmarks talk to, started and stopped one way.

Each is a subprocess on a free 127.0.0.1 port in its own process group: it is ready when an HTTP
GET of its health path answers 200, and it is stopped by its PID (the group id), politely first.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 20.0


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer in time; the message carries its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def answers(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start(
    command: Sequence[str],
    *,
    port: int,
    ready_path: str,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = STARTUP_TIMEOUT_S,
) -> subprocess.Popen[bytes]:
    """Starts `command` (which must listen on `port`) and returns once it answers `ready_path`."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=None if env is None else dict(env),
            cwd=cwd,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    deadline = time.monotonic() + timeout
    while not answers(port, ready_path):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            log = log_path.read_text(encoding="utf-8", errors="replace")
            raise ServerDidNotStart(f"{command[0]} did not start (exit {process.poll()}):\n{log}")
        time.sleep(0.05)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
