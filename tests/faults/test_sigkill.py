"""SIGKILL under mixed write load: every acknowledged write survives, and the file is sound."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from mock_server.testing import ServerProcess

KEY = "ACCESSKEY-sigkill000000001"
HEADERS = {"X-Token": KEY}
WRITERS = 4
ACKS_BEFORE_KILL = 300


@dataclass
class Writer:
    """One thread's history: what the server acknowledged, and the call left in flight."""

    number: int
    # Original name -> (current name, id), for every acknowledged create/rename/delete.
    datasets: dict[str, tuple[str, str]] = field(default_factory=dict)
    in_flight: tuple[str, str, str | None] | None = None
    unexpected: list[str] = field(default_factory=list)

    def expected(self, *, with_in_flight: bool) -> set[tuple[str, str]]:
        datasets = dict(self.datasets)
        if with_in_flight and self.in_flight is not None:
            op, original, new_name = self.in_flight
            if op == "rename":
                datasets[original] = (str(new_name), datasets[original][1])
            elif op == "delete":
                datasets.pop(original)
            # An unacknowledged create has no known id: it is checked by name below.
        return set(datasets.values())


def write_until_killed(url: str, writer: Writer, acks: list[int], enough: threading.Event) -> None:
    session = requests.Session()
    session.headers.update(HEADERS)
    prefix = f"t{writer.number}-"

    def call(op: str, original: str, new_name: str | None, method: str, target: str) -> Any:
        writer.in_flight = (op, original, new_name)
        body = {"name": new_name or original} if method != "DELETE" else None
        try:
            response = session.request(method, target, json=body)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # Killed: refused or reset before the answer, or cut off inside its body.
            # Either way the outcome of this call is unknown.
            return None
        if response.status_code != 200:
            writer.unexpected.append(f"{op} {original}: {response.status_code} {response.text}")
            return None
        writer.in_flight = None
        acks.append(1)
        if len(acks) >= ACKS_BEFORE_KILL:
            enough.set()
        return response.json()

    base = f"{url}/v2/datasets"
    for i in range(100_000):
        name = f"{prefix}{i}"
        created = call("create", name, None, "POST", base)
        if created is None:
            return
        writer.datasets[name] = (name, created["id"])
        workspace = created["workspace"]
        if i % 3 == 1:
            renamed = f"{name}-renamed"
            if call("rename", name, renamed, "PATCH", f"{base}/{workspace}/{name}") is None:
                return
            writer.datasets[name] = (renamed, created["id"])
        if i % 4 == 3:
            victim = f"{prefix}{i - 2}"
            current = writer.datasets[victim][0]
            if call("delete", victim, None, "DELETE", f"{base}/{workspace}/{current}") is None:
                return
            writer.datasets.pop(victim)


def all_datasets(url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = requests.get(
            f"{url}/v2/datasets", headers=HEADERS, params={"offset": len(found), "limit": 1000}
        ).json()
        found += page["datasets"]
        if len(found) >= page["total_count"]:
            return found


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    database = tmp_path / "mock.sqlite"
    writers = [Writer(number) for number in range(WRITERS)]
    acks: list[int] = []
    enough = threading.Event()
    server = ServerProcess(database=f"sqlite:///{database}").start()
    try:
        threads = [
            threading.Thread(target=write_until_killed, args=(server.url, w, acks, enough))
            for w in writers
        ]
        for thread in threads:
            thread.start()
        assert enough.wait(120), f"only {len(acks)} writes acknowledged"
        server.kill()
        for thread in threads:
            thread.join(60)
            assert not thread.is_alive()
    finally:
        server.kill()

    for writer in writers:
        assert writer.unexpected == []
    # The file as the crash left it (with its WAL) is sound.
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()

    with ServerProcess(database=f"sqlite:///{database}") as restarted:
        stored = all_datasets(restarted.url)
    assert len(stored) >= len(acks) // 3  # sanity: the load really wrote
    for writer in writers:
        prefix = f"t{writer.number}-"
        mine = {(d["name"], d["id"]) for d in stored if d["name"].startswith(prefix)}
        settled = writer.expected(with_in_flight=False)
        after_in_flight = writer.expected(with_in_flight=True)
        if writer.in_flight is not None and writer.in_flight[0] == "create":
            # A create that was in flight is either absent or stored under its name.
            name = writer.in_flight[1]
            mine = {(n, i) for n, i in mine if n != name}
        assert mine in (settled, after_in_flight), (writer.number, writer.in_flight)
