"""Each question the skill asks, and what every kind of answer means there.

The dialog stores the key of the question it last asked (Progress.pending); an answer (yes, no,
unsure, how the cramp feels, a muscle, "next", words it did not catch) goes to that question's
method. One class per question: one place to read what an answer does, one to add a new way of
answering. Red flags never reach a question: the dialog escalates them first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from skill.understanding.meaning import EASED, NOT_EASED, WORSE, Reading

if TYPE_CHECKING:
    from skill.dialog import Dialog, Turn


class Question:
    key: ClassVar[str | None] = None
    # Navigation ("go to step 3", "go back", "start over") cannot pass this question.
    holds_position: ClassVar[bool] = False

    def reprompt(self, d: Dialog) -> str:
        return d.step_question()

    def again(self, d: Dialog) -> Turn:
        """Ask this question again, briefly."""
        return d.stay([])

    def yes(self, d: Dialog) -> Turn:
        return d.stay([d.content.say("noted")])

    def no(self, d: Dialog) -> Turn:
        return d.stay([d.content.say("noted")])

    def unsure(self, d: Dialog) -> Turn:
        return self.again(d)

    def mood(self, d: Dialog, mood: str) -> Turn:
        if mood == WORSE:
            return d.pain_worse()
        return d.stay([d.content.say("feeling_better" if mood == EASED else "noted")])

    def muscle(self, d: Dialog, muscle: str) -> Turn:
        return d.stay([d.content.say("noted")])

    def next(self, d: Dialog) -> Turn:
        return d.advance()

    def missed(self, d: Dialog) -> Turn:
        """Words the skill could not place (a FallbackIntent): keep the step, offer help."""
        return d.safety_net()

    def report(self, d: Dialog, reading: Reading) -> Turn:
        """A free-form report with no red flag in it: the first thing it says that counts here
        (an answer to the question, then how it feels, a remark, a muscle).
        """
        if reading.answer is not None:
            return self.answer(d, reading)
        if reading.command is not None:
            return d.command(reading.command, reading.number)
        if reading.mood is not None:
            return self.mood(d, reading.mood)
        if reading.remark is not None:
            return d.remark(reading.remark)
        if reading.muscle is not None:
            return self.muscle(d, reading.muscle)
        return d.stay([d.content.say("noted")])

    def answer(self, d: Dialog, reading: Reading) -> Turn:
        if reading.answer == "yes":
            return self.yes(d)
        if reading.answer == "no":
            return self.no(d)
        return self.unsure(d)


class Holding(Question):
    """A question nothing moves past but its answers: anything else asks it again."""

    holds_position = True

    def mood(self, d: Dialog, mood: str) -> Turn:
        return self.again(d)

    def muscle(self, d: Dialog, muscle: str) -> Turn:
        return self.again(d)

    def next(self, d: Dialog) -> Turn:
        return self.again(d)

    def missed(self, d: Dialog) -> Turn:
        return self.again(d)


class OnStep(Question):
    """No question: a step was given and "say next when you're ready"."""

    def muscle(self, d: Dialog, muscle: str) -> Turn:
        if muscle != d.progress.routine:
            return d.start(muscle)  # another muscle has cramped: its own routine
        return super().muscle(d, muscle)

    def report(self, d: Dialog, reading: Reading) -> Turn:
        # "Now my hamstring's cramping": a new cramp, not a remark about this one.
        cramping = reading.mood in {NOT_EASED, WORSE}
        if cramping and reading.muscle is not None and reading.muscle != d.progress.routine:
            return self.muscle(d, reading.muscle)
        # No question is open, so "yep, done that" is a request more than an answer.
        if reading.command is not None:
            return d.command(reading.command, reading.number)
        # At a step, how it feels matters more than a stray yes or no ("no, it's worse").
        if reading.mood is not None and reading.command is None:
            return self.mood(d, reading.mood)
        return super().report(d, reading)


class WhichMuscle(Question):
    key = "muscle"

    def reprompt(self, d: Dialog) -> str:
        return d.content.say("ask_muscle_reprompt")

    def again(self, d: Dialog) -> Turn:
        return d.start(None)

    def yes(self, d: Dialog) -> Turn:
        return d.start(None)

    def no(self, d: Dialog) -> Turn:
        return d.start(None)

    def mood(self, d: Dialog, mood: str) -> Turn:
        return d.start(None)

    def muscle(self, d: Dialog, muscle: str) -> Turn:
        return d.start(muscle)

    def next(self, d: Dialog) -> Turn:
        return d.start(None)

    def missed(self, d: Dialog) -> Turn:
        # Asked once already: a general routine beats a second question to someone in pain.
        return d.start(None)

    def report(self, d: Dialog, reading: Reading) -> Turn:
        return d.start(reading.muscle)


class Emergency(Holding):
    """ "Any chest pain, trouble breathing, confusion, fainting or vomiting?" Nothing passes it
    but a no.
    """

    key = "emergency_check"

    def reprompt(self, d: Dialog) -> str:
        return d.content.say("emergency_question_again")

    def again(self, d: Dialog) -> Turn:
        return d.ask_emergency_again()

    def yes(self, d: Dialog) -> Turn:
        return d.escalate_level("E1", "check_yes")

    def no(self, d: Dialog) -> Turn:
        return d.emergency_clear()

    def unsure(self, d: Dialog) -> Turn:
        return d.ask_emergency_again([d.content.say("emergency_unsure")], then=EmergencyUnsure)

    def missed(self, d: Dialog) -> Turn:
        if d.misses() >= 2:
            return d.ask_emergency_again([d.content.say("emergency_missed_twice")])
        return self.again(d)

    def report(self, d: Dialog, reading: Reading) -> Turn:
        # Only an answer answers it ("I'm fine" is a no; "a bit better" is not).
        return self.answer(d, reading) if reading.answer else self.again(d)


class EmergencyUnsure(Emergency):
    """Unsure once, and told to treat "not sure" as yes: unsure again is a yes."""

    key = "emergency_unsure"

    def unsure(self, d: Dialog) -> Turn:
        return d.escalate_level("E1", "check_yes")


class Eased(Question):
    """ "Has it eased?" after a counted hold."""

    key = "eased"

    def reprompt(self, d: Dialog) -> str:
        return d.content.say("hold_question_reprompt")

    def again(self, d: Dialog) -> Turn:
        return d.stay([])

    def yes(self, d: Dialog) -> Turn:
        return d.advance(prefix=[d.content.say("eased")])

    def no(self, d: Dialog) -> Turn:
        return d.hold_again()

    def unsure(self, d: Dialog) -> Turn:
        return d.hold_again()

    def mood(self, d: Dialog, mood: str) -> Turn:
        if mood == EASED:
            return self.yes(d)
        if mood == NOT_EASED:
            return self.no(d)
        return d.pain_worse()

    def report(self, d: Dialog, reading: Reading) -> Turn:
        # How it feels says more than a yes or no here ("yes it's still tight" is not eased),
        # unless they asked for something ("it's fine now, next").
        if reading.command is not None:
            return d.command(reading.command, reading.number)
        if reading.mood is not None:
            return self.mood(d, reading.mood)
        return super().report(d, reading)


class SetTimer(Question):
    """ "Shall I set a timer?" for the cold pack."""

    key = "timer"

    def yes(self, d: Dialog) -> Turn:
        return d.wants_timer_set()

    def no(self, d: Dialog) -> Turn:
        return d.skip_timer()


class TimerConsent(SetTimer):
    """Alexa is asking for timer permission; its answer comes as a Connections.Response."""

    key = "timer_consent"


class Tips(Question):
    """ "Would you like a tip to prevent cramps?" (or "Another tip?")."""

    key = "tips"

    def reprompt(self, d: Dialog) -> str:
        return d.content.say("tip_more") if d.progress.tip else d.step_question()

    def yes(self, d: Dialog) -> Turn:
        return d.tip()

    def no(self, d: Dialog) -> Turn:
        return d.finish()

    def next(self, d: Dialog) -> Turn:
        return d.finish()


class RepeatEscalation(Holding):
    """After an E2: "Shall I repeat that?" The stretches stay stopped."""

    key = "escalation_repeat"

    def reprompt(self, d: Dialog) -> str:
        return d.content.say("escalation_repeat_question")

    def again(self, d: Dialog) -> Turn:
        return d.escalation_hold()

    def yes(self, d: Dialog) -> Turn:
        return d.escalation_turn()

    def no(self, d: Dialog) -> Turn:
        return d.escalation_goodbye()


class Resume(Holding):
    """ "You were on step 4 of the calf routine: cold pack. Shall we carry on?" """

    key = "resume"

    def reprompt(self, d: Dialog) -> str:
        return d.content.say("resume_reprompt")

    def again(self, d: Dialog) -> Turn:
        return d.stay([])

    def yes(self, d: Dialog) -> Turn:
        return d.carry_on()

    def no(self, d: Dialog) -> Turn:
        return d.fresh_start()

    def muscle(self, d: Dialog, muscle: str) -> Turn:
        return d.start(muscle)

    def next(self, d: Dialog) -> Turn:
        return d.carry_on()


QUESTIONS: dict[str | None, Question] = {
    q.key: q
    for q in (
        OnStep(),
        WhichMuscle(),
        Emergency(),
        EmergencyUnsure(),
        Eased(),
        SetTimer(),
        TimerConsent(),
        Tips(),
        RepeatEscalation(),
        Resume(),
    )
}
