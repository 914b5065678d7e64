"""Where the runner is: the dialog's whole state, as plain data that fits in session attributes.

Only `routine`, `step`, `started_at` and `timer` are ever worth persisting; the rest lives for one
session. No symptom, answer to a safety question or escalation is persisted (see persistence).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Any

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass
class Progress:
    routine: str | None = None
    step: int = 0
    started_at: float | None = None
    # The key of the question the last response asked (see skill.questions); None when they
    # just say next.
    pending: str | None = None
    paused: bool = False
    muscle_asked: bool = False
    tip: int = 0
    # The cold-pack timer this routine set: {"id": str, "step": int, "ends_at": float}.
    timer: dict[str, Any] | None = None
    # Session-only safety context (never persisted): an E2 stops the routine; an E3 reason is
    # spoken at the closing step.
    escalation: str | None = None
    e3_reason: str | None = None
    # Session-only: the pain got worse with stretching (no more holds this routine), and how
    # many utterances in a row the skill did not catch.
    worse: bool = False
    misses: int = 0

    def to_session(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every value, a fifth of a warm request's time.
        data: dict[str, Any] = {"v": FORMAT_VERSION}
        for name in _FIELD_NAMES:
            data[name] = getattr(self, name)
        if self.timer is not None:
            data["timer"] = dict(self.timer)
        return data

    @classmethod
    def from_session(cls, data: object) -> Progress:
        """Reads session attributes; anything malformed is dropped with a log line, never raised."""
        if not isinstance(data, dict) or not data:
            return cls()
        if data.get("v") != FORMAT_VERSION:
            log.warning("session progress has unknown format %r; starting fresh", data.get("v"))
            return cls()
        progress = cls()
        for name in _FIELD_NAMES:
            if name not in data:
                continue
            value = data[name]
            if _valid(name, value):
                setattr(progress, name, value)
            else:
                log.warning("session progress field %s is malformed; using its default", name)
        return progress


_FIELD_NAMES = tuple(f.name for f in fields(Progress))

_TYPES: dict[str, tuple[type, ...]] = {
    "routine": (str, type(None)),
    "step": (int,),
    "started_at": (int, float, type(None)),
    "pending": (str, type(None)),
    "paused": (bool,),
    "muscle_asked": (bool,),
    "tip": (int,),
    "timer": (dict, type(None)),
    "escalation": (str, type(None)),
    "e3_reason": (str, type(None)),
    "worse": (bool,),
    "misses": (int,),
}


def _valid(name: str, value: object) -> bool:
    if isinstance(value, bool) and bool not in _TYPES[name]:
        return False
    if name == "timer" and isinstance(value, dict):
        return (
            isinstance(value.get("id"), str)
            and _valid("step", value.get("step"))
            and isinstance(value.get("ends_at"), int | float)
        )
    return isinstance(value, _TYPES[name]) and not (isinstance(value, int) and value < 0)
