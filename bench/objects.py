"""Object storage figures: the SDK's storage path against plain disk copies, and streaming.

Run ``python -m bench.objects`` (``--quick`` for a smoke run). It starts ``graviti-mock
serve`` over HTTPS (a trustme certificate) and prints:

- 1,000 files of 100 kB uploaded through the SDK's own upload code (a PUT permission,
  then PUTs from 8 threads, as a commit runs them) and downloaded back through
  ``RemoteFile.open()``, for each backend, against copying the same files on local
  disk (``shutil.copyfile``), as a ratio;
- the same upload and download in-process (``mock_graviti()``, no socket);
- one 200 MB object PUT and GET over HTTPS, with the server's resident memory above
  idle (peak, from ``VmHWM``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import tls_files  # noqa: E402  (after the path, when run as a file)

KEY = "ACCESSKEY-bench-objects0001"
CONFIGS = {"OSS": "default", "S3": "s3-main", "AZURE": "azure-main"}


def seed() -> dict[str, Any]:
    from mock_server import workspace_for_key

    workspace = workspace_for_key(KEY)
    return {
        "storage_configs": [
            {"name": "s3-main", "workspace": workspace, "backend_type": "S3"},
            {"name": "azure-main", "workspace": workspace, "backend_type": "AZURE"},
        ]
    }


def make_files(folder: Path, count: int, size: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"file-{index:05d}.png"
        path.write_bytes(os.urandom(size))
        paths.append(path)
    return paths


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def disk_copy(paths: list[Path], folder: Path) -> float:
    """Copy every file to another folder and back (the upload and the download), 8 threads."""
    there, back = folder / "there", folder / "back"
    there.mkdir(parents=True)
    back.mkdir(parents=True)

    def both() -> None:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda path: shutil.copyfile(path, there / path.name), paths))
        for path in paths:
            shutil.copyfile(there / path.name, back / path.name)

    return timed(both)


def sdk_round_trip(
    url: str | None, backend: str, name: str, paths: list[Path]
) -> tuple[float, float]:
    """Seconds to upload ``paths`` through the SDK's storage path, and to read them back."""
    import graviti
    from graviti.file import File, RemoteFile
    from graviti.operation.frame import _upload_files
    from tqdm import tqdm  # type: ignore[import-untyped]

    workspace = graviti.Workspace(KEY, url) if url else graviti.Workspace(KEY)
    dataset = workspace.datasets.create(name, storage_config=CONFIGS[backend])
    files = [File(path) for path in paths]
    upload = timed(
        lambda: _upload_files(files, dataset.object_permission_manager, tqdm(disable=True), 8)
    )
    remote = [
        RemoteFile(file._post_key, ".png", 0, dataset.object_permission_manager) for file in files
    ]

    def read_all() -> None:
        for item, path in zip(remote, paths, strict=True):
            with item.open() as response:
                assert len(response.read()) == path.stat().st_size

    return upload, timed(read_all)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def big_object(url: str, pid: int, folder: Path, size: int) -> dict[str, float]:
    """PUT and GET one ``size``-byte object (AZURE addressing), measuring the server."""
    import graviti
    import requests
    from graviti.openapi import get_object_permission

    big = folder / "big.bin"
    block = os.urandom(1024 * 1024)
    digest = hashlib.sha1()
    with big.open("wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
            digest.update(block)
    workspace = graviti.Workspace(KEY, url)
    workspace.datasets.create("big", storage_config="azure-main")
    granted = get_object_permission(KEY, url, workspace.name, "big", actions="GET|PUT")
    permission = granted["permission"]
    target = f"{permission['endpoint_prefix']}/{permission['prefix']}{digest.hexdigest()}"
    target += f"?{permission['sas_param']}"
    idle = rss_mb(pid)
    with big.open("rb") as body:
        put = timed(
            lambda: requests.put(
                target, data=body, headers={"x-ms-blob-type": "BlockBlob"}
            ).raise_for_status()
        )
    after_put = peak_rss_mb(pid)

    def download() -> None:
        check = hashlib.sha1()
        with requests.get(target, stream=True) as answer:
            answer.raise_for_status()
            for chunk in answer.iter_content(1024 * 1024):
                check.update(chunk)
        assert check.hexdigest() == digest.hexdigest()

    get = timed(download)
    return {
        "idle_mb": idle,
        "put_s": put,
        "get_s": get,
        "peak_above_idle_put_mb": after_put - idle,
        "peak_above_idle_mb": peak_rss_mb(pid) - idle,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from mock_server import mock_graviti
    from mock_server.control_client import MockControl
    from mock_server.testing import ServerProcess

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 files and a 20 MB object")
    args = parser.parse_args(argv)
    count, big_size = (100, 20 * 1024**2) if args.quick else (1000, 200 * 1024**2)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-objects-") as temp:
        folder = Path(temp)
        paths = make_files(folder / "files", count, 100_000)
        disk = disk_copy(paths, folder / "disk")
        print(f"{count} files of 100 kB, copied on disk and back: {disk:.3f} s")
        results["disk_s"] = disk

        ca, cert, key = tls_files(folder)
        database = f"sqlite:///{folder / 'bench.sqlite'}"
        tls = ["--ssl-certfile", str(cert), "--ssl-keyfile", str(key)]
        with ServerProcess(database=database, args=tls, verify=str(ca)) as server:
            MockControl(server.url, verify=str(ca)).seed(seed())
            for backend in CONFIGS:
                up, down = sdk_round_trip(server.url, backend, f"https-{backend}", paths)
                ratio = (up + down) / disk
                print(
                    f"HTTPS {backend:5}: upload {up:.2f} s ({count / up:.0f} files/s), "
                    f"download {down:.2f} s ({count / down:.0f} files/s); "
                    f"{ratio:.1f}x the disk copy"
                )
                results[f"https_{backend}"] = {"upload_s": up, "download_s": down, "ratio": ratio}
            assert server.process is not None
            big = big_object(server.url, server.process.pid, folder, big_size)
            print(
                f"one {big_size // 1024**2} MB object over HTTPS: PUT {big['put_s']:.2f} s, "
                f"GET {big['get_s']:.2f} s; server idle {big['idle_mb']:.0f} MB, peak above "
                f"idle {big['peak_above_idle_mb']:.1f} MB (after the PUT "
                f"{big['peak_above_idle_put_mb']:.1f} MB)"
            )
            results["big"] = big

        with mock_graviti(seed=seed()):
            for backend in CONFIGS:
                up, down = sdk_round_trip(None, backend, f"inproc-{backend}", paths)
                ratio = (up + down) / disk
                print(
                    f"in-process {backend:5}: upload {up:.2f} s, download {down:.2f} s; "
                    f"{ratio:.1f}x the disk copy"
                )
                results[f"inprocess_{backend}"] = {
                    "upload_s": up,
                    "download_s": down,
                    "ratio": ratio,
                }
    return results


if __name__ == "__main__":
    main()
