"""`cramp-coach chat`, run as a user would: a real process reading piped lines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chat_process import alexa_lines, chat

from skill.content import content_for

C = content_for("en-US")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


def test_scripted_dialog_prints_each_reply_as_plain_text(db: Path) -> None:
    result = chat("open cramp coach\nmy calf is cramping\nno\nnext\nstop\n", db=db)
    assert result.returncode == 0, result.stderr
    said = alexa_lines(result)
    assert len(said) == 5
    assert said[0].startswith("Alexa: " + C.say("welcome"))
    assert C.routine("calf")[1].speech in said[2]
    assert "[10 s]" in said[2]  # pauses are shown, SSML tags are not
    assert "<" not in result.stdout
    assert C.routine("calf")[2].speech in said[3]
    assert said[4] == "Alexa: " + C.say("stop")
    assert "(session ended)" in result.stdout.splitlines()


def test_a_line_after_the_session_ended_starts_a_new_one(db: Path) -> None:
    result = chat("ask cramp coach to help with my foot\nstop\nhelp with my calf\n", db=db)
    assert result.returncode == 0, result.stderr
    assert C.say("routine_for_muscle", muscle="calf") in alexa_lines(result)[2]


def test_speak_without_espeak_says_so_clearly_and_still_answers(db: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty PATH: no espeak-ng on it
    result = chat("open cramp coach\n", "--speak", db=db, env=env)
    assert result.returncode == 0
    assert "espeak-ng" in result.stderr and "not installed" in result.stderr
    assert "Alexa: " + C.say("welcome") in result.stdout


def test_unknown_model_path_is_a_clear_error(db: Path) -> None:
    result = chat("hi\n", "--model", "/nonexistent/model.json", db=db)
    assert result.returncode == 2
    assert "No interaction model" in result.stderr


def test_chat_asks_timer_consent_and_sets_the_timer_on_its_stand_in(db: Path) -> None:
    result = chat(
        "ask cramp coach to help with my calf\nno\ngo to step 4\nyes\nyes\n"
        "how long is left on my timer\n",
        db=db,
    )
    assert result.returncode == 0, result.stderr
    said = alexa_lines(result)
    assert said[3].startswith("Alexa: " + C.say("timer_consent"))
    assert said[4].startswith("Alexa: " + C.say("timer_set", minutes=15))
    assert said[5].startswith("Alexa: " + C.say("timer_left", minutes=15))


def test_chat_resumes_where_the_runner_was_in_a_later_session(db: Path) -> None:
    first = chat("ask cramp coach to help with my calf\nno\ngo to step 4\nno\n", db=db)
    assert first.returncode == 0, first.stderr
    assert db.exists()
    said = alexa_lines(chat("open cramp coach\nyes\n", db=db))
    offer = C.say(
        "resume_offer", number=4, routine="calf", title=C.routine("calf")[3].title.lower()
    )
    assert offer in said[0]
    assert said[1].startswith("Alexa: " + C.say("welcome_back"))
    assert C.routine("calf")[3].speech in said[1]


def test_speak_hands_the_ssml_to_espeak_ng(db: Path, tmp_path: Path) -> None:
    # A stand-in espeak-ng first on PATH records what it is asked to say (no sound card here).
    said = tmp_path / "said.txt"
    stand_in = tmp_path / "bin" / "espeak-ng"
    stand_in.parent.mkdir()
    stand_in.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{said}"\n')
    stand_in.chmod(0o755)
    env = {**os.environ, "PATH": f"{stand_in.parent}:{os.environ['PATH']}"}
    result = chat("ask cramp coach to help with my calf\nno\n", "--speak", db=db, env=env)
    assert result.returncode == 0, result.stderr
    args = said.read_text().splitlines()
    # -m: espeak-ng reads SSML, so the hold's pauses are really silent.
    assert args.count("-m") == 2
    assert any(a.startswith("<speak>") and '<break time="10s"/>' in a for a in args)


def test_screen_prints_what_an_echo_show_shows_and_takes_button_presses(db: Path) -> None:
    result = chat(
        "ask cramp coach to help with my calf\n[next]\n[no]\n[dance]\n",
        "--screen",
        db=db,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    stretch = C.routine("calf")[1]
    assert "Screen: Step 1 of 8 - Get safe" in out
    buttons = "buttons: [yes] Yes  [no] No  [previous] Back  [repeat] Repeat  [next] Next"
    assert buttons in out
    said = alexa_lines(result)
    # [next] at the emergency question asks it again; [no] answers it.
    assert said[1] == "Alexa: " + C.say("emergency_question_again")
    assert stretch.speech in said[2]
    assert f"Screen: Step 2 of 8 - {stretch.title}" in out
    assert "[drawing: stretch_calf]" in out
    assert "[countdown: 30 s, from about" in out
    assert said[3].startswith("Alexa: " + C.say("screen_event_unknown"))


def test_without_screen_a_bracketed_line_is_just_words(db: Path) -> None:
    result = chat("ask cramp coach to help with my calf\n[next]\n", db=db)
    assert result.returncode == 0, result.stderr
    assert "Screen:" not in result.stdout
    # Not a press: the words "next" at the emergency question, which asks it again.
    assert alexa_lines(result)[1] == "Alexa: " + C.say("emergency_question_again")
