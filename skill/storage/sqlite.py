"""An embedded SQLite persistence adapter for the self-hosted web service and the simulator.

It implements the ASK SDK's ``AbstractPersistenceAdapter`` so it can stand in for the DynamoDB
adapter anywhere. Several processes may share one file (e.g. two web service workers): the
database runs in WAL mode (readers never block the writer), each call opens its own short-lived
connection (safe across threads and ``fork``), and writes are single short transactions that wait
at most ``busy_timeout`` seconds for another process's lock.

Rows may carry ``expires_at`` (epoch seconds), the same expiry DynamoDB's TTL gives the Lambda
store: an expired row reads as missing and is deleted on that read; every save also sweeps all
expired rows, so users who never come back do not leave rows behind forever.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

log = logging.getLogger(__name__)

#: Long enough to ride out another process's write (microseconds normally), short enough that a
#: stuck lock costs a voice response at most about a second per store call.
DEFAULT_BUSY_TIMEOUT_SECONDS = 1.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    attributes TEXT NOT NULL,
    expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS records_expires_at ON records (expires_at)
    WHERE expires_at IS NOT NULL;
"""


class SqliteAdapter(AbstractPersistenceAdapter):
    """Stores each key's attributes as one JSON object in table ``records`` of ``path``.

    :param path: the database file; its directory is created on first use.
    :param partition_keygen: maps a request envelope to the row key (as in the DynamoDB adapter).
    :param ttl_seconds: when set, each save expires that many seconds later.
    :param clock: epoch seconds now; injectable for tests.
    :param busy_timeout: seconds to wait for another connection's lock before failing.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        partition_keygen: Callable[[RequestEnvelope], str],
        ttl_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
    ) -> None:
        self.path = Path(path)
        self.partition_keygen = partition_keygen
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.busy_timeout = busy_timeout
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def ensure_schema(self) -> None:
        """Creates the file, WAL mode and the table if needed; called before the first query."""
        with self._schema_lock:
            if self._schema_ready:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # The file holds Alexa user ids: create it private. SQLite gives its -wal and -shm
                # files the database file's permissions.
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
                with closing(self._open()) as connection:
                    # WAL is a property of the file, so setting it once serves every process.
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.executescript(_SCHEMA)
            except (OSError, sqlite3.Error) as error:
                raise PersistenceException(
                    f"cannot open SQLite store {self.path}: {type(error).__name__}: {error}"
                ) from error
            self._schema_ready = True

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = self.partition_keygen(request_envelope)
        with self._connection("read") as connection:
            row = connection.execute(
                "SELECT attributes, expires_at FROM records WHERE id = ?", (key,)
            ).fetchone()
            if row is None:
                return {}
            text, expires_at = row
            now = self.clock()
            if expires_at is not None and expires_at <= now:
                # The condition keeps a save that raced in after our read.
                with connection:
                    connection.execute(
                        "DELETE FROM records WHERE id = ? AND expires_at <= ?", (key, now)
                    )
                return {}
        try:
            attributes = json.loads(text)
        except (TypeError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            attributes = None
        if not isinstance(attributes, dict):
            log.warning("a stored SQLite record is not a JSON object; reading it as missing")
            return {}
        return attributes

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        key = self.partition_keygen(request_envelope)
        text = json.dumps(attributes, allow_nan=False, separators=(",", ":"))
        now = self.clock()
        expires_at = None if self.ttl_seconds is None else int(now + self.ttl_seconds)
        with self._connection("save") as connection, connection:  # one transaction
            connection.execute("DELETE FROM records WHERE expires_at <= ?", (now,))
            connection.execute(
                "INSERT OR REPLACE INTO records (id, attributes, expires_at) VALUES (?, ?, ?)",
                (key, text, expires_at),
            )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = self.partition_keygen(request_envelope)
        with self._connection("delete") as connection, connection:
            connection.execute("DELETE FROM records WHERE id = ?", (key,))

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout)
        # Safe with WAL (no corruption); a power cut may lose the last commits, which for
        # progress and preferences is an acceptable price for not syncing on every save.
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    @contextmanager
    def _connection(self, action: str) -> Iterator[sqlite3.Connection]:
        self.ensure_schema()
        try:
            with closing(self._open()) as connection:
                yield connection
        except sqlite3.Error as error:
            raise PersistenceException(
                f"SQLite {action} failed: {type(error).__name__}: {error}"
            ) from error
