"""Request envelopes, built before any timing with the simulator's own builder and matcher.

The envelopes are what the Alexa service would send; building them costs more than some skill
requests, so they are made up front and written as JSON for the measuring processes.
"""

from __future__ import annotations

from typing import Any

from skill.locale_models import model_path
from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.matcher import UtteranceMatcher

LOCALE = "en-US"
# Nothing listens here: the benchmarked requests must not need the Alexa service APIs, and one
# that tried would fail at once instead of waiting on the internet.
API_ENDPOINT = "http://127.0.0.1:9"

#: A typical dialog: open the skill, name the muscle, answer the emergency check, walk the steps,
#: ask for a repeat and help, stop. None stands for the LaunchRequest ("open cramp coach").
DIALOG: tuple[str | None, ...] = (
    None,
    "help with my calf",
    "no",
    *(["next"] * 5),
    "repeat",
    "help",
    "stop",
)


def _factory() -> EnvelopeFactory:
    return EnvelopeFactory(locale=LOCALE, api_endpoint=API_ENDPOINT)


def launch_requests(count: int) -> list[dict[str, Any]]:
    """``count`` LaunchRequests, each from a new user, so a stored state never carries over."""
    envelopes = []
    for _ in range(count):
        factory = _factory()
        factory.begin_session()
        envelopes.append(factory.launch())
    return envelopes


def dialog(passes: int) -> tuple[list[str], list[list[dict[str, Any]]]]:
    """What each turn of :data:`DIALOG` is (request type or intent), and ``passes`` runs of it.

    All runs are by one user, each in a new session. Session attributes are left empty: the
    replay fills each turn's from the previous response, as Alexa does.
    """
    matcher = UtteranceMatcher.from_files(str(model_path(LOCALE)))
    matches = {said: matcher.match(said) for said in DIALOG if said is not None}
    labels = ["LaunchRequest" if said is None else matches[said].intent for said in DIALOG]
    factory = _factory()
    runs = []
    for _ in range(passes):
        factory.begin_session()
        runs.append(
            [factory.launch() if said is None else factory.intent(matches[said]) for said in DIALOG]
        )
    return labels, runs
