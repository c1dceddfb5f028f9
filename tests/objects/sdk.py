"""The SDK's storage path for the object tests, and datasets of each backend.

The SDK's own code moves the bytes: ``graviti.operation.frame._upload_files`` (what a
commit runs for each batch of local files: a PUT permission, then one PUT per file
under ``prefix + sha1``) and ``RemoteFile.open()`` (a GET permission, then a GET).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from graviti.file import File, RemoteFile
from graviti.manager import Dataset
from graviti.operation.frame import _upload_files
from tqdm import tqdm  # type: ignore[import-untyped]

from mock_server import workspace_for_key

KEY = "ACCESSKEY-objects000000001"
OTHER_KEY = "ACCESSKEY-objects000000002"
WORKSPACE = workspace_for_key(KEY)
# The storage config of each backend in the key's workspace (``default`` is OSS).
CONFIGS = {"OSS": "default", "S3": "s3-main", "AZURE": "azure-main"}
BACKENDS = tuple(CONFIGS)
SEED: dict[str, Any] = {
    "storage_configs": [
        {"name": "s3-main", "workspace": WORKSPACE, "backend_type": "S3"},
        {"name": "azure-main", "workspace": WORKSPACE, "backend_type": "AZURE"},
    ]
}


def write_files(folder: Path, count: int, size: int = 1000, suffix: str = ".png") -> list[Path]:
    """``count`` files of random bytes (so each is a different object) in ``folder``."""
    start = len(list(folder.glob(f"file-*{suffix}")))
    paths = []
    for index in range(start, start + count):
        path = folder / f"file-{index}{suffix}"
        path.write_bytes(os.urandom(size))
        paths.append(path)
    return paths


def upload(dataset: Dataset, paths: list[Path], jobs: int = 8) -> list[str]:
    """Upload files through the SDK's storage path; the keys they were stored under."""
    files = [File(path) for path in paths]
    _upload_files(files, dataset.object_permission_manager, tqdm(disable=True), jobs)
    keys = [file._post_key for file in files]
    for key, path in zip(keys, paths, strict=True):
        assert key == dataset.object_permission_manager.prefix + sha1(path)
    return keys


def download(dataset: Dataset, key: str) -> bytes:
    """Read an object back through the SDK (its GET permission, then a streamed GET)."""
    remote = RemoteFile(key, ".png", 0, dataset.object_permission_manager)
    with remote.open() as response:
        data: bytes = response.read()
    return data


def sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()
