"""The DynamoDB user store against a real DynamoDB-protocol server (moto_server) over HTTP."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dynamodb_server import (
    create_table,
    dynamodb_client,
    running_dynamodb_server,
    use_test_aws_config,
)
from storage_cases import PREFS, PROGRESS, TIMER, Clock, envelope, new_user

from skill.storage import (
    PROGRESS_TTL_SECONDS,
    TABLE_ENV,
    StoreUnavailable,
    UserStore,
    dynamodb_store,
    open_lambda_store,
    open_store,
)
from skill.storage.dynamodb import make_resource

#: The issue's bound for a dialog turn with a failing store.
FAULT_BUDGET_S = 3.0


@pytest.fixture
def endpoint(dynamodb_endpoint: str, dynamodb_table: str) -> str:
    """The shared server's URL, once the table (and the environment) are ready."""
    return dynamodb_endpoint


def raw_item(endpoint: str, table: str, key: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        dynamodb_client(endpoint)
        .get_item(TableName=table, Key={"id": {"S": key}}, ConsistentRead=True)
        .get("Item")
    )
    return item


def put_raw_item(endpoint: str, table: str, item: dict[str, Any]) -> None:
    """Writes an item behind the store's back, as a bug or an older version might have."""
    dynamodb_client(endpoint).put_item(TableName=table, Item=item)


# Round trips and resume


def test_round_trip_gives_back_plain_numbers(dynamodb_table: str) -> None:
    store = dynamodb_store(dynamodb_table)
    user = new_user()
    progress = {**PROGRESS, "timer": TIMER, "seen": ["stretch", 2, 0.5], "empty": ""}
    store.save_progress(envelope(user), progress)
    store.save_prefs(envelope(user), PREFS)

    loaded_progress, loaded_prefs = store.load(envelope(user))

    assert loaded_progress == progress
    assert loaded_prefs == PREFS
    assert type(loaded_progress["step"]) is int
    assert type(loaded_progress["started_at"]) is float
    assert type(loaded_progress["timer"]["ends_at"]) is float
    assert type(loaded_prefs["disclaimer_heard"]) is bool


def test_a_missing_user_loads_empty(dynamodb_table: str) -> None:
    assert dynamodb_store(dynamodb_table).load(envelope(new_user())) == ({}, {})


def test_resume_in_a_new_session_with_a_new_store(
    dynamodb_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TABLE_ENV, dynamodb_table)
    user = new_user()
    first = open_store()
    assert first is not None
    first.save_progress(envelope(user), PROGRESS)
    first.save_prefs(envelope(user), PREFS)

    # A new container: a new store from the environment alone, new envelopes, the same user.
    second = open_lambda_store()

    assert second is not None
    assert second.load(envelope(user)) == (PROGRESS, PREFS)


def test_saving_again_replaces_and_none_deletes(endpoint: str, dynamodb_table: str) -> None:
    store = dynamodb_store(dynamodb_table)
    user = new_user()
    store.save_progress(envelope(user), PROGRESS)
    store.save_progress(envelope(user), {**PROGRESS, "step": 4})
    assert store.load(envelope(user))[0]["step"] == 4

    store.save_prefs(envelope(user), PREFS)
    store.save_progress(envelope(user), None)

    assert store.load(envelope(user)) == ({}, PREFS)
    assert raw_item(endpoint, dynamodb_table, f"{user}#progress") is None


def test_two_users_are_kept_apart(dynamodb_table: str) -> None:
    store = dynamodb_store(dynamodb_table)
    alice, bob = new_user(), new_user()
    store.save_progress(envelope(alice), {**PROGRESS, "routine": "calf"})
    store.save_progress(envelope(bob), {**PROGRESS, "routine": "hamstring"})
    store.save_prefs(envelope(alice), PREFS)

    assert store.load(envelope(alice)) == ({**PROGRESS, "routine": "calf"}, PREFS)
    assert store.load(envelope(bob)) == ({**PROGRESS, "routine": "hamstring"}, {})


# Keys, TTL, versions


