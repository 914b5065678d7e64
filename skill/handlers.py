"""Thin adapters from Alexa requests to dialog events, and from a Turn to an Alexa response.

Handlers are registered in order (see assembly.build_skill): the red-flag handler first, so no
other handler can skip the safety check.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import IntentRequest, Response
from ask_sdk_model.ui import SimpleCard

from skill import apl, timers
from skill.content import content_for
from skill.dialog import Dialog, Turn
from skill.progress import Progress
from skill.requests import all_slots, intent_name, locale, loggable_name, slot
from skill.screen import Said
from skill.speech import is_own_ssml, is_own_text, ssml_text, to_ssml
from skill.understanding.meaning import EASED, NOT_EASED, WORSE, Reading, RedFlag

log = logging.getLogger(__name__)

Clock = Callable[[], float]

# Session attribute keys.
PROGRESS = "progress"
LAST_SPEECH = "last"
DISCLAIMER_HEARD = "disclaimer_heard"
TIMER_CONSENT_ASKED = "timer_consent_asked"
RED_FLAG = "red_flag"  # request attribute: the red flag found while routing this request
READING = "reading"  # request attribute: what the request's words say (a Reading)
RESUME = "resume"  # request attribute: unfinished progress loaded from the store (a Progress)

SYMPTOM_INTENT = "ReportSymptomIntent"
# "yes, ..." / "no, ..." with a report after the answer.
ANSWERED = {"YesReportIntent": "yes", "NoReportIntent": "no"}
# Intents that are an answer in themselves, with nothing else to read.
SET_READINGS = {
    "FeelingFineIntent": Reading(answer="no", mood=EASED),
    "UnsureIntent": Reading(answer="unsure"),
    "EasedIntent": Reading(mood=EASED),
    "NotEasedIntent": Reading(mood=NOT_EASED),
    "WorseIntent": Reading(mood=WORSE),
}
FALLBACK_INTENT = "AMAZON.FallbackIntent"


def session_of(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes; for an out-of-session request, a dict for this request only."""
    if handler_input.request_envelope.session is None:
        # The SDK refuses to read session attributes here; such requests keep nothing.
        scratch = handler_input.attributes_manager.request_attributes.setdefault(
            "out_of_session", {}
        )
        assert isinstance(scratch, dict)
        return scratch
    attributes = handler_input.attributes_manager.session_attributes
    return attributes if attributes is not None else {}


def open_dialog(handler_input: HandlerInput, clock: Clock) -> Dialog:
    session = session_of(handler_input)
    progress = Progress.from_session(session.get(PROGRESS))
    return Dialog(content_for(locale(handler_input)), progress, clock)


def first_use(handler_input: HandlerInput) -> bool:
    return not session_of(handler_input).get(DISCLAIMER_HEARD)


def respond(handler_input: HandlerInput, dialog: Dialog, turn: Turn) -> Response:
    """Writes the dialog's new state into the session and the Turn into an Alexa response."""
    session = session_of(handler_input)
    session[PROGRESS] = dialog.progress.to_session()
    ssml = to_ssml(turn.speech)
    builder = handler_input.response_builder
    builder.speak(ssml)
    if turn.card is not None:
        builder.set_card(SimpleCard(title=turn.card.title, content=turn.card.text))
    if turn.ask_timer_consent:
        # Alexa asks the consent question and answers with Connections.Response; a reprompt
        # here would talk over it.
        builder.add_directive(timers.consent_request())
    elif turn.end_session:
        builder.set_should_end_session(True)
    else:
        builder.ask(ssml_text(turn.reprompt or dialog.content.say("next_prompt")))
    if not turn.ask_timer_consent:  # Alexa shows its own consent question
        said = Said(ssml, turn.reprompt, turn.card, turn.end_session)
        apl.add_screen(handler_input, dialog.content, dialog.progress, said)
    session[LAST_SPEECH] = {"speech": ssml, "reprompt": turn.reprompt}
    return builder.response


