"""Spoken lengths of time: "twenty mins", "a quarter of an hour", "since this morning", "ages".

Numbers and units are the grammar of English, not content, so they live here; what a duration
means (a cramp that lasts, a run, a timer) is decided by the red-flag vocabulary's cues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

_SMALL = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "couple": 2, "few": 3, "several": 4, "dozen": 12,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNITS = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1,
    "minute": MINUTE, "minutes": MINUTE, "min": MINUTE, "mins": MINUTE, "mints": MINUTE,
    "hour": HOUR, "hours": HOUR, "hr": HOUR, "hrs": HOUR,
    "day": DAY, "days": DAY, "night": DAY, "nights": DAY,
    "week": 7 * DAY, "weeks": 7 * DAY, "fortnight": 14 * DAY,
    "month": 30 * DAY, "months": 30 * DAY, "year": 365 * DAY, "years": 365 * DAY,
}  # fmt: skip
# Said with no number, these still name a long time.
_VAGUE = {
    ("ages",): 2 * HOUR, ("forever",): 2 * HOUR, ("hours",): 2 * HOUR, ("days",): 2 * DAY,
    ("weeks",): 14 * DAY, ("months",): 60 * DAY, ("years",): 730 * DAY,
    ("a", "long", "time"): HOUR, ("a", "good", "while"): HOUR, ("quite", "a", "while"): HOUR,
    ("all", "day"): 6 * HOUR, ("all", "morning"): 3 * HOUR, ("all", "afternoon"): 3 * HOUR,
    ("all", "evening"): 3 * HOUR, ("all", "night"): 6 * HOUR, ("all", "week"): 5 * DAY,
}  # fmt: skip
# What follows "since": how long ago that roughly was.
_SINCE = {
    "morning": 2 * HOUR, "afternoon": 2 * HOUR, "lunch": 2 * HOUR, "lunchtime": 2 * HOUR,
    "breakfast": 2 * HOUR, "earlier": HOUR, "dinner": 2 * HOUR, "this": 2 * HOUR,
    "yesterday": DAY, "last": DAY, "monday": 2 * DAY, "tuesday": 2 * DAY,
    "wednesday": 2 * DAY, "thursday": 2 * DAY, "friday": 2 * DAY, "saturday": 2 * DAY,
    "sunday": 2 * DAY, "the": HOUR, "i": HOUR,
}  # fmt: skip
_CLOCK = {"quarter", "half", "ten", "twenty", "five"}
_SINCE_THE = {"weekend": 2 * DAY, "morning": 2 * HOUR, "start": HOUR, "beginning": HOUR}
_SINCE_I = {"woke", "got", "started", "left", "began", "set"}


@dataclass(frozen=True)
class Duration:
    seconds: float
    start: int
    end: int  # one past the last token
    # Counted from a point in the past ("since this morning"), so it runs up to now.
    since: bool = False


def durations(toks: Sequence[str]) -> list[Duration]:
    """Every length of time the tokens name, in order."""
    found: list[Duration] = []
    i = 0
    while i < len(toks):
        hit = _half_or_quarter(toks, i) or _counted(toks, i) or _since(toks, i) or _vague(toks, i)
        if hit is None:
            i += 1
            continue
        found.append(hit)
        i = hit.end
    clock = _between_clock_times(toks)
    return [*found, clock] if clock is not None else found


_STARTED = frozenset({"started", "began", "start", "starting", "begun", "since", "from"})


def _between_clock_times(toks: Sequence[str]) -> Duration | None:
    """ "It started at eight and it's nearly twenty past now": from a start on the hour to a time
    said as minutes past (or to) the hour."""
    start = next(
        (
            i
            for i in range(len(toks) - 2)
            if toks[i] in _STARTED and toks[i + 1] == "at" and spoken_number(toks, i + 2)
        ),
        None,
    )
    if start is None:
        return None
    for i in range(start + 3, len(toks) - 1):
        if toks[i + 1] not in ("past", "to"):
            continue
        minutes = {"quarter": 15.0, "half": 30.0}.get(toks[i])
        if minutes is None:
            number = spoken_number(toks, i)
            minutes = number[0] if number is not None and number[1] == i + 1 else None
        if minutes is not None and 0 < minutes < 60:
            elapsed = minutes if toks[i + 1] == "past" else 60 - minutes
            return Duration(elapsed * MINUTE, start, i + 2, since=True)
    return None


def spoken_number(toks: Sequence[str], i: int) -> tuple[float, int] | None:
    """A number starting at i ("twenty five", "25", "a couple of", "one and a half")."""
    if i >= len(toks):
        return None
    word = toks[i]
    if word.isdigit():
        value, end = float(word), i + 1
    elif word in _TENS:
        value, end = float(_TENS[word]), i + 1
        if end < len(toks) and toks[end] in _SMALL and 0 < _SMALL[toks[end]] < 10:
            value, end = value + _SMALL[toks[end]], end + 1
    elif word in _SMALL:
        value, end = float(_SMALL[word]), i + 1
        if word == "a" and end < len(toks) and toks[end] in ("couple", "few"):
            value, end = float(_SMALL[toks[end]]), end + 1
    else:
        return None
    if end < len(toks) and toks[end] == "of":  # "a couple of minutes"
        end += 1
    if toks[end : end + 3] in (["and", "a", "half"], ["and", "half"]):
        value += 0.5
        end += 3 if toks[end + 1] == "a" else 2
    return value, end


def _counted(toks: Sequence[str], i: int) -> Duration | None:
    number = spoken_number(toks, i)
    if number is None:
        return None
    value, end = number
    # "ten or fifteen minutes", "ten to fifteen minutes": the larger, which is the later.
    if end + 1 < len(toks) and toks[end] in ("or", "to"):
        later = spoken_number(toks, end + 1)
        if later is not None and later[1] < len(toks) and toks[later[1]] in _UNITS:
            value, end = later
    if end < len(toks) and toks[end] in ("odd", "ish", "plus"):  # "twenty odd minutes"
        end += 1
    if end >= len(toks) or toks[end] not in _UNITS:
        return None
    seconds = value * _UNITS[toks[end]]
    end += 1
    if toks[end : end + 3] in (["and", "a", "half"],):  # "an hour and a half"
        seconds += 0.5 * _UNITS[toks[end - 1]]
        end += 3
    return Duration(seconds, i, end)


def _half_or_quarter(toks: Sequence[str], i: int) -> Duration | None:
    at = i + 1 if toks[i] == "a" else i
    window = toks[at : at + 4]
    if window[:3] in (["half", "an", "hour"], ["half", "a", "hour"]):
        return Duration(HOUR / 2, i, at + 3)
    if window[:2] == ["half", "hour"]:
        return Duration(HOUR / 2, i, at + 2)
    if window[:4] == ["quarter", "of", "an", "hour"]:
        return Duration(HOUR / 4, i, at + 4)
    if window[:2] == ["quarter", "hour"]:
        return Duration(HOUR / 4, i, at + 2)
    if toks[i : i + 5] == ["three", "quarters", "of", "an", "hour"]:
        return Duration(HOUR * 3 / 4, i, i + 5)
    return None


def _since(toks: Sequence[str], i: int) -> Duration | None:
    if toks[i] not in ("since", "from") or i + 1 >= len(toks):
        return None
    # "since 25 minutes", "from eleven minutes": Indian English for "for".
    counted = _counted(toks, i + 1)
    if counted is not None:
        return Duration(counted.seconds, i, counted.end, since=True)
    if toks[i] == "from":
        return None
    after = toks[i + 1]
    if after in _CLOCK and i + 2 < len(toks) and toks[i + 2] in ("past", "to"):
        return Duration(
            HOUR / 2, i, i + 3, since=True
        )  # "since quarter past": the clock time, not long ago
    if after == "the":
        word = toks[i + 2] if i + 2 < len(toks) else ""
        return Duration(_SINCE_THE[word], i, i + 3, since=True) if word in _SINCE_THE else None
    if after == "i":
        word = toks[i + 2] if i + 2 < len(toks) else ""
        return Duration(_SINCE["i"], i, i + 3, since=True) if word in _SINCE_I else None
    if after in _SINCE:
        return Duration(_SINCE[after], i, i + 2, since=True)
    return None


def _vague(toks: Sequence[str], i: int) -> Duration | None:
    for phrase, seconds in _VAGUE.items():
        if tuple(toks[i : i + len(phrase)]) == phrase:
            return Duration(seconds, i, i + len(phrase))
    return None
