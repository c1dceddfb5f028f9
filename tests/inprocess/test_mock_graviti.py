"""mock_graviti(): the real SDK's high-level Workspace, its default URL, and no socket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import graviti
import pytest
import requests
from graviti.exception import InternalServerError, ResourceNotExistError
from urllib3.connectionpool import HTTPConnectionPool

from mock_server import Settings, mock_graviti
from mock_server.control_client import MockControl
from mock_server.core.clock import IdFactory
from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-inprocess00000001"


def test_high_level_workspace_with_its_default_url(no_sockets: list[object]) -> None:
    with mock_graviti() as mock:
        workspace = graviti.Workspace(KEY)
        assert workspace.url == "https://api.graviti.com"
        created = workspace.datasets.create("MNIST", alias="digits")
        assert (created.name, created.alias) == ("MNIST", "digits")
        assert workspace.datasets.get("MNIST").name == "MNIST"
        assert [dataset.name for dataset in workspace.datasets.list()] == ["MNIST"]
        workspace.datasets.delete("MNIST")
        with pytest.raises(ResourceNotExistError):
            workspace.datasets.get("MNIST")
        operations = [call.operation for call in mock.requests]
    assert operations == [
        "get_current_workspace",
        "create_dataset",
        "get_dataset",
        "list_datasets",
        "delete_dataset",
        "get_dataset",
    ]
    assert no_sockets == []


def test_the_cn_site_works_too(no_sockets: list[object]) -> None:
    with mock_graviti():
        workspace = graviti.Workspace("Accesskey-inprocess-cn-0001")
        assert workspace.url == "https://api.graviti.cn"
        assert workspace.datasets.create("cn").name == "cn"
    assert no_sockets == []


def test_a_503_on_create_is_absorbed_by_the_sdks_own_retry(no_sockets: list[object]) -> None:
    with mock_graviti() as mock:
        workspace = graviti.Workspace(KEY)
        mock.fail("create_dataset", status=503, times=1)
        assert workspace.datasets.create("MNIST").name == "MNIST"
        calls = mock.assert_called("create_dataset", times=2)
        assert [call.status for call in calls] == [503, 200]
    assert no_sockets == []


def test_a_500_on_get_raises_the_sdks_internal_server_error() -> None:
    with mock_graviti() as mock:
        workspace = graviti.Workspace(KEY)
        workspace.datasets.create("MNIST")
        mock.fail("get_dataset", status=500)
        with pytest.raises(InternalServerError):
            workspace.datasets.get("MNIST")
        mock.assert_called("get_dataset", times=1)


def test_a_dropped_connection_is_retried_on_post_and_raised_on_get() -> None:
    with mock_graviti() as mock:
        workspace = graviti.Workspace(KEY)
        mock.drop("create_dataset")
        workspace.datasets.create("MNIST")
        assert [call.status for call in mock.calls("create_dataset")] == [0, 200]
        mock.drop("get_dataset")
        with pytest.raises(requests.ConnectionError):
            workspace.datasets.get("MNIST")


def test_each_use_starts_from_fresh_state() -> None:
    for _ in range(2):
        with mock_graviti() as mock:
            workspace = graviti.Workspace(KEY)
            assert list(workspace.datasets.list()) == []
            workspace.datasets.create("MNIST")
            assert len(mock.requests) == 3


def test_as_a_decorator_each_call_is_fresh() -> None:
    seen: list[int] = []

    @mock_graviti
    def bare() -> None:
        workspace = graviti.Workspace(KEY)
        seen.append(len(list(workspace.datasets.list())))
        workspace.datasets.create("MNIST")

    mock = mock_graviti(seed={"datasets": [{"name": "seeded", "workspace": "w"}]})

    @mock
    def seeded() -> None:
        seen.append(len(mock.state()["datasets"]))
        mock.seed({"datasets": [{"name": "more", "workspace": "w"}]})

    bare()
    bare()
    seeded()
    seeded()
    assert seen == [0, 0, 1, 1]


def test_seed_settings_clock_and_ids() -> None:
    seed = {"users": [{"name": "u", "workspace": "team", "access_keys": [KEY]}]}
    settings = Settings(id_seed=3, frozen_time="2024-01-01T00:00:00Z")
    with mock_graviti(seed=seed, settings=settings) as mock:
        workspace = graviti.Workspace(KEY)
        assert workspace.name == "team"
        mock.clock.advance(minutes=5)
        created = workspace.datasets.create("MNIST")
        assert created.created_at.isoformat().startswith("2024-01-01T00:05:00")
        mock.reset(seed=seed)
        ids = IdFactory(3)
        expected = [ids.new() for _ in range(3)]  # workspace, user, then the dataset
        workspace.datasets.create("MNIST")
        assert [d["id"] for d in mock.state()["datasets"]] == [expected[2]]


def test_reset_returns_to_the_seed_given_and_to_settings_seed(tmp_path: Path) -> None:
    start = tmp_path / "start.yaml"
    start.write_text("datasets:\n  - {name: from-settings, workspace: team}\n")
    seed = {
        "users": [{"name": "u", "workspace": "team", "access_keys": [KEY]}],
        "datasets": [{"name": "from-seed", "workspace": "team"}],
    }
    with mock_graviti(seed=seed, settings=Settings(seed=start)) as mock:
        workspace = graviti.Workspace(KEY)
        expected = ["from-settings", "from-seed"]
        assert [d.name for d in workspace.datasets.list()] == expected
        workspace.datasets.create("extra")
        workspace.datasets.delete("from-seed")
        mock.reset()
        assert [d.name for d in workspace.datasets.list()] == expected
        mock.reset(to="empty")
        assert mock.state()["datasets"] == []


def test_other_hosts_are_untouched(server: ServerProcess) -> None:
    remote = MockControl(server.url)
    remote.reset()
    with mock_graviti() as mock:
        answer = requests.get(f"{server.url}/v2/current-workspace", headers={"X-Token": KEY})
        assert answer.status_code == 200
        assert mock.requests == []
    assert [call.operation for call in remote.requests] == ["get_current_workspace"]


def test_hosts_are_configurable(no_sockets: list[tuple[str, tuple[Any, ...]]]) -> None:
    with mock_graviti(hosts=["http://graviti.test:8080"]) as mock:
        assert mock.url == "http://graviti.test:8080"
        answer = requests.get("http://graviti.test:8080/v2/datasets", headers={"X-Token": KEY})
        assert answer.json()["total_count"] == 0
        assert no_sockets == []
        # The default hosts are not intercepted now: this call goes to the network.
        with pytest.raises(requests.ConnectionError):
            requests.get("https://api.graviti.com/v2/datasets", headers={"X-Token": KEY})
    assert any(args[0] == "api.graviti.com" for event, args in no_sockets)


def test_the_patch_is_removed_on_exit() -> None:
    original = HTTPConnectionPool._make_request
    with mock_graviti():
        assert HTTPConnectionPool._make_request is not original
    assert HTTPConnectionPool._make_request is original


def test_entering_twice_is_an_error() -> None:
    mock = mock_graviti()
    with mock, pytest.raises(RuntimeError, match="already active"):
        mock.__enter__()


def test_threads_share_the_mock() -> None:
    with mock_graviti() as mock:
        workspace = graviti.Workspace(KEY)
        with ThreadPoolExecutor(8) as pool:
            names = list(pool.map(lambda i: workspace.datasets.create(f"d{i}").name, range(16)))
        assert sorted(names) == sorted(f"d{i}" for i in range(16))
        mock.assert_called("create_dataset", times=16)
        assert len(mock.state()["datasets"]) == 16