class _DialogHandler(AbstractRequestHandler):
    """Loads the dialog, runs one event, and answers.

    An E3 reason in what was said is noted first, and the request still gets its own answer
    ("no, but I'm pregnant" is a no to the emergency question, and pregnancy is told at the end).
    """

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock

    def handle(self, handler_input: HandlerInput) -> Response:
        dialog = open_dialog(handler_input, self._clock)
        dialog.note(reading_of(handler_input).flag)
        if intent_name(handler_input) != FALLBACK_INTENT:
            dialog.understood()
        turn = self.event(dialog, handler_input)
        if turn.timer_minutes:
            turn = start_timer(handler_input, dialog)
        if turn.host_request == "repeat":
            return replay(handler_input) or respond(handler_input, dialog, dialog.current())
        if turn.host_request == "timer_status":
            turn = timer_status(handler_input, dialog)
        elif turn.host_request == "cancel_timer":
            turn = cancel_timer(handler_input, dialog)
        return respond(handler_input, dialog, dialog.finished(turn))

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        raise NotImplementedError


def start_timer(handler_input: HandlerInput, dialog: Dialog) -> Turn:
    """Sets the cold-pack timer, asking for consent the first time it is needed."""
    session = session_of(handler_input)
    if timers.has_permission(handler_input):
        result = timers.set_timer(handler_input, dialog.content, dialog.wants_timer())
        if result.outcome is not timers.Outcome.NO_PERMISSION:
            return dialog.timer_result(result.outcome.value, result.timer_id)
    if not session.get(TIMER_CONSENT_ASKED):
        session[TIMER_CONSENT_ASKED] = True
        return dialog.timer_consent()
    return dialog.timer_fallback()


def read_request(handler_input: HandlerInput) -> Reading:
    """What the words of every slot say; a SYMPTOM value Alexa resolved counts as its flag."""
    reader = content_for(locale(handler_input)).reader
    slots = all_slots(handler_input)
    texts = [value.text for value in slots.values() if value.text]
    restored = reader.report_intents.get(intent_name(handler_input) or "")
    if restored:
        # A report intent's carrier words are not in its slot: put back what they meant, or
        # "no chest pain" would read as "chest pain" and "I feel sick" as "sick".
        texts = [f"{restored} {text}" for text in texts]
    reading = reader.read(*texts) if texts else Reading()
    resolved = slots.get("symptom") if intent_name(handler_input) == SYMPTOM_INTENT else None
    flag_id = resolved.resolved_id if resolved else None
    if reading.flag is None and flag_id is not None and flag_id in reader.red_flags.flags:
        reading = replace(reading, flag=reader.red_flags.flags[flag_id])
    return reading


def reading_of(handler_input: HandlerInput) -> Reading:
    """The request's reading, made once (by the red-flag handler, first in line)."""
    attributes = handler_input.attributes_manager.request_attributes
    reading = attributes.get(READING)
    if not isinstance(reading, Reading):
        reading = Reading()
        if isinstance(handler_input.request_envelope.request, IntentRequest):
            reading = read_request(handler_input)
        attributes[READING] = reading
        attributes[RED_FLAG] = reading.flag
    return reading


class RedFlagHandler(_DialogHandler):
    """E1 and E2 red flags, in whatever intent they came: nothing else answers first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        flag = reading_of(handler_input).flag
        return flag is not None and flag.level != "E3"

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        flag = handler_input.attributes_manager.request_attributes[RED_FLAG]
        assert isinstance(flag, RedFlag)  # can_handle stored it
        # The level goes to the log; the words the runner used never do.
        log.info("red flag escalation level=%s", flag.level)
        return dialog.escalate(flag)


class LaunchHandler(_DialogHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        kept = handler_input.attributes_manager.request_attributes.get(RESUME)
        if isinstance(kept, Progress):
            return dialog.offer_resume(kept)
        first = first_use(handler_input)
        session_of(handler_input)[DISCLAIMER_HEARD] = True
        return dialog.launch(first_use=first)


class StartRoutineHandler(_DialogHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("StartRoutineIntent")(handler_input))

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        first = first_use(handler_input)
        session_of(handler_input)[DISCLAIMER_HEARD] = True
        # Alexa resolves listed words; "my left calf muscle" arrives unresolved, so read it.
        reading = reading_of(handler_input)
        muscle = slot(handler_input, "muscle").resolved_id or reading.muscle
        if muscle is None and (reading.mood or reading.answer or reading.command):
            # No muscle in the slot, but a report ("it's getting worse"): answer it as one.
            return dialog.report(reading)
        return dialog.start(muscle, first_use=first)


class GoToStepHandler(_DialogHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("GoToStepIntent")(handler_input))

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        text = slot(handler_input, "number").text
        number = int(text) if text is not None and text.isdigit() else None
        return dialog.go_to(number)


class ReportHandler(_DialogHandler):
    """Free-form reports ("it's letting go", "no, still knotted") and answers in themselves
    ("I'm fine", "not sure"): the question asked decides what they mean.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        name = intent_name(handler_input) or ""
        reader = content_for(locale(handler_input)).reader
        return name in reader.report_intents or name in SET_READINGS

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        name = intent_name(handler_input) or ""
        reading = SET_READINGS.get(name) or reading_of(handler_input)
        if name in ANSWERED:
            reading = replace(reading, answer=ANSWERED[name])
        return dialog.report(reading)


