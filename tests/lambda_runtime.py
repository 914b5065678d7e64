"""A Python like Lambda's runtime, and running an unpacked Lambda bundle in it.

The fixture ``lambda_like_python`` is a fresh virtual environment holding only what the Lambda
Python runtime has beside the function's code: boto3 (session-scoped: the deploy tests and the
installed-wheel tests share it).
"""

from __future__ import annotations

import json
import platform
import subprocess
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from alexa_rules import assert_valid
from probes import run_probe

from skill.assembly import SKILL_ID_ENV

PLACEHOLDER_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"

_LAMBDA_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def host_arch() -> str:
    machine = platform.machine().lower()
    arch = _LAMBDA_ARCH.get(machine)
    assert arch, f"Lambda has no {machine} architecture to test the bundle on"
    return arch


@pytest.fixture(scope="session")
def lambda_like_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only what the Lambda Python runtime has: boto3."""
    home = tmp_path_factory.mktemp("runtime-venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "boto3"],
        check=True,
    )
    return python


def launch_request() -> dict[str, Any]:
    """A LaunchRequest as Alexa sends it (ids shortened, the skill ID the placeholder)."""
    application = {"applicationId": PLACEHOLDER_SKILL_ID}
    user = {"userId": "amzn1.ask.account.TESTUSER"}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.test-session",
            "application": application,
            "attributes": {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {
                    "deviceId": "amzn1.ask.device.TESTDEVICE",
                    "supportedInterfaces": {},
                },
                # Nothing listens here: a launch must not need the Alexa service APIs.
                "apiEndpoint": "http://127.0.0.1:9",
                "apiAccessToken": "test-access-token",
            },
        },
        "request": {
            "type": "LaunchRequest",
            "requestId": "amzn1.echo-api.request.test-request",
            "timestamp": "2026-01-01T07:00:00Z",
            "locale": "en-US",
            "shouldLinkResultBeReturned": False,
        },
    }


# Runs inside the Lambda-like venv: import the handler as Lambda does, answer one request, and say
# where everything came from and what got imported.
_INVOKE = """
import importlib.util, json, sys, time
started = time.perf_counter()
import lambda_function
import_seconds = time.perf_counter() - started
response = lambda_function.lambda_handler(json.loads(sys.stdin.read()), None)
loaded = sorted({name.split(".")[0] for name in sys.modules})
import skill
import ask_sdk_dynamodb.adapter  # the DynamoDB store's SDK part, on the runtime's boto3
import boto3
print(json.dumps({
    "response": response,
    "import_seconds": import_seconds,
    "loaded": loaded,
    "skill": skill.__file__,
    "adapter": ask_sdk_dynamodb.adapter.__file__,
    "boto3": boto3.__file__,
    "flask_importable": importlib.util.find_spec("flask") is not None,
}))
"""


def invoke_unpacked_bundle(python: Path, bundle: Path, task_root: Path) -> dict[str, Any]:
    """Unpacks `bundle` into `task_root` as Lambda does into /var/task, then answers one
    LaunchRequest with it in `python`; the report of _INVOKE."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(task_root)
    env = {
        "PYTHONPATH": str(task_root),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "LANG": "C.UTF-8",
        SKILL_ID_ENV: PLACEHOLDER_SKILL_ID,
    }
    return run_probe(
        _INVOKE, python=python, stdin=json.dumps(launch_request()), env=env, cwd=task_root
    )


def assert_answers_from_the_bundle_alone(report: dict[str, Any], task_root: Path) -> None:
    """The response is valid and spoken, and came from the bundle with the runtime's boto3."""
    response = report["response"]
    assert_valid(response)
    assert response["response"]["outputSpeech"]["ssml"]
    assert Path(report["skill"]).is_relative_to(task_root)
    assert Path(report["adapter"]).is_relative_to(task_root)
    assert not Path(report["boto3"]).is_relative_to(task_root)
    assert not report["flask_importable"]
    heavy = {"flask", "flask_ask_sdk", "ask_sdk_webservice_support", "boto3", "botocore"}
    assert not heavy.intersection(report["loaded"])
