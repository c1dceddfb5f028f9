"""How a run looks as it moves: its workflow id, its nodes, their phases and their logs.

A run is one workflow of two nodes, as an Argo workflow shows them: the workflow's own
node (id = ``workflow_id``) and its one step. Every node follows the run's status (its
``phase`` is the status, its ``ended_at`` the run's), and each status the run reaches adds
a line to every node's log. Nothing here touches the database.
"""

from __future__ import annotations

from typing import Any

from mock_server.resources.actions.models import encode_arguments
from mock_server.resources.actions.tables import ENDED, RunStatus

Node = dict[str, Any]


def workflow_id(action: str, run_id: str) -> str:
    # The SDK's Run.url cuts the action name and a '-' off the front.
    return f"{action}-{run_id[:5]}"


def ended_at(status: RunStatus, now: str) -> str | None:
    return now if status in ENDED else None


def new_nodes(
    *,
    workflow: str,
    run_id: str,
    number: int,
    action: str,
    arguments: dict[str, Any],
    status: RunStatus,
    started_at: str,
    ended: str | None,
) -> list[Node]:
    """The nodes of a run that was just created (or seeded) at ``status``."""
    step = f"{workflow}-{int(run_id[:8], 16):010d}"
    started = f"{started_at} run {number} of action '{action}' started\n"
    line = _line(ended or started_at, status)
    common = {"phase": status.value, "started_at": started_at, "ended_at": ended}
    return [
        {
            "id": workflow,
            "name": workflow,
            "display_name": workflow,
            "children": [step],
            "log": started + line,
            **common,
        },
        {
            "id": step,
            "name": f"{workflow}.run",
            "display_name": "run",
            "children": [],
            "log": started + f"arguments: {encode_arguments(arguments)}\n" + line,
            **common,
        },
    ]


def moved_nodes(nodes: list[Node], status: RunStatus, now: str, log: str | None) -> list[Node]:
    """The nodes once the run moved to ``status`` at ``now``; ``log`` goes to the steps."""
    moved = []
    for node in nodes:
        text = node.get("log", "") + _line(now, status)
        if log is not None and not node.get("children"):
            text += f"{now} {log}" + ("" if log.endswith("\n") else "\n")
        moved.append(
            {**node, "phase": status.value, "ended_at": ended_at(status, now), "log": text}
        )
    return moved


def _line(time: str, status: RunStatus) -> str:
    return f"{time} {status.value}\n"
