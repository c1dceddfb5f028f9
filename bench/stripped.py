"""The commit benchmark's floors: ``graviti-mock serve`` with part of adding rows taken out.

    python -m bench.stripped {store,rows} serve [graviti-mock serve options]

``store``: a batch of rows is read, parsed, its draft and sheet looked up and every row
checked against the schema, in the same write transaction as the mock's, and the keys
are handed out and counted; only the rows' INSERT is skipped.
``rows``: the add-rows endpoints read and parse the body (FastAPI's body field, as the
mock's) and answer ``{}``; nothing is looked up, checked or stored.

Everything else is the mock as ``graviti-mock serve`` runs it. Neither is a mock: they
show, as ratios to the discard server in the same run, what a target on the SDK's
``dataset.commit`` leaves once storing, then checking, the rows costs nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from mock_server import cli
from mock_server.resources.datasets.store import DatasetKey
from mock_server.resources.versions import layers
from mock_server.resources.versions.records import RecordOperations


def _no_insert(*_args: Any, **_kwargs: Any) -> None:
    """In place of the one statement that inserts a batch's rows."""


def _no_rows(
    self: RecordOperations, dataset: DatasetKey, number: int, sheet: str, rows: Sequence[Any]
) -> None:
    """In place of the store's whole ``add_records``."""


def strip(part: str) -> None:
    if part == "store":
        # The module's own name for it, which add_rows calls.
        vars(layers)["append_json_rows"] = _no_insert
    elif part == "rows":
        RecordOperations.add_records = _no_rows  # type: ignore[method-assign]
    else:
        raise SystemExit(f"usage: python -m bench.stripped {{store,rows}} serve ...: not {part!r}")


def main() -> None:
    part, *argv = sys.argv[1:] or [""]
    strip(part)
    cli.main(argv)


if __name__ == "__main__":
    main()
