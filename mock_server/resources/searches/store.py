"""The search store: search histories of a dataset, and their record counts and records.

A search is bound to (commit or draft, sheet) and keeps its criteria; its records are
computed when asked, in the database, over the sheet's records as the ``RecordSource``
gives them (see ``records``), so a draft's search follows the draft's current records
and a commit's never changes. ``record_count`` is null in a history (the SDK then asks
``get_search_record_count``, which counts in one statement).

Every call is refused whole before anything is written: the criteria are compiled
first, then the commit or draft and sheet are looked up, then the history is stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select

from mock_server.core import errors
from mock_server.core.backend import Backend, Store
from mock_server.core.bookmarks import Bookmarks
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.identity.models import Caller
from mock_server.resources.searches.criteria import Compiled, check_criteria, compile_criteria
from mock_server.resources.searches.json_sql import dialect_for
from mock_server.resources.searches.models import SearchCreate
from mock_server.resources.searches.records import (
    RecordSource,
    SheetRecords,
    count_matches,
    page_matches,
)
from mock_server.resources.searches.tables import SEARCH_HISTORY
from mock_server.resources.searches.versions_source import VersionRecords
from mock_server.resources.versions.store import VersionStore

SORTS = ("created_at", "created_at:asc", "created_at:desc")


class NoRecords:
    """The source before any resource provides records: no commit or draft has sheets."""

    def search_records(
        self,
        conn: Connection,
        dataset: DatasetKey,
        *,
        commit_id: str | None,
        draft_number: int | None,
        sheet: str,
    ) -> SheetRecords:
        owner = f"Commit '{commit_id}'" if commit_id is not None else f"Draft {draft_number}"
        raise errors.ResourceNotExist(
            f"{owner} does not exist in dataset '{dataset.workspace}/{dataset.name}'."
        )


def searches_tag(dataset: DatasetKey) -> str:
    return f"searches:{dataset.seq}"


def public(row: Row[Any]) -> dict[str, Any]:
    """A history as served: ``commit_id`` only for a commit's, ``draft_number`` otherwise."""
    history: dict[str, Any] = {"id": row.id}
    if row.commit_id is not None:
        history["commit_id"] = row.commit_id
    else:
        history["draft_number"] = row.draft_number
    history.update(
        sheet=row.sheet,
        criteria=json.loads(row.criteria),
        creator=row.creator,
        created_at=row.created_at,
        record_count=row.record_count,
    )
    return history


