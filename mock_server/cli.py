"""The ``graviti-mock`` command line: ``graviti-mock serve [options]``.

Invariants: ``graviti-mock serving on URL`` is printed once the socket listens and every
worker answers, so a client that reads it and connects is never refused; any start-up
failure before that exits non-zero with one line and no traceback (2 for a bad option,
1 for a database, certificate or port that cannot be used, 3 when a serving process
cannot apply the start-up seed); Ctrl+C stops the server gracefully and ends it as killed
by SIGINT (status 130 in a shell), without a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import ssl
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import uvicorn
from pydantic import ValidationError
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from mock_server import __version__
from mock_server.app import build_backend
from mock_server.core.clock import parse_time
from mock_server.core.database import make_engine
from mock_server.core.errors import InvalidParams
from mock_server.migrations import SchemaError
from mock_server.protocol import JsonHttpToolsProtocol
from mock_server.resources.identity.store import IdentityStore
from mock_server.seeding import load_seed
from mock_server.settings import Settings
from mock_server.startup import STARTUP_FAILURE, StartupError, check_encoding, one_line

# Options that map one to one onto Settings fields (and so onto GRAVITI_MOCK_* variables).
SERVE_OPTIONS: dict[str, dict[str, Any]] = {
    "host": {"help": "interface to bind (default 127.0.0.1; 0.0.0.0 to listen on all)"},
    "port": {"type": int, "help": "port to bind, 0 for a free one (default 8000)"},
    "database": {
        "help": "SQLAlchemy URL (default sqlite:///./graviti-mock.sqlite; sqlite:// is in "
        "memory; postgresql+psycopg://user:pw@host/db)"
    },
    "workers": {"type": int, "help": "worker processes sharing the database (default 1)"},
    "ssl_certfile": {"type": Path, "help": "PEM certificate, to serve https"},
    "ssl_keyfile": {"type": Path, "help": "PEM private key of the certificate"},
    "seed": {"type": Path, "help": "JSON or YAML file of start-up state"},
    "log_level": {"help": "uvicorn log level (default info)"},
    "id_seed": {"type": int, "help": "seed for generated ids, for reproducible runs"},
    "frozen_time": {"help": "freeze the clock at this ISO 8601 time"},
    "control_token": {"help": "require this token (X-Mock-Token) on the control plane"},
    "access_keys": {"help": "comma-separated KEY or KEY=WORKSPACE entries to register"},
    "objects_dir": {
        "type": Path,
        "help": "folder of the stored objects (default: beside the SQLite file, "
        "<file>.objects; a temporary one for sqlite://)",
    },
    "public_url": {
        "help": "base URL clients reach the mock at, for the storage URLs in object "
        "permissions (default: the scheme and host each permission was asked on)",
    },
    "max_object_bytes": {
        "type": int,
        "help": "largest object a PUT may store (default 5 GiB)",
    },
}
SERVE_FLAGS: dict[str, str] = {
    "strict": "accept only the registered access keys",
    "no_control": "turn the /_mock/ control plane off (health and ready stay)",
    "access_log": "log a line per request (off by default: it slows every request down)",
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="graviti-mock",
        description="A local, stateful mock of the Graviti OpenAPI v2 dataset service.",
    )
    top.add_argument("--version", action="version", version=f"graviti-mock {__version__}")
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="run the mock server",
        description="Run the mock server. Every option can also be set by the environment "
        "variable GRAVITI_MOCK_<OPTION> (for example GRAVITI_MOCK_PORT=9000).",
    )
    for name, spec in SERVE_OPTIONS.items():
        flag = "--" + name.replace("_", "-")
        metavar = name.upper().removeprefix("SSL_")
        serve.add_argument(flag, dest=name, default=None, metavar=metavar, **spec)
    for name, help_text in SERVE_FLAGS.items():
        serve.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            action="store_true",
            default=None,
            help=help_text,
        )
    portex = commands.add_parser(
        "install-portex",
        help="install the Portex standard types (file.Image...) the graviti SDK needs",
        description="Put the Portex standard types where the graviti SDK looks for them "
        "(<tempdir>/portex/...), as a local git work tree, so file columns work offline.",
    )
    portex.add_argument("--force", action="store_true", help="rebuild even a clean tree")
    return top


def install_portex(force: bool) -> None:
    from mock_server.portex import PortexInstallError
    from mock_server.portex import install_portex as install

    try:
        install(force=force)
    except PortexInstallError as exc:
        print(f"graviti-mock: install-portex: {exc}", file=sys.stderr)
        sys.exit(1)


def settings_from(args: argparse.Namespace) -> Settings:
    given = {name: getattr(args, name) for name in SERVE_OPTIONS if getattr(args, name) is not None}
    if args.strict:
        given["strict"] = True
    if args.no_control:
        given["control"] = False
    if args.access_log:
        given["access_log"] = True
    return Settings(**given)


def export(settings: Settings) -> None:
    """Put the resolved settings where worker processes read them: the environment."""
    for name, value in settings.model_dump(exclude_none=True).items():
        if isinstance(value, list):
            value = ",".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        os.environ[f"GRAVITI_MOCK_{name.upper()}"] = str(value)


class UsageError(Exception):
    """A bad option: status 2, like argparse's own errors."""


