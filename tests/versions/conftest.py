"""Versioned data through the real SDK: in-process, and against a server process over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from mock_server.testing import ServerProcess


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("versions-tls")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    authority.cert_pem.write_to_path(str(files["ca"]))
    certificate.cert_chain_pems[0].write_to_path(str(files["cert"]))
    certificate.private_key_pem.write_to_path(str(files["key"]))
    return files


def tls_args(files: dict[str, Path]) -> list[str]:
    return ["--ssl-certfile", str(files["cert"]), "--ssl-keyfile", str(files["key"])]


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch, tls_files: dict[str, Path]) -> None:
    """Make every requests session (the SDK's included) trust the test authority."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_files["ca"]))


@pytest.fixture(scope="session")
def tls_server(tls_files: dict[str, Path]) -> Iterator[ServerProcess]:
    with ServerProcess(args=tls_args(tls_files), verify=str(tls_files["ca"])) as process:
        yield process


def rows(count: int, start: int = 0) -> list[dict[str, Any]]:
    """Rows with int, float, string, list and nested record columns."""
    return [
        {
            "filename": f"file-{index:04d}.txt",
            "label": index,
            "score": index / 4,
            "tags": [f"t{index % 3}", "x"] if index % 2 else [],
            "box": {"x": float(index), "y": index * 0.5},
        }
        for index in range(start, start + count)
    ]


def titles(dataset: Any) -> list[str]:
    """The titles of the commits ``dataset.commits.list()`` walks, newest first."""
    return [commit.title for commit in dataset.commits.list()]