_SIMPLE_EVENTS: dict[str, Callable[[Dialog], Turn]] = {
    "AMAZON.NextIntent": Dialog.next,
    "AMAZON.PreviousIntent": Dialog.previous,
    "AMAZON.StartOverIntent": Dialog.start_over,
    "AMAZON.PauseIntent": Dialog.pause,
    "AMAZON.ResumeIntent": Dialog.resume,
    "AMAZON.HelpIntent": Dialog.help,
    "AMAZON.FallbackIntent": Dialog.fallback,
    "AMAZON.YesIntent": Dialog.yes,
    "AMAZON.NoIntent": Dialog.no,
    "AMAZON.StopIntent": Dialog.stop,
    "AMAZON.CancelIntent": Dialog.stop,
    "AMAZON.NavigateHomeIntent": Dialog.stop,
    "StepsLeftIntent": Dialog.steps_left,
    "PainReliefIntent": Dialog.pain_relief,
}


class SimpleIntentHandler(_DialogHandler):
    """Intents that map straight onto one dialog event."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in _SIMPLE_EVENTS

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        name = intent_name(handler_input)
        assert name is not None  # can_handle checked it
        return _SIMPLE_EVENTS[name](dialog)


def replay(handler_input: HandlerInput) -> Response | None:
    """Exactly what was said last, if the session holds speech this skill could have made."""
    last = session_of(handler_input).get(LAST_SPEECH)
    speech = last.get("speech") if isinstance(last, dict) else None
    reprompt = last.get("reprompt") if isinstance(last, dict) else None
    # Session attributes come back from outside: replay only speech this skill could have
    # made; anything else says the current step afresh.
    if not (isinstance(speech, str) and is_own_ssml(speech)):
        return None
    if reprompt is not None and not (isinstance(reprompt, str) and is_own_text(reprompt)):
        return None
    builder = handler_input.response_builder.speak(speech)
    if isinstance(reprompt, str) and reprompt:
        builder.ask(ssml_text(reprompt))
    else:
        builder.set_should_end_session(True)
    if apl.supports_apl(handler_input):
        # Drawn again with the speech, so a repeated hold is counted on the screen again too.
        dialog = open_dialog(handler_input, time.time)
        said = Said(
            speech, reprompt if isinstance(reprompt, str) else None, end_session=not reprompt
        )
        apl.add_screen(handler_input, dialog.content, dialog.progress, said)
    return builder.response


class RepeatHandler(_DialogHandler):
    """Says again exactly what was last said; after a new session, the current step."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.RepeatIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return replay(handler_input) or super().handle(handler_input)

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        return dialog.current()


# What each on-screen button does: the dialog event of the words it stands for.
SCREEN_EVENTS: dict[str, Callable[[Dialog], Turn]] = {
    "next": Dialog.next,
    "previous": Dialog.previous,
    "repeat": Dialog.current,  # when there is nothing to replay (see ScreenPressHandler)
    "yes": Dialog.yes,
    "no": Dialog.no,
}


def pressed(handler_input: HandlerInput) -> str | None:
    """The event a screen button sent: the first of the UserEvent's arguments."""
    arguments = getattr(handler_input.request_envelope.request, "arguments", None)
    first = arguments[0] if isinstance(arguments, list) and arguments else None
    return first if isinstance(first, str) else None


