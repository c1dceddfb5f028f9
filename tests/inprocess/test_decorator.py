"""@mock_graviti gives each call of the function its own mock, so calls may overlap.

Two threads calling one decorated function at once each get a fresh, independent mock;
the handle the decorator was made from controls the mock of the call running in the
calling thread; and the process still exits when they are done.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import graviti
import pytest

from mock_server import mock_graviti
from tests.inprocess.conftest import SocketEvents

KEY = "ACCESSKEY-decorator00000001"


def test_concurrent_calls_each_get_their_own_mock(no_sockets: SocketEvents) -> None:
    both_inside = threading.Barrier(2, timeout=30)
    mock = mock_graviti(seed={"datasets": [{"name": "seeded", "workspace": "w"}]})

    @mock
    def create(name: str) -> tuple[list[str], list[str]]:
        both_inside.wait()  # both calls' mocks are active from here on
        workspace = graviti.Workspace(KEY)
        workspace.datasets.create(name)
        listed = [dataset.name for dataset in workspace.datasets.list()]
        # The decorator's handle reports the mock of the call in this thread.
        return listed, [dataset["name"] for dataset in mock.state()["datasets"]]

    results: dict[str, tuple[list[str], list[str]]] = {}
    errors: list[BaseException] = []

    def call(name: str) -> None:
        try:
            results[name] = create(name)
        except BaseException as error:
            errors.append(error)
            both_inside.abort()

    threads = [threading.Thread(target=call, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results == {
        "a": (["a"], ["seeded", "a"]),
        "b": (["b"], ["seeded", "b"]),
    }
    with pytest.raises(RuntimeError, match="not active"):
        mock.state()
    assert no_sockets == []


def test_the_process_exits_after_concurrent_calls(tmp_path: Path) -> None:
    script = tmp_path / "overlap.py"
    script.write_text(
        textwrap.dedent(
            """
            import threading

            import graviti
            from mock_server import mock_graviti

            both_inside = threading.Barrier(2, timeout=30)

            @mock_graviti
            def create(name):
                both_inside.wait()
                graviti.Workspace("ACCESSKEY-decorator00000001").datasets.create(name)

            threads = [threading.Thread(target=create, args=(n,)) for n in ("a", "b")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            print("done")
            """
        )
    )
    finished = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "done"
    assert "Exception" not in finished.stderr
