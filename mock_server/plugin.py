"""pytest fixtures for graviti-mock, registered through the ``pytest11`` entry point.

Nothing happens until a test asks for a fixture:

- ``graviti_server`` (session): a real ``graviti-mock serve`` on a free port, one per
  xdist worker; or, when ``GRAVITI_MOCK_URL`` is set, that already running server.
- ``graviti_mock`` (function): the control API of that server, reset before the test,
  with ``url``, ``access_key`` and ``workspace`` for the code under test.
- ``graviti_inprocess`` (function): ``mock_graviti()`` for the test, started from
  ``graviti_mock_settings`` as the server is, for the high-level SDK
  (``graviti.Workspace`` wants https) with no socket at all.
- ``@pytest.mark.graviti_seed(...)``: seed the state of one test, declaratively.

Override ``graviti_mock_settings`` (session), ``graviti_mock_access_key`` or
``graviti_mock_workspace`` in a conftest to change what the fixtures start with.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mock_server.control_client import MockControl

if TYPE_CHECKING:
    from mock_server.inprocess import InProcessMock
    from mock_server.settings import Settings
    from mock_server.testing import ServerProcess

URL_VARIABLE = "GRAVITI_MOCK_URL"
TOKEN_VARIABLE = "GRAVITI_MOCK_CONTROL_TOKEN"
DEFAULT_ACCESS_KEY = "ACCESSKEY-graviti-mock-pytest"
DEFAULT_WORKSPACE = "pytest"
MARKER = "graviti_seed"
SECTIONS = ("workspaces", "users", "storage_configs", "datasets")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(seed=None, /, **sections): seed graviti_mock (or graviti_inprocess) for "
        "this test: a seed mapping, the path of a JSON/YAML seed file (relative to the test "
        "file), or sections such as datasets=[...]; workspace defaults to the fixture's",
    )


class RemoteServer:
    """An already running mock (``GRAVITI_MOCK_URL``): the fixtures neither start nor stop it."""

    def __init__(self, url: str, *, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def reset(self) -> None:
        from mock_server.control_client import MockControl

        MockControl(self.url, token=self.token).reset()


def _settings_env(settings: Settings) -> dict[str, str]:
    """The settings as ``GRAVITI_MOCK_*`` variables for a child server."""
    env = {}
    for name, value in settings.model_dump(exclude_none=True).items():
        if name in ("host", "port", "database"):
            continue  # given on the command line
        if isinstance(value, list):
            text = ",".join(str(item) for item in value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        env[f"GRAVITI_MOCK_{name.upper()}"] = text
    return env


class GravitiMock(MockControl):
    """What ``graviti_mock`` gives a test: the control API plus the test's identity.

    Every method of :class:`~mock_server.control_client.MockControl` is available
    (``seed``, ``requests``, ``calls``, ``assert_called``, ``fail``, ``delay``, ``drop``,
    ``clock``, ``state``, ``snapshot``, ``restore``, ``reset``).
    """

    def __init__(
        self, url: str, *, token: str | None = None, access_key: str, workspace: str
    ) -> None:
        super().__init__(url, token=token)
        self.access_key = access_key
        self.workspace = workspace

    def identity(self) -> dict[str, Any]:
        """The seed that registers this handle's access key in its workspace."""
        return identity_seed(self.access_key, self.workspace)

    def seed(self, seed: Mapping[str, Any] | str | Path, *, replace: bool = False) -> Any:
        """Add a seed; datasets, storage configs and users default to this workspace."""
        if isinstance(seed, Mapping):
            seed = with_workspace(seed, self.workspace)
        return super().seed(seed, replace=replace)

    def reset(
        self,
        to: str = "seed",
        *,
        seed: Mapping[str, Any] | None = None,
        id_seed: int | None = None,
    ) -> dict[str, Any]:
        """Back to the server's start-up seed, plus this handle's access key and ``seed``."""
        extra = with_workspace(seed, self.workspace) if seed else {}
        return super().reset(to, seed=merge_seeds(self.identity(), extra), id_seed=id_seed)

    def __repr__(self) -> str:
        return f"<graviti_mock {self.url} workspace={self.workspace!r}>"


def identity_seed(access_key: str, workspace: str) -> dict[str, Any]:
    """A seed registering ``access_key`` for a user of ``workspace``."""
    return {
        "users": [
            {"name": f"{workspace}-user", "workspace": workspace, "access_keys": [access_key]}
        ]
    }


