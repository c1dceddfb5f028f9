"""The SDK's online search workflows end to end against the in-process mock."""

from __future__ import annotations

import datetime

import graviti
import graviti.portex as pt
from graviti import DataFrame

from mock_server import mock_graviti

KEY = "ACCESSKEY-online0000000000"
SCHEMA = pt.record(
    {
        "i": pt.int32(),
        "Label": pt.string(),
        "box": pt.record({"w": pt.float64()}),
        "tags": pt.array(pt.int32()),
        "cat": pt.enum(["a", "b"]),
        "ts": pt.timestamp("ms"),
    }
)
ROWS = [
    {"i": i, "Label": f"l{i % 3}", "box": {"w": i / 4}, "tags": list(range(i % 4)),
     "cat": "ab"[i % 2], "ts": datetime.datetime(2022, 1, 1 + i % 28)}
    for i in range(200)
]  # fmt: skip


def test_query_and_apply_online_on_a_commit() -> None:
    with mock_graviti() as mock:
        ws = graviti.Workspace(KEY)
        dataset = ws.datasets.create("DS")
        dataset["train"] = DataFrame(ROWS, schema=SCHEMA)
        dataset.commit("first")
        sheet = ws.datasets.get("DS")["train"]
        local = sheet.to_pylist()
        with graviti.engine.online():
            found = sheet.query(lambda x: (x["i"] > 150) & (x["cat"] == "b"))
            applied = sheet.apply(lambda x: x["box"]["w"] * 2 + x["i"])
            anyt = sheet.query(lambda x: (x["tags"] > 1).any())
            late = sheet.query(lambda x: x["ts"] >= datetime.datetime(2022, 1, 20))
        assert found.to_pylist() == [r for r in local if r["i"] > 150 and r["cat"] == "b"]
        assert applied.to_pylist() == [[r["box"]["w"] * 2 + r["i"]] for r in local]
        assert anyt.to_pylist() == [r for r in local if any(t > 1 for t in r["tags"])]
        assert late.to_pylist() == [r for r in local if r["ts"] >= datetime.datetime(2022, 1, 20)]
        histories = list(ws.datasets.get("DS").searches.list())
        assert [h.record_count for h in histories] == [len(found), 200, len(anyt), len(late)]
        created = mock.assert_called("create_search_history", times=4)
        assert created[0].body == {
            "sheet": "train",
            "criteria": {"where": {"$and": [{"$gt": ["$.i", 150]}, {"$eq": ["$.cat", 1]}]}},
            "commit_id": dataset.HEAD.commit_id,
        }
        counts = mock.calls("get_search_record_count")
        pages = mock.calls("list_search_records")
        print("record-count calls", len(counts), "record pages", len(pages))
