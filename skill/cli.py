"""The `cramp-coach` command: chat (terminal simulator) and serve (self-hosted web service)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from skill.assembly import SKILL_ID_ENV

DB_HELP = (
    "SQLite file for progress and preferences (default: $CRAMP_COACH_DB, else "
    "~/.local/share/cramp-coach/state.sqlite3); DynamoDB instead when "
    "CRAMP_COACH_DYNAMODB_TABLE is set"
)


def _chat(args: argparse.Namespace) -> int:
    from skill.assembly import build_skill
    from skill.lambda_entry import handle_event
    from skill.locale_models import DEFAULT_LOCALE, model_path
    from skill.simulator.chat import ChatSession, Speaker, prompted_lines, run_chat
    from skill.simulator.envelopes import DEFAULT_SKILL_ID, EnvelopeFactory
    from skill.simulator.matcher import UtteranceMatcher
    from skill.simulator.timers_api import TimersApi
    from skill.storage import open_store

    model = args.model or model_path(args.locale)
    if not args.model and not os.path.exists(model):
        # Alexa has no model for this locale; understand the runner with en-US, as the skill
        # answers any locale with shared English.
        model = model_path(DEFAULT_LOCALE)
    if not os.path.exists(model):
        print(f"No interaction model at {model}; pass --model PATH.", file=sys.stderr)
        return 2
    skill = build_skill(store=open_store(db_path=args.db))
    envelopes = EnvelopeFactory(
        locale=args.locale,
        skill_id=os.environ.get(SKILL_ID_ENV) or DEFAULT_SKILL_ID,
        user_id=args.user,
        screen=args.screen,
    )
    # No Echo here: the cold-pack timer goes to a Timers API stand-in on this machine.
    timers_api = TimersApi(token=envelopes.api_access_token).start()
    envelopes.api_endpoint = timers_api.base_url
    session = ChatSession(
        handler=lambda envelope: handle_event(skill, envelope),
        matcher=UtteranceMatcher.from_files(str(model)),
        envelopes=envelopes,
    )
    interactive = sys.stdin.isatty()
    lines = prompted_lines() if interactive else sys.stdin
    speaker = Speaker(sys.stderr) if args.speak else None
    try:
        return run_chat(session, lines, sys.stdout, interactive=interactive, speaker=speaker)
    finally:
        timers_api.stop()


def _serve(args: argparse.Namespace) -> int:
    from skill.extras import require

    require("web", "cramp-coach serve")
    from skill.web import serve

    serve(args.host, args.port, verify=not args.no_verify, db_path=args.db)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="cramp-coach", description="Cramp Coach, the Alexa skill for a runner with a cramp."
    )
    top.add_argument("-v", "--verbose", action="store_true", help="show the skill's log on stderr")
    commands = top.add_subparsers(dest="command", required=True)

    chat = commands.add_parser("chat", help="talk to the skill in the terminal")
    chat.add_argument("--locale", default="en-US", help="request locale (default en-US)")
    chat.add_argument("--model", help="interaction model JSON (default: the locale's model)")
    chat.add_argument("--speak", action="store_true", help="read replies aloud with espeak-ng")
    chat.add_argument(
        "--screen",
        action="store_true",
        help="be a device with a screen (Echo Show): print what it shows; type [next], "
        "[previous], [repeat], [yes] or [no] to press its buttons",
    )
    chat.add_argument("--db", help=DB_HELP)
    chat.add_argument(
        "--user",
        default="amzn1.ask.account.simulated-runner",
        help="the simulated Alexa user id (progress is kept per user)",
    )
    chat.set_defaults(run=_chat)

    serve = commands.add_parser("serve", help="serve the skill over HTTP at POST /alexa")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--no-verify",
        action="store_true",
        help="turn off Alexa request signature and timestamp checks (local testing only)",
    )
    serve.add_argument("--db", help=DB_HELP)
    serve.set_defaults(run=_serve)
    from skill.packaging import register_cli

    register_cli(commands)
    from skill.script.command import register_cli as register_script

    register_script(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "serve":
        from skill.request_log import configure_json_logging

        # A service's log is read by machines: one JSON line per request (see request_log).
        configure_json_logging(logging.INFO)
    else:
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            stream=sys.stderr,
            format="%(levelname)s %(name)s: %(message)s",
        )
    from skill.extras import MissingExtra

    try:
        code: int = args.run(args)
    except MissingExtra as missing:
        print(missing, file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
