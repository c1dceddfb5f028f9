"""Files through the real SDK's storage code, in-process: OSS, S3 and AZURE, no socket.

The permissions name storage hosts beside the API host (``oss.api.graviti.com``,
``s3.api.graviti.com``, ``api.graviti.com/blob/...``), and ``mock_graviti()`` answers
them too.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path
from xml.etree import ElementTree

import graviti
import pytest
import requests
from graviti.exception import ResponseError
from graviti.file import RemoteFile
from graviti.openapi import copy_objects, get_object_permission
from graviti.operation.frame import _copy_files
from tqdm import tqdm  # type: ignore[import-untyped]

from mock_server import Settings, mock_graviti
from mock_server.control_client import MockControlError
from mock_server.resources.objects.store import ObjectStore
from tests.inprocess.conftest import SocketEvents
from tests.objects.sdk import BACKENDS, CONFIGS, KEY, SEED, download, upload, write_files

URL = "https://api.graviti.com"
STORAGE_HOSTS = {
    "OSS": "oss.api.graviti.com",
    "S3": "s3.api.graviti.com",
    "AZURE": "api.graviti.com",
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_upload_and_download_through_the_sdk(
    backend: str, tmp_path: Path, no_sockets: SocketEvents
) -> None:
    paths = write_files(tmp_path, 5)
    with mock_graviti(seed=SEED) as mock:
        dataset = graviti.Workspace(KEY).datasets.create("images", storage_config=CONFIGS[backend])
        keys = upload(dataset, paths)
        for key, path in zip(keys, paths, strict=True):
            assert download(dataset, key) == path.read_bytes()

        puts = mock.calls("put_object")
        gets = mock.calls("get_object")
        assert [call.status for call in puts] == [201 if backend == "AZURE" else 200] * 5
        assert [call.status for call in gets] == [200] * 5
        for call in (*puts, *gets):
            assert call.headers["host"] == STORAGE_HOSTS[backend]
            assert "x-token" not in call.headers
            assert call.body is None  # object bytes are not kept in the journal
        if backend == "AZURE":
            assert all(call.path.startswith("/blob/graviti-mock/") for call in puts)
            assert puts[0].headers["x-ms-blob-type"] == "BlockBlob"
        # Cached by the SDK's permission manager: one GET permission; the upload threads
        # read the PUT permission without a lock, so several may ask at first.
        actions = [call.query["actions"] for call in mock.calls("get_object_permission")]
        assert actions.count("GET") == 1
        assert 1 <= actions.count("PUT") <= 5
        assert sorted(mock.objects()) == sorted(keys)
        assert set(mock.objects().values()) == {1000}
    assert no_sockets == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_expired_permission_is_refused_and_the_sdk_asks_again(
    backend: str, tmp_path: Path
) -> None:
    first, second = write_files(tmp_path, 2)
    with mock_graviti(seed=SEED) as mock:
        mock.clock.freeze()
        dataset = graviti.Workspace(KEY).datasets.create("images", storage_config=CONFIGS[backend])
        upload(dataset, [first], jobs=1)
        mock.clock.advance(601)  # the SDK asks for 600 s
        [key] = upload(dataset, [second], jobs=1)
        assert download(dataset, key) == second.read_bytes()

        ok = 201 if backend == "AZURE" else 200
        assert [call.status for call in mock.calls("put_object")] == [ok, 403, ok]
        actions = [call.query["actions"] for call in mock.calls("get_object_permission")]
        assert actions == ["PUT", "PUT", "GET"]

        # What the stale permission got: the XML code the SDK retries on.
        stale = get_object_permission(KEY, URL, dataset.workspace.name, "images", actions="GET")
        mock.clock.advance(601)
        refused = _storage_get(stale["permission"], key, backend)
        code = "AuthenticationFailed" if backend == "AZURE" else "AccessDenied"
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/xml"
        assert ElementTree.fromstring(refused.text)[0].text == code


def _storage_get(permission: dict[str, str], key: str, backend: str) -> requests.Response:
    """A GET the way the SDK addresses each storage (its signatures are not checked)."""
    if backend == "AZURE":
        return requests.get(f"{permission['endpoint_prefix']}/{key}?{permission['sas_param']}")
    header = "x-amz-security-token" if backend == "S3" else "x-oss-security-token"
    url = f"https://{permission['bucket']}.{permission['endpoint']}/{key}"
    return requests.get(url, headers={header: permission["SecurityToken"]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_permission_does_not_reach_another_datasets_objects(backend: str, tmp_path: Path) -> None:
    [path] = write_files(tmp_path, 1)
    with mock_graviti(seed=SEED) as mock:
        workspace = graviti.Workspace(KEY)
        mine = workspace.datasets.create("mine", storage_config=CONFIGS[backend])
        theirs = workspace.datasets.create("theirs", storage_config=CONFIGS[backend])
        manager = mine.object_permission_manager
        foreign_key = theirs.object_permission_manager.prefix + "f" * 40
        # Refused, asked again once, refused again: the SDK gives up with the XML error.
        with pytest.raises(ResponseError) as caught:
            manager.put_object(foreign_key, path)
        code = "AuthenticationFailed" if backend == "AZURE" else "AccessDenied"
        assert f"<Code>{code}</Code>" in caught.value.response.text
        assert [call.status for call in mock.calls("put_object")] == [403, 403]
        assert mock.objects() == {}


def test_the_same_file_twice_is_one_object(tmp_path: Path) -> None:
    [path] = write_files(tmp_path, 1, size=3 * 1024 * 1024)
    with mock_graviti(seed=SEED) as mock:
        dataset = graviti.Workspace(KEY).datasets.create("images")
        assert upload(dataset, [path]) == upload(dataset, [path])
        # Eight threads writing the one key at once (a file in eight rows of a batch).
        [key] = set(upload(dataset, [path] * 8, jobs=8))
        assert mock.objects() == {key: 3 * 1024 * 1024}
        assert download(dataset, key) == path.read_bytes()


@pytest.mark.parametrize("backend", BACKENDS)
def test_copy_objects_copies_without_upload(backend: str, tmp_path: Path) -> None:
    paths = write_files(tmp_path, 3)
    with mock_graviti(seed=SEED) as mock:
        workspace = graviti.Workspace(KEY)
        source = workspace.datasets.create("source", storage_config=CONFIGS[backend])
        target = workspace.datasets.create("target", storage_config=CONFIGS[backend])
        keys = upload(source, paths)
        mock.clear_requests()
        files = [RemoteFile(key, ".png", 0, source.object_permission_manager) for key in keys]
        # The SDK's own copy step of a commit: copy_objects, then the new keys are used.
        _copy_files(target, {"source": [*files, files[0]]}, tqdm(disable=True))
        new_keys = [file._post_key for file in files]
        prefix = target.object_permission_manager.prefix
        assert new_keys == [prefix + key.split("/", 1)[1] for key in keys]
        assert mock.calls("put_object") == []
        for key, path in zip(new_keys, paths, strict=True):
            assert download(target, key) == path.read_bytes()
        # Deduplicated: same order and length out as in.
        again = copy_objects(
            KEY,
            URL,
            workspace.name,
            "target",
            source_dataset="source",
            keys=[keys[1], keys[0], keys[1]],
        )
        assert again == {"keys": [new_keys[1], new_keys[0], new_keys[1]]}
        assert len(mock.objects()) == 6


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deleted_datasets_permission_stops_working(backend: str, tmp_path: Path) -> None:
    [path] = write_files(tmp_path, 1)
    with mock_graviti(seed=SEED) as mock:
        workspace = graviti.Workspace(KEY)
        dataset = workspace.datasets.create("gone", storage_config=CONFIGS[backend])
        [key] = upload(dataset, [path])
        permission = get_object_permission(KEY, URL, workspace.name, "gone", actions="GET")
        assert _storage_get(permission["permission"], key, backend).content == path.read_bytes()
        workspace.datasets.delete("gone")
        refused = _storage_get(permission["permission"], key, backend)
        assert refused.status_code == 403
        code = "AuthenticationFailed" if backend == "AZURE" else "AccessDenied"
        assert f"<Code>{code}</Code>" in refused.text
        assert mock.calls("get_object")[-1].status == 403


def test_a_large_object_streams_in_process(tmp_path: Path) -> None:
    size = 48 * 1024 * 1024
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        for index in range(size // 65536):
            handle.write(index.to_bytes(4, "big") * 16384)
    digest = hashlib.sha1(big.read_bytes()).hexdigest()
    with mock_graviti(seed=SEED):
        dataset = graviti.Workspace(KEY).datasets.create("big", storage_config=CONFIGS["AZURE"])
        manager = dataset.object_permission_manager
        key = manager.prefix + digest
        tracemalloc.start()
        try:
            manager.put_object(key, big)
            check = hashlib.sha1()
            with RemoteFile(key, ".bin", size, manager).open() as response:
                while chunk := response.read(8192):
                    check.update(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert check.hexdigest() == digest
    # A few 1 MiB chunks in flight, never the object.
    assert peak < 12 * 1024 * 1024


def test_a_reset_to_the_seed_empties_the_objects_and_a_refused_seed_does_not(
    tmp_path: Path,
) -> None:
    [path] = write_files(tmp_path, 1)
    with mock_graviti(seed=SEED) as mock:
        dataset = graviti.Workspace(KEY).datasets.create("images")
        [key] = upload(dataset, [path])
        with pytest.raises(MockControlError):
            mock.seed({"datasets": [{"name": "bad name"}]}, replace=True)
        assert list(mock.objects()) == [key]
        mock.reset()  # back to the start-up seed, as the fixtures do before each test
        assert mock.objects() == {}
        assert [config["name"] for config in mock.state()["storage_configs"]] == [
            "default",
            "s3-main",
            "azure-main",
        ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_public_url_names_where_the_storage_is(backend: str, tmp_path: Path) -> None:
    paths = write_files(tmp_path, 2)
    settings = Settings(public_url="https://files.example.test:8443/")
    with mock_graviti(seed=SEED, settings=settings) as mock:
        dataset = graviti.Workspace(KEY).datasets.create("images", storage_config=CONFIGS[backend])
        keys = upload(dataset, paths)
        for key, path in zip(keys, paths, strict=True):
            assert download(dataset, key) == path.read_bytes()
        hosts = {call.headers["host"] for call in mock.calls("put_object")}
        expected = "files.example.test:8443"
        assert hosts == {expected if backend == "AZURE" else f"{backend.lower()}.{expected}"}


def test_an_in_memory_mock_keeps_its_objects_in_a_folder_removed_on_exit(tmp_path: Path) -> None:
    [path] = write_files(tmp_path, 1)
    with mock_graviti() as mock:
        dataset = graviti.Workspace(KEY).datasets.create("images")
        [key] = upload(dataset, [path])
        root = mock.backend.get(ObjectStore).area.root
        assert (root / key).read_bytes() == path.read_bytes()
    assert not root.exists()
