"""Lambda SnapStart: what runs before Lambda snapshots the initialised function, and after it
restores a copy of that snapshot to answer requests.

Lambda's managed Python runtime (3.12 and later) includes the snapshot_restore_py library, through
which a function registers these two hooks; :func:`register` does so when the library can be
imported. Anywhere else (this machine, the tests, the simulator) it registers nothing and returns
False: the hooks are plain functions, never called by anyone, and the skill behaves as it does
without SnapStart, loading what each request needs on first use.

Before the snapshot, :func:`before_snapshot` loads everything a request may need, including
what the skill otherwise loads on first use (Alexa's service clients and the HTTP client for the
timer step), builds the skill with its store (the boto3 resource when a DynamoDB table is set,
without calling DynamoDB), and answers one LaunchRequest with a store-less copy of the skill so
the caches (content per locale, the serializer's model classes) are filled.

After every restore, in each copy, :func:`after_restore` refreshes what must not be shared:
``random`` is reseeded from the operating system (every copy would otherwise draw the same
numbers, botocore's retry jitter among them), and the skill is built again, so each copy has its
own clients: a new boto3 resource (its own connection pool, no connection opened before the
snapshot) and a new Alexa API client (its own HTTP session). No clock reading is kept from before
the snapshot: each request reads the time itself.
"""

from __future__ import annotations

import importlib
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

#: What the skill otherwise imports when the timer step first calls Alexa's Timers API: the
#: service clients with the timer models, and the Alexa API client's HTTP library.
FIRST_USE_MODULES = (
    "ask_sdk_model.services.service_client_factory",
    "ask_sdk_model.services.timer_management",
    "requests",
)


def register() -> bool:
    """Registers the hooks with Lambda's runtime; False where its library is not installed."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


def before_snapshot() -> None:
    """Imports and warms everything the skill may use, so the snapshot holds it ready."""
    for module in FIRST_USE_MODULES:
        importlib.import_module(module)
    from skill import lambda_entry
    from skill.assembly import build_skill
    from skill.content import content_for, supported_locales
    from skill.simulator.envelopes import DEFAULT_SKILL_ID, EnvelopeFactory

    lambda_entry.lambda_skill()  # with the store: boto3 and its resource when a table is set
    for locale in supported_locales():
        content_for(locale)
    # A store-less copy, so the warm-up reads and writes nobody's state; its request is for the
    # configured skill ID, which the skill would otherwise refuse.
    warm = build_skill()
    envelope = EnvelopeFactory(skill_id=warm.skill_id or DEFAULT_SKILL_ID).launch()
    with _request_log_off():
        lambda_entry.handle_event(warm, envelope)
    log.info("warmed up for the snapshot")


def after_restore() -> None:
    """Gives this restored copy its own random state and its own clients."""
    random.seed()  # from os.urandom
    from skill import lambda_entry

    lambda_entry.rebuild_skill()


@contextmanager
def _request_log_off() -> Iterator[None]:
    """The warm-up request is nobody's: keep it out of the request log."""
    request_log = logging.getLogger("skill.request_log")
    was = request_log.disabled
    request_log.disabled = True
    try:
        yield
    finally:
        request_log.disabled = was