def test_items_carry_key_version_and_a_ttl_on_progress_only(
    endpoint: str, dynamodb_table: str
) -> None:
    clock = Clock()
    store = dynamodb_store(dynamodb_table, clock=clock)
    user = new_user()
    store.save_progress(envelope(user), PROGRESS)
    store.save_prefs(envelope(user), PREFS)

    progress = raw_item(endpoint, dynamodb_table, f"{user}#progress")
    prefs = raw_item(endpoint, dynamodb_table, f"{user}#prefs")

    assert progress is not None
    assert prefs is not None
    assert progress["expires_at"] == {"N": str(int(clock.now + PROGRESS_TTL_SECONDS))}
    assert progress["attributes"]["M"]["v"] == {"N": "1"}
    assert progress["attributes"]["M"]["routine"] == {"S": "calf"}
    assert "expires_at" not in prefs
    assert prefs["attributes"]["M"]["v"] == {"N": "1"}
    ttl = dynamodb_client(endpoint).describe_time_to_live(TableName=dynamodb_table)
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_progress_expires_after_two_hours_but_prefs_stay(dynamodb_table: str) -> None:
    clock = Clock()
    store = dynamodb_store(dynamodb_table, clock=clock)
    user = new_user()
    store.save_progress(envelope(user), PROGRESS)
    store.save_prefs(envelope(user), PREFS)

    clock.now += PROGRESS_TTL_SECONDS - 1
    assert store.load(envelope(user)) == (PROGRESS, PREFS)

    # DynamoDB deletes expired items only eventually; until then the read must ignore them.
    clock.now += 1
    assert store.load(envelope(user)) == ({}, PREFS)


def test_progress_saved_with_a_clock_in_the_past_is_not_offered(dynamodb_table: str) -> None:
    user = new_user()
    past = dynamodb_store(dynamodb_table, clock=Clock(time.time() - 3 * 3600))
    past.save_progress(envelope(user), PROGRESS)
    past.save_prefs(envelope(user), PREFS)

    assert dynamodb_store(dynamodb_table).load(envelope(user)) == ({}, PREFS)


def _map(fields: dict[str, Any]) -> dict[str, Any]:
    return {"M": fields}


@pytest.mark.parametrize(
    ("item", "log_words"),
    [
        ({"attributes": {"S": "garbage"}}, "wrong shape"),
        ({"something_else": {"N": "1"}}, "wrong shape"),
        ({"attributes": _map({"v": {"N": "1"}}), "expires_at": {"S": "soon"}}, "wrong shape"),
        ({"attributes": _map({"step": {"N": "2"}})}, "no format version"),
        ({"attributes": _map({"v": {"S": "1"}, "step": {"N": "2"}})}, "no format version"),
        ({"attributes": _map({"v": {"N": "2"}, "step": {"N": "2"}})}, "format version 2"),
        ({"attributes": _map({"v": {"N": "1"}, "tags": {"SS": ["a"]}})}, "non-JSON values"),
        ({"attributes": _map({"v": {"N": "1"}, "raw": {"B": b"\x00"}})}, "non-JSON values"),
    ],
    ids=[
        "attributes-a-string",
        "no-attributes",
        "expiry-a-string",
        "no-version",
        "string-version",
        "future-version",
        "string-set",
        "binary",
    ],
)
def test_a_corrupted_or_unknown_item_reads_as_missing_with_one_warning(
    endpoint: str,
    dynamodb_table: str,
    caplog: pytest.LogCaptureFixture,
    item: dict[str, Any],
    log_words: str,
) -> None:
    store = dynamodb_store(dynamodb_table)
    user = new_user()
    store.save_prefs(envelope(user), PREFS)
    put_raw_item(endpoint, dynamodb_table, {"id": {"S": f"{user}#progress"}, **item})

    with caplog.at_level(logging.WARNING):
        assert store.load(envelope(user)) == ({}, PREFS)

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert log_words in warnings[0].getMessage()
    assert user not in caplog.text
    store.save_progress(envelope(user), PROGRESS)  # and the next save repairs it
    assert store.load(envelope(user)) == (PROGRESS, PREFS)


