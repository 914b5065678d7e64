"""The conversation as a small, pure state machine: events in, a Turn (what to say) out.

Nothing here knows about the ASK SDK; handlers translate requests into these calls. Every
method leaves `self.progress` describing where the runner is now. What an answer means depends
on the question last asked: that lives in skill.questions, one class per question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skill.content import LocaleContent, Step
from skill.progress import Progress
from skill.questions import QUESTIONS, Question
from skill.speech import Countdown, Segment
from skill.understanding.meaning import Reading, RedFlag


@dataclass(frozen=True)
class Card:
    title: str
    text: str


@dataclass
class Turn:
    speech: list[Segment]
    reprompt: str | None = None
    card: Card | None = None
    end_session: bool = False
    # Set when the runner accepted a timer: the host sets it (Timers API) and then asks
    # `Dialog.timer_result` what to say.
    timer_minutes: int = 0
    # Ask Alexa for the runner's consent to set timers (a Connections.SendRequest).
    ask_timer_consent: bool = False
    # A request said inside a report that only the host can answer: "repeat" (say again what
    # was said), "timer_status" or "cancel_timer" (ask the Timers API).
    host_request: str | None = None


_HOST_REQUESTS = frozenset({"repeat", "timer_status", "cancel_timer"})


class Dialog:
    def __init__(self, content: LocaleContent, progress: Progress, now: Callable[[], float]):
        self.content = content
        self.progress = progress
        self._now = now
        # An E3 reason heard in this request, to thank the runner for before answering.
        self._e3_heard = False
        self._sanitise()

    @property
    def question(self) -> Question:
        p = self.progress
        if p.routine is None and p.pending is None:
            return QUESTIONS["muscle"]  # nothing started yet: anything said may name the muscle
        return QUESTIONS[p.pending]

    # ----- entry points -------------------------------------------------------------------

    def launch(self, *, first_use: bool) -> Turn:
        c = self.content
        speech: list[Segment] = [c.say("welcome")]
        if first_use:
            speech.append(c.say("disclaimer"))
        self.progress = Progress(pending="muscle", muscle_asked=True)
        speech.append(c.say("ask_muscle"))
        return Turn(speech, reprompt=c.say("ask_muscle_reprompt"))

    def start(self, muscle: str | None, *, first_use: bool = False) -> Turn:
        """A request to help with a muscle (None when it was not said or not understood)."""
        c, kept = self.content, self.progress
        intro: list[Segment] = [c.say("disclaimer")] if first_use else []
        if muscle not in c.muscles:
            if not kept.muscle_asked:
                self.progress = Progress(
                    pending="muscle", muscle_asked=True, e3_reason=kept.e3_reason
                )
                speech = [*intro, c.say("ask_muscle")]
                return Turn(speech, reprompt=c.say("ask_muscle_reprompt"))
            muscle = None
            intro.append(c.say("routine_general"))
        else:
            intro.append(c.say("routine_for_muscle", muscle=c.muscle_names[muscle]))
        # What the runner told us before the routine began still counts at its end.
        self.progress = Progress(
            routine=muscle or c.default_routine, started_at=self._now(), e3_reason=kept.e3_reason
        )
        return self._opening(intro)

    def offer_resume(self, kept: Progress) -> Turn:
        """A new session within two hours of an unfinished routine: offer to carry on."""
        c = self.content
        self.progress = kept
        self._sanitise()
        self.progress.pending = "resume"
        step = self._steps[self.progress.step]
        routine = c.routine_names[self.progress.routine or c.default_routine]
        offer = c.say(
            "resume_offer", number=self.progress.step + 1, routine=routine, title=step.title.lower()
        )
        return Turn([c.say("welcome"), offer], reprompt=c.say("resume_reprompt"))

    def carry_on(self) -> Turn:
        """Carry on: after a timer that has rung, from the step after the one that set it."""
        c, p = self.content, self.progress
        p.pending, p.started_at = None, self._now()
        if p.step == 0:
            # They left before answering the emergency question: it is never skipped.
            return self._opening([c.say("welcome_back")])
        timer = p.timer
        if timer is not None and timer["ends_at"] <= self._now():
            p.timer = None
            if timer["step"] == p.step and p.step < len(self._steps) - 1:
                return self._speak_step(p.step + 1, prefix=[c.say("welcome_back")])
        elif timer is not None and timer["step"] == p.step:
            # Still running: don't offer a second timer, say how long this one has left.
            left = self.timer_status("set", int(timer["ends_at"] - self._now()))
            left.speech.insert(0, c.say("welcome_back"))
            return left
        return self._speak_step(p.step, prefix=[c.say("welcome_back")])

    def fresh_start(self) -> Turn:
        c = self.content
        self.progress = Progress(pending="muscle", muscle_asked=True)
        question = c.say("ask_muscle")
        return Turn([c.say("fresh_start"), question], reprompt=c.say("ask_muscle_reprompt"))

    # ----- what the runner said -----------------------------------------------------------

    def note(self, flag: RedFlag | None) -> None:
        """An E3 reason in anything said is kept for the end (the first one heard), and the
        request goes on to its own answer. E1 and E2 go to `escalate` instead.
        """
        p = self.progress
        if flag is not None and flag.level == "E3" and p.escalation is None and not p.e3_reason:
            p.e3_reason = flag.reason
            self._e3_heard = True

    def understood(self) -> None:
        """The request was understood: the count of words not caught starts again."""
        self.progress.misses = 0

    def finished(self, turn: Turn) -> Turn:
        """The turn as spoken: thanked for an E3 reason first, when one was just heard, except in
        the first reply of a routine, which must stay short (the reason is given at the end)."""
        p = self.progress
        opening = p.pending in {"emergency_check", "emergency_unsure"} and p.step == 0
        if self._e3_heard and not turn.end_session and p.e3_reason and not opening:
            turn.speech.insert(0, self.content.say("e3_noted"))
        return turn

    def yes(self) -> Turn:
        if self.progress.paused:
            return self.resume()  # "yes, go on" after a pause: carry on where it stopped
        return self.question.yes(self)

    def no(self) -> Turn:
        return self.question.no(self)

    def report(self, reading: Reading) -> Turn:
        """A free-form report ("it's letting go", "no, still knotted"), red flags already heard."""
        return self.question.report(self, reading)

    def fallback(self) -> Turn:
        self.progress.misses += 1
        if self.progress.escalation:
            return self.escalation_hold()
        return self.question.missed(self)

    def misses(self) -> int:
        return self.progress.misses

    # ----- navigation ---------------------------------------------------------------------

    def next(self) -> Turn:
        if self.progress.routine is None and self.progress.pending is None:
            return self.start(None)
        if self.progress.paused:
            return self.resume()  # after a pause, going on starts where it stopped
        return self.question.next(self)

    def previous(self) -> Turn:
        blocked = self._blocked()
        if blocked is not None:
            return blocked
        if self.progress.step == 0:
            return self._speak_step(0, prefix=[self.content.say("first_step")])
        return self._speak_step(self.progress.step - 1)

    def start_over(self) -> Turn:
        p = self.progress
        if p.escalation:
            return self.escalation_hold()
        if p.routine is None or p.pending == "resume":
            return self._blocked() or self.start(None)
        self.progress = Progress(routine=p.routine, started_at=self._now(), e3_reason=p.e3_reason)
        return self._opening([self.content.say("step_number", number=1)])

    def go_to(self, number: int | None) -> Turn:
        c = self.content
        blocked = self._blocked()
        if blocked is not None:
            return blocked
        total = len(self._steps)
        if number is None:
            return self.stay([c.say("goto_missing", total=total)])
        if not 1 <= number <= total:
            return self.stay([c.say("goto_out_of_range", total=total)])
        return self._speak_step(number - 1, prefix=[c.say("step_number", number=number)])

    def advance(self, prefix: list[Segment] | None = None) -> Turn:
        """On to the next step (or the end)."""
        p = self.progress
        if p.routine is None:
            return self.start(None)
        if p.step >= len(self._steps) - 1:
            return self.finish(prefix)
        return self._speak_step(p.step + 1, prefix=prefix)

    def steps_left(self) -> Turn:
        c, p = self.content, self.progress
        if p.routine is None:
            return self.stay([c.say("no_routine_yet")])
        total, number = len(self._steps), p.step + 1
        if number == total:
            return self.stay([c.say("steps_left_last", number=number)])
        return self.stay([c.say("steps_left", number=number, total=total, left=total - number)])

    def pain_relief(self) -> Turn:
        """Painkillers: too slow for the cramp itself (F6.1); the locale's name for later (F6.3)."""
        return self.stay([self.content.say("pain_relief")])

    def pause(self) -> Turn:
        c = self.content
        self.progress.paused = True
        return Turn([c.say("paused")], reprompt=c.say("paused_reprompt"))

    def resume(self) -> Turn:
        self.progress.paused = False
        if self.progress.pending == "resume":
            return self.carry_on()
        return self.current()

    def current(self, prefix: list[Segment] | None = None) -> Turn:
        """The step (or question) the runner is on, said again in full."""
        p = self.progress
        if p.escalation:
            return self.escalation_hold()
        if p.pending == "resume":
            return self.stay(list(prefix or []))
        if p.routine is None:
            return self.start(None) if not prefix else self.stay(prefix)
        if self.question.holds_position:
            return self._opening(list(prefix or []), restart_clock=False)
        return self._speak_step(p.step, prefix=prefix)

    def help(self) -> Turn:
        """What they can say and the disclaimer, then the question they are on (not the whole
        step again: "repeat" does that)."""
        c = self.content
        if self.progress.routine is None and self.progress.pending is None:
            return self.start(None)
        return self.stay([c.say("help"), c.say("disclaimer")])

    def stop(self) -> Turn:
        c = self.content
        e3 = self._e3_text()
        said = c.say("stop_with_advice", advice=e3) if e3 else c.say("stop")
        return Turn([said], end_session=True)

    def command(self, name: str, number: int | None = None) -> Turn:
        """A request said inside a report ("can we go back a step", "it's fine now, next"): the
        same event as the request said alone, so the same questions hold it back.
        """
        if name in _HOST_REQUESTS:
            return Turn([], host_request=name)
        if name == "goto":
            return self.go_to(number)
        event: Callable[[], Turn] = {
            "next": self.next,
            "back": self.previous,
            "start_over": self.start_over,
            "pause": self.pause,
            "resume": self.resume,
            "steps_left": self.steps_left,
            "help": self.help,
            "stop": self.stop,
            "pain_relief": self.pain_relief,
        }[name]
        return event()

    def remark(self, key: str) -> Turn:
        """A remark with its own short reply ("I can't stand up": stay sitting)."""
        return self.stay([self.content.say(f"remark_{key}")])

    # ----- the emergency question ---------------------------------------------------------

    def emergency_clear(self) -> Turn:
        return self._speak_step(1, prefix=[self.content.say("emergency_clear")])

    def ask_emergency_again(
        self, prefix: list[Segment] | None = None, then: type[Question] | None = None
    ) -> Turn:
        c = self.content
        if then is not None:
            self.progress.pending = then.key
        question = c.say("emergency_question_again")
        return Turn([*(prefix or []), question], reprompt=question, card=self._card(0))

    # ----- the stretch --------------------------------------------------------------------

    def hold_again(self) -> Turn:
        c, p = self.content, self.progress
        if self._over_ten_minutes():
            return self.escalate_level("E2", "long_cramp")
        step = self._steps[p.step]
        question = c.say("hold_question")
        speech: list[Segment] = [c.say("hold_again"), self._countdown(step.hold_seconds), question]
        return Turn(speech, reprompt=c.say("hold_question_reprompt"), card=self._card(p.step))

    def pain_worse(self) -> Turn:
        """Worse pain: no more stretching (F2.1) or rubbing (F3.1), and when to get it seen."""
        if self._over_ten_minutes():
            return self.escalate_level("E2", "long_cramp")
        p = self.progress
        p.worse = True
        p.pending = None
        question = self.content.say("next_prompt")
        return Turn(
            [self.content.say("pain_worse"), question], reprompt=question, card=self._card(p.step)
        )

    # ----- the cold-pack timer ------------------------------------------------------------

    def wants_timer_set(self) -> Turn:
        return Turn([], timer_minutes=self._steps[self.progress.step].timer_minutes)

    def skip_timer(self) -> Turn:
        return self._after_timer_offer([self.content.say("timer_skipped")])

    def timer_consent(self) -> Turn:
        """Alexa asks for timer permission itself; the answer comes as Connections.Response."""
        self.progress.pending = "timer_consent"
        return Turn([self.content.say("timer_consent")], ask_timer_consent=True)

    def timer_result(self, outcome: str, timer_id: str | None = None) -> Turn:
        """What to say once the host tried to set the cold-pack timer ("set", "failed", ...)."""
        c, p = self.content, self.progress
        minutes = self._steps[p.step].timer_minutes
        if outcome == "set" and timer_id:
            p.timer = {"id": timer_id, "step": p.step, "ends_at": self._now() + minutes * 60}
            return self._after_timer_offer([c.say("timer_set", minutes=minutes)])
        reason = {
            "denied": "timer_denied",
            "too_many": "timer_too_many",
            "unsupported": "timer_unsupported",
            "offline": "timer_offline",
            "failed": "timer_failed",
        }.get(outcome)
        spoken = [c.say(reason)] if reason else []
        return self._after_timer_offer([*spoken, c.say("timer_fallback", timer_minutes=minutes)])

    def timer_fallback(self) -> Turn:
        return self.timer_result("fallback")

    def wants_timer(self) -> int:
        """Minutes of the timer the runner is waiting to have set (0 when none)."""
        p = self.progress
        if p.routine is None or p.pending not in {"timer", "timer_consent"}:
            return 0
        return self._steps[p.step].timer_minutes

    def timer_status(self, outcome: str, seconds_left: int | None) -> Turn:
        c = self.content
        if self.progress.timer is None:
            return self.stay([c.say("timer_none")])
        if outcome == "not_found" or (outcome == "set" and seconds_left == 0):
            self.progress.timer = None
            return self.stay([c.say("timer_done")])
        if outcome != "set" or seconds_left is None:
            return self.stay([c.say("timer_check_failed")])
        minutes = round(seconds_left / 60)
        if seconds_left < 60:
            return self.stay([c.say("timer_left_under_minute")])
        if minutes <= 1:
            return self.stay([c.say("timer_left_one")])
        return self.stay([c.say("timer_left", minutes=minutes)])

    def timer_cancelled(self, outcome: str) -> Turn:
        c = self.content
        if self.progress.timer is None:
            return self.stay([c.say("timer_none")])
        if outcome in {"set", "not_found"}:
            self.progress.timer = None
            return self.stay([c.say("timer_cancelled")])
        return self.stay([c.say("timer_cancel_failed")])

    # ----- the end of the routine ---------------------------------------------------------

    def tip(self) -> Turn:
        c, p = self.content, self.progress
        if p.tip >= len(c.tips):
            return self.finish(prefix=[c.say("tips_done")])
        tip = c.tips[p.tip]
        p.tip += 1
        if p.tip >= len(c.tips):
            return self.finish(prefix=[tip.text, c.say("tips_done")])
        question = c.say("tip_more")
        return Turn([tip.text, question], reprompt=question)

    def finish(self, prefix: list[Segment] | None = None) -> Turn:
        self.progress = Progress()
        return Turn([*(prefix or []), self.content.say("finished")], end_session=True)

    # ----- safety -------------------------------------------------------------------------

    def escalate(self, flag: RedFlag) -> Turn:
        return self.escalate_level(flag.level, flag.reason)

    def escalate_level(self, level: str, reason: str) -> Turn:
        c, p = self.content, self.progress
        if level == "E3":
            if p.escalation is None:
                p.e3_reason = p.e3_reason or reason
            return self.stay([c.say("e3_noted")])
        if level == "E1":
            text = c.escalations["E1"]["reasons"][reason]
            self.progress = Progress()
            return Turn(
                [text],
                card=Card(c.escalations["E1"]["card_title"], text),
                end_session=True,
            )
        p.escalation, p.e3_reason = f"E2:{reason}", None
        p.pending = "escalation_repeat"
        return self.escalation_turn()

    def escalation_turn(self) -> Turn:
        c, p = self.content, self.progress
        reason = (p.escalation or "").partition(":")[2]
        e2 = c.escalations["E2"]
        text = " ".join([e2["lead"], e2["reasons"][reason], e2["tail"]])
        question = c.say("escalation_repeat_question")
        p.pending = "escalation_repeat"
        return Turn([text, question], reprompt=question, card=Card(e2["card_title"], text))

    def escalation_hold(self) -> Turn:
        """After an E2 the routine stays stopped; the runner can only hear the advice again."""
        turn = self.escalation_turn()
        turn.speech.insert(0, self.content.say("escalation_stopped"))
        return turn

    def escalation_goodbye(self) -> Turn:
        return Turn([self.content.say("escalation_goodbye")], end_session=True)

    def safety_net(self) -> Turn:
        """Words not caught mid-routine: the step stays, and how to get help is said."""
        c = self.content
        key = "fallback_twice" if self.progress.misses >= 2 else "fallback"
        return self.stay([c.say(key)])

    # ----- what every answer is built from ------------------------------------------------

    def stay(self, speech: list[Segment]) -> Turn:
        """Answer without moving, then re-ask whatever the runner was being asked."""
        question = self._reprompt()
        return Turn([*speech, question], reprompt=question, card=self._current_card())

    def step_question(self) -> str:
        """What the current step asks ("Say next when you're ready", "Shall I set a timer?")."""
        c, p = self.content, self.progress
        if p.routine is None:
            return c.say("ask_muscle_reprompt")
        step = self._steps[p.step]
        if step.timer_minutes and p.pending is None:
            return c.say("next_prompt")  # the timer question was answered already
        return step.question

    # ----- internals ----------------------------------------------------------------------

    @property
    def _steps(self) -> tuple[Step, ...]:
        return self.content.routine(self.progress.routine)

    def _sanitise(self) -> None:
        """Session attributes come from outside: keep the state inside what the content allows."""
        p = self.progress
        if p.routine is not None and p.routine not in self.content.routines:
            self.progress = p = Progress()
        elif p.routine is not None:
            p.step = min(p.step, len(self._steps) - 1)
        if p.pending not in QUESTIONS:
            p.pending = None
        if p.routine is None and p.pending not in {None, "muscle"}:
            p.pending = None
        if (
            p.escalation is not None
            and p.escalation.partition(":")[2] not in (self.content.escalations["E2"]["reasons"])
        ):
            p.escalation = None
            if p.pending == "escalation_repeat":
                p.pending = None
        if p.e3_reason is not None and p.e3_reason not in self.content.escalations["E3"]["reasons"]:
            p.e3_reason = None

    def _blocked(self) -> Turn | None:
        """The answer to a move that the current state does not allow, if it does not."""
        p = self.progress
        if p.escalation:
            return self.escalation_hold()
        if self.question.holds_position:
            return self.question.again(self)
        if p.routine is None:
            return self.start(None)
        return None

    def _over_ten_minutes(self) -> bool:
        started = self.progress.started_at
        return started is not None and self._now() - started >= self.content.ten_minute_rule_seconds

    def _opening(self, intro: list[Segment], *, restart_clock: bool = True) -> Turn:
        c, p = self.content, self.progress
        p.step, p.paused = 0, False
        if p.pending != "emergency_unsure":
            p.pending = "emergency_check"
        if restart_clock:
            p.started_at = self._now()
        first = self._steps[0]
        speech = [*intro, first.speech, c.say("emergency_question")]
        return Turn(speech, reprompt=c.say("emergency_question_again"), card=self._card(0))

    def _speak_step(self, index: int, prefix: list[Segment] | None = None) -> Turn:
        c, p = self.content, self.progress
        steps = self._steps
        index = max(0, min(index, len(steps) - 1))
        step = steps[index]
        if step.hold_seconds and p.worse:
            # The pain got worse with stretching: never another hold in this routine.
            p.pending = None
            return self.stay([*(prefix or []), c.say("no_stretch_when_worse")])
        p.step, p.paused, p.tip = index, False, 0
        speech: list[Segment] = [*(prefix or [])]
        if step.id == "closing":
            speech.append(c.say("last_step"))
            speech.append(self._e3_text() or step.speech)
        else:
            speech.append(step.speech)
        if step.hold_seconds:
            speech.append(self._countdown(step.hold_seconds))
            p.pending = "eased"
            question, reprompt = c.say("hold_question"), c.say("hold_question_reprompt")
        else:
            p.pending = "timer" if step.timer_minutes else "tips" if step.id == "closing" else None
            question = reprompt = step.question
        speech.append(question)
        return Turn(speech, reprompt=reprompt, card=self._card(index))

    def _countdown(self, seconds: int) -> Countdown:
        c = self.content
        return Countdown(seconds, c.say("hold_start"), c.hold_cues, c.say("hold_release"))

    def _after_timer_offer(self, spoken: list[Segment]) -> Turn:
        c = self.content
        self.progress.pending = None
        question = c.say("next_prompt")
        return Turn([*spoken, question], reprompt=question, card=self._card(self.progress.step))

    def _reprompt(self) -> str:
        p = self.progress
        if p.paused:
            return self.content.say("paused_reprompt")
        if p.escalation:
            return self.content.say("escalation_repeat_question")
        return self.question.reprompt(self)

    def _e3_text(self) -> str | None:
        reason = self.progress.e3_reason
        reasons = self.content.escalations["E3"]["reasons"]
        return reasons.get(reason) if reason else None

    def _card(self, index: int) -> Card:
        steps = self._steps
        step = steps[index]
        text = step.speech
        if step.id == "closing":
            text = self._e3_text() or step.speech
        title = self.content.say(
            "card_step_title", number=index + 1, total=len(steps), title=step.title
        )
        return Card(title, text)

    def _current_card(self) -> Card | None:
        p = self.progress
        return self._card(p.step) if p.routine is not None and not p.escalation else None
