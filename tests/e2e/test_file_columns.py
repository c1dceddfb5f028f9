"""A sheet with an image column, committed and read back through the high-level SDK.

For each backend (OSS, S3, AZURE: a dataset on a storage config of that backend), the
SDK uploads local PNGs while committing ``dataset["images"] = DataFrame(...)``; a fresh
``Workspace`` then opens every file of the committed sheet and gets the same bytes.
In-process and over HTTPS against a server process. A dataset built from another
dataset's sheet copies the objects (``copy_objects``) instead of uploading them again,
and the files survive a restart of a server on a SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import graviti
import graviti.portex as pt
import pytest
from graviti import DataFrame
from graviti.file import Image

from mock_server import mock_graviti
from mock_server.control_client import MockControl
from mock_server.portex import install_portex
from tests.objects.conftest import tls_server
from tests.objects.sdk import BACKENDS, CONFIGS, KEY, SEED
from tests.portex.test_sdk import png

URL = "https://api.graviti.com"
SIZES = [(1, 1), (3, 2), (64, 48), (300, 200)]


@pytest.fixture
def pngs(tmp_path: Path) -> list[Path]:
    """Small real PNGs of different sizes, so each is a different object."""
    folder = tmp_path / "pngs"
    folder.mkdir()
    return [png(folder / f"img-{w}x{h}.png", w, h) for w, h in SIZES]


def commit_images(workspace: graviti.Workspace, name: str, config: str, paths: list[Path]) -> None:
    std = pt.build_package(pt.STANDARD_URL, "main")
    schema = pt.record({"filename": pt.string(), "image": std.file.Image()})
    dataset = workspace.datasets.create(name, storage_config=config)
    rows = [{"filename": path.name, "image": Image(path)} for path in paths]
    dataset["images"] = DataFrame(rows, schema=schema)
    dataset.commit("images")


def read_images(workspace: graviti.Workspace, name: str) -> dict[str, bytes]:
    """Every file of the committed sheet ``images``, by filename, through a fresh read."""
    frame: Any = workspace.datasets.get(name)["images"]
    files: dict[str, bytes] = {}
    for index, filename in enumerate(frame["filename"].to_pylist()):
        with frame["image"][index].open() as response:
            files[filename] = response.read()
    return files


def contents(paths: list[Path]) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in paths}


@contextmanager
def service(mode: str, tls_files: dict[str, Path]) -> Iterator[tuple[str, MockControl]]:
    """The API URL and a control of a fresh mock: in-process, or a TLS server process."""
    if mode == "inprocess":
        with mock_graviti(seed=SEED) as mock:
            yield URL, mock
    else:
        install_portex(quiet=True)  # the SDK's side needs the types; a server has no say
        with tls_server(tls_files) as server:
            control = MockControl(server.url, verify=str(tls_files["ca"]))
            control.seed(SEED)
            yield server.url, control


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize("mode", ["inprocess", "https"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_commit_an_image_sheet_and_read_it_back(
    backend: str, mode: str, pngs: list[Path], tls_files: dict[str, Path]
) -> None:
    with service(mode, tls_files) as (url, mock):
        commit_images(graviti.Workspace(KEY, url), "images", CONFIGS[backend], pngs)
        assert len(mock.calls("put_object")) == len(pngs)
        assert sorted(mock.objects().values()) == sorted(p.stat().st_size for p in pngs)

        fresh = graviti.Workspace(KEY, url)
        assert fresh.datasets.get("images").storage_config.backend_type == backend
        assert read_images(fresh, "images") == contents(pngs)


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize("mode", ["inprocess", "https"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dataset_from_another_datasets_sheet_copies_its_files(
    backend: str, mode: str, pngs: list[Path], tls_files: dict[str, Path]
) -> None:
    with service(mode, tls_files) as (url, mock):
        workspace = graviti.Workspace(KEY, url)
        commit_images(workspace, "first", CONFIGS[backend], pngs)
        before = mock.objects()
        mock.clear_requests()

        second = workspace.datasets.create("second", storage_config=CONFIGS[backend])
        second["images"] = workspace.datasets.get("first")["images"].copy()
        second.commit("copied")

        assert mock.calls("put_object") == []
        [copy] = mock.calls("copy_objects")
        assert copy.status == 200
        assert copy.path.endswith("/second/objects/copy")
        assert sorted(copy.body["keys"]) == sorted(before)
        assert copy.body["source_dataset"] == "first"
        # The copies are the second dataset's own objects: as many again, same sizes.
        added = {key: size for key, size in mock.objects().items() if key not in before}
        assert sorted(added.values()) == sorted(before.values())

        fresh = graviti.Workspace(KEY, url)
        assert read_images(fresh, "second") == contents(pngs)
        fresh.datasets.delete("first")
        assert read_images(graviti.Workspace(KEY, url), "second") == contents(pngs)


@pytest.mark.usefixtures("trusted")
def test_files_survive_a_restart(
    pngs: list[Path], tls_files: dict[str, Path], tmp_path: Path
) -> None:
    install_portex(quiet=True)
    database = f"sqlite:///{tmp_path / 'kept.sqlite'}"
    with tls_server(tls_files, database=database) as server:
        MockControl(server.url, verify=str(tls_files["ca"])).seed(SEED)
        workspace = graviti.Workspace(KEY, server.url)
        for backend in BACKENDS:
            commit_images(workspace, f"kept-{backend.lower()}", CONFIGS[backend], pngs)
    # The objects are files beside the database: one per image and dataset.
    folder = tmp_path / "kept.sqlite.objects"
    stored = [
        path
        for path in folder.rglob("*")
        if path.is_file() and ".tmp" not in path.parts and path.name != ".secret"
    ]
    assert sorted(path.stat().st_size for path in stored) == sorted(
        path.stat().st_size for path in pngs * 3
    )
    with tls_server(tls_files, database=database) as server:
        fresh = graviti.Workspace(KEY, server.url)
        for backend in BACKENDS:
            assert read_images(fresh, f"kept-{backend.lower()}") == contents(pngs)
