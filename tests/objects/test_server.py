"""Objects against a real ``graviti-mock serve`` over HTTPS: the SDK's storage path for each
backend on the server's own TLS listener, persistence, reset, snapshots and streaming."""

from __future__ import annotations

import hashlib
from pathlib import Path

import graviti
import pytest
import requests
from graviti.openapi import copy_objects, get_object_permission

from mock_server.control_client import MockControl
from mock_server.testing import ServerProcess
from tests.objects.conftest import MakeFiles, tls_server
from tests.objects.sdk import BACKENDS, CONFIGS, KEY, SEED, WORKSPACE, download, upload

pytestmark = pytest.mark.usefixtures("trusted")


def control(server: ServerProcess, tls_files: dict[str, Path]) -> MockControl:
    return MockControl(server.url, verify=str(tls_files["ca"]))


@pytest.fixture
def mock(https_server: ServerProcess, tls_files: dict[str, Path]) -> MockControl:
    running = control(https_server, tls_files)
    running.reset()
    running.seed(SEED)
    return running


@pytest.mark.parametrize("backend", BACKENDS)
def test_upload_and_download_over_https(
    backend: str, https_server: ServerProcess, mock: MockControl, make_files: MakeFiles
) -> None:
    paths = make_files(4, size=50_000)
    workspace = graviti.Workspace(KEY, https_server.url)
    dataset = workspace.datasets.create("images", storage_config=CONFIGS[backend])
    keys = upload(dataset, paths)
    for key, path in zip(keys, paths, strict=True):
        assert download(dataset, key) == path.read_bytes()
    assert mock.objects() == dict.fromkeys(keys, 50_000)

    granted = get_object_permission(KEY, https_server.url, WORKSPACE, "images", actions="GET")
    port = https_server.url.rsplit(":", 1)[1]
    if backend == "AZURE":
        expected = {"endpoint_prefix": f"{https_server.url}/blob/graviti-mock"}
    else:
        # The address split across bucket and endpoint: https://127.0.0.1:PORT/{key}.
        expected = {"bucket": "127", "endpoint": f"0.0.1:{port}"}
    assert expected.items() <= granted["permission"].items()
    for call in mock.calls("put_object"):
        assert call.headers["host"] == f"127.0.0.1:{port}"


def test_copy_objects_over_https(
    https_server: ServerProcess, mock: MockControl, make_files: MakeFiles
) -> None:
    paths = make_files(3)
    workspace = graviti.Workspace(KEY, https_server.url)
    source = workspace.datasets.create("source", storage_config=CONFIGS["S3"])
    target = workspace.datasets.create("target", storage_config=CONFIGS["S3"])
    keys = upload(source, paths)
    mock.clear_requests()
    copied = copy_objects(
        KEY, https_server.url, WORKSPACE, "target", source_dataset="source", keys=keys
    )
    assert mock.calls("put_object") == []
    for key, path in zip(copied["keys"], paths, strict=True):
        assert download(target, key) == path.read_bytes()


def test_objects_survive_a_restart_beside_the_database(
    tls_files: dict[str, Path], tmp_path: Path, make_files: MakeFiles
) -> None:
    database = tmp_path / "kept.sqlite"
    paths = make_files(3)
    with tls_server(tls_files, database=f"sqlite:///{database}") as server:
        control(server, tls_files).seed(SEED)
        dataset = graviti.Workspace(KEY, server.url).datasets.create(
            "kept", storage_config="azure-main"
        )
        keys = upload(dataset, paths)
    assert sorted(
        path.relative_to(tmp_path / "kept.sqlite.objects").as_posix()
        for path in (tmp_path / "kept.sqlite.objects").rglob("*")
        if path.is_file() and ".tmp" not in path.parts and path.name != ".secret"
    ) == sorted(keys)
    with tls_server(tls_files, database=f"sqlite:///{database}") as server:
        dataset = graviti.Workspace(KEY, server.url).datasets.get("kept")
        for key, path in zip(keys, paths, strict=True):
            assert download(dataset, key) == path.read_bytes()


