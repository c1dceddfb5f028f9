"""The control plane from Python: ``MockControl(url, token=None)`` speaks to ``/_mock/``.

The in-process mode and the pytest fixtures are built on it, so a test reads the same
whether the mock runs in-process, in a child process or in a container.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

__all__ = ["Actions", "Clock", "MockControl", "MockControlError", "RecordedRequest"]

_UNSET: Any = object()


class MockControlError(RuntimeError):
    """The control plane answered an error (``status``, Graviti ``code``, ``message``)."""

    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RecordedRequest:
    """One call the mock received, as the journal shows it."""

    seq: int
    time: str
    operation: str | None
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    access_key: str | None
    request_id: str | None
    body: Any
    status: int
    duration_ms: float
    fault: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordedRequest:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


class Clock:
    """The mock's clock: ``freeze``, ``set``, ``advance``, ``unfreeze``, ``now``."""

    def __init__(self, control: MockControl) -> None:
        self._control = control

    def _change(self, change: dict[str, Any]) -> str:
        answer: dict[str, Any] = self._control._call("POST", "/clock", json=change)
        return str(answer["now"])

    def now(self) -> str:
        """The time the mock stamps now, in the wire format."""
        return str(self._control._call("GET", "/clock")["now"])

    @property
    def frozen(self) -> bool:
        return bool(self._control._call("GET", "/clock")["frozen"])

    def freeze(self, at: str | datetime | None = None) -> str:
        """Stop the clock, now or at ``at``; returns the frozen time."""
        if at is None:
            return self._change({"freeze": True})
        return self.set(at)

    def set(self, at: str | datetime) -> str:
        value = at.isoformat() if isinstance(at, datetime) else at
        return self._change({"set": value})

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0) -> str:
        return self._change({"advance": seconds + 60 * minutes + 3600 * hours})

    def unfreeze(self) -> str:
        return self._change({"unfreeze": True})


class Actions:
    """Script the runs of an action, for code that polls them.

    By default a run succeeds at once. ``hold`` keeps new runs PENDING (or RUNNING) until
    ``set_run_status`` moves them; ``fail_next`` makes the next runs fail at once.
    """

    def __init__(self, control: MockControl) -> None:
        self._control = control

    def _script(self, workspace: str, dataset: str, action: str, **change: Any) -> Any:
        path = f"/actions/{workspace}/{dataset}/{action}/script"
        return self._control._call("POST", path, json=change)

    def script(self, workspace: str, dataset: str, action: str) -> dict[str, Any]:
        """What the action's next runs do: ``{"hold": ..., "fail_next": ...}``."""
        path = f"/actions/{workspace}/{dataset}/{action}/script"
        return self._control._call("GET", path)  # type: ignore[no-any-return]

    def hold(
        self, workspace: str, dataset: str, action: str, *, status: str = "PENDING"
    ) -> dict[str, Any]:
        """Keep the action's new runs at ``status`` (PENDING or RUNNING) until moved."""
        return self._script(workspace, dataset, action, hold=status)  # type: ignore[no-any-return]

    def release(self, workspace: str, dataset: str, action: str) -> dict[str, Any]:
        """New runs succeed at once again (runs held so far stay as they are)."""
        return self._script(workspace, dataset, action, release=True)  # type: ignore[no-any-return]

    def fail_next(
        self, workspace: str, dataset: str, action: str, *, times: int = 1
    ) -> dict[str, Any]:
        """Make the action's next ``times`` runs fail at once."""
        return self._script(workspace, dataset, action, fail_next=times)  # type: ignore[no-any-return]

    def set_run_status(
        self,
        workspace: str,
        dataset: str,
        action: str,
        number: int,
        status: str,
        *,
        log: str | None = None,
    ) -> dict[str, Any]:
        """Move run ``number`` to ``status``, adding ``log`` to its log; the run with nodes."""
        body: dict[str, Any] = {"status": status}
        if log is not None:
            body["log"] = log
        path = f"/actions/{workspace}/{dataset}/{action}/runs/{number}"
        return self._control._call("POST", path, json=body)  # type: ignore[no-any-return]


def _seed_payload(seed: Mapping[str, Any] | str | Path) -> tuple[bytes, str]:
    if isinstance(seed, Mapping):
        return json.dumps(seed).encode(), "application/json"
    path = Path(seed)
    kind = "application/yaml" if path.suffix.lower() in (".yaml", ".yml") else "application/json"
    return path.read_bytes(), kind


