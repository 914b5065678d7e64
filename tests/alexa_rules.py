"""One check for every response the skill produces, against Alexa's published response rules.

`problems(response, request)` lists what is wrong (an empty list means valid); `assert_valid`
fails a test with that list. Every dialog test runs every response through it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

MAX_SPEECH_CHARS = 8000
MAX_BREAK_SECONDS = 10.0
MAX_CARD_CHARS = 8000
# "The total size of your response cannot exceed 24 kilobytes" (Alexa's response format reference);
# counted here as 24,000 bytes of the JSON as sent, the stricter reading.
MAX_RESPONSE_BYTES = 24_000
APL_RENDER = "Alexa.Presentation.APL.RenderDocument"
# SSML tags Alexa supports (amazon:* tags appear with their namespace prefix).
SSML_TAGS = {
    "speak", "break", "p", "s", "emphasis", "prosody", "say-as", "phoneme", "sub", "lang",
    "voice", "w", "audio", "mark", "amazon:effect", "amazon:emotion", "amazon:domain",
    "amazon:auto-breaths", "amazon:breath",
}  # fmt: skip
BREAK_STRENGTHS = {"none", "x-weak", "weak", "medium", "strong", "x-strong"}
# Requests after which the session must close with no reprompt.
CLOSING_INTENTS = {"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"}


def _break_seconds(value: str) -> float | None:
    found = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)", value)
    if not found:
        return None
    amount = float(found.group(1))
    return amount / 1000 if found.group(2) == "ms" else amount


def speech_problems(speech: Any, where: str) -> list[str]:
    if not isinstance(speech, dict):
        return [f"{where}: not an object"]
    kind = speech.get("type")
    if kind == "PlainText":
        text = speech.get("text")
        if not isinstance(text, str) or not text.strip():
            return [f"{where}: PlainText without text"]
        return [f"{where}: {len(text)} characters"] if len(text) >= MAX_SPEECH_CHARS else []
    if kind != "SSML":
        return [f"{where}: unknown type {kind!r}"]
    ssml = speech.get("ssml")
    if not isinstance(ssml, str):
        return [f"{where}: SSML without ssml"]
    found = []
    if len(ssml) >= MAX_SPEECH_CHARS:
        found.append(f"{where}: {len(ssml)} characters")
    # ElementTree needs the amazon: prefix bound to parse; Alexa does not require it declared.
    xml = ssml.replace("<speak>", '<speak xmlns:amazon="urn:amazon">', 1)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        return [*found, f"{where}: SSML is not well-formed XML ({error})"]
    if root.tag != "speak":
        found.append(f"{where}: root element is {root.tag!r}, not speak")
    if not "".join(root.itertext()).strip():
        found.append(f"{where}: SSML says nothing")
    for element in root.iter():
        tag = element.tag.replace("{urn:amazon}", "amazon:")
        if tag not in SSML_TAGS:
            found.append(f"{where}: unsupported SSML tag <{tag}>")
        if tag == "break":
            time_value = element.get("time")
            strength = element.get("strength")
            if time_value is not None:
                seconds = _break_seconds(time_value)
                if seconds is None or seconds > MAX_BREAK_SECONDS:
                    found.append(f"{where}: break time {time_value!r} over 10 s or malformed")
            elif strength not in BREAK_STRENGTHS:
                found.append(f"{where}: break without a valid time or strength")
    return found


def _supports_apl(request: Any) -> bool:
    context = request.get("context") if isinstance(request, dict) else None
    device = (context or {}).get("System", {}).get("device", {})
    return "Alexa.Presentation.APL" in (device.get("supportedInterfaces") or {})


def _render_problems(directive: dict[str, Any], where: str) -> list[str]:
    document = directive.get("document")
    found = []
    if not isinstance(directive.get("token"), str) or not directive["token"]:
        found.append(f"{where}: RenderDocument needs a token")
    if not isinstance(document, dict) or document.get("type") != "APL":
        found.append(f"{where}: RenderDocument needs an APL document")
    elif not isinstance(document.get("version"), str) or "mainTemplate" not in document:
        found.append(f"{where}: the APL document needs a version and a mainTemplate")
    if not isinstance(directive.get("datasources", {}), dict):
        found.append(f"{where}: datasources is not an object")
    return found


def _directive_problems(directives: Any, request: Any = None) -> list[str]:
    if not isinstance(directives, list):
        return ["directives: not a list"]
    found = []
    for i, directive in enumerate(directives):
        if not isinstance(directive, dict) or not isinstance(directive.get("type"), str):
            found.append(f"directives[{i}]: no type")
            continue
        if directive["type"] == "Connections.SendRequest":
            if not isinstance(directive.get("name"), str) or not isinstance(
                directive.get("payload"), dict
            ):
                found.append(f"directives[{i}]: SendRequest needs a name and a payload")
            if not isinstance(directive.get("token"), str):
                found.append(f"directives[{i}]: SendRequest needs a token")
        if directive["type"].startswith("Alexa.Presentation.APL.") and not _supports_apl(request):
            found.append(f"directives[{i}]: an APL directive to a device without APL")
        if directive["type"] == APL_RENDER:
            found += _render_problems(directive, f"directives[{i}]")
    return found


def _request_kind(request: Any) -> tuple[str | None, str | None]:
    body = request.get("request", {}) if isinstance(request, dict) else {}
    intent = body.get("intent", {}) if isinstance(body, dict) else {}
    return body.get("type"), intent.get("name") if isinstance(intent, dict) else None


def problems(response: Any, request: Any = None) -> list[str]:
    if not isinstance(response, dict):
        return ["response envelope is not an object"]
    found = []
    if response.get("version") != "1.0":
        found.append(f"version is {response.get('version')!r}")
    attributes = response.get("sessionAttributes")
    if attributes is not None and not isinstance(attributes, dict):
        found.append("sessionAttributes is not an object")
    body = response.get("response")
    if not isinstance(body, dict):
        return [*found, "no response object"]
    request_type, intent = _request_kind(request)
    if request_type == "SessionEndedRequest":
        if body.get("outputSpeech") or body.get("reprompt"):
            found.append("a SessionEndedRequest must get no speech")
        return found
    if "outputSpeech" in body:
        found += speech_problems(body["outputSpeech"], "outputSpeech")
    reprompt = body.get("reprompt")
    if reprompt is not None:
        found += speech_problems(
            reprompt.get("outputSpeech") if isinstance(reprompt, dict) else None, "reprompt"
        )
    end = body.get("shouldEndSession")
    if end is False and reprompt is None:
        found.append("session left open without a reprompt")
    if end is not False and reprompt is not None:
        found.append("a reprompt on a response that does not keep the session open")
    if intent in CLOSING_INTENTS and end is not True:
        found.append(f"{intent} must end the session")
    card = body.get("card")
    if card is not None:
        if not isinstance(card, dict) or card.get("type") not in {"Simple", "Standard"}:
            found.append("card has no valid type")
        else:
            text = str(card.get("title", "")) + str(card.get("content", card.get("text", "")))
            if len(text) > MAX_CARD_CHARS:
                found.append(f"card has {len(text)} characters")
    if "directives" in body:
        found += _directive_problems(body["directives"], request)
    size = len(json.dumps(response).encode())
    if size > MAX_RESPONSE_BYTES:
        found.append(f"the response is {size} bytes; Alexa allows 24 KB")
    return found


def assert_valid(response: Any, request: Any = None) -> None:
    found = problems(response, request)
    assert not found, "response breaks Alexa's rules: " + "; ".join(found)
