"""Lambda SnapStart: the hooks register through snapshot_restore_py (the library Lambda's Python
runtime ships), warm the skill before the snapshot and give each restored copy its own state.

A fresh process imports the handler as the runtime does, then runs the registered hooks as the
runtime does (before-snapshot hooks in reverse order of registration, after-restore hooks in
order). A restore is played by os.fork(): each child starts from the parent's memory, as every
restored copy starts from the one snapshot (except that fork reseeds `random`, which each child
undoes, since a restore does not). Two children run the after-restore hooks, two (the
control) do not; each answers a LaunchRequest for its own user.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from alexa_rules import assert_valid
from dynamodb_server import dynamodb_client
from probes import run_probe

from skill.assembly import SKILL_ID_ENV
from skill.simulator.envelopes import EnvelopeFactory
from skill.storage import TABLE_ENV

ROOT = Path(__file__).resolve().parent.parent
COPIES = 4  # two restored with the hooks, two without
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"

_PROBE = """
import json
import os
import random
import sys
import traceback

sys.path.insert(0, sys.argv[1])
import lambda_function  # as the runtime loads the handler: this registers the hooks
import snapshot_restore_py

from skill import lambda_entry

envelopes, out, table = json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]


def names(hooks):
    return [f"{func.__module__}.{func.__qualname__}" for func, _, _ in hooks]


def items():
    import boto3

    return boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"]


def resource_of(skill):
    interceptors = skill.request_dispatcher.request_interceptors
    stores = [i._store for i in interceptors if hasattr(i, "_store")]
    return stores[0].progress_adapter.dynamodb if stores else None


report = {
    "before": names(snapshot_restore_py.get_before_snapshot()),
    "after": names(snapshot_restore_py.get_after_restore()),
}
for func, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
    func(*args, **kwargs)
watched = ("boto3", "ask_sdk_model.services.service_client_factory", "requests")
report["loaded_before_snapshot"] = [name for name in watched if name in sys.modules]
report["items_after_warm_up"] = items() if table else None
snapshot_skill = lambda_entry.lambda_skill()
snapshot_resource = resource_of(snapshot_skill)
snapshot_random = random.getstate()


def restored_copy(index, run_hooks):
    path = os.path.join(out, f"copy-{index}.json")
    pid = os.fork()
    if pid == 0:
        try:
            # fork() reseeds random in the child (os.register_at_fork); a restore does not.
            random.setstate(snapshot_random)
            if run_hooks:
                for func, args, kwargs in snapshot_restore_py.get_after_restore():
                    func(*args, **kwargs)
            response = lambda_function.lambda_handler(envelopes[index], None)
            skill = lambda_entry.lambda_skill()
            result = {
                "random": random.random(),
                "new_skill": skill is not snapshot_skill,
                "new_resource": resource_of(skill) is not snapshot_resource,
                "response": response,
            }
        except BaseException:
            result = {"error": traceback.format_exc()}
        with open(path, "w", encoding="utf-8") as file:
            json.dump(result, file)
        os._exit(0)
    os.waitpid(pid, 0)
    with open(path, encoding="utf-8") as file:
        return json.load(file)


report["copies"] = [restored_copy(i, run_hooks=i < 2) for i in range(len(envelopes))]
report["items_at_the_end"] = items() if table else None
print(json.dumps(report))
"""


def _run_probe(tmp_path: Path, env: dict[str, str], table: str) -> dict[str, Any]:
    # A skill ID is configured, as the template configures it: the warm-up must not trip on it.
    env = {**env, SKILL_ID_ENV: SKILL_ID}
    factory = {"api_endpoint": "http://127.0.0.1:9", "skill_id": SKILL_ID}
    envelopes = [EnvelopeFactory(**factory).launch() for _ in range(COPIES)]
    lambda_dir = str(ROOT / "lambda")
    report = run_probe(
        _PROBE, lambda_dir, json.dumps(envelopes), str(tmp_path), table, cwd=tmp_path, env=env
    )
    for copy in report["copies"]:
        assert "error" not in copy, copy["error"]
    return report


def _assert_hooks_ran_and_copies_answer(report: dict[str, Any]) -> None:
    assert report["before"] == ["skill.snapstart.before_snapshot"]
    assert report["after"] == ["skill.snapstart.after_restore"]
    restored, control = report["copies"][:2], report["copies"][2:]
    for copy in report["copies"]:
        assert_valid(copy["response"])
        assert copy["response"]["response"]["outputSpeech"]["ssml"]
    # Each restored copy has its own random state and its own skill and clients...
    assert restored[0]["random"] != restored[1]["random"]
    assert all(copy["new_skill"] for copy in restored)
    # ...which, without the after-restore hook, copies of one snapshot would share.
    assert control[0]["random"] == control[1]["random"]
    assert not any(copy["new_skill"] for copy in control)


def test_hooks_warm_the_skill_and_restored_copies_answer_with_their_own_state(
    tmp_path: Path,
) -> None:
    env = {name: value for name, value in os.environ.items() if name != TABLE_ENV}
    report = _run_probe(tmp_path, env, table="")
    _assert_hooks_ran_and_copies_answer(report)
    # Warmed for the timer step; no table configured, so no AWS SDK at all.
    assert report["loaded_before_snapshot"] == [
        "ask_sdk_model.services.service_client_factory",
        "requests",
    ]


def test_with_a_table_the_snapshot_holds_the_boto3_client_and_each_copy_gets_a_new_one(
    tmp_path: Path, dynamodb_endpoint: str, dynamodb_table: str
) -> None:
    # dynamodb_table has pointed boto3's standard configuration (environment) at the server.
    env = {**os.environ, TABLE_ENV: dynamodb_table}
    report = _run_probe(tmp_path, env, table=dynamodb_table)
    _assert_hooks_ran_and_copies_answer(report)
    assert "boto3" in report["loaded_before_snapshot"]
    assert report["items_after_warm_up"] == 0  # the warm-up read and wrote nobody's state
    restored = report["copies"][:2]
    assert all(copy["new_resource"] for copy in restored)
    # Every copy used the table: a first launch saves the user's preferences.
    assert report["items_at_the_end"] >= COPIES
    count = dynamodb_client(dynamodb_endpoint).scan(TableName=dynamodb_table, Select="COUNT")
    assert count["Count"] == report["items_at_the_end"]


def test_without_the_runtimes_library_nothing_is_registered_and_the_handler_answers(
    tmp_path: Path,
) -> None:
    # As on this machine without the dev extra, or a runtime without SnapStart support.
    probe = """
import json
import sys

sys.modules["snapshot_restore_py"] = None  # makes importing it fail, as when it is absent
sys.path.insert(0, sys.argv[1])
import lambda_function
from skill import snapstart

response = lambda_function.lambda_handler(json.loads(sys.argv[2]), None)
print(json.dumps({"registered": snapstart.register(), "response": response}))
"""
    envelope = EnvelopeFactory(api_endpoint="http://127.0.0.1:9").launch()
    env = {name: value for name, value in os.environ.items() if name != TABLE_ENV}
    report = run_probe(probe, str(ROOT / "lambda"), json.dumps(envelope), cwd=tmp_path, env=env)
    assert report["registered"] is False
    assert_valid(report["response"])
