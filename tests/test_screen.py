"""Screens on devices with APL (Echo Show, Fire TV), through real envelopes.

Every dialog test runs through lambda_handler and over signed HTTP (the `new` fixture), and every
response passes Alexa's rules (alexa_rules), which include the 24 KB response limit and no APL
directive to a device that did not declare APL. The documents are checked against the APL 1.8
lists in apl_reference.
"""

from __future__ import annotations

import ast
import json
import operator
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alexa_rules import MAX_RESPONSE_BYTES
from apl_reference import binding_problems, component_problems, graphic_problems
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective
from conversation import Conversation, NewConversation

from skill import apl
from skill.assembly import build_skill
from skill.content import content_for, supported_locales
from skill.lambda_entry import handle_event
from skill.progress import Progress
from skill.screen import Said, screen_for
from skill.simulator.timers_api import TimersApi
from skill.speech import Countdown, break_seconds, to_ssml
from skill.storage import sqlite_store
from skill.timers import TIMERS_SCOPE

C = content_for("en-US")
CALF = C.routine("calf")
SERIALIZER = DefaultSerializer()
# The words a runner says for each button's event.
SPOKEN = {"next": "next", "previous": "go back", "repeat": "repeat", "yes": "yes", "no": "no"}
ROUTINE_OPENINGS = {
    "calf": ["ask cramp coach to help with my calf"],
    "hamstring": ["ask cramp coach to help with my hamstring"],
    "quadriceps": ["ask cramp coach to help with my quad"],
    "foot": ["ask cramp coach to help with my foot"],
    "general": ["open cramp coach", "I don't know"],
}


def coach(talk: Conversation) -> dict[str, Any]:
    """The datasource of the screen the last response drew."""
    rendered = talk.rendered()
    assert rendered is not None, "the response drew no screen"
    data: dict[str, Any] = rendered["datasources"]["coach"]
    return data


def ssml(talk: Conversation) -> str:
    value: str = talk.last_response["response"]["outputSpeech"]["ssml"]
    return value


def without_clock(progress: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in progress.items() if k != "started_at"}


def checked_directive(response: dict[str, Any]) -> RenderDocumentDirective:
    """The response's RenderDocument, read by ask_sdk_model as Alexa's side would read it."""
    envelope = SERIALIZER.deserialize(json.dumps(response), ResponseEnvelope)
    (directive,) = [
        d for d in envelope.response.directives or [] if isinstance(d, RenderDocumentDirective)
    ]
    sent = next(
        d for d in response["response"]["directives"] if d["type"].endswith("RenderDocument")
    )
    # Lossless: every key we send is one the model knows.
    assert SERIALIZER.serialize(directive) == sent
    assert not binding_problems(directive.document, directive.datasources)
    assert not component_problems(directive.document)
    return directive


