"""A local DynamoDB-protocol server (moto's ``moto_server``) for the DynamoDB cold start.

The same approach as tests/dynamodb_server.py: a subprocess on a free 127.0.0.1 port in its own
process group, stopped by its PID; boto3 in the measured processes reaches it through its
standard configuration (``AWS_ENDPOINT_URL_DYNAMODB``, a region, fake credentials).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# The tests' helpers for local servers: one way to start and stop them everywhere.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from local_servers import HOST, ServerDidNotStart, free_port, start, stop

REGION = "us-east-1"
TABLE = "cramp-coach-bench"


class ServerError(RuntimeError):
    """moto_server is missing, exited, or did not answer in time."""


def aws_env(endpoint_url: str) -> dict[str, str]:
    """boto3's standard configuration pointed at ``endpoint_url``, with fake credentials.

    The developer's own AWS files are hidden so they cannot redirect the benchmark.
    """
    missing = str(Path(os.devnull) / "missing")
    return {
        "AWS_CONFIG_FILE": missing,
        "AWS_SHARED_CREDENTIALS_FILE": missing,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint_url,
    }


def _client(endpoint_url: str) -> Any:
    import boto3  # only the benchmark's own process pays for it, never a measured one

    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    ).client("dynamodb", endpoint_url=endpoint_url)


def create_table(endpoint_url: str) -> None:
    """The table the skill expects: partition key ``id`` (S), as the deploy template makes it."""
    client = _client(endpoint_url)
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(
        TableName=TABLE, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50}
    )


def item_count(endpoint_url: str) -> int:
    """How many items the table holds: proof that the measured runs really used DynamoDB."""
    return int(_client(endpoint_url).scan(TableName=TABLE, Select="COUNT")["Count"])


@contextmanager
def local_dynamodb(log_dir: Path) -> Iterator[str]:
    """Starts ``moto_server`` with the table created; yields its URL; stops it by PID."""
    moto_server = Path(sys.executable).with_name("moto_server")
    if not moto_server.exists():
        raise ServerError(f"{moto_server} is missing (install the dev extra: moto[server])")
    port = free_port()
    try:
        process = start(
            [str(moto_server), "--host", HOST, "--port", str(port)],
            port=port,
            ready_path="/moto-api/",
            log_path=log_dir / "moto-server.log",
        )
    except ServerDidNotStart as error:
        raise ServerError(str(error)) from error
    try:
        url = f"http://{HOST}:{port}"
        create_table(url)
        yield url
    finally:
        stop(process)