class SearchStore(Store):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self.source: RecordSource = VersionRecords(backend.get(VersionStore))
        self.dialect = dialect_for(self.db.dialect)

    def use_source(self, source: RecordSource) -> None:
        """Where the records of commits' and drafts' sheets come from."""
        self.source = source

    # ------------------------------------------------------------------ operations

    def create_search_history(
        self, caller: Caller, dataset: DatasetKey, body: SearchCreate
    ) -> dict[str, Any]:
        bound_to(body.commit_id, body.draft_number)
        check_criteria(body.criteria, self.dialect)
        with self.db.write((searches_tag(dataset),)) as conn:
            self.records(conn, dataset, body.commit_id, body.draft_number, body.sheet)
            row = self.insert(
                conn,
                dataset,
                {
                    "id": self.new_id(conn, SEARCH_HISTORY),
                    "commit_id": body.commit_id,
                    "draft_number": body.draft_number if body.commit_id is None else None,
                    "sheet": body.sheet,
                    "criteria": body.criteria,
                    "creator": caller.user,
                    "created_at": self.backend.clock.stamp(),
                },
            )
        return public(row)

    def list_search_histories(
        self,
        dataset: DatasetKey,
        *,
        commit_id: str | None,
        draft_number: int | None,
        sheet: str | None,
        sort: Sequence[str],
        offset: int,
        limit: int,
    ) -> dict[str, Any]:
        unknown = [spec for spec in sort if spec not in SORTS]
        if unknown:
            raise errors.InvalidParams(
                f"Cannot sort searches by '{unknown[0]}': only by created_at (asc or desc)."
            )
        conditions = [SEARCH_HISTORY.c.dataset_seq == dataset.seq]
        if commit_id is not None:
            conditions.append(SEARCH_HISTORY.c.commit_id == commit_id)
        if draft_number is not None:
            conditions.append(SEARCH_HISTORY.c.draft_number == draft_number)
        if sheet is not None:
            conditions.append(SEARCH_HISTORY.c.sheet == sheet)
        order = SEARCH_HISTORY.c.seq
        newest_first = bool(sort) and sort[-1] == "created_at:desc"
        with self.db.read() as conn:
            total = conn.execute(
                select(func.count()).select_from(SEARCH_HISTORY).where(*conditions)
            ).scalar_one()
            rows = conn.execute(
                select(SEARCH_HISTORY)
                .where(*conditions)
                .order_by(order.desc() if newest_first else order)
                .offset(offset)
                .limit(limit)
            ).all()
        searches = [public(row) for row in rows]
        return {
            "searches": searches,
            "offset": offset,
            "record_size": len(searches),
            "total_count": total,
        }

    def get_search_history(self, dataset: DatasetKey, search_id: str) -> dict[str, Any]:
        with self.db.read() as conn:
            return public(self.history(conn, dataset, search_id))

    def delete_search_history(self, dataset: DatasetKey, search_id: str) -> None:
        with self.db.write((searches_tag(dataset),)) as conn:
            gone = conn.execute(
                delete(SEARCH_HISTORY)
                .where(
                    SEARCH_HISTORY.c.dataset_seq == dataset.seq, SEARCH_HISTORY.c.id == search_id
                )
                .returning(SEARCH_HISTORY.c.seq)
            ).first()
            if gone is None:
                raise not_found(dataset, search_id)

    def get_search_record_count(self, dataset: DatasetKey, search_id: str) -> int:
        with self.db.read() as conn:
            records, compiled, marks = self.prepare(conn, dataset, search_id)
            return count_matches(conn, records, compiled, marks)

    def list_search_records(
        self, dataset: DatasetKey, search_id: str, sort: Sequence[str], offset: int, limit: int
    ) -> list[dict[str, Any]]:
        if sort:
            raise errors.InvalidParams(
                f"Cannot sort search records by '{sort[0]}': they come in record order."
            )
        with self.db.read() as conn:
            records, compiled, marks = self.prepare(conn, dataset, search_id)
            return page_matches(conn, records, compiled, self.dialect, (offset, limit), marks)

    # ------------------------------------------------------------------ helpers

    def history(self, conn: Connection, dataset: DatasetKey, search_id: str) -> Row[Any]:
        row = conn.execute(
            select(SEARCH_HISTORY).where(
                SEARCH_HISTORY.c.dataset_seq == dataset.seq, SEARCH_HISTORY.c.id == search_id
            )
        ).first()
        if row is None:
            raise not_found(dataset, search_id)
        return row

    def records(
        self,
        conn: Connection,
        dataset: DatasetKey,
        commit_id: str | None,
        draft_number: int | None,
        sheet: str,
    ) -> SheetRecords:
        return self.source.search_records(
            conn,
            dataset,
            commit_id=commit_id,
            draft_number=draft_number if commit_id is None else None,
            sheet=sheet,
        )

    def prepare(
        self, conn: Connection, dataset: DatasetKey, search_id: str
    ) -> tuple[SheetRecords, Compiled, Bookmarks]:
        """The search's records, its compiled criteria, and the bookmarks into its matches.

        Bookmarks are kept (shared by every search with the same ``where`` over the same
        records) only when the records never change.
        """
        row = self.history(conn, dataset, search_id)
        records = self.records(conn, dataset, row.commit_id, row.draft_number, row.sheet)
        criteria = json.loads(row.criteria)
        compiled = compile_criteria(criteria, self.dialect, records.rows.c.data)
        if records.stable is None:
            return records, compiled, Bookmarks(kept=False)
        where = json.dumps(criteria.get("where"), sort_keys=True)
        marks = self.db.keep(
            ("search-bookmarks", records.stable, where), lambda kept: Bookmarks(kept=kept)
        )
        return records, compiled, marks

    def insert(self, conn: Connection, dataset: DatasetKey, values: dict[str, Any]) -> Row[Any]:
        values = {
            **values,
            "dataset_seq": dataset.seq,
            "criteria": json.dumps(values["criteria"], ensure_ascii=False),
            "record_count": values.get("record_count"),
        }
        conn.execute(insert(SEARCH_HISTORY).values(values))
        return self.history(conn, dataset, values["id"])


def bound_to(commit_id: str | None, draft_number: int | None) -> None:
    """A search is on a commit or on a draft: one of the two, not both."""
    if commit_id is None and draft_number is None:
        raise errors.ParamsMissing("A search needs a 'commit_id' or a 'draft_number'.")
    if commit_id is not None and draft_number is not None:
        raise errors.InvalidParams(
            "A search is on a commit or on a draft: give 'commit_id' or 'draft_number', not both."
        )


def not_found(dataset: DatasetKey, search_id: str) -> errors.ResourceNotExist:
    return errors.ResourceNotExist(
        f"Search '{search_id}' does not exist in dataset '{dataset.workspace}/{dataset.name}'."
    )
