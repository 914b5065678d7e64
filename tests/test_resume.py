"""Resume across sessions on both stores: SQLite (self-hosted) and DynamoDB (Lambda).

The DynamoDB tests talk to a real DynamoDB-protocol server (moto_server) on 127.0.0.1; the
SQLite tests to a real file, including two web service processes sharing it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conversation import ROOT, Conversation
from dynamodb_server import create_table, dynamodb_client, running_dynamodb_server
from dynamodb_server import use_test_aws_config as point_boto3_at
from local_servers import free_port, start, stop
from storage_cases import Clock

from skill.assembly import build_skill
from skill.content import content_for
from skill.lambda_entry import handle_event
from skill.simulator.timers_api import TimersApi
from skill.storage import UserStore, dynamodb_store, sqlite_store
from skill.timers import TIMERS_SCOPE

C = content_for("en-US")
CALF = C.routine("calf")
RUNNER = "amzn1.ask.account.runner-one"
OTHER = "amzn1.ask.account.runner-two"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "dynamodb"])
def make_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock
) -> Callable[[], UserStore]:
    """Builds stores on one backend; each call is a fresh process's view of the same data."""
    if request.param == "sqlite":
        path = tmp_path / "state.sqlite3"
        return lambda: sqlite_store(path, clock=clock)
    table = request.getfixturevalue("dynamodb_table")
    return lambda: dynamodb_store(table, clock=clock)


def session(store: UserStore, clock: Clock, user: str = RUNNER, **skill: Any) -> Conversation:
    built = build_skill(store=store, clock=clock, **skill)
    talk = Conversation(lambda envelope: handle_event(built, envelope))
    talk.envelopes.user_id = user
    return talk


def leave_at_cold_pack(store: UserStore, clock: Clock, user: str = RUNNER) -> None:
    talk = session(store, clock, user)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("go to step 4")
    talk.say("no")  # no timer
    assert talk.say("stop").end_session


def offer_text(step: int = 4) -> str:
    return C.say("resume_offer", number=step, routine="calf", title=CALF[step - 1].title.lower())


def test_resume_offered_and_taken(make_store: Callable[[], UserStore], clock: Clock) -> None:
    leave_at_cold_pack(make_store(), clock)
    clock.now += 30 * 60
    talk = session(make_store(), clock)
    reply = talk.say("open cramp coach")
    assert offer_text() in reply.text
    reply = talk.say("yes")
    assert reply.text.startswith(C.say("welcome_back"))
    assert CALF[3].speech in reply.text
    assert talk.progress["routine"] == "calf" and talk.progress["step"] == 3


def test_resume_declined_starts_fresh(make_store: Callable[[], UserStore], clock: Clock) -> None:
    leave_at_cold_pack(make_store(), clock)
    talk = session(make_store(), clock)
    talk.say("open cramp coach")
    reply = talk.say("no")
    assert reply.text.startswith(C.say("fresh_start"))
    assert reply.text.endswith(C.say("ask_muscle"))
    talk.say("stop")
    again = session(make_store(), clock).say("open cramp coach")
    assert offer_text() not in again.text


def test_progress_older_than_two_hours_is_not_offered(
    make_store: Callable[[], UserStore], clock: Clock
) -> None:
    leave_at_cold_pack(make_store(), clock)
    clock.now += 2 * 60 * 60 + 1
    reply = session(make_store(), clock).say("open cramp coach")
    assert offer_text() not in reply.text
    assert reply.text.endswith(C.say("ask_muscle"))


def test_preferences_outlive_progress(make_store: Callable[[], UserStore], clock: Clock) -> None:
    first = session(make_store(), clock).say("open cramp coach")
    assert C.say("disclaimer") in first.text
    clock.now += 3 * 24 * 60 * 60
    later = session(make_store(), clock).say("open cramp coach")
    assert C.say("disclaimer") not in later.text


def test_two_users_are_kept_apart(make_store: Callable[[], UserStore], clock: Clock) -> None:
    leave_at_cold_pack(make_store(), clock, RUNNER)
    other = session(make_store(), clock, OTHER).say("open cramp coach")
    assert offer_text() not in other.text and C.say("disclaimer") in other.text
    mine = session(make_store(), clock, RUNNER).say("open cramp coach")
    assert offer_text() in mine.text


