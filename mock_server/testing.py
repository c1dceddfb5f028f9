"""A real ``graviti-mock serve`` process for tests: start, stop, url, reset, context manager."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import requests


class ServerError(RuntimeError):
    """The server could not be started, or was used in the wrong state."""


class ServerProcess:
    """``graviti-mock serve`` in a child process, on a free port unless told otherwise.

    >>> with ServerProcess(database="sqlite://") as server:
    ...     requests.get(f"{server.url}/_mock/health").json()
    {'status': 'ok'}
    """

    def __init__(
        self,
        *,
        database: str = "sqlite://",
        host: str = "127.0.0.1",
        port: int = 0,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 60.0,
        verify: str | bool = True,
        argv: Sequence[str] | None = None,
        cwd: str | Path | None = None,
    ) -> None:
        """``argv`` replaces the whole command (``--host``, ``--port`` and ``--database``
        included), for tests that run a command exactly as a user would type it."""
        self.argv = list(argv) if argv is not None else None
        self.cwd = cwd
        self.database = database
        self.host = host
        self.port = port
        self.args = list(args)
        self.env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.verify = verify
        self.process: subprocess.Popen[str] | None = None
        self._url: str | None = None
        self._output: list[str] = []
        self._drain: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise ServerError("the server is not running")
        return self._url

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        if self.argv is not None:
            return list(self.argv)
        return [
            sys.executable,
            "-m",
            "mock_server",
            "serve",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--database",
            self.database,
            *self.args,
        ]

    def start(self, *, wait_ready: bool = True) -> Self:
        """Start, and return once the address is printed and (unless told not to)
        ``/_mock/ready`` answers 200."""
        if self.process is not None:
            raise ServerError("the server is already started")
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("GRAVITI_MOCK_")
        }
        env.update(self.env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        # The child runs this very copy of mock_server, whatever the working directory.
        source_root = str(Path(__file__).resolve().parent.parent)
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if source_root not in paths:
            env["PYTHONPATH"] = os.pathsep.join([source_root, *paths])
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=self.cwd,
            start_new_session=True,
        )
        try:
            self._url = self._read_url(self.process)
            if wait_ready:
                self.wait_ready()
        except BaseException:
            self.kill()
            raise
        return self

    def _read_url(self, process: subprocess.Popen[str]) -> str:
        assert process.stdout is not None
        found: list[str] = []
        ready = threading.Event()

        def drain(stream: IO[str]) -> None:
            for line in stream:
                self._output.append(line)
                if not found and line.startswith("graviti-mock serving on "):
                    found.append(line.split()[-1])
                    ready.set()
            ready.set()

        self._drain = threading.Thread(target=drain, args=(process.stdout,), daemon=True)
        self._drain.start()
        if not ready.wait(self.startup_timeout) or not found:
            state = "still running" if process.poll() is None else f"exit code {process.returncode}"
            raise ServerError(
                f"the server did not start within {self.startup_timeout} s ({state}):\n"
                f"{self.output}"
            )
        return found[0]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise ServerError(f"the server exited during start-up:\n{self.output}")
            try:
                response = requests.get(f"{self.url}/_mock/ready", timeout=1, verify=self.verify)
                if response.status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or still bringing its schema up to date.
                pass
            time.sleep(0.05)
        raise ServerError(f"the server was not ready within {self.startup_timeout} s")

    @property
    def output(self) -> str:
        """Everything the server printed so far."""
        return "".join(self._output)

    def reset(self) -> None:
        response = requests.post(f"{self.url}/_mock/reset", timeout=10, verify=self.verify)
        response.raise_for_status()

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then wait; returns the exit code (None if never started)."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._finish()
        return process.returncode

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        self._finish()

    def _finish(self) -> None:
        if self._drain is not None:
            self._drain.join(5)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None
        self._url = None
        self._drain = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
