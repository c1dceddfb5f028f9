"""The e2e tests reuse the object tests' TLS authority, trust and server fixtures."""

from tests.objects.conftest import https_server, tls_files, trusted

__all__ = ["https_server", "tls_files", "trusted"]
