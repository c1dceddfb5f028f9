"""Fixtures of the object tests: files, and a TLS server process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from mock_server.testing import ServerProcess
from tests.objects.sdk import write_files

MakeFiles = Callable[..., list[Path]]


@pytest.fixture
def make_files(tmp_path: Path) -> MakeFiles:
    """``make_files(n, size=...)``: n files of random bytes, each different."""
    folder = tmp_path / "files"
    folder.mkdir()
    return lambda count, size=1000: write_files(folder, count, size)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("objects-tls")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    authority.cert_pem.write_to_path(str(files["ca"]))
    certificate.cert_chain_pems[0].write_to_path(str(files["cert"]))
    certificate.private_key_pem.write_to_path(str(files["key"]))
    return files


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch, tls_files: dict[str, Path]) -> None:
    """Make every requests session (the SDK's included) trust the test authority."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_files["ca"]))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def tls_server(
    tls_files: dict[str, Path], *args: str, database: str = "sqlite://"
) -> ServerProcess:
    tls = ["--ssl-certfile", str(tls_files["cert"]), "--ssl-keyfile", str(tls_files["key"])]
    return ServerProcess(database=database, args=[*tls, *args], verify=str(tls_files["ca"]))


@pytest.fixture(scope="module")
def https_server(tls_files: dict[str, Path]) -> Iterator[ServerProcess]:
    """One TLS server on an in-memory database (objects in a temporary folder)."""
    with tls_server(tls_files) as server:
        yield server
