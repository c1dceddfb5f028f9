"""The criteria engine's databases: SQLite always, PostgreSQL where the suite has one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from tests.searches.engines import ROWS, RowTable


@pytest.fixture(params=["sqlite", "postgresql"])
def rows(request: pytest.FixtureRequest) -> Iterator[RowTable]:
    """An empty throwaway table of JSON rows, on each database."""
    if request.param == "sqlite":
        engine = create_engine("sqlite://", poolclass=StaticPool)
    else:
        engine = create_engine(request.getfixturevalue("postgres_url"))
    ROWS.drop(engine, checkfirst=True)
    ROWS.create(engine)
    try:
        yield RowTable(engine)
    finally:
        ROWS.drop(engine)
        engine.dispose()
