"""Check that the real SDK stores and reads files on the mock by service name, per backend.

REQUESTS_CA_BUNDLE=ca.pem python docker/ci/objects_check.py https://graviti-mock:8000

OSS and S3 reach https://oss.graviti-mock:8000 and https://s3.graviti-mock:8000 (network
aliases of the service); AZURE reaches https://graviti-mock:8000/blob/graviti-mock.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import uuid
from pathlib import Path

import graviti
import requests
from graviti.file import File, RemoteFile
from graviti.operation.frame import _upload_files
from tqdm import tqdm

from mock_server import workspace_for_key


def main() -> None:
    url = sys.argv[1]
    key = f"ACCESSKEY-objects-check-{uuid.uuid4().hex}"
    workspace_name = workspace_for_key(key)
    configs = {"OSS": "default", "S3": "check-s3", "AZURE": "check-azure"}
    seed = {
        "storage_configs": [
            {"name": "check-s3", "workspace": workspace_name, "backend_type": "S3"},
            {"name": "check-azure", "workspace": workspace_name, "backend_type": "AZURE"},
        ]
    }
    headers = {"X-Mock-Token": os.environ.get("GRAVITI_MOCK_CONTROL_TOKEN", "")}
    requests.post(f"{url}/_mock/seed", json=seed, headers=headers, timeout=30).raise_for_status()
    workspace = graviti.Workspace(key, url)
    folder = Path(tempfile.mkdtemp())
    for backend, config in configs.items():
        dataset = workspace.datasets.create(f"objects-{backend.lower()}", storage_config=config)
        path = folder / f"{backend}.png"
        path.write_bytes(os.urandom(10_000))
        [file] = files = [File(path)]
        _upload_files(files, dataset.object_permission_manager, tqdm(disable=True), 1)
        expected = (
            dataset.object_permission_manager.prefix + hashlib.sha1(path.read_bytes()).hexdigest()
        )
        assert file._post_key == expected, file._post_key
        remote = RemoteFile(file._post_key, ".png", 10_000, dataset.object_permission_manager)
        with remote.open() as response:
            assert response.read() == path.read_bytes()
        workspace.datasets.delete(dataset.name)
        print(f"graviti SDK objects on {backend}: upload and download ok")


if __name__ == "__main__":
    main()
