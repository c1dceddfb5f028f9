"""The package's public shape: the SDK's signatures, its exports, its session and timeout."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import graviti.openapi
import pytest
import requests
from requests.adapters import HTTPAdapter

import client
from client import _http

CLIENT_DIR = Path(client.__file__).parent


def sdk_endpoint_functions() -> dict[str, Callable[..., Any]]:
    """Every endpoint function of ``graviti.openapi``, found by walking its modules.

    An endpoint function is a public function defined in one of the package's
    modules whose docstring starts "Execute the OpenAPI", as each of the SDK's does.
    """
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.iter_modules(graviti.openapi.__path__):
        module = importlib.import_module(f"graviti.openapi.{info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and (inspect.getdoc(value) or "").startswith("Execute the OpenAPI")
            ):
                found[name] = value
    return found


SDK_FUNCTIONS = sdk_endpoint_functions()
FUNCTIONS = sorted(SDK_FUNCTIONS)


def test_the_sdk_has_62_endpoint_functions() -> None:
    # The walk above agrees with the SDK's own export list (less its transport
    # helper and constant), so a change in how the SDK is laid out shows here.
    assert set(FUNCTIONS) == set(graviti.openapi.__all__) - {"do", "RECORD_KEY"}
    assert len(FUNCTIONS) == 62


def _normalise(hint: Any) -> Any:
    """Make Optional[str] equal str | None and Dict[str, Any] equal dict[str, Any]."""
    origin = typing.get_origin(hint)
    if origin is None:
        return hint
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return ("union", frozenset(_normalise(arg) for arg in args))
    return (origin, tuple(_normalise(arg) for arg in args))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_client_has_every_endpoint_function(name: str) -> None:
    # Exported at the top and found in the module named as the SDK's.
    assert name in client.__all__
    sdk_module = SDK_FUNCTIONS[name].__module__.rsplit(".", 1)[1]
    ours = getattr(client, name)
    assert ours.__module__ == f"client.{sdk_module}"
    assert name in importlib.import_module(f"client.{sdk_module}").__all__


@pytest.mark.parametrize("name", FUNCTIONS)
def test_signature_matches_the_sdk(name: str) -> None:
    ours, theirs = getattr(client, name), SDK_FUNCTIONS[name]
    our_parameters = list(inspect.signature(ours).parameters.values())
    their_parameters = list(inspect.signature(theirs).parameters.values())
    assert [(p.name, p.kind, p.default) for p in our_parameters] == [
        (p.name, p.kind, p.default) for p in their_parameters
    ]
    our_hints, their_hints = typing.get_type_hints(ours), typing.get_type_hints(theirs)
    assert our_hints.keys() == their_hints.keys()
    for key in their_hints:
        assert _normalise(our_hints[key]) == _normalise(their_hints[key]), key


# Where the SDK's docstring names another endpoint than the one it calls.
SDK_DOCSTRING_SLIPS = {
    "get_draft_sheet": (
        "GET /v2/datasets/{workspace}/{dataset}/drafts/{draft_number}/sheets/{sheet}"
    ),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_docstring_names_the_endpoint(name: str) -> None:
    # The SDK's docstring names the endpoint as "Execute the OpenAPI `METHOD /path`",
    # some of them wrapped over two lines.
    sdk_doc = inspect.getdoc(SDK_FUNCTIONS[name]) or ""
    method, path = sdk_doc.split("`")[1].split(" ", 1)
    endpoint = SDK_DOCSTRING_SLIPS.get(name, method + " " + re.sub(r"\s+", "", path))
    first_line = (inspect.getdoc(getattr(client, name)) or "").splitlines()[0]
    assert first_line.startswith(f"Execute the OpenAPI ``{endpoint}``")


def test_iter_datasets_signature() -> None:
    parameters = inspect.signature(client.iter_datasets).parameters
    assert [(p.name, p.kind, p.default) for p in parameters.values()] == [
        ("access_key", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("url", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("page_size", inspect.Parameter.KEYWORD_ONLY, 128),
    ]


def test_all_is_explicit_and_complete() -> None:
    assert len(client.__all__) == len(set(client.__all__))
    for name in client.__all__:
        assert hasattr(client, name), name
    public = {
        name
        for name, value in vars(client).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(client.__all__) - {"__version__"}
    exported = {*FUNCTIONS, "iter_datasets", "ResponseError", "ResourceNotExistError"}
    assert exported <= set(client.__all__)


def test_py_typed_marker_ships() -> None:
    assert (CLIENT_DIR / "py.typed").is_file()


def test_client_does_not_import_mock_server() -> None:
    for path in CLIENT_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "mock_server" for m in modules), path
    probe = "import sys, client; print(sorted(m for m in sys.modules if 'mock_server' in m))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=CLIENT_DIR.parent,
    )
    assert result.stdout.strip() == "[]"


class RecordingAdapter(HTTPAdapter):
    """A transport that answers 200 ``{}`` without a network, noting the send arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[requests.PreparedRequest, dict[str, Any]]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append((request, kwargs))
        response = requests.Response()
        response.status_code = 200
        response._content = b"{}"
        response.request = request
        response.url = request.url or ""
        return response


def test_default_timeout_is_30_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = RecordingAdapter()
    session = requests.Session()
    session.mount("http://", adapter)
    monkeypatch.setattr(_http, "_SESSIONS", {})
    monkeypatch.setattr(_http, "_new_session", lambda: session)

    client.get_dataset("ACCESSKEY-x", "http://graviti.invalid", "w", "d")
    ((request, kwargs),) = adapter.sent
    assert request.url == "http://graviti.invalid/v2/datasets/w/d"
    assert kwargs["timeout"] == client.DEFAULT_TIMEOUT == 30


def test_retry_policy_is_the_sdks() -> None:
    for prefix in ("http://", "https://"):
        adapter = _http.get_session().get_adapter(prefix + "example.com")
        assert isinstance(adapter, HTTPAdapter)
        retry = adapter.max_retries
        assert retry.total == 3
        assert set(retry.status_forcelist or ()) == {429, 500, 502, 503, 504}
        assert set(retry.allowed_methods or ()) == {"HEAD", "OPTIONS", "POST", "PUT"}
        assert retry.raise_on_status is False


def test_one_session_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "_SESSIONS", {})
    first = _http.get_session()
    assert _http.get_session() is first
    monkeypatch.setattr(os, "getpid", lambda: -1)
    child = _http.get_session()
    assert child is not first
    assert _http.get_session() is child
    child.close()
    first.close()
