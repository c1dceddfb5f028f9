"""The control plane under ``/_mock/``: probes, reset, seeding, state, journal, faults, clock."""

from mock_server.control.routes import install, probes, startup

__all__ = ["install", "probes", "startup"]