def check(settings: Settings) -> None:
    """Everything that can be refused before the server listens, as one-line errors.

    Run in the first process, so a bad option or an unusable database stops the command
    before ``serving on`` is printed, whatever the number of workers; the workers then
    only repeat what worked here. Raises ``UsageError`` (status 2) or ``StartupError``.
    """
    if settings.ssl_certfile is None and settings.ssl_keyfile is not None:
        raise UsageError("--ssl-keyfile needs --ssl-certfile")
    if settings.workers > 1 and settings.database.rstrip("/") in ("sqlite:", "sqlite:/:memory:"):
        raise UsageError("workers cannot share an in-memory database")
    if settings.frozen_time is not None:
        try:
            parse_time(settings.frozen_time)
        except ValueError:
            raise UsageError(
                f"--frozen-time: {settings.frozen_time!r} is not an ISO 8601 time "
                "(for example 2024-01-01T00:00:00Z)"
            ) from None
    if settings.seed is not None:
        try:
            load_seed(settings.seed)
        except InvalidParams as exc:
            raise UsageError(f"--seed: {exc.message}") from None
    if settings.ssl_certfile is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile)
        except (OSError, ssl.SSLError) as exc:
            raise StartupError(f"--ssl-certfile/--ssl-keyfile: {one_line(exc)}") from None
    try:
        engine = make_engine(settings.database)
    except Exception as exc:
        raise StartupError(f"--database: {one_line(exc)}") from None
    try:
        check_encoding(engine)
        # Opening the backend brings the schema up to date once, here, before any worker.
        build_backend(settings).close()
        if settings.database.rstrip("/") in ("sqlite:", "sqlite:/:memory:"):
            return  # nothing outlives this run
        with engine.connect() as conn:
            # A deferred transaction: a read-only database with nothing to forget opens.
            conn.info["write"] = False
            with conn.begin():
                # Run-time settings (strict mode) a seed stored in an earlier run end with
                # it: the command line says how this run starts.
                IdentityStore.forget_settings(conn)
    except SchemaError as exc:
        # A database this release cannot serve: what to do is in the message.
        raise StartupError(str(exc)) from None
    except StartupError:
        raise
    except Exception as exc:
        raise StartupError(f"cannot open the database: {one_line(exc)}") from None
    finally:
        engine.dispose()


def announce(settings: Settings, sock: socket.socket) -> Callable[[], None]:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    line = f"graviti-mock serving on {settings.scheme}://{shown}:{port}"

    def show() -> None:
        # The first line on stdout, which the pytest fixtures read to learn a port-0
        # address: printed only once the socket accepts and the app answers health.
        print(line, flush=True)

    return show


