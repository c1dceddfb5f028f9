"""The request layer shared by every call: headers, timeout, retries, one session per process.

It behaves like the Graviti SDK's ``graviti.openapi.requests.open_api_do`` on
the wire, with three deliberate differences:

- ``X-Source`` is ``graviti-mock-client/<version>`` instead of
  ``PYTHON-SDK/<version>``, so a server log tells this client from the SDK.
- A trailing slash on ``url`` is tolerated (the SDK's low-level functions
  would send ``//v2/...``; only its ``Workspace`` strips it).
- An error body that is not a JSON object still gives a ``ResponseError``
  (see ``client.exceptions``) instead of a decode error.

Everything else is the SDK's: ``X-Token`` and a fresh ``X-Request-Id``
(uuid4 hex) on every call, a 30 s timeout, urllib3 retries of HEAD, OPTIONS,
POST and PUT (never GET, PATCH or DELETE) up to 3 times on 429, 500, 502, 503
and 504, only 200 and 201 counted as success, and one keep-alive
``requests.Session`` per process id so that forked workers never share sockets.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, TypeAlias
from uuid import uuid4

from requests import Response, Session
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from client._version import __version__
from client.exceptions import ResponseError, error_from_response

__all__ = [
    "DEFAULT_TIMEOUT",
    "X_SOURCE",
    "Rows",
    "SortParam",
    "endpoint",
    "get_session",
    "json_integer",
    "json_object",
    "open_api_do",
]

# The SDK's ``graviti.utility.SortParam``: one key, or several sent as a repeated parameter.
SortParam: TypeAlias = str | Iterable[str] | None
# The rows of add/update calls, as the SDK types them.
Rows: TypeAlias = list[dict[str, Any]] | tuple[dict[str, Any], ...]

X_SOURCE = f"graviti-mock-client/{__version__}"
DEFAULT_TIMEOUT = 30.0

MAX_RETRIES = 3
RETRY_METHODS = ("HEAD", "OPTIONS", "POST", "PUT")
RETRY_STATUSES = (429, 500, 502, 503, 504)
# The SDK's adapter sizes: up to 20 hosts, 20 keep-alive connections each.
_POOL_CONNECTIONS = 20
_POOL_MAXSIZE = 20

_SUCCESS = (200, 201)

_SESSIONS: dict[int, Session] = {}


def _new_session() -> Session:
    retry = Retry(
        total=MAX_RETRIES,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        # Hand the last response back after the final retry, so it becomes a
        # ResponseError with its body instead of urllib3's MaxRetryError.
        raise_on_status=False,
    )
    session = Session()
    for prefix in ("http://", "https://"):
        session.mount(
            prefix,
            HTTPAdapter(
                pool_connections=_POOL_CONNECTIONS, pool_maxsize=_POOL_MAXSIZE, max_retries=retry
            ),
        )
    return session


def get_session() -> Session:
    """Return this process's session, creating it on first use (and after a fork)."""
    pid = os.getpid()
    session = _SESSIONS.get(pid)
    if session is None:
        # Two threads racing here may each build one; setdefault keeps the first.
        session = _SESSIONS.setdefault(pid, _new_session())
    return session


def endpoint(url: str, path: str) -> str:
    """Join the site root ``url`` (trailing slashes allowed) and an absolute ``path``."""
    return url.rstrip("/") + path


def open_api_do(
    method: str,
    access_key: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    json: dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Response:
    """Send one OpenAPI request to the full ``url`` and return the 200 or 201 response.

    Query parameters are encoded by requests, as the SDK's are: a None value is
    left out, a boolean is written as ``True``/``False``, a list (any iterable
    but a string) repeats the key, and ``|``, ``:`` and the like are
    percent-encoded. A JSON body is sent whenever ``json`` is not None, an
    empty dict included, whatever the method (DELETE too); with ``json`` None
    there is neither a body nor a Content-Type.

    Raises:
        ResponseError: Or the subclass picked by (status, code), for any other status.
        requests.RequestException: When no response arrived at all.
    """
    headers = {
        "X-Token": access_key,
        "X-Source": X_SOURCE,
        "X-Request-Id": uuid4().hex,
    }
    response = get_session().request(
        method, url, params=params, json=json, headers=headers, timeout=timeout
    )
    if response.status_code not in _SUCCESS:
        raise error_from_response(response)
    return response


def json_object(response: Response) -> dict[str, Any]:
    """The JSON object in the body of a successful ``response``.

    Raises:
        ResponseError: With ``code`` None, when the body is not a JSON object.
    """
    body = _json_body(response)
    if not isinstance(body, dict):
        raise _unexpected_body(response, "a JSON object")
    return body


def json_integer(response: Response) -> int:
    """The bare JSON integer in the body of a successful ``response``.

    Raises:
        ResponseError: With ``code`` None, when the body is not a JSON integer.
    """
    body = _json_body(response)
    # bool is an int subclass, but ``true`` is not a count.
    if not isinstance(body, int) or isinstance(body, bool):
        raise _unexpected_body(response, "a JSON integer")
    return body


def _json_body(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:  # requests' JSONDecodeError, also raised for undecodable bytes
        return None


def _unexpected_body(response: Response, expected: str) -> ResponseError:
    return ResponseError(
        f"expected {expected} in the body, got {response.text[:200]!r}",
        response=response,
        status_code=response.status_code,
    )