class ScreenPressHandler(_DialogHandler):
    """A button pressed on the screen (APL UserEvent): the same dialog event as the spoken words,
    so every question and safety rule holds it back as it would them ("next" at the emergency
    question asks it again). A press the skill does not know keeps the step.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type(apl.USER_EVENT)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        if pressed(handler_input) == "repeat":
            return replay(handler_input) or super().handle(handler_input)
        return super().handle(handler_input)

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        name = pressed(handler_input)
        event = SCREEN_EVENTS.get(name or "")
        if event is not None:
            return event(dialog)
        log.warning("unknown screen event %s answered calmly", loggable_name(name))
        return dialog.stay([dialog.content.say("screen_event_unknown")])


class TimerConsentHandler(_DialogHandler):
    """The runner's answer to the timer consent question (Connections.Response for AskFor)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return bool(
            is_request_type("Connections.Response")(handler_input)
            and getattr(request, "name", None) == "AskFor"
        )

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        status = timers.consent_status(
            getattr(handler_input.request_envelope.request, "payload", None)
        )
        log.info("timer consent answered: %s", status)
        if not dialog.wants_timer():
            return dialog.current()
        if status == "ACCEPTED":
            result = timers.set_timer(handler_input, dialog.content, dialog.wants_timer())
            return dialog.timer_result(result.outcome.value, result.timer_id)
        return dialog.timer_result("denied" if status == "DENIED" else "fallback")


def _timer_id(dialog: Dialog) -> str | None:
    timer = dialog.progress.timer
    return timer["id"] if timer else None


def timer_status(handler_input: HandlerInput, dialog: Dialog) -> Turn:
    timer_id = _timer_id(dialog)
    if timer_id is None:
        return dialog.timer_status("none", None)
    result = timers.read_timer(handler_input, timer_id)
    return dialog.timer_status(result.outcome.value, result.seconds_left)


def cancel_timer(handler_input: HandlerInput, dialog: Dialog) -> Turn:
    timer_id = _timer_id(dialog)
    if timer_id is None:
        return dialog.timer_cancelled("none")
    return dialog.timer_cancelled(timers.cancel_timer(handler_input, timer_id).outcome.value)


class TimerStatusHandler(_DialogHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("TimerStatusIntent")(handler_input))

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        return timer_status(handler_input, dialog)


class CancelTimerHandler(_DialogHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("CancelTimerIntent")(handler_input))

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        return cancel_timer(handler_input, dialog)


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        log.info("session ended: %s", getattr(request, "reason", None))
        return handler_input.response_builder.response


class UnknownIntentHandler(_DialogHandler):
    """An intent this skill does not define: a short hint, and the runner keeps their place."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return isinstance(handler_input.request_envelope.request, IntentRequest)

    def event(self, dialog: Dialog, handler_input: HandlerInput) -> Turn:
        log.warning(
            "unknown intent %s answered with the fallback",
            loggable_name(intent_name(handler_input)),
        )
        return dialog.fallback()


class OtherRequestHandler(AbstractRequestHandler):
    """Request types without a conversation turn (e.g. System.ExceptionEncountered): no speech."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.warning(
            "request type %r has no handler; answered without speech",
            getattr(handler_input.request_envelope.request, "object_type", None),
        )
        return handler_input.response_builder.response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """A calm apology that keeps the runner's place. It must never raise itself."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled %s while answering a request", type(exception).__name__, exc_info=True)
        builder = handler_input.response_builder
        try:
            return self._apology(handler_input)
        except Exception:  # the last line of defence must answer, whatever went wrong
            log.exception("the apology itself failed; answering with the plain fallback")
            builder.speak("Sorry, something went wrong. Please try again.")
            builder.set_should_end_session(True)
            return builder.response

    @staticmethod
    def _apology(handler_input: HandlerInput) -> Response:
        # The session attributes are still those of the request: handlers write them only when
        # they answer, so the step survives the failure.
        content = content_for(locale(handler_input))
        progress = Progress.from_session(session_of(handler_input).get(PROGRESS))
        dialog = Dialog(content, progress, time.time)
        if progress.routine is None and progress.pending is None:
            turn = Turn([content.say("error_no_step")], end_session=True)
        else:
            turn = dialog.current(prefix=[content.say("error")])
        return respond(handler_input, dialog, turn)


def request_handlers(clock: Clock) -> list[Any]:
    """Every request handler, in the order the SDK must try them."""
    return [
        RedFlagHandler(clock),
        LaunchHandler(clock),
        StartRoutineHandler(clock),
        GoToStepHandler(clock),
        TimerConsentHandler(clock),
        ScreenPressHandler(clock),
        TimerStatusHandler(clock),
        CancelTimerHandler(clock),
        RepeatHandler(clock),
        SimpleIntentHandler(clock),
        ReportHandler(clock),
        SessionEndedHandler(),
        UnknownIntentHandler(clock),
        OtherRequestHandler(),
    ]
