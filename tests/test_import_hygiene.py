"""The Lambda handler's imports stay light: never the web stack, the AWS SDK only when used.

Every cold start pays for what `import lambda_function` pulls in, so each check runs in a fresh
interpreter: what the test process itself has imported cannot hide or fake anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from dynamodb_server import dynamodb_client

from skill.simulator.envelopes import EnvelopeFactory
from skill.storage import TABLE_ENV

ROOT = Path(__file__).resolve().parent.parent
#: The self-hosted web service and its request verifier: never needed on Lambda.
WEB_STACK = ("flask", "werkzeug", "flask_ask_sdk", "certvalidator", "oscrypto")
#: The DynamoDB store's libraries (~300 ms of imports): only when a table is configured.
AWS_SDK = ("boto3", "botocore", "ask_sdk_dynamodb")
#: The HTTP client for Alexa's service APIs (Timers): only when one is called.
HTTP_CLIENT = ("requests",)

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
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _PROBE,
            str(ROOT / "lambda"),
            json.dumps(envelope),
            json.dumps([*WEB_STACK, *AWS_SDK, *HTTP_CLIENT]),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
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
