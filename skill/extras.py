"""The optional extras (pyproject.toml) and one clear line when a command needs a missing one.

A plain `pip install cramp-coach` has the core only: `chat` and the Lambda handler. Serving over
HTTP needs the `web` extra, and DynamoDB state the `dynamodb` extra. Their presence is checked by
module name before anything imports them, so a missing one reads as an instruction, not as a
ModuleNotFoundError from deep inside the web stack.
"""

from __future__ import annotations

from importlib.util import find_spec

#: The modules each extra's direct requirements provide, as pyproject.toml lists them
#: (tests/test_extras.py keeps the two in step).
EXTRA_MODULES = {
    "web": ("flask", "flask_ask_sdk", "ask_sdk_webservice_support"),
    "dynamodb": ("boto3", "ask_sdk_dynamodb"),
}


class MissingExtra(Exception):
    """A feature was asked for whose optional extra is not installed."""

    def __init__(self, extra: str, feature: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the {extra} extra ({module} is not installed): "
            f"pip install 'cramp-coach[{extra}]'"
        )
        self.extra = extra
        self.module = module


def require(extra: str, feature: str) -> None:
    """Raises MissingExtra when a module of `extra` cannot be found; imports nothing."""
    for module in EXTRA_MODULES[extra]:
        if find_spec(module) is None:
            raise MissingExtra(extra, feature, module)
