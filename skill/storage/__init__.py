"""Per-user persistence: where the runner was (progress) and what they were told (prefs).

Each Alexa user has two records, because a TTL expires whole items: ``progress`` (routine, step,
start time, timer) expires :data:`PROGRESS_TTL_SECONDS` after it was saved, while ``prefs``
(disclaimer heard, timer consent asked) is kept. :class:`UserStore` stores exactly the dict it is
given plus a format version, ``{"v": 1, ...}``; a record of another version, or of the wrong shape,
reads as missing with one warning, so a later format can migrate instead of crash. What goes in
is the caller's choice; no health information belongs in either record.

Backends, each imported only when chosen: DynamoDB (:mod:`skill.storage.dynamodb`; Lambda, or
self-hosted when ``CRAMP_COACH_DYNAMODB_TABLE`` is set) and SQLite (:mod:`skill.storage.sqlite`;
self-hosted by default).
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
    from ask_sdk_model import RequestEnvelope

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
VERSION_KEY = "v"
PROGRESS_TTL_SECONDS = 2 * 60 * 60
TABLE_ENV = "CRAMP_COACH_DYNAMODB_TABLE"
DB_ENV = "CRAMP_COACH_DB"

#: Deeper than any record we write; bounds the recursion when checking stored garbage.
_MAX_DEPTH = 16

_T = TypeVar("_T")


class StoreUnavailable(Exception):
    """The store failed (unreachable, timed out, throttled, access denied...).

    The message never names a user. The backend's exception is chained as ``__cause__``.
    """


def user_key(kind: str) -> Callable[[RequestEnvelope], str]:
    """A partition key generator: the Alexa user id plus ``#kind`` (``#progress``, ``#prefs``)."""

    def keygen(request_envelope: RequestEnvelope) -> str:
        context = request_envelope.context
        system = context.system if context is not None else None
        user = system.user if system is not None else None
        user_id = user.user_id if user is not None else None
        if not user_id:
            raise PersistenceException("the request envelope has no user id")
        return f"{user_id}#{kind}"

    return keygen


