"""An ApiClient for Alexa service APIs (Timers) with short timeouts.

The SDK's DefaultApiClient sets no timeout, so a slow API could hold a response past Alexa's
8-second limit. This one gives every call a connect and a read timeout. Like the SDK's client it
refuses plain HTTP, except to a loopback address: Alexa's apiEndpoint is always HTTPS, and a
loopback endpoint only appears in local tests and the terminal simulator.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import requests
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 2.5


class ApiCallFailed(Exception):
    """The call did not get an HTTP answer (refused, timed out, not allowed)."""


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TimeoutApiClient(ApiClient):
    def __init__(
        self, connect_timeout: float = CONNECT_TIMEOUT_S, read_timeout: float = READ_TIMEOUT_S
    ) -> None:
        self.timeout = (connect_timeout, read_timeout)
        self._session: requests.Session | None = None

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        import requests

        if self._session is None:
            self._session = requests.Session()
        url = urlsplit(request.url or "")
        if url.scheme != "https" and not (url.scheme == "http" and _loopback(url.hostname)):
            raise ApiCallFailed("Alexa APIs are called over HTTPS only")
        headers: dict[str, str] = {}
        for name, value in request.headers or []:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        body: Any = request.body
        if body is not None and not isinstance(body, str | bytes):
            body = json.dumps(body)
        try:
            reply = self._session.request(
                request.method or "GET",
                request.url,
                headers=headers,
                data=body,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            # The message names the failure kind only; URLs can carry ids.
            raise ApiCallFailed(type(error).__name__) from error
        return ApiClientResponse(
            headers=list(reply.headers.items()), status_code=reply.status_code, body=reply.text
        )
