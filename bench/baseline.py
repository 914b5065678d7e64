"""The hello-world baseline: the smallest skill on the same SDK, written out by the benchmark.

It follows the SDK's own hello-world sample (one LaunchRequest handler, speech and a card, the
SDK's ``SkillBuilder.lambda_handler()``), so the ratios compare Cramp Coach with what any skill on
ask-sdk-core costs at least.
"""

from __future__ import annotations

from pathlib import Path

MODULE = "hello_skill"

_SOURCE = '''\
"""Hello world on ask-sdk-core: one LaunchRequest handler."""

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model.ui import SimpleCard


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        speech = "Hello world. What would you like to do?"
        return (
            handler_input.response_builder.speak(speech)
            .ask(speech)
            .set_card(SimpleCard("Hello world", speech))
            .response
        )


sb = SkillBuilder()
sb.add_request_handler(LaunchRequestHandler())
lambda_handler = sb.lambda_handler()
'''


def write_baseline(directory: Path) -> Path:
    """Writes the baseline's handler module into ``directory``; returns its path."""
    path = directory / f"{MODULE}.py"
    path.write_text(_SOURCE, encoding="utf-8")
    return path
