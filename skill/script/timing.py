"""How long a line takes to say: measured with espeak-ng when it is installed, else estimated.

Amazon publishes no words-per-minute figure for its voices: the Amazon Polly Developer Guide
("Voice speed") says voices differ too much for a standard speed. The nearest published
measurement we found is in the AWS News Blog post "Amazon Polly Update - Time-Driven Prosody and
Asynchronous Synthesis" (2018): a 60-word paragraph took 19 seconds in Polly's US voice Joanna
with no options, about 190 words a minute. Both methods use that rate.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Protocol

from skill.speech import break_seconds, ssml_to_display
from skill.understanding.tokens import words as words_of

ALEXA_WORDS_PER_SECOND = 60 / 19
# espeak-ng's -s is nominal: with its en-us voice, -s 172 reads that same 60-word paragraph in
# 19.2 s (espeak-ng 1.51, measured 2026-12-03), so this setting speaks at Alexa's rate.
ESPEAK_VOICE = "en-us"
ESPEAK_SPEED = 172
ESPEAK_TIMEOUT_SECONDS = 30
_PAUSE = re.compile(r"\[\d+(?:\.\d+)? s\]")


class TimingError(Exception):
    """espeak-ng could not time a line (it failed, hung or wrote no readable WAV)."""


class Clock(Protocol):
    name: str  # in a word or two: "espeak-ng 1.51", "the estimate"
    method: str  # what the sheet says about how it timed the lines

    def seconds(self, ssml: str) -> float: ...


def spoken_text(ssml: str) -> str:
    """The words of a response, without its pauses."""
    return " ".join(_PAUSE.sub(" ", ssml_to_display(ssml)).split())


def word_count(ssml: str) -> int:
    return len(words_of(spoken_text(ssml)))


class EstimateClock:
    """Words at Alexa's rate, plus the SSML pauses."""

    name = "the estimate"

    def __init__(self, why: str = "espeak-ng is not installed") -> None:
        self.method = (
            f"estimated at {ALEXA_WORDS_PER_SECOND:.2f} words a second (Alexa's voice, about "
            f"{ALEXA_WORDS_PER_SECOND * 60:.0f} a minute) plus the SSML pauses ({why})"
        )

    def seconds(self, ssml: str) -> float:
        return word_count(ssml) / ALEXA_WORDS_PER_SECOND + sum(break_seconds(ssml))


class EspeakClock:
    """The length of the WAV espeak-ng writes for the SSML, pauses included."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self._cache: dict[str, float] = {}
        self._dir = tempfile.TemporaryDirectory(prefix="cramp-coach-timing-")
        self.name = self._version()
        self.method = (
            f"measured with {self.name} (voice {ESPEAK_VOICE}, -s {ESPEAK_SPEED}, which "
            f"speaks at Alexa's rate of about {ALEXA_WORDS_PER_SECOND * 60:.0f} words a minute): "
            "the length of the audio it writes, SSML pauses included"
        )

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [self.binary, *args],
                capture_output=True,
                text=True,
                timeout=ESPEAK_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise TimingError(f"espeak-ng did not run: {error}") from error

    def _version(self) -> str:
        found = re.search(r"\d+(?:\.\d+)+", self._run("--version").stdout)
        return f"espeak-ng {found.group(0)}" if found else "espeak-ng"

    def seconds(self, ssml: str) -> float:
        if ssml not in self._cache:
            wav = Path(self._dir.name) / "line.wav"
            wav.unlink(missing_ok=True)
            result = self._run(
                "-v", ESPEAK_VOICE, "-s", str(ESPEAK_SPEED), "-m", "-w", str(wav), ssml
            )
            if result.returncode != 0:
                raise TimingError(
                    f"espeak-ng failed ({result.returncode}): {result.stderr.strip()}"
                )
            try:
                with wave.open(str(wav)) as audio:
                    self._cache[ssml] = audio.getnframes() / audio.getframerate()
            except (OSError, EOFError, wave.Error) as error:
                raise TimingError(f"espeak-ng wrote no readable audio: {error}") from error
        return self._cache[ssml]


def default_clock() -> Clock:
    binary = shutil.which("espeak-ng")
    return EspeakClock(binary) if binary else EstimateClock()