def test_after_the_timer_rang_the_routine_carries_on_with_the_next_step(
    make_store: Callable[[], UserStore], clock: Clock
) -> None:
    api = TimersApi(token="token").start()
    try:
        talk = session(make_store(), clock)
        talk.envelopes.api_endpoint, talk.envelopes.api_access_token = api.base_url, "token"
        talk.envelopes.granted_scopes.add(TIMERS_SCOPE)
        talk.say("ask cramp coach to help with my calf")
        talk.say("no")
        talk.say("go to step 4")
        assert talk.say("yes").text.startswith(C.say("timer_set", minutes=15))
        talk.raw({"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"})
    finally:
        api.stop()
    clock.now += 16 * 60
    back = session(make_store(), clock)
    assert offer_text() in back.say("open cramp coach").text
    reply = back.say("yes")
    assert reply.text.startswith(C.say("welcome_back"))
    assert CALF[4].speech in reply.text
    assert back.progress["step"] == 4 and back.progress["timer"] is None


def test_escalation_and_finishing_leave_nothing_to_resume(
    make_store: Callable[[], UserStore], clock: Clock
) -> None:
    for ending in ("my calf is swollen", "I feel dizzy"):
        talk = session(make_store(), clock)
        talk.say("ask cramp coach to help with my calf")
        talk.say("no")
        talk.say(ending)
        reply = session(make_store(), clock).say("open cramp coach")
        assert offer_text(2) not in reply.text, ending


def raw_records(make_store: Callable[[], UserStore], request: pytest.FixtureRequest) -> str:
    """Everything the store holds for everyone, as text, read behind the skill's back."""
    if request.node.callspec.params["make_store"] == "sqlite":
        path = next(Path(request.getfixturevalue("tmp_path")).glob("*.sqlite3"))
        with sqlite3.connect(path) as db:
            return json.dumps(db.execute("select * from records").fetchall())
    endpoint = request.getfixturevalue("dynamodb_endpoint")
    table = request.getfixturevalue("dynamodb_table")
    return json.dumps(dynamodb_client(endpoint).scan(TableName=table)["Items"])


def test_no_health_information_is_stored(
    make_store: Callable[[], UserStore], clock: Clock, request: pytest.FixtureRequest
) -> None:
    talk = session(make_store(), clock)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("I'm pregnant")  # E3: noted for the session only
    talk.say("it's a bit better")
    talk.say("how many steps are left")
    stored = raw_records(make_store, request).lower()
    assert "calf" in stored  # the routine is kept...
    for word in ("pregnant", "condition", "e3", "escalation", "emergency", "symptom", "better"):
        assert word not in stored  # ...but nothing about health


# ----- faults ---------------------------------------------------------------------------------


def answer_within(talk: Conversation, utterance: str, seconds: float = 3.0) -> str:
    started = time.monotonic()
    text = talk.say(utterance).text
    assert time.monotonic() - started < seconds, utterance
    return text


