"""`cramp-coach chat`: talk to the skill as you would to an Echo, in a terminal."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.matcher import UtteranceMatcher, normalise, spoken_words
from skill.speech import ssml_to_display
from skill.timers import TIMERS_SCOPE

log = logging.getLogger(__name__)

INVOCATION = "cramp coach"
# Alexa's own launch and connecting words: "open cramp coach", "ask cramp coach to help with my
# calf", "open cramp coach and help, my calf's cramping", "tell cramp coach that ...".
_INVOKE = re.compile(
    rf"^(?:alexa )?(?:open|launch|start|begin|load|run|ask|tell|use|talk to) {INVOCATION}"
    r"(?: (?:and|to|for|about|that|if|whether))?(?: (?P<rest>.*))?$"
)

Handler = Callable[[dict[str, Any]], dict[str, Any]]
# What Alexa itself says when a skill asks for timer permission (the simulator's words).
CONSENT_QUESTION = "(Alexa asks: may Cramp Coach set timers on this device? Say yes or no.)"
# With --screen, "[next]" presses the button that sends the event "next".
_PRESS = re.compile(r"^\s*\[\s*([A-Za-z]+)\s*\]\s*$")
NOTHING_TO_PRESS = "(There is no screen to press: open Cramp Coach first.)"


@dataclass
class Reply:
    text: str
    end_session: bool
    raw: dict[str, Any]


class ChatSession:
    """Sends each typed line through `handler` as a request envelope; keeps the session."""

    def __init__(self, handler: Handler, matcher: UtteranceMatcher, envelopes: EnvelopeFactory):
        self.handler = handler
        self.matcher = matcher
        self.envelopes = envelopes
        # The token of a consent question Alexa is asking on the skill's behalf, if any.
        self._consent_token: str | None = None

    def say(self, utterance: str) -> Reply | None:
        """Alexa's answer to one utterance; None when Alexa would say nothing (blank input)."""
        said = normalise(utterance)
        if not said:
            return None
        if self._consent_token is not None:
            return self._answer_consent(said)
        press = _PRESS.fullmatch(utterance) if self.envelopes.screen else None
        if press:
            if not self.envelopes.in_session:
                return Reply(NOTHING_TO_PRESS, True, {})
            return self.send(self.envelopes.user_event([press.group(1).lower()]))
        invoked = _INVOKE.fullmatch(said)
        if invoked and not invoked.group("rest"):
            self.envelopes.begin_session()
            return self.send(self.envelopes.launch())
        request = utterance
        if invoked:
            self.envelopes.begin_session()
            # The request as said, without the invocation ("ask cramp coach to").
            rest = invoked.group("rest").split(" ")
            request = " ".join(spoken_words(utterance)[-len(rest) :])
        elif not self.envelopes.in_session:
            # Outside a session Alexa would need the skill's name; treat the line as a one-shot.
            self.envelopes.begin_session()
        return self.send(self.envelopes.intent(self.matcher.match(request)))

    def hang_up(self) -> None:
        """The user walked away: Alexa tells the skill the session ended."""
        if self.envelopes.in_session:
            self.handler(self.envelopes.session_ended("EXCEEDED_MAX_REPROMPTS"))
            self.envelopes.end_session()

    def send(self, envelope: dict[str, Any]) -> Reply:
        response = self.handler(envelope)
        self.envelopes.keep(response)
        body = response.get("response", {})
        speech = body.get("outputSpeech") or {}
        text = ssml_to_display(speech.get("ssml") or speech.get("text") or "")
        for directive in body.get("directives") or []:
            if directive.get("type") == "Connections.SendRequest" and directive.get("name") == (
                "AskFor"
            ):
                # On a device Alexa now asks the consent question itself.
                self._consent_token = str(directive.get("token"))
                text = f"{text} {CONSENT_QUESTION}".strip()
        return Reply(text, not self.envelopes.in_session, response)

    def _answer_consent(self, said: str) -> Reply:
        intent = self.matcher.match(said).intent
        status = {"AMAZON.YesIntent": "ACCEPTED", "AMAZON.NoIntent": "DENIED"}.get(
            intent, "NOT_ANSWERED"
        )
        if status == "ACCEPTED":
            self.envelopes.granted_scopes.add(TIMERS_SCOPE)
        token, self._consent_token = self._consent_token, None
        return self.send(
            self.envelopes.request(
                {
                    "type": "Connections.Response",
                    "name": "AskFor",
                    "status": {"code": "200", "message": "OK"},
                    "token": token,
                    "payload": {
                        "permissionScopes": [
                            {"permissionScope": TIMERS_SCOPE, "consentLevel": "ACCOUNT"}
                        ],
                        "status": status,
                    },
                }
            )
        )