def renders(history: list[tuple[dict[str, Any], dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for _, response in history:
        for directive in response["response"].get("directives") or []:
            if directive["type"].startswith("Alexa.Presentation.APL"):
                yield directive


# ----- with and without APL ---------------------------------------------------------------

WHOLE_ROUTINE = [
    "open cramp coach",
    "my calf is cramping",
    "no",
    "not really",
    "yes",
    "next",
    "no",
    "next",
    "next",
    "next",
    "next",
    "yes",
    "yes",
    "no",
]


def test_without_apl_support_no_response_has_an_apl_directive(new: NewConversation) -> None:
    talk = new()
    for utterance in WHOLE_ROUTINE:
        talk.say(utterance)
    assert len(talk.history) == len(WHOLE_ROUTINE)
    assert list(renders(talk.history)) == []
    # The card is as before.
    assert any(response["response"].get("card") for _, response in talk.history)


def test_with_apl_every_step_and_question_draws_a_checked_screen(new: NewConversation) -> None:
    talk = new(screen=True)
    sizes = []
    for utterance in WHOLE_ROUTINE:
        reply = talk.say(utterance)
        sizes.append(len(json.dumps(talk.last_response).encode()))
        if reply.end_session:
            assert talk.rendered() is None  # a goodbye draws nothing new
            continue
        directive = checked_directive(talk.last_response)
        assert directive.token == apl.TOKEN
        assert directive.document["version"] == "1.8"
    assert reply.end_session  # the routine ran to its end
    assert max(sizes) < MAX_RESPONSE_BYTES
    steps_shown = {
        d["datasources"]["coach"]["stepLine"] for d in renders(talk.history) if d["datasources"]
    }
    assert {C.show("step_line", number=n, total=8) for n in range(1, 9)} <= steps_shown


def test_an_older_apl_runtime_gets_no_directive(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.envelopes.apl_max_version = "1.4"
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    assert talk.rendered() is None
    assert C.routine("calf")[1].speech in talk.say("repeat").text


# ----- what a screen shows ----------------------------------------------------------------


def test_a_stretch_shows_title_text_step_line_drawing_and_buttons(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    shown = coach(talk)
    stretch = CALF[1]
    assert shown["title"] == stretch.title and shown["text"] == stretch.speech
    assert shown["stepLine"] == "Step 2 of 8"
    assert shown["figure"] == "stretch_calf"
    assert shown["figureLabel"] == C.show("figure_stretch_calf")
    rendered = talk.rendered()
    assert rendered is not None and set(rendered["document"]["graphics"]) == {"stretch_calf"}
    # "Has it eased?" takes a yes or a no; Back, Repeat and Next are always there on a step.
    assert [b["event"] for b in shown["buttons"]] == ["yes", "no", "previous", "repeat", "next"]
    assert [b["label"] for b in shown["buttons"]] == ["Yes", "No", "Back", "Repeat", "Next"]


@pytest.mark.parametrize("routine", sorted(ROUTINE_OPENINGS))
def test_the_countdown_lasts_exactly_the_spoken_hold(new: NewConversation, routine: str) -> None:
    talk = new(screen=True)
    for utterance in ROUTINE_OPENINGS[routine]:
        talk.say(utterance)
    stretch = C.routine(routine)[1]
    assert stretch.hold_seconds > 0
    # The stretch, the hold said again, the hold repeated by voice and by the Repeat button.
    for act in ("no", "not really", "repeat", "[repeat]"):
        if act == "[repeat]":
            talk.press("repeat")
        else:
            talk.say(act)
        hold = coach(talk)["hold"]
        breaks = break_seconds(ssml(talk))
        assert hold["seconds"] == sum(breaks) == stretch.hold_seconds, act
        assert 0 < hold["leadMs"] < 20_000
        assert hold["release"] == C.say("hold_release")
        assert coach(talk)["figure"] == stretch.id


def test_no_countdown_where_nothing_is_held(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    assert coach(talk)["hold"]["seconds"] == 0
    assert coach(talk)["figure"] == ""
    talk.say("no")
    talk.say("yes")
    assert coach(talk)["title"] == CALF[2].title
    assert coach(talk)["hold"]["seconds"] == 0 and break_seconds(ssml(talk)) == []


def test_e1_shows_only_the_number_to_call_and_the_first_aid(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    reply = talk.say("my chest hurts")
    assert reply.end_session
    rendered = talk.rendered()
    assert rendered is not None
    directive = checked_directive(talk.last_response)
    assert "graphics" not in directive.document
    text = C.escalations["E1"]["reasons"]["cardio"]
    assert rendered["datasources"] == {
        "emergency": {"call": "Call 911 now", "firstAid": "Sit down and stay still while you wait."}
    }
    assert text.endswith(rendered["datasources"]["emergency"]["firstAid"])


@pytest.mark.parametrize("locale", supported_locales())
def test_every_e1_text_ends_with_its_first_aid(locale: str) -> None:
    # The E1 screen shows an E1 text's last sentence as its first aid.
    for reason, text in content_for(locale).escalations["E1"]["reasons"].items():
        last = text.rstrip().rsplit(". ", 1)[-1].lower()
        assert "call" not in last and "emergency" not in last, (locale, reason)


def test_e2_shows_see_a_doctor_today_and_why(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("my calf is swollen")
    shown = coach(talk)
    e2 = C.escalations["E2"]
    assert shown["kind"] == "doctor" and shown["title"] == e2["card_title"]
    assert shown["text"].startswith(e2["reasons"]["clot"])
    assert shown["figure"] == "" and shown["hold"]["seconds"] == 0
    assert [b["event"] for b in shown["buttons"]] == ["yes", "no"]


@pytest.fixture
def api() -> Iterator[TimersApi]:
    server = TimersApi(token="test-access-token").start()
    yield server
    server.stop()


def test_the_cold_pack_step_shows_the_timer_then_what_it_is_for(
    new: NewConversation, api: TimersApi
) -> None:
    talk = new(screen=True)
    talk.envelopes.api_endpoint, talk.envelopes.api_access_token = api.base_url, api.token
    talk.envelopes.granted_scopes.add(TIMERS_SCOPE)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("go to step 4")
    assert coach(talk)["timer"] == "Cold pack timer: 15 minutes"
    assert coach(talk)["title"] == CALF[3].title
    talk.press("yes")
    assert len(api.calls) == 1  # the button set a real timer, as "yes" does
    assert coach(talk)["timer"] == C.show("timer_running")
    assert "buttons" in coach(talk) and "yes" not in [b["event"] for b in coach(talk)["buttons"]]


def test_after_a_tip_the_screen_shows_the_tip(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    talk.say("go to step 8")
    assert coach(talk)["title"] == CALF[7].title
    talk.press("yes")
    assert coach(talk)["title"] == C.show("tip_title")
    assert coach(talk)["text"] == C.tips[0].text


# ----- buttons ----------------------------------------------------------------------------

STATES = {
    "emergency question": ["ask cramp coach to help with my calf"],
    "has it eased": ["ask cramp coach to help with my calf", "no"],
    "a step": ["ask cramp coach to help with my calf", "no", "yes"],
    "timer question": ["ask cramp coach to help with my calf", "no", "go to step 4"],
    "tips question": ["ask cramp coach to help with my calf", "no", "go to step 8"],
    "doctor today": ["ask cramp coach to help with my calf", "no", "my calf is swollen"],
}


@pytest.mark.parametrize("event", sorted(SPOKEN))
@pytest.mark.parametrize("state", sorted(STATES))
def test_each_button_moves_the_dialog_as_its_words_do(
    new: NewConversation, state: str, event: str
) -> None:
    spoken, pressed = new(screen=True), new(screen=True)
    for talk in (spoken, pressed):
        for utterance in STATES[state]:
            talk.say(utterance)
    assert [b["event"] for b in coach(pressed)["buttons"]], "the state shows buttons"
    said = spoken.say(SPOKEN[event])
    press = pressed.press(event)
    assert pressed.history[-1][0]["request"]["type"] == apl.USER_EVENT
    assert press.text == said.text and press.text
    assert press.end_session == said.end_session
    assert without_clock(pressed.progress) == without_clock(spoken.progress)
    assert pressed.rendered() == spoken.rendered()


def _kept_session(db: Path) -> Conversation:
    """A conversation with a screen, on a skill that keeps its place in a SQLite file."""
    built = build_skill(store=sqlite_store(db))
    talk = Conversation(lambda envelope: handle_event(built, envelope), screen=True)
    talk.envelopes.user_id = "amzn1.ask.account.runner-with-a-screen"
    return talk


@pytest.mark.parametrize("event", ["yes", "no"])
def test_the_carry_on_question_takes_its_buttons_as_its_words(tmp_path: Path, event: str) -> None:
    answers = {}
    for how in ("spoken", "pressed"):
        db = tmp_path / f"{how}.sqlite3"
        first = _kept_session(db)
        for utterance in ("ask cramp coach to help with my calf", "no", "go to step 4", "stop"):
            first.say(utterance)
        talk = _kept_session(db)
        talk.say("open cramp coach")
        shown = coach(talk)
        assert shown["kind"] == "question" and shown["title"] == CALF[3].title
        assert [b["event"] for b in shown["buttons"]] == ["yes", "no"]
        reply = talk.say(SPOKEN[event]) if how == "spoken" else talk.press(event)
        answers[how] = (reply.text, without_clock(talk.progress), talk.rendered())
    assert answers["pressed"] == answers["spoken"]


def test_next_at_the_emergency_question_asks_it_again(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    reply = talk.press("next")
    assert reply.text == C.say("emergency_question_again")
    assert talk.progress["step"] == 0 and talk.progress["pending"] == "emergency_check"
    reply = talk.press("previous")
    assert talk.progress["step"] == 0 and reply.text.endswith(C.say("emergency_question_again"))
    reply = talk.press("no")
    assert CALF[1].speech in reply.text and talk.progress["step"] == 1


def test_yes_at_the_emergency_question_is_an_emergency(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    reply = talk.press("yes")
    assert reply.end_session
    assert reply.text == C.escalations["E1"]["reasons"]["check_yes"]
    rendered = talk.rendered()
    assert rendered is not None and rendered["datasources"]["emergency"]["call"] == "Call 911 now"


@pytest.mark.parametrize("arguments", [["dance"], [], [42], ["NEXT"], [None, "next"]])
def test_an_unknown_press_gets_a_calm_answer_and_keeps_the_step(
    new: NewConversation, arguments: list[Any]
) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    talk.say("no")
    before = without_clock(talk.progress)
    reply = talk.press(*arguments)
    assert reply.text == f"{C.say('screen_event_unknown')} {C.say('hold_question_reprompt')}"
    assert not reply.end_session
    assert without_clock(talk.progress) == before
    assert coach(talk)["title"] == CALF[1].title
    # At the emergency question too: it is asked again, never skipped.
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    reply = talk.press(*arguments)
    assert reply.text.endswith(C.say("emergency_question_again"))
    assert talk.progress["pending"] == "emergency_check"


def test_a_red_flag_said_after_a_press_still_escalates(new: NewConversation) -> None:
    talk = new(screen=True)
    talk.say("ask cramp coach to help with my calf")
    talk.press("no")
    talk.press("yes")
    reply = talk.say("I feel dizzy")
    assert reply.end_session
    assert reply.text == C.escalations["E1"]["reasons"]["faint"]


# ----- the documents as data --------------------------------------------------------------


@pytest.mark.parametrize("name", ["coach", "emergency"])
def test_documents_use_only_apl_1_8_and_have_no_words_of_their_own(name: str) -> None:
    document = apl.document(name)
    assert component_problems(document) == []
    # Every word on screen comes from the datasource, filled from the locale content.
    for component in _walk(document["mainTemplate"]):
        for key in ("text", "accessibilityLabel"):
            if key in component:
                value = component[key]
                assert value.startswith("${") and value.endswith("}"), (name, key, value)


def test_the_allowed_lists_catch_what_apl_1_8_lacks() -> None:
    # The control: the checks above can fail.
    document = json.loads(json.dumps(apl.document("coach")))
    document["mainTemplate"]["items"][0]["item"]["items"].append(
        {"type": "AlexaButton", "buttonText": "Next"}
    )
    document["mainTemplate"]["items"][0]["cornerRadius"] = 4
    problems = component_problems(document)
    assert any("AlexaButton" in p for p in problems)
    assert any("cornerRadius" in p for p in problems)
    datasource = apl.datasources(_a_screen())
    del datasource["coach"]["hold"]["leadMs"]
    assert any("coach.hold.leadMs" in p for p in binding_problems(document, datasource))
    broken = {**_first_figure(), "items": [{"type": "path", "pathData": "M0,0", "filters": []}]}
    assert graphic_problems(broken, "broken")


def test_every_stretch_has_a_checked_drawing_and_a_label_in_every_locale() -> None:
    figures = apl.document("figures")
    stretches = {s.id for steps in C.routines.values() for s in steps if s.hold_seconds}
    assert stretches == {f"stretch_{m}" for m in ("calf", "hamstring", "quadriceps", "foot")} | {
        "stretch_general"
    }
    for stretch in stretches:
        assert graphic_problems(figures[stretch], stretch) == []
        for locale in supported_locales():
            assert content_for(locale).show(f"figure_{stretch}")


@pytest.mark.parametrize("locale", supported_locales())
def test_every_screen_label_is_filled_in_every_locale(locale: str) -> None:
    content = content_for(locale)
    assert set(content.screen) == set(C.screen)
    for key, text in content.screen.items():
        assert text.strip(), key
    assert "{" not in content.show("step_line", number=2, total=8)


# The viewport profiles, by their size in dp (pixels / (dpi / 160)), as Alexa devices report them.
PROFILES = {
    "hub round small": {"shape": "round", "mode": "hub", "width": 480, "height": 480},
    "hub landscape small": {"shape": "rectangle", "mode": "hub", "width": 960, "height": 480},
    "hub landscape medium": {"shape": "rectangle", "mode": "hub", "width": 960, "height": 600},
    "hub landscape large": {"shape": "rectangle", "mode": "hub", "width": 1280, "height": 800},
    "tv landscape xlarge": {"shape": "rectangle", "mode": "tv", "width": 960, "height": 540},
    "hub portrait medium": {"shape": "rectangle", "mode": "hub", "width": 600, "height": 1024},
}


def resolved(document: dict[str, Any], viewport: dict[str, Any]) -> dict[str, Any]:
    """The document's resources as a device with this viewport resolves them (later wins)."""
    values: dict[str, Any] = {}
    for block in document["resources"]:
        if "when" in block and not _when(block["when"], viewport):
            continue
        for kind in ("colors", "dimensions", "numbers", "strings"):
            values.update(block.get(kind, {}))
    return values


def _dp(value: str) -> float:
    assert value.endswith("dp"), value
    return float(value[:-2])


def test_the_layout_responds_to_round_small_landscape_and_tv() -> None:
    document = apl.document("coach")
    sizes = {name: resolved(document, viewport) for name, viewport in PROFILES.items()}
    round_, small = sizes["hub round small"], sizes["hub landscape small"]
    medium, large, tv = (
        sizes["hub landscape medium"],
        sizes["hub landscape large"],
        sizes["tv landscape xlarge"],
    )
    # Round: stacked and centred inside the circle, the countdown in the drawing's place.
    assert round_["bodyDirection"] == "column" and round_["textAlign"] == "center"
    assert round_["figureDuringHold"] == "none"
    assert sizes["hub portrait medium"]["bodyDirection"] == "column"
    assert medium["bodyDirection"] == small["bodyDirection"] == tv["bodyDirection"] == "row"
    # Text grows with the screen.
    text = [_dp(sizes[n]["bodyText"]) for n in ("hub round small", "hub landscape small")]
    assert text[0] < text[1] < _dp(medium["bodyText"]) < _dp(large["bodyText"])
    # TV: margins for a screen seen across the room.
    assert _dp(tv["pagePadX"]) > _dp(medium["pagePadX"])
    for name, values in sizes.items():
        width = PROFILES[name]["width"]
        inner = width - 2 * _dp(values["pagePadX"])
        if values["bodyDirection"] == "row":
            # The drawing leaves at least half the width for the words, and the drawing with
            # the countdown under it fits between the header and the buttons.
            assert _dp(values["figureWidth"]) + _dp(values["gap"]) <= inner / 2, name
            column = _dp(values["figureHeight"]) + 1.2 * _dp(values["countText"])
            column += _dp(values["barHeight"]) + 1.2 * _dp(values["promptText"])
            column += _dp(values["buttonGap"])
            buttons = 1.2 * _dp(values["buttonText"]) + 2 * _dp(values["buttonPadY"])
            around = 2 * _dp(values["pagePadY"]) + 1.2 * _dp(values["smallText"])
            around += buttons + _dp(values["buttonGap"])
            assert column <= PROFILES[name]["height"] - around, name
        else:
            assert _dp(values["figureWidth"]) <= inner, name
    emergency = apl.document("emergency")
    calls = [_dp(resolved(emergency, v)["callText"]) for v in PROFILES.values()]
    assert min(calls) == _dp(resolved(emergency, PROFILES["hub round small"])["callText"])


# ----- helpers ----------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _a_screen() -> Any:
    speech = to_ssml(["Sit.", Countdown(30, "Hold it now.", {10: "Ten."}, "And release.")])
    progress = Progress(routine="calf", step=1, pending="eased")
    return screen_for(C, progress, Said(speech, "Has it eased?"))


def _first_figure() -> dict[str, Any]:
    figure: dict[str, Any] = apl.document("figures")["stretch_calf"]
    return figure


_WHEN = re.compile(r"^\$\{(.*)\}$")


def _when(expression: str, viewport: dict[str, Any]) -> bool:
    """Evaluates the resources' simple `when` conditions: viewport comparisons, && and ||."""
    match = _WHEN.match(expression)
    assert match, expression
    source = match.group(1).replace("&&", " and ").replace("||", " or ")
    tree = ast.parse(source, mode="eval")
    compare = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt}
    compare |= {ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}

    def value(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert node.value.id == "viewport", ast.dump(node)
            return viewport[node.attr]
        if isinstance(node, ast.BoolOp):
            results = [value(v) for v in node.values]
            return all(results) if isinstance(node.op, ast.And) else any(results)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return compare[type(node.ops[0])](value(node.left), value(node.comparators[0]))
        raise AssertionError(f"unsupported condition {expression}")

    return bool(value(tree.body))
