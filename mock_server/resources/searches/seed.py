"""The ``searches`` seed section: search histories, checked as a create call checks them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from mock_server.core import errors
from mock_server.core.backend import Backend

# The lookup in the seeding transaction (``DatasetStore.find`` opens its own).
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.datasets.tables import DATASET
from mock_server.resources.searches.criteria import check_criteria
from mock_server.resources.searches.models import SearchSeed
from mock_server.resources.searches.store import SearchStore, bound_to
from mock_server.resources.searches.tables import SEARCH_HISTORY


def apply_seed(backend: Backend, conn: Connection, items: Sequence[Any]) -> int:
    store = backend.get(SearchStore)
    added = 0
    for seed in items:
        assert isinstance(seed, SearchSeed)
        where = f"Invalid seed: search on '{seed.workspace}/{seed.dataset}'"
        if seed.id is not None and _taken(conn, seed.id):
            continue
        try:
            dataset = DatasetStore.lookup(conn, seed.workspace, seed.dataset)
            if dataset is None:
                raise errors.DatasetNotFound(seed.workspace, seed.dataset)
            bound_to(seed.commit_id, seed.draft_number)
            check_criteria(seed.criteria, store.dialect)
            store.records(conn, dataset, seed.commit_id, seed.draft_number, seed.sheet)
        except errors.GravitiError as exc:
            raise errors.InvalidParams(f"{where}: {exc.message}") from exc
        store.insert(
            conn,
            dataset,
            {
                "id": seed.id or store.new_id(conn, SEARCH_HISTORY),
                "commit_id": seed.commit_id,
                "draft_number": seed.draft_number,
                "sheet": seed.sheet,
                "criteria": seed.criteria,
                "creator": seed.creator,
                "created_at": seed.created_at or backend.clock.stamp(),
            },
        )
        added += 1
    return added


def _taken(conn: Connection, search_id: str) -> bool:
    found = conn.execute(select(SEARCH_HISTORY.c.seq).where(SEARCH_HISTORY.c.id == search_id))
    return found.first() is not None


def export_seed(_backend: Backend, conn: Connection) -> list[Any]:
    rows = conn.execute(
        select(SEARCH_HISTORY, DATASET.c.workspace, DATASET.c.name.label("dataset"))
        .join(DATASET, DATASET.c.seq == SEARCH_HISTORY.c.dataset_seq)
        .order_by(SEARCH_HISTORY.c.seq)
    ).all()
    return [
        SearchSeed(
            workspace=row.workspace,
            dataset=row.dataset,
            id=row.id,
            commit_id=row.commit_id,
            draft_number=row.draft_number,
            sheet=row.sheet,
            criteria=json.loads(row.criteria),
            creator=row.creator,
            created_at=row.created_at,
        )
        for row in rows
    ]
