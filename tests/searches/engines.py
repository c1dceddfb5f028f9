"""The criteria engine over a throwaway table, and the SDK's DataFrame searching through it."""

from __future__ import annotations

import json
from typing import Any

from graviti.dataframe import DataFrame
from graviti.paging import LazyLowerCaseFactory
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, delete, insert

from mock_server.core.bookmarks import Bookmarks
from mock_server.resources.searches.criteria import compile_criteria
from mock_server.resources.searches.json_sql import dialect_for
from mock_server.resources.searches.records import SheetRecords, count_matches, page_matches

metadata = MetaData()
ROWS = Table(
    "search_test_rows",
    metadata,
    Column("key", Integer, primary_key=True),
    Column("data", Text, nullable=True),
)


class RowTable:
    """A sheet's records as the search resource sees them: a key and the row as JSON."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = dialect_for(engine.dialect.name)
        self.fields: tuple[str, ...] = ()

    def load(self, rows: list[dict[str, Any]], fields: tuple[str, ...] | None = None) -> None:
        self.fields = fields if fields is not None else tuple(rows[0]) if rows else ()
        with self.engine.begin() as conn:
            conn.execute(delete(ROWS))
            if rows:
                conn.execute(
                    insert(ROWS),
                    [{"key": key, "data": json.dumps(row)} for key, row in enumerate(rows)],
                )

    def records(self) -> SheetRecords:
        return SheetRecords(ROWS, self.fields)

    def search(self, criteria: Any, offset: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        records = self.records()
        compiled = compile_criteria(criteria, self.dialect, ROWS.c.data)
        with self.engine.connect() as conn:
            # Bookmarks for this call only: pages far from the start walk to it.
            marks = Bookmarks(kept=True)
            return page_matches(conn, records, compiled, self.dialect, (offset, limit), marks)

    def count(self, criteria: Any) -> int:
        compiled = compile_criteria(criteria, self.dialect, ROWS.c.data)
        with self.engine.connect() as conn:
            return count_matches(conn, self.records(), compiled, Bookmarks(kept=True))


class EngineSearch:
    """Stands where the SDK's ``SearchHistory`` stands: answers its run() with the engine.

    The rows go through the SDK's own reader (``LazyLowerCaseFactory`` with the backend
    types of the schema the SDK inferred), exactly as ``SearchHistory.run`` reads pages.
    """

    def __init__(self, table: RowTable, criteria: dict[str, Any], sent: list[Any]) -> None:
        self.table = table
        self.criteria = criteria
        self.schema: Any = None
        sent.append(criteria)

    def run(self) -> DataFrame:
        count = self.table.count(self.criteria)
        factory = LazyLowerCaseFactory(
            count,
            128,
            lambda offset, limit: self.table.search(self.criteria, offset, limit),
            self.schema.to_pyarrow(_to_backend=True),
        )
        df = DataFrame._from_factory(factory, self.schema)
        df.search_history = self  # type: ignore[assignment]
        return df


def searchable(table: RowTable, df: DataFrame, sent: list[Any]) -> DataFrame:
    """``df``'s rows stored as the service stores them, and ``df`` searching them online."""
    table.load(df.to_pylist(_to_backend=True), tuple(df.schema.keys()))

    def creator(criteria: dict[str, Any]) -> Any:
        return EngineSearch(table, criteria, sent)

    df.search_creator = creator
    return df
