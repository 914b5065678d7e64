"""Interaction models: valid ASK JSON, in step with the content, routable by the simulator."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ask_sdk_model_runtime.serializer import DefaultSerializer
from ask_smapi_model.v1.skill.interaction_model.interaction_model_data import (
    InteractionModelData,
)
from ask_smapi_model.v1.skill.interaction_model.language_model import LanguageModel
from conversation import ROOT, matcher, sync_tool

from skill.simulator.matcher import FALLBACK, normalise

MODELS = sorted((ROOT / "interaction_models").glob("*.json"))
REQUIRED_BUILT_INS = {
    "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent", "AMAZON.StartOverIntent",
    "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.HelpIntent", "AMAZON.FallbackIntent",
    "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
    "AMAZON.NavigateHomeIntent",
}  # fmt: skip


def _language(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]


def test_there_is_an_en_us_model() -> None:
    assert ROOT / "interaction_models" / "en-US.json" in MODELS


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_model_loads_into_the_smapi_classes(path: Path) -> None:
    data = DefaultSerializer().deserialize(path.read_text(encoding="utf-8"), InteractionModelData)
    model = data.interaction_model.language_model
    assert isinstance(model, LanguageModel)
    assert model.invocation_name == "cramp coach"
    assert {i.name for i in model.intents} >= REQUIRED_BUILT_INS
    slot_types = {t.name for t in model.types}
    for intent in model.intents:
        for slot in intent.slots or []:
            assert slot.object_type.startswith("AMAZON.") or slot.object_type in slot_types


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_samples_follow_alexa_rules(path: Path) -> None:
    language = _language(path)
    seen: dict[str, str] = {}
    for intent in language["intents"]:
        slot_names = {s["name"] for s in intent.get("slots", [])}
        for sample in intent["samples"]:
            # Letters, spaces, apostrophes, periods and {slots} only; no digits.
            assert re.fullmatch(r"[A-Za-z' .{}]+", sample), sample
            for name in re.findall(r"\{(\w+)\}", sample):
                assert name in slot_names, f"{intent['name']}: {sample}"
            key = normalise(sample)
            assert key not in seen, f"{sample!r} is in both {seen.get(key)} and {intent['name']}"
            seen[key] = intent["name"]
        for slot in intent.get("slots", []):
            if slot["type"] == "AMAZON.SearchQuery":
                # A SearchQuery slot needs a carrier phrase and no other slot beside it.
                for sample in intent["samples"]:
                    assert sample.strip() != "{" + slot["name"] + "}", sample


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_sample_routes_to_its_intent(path: Path) -> None:
    language = _language(path)
    first_value = {
        t["name"]: t["values"][0]["name"]["value"] for t in language["types"] if t["values"]
    }
    routed = matcher(path.stem)
    checked = 0
    for intent in language["intents"]:
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}

        def fill(found: re.Match[str], types: dict[str, str] = slot_types) -> str:
            kind = types[found.group(1)]
            if kind == "AMAZON.NUMBER":
                return "three"
            if kind == "AMAZON.SearchQuery":
                return "zebra crossings today"  # words no carrier or value starts with
            return str(first_value[kind])

        for sample in intent["samples"]:
            utterance = re.sub(r"\{(\w+)\}", fill, sample)
            assert routed.match(utterance).intent == intent["name"], sample
            checked += 1
    assert checked > 100


def test_unmatched_text_becomes_the_fallback_intent() -> None:
    assert matcher().match("order me a large pizza please").intent == FALLBACK


def test_symptom_slot_values_are_in_step_with_the_content() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sync_models.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_model_is_inside_alexas_limits(path: Path) -> None:
    tool = sync_tool()
    text = path.read_text(encoding="utf-8")
    model = json.loads(text)
    assert tool.check(model) == []
    assert len(text) <= tool.LIMITS["model_chars"]
    language = model["interactionModel"]["languageModel"]
    assert max(len(i["samples"]) for i in language["intents"]) <= tool.LIMITS["samples_per_intent"]
    values = sum(1 + len(v["name"]["synonyms"]) for t in language["types"] for v in t["values"])
    assert values <= tool.LIMITS["slot_values"]
    # Free text lands in a report intent: enough carriers for whatever a runner blurts first.
    free = [
        i
        for i in language["intents"]
        if any(s["type"] == "AMAZON.SearchQuery" for s in i.get("slots", []))
    ]
    assert sum(len(i["samples"]) for i in free) >= 2000