def test_reset_empties_and_a_restore_removes_what_came_since(
    https_server: ServerProcess, mock: MockControl, make_files: MakeFiles
) -> None:
    first, second = make_files(2)
    dataset = graviti.Workspace(KEY, https_server.url).datasets.create("snap")
    [kept] = upload(dataset, [first])
    mock.snapshot("one")
    [added] = upload(dataset, [second])
    assert set(mock.objects()) == {kept, added}
    mock.restore("one")
    assert set(mock.objects()) == {kept}
    assert download(graviti.Workspace(KEY, https_server.url).datasets.get("snap"), kept) == (
        first.read_bytes()
    )
    mock.reset()
    assert mock.objects() == {}


def _peak_rss_kib(server: ServerProcess) -> int:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


def test_a_large_object_streams_both_ways(
    https_server: ServerProcess, mock: MockControl, tls_files: dict[str, Path], tmp_path: Path
) -> None:
    size = 128 * 1024 * 1024
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        block = bytes(range(256)) * 4096
        for _ in range(size // len(block)):
            handle.write(block)
    expected = hashlib.sha1(big.read_bytes()).hexdigest()
    graviti.Workspace(KEY, https_server.url).datasets.create("big", storage_config="azure-main")
    granted = get_object_permission(KEY, https_server.url, WORKSPACE, "big", actions="GET|PUT")[
        "permission"
    ]
    url = f"{granted['endpoint_prefix']}/{granted['prefix']}{expected}?{granted['sas_param']}"
    before = _peak_rss_kib(https_server)
    with big.open("rb") as body:
        put = requests.put(url, data=body, headers={"x-ms-blob-type": "BlockBlob"})
    assert put.status_code == 201
    digest = hashlib.sha1()
    with requests.get(url, stream=True) as got:
        assert got.headers["content-length"] == str(size)
        for chunk in got.iter_content(1024 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == expected
    # Neither direction held the object in memory: the server's peak grew far less.
    assert _peak_rss_kib(https_server) - before < 48 * 1024


def test_workers_share_the_objects_and_the_permissions(
    tls_files: dict[str, Path], tmp_path: Path, make_files: MakeFiles
) -> None:
    paths = make_files(12)
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    with tls_server(tls_files, "--workers", "2", database=database) as server:
        dataset = graviti.Workspace(KEY, server.url).datasets.create("shared")
        keys = upload(dataset, paths, jobs=4)
        for key, path in zip(keys, paths, strict=True):
            # A new connection each time, so permissions and reads land on either worker.
            with requests.Session() as session:
                granted = session.get(
                    f"{server.url}/v2/datasets/{WORKSPACE}/shared/objects/permissions",
                    params={"actions": "GET"},
                    headers={"X-Token": KEY},
                ).json()["permission"]
            with requests.Session() as session:
                url = f"https://{granted['bucket']}.{granted['endpoint']}/{key}"
                got = session.get(url, headers={"x-oss-security-token": granted["SecurityToken"]})
            # Each worker checks the other's tokens: they share the area's secret.
            assert got.content == path.read_bytes()


def test_objects_dir_and_max_object_bytes_are_settings(
    tls_files: dict[str, Path], tmp_path: Path, make_files: MakeFiles
) -> None:
    folder = tmp_path / "objects"
    small, large = make_files(1, size=1000) + make_files(1, size=3000)
    args = ("--objects-dir", str(folder), "--max-object-bytes", "2000")
    with tls_server(tls_files, *args) as server:
        dataset = graviti.Workspace(KEY, server.url).datasets.create("set")
        [key] = upload(dataset, [small])
        with pytest.raises(graviti.exception.ResponseError) as refused:
            upload(dataset, [large])
        assert refused.value.response.status_code == 400
        assert "<Code>EntityTooLarge</Code>" in refused.value.response.text
    # An explicit folder outlives even an in-memory database's server.
    assert (folder / key).read_bytes() == small.read_bytes()
    assert sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name != ".tmp") == [
        key.split("/")[0]
    ]
