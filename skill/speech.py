"""Builds the SSML Alexa speaks, within Alexa's limits, and turns it back into plain text.

Alexa's rules enforced here: a <break> lasts at most 10 s, and output speech stays under
8,000 characters. Every piece of text is escaped, so content can never break the markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_BREAK_SECONDS = 10
MAX_SSML_CHARS = 8000


@dataclass(frozen=True)
class Countdown:
    """A timed hold spoken inside the response: silence with cues, adding up to `seconds`."""

    seconds: int
    start: str
    cues: Mapping[int, str]
    release: str


Segment = str | Countdown


def ssml_text(text: str) -> str:
    """Text content escaped for SSML (quotes need no escaping outside attributes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _break(seconds: int) -> list[str]:
    """Silence of `seconds`, split into breaks Alexa accepts."""
    parts = []
    while seconds > 0:
        chunk = min(seconds, MAX_BREAK_SECONDS)
        parts.append(f'<break time="{chunk}s"/>')
        seconds -= chunk
    return parts


def countdown_ssml(countdown: Countdown) -> str:
    # A cue marks the seconds still to go when it is spoken; the silences between cues add up
    # to the hold time exactly (the cue words themselves take about a second each).
    parts = [ssml_text(countdown.start)]
    remaining = countdown.seconds
    for mark in sorted((m for m in countdown.cues if 0 < m < countdown.seconds), reverse=True):
        parts += _break(remaining - mark)
        parts.append(ssml_text(countdown.cues[mark]))
        remaining = mark
    parts += _break(remaining)
    parts.append(ssml_text(countdown.release))
    return " ".join(parts)


def to_ssml(segments: Sequence[Segment]) -> str:
    body = " ".join(
        countdown_ssml(s) if isinstance(s, Countdown) else ssml_text(s) for s in segments if s
    )
    ssml = f"<speak>{body}</speak>"
    if len(ssml) >= MAX_SSML_CHARS:
        # Content is short by design; this only guards against a broken data file.
        raise ValueError(f"speech is {len(ssml)} characters; Alexa allows fewer than 8000")
    return ssml


def plain_text(segments: Sequence[Segment]) -> str:
    """The words only, for cards and logs-free summaries."""
    return " ".join(
        " ".join([s.start, s.release]) if isinstance(s, Countdown) else s for s in segments if s
    )


_BREAK_RE = re.compile(r'<break\s+time="(\d+)(m?s)"\s*/>')
_TAG_RE = re.compile(r"<[^>]+>")


def ssml_to_display(ssml: str) -> str:
    """What a person reads in the simulator: tags stripped, pauses shown as [10 s]."""

    def pause(match: re.Match[str]) -> str:
        amount, unit = int(match.group(1)), match.group(2)
        seconds = amount / 1000 if unit == "ms" else amount
        return f"[{seconds:g} s]"

    text = _TAG_RE.sub("", _BREAK_RE.sub(pause, ssml))
    from html import unescape

    return re.sub(r"\s+", " ", unescape(text)).strip()


def break_seconds(ssml: str) -> list[float]:
    """Every break's length in seconds, in order (used by checks and tests)."""
    return [int(a) / 1000 if unit == "ms" else float(a) for a, unit in _BREAK_RE.findall(ssml)]


def is_own_ssml(ssml: str) -> bool:
    """Whether `ssml` is speech this module could have built: <speak> with text and breaks of at
    most 10 s only, well-formed, under Alexa's length limit. Used before replaying stored speech.
    """
    if len(ssml) >= MAX_SSML_CHARS or not ssml.startswith("<speak>"):
        return False
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError:
        return False
    breaks = list(root)
    return (
        root.tag == "speak"
        and bool("".join(root.itertext()).strip())
        and all(b.tag == "break" and not list(b) and _break_ok(b.get("time")) for b in breaks)
    )


def is_own_text(text: str) -> bool:
    """Whether plain `text` can be spoken as a reprompt within Alexa's limits once escaped."""
    return bool(text.strip()) and len(ssml_text(text)) + len("<speak></speak>") < MAX_SSML_CHARS


def _break_ok(value: str | None) -> bool:
    found = re.fullmatch(r"(\d+)s", value or "")
    return found is not None and 0 < int(found.group(1)) <= MAX_BREAK_SECONDS
