"""Every English locale: its own emergency number, words and model; anything else falls back safely.

Dialogs go through real envelopes in each locale (the locale's model picks the intent, as Alexa
would) into lambda_handler. The models' own checks (valid, every sample routed, not stale) run
for every locale in test_interaction_model.py, and the content's in test_content.py.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import conversation
import pytest
from chat_process import alexa_lines, chat
from conversation import ROOT, Conversation, sync_tool

from skill.content import LocaleContent, content_for, supported_locales
from skill.speech import ssml_to_display
from skill.understanding.tokens import words

# The number as the runner hears it (spelled out, so no voice reads "nine hundred and ninety-nine"),
# and as the card shows it (Australians say "triple zero").
EMERGENCY = {
    "en-US": ("call nine one one", "911"),
    "en-CA": ("call nine one one", "911"),
    "en-GB": ("call nine nine nine", "999 or 112"),
    "en-AU": ("call triple zero", "000"),
    "en-IN": ("call one one two", "112"),
}
UNSUPPORTED = ["en-NZ", "fr-FR"]
LOCAL_NUMBER = "your local emergency number"
MODELS = ROOT / "interaction_models"


def _raw(name: str) -> dict[str, Any]:
    text = resources.files("skill.content").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def level_of(talk: Conversation, content: LocaleContent) -> str | None:
    response = talk.last_response["response"]
    title = (response.get("card") or {}).get("title")
    for level in ("E1", "E2"):
        if title == content.escalations[level]["card_title"]:
            return level
    speech = ssml_to_display(response.get("outputSpeech", {}).get("ssml", ""))
    return "E3" if content.say("e3_noted") in speech else None


def mid_routine(locale: str) -> Conversation:
    talk = Conversation(locale=locale)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("next")
    return talk


# ----- which locales exist -------------------------------------------------------------------


def test_every_content_locale_has_a_model_and_an_emergency_number() -> None:
    models = {path.stem for path in MODELS.glob("*.json")}
    assert set(supported_locales()) == models == set(EMERGENCY)


# ----- content ---------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", sorted(EMERGENCY))
def test_a_locale_only_adds_words_and_never_repeats_shared_ones(locale: str) -> None:
    shared = content_for("fr-FR").reader.lexicon
    own = content_for(locale).reader.lexicon
    extra = _raw(f"{locale}.json").get("lexicon_extra", {})
    for name, phrases in shared["classes"].items():
        assert set(phrases) <= set(own["classes"][name]), name
    for flag_id, spec in shared["red_flags"].items():
        assert set(spec["patterns"]) <= set(own["red_flags"][flag_id]["patterns"]), flag_id
    for name, phrases in extra.get("classes", {}).items():
        known = {" ".join(words(p)) for p in shared["classes"].get(name, [])}
        repeated = {p for p in phrases if " ".join(words(p)) in known}
        assert not repeated, f"{locale}: already in lexicon.json: {sorted(repeated)}"


def test_locale_words_stay_in_their_locale() -> None:
    # "sugar" is Indian English for diabetes; elsewhere it is only sugar.
    assert content_for("en-IN").reader.red_flags.find("I have sugar") is not None
    assert content_for("en-US").reader.red_flags.find("I have sugar") is None


# ----- emergency number, through real envelopes ----------------------------------------------


@pytest.mark.parametrize("locale", sorted(EMERGENCY))
def test_yes_to_the_emergency_question_gives_the_locale_number(locale: str) -> None:
    spoken, card_number = EMERGENCY[locale]
    talk = Conversation(locale=locale)
    first = talk.say("ask cramp coach to help with my calf")
    assert spoken in first.text  # the disclaimer names it before anything else
    reply = talk.say("yes")
    assert reply.end_session
    assert spoken in reply.text
    card = talk.card()
    assert card is not None
    assert card_number in card["title"] and spoken in card["content"]
    # No other country's number slips in.
    numbers = {n for _, shown in EMERGENCY.values() for n in re.findall(r"\d+", shown)}
    others = numbers - set(re.findall(r"\d+", card_number))
    assert not set(re.findall(r"\d+", reply.text + card["title"])) & others, locale


@pytest.mark.parametrize("locale", sorted(EMERGENCY))
def test_a_red_flag_mid_routine_names_the_locale_number(locale: str) -> None:
    talk = mid_routine(locale)
    reply = talk.say("my chest hurts")
    assert level_of(talk, content_for(locale)) == "E1"
    assert EMERGENCY[locale][0] in reply.text


# ----- locale vocabulary, through real envelopes -----------------------------------------------

LOCALE_RED_FLAGS = [
    ("en-GB", "I've chucked up", "E1"),
    ("en-GB", "I've been sick", "E1"),
    ("en-GB", "I've come over all dizzy", "E1"),
    ("en-GB", "my wee is dark", "E2"),
    ("en-GB", "my wee is brown", "E2"),
    ("en-GB", "I've got the trots", "E2"),
    ("en-AU", "I've chundered", "E1"),
    ("en-AU", "I've been spewing up", "E1"),
    ("en-AU", "brown wee", "E2"),
    ("en-IN", "I am feeling giddy", "E1"),
    ("en-IN", "my chest is paining", "E1"),
    ("en-IN", "I am having breathing problem", "E1"),
    ("en-IN", "I am having loose motions", "E2"),
    ("en-IN", "high coloured urine", "E2"),
    ("en-IN", "I am a sugar patient", "E3"),
]
LOCALE_ORDINARY = [
    ("en-GB", "I'm knackered"),
    ("en-GB", "crack on"),
    ("en-GB", "go on then"),
    ("en-AU", "yeah nah"),
    ("en-AU", "I'm spewing"),  # Australian for "I'm annoyed", not being sick
    ("en-IN", "I am feeling much better"),
    ("en-IN", "once again"),
    ("en-IN", "haan"),
]


@pytest.mark.parametrize(("locale", "utterance", "level"), LOCALE_RED_FLAGS)
def test_locale_red_flag_words_escalate(locale: str, utterance: str, level: str) -> None:
    talk = mid_routine(locale)
    talk.say(utterance)
    assert level_of(talk, content_for(locale)) == level, utterance


@pytest.mark.parametrize(("locale", "utterance"), LOCALE_ORDINARY)
def test_ordinary_locale_talk_does_not_escalate(locale: str, utterance: str) -> None:
    talk = mid_routine(locale)
    talk.say(utterance)
    assert level_of(talk, content_for(locale)) is None, utterance


@pytest.mark.parametrize(
    ("locale", "utterance", "muscle"),
    [
        ("en-GB", "I've got cramp in my hammy", "hamstring"),
        ("en-AU", "I've got cramp in my hammies", "hamstring"),
        ("en-IN", "I have a catch in my calf", "calf"),
        ("en-CA", "I've got a charley horse in my foot", "foot"),
    ],
)
def test_locale_words_start_the_right_routine(locale: str, utterance: str, muscle: str) -> None:
    content = content_for(locale)
    talk = Conversation(locale=locale)
    talk.say("open cramp coach")
    reply = talk.say(utterance)
    assert content.routine(muscle)[0].speech in reply.text
    assert talk.progress["routine"] == muscle


# ----- a locale the skill does not list ------------------------------------------------------


@pytest.fixture(params=UNSUPPORTED)
def unsupported(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Conversation:
    # There is no model for a locale the skill does not list; the en-US one stands in for it.
    en_us = conversation.matcher("en-US")
    monkeypatch.setattr(conversation, "matcher", lambda locale: en_us)
    locale: str = request.param
    return Conversation(locale=locale)


def test_an_unsupported_locale_gets_a_whole_routine_in_shared_english(
    unsupported: Conversation,
) -> None:
    shared = content_for(unsupported.locale)
    assert shared.locale == "en"
    first = unsupported.say("ask cramp coach to help with my calf")
    assert LOCAL_NUMBER in first.text
    for utterance in ["no", "next", "help", "how many steps are left", "go back", "next"]:
        reply = unsupported.say(utterance)
        assert shared.say("error") not in reply.text, utterance
    assert shared.say("stop") in unsupported.say("stop").text


def test_an_unsupported_locale_sends_the_runner_to_the_local_number(
    unsupported: Conversation,
) -> None:
    unsupported.say("ask cramp coach to help with my calf")
    reply = unsupported.say("yes")
    assert reply.end_session and LOCAL_NUMBER in reply.text
    card = unsupported.card()
    assert card is not None and LOCAL_NUMBER in card["title"]
    assert not re.search(r"\d", reply.text + card["title"] + card["content"])


# ----- the generated models ------------------------------------------------------------------


def _grammar_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """interaction_models/ copied for a test, with the tool pointed at the copy."""
    tool = sync_tool()
    models = tmp_path / "interaction_models"
    shutil.copytree(MODELS, models)
    monkeypatch.setattr(tool, "MODELS", models)
    monkeypatch.setattr(tool, "GRAMMAR", models / "grammar")
    return models


def _run_tool(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["sync_models.py", *args])
    code: int = sync_tool().main()
    return code


def test_a_grammar_change_reaches_every_locale_and_check_sees_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = _grammar_copy(tmp_path, monkeypatch)
    grammar_path = models / "grammar" / "en.json"
    grammar = json.loads(grammar_path.read_text(encoding="utf-8"))
    grammar["lists"]["help_core"].append("what are my choices")
    grammar_path.write_text(json.dumps(grammar), encoding="utf-8")
    assert _run_tool(monkeypatch, "--check") == 1
    assert _run_tool(monkeypatch) == 0
    assert _run_tool(monkeypatch, "--check") == 0
    for locale in EMERGENCY:
        model = json.loads((models / f"{locale}.json").read_text(encoding="utf-8"))
        intents = model["interactionModel"]["languageModel"]["intents"]
        help_samples = next(i["samples"] for i in intents if i["name"] == "AMAZON.HelpIntent")
        assert "what are my choices" in help_samples, locale
        assert "um what are my choices" in help_samples, locale  # with its fillers


def test_a_model_nothing_generates_fails_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = _grammar_copy(tmp_path, monkeypatch)
    shutil.copy(models / "en-GB.json", models / "en-NZ.json")
    assert _run_tool(monkeypatch, "--check") == 1


@pytest.mark.parametrize(
    "addition",
    [
        {"sample": {"AMAZON.HelpIntent": ["what now"]}},  # a misspelt key would be ignored
        {"lists": {"no_such_list": ["hello"]}},
        {"samples": {"NoSuchIntent": ["hello"]}},
        {"samples": {"AMAZON.HelpIntent": ["say that again"]}},  # another intent's sample
        {"samples": {"AMAZON.HelpIntent": ["go to step 3"]}},  # Alexa wants numbers as words
        {"samples": {"AMAZON.HelpIntent": ["<no_such_list> please"]}},
        # A red flag said as a help request would never reach the red-flag check.
        {"samples": {"AMAZON.HelpIntent": ["what do i do i feel dizzy"]}},
        {"samples": {"StartRoutineIntent": ["my {muscle} is swollen"]}},
    ],
)
def test_a_locale_grammar_that_cannot_make_a_valid_model_is_refused(
    addition: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = _grammar_copy(tmp_path, monkeypatch)
    (models / "grammar" / "en-GB.json").write_text(json.dumps(addition), encoding="utf-8")
    assert _run_tool(monkeypatch, "--check") == 1


@pytest.mark.parametrize(
    ("locale", "medicine"),
    [
        ("en-US", "acetaminophen"),
        ("en-CA", "acetaminophen"),
        ("en-GB", "paracetamol"),
        ("en-AU", "paracetamol"),
        ("en-IN", "paracetamol"),
    ],
)
def test_the_medicine_is_named_as_the_locale_names_it(locale: str, medicine: str) -> None:
    talk = mid_routine(locale)
    reply = talk.say("can I take a painkiller")
    assert medicine in reply.text
    assert {"acetaminophen", "paracetamol"} - {medicine} & set(words(reply.text)) == set()
    assert talk.progress["step"] == 2  # a question on the side; the runner keeps their place


# ----- the terminal simulator ----------------------------------------------------------------


def _chat(stdin: str, *args: str, tmp_path: Path) -> list[str]:
    result = chat(stdin, *args, db=tmp_path / "state.sqlite3")
    assert result.returncode == 0, result.stderr
    return alexa_lines(result)


def test_chat_takes_a_locale_with_its_model_and_its_words(tmp_path: Path) -> None:
    gb = content_for("en-GB")
    said = _chat(
        "ask cramp coach to help with my hammy\nyes\n", "--locale", "en-GB", tmp_path=tmp_path
    )
    assert gb.say("routine_for_muscle", muscle=gb.muscle_names["hamstring"]) in said[0]
    assert "call nine nine nine" in said[0]
    assert gb.escalations["E1"]["reasons"]["check_yes"] in said[1]


def test_chat_in_an_unsupported_locale_uses_the_local_number(tmp_path: Path) -> None:
    # No en-NZ model: the simulator understands the runner with the en-US one.
    said = _chat(
        "ask cramp coach to help with my calf\nyes\n", "--locale", "en-NZ", tmp_path=tmp_path
    )
    assert LOCAL_NUMBER in said[0] and LOCAL_NUMBER in said[1]