def with_workspace(seed: Mapping[str, Any], workspace: str) -> dict[str, Any]:
    """``seed`` with ``workspace`` filled in wherever an entry needs one and has none."""
    filled = dict(seed)
    for section in ("users", "storage_configs", "datasets"):
        if section in filled:
            filled[section] = [
                {"workspace": workspace, **entry} if isinstance(entry, Mapping) else entry
                for entry in filled[section]
            ]
    return filled


def merge_seeds(*seeds: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for seed in seeds:
        for key, value in seed.items():
            if key == "options":
                merged.setdefault("options", {}).update(value)
            else:
                merged.setdefault(key, []).extend(value)
    return merged


def _read_seed_file(path: Path) -> dict[str, Any]:
    import yaml

    text = path.read_text()
    data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
    if not isinstance(data, dict):
        raise pytest.UsageError(f"{path}: a seed file must hold a mapping")
    return data


def marker_seed(request: pytest.FixtureRequest, workspace: str) -> dict[str, Any]:
    """The seeds of every ``graviti_seed`` marker on the test, outermost first."""
    seeds: list[dict[str, Any]] = []
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        for arg in marker.args:
            if isinstance(arg, Mapping):
                seeds.append(dict(arg))
            elif isinstance(arg, str | Path):
                path = Path(arg)
                if not path.is_absolute():
                    beside = request.path.parent / path
                    path = beside if beside.exists() else request.config.rootpath / path
                seeds.append(_read_seed_file(path))
            else:
                raise pytest.UsageError(
                    f"@pytest.mark.{MARKER} takes a mapping or a path, not {type(arg).__name__}"
                )
        unknown = set(marker.kwargs) - {*SECTIONS, "options"}
        if unknown:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER}: unknown sections {sorted(unknown)}; "
                f"use {', '.join(SECTIONS)} or options"
            )
        if marker.kwargs:
            seeds.append(dict(marker.kwargs))
    return merge_seeds(*(with_workspace(seed, workspace) for seed in seeds))


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def graviti_mock_settings() -> Settings:
    """The settings of the session server; override to add a seed file, strict mode..."""
    from mock_server.settings import Settings

    return Settings(database="sqlite://", host="127.0.0.1", port=0, log_level="warning")


@pytest.fixture(scope="session")
def graviti_server(
    graviti_mock_settings: Settings,
) -> Iterator[ServerProcess | RemoteServer]:
    """The mock server of this session (of this xdist worker): started here on a free
    port, or the one ``GRAVITI_MOCK_URL`` names."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        yield RemoteServer(url, token=os.environ.get(TOKEN_VARIABLE) or None)
        return
    from mock_server.testing import ServerProcess

    settings = graviti_mock_settings
    server = ServerProcess(
        database=settings.database,
        host=settings.host,
        port=settings.port,
        env=_settings_env(settings),
    )
    with server:
        yield server


@pytest.fixture
def graviti_mock_access_key() -> str:
    """The access key ``graviti_mock`` registers for each test."""
    return DEFAULT_ACCESS_KEY


@pytest.fixture
def graviti_mock_workspace() -> str:
    """The workspace that key belongs to."""
    return DEFAULT_WORKSPACE


@pytest.fixture
def graviti_mock(
    request: pytest.FixtureRequest,
    graviti_server: ServerProcess | RemoteServer,
    graviti_mock_settings: Settings,
    graviti_mock_access_key: str,
    graviti_mock_workspace: str,
) -> Iterator[GravitiMock]:
    """The session server, reset for this test (start-up seed, the fixture's key and
    the test's ``graviti_seed`` markers), and its control API."""
    from mock_server.portex import ensure_portex

    # The SDK code under test runs here and loads its file types from a local git tree.
    ensure_portex()
    if isinstance(graviti_server, RemoteServer):
        token = graviti_server.token
    else:
        token = graviti_mock_settings.control_token
    handle = GravitiMock(
        graviti_server.url,
        token=token,
        access_key=graviti_mock_access_key,
        workspace=graviti_mock_workspace,
    )
    handle.reset(seed=marker_seed(request, graviti_mock_workspace))
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def graviti_inprocess(
    request: pytest.FixtureRequest,
    graviti_mock_settings: Settings,
    graviti_mock_access_key: str,
    graviti_mock_workspace: str,
) -> Iterator[InProcessMock]:
    """``mock_graviti()`` around the test, started as the session server would be (the
    settings' seed, strict mode, id seed, frozen time...), plus the fixture's key and
    the test's markers; the database is always a fresh in-memory one."""
    from mock_server.inprocess import mock_graviti

    seed = merge_seeds(
        identity_seed(graviti_mock_access_key, graviti_mock_workspace),
        marker_seed(request, graviti_mock_workspace),
    )
    with mock_graviti(seed=seed, settings=graviti_mock_settings) as mock:
        yield mock
