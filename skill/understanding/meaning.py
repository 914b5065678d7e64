"""What a request's words were read to mean: plain data, cheap to import.

The modules that read (patterns, negation, durations, red flags) are imported only when a request
carries words to read, so a LaunchRequest on a cold start never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass

EASED, NOT_EASED, WORSE = "eased", "not_eased", "worse"
# Lower number is more urgent.
SEVERITY = {"E1": 1, "E2": 2, "E3": 3}


@dataclass(frozen=True)
class RedFlag:
    id: str
    level: str
    reason: str

    def more_urgent_than(self, other: RedFlag | None) -> bool:
        return other is None or SEVERITY[self.level] < SEVERITY[other.level]


@dataclass(frozen=True)
class Reading:
    flag: RedFlag | None = None
    muscle: str | None = None
    mood: str | None = None  # EASED, NOT_EASED or WORSE
    answer: str | None = None  # "yes", "no" or "unsure"
    remark: str | None = None  # a remark with its own reply ("I can't stand up")
    # A request inside a report ("it's ok now, next", "one minute, someone's talking to me"),
    # and for "goto" the step number said.
    command: str | None = None
    number: int | None = None
