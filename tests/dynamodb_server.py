"""Fixtures: a real DynamoDB-protocol server (moto's standalone ``moto_server``) on 127.0.0.1.

The server is a subprocess on a free port in its own process group; fixtures wait until it
answers HTTP and stop it by its PID. boto3 in the test process reaches it through its standard
configuration (``AWS_ENDPOINT_URL_DYNAMODB``, fake credentials, a region), set per test with
monkeypatch; nothing in boto3 is patched.

Fixtures: ``dynamodb_endpoint`` (session-scoped URL of the shared server) and ``dynamodb_table``
(a fresh table per test with TTL on ``expires_at``, environment pointed at the server). Tests that
stop a server start their own with :func:`running_dynamodb_server`.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from local_servers import HOST, free_port, start, stop

REGION = "us-east-1"
MOTO_SERVER = Path(sys.executable).with_name("moto_server")
#: The schema the skill expects (skill.storage.dynamodb): key ``id`` (S), TTL on ``expires_at``.
PARTITION_KEY = "id"
TTL_ATTRIBUTE = "expires_at"


@dataclass
class DynamoDbServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop(self.process)


@contextmanager
def running_dynamodb_server(log_dir: Path) -> Iterator[DynamoDbServer]:
    """Starts ``moto_server``, yields it once it answers, and stops it (if still running)."""
    port = free_port()
    process = start(
        [str(MOTO_SERVER), "--host", HOST, "--port", str(port)],
        port=port,
        ready_path="/moto-api/",
        log_path=log_dir / f"moto-server-{port}.log",
    )
    server = DynamoDbServer(f"http://{HOST}:{port}", process, log_dir / f"moto-server-{port}.log")
    try:
        yield server
    finally:
        server.stop()


def use_test_aws_config(monkeypatch: pytest.MonkeyPatch, endpoint_url: str) -> None:
    """Points boto3's standard configuration at ``endpoint_url`` with fake credentials.

    The developer's own AWS files and profile are hidden so they cannot redirect the tests.
    """
    missing = str(Path(os.devnull) / "missing")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", missing)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint_url)


@functools.cache
def dynamodb_client(endpoint_url: str) -> Any:
    """A plain boto3 client for arranging and inspecting tables behind the skill's back.

    Cached per endpoint: building a client costs ~60 ms, and clients are thread-safe.
    """
    import boto3

    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    ).client("dynamodb", endpoint_url=endpoint_url)


def create_table(endpoint_url: str, name: str) -> None:
    """Creates a table with the skill's schema, as the deploy template does, TTL included."""
    client = dynamodb_client(endpoint_url)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50}
    )
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )


@pytest.fixture(scope="session")
def dynamodb_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of one moto server shared by the whole session."""
    with running_dynamodb_server(tmp_path_factory.mktemp("dynamodb")) as server:
        yield server.url


@pytest.fixture
def dynamodb_table(dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh table's name; boto3's environment points at the shared server."""
    use_test_aws_config(monkeypatch, dynamodb_endpoint)
    name = f"cramp-coach-test-{uuid.uuid4().hex[:12]}"
    create_table(dynamodb_endpoint, name)
    yield name
    dynamodb_client(dynamodb_endpoint).delete_table(TableName=name)
