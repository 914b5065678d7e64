"""Draws a Screen on devices with APL (Echo Show, Fire TV): one RenderDocument directive a response.

The documents are data (skill/content/apl/): coach.json for steps, questions and the doctor's
advice, emergency.json for E1, figures.json for the stretch drawings (AVG). Each document is the
same for every step; what a step shows travels in the datasource, and the graphics map carries
only the drawing that step needs, which keeps the response well under Alexa's 24 KB.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.content import LocaleContent
from skill.progress import Progress
from skill.screen import Said, Screen, screen_for

INTERFACE = "Alexa.Presentation.APL"
USER_EVENT = "Alexa.Presentation.APL.UserEvent"
TOKEN = "cramp-coach-screen"
_DIR = Path(__file__).parent / "content" / "apl"


@cache
def document(name: str) -> dict[str, Any]:
    """One of the documents (or "figures"), read once per process."""
    data: dict[str, Any] = json.loads((_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def document_version() -> tuple[int, ...]:
    """The APL version both documents declare."""
    return _version(document("coach")["version"])


def _version(text: object) -> tuple[int, ...]:
    """Version text as numbers: "1.8" -> (1, 8), "2024.3" -> (2024, 3); anything else -> ()."""
    if not isinstance(text, str) or not re.fullmatch(r"\d+(\.\d+)*", text):
        return ()
    return tuple(int(part) for part in text.split("."))


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device renders APL of our documents' version (supportedInterfaces says so)."""
    context = handler_input.request_envelope.context
    device = getattr(getattr(context, "system", None), "device", None)
    interfaces = getattr(device, "supported_interfaces", None)
    apl = getattr(interfaces, "alexa_presentation_apl", None)
    if apl is None:
        return False
    runtime = getattr(apl, "runtime", None)
    max_version = getattr(runtime, "max_version", None)
    # A device that names no runtime version is taken to render the current one.
    return max_version is None or _version(max_version) >= document_version()


def add_screen(
    handler_input: HandlerInput, content: LocaleContent, progress: Progress, said: Said
) -> None:
    """Adds the response's RenderDocument, when the device has a screen and there is one to show."""
    if not supports_apl(handler_input):
        return
    screen = screen_for(content, progress, said)
    if screen is not None:
        handler_input.response_builder.add_directive(render_directive(screen))


def render_directive(screen: Screen) -> Any:
    # Imported here: only responses to screen devices pay for the APL model classes.
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    if screen.kind == "emergency":
        sources: dict[str, Any] = {"emergency": {"call": screen.title, "firstAid": screen.text}}
        return RenderDocumentDirective(
            token=TOKEN, document=document("emergency"), datasources=sources
        )
    doc = document("coach")
    if screen.figure:
        doc = {**doc, "graphics": {screen.figure: document("figures")[screen.figure]}}
    return RenderDocumentDirective(token=TOKEN, document=doc, datasources=datasources(screen))


def datasources(screen: Screen) -> dict[str, Any]:
    """The datasource of coach.json: every key always present, so every binding resolves."""
    hold = screen.hold
    return {
        "coach": {
            "kind": screen.kind,
            "appTitle": screen.app_title,
            "title": screen.title,
            "text": screen.text,
            "stepLine": screen.step_line,
            "prompt": screen.prompt,
            "timer": screen.timer,
            "figure": screen.figure,
            "figureLabel": screen.figure_label,
            "hold": {
                "seconds": hold.seconds if hold else 0,
                "leadMs": hold.lead_ms if hold else 0,
                "before": hold.before if hold else "",
                "start": hold.start if hold else "",
                "release": hold.release if hold else "",
            },
            "buttons": [{"label": b.label, "event": b.event} for b in screen.buttons],
        }
    }
