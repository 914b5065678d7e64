"""DynamoDB persistence: the Lambda store, also used self-hosted when a table is configured.

The table has partition key ``id`` (S), the record in the map attribute ``attributes`` and, for
records that expire, ``expires_at`` (epoch seconds, Number) as the table's TTL attribute.
DynamoDB deletes expired items lazily (typically within a few days), so reads also treat an item
past ``expires_at`` as missing.

boto3 and ``ask_sdk_dynamodb`` are imported inside the functions that need them: importing boto3
costs ~220 ms, and ``ask_sdk_dynamodb.adapter`` builds a boto3 resource at import (which raises
``NoRegionError`` without a region). Everything here passes its own resource instead of that one.

Time budget. Alexa waits 8 s for a response. Each DynamoDB call makes at most
``MAX_ATTEMPTS`` = 2 attempts, each bounded by a 0.5 s connect timeout (which also covers the TLS
handshake) and a 1 s read timeout; between attempts the standard retry mode sleeps at most 25 ms
after a timeout or connection error, at most 1 s after a throttling error. Worst case of one call:
- connection refused: ~0 s plus the 25 ms; host unreachable: 2 x 0.5 s = ~1.0 s;
- accepts and never answers: 2 x (0.5 + 1.0) + 0.025 = ~3.0 s if connecting is itself slow,
  2 x 1.0 = 2.0 s when it is quick (measured against a silent local port);
- throttled: two round trips plus at most 1 s.
Not bounded by these settings: DNS resolution, a server trickling a byte at a time (the read
timeout is per socket read), and an ``x-amz-retry-after`` header (DynamoDB does not send one).
After a failure, ``UserStore`` fails further calls of the same request at once, so a failing
store costs a request about one call's worst case, 2-3 s, leaving 5 s for everything else.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

log = logging.getLogger(__name__)

PARTITION_KEY = "id"
ATTRIBUTE_NAME = "attributes"
EXPIRES_AT = "expires_at"

CONNECT_TIMEOUT_SECONDS = 0.5
READ_TIMEOUT_SECONDS = 1.0
#: Attempts per call, the first included: one retry rides out a dropped connection. Passed as
#: botocore's ``total_max_attempts``: its ``max_attempts`` counts retries only, so
#: ``max_attempts=2`` would make three attempts (measured: 3 x 1 s against a silent port).
MAX_ATTEMPTS = 2


def make_resource(
    *,
    endpoint_url: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
) -> Any:
    """A DynamoDB service resource with voice-friendly timeouts and retries.

    Region, credentials and endpoint come from boto3's standard configuration (environment,
    config files, ``AWS_ENDPOINT_URL_DYNAMODB``) unless ``endpoint_url`` is given. Nothing is sent
    over the network here.
    """
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )
    try:
        # boto3's default session, because ask_sdk_dynamodb.adapter builds a resource from it
        # when imported (a default argument): sharing the session shares the service models it
        # loads, about 50 ms of a cold start. Region, credentials and endpoint are still read
        # from the environment now, when the resource is made.
        return boto3.resource("dynamodb", endpoint_url=endpoint_url, config=config)
    except BotoCoreError as error:  # e.g. NoRegionError
        raise PersistenceException(f"cannot configure DynamoDB: {error}") from error


def dynamodb_adapter(
    table_name: str,
    *,
    partition_keygen: Callable[[RequestEnvelope], str],
    ttl_seconds: float | None = None,
    resource: Any = None,
    create_table: bool = False,
    clock: Callable[[], float] = time.time,
) -> AbstractPersistenceAdapter:
    """The SDK's ``DynamoDbAdapter`` with an ``expires_at`` TTL and plain numbers.

    :param partition_keygen: maps a request envelope to the item's ``id``.
    :param ttl_seconds: when set, each save writes ``expires_at`` that many seconds ahead.
    :param resource: a DynamoDB service resource; :func:`make_resource` when omitted.
    :param create_table: create the table if it is missing (the SDK creates it with 5/5
        provisioned capacity), wait until it exists and enable TTL on ``expires_at``; for local
        development (Lambda's table comes from the deploy template).
    :param clock: epoch seconds now; injectable for tests.
    :raises PersistenceException: when boto3 cannot be configured or the table cannot be created.
    """
    if resource is None:
        resource = make_resource()
    return _adapter_class()(
        table_name,
        partition_keygen=partition_keygen,
        dynamodb_resource=resource,
        ttl_seconds=ttl_seconds,
        create_table=create_table,
        clock=clock,
    )


@functools.cache
def _adapter_class() -> Callable[..., AbstractPersistenceAdapter]:
    """Defines the subclass on first use, so importing this module stays free of boto3."""
    from botocore.exceptions import BotoCoreError

    try:
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter
    except BotoCoreError as error:  # its import-time default resource needs a region
        raise PersistenceException(f"cannot configure DynamoDB: {error}") from error
    from botocore.exceptions import ClientError

    boto_errors = (BotoCoreError, ClientError)

    class TtlDynamoDbAdapter(DynamoDbAdapter):
        def __init__(
            self,
            table_name: str,
            *,
            partition_keygen: Callable[[RequestEnvelope], str],
            dynamodb_resource: Any,
            ttl_seconds: float | None,
            create_table: bool,
            clock: Callable[[], float],
        ) -> None:
            self.ttl_seconds = ttl_seconds
            self.clock = clock
            super().__init__(
                table_name=table_name,
                partition_key_name=PARTITION_KEY,
                attribute_name=ATTRIBUTE_NAME,
                create_table=create_table,
                partition_keygen=partition_keygen,
                dynamodb_resource=dynamodb_resource,
            )
            if create_table:
                self._enable_ttl()

        def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
            # Overridden (not extended) because the SDK's version returns only the attributes
            # map, and the expiry is a separate top-level attribute.
            key = self.partition_keygen(request_envelope)
            try:
                response = self.dynamodb.Table(self.table_name).get_item(
                    Key={self.partition_key_name: key}, ConsistentRead=True
                )
            except boto_errors as error:
                raise PersistenceException(
                    f"DynamoDB get_item on {self.table_name} failed: {error}"
                ) from error
            item = response.get("Item")
            if item is None:
                return {}
            expires_at = item.get(EXPIRES_AT)
            attributes = item.get(self.attribute_name)
            if (expires_at is not None and not isinstance(expires_at, Decimal)) or not isinstance(
                attributes, dict
            ):
                log.warning("a stored DynamoDB item has the wrong shape; reading it as missing")
                return {}
            if expires_at is not None and expires_at <= self.clock():
                return {}
            plain: dict[str, Any] = _from_dynamodb(attributes)
            return plain

        def save_attributes(
            self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
        ) -> None:
            # Overridden because the SDK's version writes only the key and the attributes map.
            item = {
                self.partition_key_name: self.partition_keygen(request_envelope),
                self.attribute_name: _to_dynamodb(attributes),
            }
            if self.ttl_seconds is not None:
                item[EXPIRES_AT] = int(self.clock() + self.ttl_seconds)
            try:
                self.dynamodb.Table(self.table_name).put_item(Item=item)
            except boto_errors as error:
                raise PersistenceException(
                    f"DynamoDB put_item on {self.table_name} failed: {error}"
                ) from error

        def _enable_ttl(self) -> None:
            client = self.dynamodb.meta.client
            try:
                client.get_waiter("table_exists").wait(
                    TableName=self.table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
                )
                described = client.describe_time_to_live(TableName=self.table_name)
                if described["TimeToLiveDescription"]["TimeToLiveStatus"] in (
                    "ENABLED",
                    "ENABLING",
                ):
                    return
                client.update_time_to_live(
                    TableName=self.table_name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": EXPIRES_AT},
                )
            except boto_errors as error:
                raise PersistenceException(
                    f"cannot enable TTL on DynamoDB table {self.table_name}: {error}"
                ) from error

    return TtlDynamoDbAdapter


def _to_dynamodb(value: Any) -> Any:
    """boto3 rejects floats: store them as the Decimal of their shortest repr."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _to_dynamodb(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_dynamodb(item) for item in value]
    return value


def _from_dynamodb(value: Any) -> Any:
    """boto3 returns every number as Decimal: give back int when integral, else float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamodb(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamodb(item) for item in value]
    return value
