"""What a screen shows for one response, as plain data; skill.apl draws it, the simulator prints it.

Nothing is stored for it: the step, its words and its drawing come from the locale content and
the dialog's Progress after the turn; a hold's countdown comes from the speech Alexa is given (the
sum of its breaks). So the screen cannot drift from what is said, and "repeat", which replays the
stored speech, shows the same countdown again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skill.content import LocaleContent
from skill.dialog import Card
from skill.progress import Progress
from skill.speech import break_seconds, ssml_to_display

# Alexa's voice says about 2.5 words a second (150 a minute, a usual rate for synthetic speech;
# not measured on a device). It only places the start of the countdown: its length is exact.
WORDS_PER_SECOND = 2.5

# The questions a yes or a no answers (keys of skill.questions.QUESTIONS).
YES_NO_QUESTIONS = frozenset(
    {"emergency_check", "emergency_unsure", "eased", "timer", "tips", "resume", "escalation_repeat"}
)
# The events a button sends (APL UserEvent arguments), in the order they are shown.
ANSWER_EVENTS = ("yes", "no")
STEP_EVENTS = ("previous", "repeat", "next")


@dataclass(frozen=True)
class Button:
    label: str
    event: str


@dataclass(frozen=True)
class Hold:
    """The spoken countdown: `seconds` of silence, starting `lead_ms` into the speech."""

    seconds: int
    lead_ms: int
    before: str  # shown until the hold starts ("Hold for 30 seconds")
    start: str  # while it runs ("Hold it now.")
    release: str  # once it has run out ("And release.")


@dataclass(frozen=True)
class Said:
    """What a response says, as Alexa is given it."""

    ssml: str
    reprompt: str | None
    card: Card | None = None
    end_session: bool = False


@dataclass(frozen=True)
class Screen:
    # "step", "question" (which muscle, carry on?), "doctor" (E2) or "emergency" (E1).
    kind: str
    title: str
    text: str = ""
    app_title: str = ""
    step_line: str = ""
    prompt: str = ""
    figure: str = ""  # the step id of a stretch, whose drawing is shown
    figure_label: str = ""
    hold: Hold | None = None
    timer: str = ""
    buttons: tuple[Button, ...] = ()


def screen_for(content: LocaleContent, progress: Progress, said: Said) -> Screen | None:
    """The screen for a response, or None when it shows nothing new (a goodbye)."""
    if said.end_session:
        return _emergency(content, said.card)
    app, prompt = content.show("app_title"), said.reprompt or ""
    if progress.escalation:
        e2 = content.escalations["E2"]
        reason = e2["reasons"].get(progress.escalation.partition(":")[2], "")
        return Screen(
            "doctor",
            e2["card_title"],
            f"{reason} {e2['tail']}".strip(),
            app_title=app,
            prompt=prompt,
            buttons=_buttons(content, progress.pending, on_step=False),
        )
    if progress.routine is None:
        if progress.pending != "muscle":
            return None
        return Screen("question", app, app_title=app, prompt=prompt)
    steps = content.routine(progress.routine)
    index = min(progress.step, len(steps) - 1)
    step = steps[index]
    step_line = content.show("step_line", number=index + 1, total=len(steps))
    if progress.pending == "resume":
        buttons = _buttons(content, progress.pending, on_step=False)
        return Screen(
            "question",
            step.title,
            app_title=app,
            step_line=step_line,
            prompt=prompt,
            buttons=buttons,
        )
    title, text = step.title, step.speech
    if step.id == "closing" and progress.e3_reason:
        text = content.escalations["E3"]["reasons"].get(progress.e3_reason, text)
    if progress.pending == "tips" and 0 < progress.tip <= len(content.tips):
        title, text = content.show("tip_title"), content.tips[progress.tip - 1].text
    timer = ""
    if step.timer_minutes:
        running = progress.timer is not None and progress.timer.get("step") == index
        timer = (
            content.show("timer_running")
            if running
            else content.show("timer_length", minutes=step.timer_minutes)
        )
    figure = step.id if step.hold_seconds else ""
    return Screen(
        "step",
        title,
        text,
        app_title=app,
        step_line=step_line,
        prompt=prompt,
        figure=figure,
        figure_label=content.show(f"figure_{figure}") if figure else "",
        hold=_hold(content, said.ssml),
        timer=timer,
        buttons=_buttons(content, progress.pending, on_step=True),
    )


def _emergency(content: LocaleContent, card: Card | None) -> Screen | None:
    """E1 ends the session with its own card: the number to call, large, and the first aid."""
    e1 = content.escalations["E1"]
    if card is None or card.title != e1["card_title"]:
        return None
    # Every E1 text ends with its first aid ("Sit down and stay still while you wait.").
    first_aid = re.split(r"(?<=[.!?])\s+", card.text.strip())[-1]
    return Screen("emergency", card.title, first_aid)


def _hold(content: LocaleContent, ssml: str) -> Hold | None:
    seconds = round(sum(break_seconds(ssml)))
    if seconds <= 0:
        return None
    # The hold starts at its first break: everything said before it is the lead-in.
    spoken_before = ssml_to_display(ssml.partition("<break")[0])
    lead_ms = round(len(spoken_before.split()) / WORDS_PER_SECOND * 1000)
    return Hold(
        seconds,
        lead_ms,
        before=content.show("hold_for", seconds=seconds),
        start=content.say("hold_start"),
        release=content.say("hold_release"),
    )


def _buttons(content: LocaleContent, pending: str | None, *, on_step: bool) -> tuple[Button, ...]:
    events = (ANSWER_EVENTS if pending in YES_NO_QUESTIONS else ()) + (
        STEP_EVENTS if on_step else ()
    )
    return tuple(Button(content.show(f"button_{event}"), event) for event in events)
