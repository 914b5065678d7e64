"""The one place that assembles the skill: handlers, persistence and the Alexa API client."""

from __future__ import annotations

import os
import time
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.alexa_api import TimeoutApiClient
from skill.handlers import CatchAllExceptionHandler, Clock, request_handlers
from skill.persistence import LoadState, SaveState
from skill.request_log import ErrorLogged, RequestLogEnd, RequestLogStart
from skill.session_keys import KeepOwnSessionKeys
from skill.storage import UserStore

SKILL_ID_ENV = "CRAMP_COACH_SKILL_ID"


def build_skill(
    *,
    store: UserStore | None = None,
    api_client: Any = None,
    skill_id: str | None = None,
    clock: Clock = time.time,
) -> CustomSkill:
    """The skill, as Lambda and the web service both run it.

    `store` keeps progress and preferences across sessions (None: only for the session).
    `skill_id` defaults to $CRAMP_COACH_SKILL_ID; when set, requests for other skills are refused.
    """
    builder = CustomSkillBuilder(api_client=api_client or TimeoutApiClient())
    for handler in request_handlers(clock):
        builder.add_request_handler(handler)
    builder.add_global_request_interceptor(RequestLogStart())  # first: times the whole request
    builder.add_global_request_interceptor(KeepOwnSessionKeys())  # before any reader
    if store is not None:
        builder.add_global_request_interceptor(LoadState(store))
        builder.add_global_response_interceptor(SaveState(store))
    builder.add_global_response_interceptor(RequestLogEnd())  # last: after the save
    # The SDK skips response interceptors when a handler raises, so the error line is written here.
    builder.add_exception_handler(ErrorLogged(CatchAllExceptionHandler()))
    builder.skill_id = skill_id or os.environ.get(SKILL_ID_ENV) or None  # type: ignore[assignment]
    return builder.create()
