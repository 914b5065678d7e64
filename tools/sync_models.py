"""Generates every locale's interaction model from the en-US one, and keeps SYMPTOM in step.

interaction_models/en-US.json is written by hand, except its SYMPTOM slot type: those values are
the red-flag phrases of skill/content (the words live once, there; Alexa's NLU needs a copy).
Every other model is generated: en-US, plus interaction_models/overlays/<locale>.json (extra
samples per intent, extra synonyms per slot value), with that locale's own SYMPTOM values. So an
en-US change reaches every locale by running this again.

`python tools/sync_models.py` rewrites what is stale; `--check` changes nothing and exits 1 when
anything is stale.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

from skill.content import content_for
from skill.simulator.matcher import normalise

BASE_LOCALE = "en-US"
MODELS = Path(__file__).resolve().parent.parent / "interaction_models"
# A subfolder, so that nothing globbing interaction_models/*.json takes an overlay for a model.
OVERLAYS = MODELS / "overlays"
OVERLAY_KEYS = {"comment", "samples", "synonyms"}
GENERATED_TYPE = "SYMPTOM"


class OverlayError(Exception):
    """An overlay that cannot apply cleanly to the en-US model."""


def symptom_values(locale: str) -> list[dict[str, Any]]:
    scanner = content_for(locale).red_flags
    values = []
    for flag_id in scanner.flags:
        phrases = scanner.phrases_for(flag_id)
        values.append({"id": flag_id, "name": {"value": phrases[0], "synonyms": phrases[1:]}})
    return values


def _language(model: dict[str, Any]) -> dict[str, Any]:
    language: dict[str, Any] = model["interactionModel"]["languageModel"]
    return language


def synced(model: dict[str, Any], locale: str) -> dict[str, Any]:
    for slot_type in _language(model)["types"]:
        if slot_type["name"] == GENERATED_TYPE:
            slot_type["values"] = symptom_values(locale)
    return model


def _add_samples(language: dict[str, Any], extra: dict[str, list[str]], source: str) -> None:
    intents = {intent["name"]: intent for intent in language["intents"]}
    # Alexa rejects a model with one utterance in two places, and so do the tests.
    owner = {normalise(s): i["name"] for i in language["intents"] for s in i["samples"]}
    for name, samples in extra.items():
        if name not in intents:
            raise OverlayError(f"{source}: {name} is not an intent of {BASE_LOCALE}.json")
        for sample in samples:
            key = normalise(sample)
            if key in owner:
                raise OverlayError(f"{source}: {sample!r} is already a sample of {owner[key]}")
            owner[key] = name
            intents[name]["samples"].append(sample)


def _add_synonyms(
    language: dict[str, Any], extra: dict[str, dict[str, list[str]]], source: str
) -> None:
    types = {slot_type["name"]: slot_type for slot_type in language["types"]}
    for type_name, by_value in extra.items():
        if type_name == GENERATED_TYPE:
            raise OverlayError(
                f"{source}: {GENERATED_TYPE} words belong in the locale's skill/content file"
            )
        if type_name not in types:
            raise OverlayError(f"{source}: {type_name} is not a slot type of {BASE_LOCALE}.json")
        names = {value["id"]: value["name"] for value in types[type_name]["values"]}
        known = {normalise(s) for n in names.values() for s in [n["value"], *n.get("synonyms", [])]}
        for value_id, synonyms in by_value.items():
            if value_id not in names:
                raise OverlayError(f"{source}: {type_name} has no value {value_id!r}")
            for synonym in synonyms:
                if normalise(synonym) in known:
                    raise OverlayError(f"{source}: {synonym!r} is already a {type_name} word")
                known.add(normalise(synonym))
                names[value_id].setdefault("synonyms", []).append(synonym)


def with_overlay(base: dict[str, Any], overlay: dict[str, Any], source: str) -> dict[str, Any]:
    unknown = set(overlay) - OVERLAY_KEYS
    if unknown:
        raise OverlayError(f"{source}: unknown keys {sorted(unknown)}; use {sorted(OVERLAY_KEYS)}")
    model = copy.deepcopy(base)
    language = _language(model)
    _add_samples(language, overlay.get("samples", {}), source)
    _add_synonyms(language, overlay.get("synonyms", {}), source)
    return model


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def expected_models() -> dict[Path, dict[str, Any]]:
    """Every model as it should be on disk, by path."""
    base = _load(MODELS / f"{BASE_LOCALE}.json")
    expected = {MODELS / f"{BASE_LOCALE}.json": synced(copy.deepcopy(base), BASE_LOCALE)}
    for overlay in sorted(OVERLAYS.glob("*.json")):
        model = with_overlay(base, _load(overlay), f"overlays/{overlay.name}")
        expected[MODELS / overlay.name] = synced(model, overlay.stem)
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale models, change nothing")
    args = parser.parse_args()
    try:
        expected = expected_models()
    except OverlayError as error:
        print(error, file=sys.stderr)
        return 1
    stale = [path for path, model in expected.items() if not path.exists() or _load(path) != model]
    # A model nothing generates would silently miss every later en-US change.
    orphans = sorted(set(MODELS.glob("*.json")) - set(expected))
    for path in orphans:
        print(f"{path.name}: not generated; add overlays/{path.name} or delete it")
    if args.check:
        for path in stale:
            print(f"{path.name}: stale; run tools/sync_models.py")
        return 1 if stale or orphans else 0
    for path in stale:
        text = json.dumps(expected[path], indent=2, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")
        print(f"updated {path.name}")
    return 1 if orphans else 0


if __name__ == "__main__":
    sys.exit(main())
