"""Load test: the web service under gunicorn, signed Alexa dialogs over keep-alive, on loopback.

    .venv/bin/python -m bench.load [--requests 20000] [--clients 6] [--max-seconds 120]

Starts ``gunicorn bench.load_app:app`` (the app ``cramp-coach serve`` runs, verification on, state
in SQLite in a temporary directory) with 2 workers on 127.0.0.1, trusting a throwaway test CA
(see bench/load_app.py). Each client thread keeps one HTTP/1.1 connection open and plays whole
dialogs, each as a new user, signing every request as Alexa would and carrying the session
attributes from one response into the next request:

    LaunchRequest (every other dialog; the rest start one-shot), "help with my calf", "no",
    "next" x5, "repeat", "help", "stop"

It stops after ``--requests`` requests or ``--max-seconds``, whichever comes first, and prints
requests per second, p50/p99 latency (send to last byte of the answer) and errors (anything but
a 200 carrying an Alexa response). Nothing leaves the machine: the server and the client use
127.0.0.1, and the envelopes' Alexa API endpoint is a loopback port where nothing listens.

Targets (issue 7, on a 2-core machine): at least 400 requests/s, p99 under 50 ms, no errors over
20,000 requests. ``--strict`` exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from local_servers import HOST, free_port, start, stop  # noqa: E402
from signing import SigningIdentity, TestPKI, signed_headers  # noqa: E402

from skill.locale_models import model_path  # noqa: E402
from skill.simulator.envelopes import EnvelopeFactory  # noqa: E402
from skill.simulator.matcher import Match, UtteranceMatcher  # noqa: E402

WORKERS = 2
THREADS_PER_WORKER = 4
# Where no server listens: a request that called an Alexa API would fail at once, offline.
API_ENDPOINT = "http://127.0.0.1:9"
REQUEST_TIMEOUT_S = 10.0
WARMUP_DIALOGS = 10

TARGET_RPS = 400.0
TARGET_P99_MS = 50.0
TARGET_REQUESTS = 20_000

LAUNCH = None  # a LaunchRequest ("open cramp coach") in DIALOG
DIALOG: tuple[str | None, ...] = (
    LAUNCH,
    "help with my calf",
    "no",
    *(["next"] * 5),
    "repeat",
    "help",
    "stop",
)


@dataclass
class Tally:
    """Shared by the client threads: tickets left, latencies, errors."""

    tickets: int
    deadline: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.tickets <= 0 or time.monotonic() >= self.deadline:
                return False
            self.tickets -= 1
            return True

    def record(self, latency_ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies_ms.append(latency_ms)
            if error is not None:
                self.errors.append(error)


class Client:
    """One keep-alive connection playing dialogs, one request at a time."""

    def __init__(self, port: int, identity: SigningIdentity, matches: dict[str, Match]) -> None:
        self._port = port
        self._identity = identity
        self._matches = matches
        self._connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self._port, timeout=REQUEST_TIMEOUT_S)

    def dialogs(self, tally: Tally, *, one_shot_first: bool) -> None:
        one_shot = one_shot_first
        while self._dialog(tally, one_shot=one_shot):
            one_shot = not one_shot

    def _dialog(self, tally: Tally, *, one_shot: bool) -> bool:
        """Play one dialog as a new user; False once the tally has no tickets left."""
        envelopes = EnvelopeFactory(api_endpoint=API_ENDPOINT)
        for said in DIALOG[1:] if one_shot else DIALOG:
            if not tally.take():
                return False
            envelope = (
                envelopes.launch() if said is LAUNCH else envelopes.intent(self._matches[said])
            )
            latency_ms, answer, error = self._send(envelope)
            tally.record(latency_ms, error)
            if answer is None:
                return True  # a broken session: start the next dialog afresh
            envelopes.keep(answer)
        return True

    def _send(self, envelope: dict[str, Any]) -> tuple[float, dict[str, Any] | None, str | None]:
        body = json.dumps(envelope, separators=(",", ":")).encode()
        headers = signed_headers(body, self._identity)
        started = time.perf_counter()
        try:
            self._connection.request("POST", "/alexa", body, headers)
            reply = self._connection.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException) as error:
            self._connection.close()
            self._connection = self._connect()
            return (time.perf_counter() - started) * 1000, None, type(error).__name__
        latency_ms = (time.perf_counter() - started) * 1000
        if reply.status != 200:
            return latency_ms, None, f"HTTP {reply.status}"
        try:
            answer = json.loads(data)
        except ValueError:
            return latency_ms, None, "not JSON"
        if not isinstance(answer, dict) or "response" not in answer:
            return latency_ms, None, "not an Alexa response"
        return latency_ms, answer, None

    def close(self) -> None:
        self._connection.close()


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a latency that was really measured, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@contextmanager
def gunicorn(workdir: Path, pki: TestPKI) -> Iterator[int]:
    """Run the service under gunicorn on a free loopback port; yield the port, then stop it."""
    trust = pki.write(workdir)
    port = free_port()
    env = {
        **os.environ,
        "LOAD_TRUST_ROOTS": str(trust.trust_roots),
        "LOAD_CERT_CACHE": str(trust.cert_cache),
        "CRAMP_COACH_DB": str(workdir / "state.sqlite3"),
    }
    env.pop("CRAMP_COACH_DYNAMODB_TABLE", None)  # SQLite, as `cramp-coach serve` by default
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers", str(WORKERS),
        # gthread workers keep connections alive (sync workers close each one).
        "--worker-class", "gthread",
        "--threads", str(THREADS_PER_WORKER),
        "--keep-alive", "30",
        "--bind", f"{HOST}:{port}",
        "--log-level", "warning",
        "bench.load_app:app",
    ]  # fmt: skip
    process = start(
        command, port=port, ready_path="/healthz", log_path=workdir / "gunicorn.log", env=env,
        cwd=REPO,
    )  # fmt: skip
    try:
        yield port
    finally:
        stop(process)  # the master's process group: it and its workers


def run(port: int, identity: SigningIdentity, clients: int, tally: Tally) -> float:
    """Drive the server with ``clients`` threads until the tally runs out; return the seconds."""
    matcher = UtteranceMatcher.from_files(str(model_path("en-US")))
    matches = {said: matcher.match(said) for said in DIALOG if said is not None}
    connections = [Client(port, identity, matches) for _ in range(clients)]
    threads = [
        threading.Thread(
            target=client.dialogs, args=(tally,), kwargs={"one_shot_first": i % 2 == 1}
        )
        for i, client in enumerate(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client in connections:
        client.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=TARGET_REQUESTS)
    parser.add_argument("--clients", type=int, default=6, help="client threads (connections)")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    pki = TestPKI()
    with (
        tempfile.TemporaryDirectory(prefix="cramp-load-") as workdir,
        gunicorn(Path(workdir), pki) as port,
    ):
        warmup = Tally(tickets=WARMUP_DIALOGS * len(DIALOG), deadline=time.monotonic() + 60)
        run(port, pki.good, args.clients, warmup)
        tally = Tally(tickets=args.requests, deadline=time.monotonic() + args.max_seconds)
        elapsed = run(port, pki.good, args.clients, tally)

    done = len(tally.latencies_ms)
    rps = done / elapsed if elapsed else 0.0
    p50 = percentile(tally.latencies_ms, 0.50) if done else float("nan")
    p99 = percentile(tally.latencies_ms, 0.99) if done else float("nan")
    print(
        f"{done} signed requests in {elapsed:.1f} s: gunicorn, {WORKERS} gthread workers x "
        f"{THREADS_PER_WORKER} threads; {args.clients} keep-alive client connections"
    )
    print(f"  requests/s  {rps:8.1f}   (target >= {TARGET_RPS:.0f})")
    print(f"  p50         {p50:8.2f} ms")
    print(f"  p99         {p99:8.2f} ms (target < {TARGET_P99_MS:.0f})")
    print(f"  max         {max(tally.latencies_ms, default=float('nan')):8.2f} ms")
    print(f"  errors      {len(tally.errors):8d}   (target 0)")
    if tally.errors:
        kinds = sorted(set(tally.errors))
        print(f"  error kinds: {', '.join(kinds[:5])}")
    met = (
        done >= min(args.requests, TARGET_REQUESTS)
        and rps >= TARGET_RPS
        and p99 < TARGET_P99_MS
        and not tally.errors
    )
    print("targets: " + ("met" if met else "MISSED"))
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