def test_a_dynamodb_server_stopped_mid_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    with running_dynamodb_server(tmp_path) as server:
        point_boto3_at(monkeypatch, server.url)
        create_table(server.url, "cramp")
        talk = session(dynamodb_store("cramp", clock=clock), clock)
        talk.say("ask cramp coach to help with my calf")
        talk.say("no")
        server.stop()
        assert CALF[2].speech in answer_within(talk, "next")
        assert CALF[3].speech in answer_within(talk, "next")
        assert talk.attributes["store"]["dirty"] is True
        assert talk.progress["step"] == 3


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_store_that_never_answers(
    silent_port: int, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    point_boto3_at(monkeypatch, f"http://127.0.0.1:{silent_port}")
    talk = session(dynamodb_store("cramp", clock=clock), clock)
    assert C.say("ask_muscle") in answer_within(talk, "open cramp coach")
    assert C.say("routine_for_muscle", muscle="calf") in answer_within(talk, "my calf")
    assert CALF[1].speech in answer_within(talk, "no")
    assert talk.progress["step"] == 1


def test_the_next_turn_saves_what_a_failed_turn_could_not(
    dynamodb_endpoint: str, dynamodb_table: str, clock: Clock
) -> None:
    client = dynamodb_client(dynamodb_endpoint)
    talk = session(dynamodb_store(dynamodb_table, clock=clock), clock)
    talk.say("ask cramp coach to help with my calf")
    client.delete_table(TableName=dynamodb_table)
    talk.say("no")
    assert talk.attributes["store"]["dirty"] is True
    create_table(dynamodb_endpoint, dynamodb_table)
    talk.say("next")
    assert talk.attributes["store"]["dirty"] is False
    talk.say("stop")
    reply = session(dynamodb_store(dynamodb_table, clock=clock), clock).say("open cramp coach")
    assert offer_text(3) in reply.text


def test_a_stored_item_of_the_wrong_shape_reads_as_no_progress(
    dynamodb_endpoint: str,
    dynamodb_table: str,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    dynamodb_client(dynamodb_endpoint).put_item(
        TableName=dynamodb_table,
        Item={"id": {"S": f"{RUNNER}#progress"}, "attributes": {"S": "not a map"}},
    )
    talk = session(dynamodb_store(dynamodb_table, clock=clock), clock)
    reply = talk.say("open cramp coach")
    assert reply.text.endswith(C.say("ask_muscle"))
    assert any("wrong shape" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


# ----- whole processes ------------------------------------------------------------------------


def test_two_web_service_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    servers = [start_server(db, tmp_path / f"serve-{i}.log") for i in range(2)]
    try:
        first = Conversation(servers[0][1])
        first.envelopes.user_id = RUNNER
        first.say("ask cramp coach to help with my calf")
        first.say("no")
        first.say("go to step 4")
        first.say("stop")
        second = Conversation(servers[1][1])
        second.envelopes.user_id = RUNNER
        assert offer_text() in second.say("open cramp coach").text
        # `cramp-coach serve` logs one JSON line per request, without the user id.
        log = (tmp_path / "serve-1.log").read_text()
        lines = [json.loads(x) for x in log.splitlines() if x.startswith("{")]
        assert [x["request_type"] for x in lines if x["message"] == "request"] == ["LaunchRequest"]
        assert RUNNER not in log
    finally:
        for process, _ in servers:
            stop(process)


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], Any]:
    """`cramp-coach serve --no-verify` on a free port; returns the process and a JSON poster."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("cramp-coach")), "serve", "--no-verify"]
    process = start(
        [*command, "--port", str(port), "--db", str(db)],
        port=port,
        ready_path="/healthz",
        log_path=log,
    )

    def post(envelope: dict[str, Any]) -> dict[str, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST", "/alexa", json.dumps(envelope), {"Content-Type": "application/json"}
        )
        reply = connection.getresponse()
        body = reply.read()
        assert reply.status == 200, body
        answer: dict[str, Any] = json.loads(body)
        return answer

    return process, post


def test_lambda_handler_keeps_progress_in_dynamodb_across_processes(
    dynamodb_endpoint: str, dynamodb_table: str, tmp_path: Path
) -> None:
    """Two cold Lambda containers, configured only through the environment."""
    script = tmp_path / "invoke.py"
    script.write_text(
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'lambda')!r})\n"
        "from lambda_function import lambda_handler\n"
        "for line in sys.stdin:\n"
        "    print(json.dumps(lambda_handler(json.loads(line), None)))\n"
    )
    first = Conversation(lambda envelope: invoke(script, envelope, dynamodb_table))
    first.envelopes.user_id = RUNNER
    first.say("ask cramp coach to help with my calf")
    first.say("no")
    first.say("stop")
    second = Conversation(lambda envelope: invoke(script, envelope, dynamodb_table))
    second.envelopes.user_id = RUNNER
    assert offer_text(2) in second.say("open cramp coach").text


def invoke(script: Path, envelope: dict[str, Any], table: str) -> dict[str, Any]:
    env = {**os.environ, "CRAMP_COACH_DYNAMODB_TABLE": table}
    result = subprocess.run(
        [sys.executable, str(script)],
        input=json.dumps(envelope) + "\n",
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_resuming_before_the_emergency_answer_asks_it_again(
    make_store: Callable[[], UserStore], clock: Clock
) -> None:
    first = session(make_store(), clock)
    first.say("ask cramp coach to help with my calf")
    first.say("stop")
    talk = session(make_store(), clock)
    assert offer_text(1) in talk.say("open cramp coach").text
    reply = talk.say("yes")
    assert reply.text.startswith(C.say("welcome_back"))
    assert reply.text.endswith(C.say("emergency_question"))
    assert CALF[1].speech in talk.say("no").text