def screen_lines(response: dict[str, Any]) -> list[str]:
    """What the screen shows after a response, as the RenderDocument directive describes it."""
    for directive in response.get("response", {}).get("directives") or []:
        if directive.get("type") != "Alexa.Presentation.APL.RenderDocument":
            continue
        sources = directive.get("datasources") or {}
        if "emergency" in sources:
            shown = sources["emergency"]
            return [f"Screen: {shown['call']}", f"        {shown['firstAid']}"]
        coach = sources.get("coach") or {}
        heading = " - ".join(part for part in (coach.get("stepLine"), coach.get("title")) if part)
        lines = [f"Screen: {heading}"]
        for key in ("text", "timer"):
            if coach.get(key):
                lines.append(f"        {coach[key]}")
        if coach.get("figure"):
            lines.append(f"        [drawing: {coach['figure']}]")
        hold = coach.get("hold") or {}
        if hold.get("seconds"):
            lead = hold["leadMs"] / 1000
            lines.append(
                f"        [countdown: {hold['seconds']} s, from about {lead:g} s into the speech]"
            )
        if coach.get("prompt"):
            lines.append(f"        {coach['prompt']}")
        buttons = "  ".join(f"[{b['event']}] {b['label']}" for b in coach.get("buttons") or [])
        if buttons:
            lines.append(f"        buttons: {buttons}")
        return lines
    return []


class Speaker:
    """Reads replies aloud with espeak-ng, which understands the SSML pauses."""

    def __init__(self, out: TextIO) -> None:
        self.binary = shutil.which("espeak-ng")
        if self.binary is None:
            print(
                "--speak needs espeak-ng, which is not installed "
                "(Debian/Ubuntu: sudo apt-get install espeak-ng). Replies are shown as text only.",
                file=out,
            )

    def speak(self, reply: Reply) -> None:
        if self.binary is None:
            return
        speech = reply.raw.get("response", {}).get("outputSpeech") or {}
        ssml = speech.get("ssml")
        args = [self.binary, "-m", ssml] if ssml else [self.binary, speech.get("text", "")]
        result = subprocess.run(args, check=False, capture_output=True, text=True)
        if result.returncode != 0:
            log.warning("espeak-ng failed (%s): %s", result.returncode, result.stderr.strip())


def run_chat(
    session: ChatSession,
    lines: Iterable[str],
    out: TextIO,
    *,
    interactive: bool,
    speaker: Speaker | None = None,
) -> int:
    if interactive:
        print('Cramp Coach simulator. Try "open cramp coach"; Ctrl-D to quit.', file=out)
        if session.envelopes.screen:
            print(
                "A screen is simulated: type [next], [previous], [repeat], [yes] or [no] to "
                "press its buttons.",
                file=out,
            )
    for line in lines:
        utterance = line.strip()
        if not interactive and utterance:
            print(f"You: {utterance}", file=out)
        reply = session.say(utterance)
        if reply is None:
            continue
        print(f"Alexa: {reply.text}" if reply.text else "Alexa: (says nothing)", file=out)
        if session.envelopes.screen:
            for shown in screen_lines(reply.raw):
                print(shown, file=out)
        if speaker is not None:
            speaker.speak(reply)
        if reply.end_session:
            print("(session ended)", file=out)
        out.flush()
    session.hang_up()
    return 0


def prompted_lines(prompt: str = "You: ") -> Iterable[str]:
    while True:
        try:
            yield input(prompt)
        except EOFError:
            print(file=sys.stdout)
            return
