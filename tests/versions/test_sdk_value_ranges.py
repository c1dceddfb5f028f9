"""The SDK commits values at the edges of their types' ranges and reads them back equal."""

from __future__ import annotations

from typing import Any

import graviti
import graviti.portex as pt
from graviti import DataFrame

from mock_server import mock_graviti

KEY = "ACCESSKEY-sdkvalueranges01"
FLOAT32_MAX = 3.4028234663852886e38

SCHEMA = pt.record(
    {
        "i32": pt.int32(),
        "i64": pt.int64(),
        "f32": pt.float32(),
        "e": pt.enum(["x", "y", "2024-01-01"]),
    }
)
ROWS: list[dict[str, Any]] = [
    {"i32": 2**31 - 1, "i64": 2**63 - 1, "f32": FLOAT32_MAX, "e": "x"},
    {"i32": -(2**31), "i64": -(2**63), "f32": -FLOAT32_MAX, "e": "2024-01-01"},
    {"i32": 0, "i64": None, "f32": 1.5, "e": "y"},
]


def test_values_at_the_edges_read_back_equal() -> None:
    with mock_graviti():
        dataset = graviti.Workspace(KEY).datasets.create("X")
        dataset["t"] = DataFrame(ROWS, schema=SCHEMA)
        dataset.commit("edges")

        again = graviti.Workspace(KEY).datasets.get("X")
        assert again["t"].to_pylist() == ROWS
        assert again["t"].schema.to_yaml() == SCHEMA.to_yaml()
