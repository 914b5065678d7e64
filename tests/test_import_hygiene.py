"""The Lambda handler's imports stay light: never the web stack, the AWS SDK only when used.

Every cold start pays for what `import lambda_function` pulls in, so each check runs in a fresh
interpreter: what the test process itself has imported cannot hide or fake anything.
"""

from __future__ import annotations
import __future__

import inspect
import json
import os
import sys
from pathlib import Path
from typing import Any

import ask_sdk_model.services
import pytest
from dynamodb_server import dynamodb_client
from probes import run_probe

from skill import lazy_services
from skill.content import content_for
from skill.simulator.envelopes import EnvelopeFactory
from skill.storage import TABLE_ENV

ROOT = Path(__file__).resolve().parent.parent
#: The self-hosted web service and its request verifier: never needed on Lambda.
WEB_STACK = ("flask", "werkzeug", "flask_ask_sdk", "certvalidator", "oscrypto")
#: The DynamoDB store's libraries (~300 ms of imports): only when a table is configured.
AWS_SDK = ("boto3", "botocore", "ask_sdk_dynamodb")
#: The HTTP client for Alexa's service APIs (Timers): only when one is called.
HTTP_CLIENT = ("requests",)
#: Alexa's service clients and their models (~50 ms): only when the timer step calls one.
SERVICE_CLIENTS = ("ask_sdk_model.services.service_client_factory",)

# Imports the handler as the Lambda runtime does, then answers the envelope given as argv[2];
# reports which watched modules were loaded after each step.
_PROBE = """
import json
import sys

watched = json.loads(sys.argv[3])
sys.path.insert(0, sys.argv[1])
import lambda_function

report = {"after_import": [name for name in watched if name in sys.modules]}
response = lambda_function.lambda_handler(json.loads(sys.argv[2]), None)
report["after_request"] = [name for name in watched if name in sys.modules]
report["response"] = response
print(json.dumps(report))
"""


def _run_handler(env: dict[str, str]) -> dict[str, Any]:
    # Nothing listens on port 9: a launch must not need the Alexa service APIs.
    envelope = EnvelopeFactory(api_endpoint="http://127.0.0.1:9").launch()
    watched = [*WEB_STACK, *AWS_SDK, *HTTP_CLIENT, *SERVICE_CLIENTS]
    report = run_probe(
        _PROBE, str(ROOT / "lambda"), json.dumps(envelope), json.dumps(watched), cwd=ROOT, env=env
    )
    assert report["response"]["response"]["outputSpeech"]["ssml"]
    return report


def test_without_a_table_neither_import_nor_request_loads_the_web_stack_or_aws_sdk() -> None:
    env = {name: value for name, value in os.environ.items() if name != TABLE_ENV}

    report = _run_handler(env)

    assert report["after_import"] == []
    assert report["after_request"] == []


def test_with_a_table_the_aws_sdk_waits_for_the_first_request(
    dynamodb_endpoint: str, dynamodb_table: str
) -> None:
    # dynamodb_table has pointed boto3's standard configuration (environment) at the server.
    env = {**os.environ, TABLE_ENV: dynamodb_table}

    report = _run_handler(env)

    assert report["after_import"] == []
    # The control: the request did load the SDK and use the table, so the check above is real.
    assert set(AWS_SDK) <= set(report["after_request"])
    assert not set(WEB_STACK) & set(report["after_request"])
    items = dynamodb_client(dynamodb_endpoint).scan(TableName=dynamodb_table, Select="COUNT")
    assert items["Count"] > 0


# Runs the dialog to the cold-pack timer in a fresh process that imported the handler first, as
# on Lambda, against the Timers API stand-in; reports when the service clients were loaded.
_TIMER_PROBE = """
import json
import sys

sys.path.insert(0, sys.argv[1])
import lambda_function

from skill.locale_models import model_path
from skill.simulator.chat import ChatSession
from skill.simulator.envelopes import EnvelopeFactory
from skill.simulator.matcher import UtteranceMatcher
from skill.simulator.timers_api import TimersApi
from skill.timers import TIMERS_SCOPE

factory = "ask_sdk_model.services.service_client_factory"
api = TimersApi(token="probe-token").start()
envelopes = EnvelopeFactory(api_endpoint=api.base_url, api_access_token=api.token)
envelopes.granted_scopes.add(TIMERS_SCOPE)
session = ChatSession(
    lambda envelope: lambda_function.lambda_handler(envelope, None),
    UtteranceMatcher.from_files(str(model_path("en-US"))),
    envelopes,
)
report = {"lazy": getattr(sys.modules["ask_sdk_model.services"], "__lazy_services__", False)}
for said in ("ask cramp coach to help with my calf", "no", "go to step 4"):
    session.say(said)
report["before_timer"] = factory in sys.modules
report["reply"] = session.say("yes").text
report["after_timer"] = factory in sys.modules
report["calls"] = [method for method, _, _ in api.calls]
api.stop()
print(json.dumps(report))
"""


def test_service_clients_load_when_the_timer_step_calls_the_timers_api() -> None:
    env = {name: value for name, value in os.environ.items() if name != TABLE_ENV}
    report = run_probe(_TIMER_PROBE, str(ROOT / "lambda"), cwd=ROOT, env=env)
    assert report["lazy"] is True
    assert report["before_timer"] is False
    assert report["after_timer"] is True
    assert report["calls"] == ["POST"]
    minutes = content_for("en-US").routine("calf")[3].timer_minutes
    assert report["reply"].startswith(content_for("en-US").say("timer_set", minutes=minutes))


def test_the_lazy_services_package_offers_every_name_the_sdk_exports() -> None:
    # This process imported the SDK's own package; the lazy one must offer the same names.
    real = ask_sdk_model.services
    source = Path(inspect.getfile(real)).read_text(encoding="utf-8")
    names = lazy_services.exports(source)
    assert names is not None
    exported = {
        name
        for name, value in vars(real).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and not isinstance(value, type(__future__.absolute_import))  # its own future import
    }
    assert set(names) == exported
    for name, module in names.items():
        assert getattr(real, name).__module__ == f"{lazy_services.PACKAGE}.{module}"


@pytest.mark.parametrize(
    "source",
    [
        "from .api_client import ApiClient\n",  # no factory: nothing worth deferring
        "from .service_client_factory import ServiceClientFactory\nimport os\n",
        "from .service_client_factory import *\n",
    ],
)
def test_an_init_of_another_shape_leaves_the_sdk_alone(source: str) -> None:
    assert lazy_services.exports(source) is None


def test_install_leaves_an_already_imported_sdk_package_alone() -> None:
    before = sys.modules[lazy_services.PACKAGE]
    assert lazy_services.install() is False
    assert sys.modules[lazy_services.PACKAGE] is before is ask_sdk_model.services
