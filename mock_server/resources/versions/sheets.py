"""Sheets of a draft (created, listed, read, deleted, their schema replaced) and of a commit (read).

A sheet created in a draft starts an empty snapshot of its own; a sheet the draft took
from its parent commit writes to the draft's layer over the commit's snapshot. A schema
update replaces the schema text only: rows keep what they hold, and are read through the
current schema (fields it no longer names are left out, new ones read as null).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from mock_server.core import errors
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.versions.base import VersionBase, versions_tag
from mock_server.resources.versions.layers import Snapshot, load_snapshot, new_snapshot
from mock_server.resources.versions.models import SchemaFormat, SchemaUpdate, SheetCreate
from mock_server.resources.versions.schema import parse_schema, schema_as
from mock_server.resources.versions.tables import DRAFT, SHEET, SNAPSHOT


class SheetView:
    """A sheet as one draft or one commit holds it, with its snapshot."""

    def __init__(self, row: Row[Any], snapshot: Snapshot) -> None:
        self.row = row
        self.snapshot = snapshot

    def summary(self, with_record_count: bool) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "name": self.row.name,
            "created_at": self.row.created_at,
            "updated_at": self.row.updated_at,
        }
        if with_record_count:
            summary["record_count"] = self.snapshot.record_count
        return summary


def _summaries(conn: Connection, owner: Any, with_record_count: bool) -> list[dict[str, Any]]:
    query = select(SHEET, SNAPSHOT.c.record_count).join(
        SNAPSHOT, SNAPSHOT.c.seq == SHEET.c.snapshot_seq
    )
    rows = conn.execute(query.where(owner).order_by(SHEET.c.seq)).all()
    summaries = []
    for row in rows:
        summary: dict[str, Any] = {
            "name": row.name,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
        if with_record_count:
            summary["record_count"] = row.record_count
        summaries.append(summary)
    return summaries


def _page(items: list[dict[str, Any]], offset: int, limit: int | None) -> dict[str, Any]:
    page = items[offset:] if limit is None else items[offset:][:limit]
    return {"sheets": page, "offset": offset, "record_size": len(page), "total_count": len(items)}


class SheetOperations(VersionBase):
    # ------------------------------------------------------------------ views

    def draft_sheet(
        self, conn: Connection, dataset: DatasetKey, number: int, name: str, *, write: bool
    ) -> SheetView:
        draft = (self.open_draft if write else self.draft_row)(conn, dataset, number)
        row = self.sheet_row(conn, draft_seq=draft.seq, name=name)
        return SheetView(row, load_snapshot(conn, row.snapshot_seq))

    def commit_sheet(
        self, conn: Connection, dataset: DatasetKey, commit_id: str, name: str
    ) -> SheetView:
        row = self.sheet_row(conn, commit_seq=self.commit_seq(conn, dataset, commit_id), name=name)
        return SheetView(row, load_snapshot(conn, row.snapshot_seq))

    def touch(self, conn: Connection, view: SheetView) -> None:
        """A draft's sheet changed: its and its draft's ``updated_at`` move."""
        now = self.backend.clock.stamp()
        conn.execute(update(SHEET).where(SHEET.c.seq == view.row.seq).values(updated_at=now))
        conn.execute(update(DRAFT).where(DRAFT.c.seq == view.row.draft_seq).values(updated_at=now))

    # ------------------------------------------------------------------ operations

    def create_sheet(self, dataset: DatasetKey, number: int, body: SheetCreate) -> None:
        parse_schema(body.schema_)
        now = self.backend.clock.stamp()
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            draft = self.open_draft(conn, dataset, number)
            taken = conn.execute(
                select(SHEET.c.seq).where(SHEET.c.draft_seq == draft.seq, SHEET.c.name == body.name)
            ).first()
            if taken is not None:
                raise errors.NameConflict(f"Draft {number} already has a sheet '{body.name}'.")
            snapshot = new_snapshot(conn, dataset.seq, None)
            conn.execute(
                insert(SHEET).values(
                    dataset_seq=dataset.seq,
                    draft_seq=draft.seq,
                    name=body.name,
                    schema=body.schema_,
                    avro_schema=body.avro_schema,
                    arrow_schema=body.arrow_schema,
                    record_key_strategy=body.record_key_strategy,
                    created_at=now,
                    updated_at=now,
                    snapshot_seq=snapshot.seq,
                )
            )
            conn.execute(update(DRAFT).where(DRAFT.c.seq == draft.seq).values(updated_at=now))

    def list_draft_sheets(
        self,
        dataset: DatasetKey,
        number: int,
        with_record_count: bool,
        offset: int,
        limit: int | None,
    ) -> dict[str, Any]:
        with self.db.read() as conn:
            draft = self.draft_row(conn, dataset, number)
            items = _summaries(conn, SHEET.c.draft_seq == draft.seq, with_record_count)
        return _page(items, offset, limit)

    def list_commit_sheets(
        self,
        dataset: DatasetKey,
        commit_id: str,
        with_record_count: bool,
        offset: int,
        limit: int | None,
    ) -> dict[str, Any]:
        with self.db.read() as conn:
            seq = self.commit_seq(conn, dataset, commit_id)
            items = _summaries(conn, SHEET.c.commit_seq == seq, with_record_count)
        return _page(items, offset, limit)

    def get_draft_sheet(
        self,
        dataset: DatasetKey,
        number: int,
        name: str,
        with_record_count: bool,
        schema_format: SchemaFormat | None,
    ) -> dict[str, Any]:
        with self.db.read() as conn:
            view = self.draft_sheet(conn, dataset, number, name, write=False)
        return _detail(view, with_record_count, schema_format)

    def get_commit_sheet(
        self,
        dataset: DatasetKey,
        commit_id: str,
        name: str,
        with_record_count: bool,
        schema_format: SchemaFormat | None,
    ) -> dict[str, Any]:
        with self.db.read() as conn:
            view = self.commit_sheet(conn, dataset, commit_id, name)
        return _detail(view, with_record_count, schema_format)

    def delete_sheet(self, dataset: DatasetKey, number: int, name: str) -> None:
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            view = self.draft_sheet(conn, dataset, number, name, write=True)
            self.touch(conn, view)
            conn.execute(delete(SHEET).where(SHEET.c.seq == view.row.seq))
            shared = conn.execute(
                select(SHEET.c.seq).where(SHEET.c.snapshot_seq == view.snapshot.seq).limit(1)
            ).first()
            if shared is None:
                # The draft's own layer (or new sheet): nothing else reads it.
                conn.execute(delete(SNAPSHOT).where(SNAPSHOT.c.seq == view.snapshot.seq))

    def update_schema(
        self, dataset: DatasetKey, number: int, name: str, body: SchemaUpdate
    ) -> None:
        parse_schema(body.schema_)
        with self.db.write((versions_tag(dataset.seq),)) as conn:
            view = self.draft_sheet(conn, dataset, number, name, write=True)
            self.touch(conn, view)
            conn.execute(
                update(SHEET)
                .where(SHEET.c.seq == view.row.seq)
                .values(
                    schema=body.schema_,
                    avro_schema=body.avro_schema,
                    arrow_schema=body.arrow_schema,
                )
            )


def _detail(
    view: SheetView, with_record_count: bool, schema_format: SchemaFormat | None
) -> dict[str, Any]:
    detail = view.summary(with_record_count)
    detail["schema"] = schema_as(view.row.schema, schema_format and schema_format.value)
    return detail
