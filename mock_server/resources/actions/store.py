"""Actions and their runs, under a dataset: the service's ten operations and the script.

Rules:
- An action's name is unique in its dataset (409 ``NameConflict``); ``edition`` starts
  at 1 and grows by one each time the payload changes; ``state`` is ENABLED or DISABLED.
- A run is numbered 1, 2, 3... per action. By default it succeeds at once; the action's
  script (set through the control plane) can hold new runs PENDING or RUNNING, or make
  the next ``fail_next`` runs fail (a failing run ends at once even when runs are held).
- A disabled action cannot be run (403 ``Forbidden``). Only a run that has not ended can
  be cancelled; cancelling an ended run is 403 ``Forbidden`` and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from mock_server.core import errors
from mock_server.core.backend import Store
from mock_server.core.names import NAME_RE
from mock_server.core.sorting import order_by
from mock_server.resources.actions import runs
from mock_server.resources.actions.models import (
    ActionCreate,
    ActionList,
    ActionPublic,
    ActionScript,
    ActionUpdate,
    NodeLog,
    NodePublic,
    RunDetail,
    RunList,
    RunPublic,
    RunStatusChange,
    ScriptChange,
    encode_arguments,
)
from mock_server.resources.actions.tables import ACTION, ACTION_RUN, ENDED, ActionState, RunStatus
from mock_server.resources.datasets.store import DatasetKey, DatasetStore
from mock_server.resources.datasets.tables import DATASET

ACTION_FIELDS = [ACTION.c[field] for field in ActionPublic.model_fields]
RUN_FIELDS = [ACTION_RUN.c[field] for field in RunPublic.model_fields]
ACTION_SORT = {
    "name": ACTION.c.name,
    "edition": ACTION.c.edition,
    "state": ACTION.c.state,
    "created_at": ACTION.c.created_at,
}
RUN_SORT = {
    "number": ACTION_RUN.c.number,
    "status": ACTION_RUN.c.status,
    "started_at": ACTION_RUN.c.started_at,
    "ended_at": ACTION_RUN.c.ended_at,
}


def _where(dataset: DatasetKey) -> str:
    return f"dataset '{dataset.workspace}/{dataset.name}'"


def _action_public(row: Any) -> ActionPublic:
    return ActionPublic.model_validate(
        {field: row._mapping[field] for field in ActionPublic.model_fields}
    )


def _run_public(row: Mapping[Any, Any]) -> dict[str, Any]:
    fields = {column.name: row[column.name] for column in RUN_FIELDS}
    fields["arguments"] = json.loads(fields["arguments"])
    return fields


def _run_detail(row: Mapping[Any, Any]) -> RunDetail:
    nodes = [NodePublic.model_validate(node) for node in json.loads(row["nodes"])]
    return RunDetail.model_validate({**_run_public(row), "nodes": nodes})


class ActionStore(Store):
    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _action(conn: Connection, dataset: DatasetKey, name: str) -> Row[Any]:
        row = None
        # A name no action can have is not looked up (NUL cannot even be sent to PostgreSQL).
        if NAME_RE.match(name):
            row = conn.execute(
                select(ACTION).where(ACTION.c.dataset_seq == dataset.seq, ACTION.c.name == name)
            ).first()
        if row is None:
            raise errors.ResourceNotExist(
                f"Action '{name[:128]}' does not exist in {_where(dataset)}."
            )
        return row

    @staticmethod
    def _run(conn: Connection, dataset: DatasetKey, action: Row[Any], number: int) -> Row[Any]:
        row = conn.execute(
            select(ACTION_RUN).where(
                ACTION_RUN.c.action_seq == action.seq, ACTION_RUN.c.number == number
            )
        ).first()
        if row is None:
            raise errors.ResourceNotExist(
                f"Run {number} of action '{action.name}' does not exist in {_where(dataset)}."
            )
        return row

    @staticmethod
    def _dataset_exists(conn: Connection, dataset: DatasetKey) -> None:
        # The dataset was found before the transaction; it may have gone since.
        if conn.execute(select(DATASET.c.seq).where(DATASET.c.seq == dataset.seq)).first() is None:
            raise errors.DatasetNotFound(dataset.workspace, dataset.name)

    @staticmethod
    def control_dataset(conn: Connection, workspace: str, name: str) -> DatasetKey:
        """A dataset named by the control plane, which acts as no caller."""
        found = None
        if NAME_RE.match(workspace) and NAME_RE.match(name):
            found = DatasetStore.lookup(conn, workspace, name)
        if found is None:
            raise errors.DatasetNotFound(workspace[:128], name[:128])
        return found

    # ------------------------------------------------------------------ actions

    def create_action(self, dataset: DatasetKey, body: ActionCreate) -> ActionPublic:
        values = {
            "name": body.name,
            "payload": body.payload,
            "edition": 1,
            "state": ActionState.ENABLED.value,
        }
        try:
            with self.db.write(()) as conn:
                self._dataset_exists(conn, dataset)
                values["id"] = self.new_id(conn, ACTION)
                conn.execute(
                    insert(ACTION).values(
                        **values,
                        dataset_seq=dataset.seq,
                        created_at=self.backend.clock.stamp(),
                        hold_status=None,
                        fail_next=0,
                    )
                )
        except IntegrityError as exc:
            raise errors.NameConflict(
                f"Action '{body.name}' already exists in {_where(dataset)}."
            ) from exc
        return ActionPublic.model_validate(values)

    def list_actions(
        self, dataset: DatasetKey, sort: Sequence[str] | None, offset: int, limit: int
    ) -> ActionList:
        ordering = order_by(sort, ACTION_SORT, ACTION.c.seq)
        mine = ACTION.c.dataset_seq == dataset.seq
        with self.db.read() as conn:
            total = conn.execute(select(func.count()).where(mine)).scalar_one()
            rows = conn.execute(
                select(*ACTION_FIELDS).where(mine).order_by(*ordering).offset(offset).limit(limit)
            ).all()
        actions = [_action_public(row) for row in rows]
        return ActionList(
            actions=actions, offset=offset, record_size=len(actions), total_count=total
        )

    def get_action(self, dataset: DatasetKey, name: str) -> ActionPublic:
        with self.db.read() as conn:
            return _action_public(self._action(conn, dataset, name))

    def update_action(self, dataset: DatasetKey, name: str, body: ActionUpdate) -> ActionPublic:
        try:
            with self.db.write(()) as conn:
                row = self._action(conn, dataset, name)
                changes: dict[str, Any] = {}
                if body.name is not None and body.name != row.name:
                    changes["name"] = body.name
                if body.state is not None and body.state.value != row.state:
                    changes["state"] = body.state.value
                if body.payload is not None and body.payload != row.payload:
                    changes["payload"] = body.payload
                    changes["edition"] = row.edition + 1
                if changes:
                    conn.execute(update(ACTION).where(ACTION.c.seq == row.seq).values(changes))
        except IntegrityError as exc:
            raise errors.NameConflict(
                f"Action '{body.name}' already exists in {_where(dataset)}."
            ) from exc
        return ActionPublic.model_validate({**_action_public(row).model_dump(), **changes})

    def delete_action(self, dataset: DatasetKey, name: str) -> None:
        with self.db.write(()) as conn:
            row = self._action(conn, dataset, name)
            # Runs go with it (ON DELETE CASCADE).
            conn.execute(delete(ACTION).where(ACTION.c.seq == row.seq))

    # ------------------------------------------------------------------ runs

    def create_action_run(
        self, dataset: DatasetKey, name: str, arguments: dict[str, Any]
    ) -> RunPublic:
        with self.db.write(()) as conn:
            action = self._action(conn, dataset, name)
            if action.state != ActionState.ENABLED.value:
                raise errors.Forbidden(
                    f"Action '{name}' of {_where(dataset)} is disabled: enable it to run it."
                )
            script: dict[str, Any] = {}
            if action.fail_next > 0:
                status = RunStatus.FAILED
                script["fail_next"] = action.fail_next - 1
            elif action.hold_status is not None:
                status = RunStatus(action.hold_status)
            else:
                status = RunStatus.SUCCEEDED
            if script:
                conn.execute(update(ACTION).where(ACTION.c.seq == action.seq).values(script))
            last = conn.execute(
                select(func.max(ACTION_RUN.c.number)).where(ACTION_RUN.c.action_seq == action.seq)
            ).scalar()
            values = self.new_run_values(conn, action.name, (last or 0) + 1, status, arguments)
            conn.execute(insert(ACTION_RUN).values(**values, action_seq=action.seq))
        return RunPublic.model_validate({**values, "arguments": arguments})

    def new_run_values(
        self,
        conn: Connection,
        action: str,
        number: int,
        status: RunStatus,
        arguments: dict[str, Any],
        *,
        started_at: str | None = None,
        ended_at: str | None = None,
        run_id: str | None = None,
        workflow: str | None = None,
        nodes: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A run's row values (for a call or a seed), with the nodes of its status."""
        run_id = run_id or self.new_id(conn, ACTION_RUN)
        started_at = started_at or self.backend.clock.stamp()
        if ended_at is None:
            ended_at = runs.ended_at(status, started_at)
        workflow = workflow or runs.workflow_id(action, run_id)
        if nodes is None:
            nodes = runs.new_nodes(
                workflow=workflow,
                run_id=run_id,
                number=number,
                action=action,
                arguments=arguments,
                status=status,
                started_at=started_at,
                ended=ended_at,
            )
        return {
            "id": run_id,
            "number": number,
            "name": workflow,
            "workflow_id": workflow,
            "status": status.value,
            "arguments": encode_arguments(arguments),
            "started_at": started_at,
            "ended_at": ended_at,
            "nodes": json.dumps(nodes, ensure_ascii=False),
        }

    def list_action_runs(
        self,
        dataset: DatasetKey,
        name: str,
        sort: Sequence[str] | None,
        offset: int,
        limit: int,
    ) -> RunList:
        ordering = order_by(sort, RUN_SORT, ACTION_RUN.c.number)
        with self.db.read() as conn:
            action = self._action(conn, dataset, name)
            mine = ACTION_RUN.c.action_seq == action.seq
            total = conn.execute(select(func.count()).where(mine)).scalar_one()
            rows = conn.execute(
                select(*RUN_FIELDS).where(mine).order_by(*ordering).offset(offset).limit(limit)
            ).all()
        found = [RunPublic.model_validate(_run_public(row._mapping)) for row in rows]
        return RunList(runs=found, offset=offset, record_size=len(found), total_count=total)

    def get_action_run(self, dataset: DatasetKey, name: str, number: int) -> RunDetail:
        with self.db.read() as conn:
            run = self._run(conn, dataset, self._action(conn, dataset, name), number)
        return _run_detail(run._mapping)

    def cancel_action_run(self, dataset: DatasetKey, name: str, number: int) -> RunDetail:
        with self.db.write(()) as conn:
            run = self._run(conn, dataset, self._action(conn, dataset, name), number)
            if RunStatus(run.status) in ENDED:
                raise errors.Forbidden(
                    f"Run {number} of action '{name}' has already ended ({run.status}): "
                    "only a pending or running run can be cancelled."
                )
            return self._move(conn, run, RunStatus.CANCELLED, None)

    def get_action_run_node_log(
        self, dataset: DatasetKey, name: str, number: int, node_id: str
    ) -> NodeLog:
        with self.db.read() as conn:
            run = self._run(conn, dataset, self._action(conn, dataset, name), number)
        for node in json.loads(run.nodes):
            if node["id"] == node_id:
                return NodeLog(node_id=node_id, log=node.get("log", ""))
        raise errors.ResourceNotExist(
            f"Node '{node_id[:256]}' does not exist in run {number} of action '{name}'."
        )

    def _move(
        self, conn: Connection, run: Row[Any], status: RunStatus, log: str | None
    ) -> RunDetail:
        now = self.backend.clock.stamp()
        values = {
            "status": status.value,
            "ended_at": runs.ended_at(status, now),
            "nodes": json.dumps(
                runs.moved_nodes(json.loads(run.nodes), status, now, log), ensure_ascii=False
            ),
        }
        conn.execute(update(ACTION_RUN).where(ACTION_RUN.c.seq == run.seq).values(values))
        return _run_detail({**run._mapping, **values})

    # ------------------------------------------------------------------ the script

    def script_action(
        self, workspace: str, dataset: str, name: str, change: ScriptChange | None
    ) -> ActionScript:
        """The action's script, after ``change`` (none: as it is)."""
        with self.db.write(()) as conn:
            action = self._action(conn, self.control_dataset(conn, workspace, dataset), name)
            hold, fail_next = action.hold_status, action.fail_next
            if change is not None:
                if change.release:
                    hold = None
                if change.hold is not None:
                    hold = change.hold.value
                if change.fail_next is not None:
                    fail_next = change.fail_next
                conn.execute(
                    update(ACTION)
                    .where(ACTION.c.seq == action.seq)
                    .values(hold_status=hold, fail_next=fail_next)
                )
        return ActionScript(hold=None if hold is None else RunStatus(hold), fail_next=fail_next)

    def set_run_status(
        self, workspace: str, dataset: str, name: str, number: int, change: RunStatusChange
    ) -> RunDetail:
        """Move a run to any status, as the service's workflow engine would."""
        with self.db.write(()) as conn:
            key = self.control_dataset(conn, workspace, dataset)
            run = self._run(conn, key, self._action(conn, key, name), number)
            return self._move(conn, run, change.status, change.log)
