"""Writes every locale's interaction model from the grammar in interaction_models/grammar/.

The grammar (en.json, plus <locale>.json additions) holds carrier phrases, verbs and fillers as
lists and each intent's sample templates; MUSCLE and SYMPTOM values come from the skill's own
vocabulary (skill/content/lexicon.json), so what Alexa listens for and what the skill
understands cannot drift apart. Generated samples must keep Alexa's rules and limits (see
LIMITS) and no sample outside the report intents may carry a red flag; anything else fails.

`python tools/sync_models.py` rewrites what is stale; `--check` changes nothing and exits 1 when
anything is stale or invalid.
"""

from __future__ import annotations

import argparse
import copy
import functools
import itertools
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from skill.content import content_for, supported_locales  # noqa: E402
from skill.simulator.matcher import normalise  # noqa: E402
from skill.understanding.patterns import Pattern, WordClasses  # noqa: E402

MODELS = ROOT / "interaction_models"
GRAMMAR = MODELS / "grammar"
BASE = "en"

# Alexa's limits, as documented or as its model service enforces them (SMAPI rejects a
# modelDefinition over 1,000,000 characters; slot values are capped at 140 characters and
# 50,000 per skill, synonyms included). Alexa documents no cap on samples per intent that we
# could find; we hold each intent to Lex's 1,500, its nearest documented relative, and keep
# samples under 200 characters.
LIMITS = {
    "model_chars": 1_000_000,
    "samples_per_intent": 1_500,
    "sample_chars": 200,
    "slot_value_chars": 140,
    "slot_values": 50_000,
    "intents": 250,
}
# At most this many values from one pattern, so one broad pattern cannot crowd out the rest.
_VALUES_PER_PATTERN = 150
_SAMPLE_CHARS = re.compile(r"[a-z' .{}]+")


class GrammarError(Exception):
    """A grammar that cannot make a valid model."""


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def grammar_for(locale: str) -> dict[str, Any]:
    """The shared grammar plus the locale's additions (lists and templates only grow)."""
    grammar = _load(GRAMMAR / f"{BASE}.json")
    # A muscle's report carriers are its words in the skill's vocabulary ("soleus", "hammy"), so
    # Alexa hears every muscle word the skill knows.
    classes = content_for(locale).reader.lexicon["classes"]
    for name, muscle_class in grammar.pop("muscle_leads", {}).items():
        known = [w for w in classes[muscle_class] if len(w.split()) <= 3 and not w.startswith("@")]
        grammar["lists"][name] = list(dict.fromkeys([*grammar["lists"][name], *known]))
    extra_path = GRAMMAR / f"{locale}.json"
    if not extra_path.exists():
        return grammar
    extra = _load(extra_path)
    unknown = set(extra) - {"comment", "lists", "samples"}
    if unknown:
        raise GrammarError(f"{extra_path.name}: unknown keys {sorted(unknown)}")
    for name, more in extra.get("lists", {}).items():
        if name not in grammar["lists"]:
            raise GrammarError(f"{extra_path.name}: no list {name!r} to add to")
        grammar["lists"][name] = [*grammar["lists"][name], *more]
    for intent, samples in extra.get("samples", {}).items():
        if intent not in grammar["intents"]:
            raise GrammarError(f"{extra_path.name}: {intent} is not an intent of the grammar")
        grammar["intents"][intent]["templates"] = [
            *grammar["intents"][intent]["templates"],
            *samples,
        ]
    return grammar


_PART = re.compile(r"\[[^\[\]]*\]|<\w+>|[^\s\[<]+")


def expand(template: str, lists: Mapping[str, list[str]], _depth: int = 0) -> list[str]:
    """Every sample a template stands for, in a stable order."""
    if _depth > 8:
        raise GrammarError(f"lists refer to each other too deeply near {template!r}")
    choices: list[list[str]] = []
    for part in _PART.findall(template):
        if part.startswith("<"):
            name = part[1:-1]
            if name not in lists:
                raise GrammarError(f"unknown list <{name}> in {template!r}")
            options = [o for item in lists[name] for o in expand(item, lists, _depth + 1)]
        elif part.startswith("["):
            options = [o for item in part[1:-1].split("|") for o in expand(item, lists, _depth + 1)]
        else:
            options = [part]
        choices.append(options)
    samples = (" ".join(w for w in combo if w) for combo in itertools.product(*choices))
    return list(dict.fromkeys(" ".join(s.split()) for s in samples))


