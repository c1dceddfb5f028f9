"""Seeded ids restarted on a kept database: a stored id is skipped, never a false 409."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server import errors
from mock_server.clock import IdFactory
from mock_server.models import DatasetCreate
from mock_server.store import DatasetStore

KEY = "ACCESSKEY-seededids001"


def open_store(url: str, *, fast: bool) -> DatasetStore:
    store = DatasetStore.from_url(url, ids=IdFactory(5))
    if not fast:
        store._raw = None  # as on PostgreSQL: SQLAlchemy Core, no cache
    return store


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "neutral"])
def test_a_restarted_id_sequence_skips_stored_ids(tmp_path: Path, fast: bool) -> None:
    url = f"sqlite:///{tmp_path / 'ids.sqlite'}"
    first = open_store(url, fast=fast)
    caller = first.authenticate(KEY)
    before = {first.create_dataset(caller, DatasetCreate(name=f"a{i}"))["id"] for i in range(3)}
    first.close()

    # The same id seed again: its first ids went to the workspace, the user and a0..a2.
    second = open_store(url, fast=fast)
    try:
        caller = second.authenticate(KEY)
        after = [second.create_dataset(caller, DatasetCreate(name=f"b{i}"))["id"] for i in range(5)]
        assert len(set(after)) == 5
        assert not before & set(after)
        with pytest.raises(errors.NameConflict):
            second.create_dataset(caller, DatasetCreate(name="a0"))
        _, total = second.list_datasets(caller, 0, 100)
        assert total == 8
    finally:
        second.close()
