"""Keeps the runner's place and preferences across sessions, through a UserStore.

A request interceptor loads them when a session starts; a response interceptor saves whatever
changed. Only where the runner is (routine, step, start time, timer) and two preferences are
ever stored: never a symptom, an answer to a safety question or an escalation. A stopped or
escalated routine is deleted rather than kept.

If the store fails, the session carries on from its own attributes, the fault is logged once per
request, and the next turn tries to save again.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.handlers import DISCLAIMER_HEARD, PROGRESS, RESUME, TIMER_CONSENT_ASKED, session_of
from skill.progress import Progress
from skill.storage import StoreUnavailable, UserStore

log = logging.getLogger(__name__)

PREFERENCES = (DISCLAIMER_HEARD, TIMER_CONSENT_ASKED)
STORE_STATE = "store"  # session key: digests of what the store holds, and whether a save is owed


def stored_progress(progress: Progress) -> dict[str, Any] | None:
    """The part of the progress that may be kept; None when nothing should be."""
    if progress.routine is None or progress.escalation is not None:
        return None
    return {
        "routine": progress.routine,
        "step": progress.step,
        "started_at": progress.started_at,
        "timer": progress.timer,
    }


def _digest(value: object) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


class LoadState(AbstractRequestInterceptor):
    def __init__(self, store: UserStore) -> None:
        self._store = store

    def process(self, handler_input: HandlerInput) -> None:
        session = session_of(handler_input)
        if STORE_STATE in session:
            return  # loaded when this session started; the session is the truth since then
        try:
            progress, prefs = self._store.load(handler_input.request_envelope)
        except StoreUnavailable as error:
            log.warning("state store unavailable; the session keeps its own state (%s)", error)
            session[STORE_STATE] = {"progress": None, "prefs": None, "dirty": True}
            return
        for key in PREFERENCES:
            if prefs.get(key) is True:
                session[key] = True
        kept = Progress.from_session({"v": 1, **progress}) if progress else Progress()
        if stored_progress(kept) is not None:
            handler_input.attributes_manager.request_attributes[RESUME] = kept
        session[STORE_STATE] = {
            "progress": _digest(stored_progress(kept)),
            "prefs": _digest(_prefs(prefs)),
            "dirty": False,
        }


def _prefs(source: dict[str, Any]) -> dict[str, bool]:
    return {key: source.get(key) is True for key in PREFERENCES}


class SaveState(AbstractResponseInterceptor):
    def __init__(self, store: UserStore) -> None:
        self._store = store

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        session = session_of(handler_input)
        state = session.get(STORE_STATE)
        if not isinstance(state, dict):
            state = {"progress": None, "prefs": None, "dirty": True}
        progress = stored_progress(Progress.from_session(session.get(PROGRESS)))
        prefs = _prefs(session)
        envelope = handler_input.request_envelope
        try:
            if state.get("dirty") or _digest(progress) != state.get("progress"):
                self._store.save_progress(envelope, progress)
                state["progress"] = _digest(progress)
            if state.get("dirty") or _digest(prefs) != state.get("prefs"):
                self._store.save_prefs(envelope, prefs)
                state["prefs"] = _digest(prefs)
            state["dirty"] = False
        except StoreUnavailable as error:
            state["dirty"] = True
            log.warning("could not save the runner's place; will retry next turn (%s)", error)
        session[STORE_STATE] = state
