"""The e2e tests reuse the object tests' TLS authority and trust fixtures."""

from tests.objects.conftest import tls_files, trusted

__all__ = ["tls_files", "trusted"]
