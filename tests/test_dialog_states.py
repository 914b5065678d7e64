"""Every dialog event in any order, against the safety rules that must hold in every state.

A hypothesis state machine drives the pure dialog (as the handlers do: a fresh Dialog per request
from the session's progress, red flags first, E3 noted and the request still answered) and
checks after each turn:
- no step after the first is spoken before the emergency question was answered no;
- a red flag in any state escalates at its level;
- once the pain got worse, no hold is counted again in that routine;
- an E3 reason heard in any state is given at the end (the last step, or on stop).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from skill.content import content_for
from skill.dialog import Dialog, Turn
from skill.progress import Progress
from skill.speech import Countdown, plain_text
from skill.understanding.reading import EASED, NOT_EASED, WORSE, Reading
from skill.understanding.red_flags import RedFlag

C = content_for("en-US")
FLAGS = {f.id: f for f in C.reader.red_flags.flags.values()}
E1 = [f for f in FLAGS.values() if f.level == "E1"]
E2 = [f for f in FLAGS.values() if f.level == "E2"]
E3 = [f for f in FLAGS.values() if f.level == "E3"]
ASKING_EMERGENCY = {"emergency_check", "emergency_unsure"}


@dataclass
class Clock:
    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class DialogMachine(RuleBasedStateMachine):
    @initialize()
    def begin(self) -> None:
        self.clock = Clock()
        self.progress = Progress()
        self.ended = False
        self.cleared = False  # the emergency question was answered no in this routine
        self.routine_id = 0  # counts routines, to know when "this routine" starts again
        self.worse_in = -1  # the routine in which the pain got worse
        self.e3 = False  # an E3 reason heard, not superseded by an E2
        self.turn: Turn | None = None
        self.before = Progress()

    # ----- one request, as the handlers run it --------------------------------------------

    def _dialog(self) -> Dialog:
        # Through session attributes, as between two requests.
        return Dialog(C, Progress.from_session(self.progress.to_session()), self.clock)

    def _answer(self, event: str, *args: object, flag: RedFlag | None = None) -> Turn:
        dialog = self._dialog()
        self.before = dialog.progress
        before = Progress.from_session(dialog.progress.to_session())
        if flag is not None and flag.level != "E3":
            turn = dialog.escalate(flag)
        else:
            dialog.note(flag)
            if event != "fallback":
                dialog.understood()
            turn = getattr(dialog, event)(*args)
            if turn.timer_minutes:
                turn = dialog.timer_result("set", "timer-1")
            turn = dialog.finished(turn)
        self._track(before, dialog.progress, turn, flag)
        self.progress = dialog.progress
        self.turn = turn
        if turn.end_session:
            self.ended = True
            self.progress = Progress()
        return turn

    def _track(self, before: Progress, after: Progress, turn: Turn, flag: RedFlag | None) -> None:
        opening = after.routine is not None and after.pending in ASKING_EMERGENCY
        if (
            opening
            and after.step == 0
            and (before.pending not in ASKING_EMERGENCY or before.routine != after.routine)
        ):
            self.routine_id += 1
            self.cleared = False
        if before.pending in ASKING_EMERGENCY and after.pending not in ASKING_EMERGENCY:
            self.cleared = self.cleared or (after.routine is not None and after.step >= 1)
        if flag is not None and flag.level == "E3" and after.e3_reason is not None:
            self.e3 = True
        if after.escalation and not before.escalation:
            self.e3 = False  # an E2 replaces the E3 advice: see a doctor today
        if after.routine is None and after.e3_reason is None:
            self.e3 = False
        if after.worse and not before.worse:
            self.worse_in = self.routine_id

    # ----- events ---------------------------------------------------------------------------

    @precondition(lambda self: not self.ended)
    @rule(first_use=st.booleans())
    def launch(self, first_use: bool) -> None:
        dialog = self._dialog()
        before = Progress.from_session(dialog.progress.to_session())
        turn = dialog.launch(first_use=first_use)
        self._track(before, dialog.progress, turn, None)
        self.progress, self.turn = dialog.progress, turn

    @precondition(lambda self: not self.ended)
    @rule(muscle=st.sampled_from([None, *C.muscles, "neck"]))
    def start(self, muscle: str | None) -> None:
        self._answer("start", muscle)

    @precondition(lambda self: not self.ended)
    @rule(
        event=st.sampled_from(
            ["next", "previous", "start_over", "steps_left", "pause", "resume", "current",
             "help", "fallback", "yes", "no", "pain_relief"]
        )
    )  # fmt: skip
    def simple(self, event: str) -> None:
        self._answer(event)

    @precondition(lambda self: not self.ended)
    @rule(number=st.one_of(st.none(), st.integers(min_value=-2, max_value=12)))
    def go_to(self, number: int | None) -> None:
        self._answer("go_to", number)

    @precondition(lambda self: not self.ended)
    @rule(
        answer=st.sampled_from([None, "yes", "no", "unsure"]),
        mood=st.sampled_from([None, EASED, NOT_EASED, WORSE]),
        muscle=st.sampled_from([None, *C.muscles]),
        command=st.sampled_from([None, "next", "pause", "pain_relief"]),
        remark=st.sampled_from([None, "cant_stand"]),
    )
    def report(
        self, answer: str | None, mood: str | None, muscle: str | None, command: str | None,
        remark: str | None,
    ) -> None:  # fmt: skip
        self._answer("report", Reading(None, muscle, mood, answer, remark, command))

    @precondition(lambda self: not self.ended)
    @rule(flag=st.sampled_from(E1 + E2 + E3), mood=st.sampled_from([None, NOT_EASED, WORSE]))
    def red_flag(self, flag: RedFlag, mood: str | None) -> None:
        # "still tight and my chest is tight": the flag wins over the mood.
        was_escalated = self._dialog().progress.escalation
        turn = self._answer("report", Reading(flag=flag, mood=mood), flag=flag)
        card = turn.card.title if turn.card else None
        if flag.level == "E1":
            assert turn.end_session and card == C.escalations["E1"]["card_title"]
        elif flag.level == "E2":
            assert card == C.escalations["E2"]["card_title"]
            assert not any(isinstance(s, Countdown) for s in turn.speech)
        elif not was_escalated:
            # Noted, or the same turn escalated further (an E2 supersedes it).
            assert self.progress.e3_reason is not None or self.ended or self.progress.escalation

    @precondition(lambda self: not self.ended)
    @rule(seconds=st.sampled_from([5, 60, 300, 700]))
    def time_passes(self, seconds: int) -> None:
        self.clock.now += seconds

    @precondition(lambda self: self.ended)
    @rule()
    def new_session(self) -> None:
        self.ended = False
        self.e3 = False

    # ----- what must always hold ------------------------------------------------------------

    @invariant()
    def no_step_before_the_emergency_question_is_answered(self) -> None:
        if self.turn is None or (self.before.routine is None and self.progress.routine is None):
            return
        routine = self.progress.routine or self.before.routine
        spoken = plain_text(self.turn.speech)
        later_steps = [s for s in C.routine(routine)[1:] if s.speech in spoken]
        if later_steps and not self.turn.end_session:
            assert self.cleared, f"{later_steps[0].id} spoken before the emergency answer"

    @invariant()
    def worse_pain_never_gets_another_hold(self) -> None:
        if self.turn is not None and self.worse_in == self.routine_id:
            assert not any(isinstance(s, Countdown) for s in self.turn.speech)

    @invariant()
    def an_e3_reason_is_given_at_the_end(self) -> None:
        if self.turn is None or not self.e3:
            return
        spoken = plain_text(self.turn.speech)
        closing = C.routine(self.before.routine)[-1].speech if self.before.routine else None
        at_the_end = self.turn.end_session or (closing is not None and C.say("last_step") in spoken)
        escalated = self.turn.card is not None and self.turn.card.title in {
            C.escalations[lv]["card_title"] for lv in ("E1", "E2")
        }
        finished = C.say("finished") in spoken
        if at_the_end and not escalated and not finished:
            reasons = C.escalations["E3"]["reasons"].values()
            assert any(r in spoken for r in reasons), spoken


DialogMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
TestDialogStates = DialogMachine.TestCase
