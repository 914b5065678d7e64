"""Keeps each interaction model's SYMPTOM slot type in step with the red-flag words in content.

The words live once, in skill/content/<locale>.json; the models carry a generated copy so Alexa's
NLU can resolve them. `python tools/sync_models.py` rewrites the models; `--check` only reports.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from skill.content import content_for

MODELS = Path(__file__).resolve().parent.parent / "interaction_models"


def symptom_values(locale: str) -> list[dict[str, Any]]:
    scanner = content_for(locale).red_flags
    values = []
    for flag_id in scanner.flags:
        phrases = scanner.phrases_for(flag_id)
        values.append({"id": flag_id, "name": {"value": phrases[0], "synonyms": phrases[1:]}})
    return values


def synced(model: dict[str, Any], locale: str) -> dict[str, Any]:
    types = model["interactionModel"]["languageModel"]["types"]
    for slot_type in types:
        if slot_type["name"] == "SYMPTOM":
            slot_type["values"] = symptom_values(locale)
    return model


def out_of_sync() -> list[Path]:
    stale = []
    for path in sorted(MODELS.glob("*.json")):
        current = json.loads(path.read_text(encoding="utf-8"))
        if synced(json.loads(json.dumps(current)), path.stem) != current:
            stale.append(path)
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale models, change nothing")
    args = parser.parse_args()
    stale = out_of_sync()
    if args.check:
        for path in stale:
            print(f"{path.name}: SYMPTOM values differ from the content; run tools/sync_models.py")
        return 1 if stale else 0
    for path in stale:
        model = synced(json.loads(path.read_text(encoding="utf-8")), path.stem)
        path.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"updated {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
