"""The versions resource's sheets as the searches' record source."""

from __future__ import annotations

from sqlalchemy import Connection

from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.searches.records import SheetRecords, live_records
from mock_server.resources.versions.schema import parse_schema
from mock_server.resources.versions.store import VersionStore
from mock_server.resources.versions.tables import RECORD


class VersionRecords:
    def __init__(self, versions: VersionStore) -> None:
        self.versions = versions

    def search_records(
        self,
        conn: Connection,
        dataset: DatasetKey,
        *,
        commit_id: str | None,
        draft_number: int | None,
        sheet: str,
    ) -> SheetRecords:
        stable = None
        if commit_id is not None:
            view = self.versions.commit_sheet(conn, dataset, commit_id, sheet)
            # The layers a commit points at are never written again.
            stable = ("sheet-layers", view.snapshot.chain)
        else:
            assert draft_number is not None
            view = self.versions.draft_sheet(conn, dataset, draft_number, sheet, write=False)
        fields = parse_schema(view.row.schema).names
        return SheetRecords(live_records(RECORD, view.snapshot.chain), fields, stable)
