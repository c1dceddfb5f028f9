"""The ``actions`` seed section: actions of seeded (or existing) datasets, with their runs
and their script."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from mock_server.core import errors
from mock_server.core.backend import Backend
from mock_server.resources.actions.models import ActionSeed
from mock_server.resources.actions.store import ActionStore
from mock_server.resources.actions.tables import ACTION, ACTION_RUN
from mock_server.resources.datasets.store import DatasetStore
from mock_server.resources.datasets.tables import DATASET


def apply_seed(backend: Backend, conn: Connection, items: Sequence[Any]) -> dict[str, int]:
    store = backend.get(ActionStore)
    added = added_runs = 0
    for seed in items:
        assert isinstance(seed, ActionSeed)
        where = f"action '{seed.name}' of dataset '{seed.workspace}/{seed.dataset}'"
        dataset = DatasetStore.lookup(conn, seed.workspace, seed.dataset)
        if dataset is None:
            raise errors.InvalidParams(
                f"Invalid seed: {where}: the dataset is neither seeded nor present."
            )
        exists = conn.execute(
            select(ACTION.c.seq).where(
                ACTION.c.dataset_seq == dataset.seq, ACTION.c.name == seed.name
            )
        ).first()
        if exists is not None:
            continue
        numbers = [run.number for run in seed.runs]
        if len(set(numbers)) != len(numbers):
            raise errors.InvalidParams(f"Invalid seed: {where} has two runs with one number.")
        inserted = conn.execute(
            insert(ACTION).values(
                id=seed.id or store.new_id(conn, ACTION),
                dataset_seq=dataset.seq,
                name=seed.name,
                payload=seed.payload,
                edition=seed.edition,
                state=seed.state.value,
                created_at=seed.created_at or backend.clock.stamp(),
                hold_status=None if seed.script.hold is None else seed.script.hold.value,
                fail_next=seed.script.fail_next,
            )
        ).inserted_primary_key
        assert inserted is not None
        for run in seed.runs:
            nodes = None
            if run.nodes is not None:
                nodes = [node.model_dump() for node in run.nodes]
            values = store.new_run_values(
                conn,
                seed.name,
                run.number,
                run.status,
                run.arguments,
                started_at=run.started_at,
                ended_at=run.ended_at,
                run_id=run.id,
                workflow=run.workflow_id,
                nodes=nodes,
            )
            conn.execute(insert(ACTION_RUN).values(**values, action_seq=inserted[0]))
            added_runs += 1
        added += 1
    return {"actions": added, "action_runs": added_runs}


def export_seed(_backend: Backend, conn: Connection) -> list[Any]:
    runs_of: dict[int, list[dict[str, Any]]] = {}
    for run in conn.execute(
        select(ACTION_RUN).order_by(ACTION_RUN.c.action_seq, ACTION_RUN.c.number)
    ):
        runs_of.setdefault(run.action_seq, []).append(
            {
                "number": run.number,
                "id": run.id,
                "workflow_id": run.workflow_id,
                "status": run.status,
                "arguments": json.loads(run.arguments),
                "started_at": run.started_at,
                "ended_at": run.ended_at,
                "nodes": json.loads(run.nodes),
            }
        )
    rows = conn.execute(
        select(ACTION, DATASET.c.workspace, DATASET.c.name.label("dataset"))
        .join(DATASET, DATASET.c.seq == ACTION.c.dataset_seq)
        .order_by(ACTION.c.seq)
    ).all()
    return [
        ActionSeed.model_validate(
            {
                "workspace": row.workspace,
                "dataset": row.dataset,
                "name": row.name,
                "id": row.id,
                "payload": row.payload,
                "edition": row.edition,
                "state": row.state,
                "created_at": row.created_at,
                "script": {"hold": row.hold_status, "fail_next": row.fail_next},
                "runs": runs_of.get(row.seq, []),
            }
        )
        for row in rows
    ]