def _phrases(pattern: Pattern) -> list[str]:
    """Plain phrases a red-flag pattern matches, for SYMPTOM values (numbers are spelt out)."""
    return [p for p in pattern.examples(_VALUES_PER_PATTERN) if not any(c.isdigit() for c in p)]


def symptom_values(locale: str, grammar: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One SYMPTOM value per red flag, its synonyms the phrases the skill's patterns match."""
    return copy.deepcopy(_symptom_values(locale, json.dumps(grammar["duration_fragments"])))


@functools.cache
def _symptom_values(locale: str, fragments: str) -> list[dict[str, Any]]:
    # Cached: reading every candidate phrase is most of a model's build, and the words behind it
    # (skill/content) do not change while the tool runs.
    grammar = {"duration_fragments": json.loads(fragments)}
    finder = content_for(locale).reader.red_flags
    taken: set[str] = set()
    values = []
    for flag_id, phrases in [*_flag_phrases(finder), ("long_cramp", _durations(grammar))]:
        mine = []
        for phrase in phrases:
            key = normalise(phrase)
            # A value Alexa resolves must mean to the skill what it means to Alexa: not one a
            # locale masks ("I'm spewing" is annoyed in en-AU), nor a weaker flag.
            said = finder.find(phrase)
            if said is None or said.level != finder.flags[flag_id].level:
                continue
            if key and key not in taken and len(phrase) <= LIMITS["slot_value_chars"]:
                taken.add(key)
                mine.append(phrase)
        if mine:
            values.append({"id": flag_id, "name": {"value": mine[0], "synonyms": sorted(mine[1:])}})
    return values


def _flag_phrases(finder: Any) -> Iterable[tuple[str, list[str]]]:
    for rule in finder.rules:
        yield rule.flag.id, [p for pattern in rule.patterns for p in _phrases(pattern)]


def _durations(grammar: Mapping[str, Any]) -> list[str]:
    spans = grammar["duration_fragments"]
    made = [form.format(n=n) for n in spans["numbers"] for form in spans["forms"]]
    return [*made, *spans["fixed"]]


def muscle_values(locale: str) -> list[dict[str, Any]]:
    lexicon = content_for(locale).reader.lexicon
    classes = WordClasses(lexicon["classes"])
    values = []
    for muscle, patterns in lexicon["muscles"].items():
        words = [
            " ".join(p) for source in patterns for p in Pattern(source, classes).terms[0].phrases
        ]
        words = [w for w in dict.fromkeys(words) if not any(c.isdigit() for c in w)]
        values.append({"id": muscle, "name": {"value": muscle, "synonyms": words}})
    return values


def build_model(locale: str) -> dict[str, Any]:
    grammar = grammar_for(locale)
    lists = grammar["lists"]
    intents = []
    for name, spec in grammar["intents"].items():
        kinds = spec.get("slots", {})
        # "it's" and "its" are one sample to Alexa: keep the first spelling.
        by_key = {}
        for template in spec["templates"]:
            for sample in expand(template, lists):
                by_key.setdefault(_sample_key(sample, kinds), sample)
        samples = list(by_key.values())
        intent: dict[str, Any] = {"name": name, "samples": samples}
        if spec.get("slots"):
            intent["slots"] = [
                {"name": slot, "type": kind, "samples": []} for slot, kind in spec["slots"].items()
            ]
        intents.append(intent)
    # The samples are checked before the slot values are made, so a bad grammar fails fast.
    early = check({"interactionModel": {"languageModel": {"intents": intents, "types": []}}})
    if early:
        raise GrammarError(f"{locale}: " + "; ".join(early[:10]))
    types = [
        {"name": "MUSCLE", "values": muscle_values(locale)},
        {"name": "SYMPTOM", "values": symptom_values(locale, grammar)},
    ]
    model = {
        "interactionModel": {
            "languageModel": {
                "invocationName": grammar["invocation"],
                "intents": intents,
                "types": types,
            }
        }
    }
    problems = check(model)
    reports = content_for(locale).reader.report_intents
    for intent in intents:
        free = any(s["type"] == "AMAZON.SearchQuery" for s in intent.get("slots", []))
        if free and intent["name"] not in reports:
            problems.append(f"{intent['name']} takes free text but is not a report intent")
    problems += [
        f"report intent {n} is not in the grammar"
        for n in set(reports) - {i["name"] for i in intents}
    ]
    if problems:
        raise GrammarError(f"{locale}: " + "; ".join(problems[:10]))
    return model


def model_text(model: Mapping[str, Any]) -> str:
    """A model as it is written to disk and uploaded: one item a line, no indent (the size limit
    counts every character).
    """
    return json.dumps(model, indent=0, ensure_ascii=False) + "\n"


def check(model: Mapping[str, Any]) -> list[str]:
    """What in a model breaks Alexa's rules or our limits (empty when nothing does)."""
    language = model["interactionModel"]["languageModel"]
    problems = []
    if len(model_text(model)) > LIMITS["model_chars"]:
        problems.append(f"model is over {LIMITS['model_chars']} characters")
    if len(language["intents"]) > LIMITS["intents"]:
        problems.append("too many intents")
    owner: dict[str, str] = {}
    for intent in language["intents"]:
        samples = intent["samples"]
        if len(samples) > LIMITS["samples_per_intent"]:
            problems.append(f"{intent['name']} has {len(samples)} samples")
        slots = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in samples:
            if not _SAMPLE_CHARS.fullmatch(sample) or len(sample) > LIMITS["sample_chars"]:
                problems.append(f"{intent['name']}: bad sample {sample!r}")
            used = re.findall(r"\{(\w+)\}", sample)
            if any(name not in slots for name in used):
                problems.append(f"{intent['name']}: unknown slot in {sample!r}")
            phrase_slots = [n for n in used if slots[n] == "AMAZON.SearchQuery"]
            if phrase_slots and not re.sub(r"\{\w+\}", "", sample).strip():
                problems.append(f"{intent['name']}: {sample!r} needs a carrier phrase")
            key = _sample_key(sample, slots)
            if key in owner and owner[key] != intent["name"]:
                problems.append(f"{sample!r} is in both {owner[key]} and {intent['name']}")
            owner[key] = intent["name"]
    values = sum(
        1 + len(v["name"].get("synonyms", [])) for t in language["types"] for v in t["values"]
    )
    if values > LIMITS["slot_values"]:
        problems.append(f"{values} slot values and synonyms")
    return problems


def _sample_key(sample: str, slots: Mapping[str, str]) -> str:
    """Samples that differ only in a slot's name are the same to Alexa."""
    typed = re.sub(r"\{(\w+)\}", lambda m: "{" + slots.get(m.group(1), "?") + "}", sample)
    return " ".join(typed.replace("'", "").split())


def red_flag_samples(model: Mapping[str, Any], locale: str) -> list[str]:
    """Samples of intents that are not reports which the skill would read as a red flag."""
    reader = content_for(locale).reader
    language = model["interactionModel"]["languageModel"]
    first = {t["name"]: t["values"][0]["name"]["value"] for t in language["types"]}
    found = []
    for intent in language["intents"]:
        if intent["name"] in reader.report_intents:
            continue
        kinds = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent["samples"]:
            said = re.sub(
                r"\{(\w+)\}", lambda m, k=kinds: str(first.get(k[m.group(1)], "")), sample
            )
            if reader.red_flags.find(said) is not None:
                found.append(f"{intent['name']}: {sample!r}")
    return found


def expected_models() -> dict[Path, dict[str, Any]]:
    """Every model as it should be on disk, by path."""
    models = {}
    for locale in supported_locales():
        model = build_model(locale)
        flagged = red_flag_samples(model, locale)
        if flagged:
            raise GrammarError(f"{locale}: samples that hide a red flag: {flagged[:5]}")
        models[MODELS / f"{locale}.json"] = model
    return models


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale models, change nothing")
    args = parser.parse_args()
    try:
        expected = expected_models()
    except GrammarError as error:
        print(error, file=sys.stderr)
        return 1
    stale = [path for path, model in expected.items() if not path.exists() or _load(path) != model]
    # A model nothing generates would silently miss every later grammar change.
    orphans = sorted(set(MODELS.glob("*.json")) - set(expected))
    for path in orphans:
        print(f"{path.name}: not generated; add a content locale for it or delete it")
    if args.check:
        for path in stale:
            print(f"{path.name}: stale; run tools/sync_models.py")
        return 1 if stale or orphans else 0
    for path in stale:
        path.write_text(model_text(expected[path]), encoding="utf-8")
        print(f"updated {path.name}")
    return 1 if orphans else 0


if __name__ == "__main__":
    sys.exit(main())
