"""The SQLite user store (self-hosted default) and UserStore's own contract."""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_model import Context, RequestEnvelope
from ask_sdk_model.interfaces.system import SystemState
from storage_cases import PREFS, PROGRESS, TIMER, Clock, envelope, new_user

from skill.storage import (
    DB_ENV,
    PROGRESS_TTL_SECONDS,
    TABLE_ENV,
    StoreUnavailable,
    UserStore,
    default_db_path,
    open_store,
    sqlite_store,
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "cramp.sqlite3"


def rows(path: Path) -> dict[str, tuple[str, int | None]]:
    with sqlite3.connect(path) as connection:
        found = connection.execute("SELECT id, attributes, expires_at FROM records").fetchall()
    return {key: (text, expires_at) for key, text, expires_at in found}


def write_row(path: Path, key: str, attributes: Any, expires_at: int | None = None) -> None:
    """Writes a row behind the store's back, as a bug or an older version might have."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT OR REPLACE INTO records (id, attributes, expires_at) VALUES (?, ?, ?)",
            (key, attributes, expires_at),
        )


# Round trips and resume


def test_round_trip_keeps_the_dicts_exactly(db_path: Path) -> None:
    store = sqlite_store(db_path)
    user = new_user()
    progress = {**PROGRESS, "timer": TIMER, "seen": ["stretch", "massage"]}
    store.save_progress(envelope(user), progress)
    store.save_prefs(envelope(user), PREFS)

    loaded_progress, loaded_prefs = store.load(envelope(user))

    assert loaded_progress == progress
    assert loaded_prefs == PREFS
    assert type(loaded_progress["step"]) is int
    assert type(loaded_progress["started_at"]) is float


def test_a_missing_user_loads_empty(db_path: Path) -> None:
    assert sqlite_store(db_path).load(envelope(new_user())) == ({}, {})


def test_resume_in_a_new_session_with_a_new_store(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TABLE_ENV, raising=False)
    monkeypatch.setenv(DB_ENV, str(db_path))
    user = new_user()
    first = open_store()
    assert first is not None
    first.save_progress(envelope(user), PROGRESS)
    first.save_prefs(envelope(user), PREFS)

    second = open_store()  # as after a restart: a new store, new envelopes, same user

    assert second is not None
    assert second.load(envelope(user)) == (PROGRESS, PREFS)
    assert db_path.exists()


def test_saving_again_replaces_and_none_deletes(db_path: Path) -> None:
    store = sqlite_store(db_path)
    user = new_user()
    store.save_progress(envelope(user), PROGRESS)
    store.save_progress(envelope(user), {**PROGRESS, "step": 4})
    assert store.load(envelope(user))[0]["step"] == 4

    store.save_prefs(envelope(user), PREFS)
    store.save_progress(envelope(user), None)

    assert store.load(envelope(user)) == ({}, PREFS)
    store.save_progress(envelope(user), None)  # deleting nothing is fine


def test_two_users_are_kept_apart(db_path: Path) -> None:
    store = sqlite_store(db_path)
    alice, bob = new_user(), new_user()
    store.save_progress(envelope(alice), {**PROGRESS, "routine": "calf"})
    store.save_progress(envelope(bob), {**PROGRESS, "routine": "hamstring"})
    store.save_prefs(envelope(alice), PREFS)

    assert store.load(envelope(alice)) == ({**PROGRESS, "routine": "calf"}, PREFS)
    assert store.load(envelope(bob)) == ({**PROGRESS, "routine": "hamstring"}, {})


# Keys, versions and expiry


def test_rows_are_keyed_per_user_and_kind_and_carry_the_version(db_path: Path) -> None:
    clock = Clock()
    store = sqlite_store(db_path, clock=clock)
    user = new_user()
    store.save_progress(envelope(user), PROGRESS)
    store.save_prefs(envelope(user), PREFS)

    stored = rows(db_path)

    assert set(stored) == {f"{user}#progress", f"{user}#prefs"}
    progress_text, progress_expiry = stored[f"{user}#progress"]
    prefs_text, prefs_expiry = stored[f"{user}#prefs"]
    assert json.loads(progress_text) == {"v": 1, **PROGRESS}
    assert progress_expiry == int(clock.now + PROGRESS_TTL_SECONDS)
    assert json.loads(prefs_text) == {"v": 1, **PREFS}
    assert prefs_expiry is None


def test_progress_expires_after_two_hours_but_prefs_stay(db_path: Path) -> None:
    clock = Clock()
    store = sqlite_store(db_path, clock=clock)
    user = new_user()
    store.save_progress(envelope(user), PROGRESS)
    store.save_prefs(envelope(user), PREFS)

    clock.now += PROGRESS_TTL_SECONDS - 1
    assert store.load(envelope(user)) == (PROGRESS, PREFS)

    clock.now += 1
    assert store.load(envelope(user)) == ({}, PREFS)
    assert set(rows(db_path)) == {f"{user}#prefs"}  # the expired row went on that read


def test_progress_saved_with_a_clock_in_the_past_is_not_offered(db_path: Path) -> None:
    user = new_user()
    sqlite_store(db_path, clock=Clock(time.time() - 3 * 3600)).save_progress(
        envelope(user), PROGRESS
    )

    assert sqlite_store(db_path).load(envelope(user)) == ({}, {})


def test_saving_sweeps_other_users_expired_progress(db_path: Path) -> None:
    clock = Clock()
    store = sqlite_store(db_path, clock=clock)
    gone, kept = new_user(), new_user()
    store.save_progress(envelope(gone), PROGRESS)
    store.save_prefs(envelope(gone), PREFS)

    clock.now += PROGRESS_TTL_SECONDS
    store.save_progress(envelope(kept), PROGRESS)

    assert set(rows(db_path)) == {f"{gone}#prefs", f"{kept}#progress"}


@pytest.mark.parametrize(
    ("stored", "log_words"),
    [
        ("{not json", "not a JSON object"),
        (json.dumps(["a", "list"]), "not a JSON object"),
        (b"\x00\xff", "not a JSON object"),
        (json.dumps({"routine": "calf", "step": 2}), "no format version"),
        (json.dumps({"v": "1", "step": 2}), "no format version"),
        (json.dumps({"v": True, "step": 2}), "no format version"),
        (json.dumps({"v": 2, "step": 2}), "format version 2"),
        ("[" * 100_000 + "]" * 100_000, "not a JSON object"),
        ('{"v": 1, "deep": ' + "[" * 50 + "]" * 50 + "}", "non-JSON values"),
    ],
    ids=[
        "not-json",
        "json-list",
        "blob",
        "no-version",
        "string-version",
        "bool-version",
        "future-version",
        "absurd-nesting",
        "too-deep",
    ],
)
def test_a_corrupted_or_unknown_record_reads_as_missing_with_one_warning(
    db_path: Path, caplog: pytest.LogCaptureFixture, stored: Any, log_words: str
) -> None:
    store = sqlite_store(db_path)
    user = new_user()
    store.save_prefs(envelope(user), PREFS)
    write_row(db_path, f"{user}#progress", stored)

    with caplog.at_level(logging.WARNING):
        assert store.load(envelope(user)) == ({}, PREFS)

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert log_words in warnings[0].getMessage()
    assert user not in caplog.text
    store.save_progress(envelope(user), PROGRESS)  # and the next save repairs it
    assert store.load(envelope(user)) == (PROGRESS, PREFS)


# What the API accepts


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"v": 2, "step": 1}, ValueError),
        ({"started_at": math.nan}, TypeError),
        ({"started_at": math.inf}, TypeError),
        ({"muscles": {"calf"}}, TypeError),
        ({"raw": b"bytes"}, TypeError),
        ({1: "int key"}, TypeError),
        ([("step", 1)], TypeError),
    ],
    ids=["reserved-v", "nan", "inf", "set", "bytes", "int-key", "not-a-dict"],
)
def test_only_json_like_dicts_are_stored(db_path: Path, data: Any, error: type[Exception]) -> None:
    store = sqlite_store(db_path)
    user = new_user()

    with pytest.raises(error):
        store.save_progress(envelope(user), data)
    with pytest.raises(error):
        store.save_prefs(envelope(user), data)
    assert store.load(envelope(user)) == ({}, {})


def test_an_envelope_without_a_user_is_a_store_fault(db_path: Path) -> None:
    anonymous = RequestEnvelope(version="1.0", context=Context(system=SystemState()))

    with pytest.raises(StoreUnavailable, match="no user id"):
        sqlite_store(db_path).load(anonymous)


# Faults


def test_a_locked_database_fails_fast_and_once_per_request(db_path: Path) -> None:
    store = sqlite_store(db_path)
    user = new_user()
    store.save_prefs(envelope(user), PREFS)
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process stuck mid-write
    try:
        request = envelope(user)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as raised:
            store.save_progress(request, PROGRESS)
        first = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="already failed"):
            store.save_prefs(request, PREFS)
        second = time.monotonic() - started
    finally:
        locker.rollback()
        locker.close()

    assert first < 3.0
    assert second < 0.1
    assert user not in str(raised.value)
    assert isinstance(raised.value.__cause__, Exception)
    # The next request tries again, and the lock is gone.
    store.save_progress(envelope(user), PROGRESS)
    assert store.load(envelope(user)) == (PROGRESS, PREFS)


def test_an_unusable_path_turns_persistence_off_with_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TABLE_ENV, raising=False)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    with pytest.raises(StoreUnavailable):
        sqlite_store(blocker / "state.sqlite3")
    with caplog.at_level(logging.ERROR):
        assert open_store(db_path=str(blocker / "state.sqlite3")) is None
    assert "persistence is off" in caplog.text


def test_the_database_file_is_private(db_path: Path) -> None:
    sqlite_store(db_path)

    assert db_path.stat().st_mode & 0o077 == 0


# Where the file lives


def test_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "cramp-coach" / "state.sqlite3"

    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # the spec says: ignore it
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home/.local/share/cramp-coach/state.sqlite3"

    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_db_path() == tmp_path / "home/.local/share/cramp-coach/state.sqlite3"


def test_open_store_prefers_the_argument_then_the_env_then_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(TABLE_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.sqlite3"))

    argument_store = open_store(db_path=str(tmp_path / "arg.sqlite3"))
    env_store = open_store()
    monkeypatch.delenv(DB_ENV)
    default_store = open_store()

    assert isinstance(argument_store, UserStore)
    assert isinstance(env_store, UserStore)
    assert isinstance(default_store, UserStore)
    assert (tmp_path / "arg.sqlite3").exists()
    assert (tmp_path / "env.sqlite3").exists()
    assert (tmp_path / "xdg/cramp-coach/state.sqlite3").exists()


# Several processes sharing one file

_CHILD = textwrap.dedent(
    """
    import json, sys, uuid
    from ask_sdk_model import Context, LaunchRequest, RequestEnvelope, User
    from ask_sdk_model.interfaces.system import SystemState
    from skill.storage import sqlite_store

    path, mine, theirs, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

    def envelope(user):
        return RequestEnvelope(
            context=Context(system=SystemState(user=User(user_id=user))),
            request=LaunchRequest(request_id=str(uuid.uuid4())),
        )

    store = sqlite_store(path)
    seen = []
    for step in range(rounds):
        store.save_progress(envelope(mine), {"routine": "calf", "step": step})
        seen.append(store.load(envelope(theirs))[0].get("step"))
    print(json.dumps(seen))
    """
)


def run_child(path: Path, mine: str, theirs: str, rounds: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), mine, theirs, str(rounds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_sharing_one_file_see_each_others_saves(db_path: Path) -> None:
    store = sqlite_store(db_path)
    alice, bob = new_user(), new_user()
    store.save_progress(envelope(bob), {"routine": "calf", "step": 7})

    # A child saves for Alice and reads Bob, whom this process saved.
    out, err = run_child(db_path, alice, bob, 1).communicate(timeout=30)
    assert err == ""
    assert json.loads(out) == [7]
    assert store.load(envelope(alice))[0] == {"routine": "calf", "step": 0}

    # Two children writing and reading at once: no lock errors, and every read is a value the
    # other wrote (or nothing yet).
    rounds = 200
    children = [run_child(db_path, alice, bob, rounds), run_child(db_path, bob, alice, rounds)]
    results = [child.communicate(timeout=60) for child in children]
    for out, err in results:
        assert err == ""
        assert set(json.loads(out)) <= {None, *range(rounds)}
    assert store.load(envelope(alice))[0]["step"] == rounds - 1
    assert store.load(envelope(bob))[0]["step"] == rounds - 1
