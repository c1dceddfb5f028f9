"""The ``sort`` query parameter of listings: ``field``, ``field:asc`` or ``field:desc``, repeated.

Each listing names the fields it can sort by; anything else is a 400. The listing's own
order (creation order) always breaks ties, so pages stay stable whatever is asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement

from mock_server.core import errors


def order_by(
    sort: Sequence[str] | None,
    fields: Mapping[str, ColumnElement[object]],
    tie_break: ColumnElement[object],
) -> list[ColumnElement[object]]:
    """The ORDER BY clauses for ``sort`` over ``fields``, ending with ``tie_break``."""
    clauses: list[ColumnElement[object]] = []
    for item in sort or ():
        name, _, direction = item.partition(":")
        column = fields.get(name)
        if column is None or direction.lower() not in ("", "asc", "desc"):
            allowed = ", ".join(sorted(fields))
            raise errors.InvalidParams(
                f"Invalid value for 'sort': '{item[:64]}'; sort by one of {allowed}, "
                "optionally followed by ':asc' or ':desc'."
            )
        clauses.append(column.desc() if direction.lower() == "desc" else column.asc())
    clauses.append(tie_break)
    return clauses