class MockControl:
    """A client of a running mock's control plane.

    >>> control = MockControl("http://127.0.0.1:8000")           # doctest: +SKIP
    >>> control.fail("get_dataset", status=500, times=1)         # doctest: +SKIP
    >>> control.assert_called("get_dataset", times=1)            # doctest: +SKIP
    >>> control.actions.hold("my-ws", "MNIST", "train")          # doctest: +SKIP
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        verify: bool | str = True,
        timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.verify = verify
        self.timeout = timeout
        self._session = session
        self.clock = Clock(self)
        self.actions = Actions(self)

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if self.token is not None:
            headers["X-Mock-Token"] = self.token
        response = self.session.request(
            method,
            f"{self.url}/_mock{path}",
            headers=headers,
            timeout=self.timeout,
            verify=self.verify,
            **kwargs,
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200:
            code = body.get("code") if isinstance(body, dict) else None
            message = body.get("message") if isinstance(body, dict) else response.text
            raise MockControlError(response.status_code, code, str(message))
        return body

    # -------------------------------------------------------------- probes and state

    def health(self) -> bool:
        try:
            return self._call("GET", "/health").get("status") == "ok"  # type: ignore[no-any-return]
        except (requests.RequestException, MockControlError):
            return False

    def ready(self) -> bool:
        try:
            return self._call("GET", "/ready").get("status") == "ready"  # type: ignore[no-any-return]
        except (requests.RequestException, MockControlError):
            return False

    def reset(
        self,
        to: str = "empty",
        *,
        seed: Mapping[str, Any] | None = None,
        id_seed: int | None = None,
    ) -> dict[str, Any]:
        """Empty the state (``to="seed"``: back to the start-up seed), journal and faults.

        ``seed`` is added on top in the same call; ``id_seed`` reseeds generated ids.
        """
        body: dict[str, Any] = {"to": to}
        if seed is not None:
            body["seed"] = dict(seed)
        if id_seed is not None:
            body["id_seed"] = id_seed
        return self._call("POST", "/reset", json=body)  # type: ignore[no-any-return]

    def seed(self, seed: Mapping[str, Any] | str | Path, *, replace: bool = False) -> Any:
        """Add a seed: a mapping, or the path of a JSON or YAML file."""
        data, kind = _seed_payload(seed)
        return self._call(
            "POST",
            "/seed",
            params={"replace": "true"} if replace else None,
            data=data,
            headers={"Content-Type": kind},
        )

    def state(self) -> dict[str, Any]:
        """The whole state in the seed format."""
        return self._call("GET", "/state")  # type: ignore[no-any-return]

    def objects(self) -> dict[str, int]:
        """Every stored object (OSS, S3 and AZURE files alike): its key and size."""
        listed = self._call("GET", "/objects")["objects"]
        return {item["key"]: item["size"] for item in listed}

    def snapshot(self, name: str) -> dict[str, Any]:
        return self._call("POST", f"/snapshots/{name}")  # type: ignore[no-any-return]

    def restore(self, name: str) -> dict[str, Any]:
        return self._call("POST", f"/snapshots/{name}/restore")  # type: ignore[no-any-return]

    def snapshots(self) -> list[str]:
        return [item["name"] for item in self._call("GET", "/snapshots")["snapshots"]]

    def delete_snapshot(self, name: str) -> None:
        self._call("DELETE", f"/snapshots/{name}")

    def reseed_ids(self, seed: int | None) -> None:
        self._call("POST", "/ids", json={"seed": seed})

    # -------------------------------------------------------------- journal

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every call the mock received since the last reset, oldest first."""
        return self.calls()

    def calls(self, operation: str | None = None) -> list[RecordedRequest]:
        params = {"operation": operation} if operation is not None else None
        page = self._call("GET", "/requests", params=params)
        return [RecordedRequest.from_json(entry) for entry in page["requests"]]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def assert_called(self, operation: str, times: int | None = None) -> list[RecordedRequest]:
        """Assert ``operation`` was called (exactly ``times`` times if given); its calls."""
        calls = self.calls()
        matching = [call for call in calls if call.operation == operation]
        if (times is None and not matching) or (times is not None and len(matching) != times):
            seen = ", ".join(f"{c.method} {c.path} ({c.operation})" for c in calls) or "none"
            expected = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {operation} to be called {expected}, "
                f"it was called {len(matching)} time(s); calls received: {seen}"
            )
        return matching

    def assert_not_called(self, operation: str) -> None:
        self.assert_called(operation, times=0)

    # -------------------------------------------------------------- faults

    def fail(
        self,
        operation: str = "*",
        status: int = 500,
        *,
        code: str | None = _UNSET,
        message: str | None = None,
        times: int | None = 1,
        latency_ms: int = 0,
    ) -> dict[str, Any]:
        """Make the next ``times`` calls of ``operation`` answer ``status`` (None: forever).

        ``code`` defaults to the one the SDK pairs with ``status`` (none for 503).
        """
        body: dict[str, Any] = {
            "operation": operation,
            "status": status,
            "times": times,
            "latency_ms": latency_ms,
        }
        if code is not _UNSET:
            body["code"] = code
        if message is not None:
            body["message"] = message
        return self._call("POST", "/faults", json=body)  # type: ignore[no-any-return]

    def delay(
        self, operation: str = "*", ms: int = 100, *, times: int | None = 1
    ) -> dict[str, Any]:
        """Delay the next ``times`` calls of ``operation`` by ``ms`` milliseconds."""
        body = {"operation": operation, "latency_ms": ms, "times": times}
        return self._call("POST", "/faults", json=body)  # type: ignore[no-any-return]

    def drop(self, operation: str = "*", *, times: int | None = 1) -> dict[str, Any]:
        """Close the connection of the next ``times`` calls without an answer."""
        body = {"operation": operation, "drop_connection": True, "times": times}
        return self._call("POST", "/faults", json=body)  # type: ignore[no-any-return]

    @property
    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/faults")["faults"]  # type: ignore[no-any-return]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")
