"""The word budgets of a reply (issue 15), checked on every reply the dialog tests produce.

- The first reply of a routine (the safe action and the emergency question): at most 35 words
  when it carries the disclaimer (first use), 30 after.
- A counted hold, or an escalation (what, why, and what would make it an emergency): 45.
- Any other reply: 35.
- No sentence twice in one reply.
"""

from __future__ import annotations

import re
from typing import Any

from skill.content import content_for
from skill.speech import break_seconds, ssml_to_display

FIRST_REPLY, FIRST_REPLY_AFTER_FIRST_USE = 35, 30
HOLD_OR_ESCALATION = 45
ANY_REPLY = 35
_PAUSE = re.compile(r"\[[\d.]+ s\]")


def words(text: str) -> int:
    return len(_PAUSE.sub(" ", text).split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+", _PAUSE.sub(" ", text)) if s.strip()]


def budget(response: dict[str, Any], locale: str | None) -> tuple[int, str]:
    """The most words this reply may have, and which rule says so."""
    content = content_for(locale)
    body = response.get("response", {})
    ssml = (body.get("outputSpeech") or {}).get("ssml", "")
    text = ssml_to_display(ssml)
    title = (body.get("card") or {}).get("title")
    # A repeat replays an escalation without its card: know it by its words too.
    escalation = title in {content.escalations[lv]["card_title"] for lv in ("E1", "E2")} or (
        content.escalations["E2"]["lead"] in text
        or any(r in text for r in content.escalations["E1"]["reasons"].values())
    )
    if break_seconds(ssml) or escalation:
        return HOLD_OR_ESCALATION, "a counted hold or an escalation"
    progress = response.get("sessionAttributes", {}).get("progress", {}) or {}
    opening = progress.get("step") == 0 and text.endswith(content.say("emergency_question"))
    if opening and content.say("disclaimer") in text:
        return FIRST_REPLY, "the first reply of a routine, with the disclaimer"
    if opening:
        return FIRST_REPLY_AFTER_FIRST_USE, "the first reply of a routine"
    return ANY_REPLY, "a reply"


def assert_within_budget(response: dict[str, Any], request: dict[str, Any]) -> None:
    body = response.get("response", {})
    speech = body.get("outputSpeech") or {}
    text = ssml_to_display(speech.get("ssml") or speech.get("text") or "")
    if not text:
        return
    locale = (request.get("request") or {}).get("locale")
    most, rule = budget(response, locale)
    assert words(text) <= most, f"{words(text)} words, {rule} may have {most}: {text}"
    said = sentences(text)
    repeated = {s for s in said if said.count(s) > 1}
    assert not repeated, f"said twice in one reply: {sorted(repeated)}"