class UserStore:
    """Loads and saves one user's progress and prefs through two SDK persistence adapters.

    After a call fails, further calls for the same request (same request id) fail at once, so a
    dead store costs a response one timeout, not one per call.
    """

    def __init__(
        self, progress: AbstractPersistenceAdapter, prefs: AbstractPersistenceAdapter
    ) -> None:
        self.progress_adapter = progress
        self.prefs_adapter = prefs
        self._failed_request_id: str | None = None

    def load(self, request_envelope: RequestEnvelope) -> tuple[dict[str, Any], dict[str, Any]]:
        """(progress, prefs), each ``{}`` when missing, expired or unreadable.

        :raises StoreUnavailable: the store failed; nothing is known about the user.
        """
        progress = self._read(request_envelope, self.progress_adapter, "progress")
        prefs = self._read(request_envelope, self.prefs_adapter, "prefs")
        return progress, prefs

    def save_progress(self, request_envelope: RequestEnvelope, data: dict[str, Any] | None) -> None:
        """Saves ``data`` as the user's progress (restarting its expiry); ``None`` deletes it.

        :raises StoreUnavailable: the store failed.
        :raises ValueError, TypeError: ``data`` is not a JSON-like dict, or uses the key ``v``.
        """
        adapter = self.progress_adapter
        if data is None:
            self._call(request_envelope, "delete progress", adapter.delete_attributes)
        else:
            record = _record(data)
            self._call(
                request_envelope,
                "save progress",
                lambda envelope: adapter.save_attributes(envelope, record),
            )

    def save_prefs(self, request_envelope: RequestEnvelope, data: dict[str, Any]) -> None:
        """Saves ``data`` as the user's prefs.

        :raises StoreUnavailable: the store failed.
        :raises ValueError, TypeError: ``data`` is not a JSON-like dict, or uses the key ``v``.
        """
        adapter = self.prefs_adapter
        record = _record(data)
        self._call(
            request_envelope,
            "save prefs",
            lambda envelope: adapter.save_attributes(envelope, record),
        )

    def _read(
        self, request_envelope: RequestEnvelope, adapter: AbstractPersistenceAdapter, kind: str
    ) -> dict[str, Any]:
        stored: object = self._call(request_envelope, f"load {kind}", adapter.get_attributes)
        if not stored:
            return {}
        version = stored.get(VERSION_KEY) if isinstance(stored, dict) else None
        if not isinstance(stored, dict) or type(version) is not int:
            log.warning("stored %s record has no format version; reading it as missing", kind)
            return {}
        if version != FORMAT_VERSION:
            log.warning(
                "stored %s record has format version %d, not %d; reading it as missing",
                kind,
                version,
                FORMAT_VERSION,
            )
            return {}
        data = {key: value for key, value in stored.items() if key != VERSION_KEY}
        if not _json_like(data):
            log.warning("stored %s record holds non-JSON values; reading it as missing", kind)
            return {}
        return data

    def _call(
        self,
        request_envelope: RequestEnvelope,
        action: str,
        operation: Callable[[RequestEnvelope], _T],
    ) -> _T:
        request_id = _request_id(request_envelope)
        if request_id is not None and request_id == self._failed_request_id:
            raise StoreUnavailable(f"{action} skipped: the store already failed in this request")
        try:
            return operation(request_envelope)
        except PersistenceException as error:
            self._failed_request_id = request_id
            # Adapter messages name the table or file and the backend error, never the key.
            raise StoreUnavailable(f"{action} failed: {error}") from error


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/cramp-coach/state.sqlite3``, else ``~/.local/share/cramp-coach/...``."""
    data_home = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says to ignore a relative value.
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "cramp-coach" / "state.sqlite3"


def sqlite_store(
    path: str | os.PathLike[str], *, clock: Callable[[], float] = time.time
) -> UserStore:
    """A store in the SQLite file ``path``, its schema created now.

    :raises StoreUnavailable: the file or its directory cannot be created or opened.
    """
    from skill.storage.sqlite import SqliteAdapter

    progress = SqliteAdapter(
        path, partition_keygen=user_key("progress"), ttl_seconds=PROGRESS_TTL_SECONDS, clock=clock
    )
    prefs = SqliteAdapter(path, partition_keygen=user_key("prefs"), clock=clock)
    try:
        progress.ensure_schema()
        prefs.ensure_schema()
    except PersistenceException as error:
        raise StoreUnavailable(str(error)) from error
    return UserStore(progress, prefs)


def dynamodb_store(
    table: str,
    *,
    resource: Any = None,
    create_table: bool = False,
    clock: Callable[[], float] = time.time,
) -> UserStore:
    """A store in DynamoDB table ``table`` (boto3's standard configuration unless ``resource``).

    :raises StoreUnavailable: boto3 cannot be configured (e.g. no region), or creating the
        table failed.
    :raises MissingExtra: boto3 or the SDK's DynamoDB adapter is not installed.
    """
    from skill.extras import require

    require("dynamodb", f"DynamoDB state ({TABLE_ENV})")
    from skill.storage import dynamodb

    try:
        if resource is None:
            resource = dynamodb.make_resource()
        progress = dynamodb.dynamodb_adapter(
            table,
            partition_keygen=user_key("progress"),
            ttl_seconds=PROGRESS_TTL_SECONDS,
            resource=resource,
            create_table=create_table,
            clock=clock,
        )
        prefs = dynamodb.dynamodb_adapter(
            table,
            partition_keygen=user_key("prefs"),
            resource=resource,
            create_table=create_table,
            clock=clock,
        )
    except PersistenceException as error:
        raise StoreUnavailable(str(error)) from error
    return UserStore(progress, prefs)


def open_store(
    *, db_path: str | os.PathLike[str] | None = None, table: str | None = None
) -> UserStore | None:
    """The self-hosted store: DynamoDB when ``table`` (or ``CRAMP_COACH_DYNAMODB_TABLE``) is set,
    else SQLite at ``db_path`` (or ``CRAMP_COACH_DB``, or :func:`default_db_path`).

    Returns None, with an error logged, when the store cannot be set up: the skill still works,
    it just cannot resume.
    """
    table = table or os.environ.get(TABLE_ENV)
    try:
        if table:
            return dynamodb_store(table)
        return sqlite_store(db_path or os.environ.get(DB_ENV) or default_db_path())
    except StoreUnavailable as error:
        log.error("persistence is off: %s", error)
        return None


def open_lambda_store() -> UserStore | None:
    """The Lambda store: DynamoDB when ``CRAMP_COACH_DYNAMODB_TABLE`` is set, else None.

    Lambda never uses SQLite: its file system is per container and wiped. None is also returned,
    with an error logged, when boto3 cannot be configured.
    """
    table = os.environ.get(TABLE_ENV)
    if not table:
        return None
    try:
        return dynamodb_store(table)
    except StoreUnavailable as error:
        log.error("persistence is off: %s", error)
        return None


def _record(data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError(f"a stored record must be a dict, not {type(data).__name__}")
    if VERSION_KEY in data:
        raise ValueError(f"the key {VERSION_KEY!r} is reserved for the format version")
    if not _json_like(data):
        raise TypeError("a stored record may hold only str keys and JSON values (no NaN)")
    return {VERSION_KEY: FORMAT_VERSION, **data}


def _json_like(value: object, depth: int = 0) -> bool:
    """True for what both backends round-trip: JSON types with str keys and finite numbers."""
    if depth > _MAX_DEPTH:
        return False
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_json_like(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and _json_like(item, depth + 1) for key, item in value.items()
        )
    return False


def _request_id(request_envelope: RequestEnvelope) -> str | None:
    request = getattr(request_envelope, "request", None)
    request_id = getattr(request, "request_id", None)
    return request_id if isinstance(request_id, str) else None
