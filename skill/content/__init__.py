"""Loads the recovery script (skill/content/*.json) for a locale.

Shared English lives in en.json; a locale file overrides only the words that differ, and may add
words the skill understands under "lexicon_extra" (see lexicon.json). A locale without its own file
gets the shared English, whose emergency advice names no number.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.understanding.reading import Reader

BASE_LANGUAGE = "en"
_DIR = Path(__file__).parent
LEVELS = ("E1", "E2", "E3")


@dataclass(frozen=True)
class Step:
    id: str
    facts: tuple[str, ...]
    title: str
    speech: str
    question: str
    hold_seconds: int = 0
    timer_minutes: int = 0


@dataclass(frozen=True)
class Tip:
    fact: str
    text: str


@dataclass(frozen=True)
class LocaleContent:
    locale: str
    routines: Mapping[str, tuple[Step, ...]]
    muscles: tuple[str, ...]
    default_routine: str
    muscle_names: Mapping[str, str]
    routine_names: Mapping[str, str]
    phrases: Mapping[str, str]
    hold_cues: Mapping[int, str]
    tips: tuple[Tip, ...]
    escalations: Mapping[str, Mapping[str, Any]]
    ten_minute_rule_seconds: int
    # The locale's fixed words (emergency number as spoken and as shown, medicine name).
    words: Mapping[str, str]
    # What a screen (APL) shows besides the spoken words: button labels, the step line...
    screen: Mapping[str, str]

    @property
    def reader(self) -> Reader:
        """How this locale's words are read; built on first use, off the cold start's path."""
        return _reader(self.locale)

    def say(self, key: str, **values: object) -> str:
        """A phrase with its {placeholders} filled from the dialog's values."""
        return self.phrases[key].format(**values) if values else self.phrases[key]

    def show(self, key: str, **values: object) -> str:
        """A screen label with its {placeholders} filled."""
        return self.screen[key].format(**values) if values else self.screen[key]

    def routine(self, name: str | None) -> tuple[Step, ...]:
        return self.routines[name or self.default_routine]


class _KeepUnknown(dict[str, str]):
    """Leaves placeholders the locale words do not know for the dialog to fill later."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, words: Mapping[str, str]) -> str:
    if not any(name for _, name, _, _ in string.Formatter().parse(text) if name):
        return text
    return text.format_map(_KeepUnknown(words))


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(name: str) -> dict[str, Any]:
    text = (_DIR / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def supported_locales() -> tuple[str, ...]:
    names = (p.name for p in _DIR.iterdir())
    return tuple(
        sorted(n[:-5] for n in names if n.startswith(f"{BASE_LANGUAGE}-") and n.endswith(".json"))
    )


def resolve_locale(locale: str | None) -> str:
    """The content locale for a request locale: its own file, else the shared English."""
    return locale if locale in supported_locales() else BASE_LANGUAGE


def content_for(locale: str | None) -> LocaleContent:
    """The whole script for a request locale, loaded once per process."""
    # Cached per content locale, not per request string: a request may carry any locale.
    return _load(resolve_locale(locale))


@cache
def _load(resolved: str) -> LocaleContent:
    raw = _read(f"{BASE_LANGUAGE}.json")
    if resolved != BASE_LANGUAGE:
        raw = _merge(raw, _read(f"{resolved}.json"))
    structure = _read("routines.json")
    words: dict[str, str] = raw["words"]

    def step(step_id: str) -> Step:
        meta = structure["steps"][step_id]
        text = raw["steps"][step_id]
        timer_minutes = int(meta.get("timer_minutes", 0))
        values = {**words, "timer_minutes": str(timer_minutes)}
        return Step(
            id=step_id,
            facts=tuple(meta["facts"]),
            title=_fill(text["title"], values),
            speech=_fill(text["speech"], values),
            question=_fill(text.get("question", raw["phrases"]["next_prompt"]), values),
            hold_seconds=int(meta.get("hold_seconds", 0)),
            timer_minutes=timer_minutes,
        )

    steps = {step_id: step(step_id) for step_id in structure["steps"]}
    phrases = {k: _fill(v, words) for k, v in raw["phrases"].items() if isinstance(v, str)}
    escalations = {
        level: {
            key: (
                {r: _fill(t, words) for r, t in v.items()}
                if isinstance(v, dict)
                else _fill(v, words)
            )
            for key, v in raw["escalations"][level].items()
        }
        for level in LEVELS
    }
    return LocaleContent(
        locale=resolved,
        routines={
            name: tuple(steps[s] for s in ids) for name, ids in structure["routines"].items()
        },
        muscles=tuple(structure["muscles"]),
        default_routine=structure["default_routine"],
        muscle_names=raw["muscle_names"],
        routine_names=raw["routine_names"],
        phrases=phrases,
        hold_cues={int(k): v for k, v in raw["phrases"]["hold_cues"].items()},
        tips=tuple(
            Tip(fact=t["fact"], text=_fill(t["text"], words)) for t in raw["prevention_tips"]
        ),
        escalations=escalations,
        ten_minute_rule_seconds=int(structure["ten_minute_rule_seconds"]),
        words=words,
        screen={k: _fill(v, words) for k, v in raw["screen"].items()},
    )


@cache
def _reader(resolved: str) -> Reader:
    from skill.understanding.lexicon import build_reader, merged

    lexicon = _read("lexicon.json")
    if resolved != BASE_LANGUAGE:
        # Locale words are added to the shared ones, never put in their place: _merge would
        # replace lists whole, and a locale adding "brown wee" would drop "dark urine".
        lexicon = merged(lexicon, _read(f"{resolved}.json").get("lexicon_extra", {}))
    return build_reader(lexicon, _read("red_flags.json")["flags"])
