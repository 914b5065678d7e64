"""`cramp-coach chat`, run as a user would: a real process reading piped lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from skill.content import content_for

C = content_for("en-US")
SCRIPT = Path(sys.executable).with_name("cramp-coach")


@pytest.fixture(autouse=True)
def private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's chat keeps its state in its own SQLite file, never the user's."""
    path = tmp_path / "state.sqlite3"
    monkeypatch.setenv("CRAMP_COACH_DB", str(path))
    monkeypatch.delenv("CRAMP_COACH_DYNAMODB_TABLE", raising=False)
    return path


def chat(
    stdin: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_scripted_dialog_prints_each_reply_as_plain_text() -> None:
    result = chat("open cramp coach\nmy calf is cramping\nno\nnext\nstop\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    said = [line for line in lines if line.startswith("Alexa: ")]
    assert len(said) == 5
    assert said[0].startswith("Alexa: " + C.say("welcome"))
    assert C.routine("calf")[1].speech in said[2]
    assert "[10 s]" in said[2]  # pauses are shown, SSML tags are not
    assert "<" not in result.stdout
    assert C.routine("calf")[2].speech in said[3]
    assert said[4] == "Alexa: " + C.say("stop")
    assert "(session ended)" in lines


def test_a_line_after_the_session_ended_starts_a_new_one() -> None:
    result = chat("ask cramp coach to help with my foot\nstop\nhelp with my calf\n")
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith("Alexa: ")]
    assert C.say("routine_for_muscle", muscle="calf") in said[2]


def test_speak_without_espeak_says_so_clearly_and_still_answers(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty PATH: no espeak-ng on it
    result = chat("open cramp coach\n", "--speak", env=env)
    assert result.returncode == 0
    assert "espeak-ng" in result.stderr and "not installed" in result.stderr
    assert "Alexa: " + C.say("welcome") in result.stdout


def test_unknown_model_path_is_a_clear_error() -> None:
    result = chat("hi\n", "--model", "/nonexistent/model.json")
    assert result.returncode == 2
    assert "No interaction model" in result.stderr


def test_chat_asks_timer_consent_and_sets_the_timer_on_its_stand_in() -> None:
    result = chat(
        "ask cramp coach to help with my calf\nno\ngo to step 4\nyes\nyes\n"
        "how long is left on my timer\n"
    )
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith("Alexa: ")]
    assert said[3].startswith("Alexa: " + C.say("timer_consent"))
    assert said[4].startswith("Alexa: " + C.say("timer_set", minutes=15))
    assert said[5].startswith("Alexa: " + C.say("timer_left", minutes=15))


def test_chat_resumes_where_the_runner_was_in_a_later_session(private_store: Path) -> None:
    first = chat("ask cramp coach to help with my calf\nno\ngo to step 4\nno\n")
    assert first.returncode == 0, first.stderr
    assert private_store.exists()
    result = chat("open cramp coach\nyes\n")
    said = [line for line in result.stdout.splitlines() if line.startswith("Alexa: ")]
    offer = C.say(
        "resume_offer", number=4, routine="calf", title=C.routine("calf")[3].title.lower()
    )
    assert offer in said[0]
    assert said[1].startswith("Alexa: " + C.say("welcome_back"))
    assert C.routine("calf")[3].speech in said[1]
