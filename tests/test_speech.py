"""Speech: counted holds add up, breaks stay within Alexa's limit, text is escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from skill.content import content_for
from skill.speech import (
    MAX_BREAK_SECONDS,
    Countdown,
    break_seconds,
    plain_text,
    ssml_to_display,
    to_ssml,
)

C = content_for("en-US")


@pytest.mark.parametrize("seconds", [1, 5, 9, 10, 11, 15, 20, 25, 30, 45, 60])
def test_a_hold_adds_up_to_its_time_with_no_break_over_ten_seconds(seconds: int) -> None:
    ssml = to_ssml([Countdown(seconds, "Hold.", C.hold_cues, "Release.")])
    breaks = break_seconds(ssml)
    assert abs(sum(breaks) - seconds) <= 1
    assert all(0 < b <= MAX_BREAK_SECONDS for b in breaks)
    ET.fromstring(ssml)


def test_cues_come_at_their_marks() -> None:
    ssml = to_ssml([Countdown(30, "Hold.", {10: "Ten.", 5: "Five."}, "Release.")])
    assert ssml_to_display(ssml) == "Hold. [10 s] [10 s] Ten. [5 s] Five. [5 s] Release."


@pytest.mark.parametrize("muscle", ["calf", "hamstring", "quadriceps", "foot", "general"])
def test_every_stretch_hold_in_the_content_adds_up(muscle: str) -> None:
    stretch = C.routine(muscle)[1]
    ssml = to_ssml([stretch.speech, Countdown(stretch.hold_seconds, "a", C.hold_cues, "b")])
    assert abs(sum(break_seconds(ssml)) - stretch.hold_seconds) <= 1


def test_text_is_escaped_so_the_ssml_stays_well_formed() -> None:
    ssml = to_ssml(['Salt & water <3 "quotes"'])
    root = ET.fromstring(ssml)
    assert "".join(root.itertext()) == 'Salt & water <3 "quotes"'


def test_speech_over_alexas_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="8000"):
        to_ssml(["word " * 2000])


def test_plain_text_drops_the_pauses() -> None:
    assert plain_text(["Go.", Countdown(20, "Hold.", {}, "Done.")]) == "Go. Hold. Done."
