"""The recovery script as data: every step reviewable, in budget, and complete for each locale."""

from __future__ import annotations

import re

import pytest

from skill.content import LEVELS, content_for, supported_locales

LOCALES = supported_locales()
STEP_WORDS = 25
QUESTION_WORDS = 12
ESCALATION_WORDS = 45
FACT_ID = re.compile(r"^[FE]\d+(\.\d+)?$")


def _words(text: str) -> int:
    return len(text.split())


def test_en_us_is_supported() -> None:
    assert "en-US" in LOCALES


@pytest.mark.parametrize("locale", LOCALES)
def test_every_step_has_fact_ids_text_and_fits_the_word_budget(locale: str) -> None:
    content = content_for(locale)
    assert content.locale == locale
    for name, steps in content.routines.items():
        assert steps, name
        for step in steps:
            assert step.facts, f"{name}/{step.id} has no fact id"
            for fact in step.facts:
                assert FACT_ID.match(fact), f"{step.id}: bad fact id {fact!r}"
            assert step.title.strip() and step.speech.strip(), step.id
            assert "{" not in step.speech + step.question, f"{step.id}: unfilled placeholder"
            assert _words(step.speech) <= STEP_WORDS, f"{step.id}: {_words(step.speech)} words"
            assert _words(step.question) <= QUESTION_WORDS, step.id


@pytest.mark.parametrize("locale", LOCALES)
def test_every_routine_follows_the_facts_in_order(locale: str) -> None:
    content = content_for(locale)
    assert set(content.muscles) == {"calf", "hamstring", "quadriceps", "foot"}
    for name, steps in content.routines.items():
        facts = [f.split(".")[0] for s in steps for f in s.facts]
        # Get safe, stretch, massage, cold, fluids, heat, rest, then the doctor advice.
        order = ["F1", "F2", "F3", "F4", "F5", "F4", "F7", "E3"]
        positions = [facts.index(f) for f in dict.fromkeys(order)]
        assert positions == sorted(positions), name
        assert steps[0].id == "get_safe" and steps[-1].id == "closing", name
        stretch = steps[1]
        assert stretch.hold_seconds >= 20, name
        assert steps[3].timer_minutes >= 15, name


@pytest.mark.parametrize("locale", LOCALES)
def test_every_escalation_text_exists_and_is_short(locale: str) -> None:
    content = content_for(locale)
    for level in LEVELS:
        escalation = content.escalations[level]
        assert escalation["card_title"]
        for reason, text in escalation["reasons"].items():
            assert text and "{" not in text, (level, reason)
            assert _words(text) <= ESCALATION_WORDS, (level, reason)
    for flag in content.reader.red_flags.flags.values():
        assert flag.reason in content.escalations[flag.level]["reasons"], flag
    assert "diagnos" not in " ".join(content.phrases.values()).lower()


@pytest.mark.parametrize("locale", LOCALES)
def test_nothing_suggests_quinine_or_promises_fluids_stop_a_cramp(locale: str) -> None:
    content = content_for(locale)
    everything = " ".join(
        [s.speech for steps in content.routines.values() for s in steps]
        + list(content.phrases.values())
        + [t.text for t in content.tips]
    ).lower()
    assert "quinine" not in everything and "tonic" not in everything
    assert "ibuprofen" not in everything and "naproxen" not in everything


def test_an_unsupported_locale_gets_shared_english_without_a_number() -> None:
    content = content_for("fr-FR")
    assert content.locale == "en"
    assert "local emergency number" in content.say("disclaimer")
    assert not re.search(r"\d", content.escalations["E1"]["reasons"]["cardio"])
