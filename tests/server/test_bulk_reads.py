"""``int_column``: a column of integers read back as one aggregated value, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import BigInteger, literal, select, union_all

from mock_server.core.bulk import int_column
from mock_server.inprocess import InProcessMock


@pytest.mark.parametrize(
    "numbers",
    [[5, 3, 9, 1], [1, 2, 3], [], [2**40, -7, 0], list(range(400, 0, -1))],
    ids=["unordered", "ordered", "empty", "wide", "many"],
)
def test_a_column_comes_back_ascending_and_whole(
    empty_mock: InProcessMock, numbers: list[int]
) -> None:
    rows = union_all(
        *(select(literal(n, BigInteger).label("n")) for n in numbers or [1])
    ).subquery()
    statement = select(rows.c.n).where(rows.c.n < 0) if not numbers else select(rows.c.n)
    with empty_mock.backend.db.read() as conn:
        found = int_column(conn, statement)
    assert list(found) == sorted(numbers)
    assert found.typecode == "q"