class SingleServer(uvicorn.Server):
    """uvicorn's server, announcing itself once it really accepts connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.on_started()


@contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block SIGINT while workers are spawned: they inherit the mask.

    Ctrl+C reaches the whole process group. Workers that acted on it themselves would
    race the supervisor (which restarts a worker that exits on its own) and print
    KeyboardInterrupt tracebacks; with it blocked, only the supervisor acts, stopping
    each worker with SIGTERM. A blocked signal is held, not lost, so the supervisor
    still gets one sent meanwhile.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Supervisor(Multiprocess):
    """uvicorn's supervisor, where a worker that fails to start stops the server.

    uvicorn stops on a worker's start-up failure but then exits 0; here the command
    exits with the worker's status. The address is announced once every worker serves.
    """

    STARTUP_TIMEOUT = 60.0

    def __init__(
        self, config: uvicorn.Config, sockets: list[socket.socket], on_started: Callable[[], None]
    ) -> None:
        super().__init__(config, sockets)
        self.on_started = on_started
        self.stopped_by: int | None = None
        self.failure: str | None = None
        self.status = 0

    def init_processes(self) -> None:
        with sigint_blocked():
            super().init_processes()

    def keep_subprocess_alive(self) -> None:
        # Checked here as well as by uvicorn, which only learned to stop on a worker's
        # start-up failure in recent releases (older ones restart it forever).
        for process in self.processes:
            if process.process.exitcode == STARTUP_FAILURE:
                self._failed(process)
                return
        with sigint_blocked():
            super().keep_subprocess_alive()
        if self.should_exit.is_set() and self.stopped_by is None and self.failure is None:
            # uvicorn gave up on a worker that failed before serving.
            self._failed(next(p for p in self.processes if p.process.exitcode is not None))

    def handle_int(self) -> None:
        self.stopped_by = signal.SIGINT
        super().handle_int()

    def handle_term(self) -> None:
        self.stopped_by = signal.SIGTERM
        super().handle_term()

    def _failed(self, process: Process) -> None:
        code = process.process.exitcode
        self.status = code if code is not None and code > 0 else 1
        self.failure = f"worker [{process.process.pid}] failed to start (status {code}); stopping"
        self.should_exit.set()

    def _wait_for_workers(self) -> bool:
        deadline = time.monotonic() + self.STARTUP_TIMEOUT
        waiting = list(self.processes)
        while waiting:
            self.handle_signals()
            if self.should_exit.is_set():
                return False
            for process in list(waiting):
                if serving(process):
                    waiting.remove(process)
                elif not process.process.is_alive():
                    process.join()
                    self._failed(process)
                    return False
            if time.monotonic() > deadline:
                self.status = 1
                self.failure = f"workers not serving after {self.STARTUP_TIMEOUT:.0f} s; stopping"
                self.should_exit.set()
                return False
        return True

    def run(self) -> None:
        self.init_processes()
        if self._wait_for_workers():
            self.on_started()
        while not self.should_exit.wait(0.5):
            self.handle_signals()
            self.keep_subprocess_alive()
        if self.failure is not None:
            print(f"graviti-mock: {self.failure}", file=sys.stderr, flush=True)
        self.terminate_all()
        self.join_all()


def serving(process: Process) -> bool:
    """Whether a worker serves: its server finished start-up where uvicorn reports that
    (``is_ready``, recent releases), else that it answers the supervisor at all. Either
    way the socket already listens, so a client is queued, never refused."""
    is_ready: Callable[..., bool | None] | None = getattr(process, "is_ready", None)
    if is_ready is not None:
        return bool(is_ready(timeout=0.2))
    return process.ping(timeout=0.2)


def serve(settings: Settings) -> int:
    """Run the server until it is stopped; returns the exit status."""
    export(settings)
    config = uvicorn.Config(
        "mock_server.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        ssl_certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
        ssl_keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
        log_level=settings.log_level,
        access_log=settings.access_log,
        # httptools, answering unparseable requests with a Graviti JSON 400.
        http=JsonHttpToolsProtocol,
        timeout_graceful_shutdown=settings.graceful_shutdown,
        server_header=False,
        proxy_headers=False,
    )
    try:
        sock = config.bind_socket()
    except SystemExit:
        # uvicorn has logged why, in one line ("Address already in use"); its status
        # would be 3, which this command keeps for a start-up seed that fails.
        return 1
    # Listen now: a client that connects as soon as it reads the address waits in the
    # backlog instead of being refused while the app loads.
    sock.listen(config.backlog)
    on_started = announce(settings, sock)
    if settings.workers > 1:
        supervisor = Supervisor(config, [sock], on_started)
        supervisor.run()
        if supervisor.stopped_by == signal.SIGINT:
            die_of_sigint()
        return supervisor.status
    SingleServer(config, on_started).run(sockets=[sock])
    return 0


def die_of_sigint() -> NoReturn:
    """End as killed by SIGINT (status 130 in a shell), as a shell expects after Ctrl+C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    raise SystemExit(130)  # not reached: the default action ends the process


def main(argv: Sequence[str] | None = None) -> None:
    # Ctrl+C: uvicorn catches it, shuts down gracefully, restores the handler it found and
    # raises SIGINT again. With the default action in place that ends the process as
    # killed by SIGINT, instead of a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    args = parser().parse_args(argv)
    if args.command == "install-portex":
        install_portex(args.force)
        return
    try:
        settings = settings_from(args)
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(part) for part in problem["loc"])
            print(f"graviti-mock: {where}: {problem['msg']}", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s: %(message)s")
    try:
        check(settings)
    except UsageError as exc:
        print(f"graviti-mock: {exc}", file=sys.stderr)
        sys.exit(2)
    except StartupError as exc:
        print(f"graviti-mock: {exc}", file=sys.stderr)
        sys.exit(1)
    sys.exit(serve(settings))
