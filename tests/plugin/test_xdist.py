"""Under pytest-xdist each worker gets its own server: no shared port, no shared state."""

from __future__ import annotations

import json

import pytest

from tests.plugin.conftest import PLUGIN_ARGS


def test_a_suite_under_two_workers(project: pytest.Pytester) -> None:
    out = project.mkdir("out")
    project.makepyfile(
        f"""
        import json
        import os
        import pathlib

        import pytest
        from graviti.openapi import create_dataset, list_datasets

        OUT = pathlib.Path({str(out)!r})

        @pytest.mark.parametrize("n", range(8))
        def test_same_name_everywhere(graviti_mock, graviti_server, n):
            # Every test creates the same name: with any shared state one would conflict.
            create_dataset(graviti_mock.access_key, graviti_mock.url, "shared")
            assert list_datasets(graviti_mock.access_key, graviti_mock.url)["total_count"] == 1
            graviti_mock.assert_called("create_dataset", times=1)
            worker = os.environ["PYTEST_XDIST_WORKER"]
            record = {{"worker": worker, "url": graviti_server.url, "pid": os.getpid()}}
            (OUT / f"{{n}}.json").write_text(json.dumps(record))
        """
    )
    result = project.runpytest_subprocess(*PLUGIN_ARGS, "-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    records = [json.loads(path.read_text()) for path in out.iterdir()]
    assert len(records) == 8
    url_of = {record["worker"]: record["url"] for record in records}
    assert sorted(url_of) == ["gw0", "gw1"]
    assert len(set(url_of.values())) == 2
    # One server per worker, started once for the worker's whole session.
    for worker, url in url_of.items():
        assert {r["url"] for r in records if r["worker"] == worker} == {url}
