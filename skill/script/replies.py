"""Every reply the dialog gives on the way through each routine and each escalation.

The walk drives the pure dialog (no SDK, a clock that stands still) with what a runner would
say, and keeps each reply's SSML as Alexa would get it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from skill.content import LEVELS, LocaleContent
from skill.dialog import Dialog, Turn
from skill.progress import Progress
from skill.speech import to_ssml

# What the runner says, as events: "start calf first" (first use), "start - " (no muscle),
# "escalate E2 clot" (a red flag), or one word: next, previous, yes, no.
_WHAT_THEY_SAY = {"next": "next", "previous": "go back", "yes": "yes", "no": "no"}


@dataclass(frozen=True)
class Reply:
    walk: str  # "calf routine, first use", "E2 clot", ...
    number: int  # the reply's place in that walk, from 1
    said: str  # what the runner had just said
    ssml: str

    @property
    def where(self) -> str:
        return f"{self.walk}: reply {self.number}, after “{self.said}”"


def _act(dialog: Dialog, event: str) -> Turn:
    """Every call into the dialog is here: the one place to adapt when its methods change."""
    name, *args = event.split()
    if name == "launch":
        return dialog.launch(first_use=args == ["first"])
    if name == "start":
        muscle = None if args[0] == "-" else args[0]
        return dialog.start(muscle, first_use=args[1:] == ["first"])
    if name == "escalate":
        return dialog.escalate_level(args[0], args[1])
    moves = {"next": dialog.next, "previous": dialog.previous, "yes": dialog.yes, "no": dialog.no}
    return moves[name]()


def _heard(event: str, content: LocaleContent) -> str:
    name, *args = event.split()
    if name == "launch":
        return "open cramp coach"
    if name == "start":
        muscle = args[0]
        return (
            "help with a cramp" if muscle == "-" else f"help with my {content.muscle_names[muscle]}"
        )
    if name == "escalate":
        return f"a red flag ({args[0]}, {args[1]})"
    return _WHAT_THEY_SAY[name]


def _walks(content: LocaleContent) -> Iterator[tuple[str, list[str]]]:
    tips = ["yes"] * (len(content.tips) + 1)
    # Stretch, hold again, eased, back to the stretch and eased again, cold pack without a
    # timer, fluids, heat, rest, the closing step, then every tip.
    rest_of_routine = ["no", "no", "yes", "previous", "yes", "next", "no", "next", "next", "next"]
    to_closing = ["next", *tips]
    for muscle in (*content.muscles, None):
        name = content.routine_names[muscle or content.default_routine]
        said = muscle or "-"
        # Without a muscle the skill asks once, then runs the general routine.
        opening = ["start - first", "start -"] if muscle is None else [f"start {said} first"]
        yield f"{name} routine, first use", [*opening, *rest_of_routine, *to_closing]
        yield f"{name} routine, later use", [f"start {said}"] if muscle else ["start -", "start -"]
    yield "open cramp coach, first use", ["launch first"]
    yield "open cramp coach, later use", ["launch"]
    opening = ["start calf", "no"]
    for level in LEVELS:
        for reason in content.escalations[level]["reasons"]:
            after = {
                "E1": [],
                "E2": ["next", "yes", "no"],  # the routine stays stopped; repeat; goodbye
                "E3": ["yes", "next", "no", "next", "next", "next", "next", "no"],
            }[level]
            yield f"{level} {reason}", [*opening, f"escalate {level} {reason}", *after]


def walk(content: LocaleContent) -> Iterator[Reply]:
    """Every reply of every walk, each walk from a fresh dialog until its session ends."""
    for name, events in _walks(content):
        dialog = Dialog(content, Progress(), now=lambda: 0.0)
        for number, event in enumerate(events, start=1):
            turn = _act(dialog, event)
            yield Reply(name, number, _heard(event, content), to_ssml(turn.speech))
            if turn.end_session:
                break


def replies(content: LocaleContent) -> list[Reply]:
    """Each distinct reply once, where it was first heard, in walk order."""
    found: dict[str, Reply] = {}
    for reply in walk(content):
        found.setdefault(reply.ssml, reply)
    return list(found.values())
