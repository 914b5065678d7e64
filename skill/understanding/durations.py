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
    ("the", "last", "hour"): HOUR, ("the", "past", "hour"): HOUR, ("last", "hour"): HOUR,
}  # fmt: skip
# What follows "since": how long ago that roughly was.
_SINCE = {
    "morning": 2 * HOUR, "afternoon": 2 * HOUR, "lunch": 2 * HOUR, "lunchtime": 2 * HOUR,
    "breakfast": 2 * HOUR, "earlier": HOUR, "dinner": 2 * HOUR, "this": 2 * HOUR,
    "yesterday": DAY, "last": DAY, "monday": 2 * DAY, "tuesday": 2 * DAY,
    "wednesday": 2 * DAY, "thursday": 2 * DAY, "friday": 2 * DAY, "saturday": 2 * DAY,
    "sunday": 2 * DAY, "the": HOUR, "i": HOUR, "before": HOUR,
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


# Words spoken_number reads as a number that name no exact one ("a couple", "a few").
INEXACT = frozenset({"a", "an", "couple", "few", "several", "dozen"})
_STARTED = frozenset({"started", "began", "start", "starting", "begun", "since", "from"})
# Before a clock time that is now: "it's half nine", "nearly eight now".
_NOW = frozenset({"its", "nearly", "almost", "gone", "now"})
_AT = frozenset({"at", "around", "about", "like", "roughly"})
_HALF_DAY = 12 * 60


@dataclass(frozen=True)
class _Clock:
    minutes: int  # past the hour; below zero for "quarter to" with no hour said
    hour: int | None  # 1-12, or None when only the minutes were said ("twenty past")
    end: int
    bare: bool = False  # just a number ("nine"): a time only where the words around say so


def _clock(toks: Sequence[str], i: int) -> _Clock | None:
    """A time of day: "ten past seven", "half nine", "quarter to eight", "seven thirty", "nine"."""
    word = toks[i] if i < len(toks) else ""
    minutes: float | None = {"half": 30.0, "quarter": 15.0}.get(word)
    after = i + 1
    if minutes is None:
        number = spoken_number(toks, i)
        if number is None or toks[i] in INEXACT:
            return None
        minutes, after = number
    relation = toks[after] if after < len(toks) else ""
    if relation in ("past", "to") and 0 < minutes < 60:
        hour = spoken_number(toks, after + 1)
        if hour is not None and 1 <= hour[0] <= 12:
            h = int(hour[0]) if relation == "past" else int(hour[0]) - 1
            m = int(minutes) if relation == "past" else 60 - int(minutes)
            return _Clock(m, h or 12, hour[1])
        return _Clock(int(minutes) if relation == "past" else -int(minutes), None, after + 1)
    if word == "half":  # "half nine" is half past nine in British English
        hour = spoken_number(toks, i + 1)
        if hour is not None and 1 <= hour[0] <= 12:
            return _Clock(30, int(hour[0]), hour[1])
        return None
    if word == "quarter" or not 1 <= minutes <= 12 or minutes != int(minutes):
        return None
    late = spoken_number(toks, after)  # "seven thirty"
    if late is not None and 10 <= late[0] < 60:
        return _Clock(int(late[0]), int(minutes), late[1])
    if toks[after : after + 1] == ["oclock"]:
        return _Clock(0, int(minutes), after + 1)
    if toks[after : after + 2] == ["o", "clock"]:
        return _Clock(0, int(minutes), after + 2)
    return _Clock(0, int(minutes), after, bare=True)


def _between_clock_times(toks: Sequence[str]) -> Duration | None:
    """ "It started at ten past seven and it's nearly eight now", "it's half nine, this started
    at nine": how long from a start said as a time of day to the time it is now."""
    start: tuple[int, _Clock] | None = None
    now: tuple[int, _Clock] | None = None
    for i in range(len(toks)):
        if start is not None and start[0] <= i < start[1].end:
            continue
        if toks[i] in _STARTED and start is None:
            k = i + 1
            while k < len(toks) and toks[k] in _AT:
                k += 1
            found = _clock(toks, k)
            # "started two days ago" names no time: a bare number is one only after "at".
            if found is not None and found.hour is not None and (k > i + 1 or not found.bare):
                start = (i, found)
        elif toks[i] in _NOW and now is None:
            found = _clock(toks, i + 1)
            if found is not None and not (toks[i] == "now" and found.hour is None):
                now = (i, found)
        elif i == 0:  # "half nine, this started at nine": the time now, said first
            found = _clock(toks, 0)
            if found is not None and found.hour is not None and not found.bare:
                now = (i, found)
    if start is None or now is None:
        return None
    (begin, first), (_, later) = start, now
    start_hour = first.hour or 12  # a start is only taken with its hour
    first_at = start_hour % 12 * 60 + first.minutes
    # "twenty past" is past the hour it started; "quarter to", to the next one.
    hour = later.hour or (start_hour if later.minutes >= 0 else start_hour + 1)
    later_at = hour % 12 * 60 + later.minutes % 60
    elapsed = (later_at - first_at) % _HALF_DAY
    if elapsed == 0:
        return None
    last = max(first.end, later.end)
    return Duration(elapsed * MINUTE, begin, last, since=True)


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
    if end + 1 < len(toks) and toks[end] in ("good", "solid", "full", "whole", "long"):
        end += 1  # "a good hour"
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
