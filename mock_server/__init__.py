"""graviti-mock: a local, stateful, faithful mock of the Graviti OpenAPI v2 dataset service."""

__version__ = "0.1.0"

from mock_server.app import create_app  # noqa: E402
from mock_server.settings import Settings  # noqa: E402
from mock_server.store import DatasetStore  # noqa: E402

__all__ = ["DatasetStore", "Settings", "__version__", "create_app"]