def test_create_table_makes_the_table_with_ttl(
    dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_test_aws_config(monkeypatch, dynamodb_endpoint)
    table = f"cramp-coach-created-{uuid.uuid4().hex[:12]}"
    client = dynamodb_client(dynamodb_endpoint)
    try:
        store = dynamodb_store(table, create_table=True)
        dynamodb_store(table, create_table=True)  # a second start finds it ready

        ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
        user = new_user()
        store.save_progress(envelope(user), PROGRESS)
        assert store.load(envelope(user)) == (PROGRESS, {})
    finally:
        client.delete_table(TableName=table)


# Configuration


def test_open_lambda_store_needs_the_table_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TABLE_ENV, raising=False)
    assert open_lambda_store() is None
    monkeypatch.setenv(TABLE_ENV, "")
    assert open_lambda_store() is None


def test_the_table_argument_wins_over_sqlite(dynamodb_table: str, tmp_path: Path) -> None:
    store = open_store(table=dynamodb_table, db_path=str(tmp_path / "unused.sqlite3"))

    assert isinstance(store, UserStore)
    assert not (tmp_path / "unused.sqlite3").exists()


def test_no_region_turns_persistence_off_with_an_error(
    dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    use_test_aws_config(monkeypatch, dynamodb_endpoint)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv(TABLE_ENV, "cramp-coach")

    with caplog.at_level(logging.ERROR):
        assert open_lambda_store() is None
        assert open_store() is None
    assert "region" in caplog.text


def test_importing_the_storage_modules_loads_no_aws_sdk() -> None:
    code = textwrap.dedent(
        """
        import sys
        import skill.storage, skill.storage.dynamodb
        heavy = [m for m in ("boto3", "botocore", "ask_sdk_dynamodb") if m in sys.modules]
        print(",".join(heavy))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == ""


# Faults: the dialog must be able to answer within the 3 seconds.


def test_a_missing_table_is_a_store_fault(dynamodb_table: str) -> None:
    store = dynamodb_store(f"{dynamodb_table}-missing")
    user = new_user()

    with pytest.raises(StoreUnavailable, match="ResourceNotFound"):
        store.load(envelope(user))
    with pytest.raises(StoreUnavailable):
        store.save_progress(envelope(user), PROGRESS)


def test_a_server_stopped_mid_dialog_fails_fast_and_once_per_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_dynamodb_server(tmp_path) as server:
        use_test_aws_config(monkeypatch, server.url)
        create_table(server.url, "cramp-coach")
        store = dynamodb_store("cramp-coach")
        user = new_user()
        store.save_progress(envelope(user), PROGRESS)
        assert store.load(envelope(user)) == (PROGRESS, {})

        server.stop()

        request = envelope(user)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as raised:
            store.load(request)
        load_elapsed = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="already failed"):
            store.save_progress(request, PROGRESS)
        again_elapsed = time.monotonic() - started
        # The next request tries the store again (and fails again: it is still down).
        with pytest.raises(StoreUnavailable, match="save progress failed"):
            store.save_progress(envelope(user), PROGRESS)

    assert load_elapsed < FAULT_BUDGET_S
    assert again_elapsed < 0.1
    assert user not in str(raised.value)
    assert "Could not connect" in str(raised.value)


@contextmanager
def silent_listener() -> Iterator[str]:
    """A 127.0.0.1 port that accepts TCP connections and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept_and_hold() -> None:
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_port_that_never_answers_fails_within_budget(
    dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_test_aws_config(monkeypatch, dynamodb_endpoint)
    user = new_user()
    with silent_listener() as url:
        store = dynamodb_store("cramp-coach", resource=make_resource(endpoint_url=url))

        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as raised:
            store.load(envelope(user))
        elapsed = time.monotonic() - started

    # Two attempts with a 1 s read timeout each: not instant, and well inside the budget.
    assert 1.5 < elapsed < FAULT_BUDGET_S
    assert "timeout" in str(raised.value).lower()
    assert user not in str(raised.value)


def test_numbers_are_stored_as_dynamodb_numbers(endpoint: str, dynamodb_table: str) -> None:
    store = dynamodb_store(dynamodb_table)
    user = new_user()
    store.save_progress(envelope(user), {"started_at": 0.1, "step": 10**20})

    item = raw_item(endpoint, dynamodb_table, f"{user}#progress")

    assert item is not None
    assert item["attributes"]["M"]["started_at"] == {"N": "0.1"}
    assert Decimal(item["attributes"]["M"]["step"]["N"]) == 10**20
    assert store.load(envelope(user))[0] == {"started_at": 0.1, "step": 10**20}
