"""The Portex standard types for the graviti SDK, installed locally (see ``install``)."""

from mock_server.portex.install import (
    REVISION,
    SDK_TYPES,
    STANDARD_URL,
    InstallResult,
    PortexInstallError,
    cache_path,
    ensure_portex,
    install_portex,
)

__all__ = [
    "REVISION",
    "SDK_TYPES",
    "STANDARD_URL",
    "InstallResult",
    "PortexInstallError",
    "cache_path",
    "ensure_portex",
    "install_portex",
]
