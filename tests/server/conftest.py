"""Fixtures of the server tests: a test certificate authority and a server speaking TLS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from mock_server.testing import ServerProcess


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    authority.cert_pem.write_to_path(str(files["ca"]))
    certificate.cert_chain_pems[0].write_to_path(str(files["cert"]))
    certificate.private_key_pem.write_to_path(str(files["key"]))
    return files


@pytest.fixture(scope="module")
def tls_server(tls_files: dict[str, Path]) -> Iterator[ServerProcess]:
    args = ["--ssl-certfile", str(tls_files["cert"]), "--ssl-keyfile", str(tls_files["key"])]
    with ServerProcess(args=args, verify=str(tls_files["ca"])) as process:
        yield process


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch, tls_files: dict[str, Path]) -> None:
    """Make every requests session (the SDK's included) trust the test authority."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_files["ca"]))
