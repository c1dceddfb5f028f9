"""The ``graviti-mock`` command line: ``graviti-mock serve [options]``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError
from uvicorn.supervisors import Multiprocess

from mock_server import __version__
from mock_server.settings import Settings

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


def serve(settings: Settings) -> None:
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
        http="httptools",
        timeout_graceful_shutdown=settings.graceful_shutdown,
        server_header=False,
        proxy_headers=False,
    )
    sock = config.bind_socket()
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    # The first line of output, which the pytest fixtures read to learn a port-0 address.
    print(f"graviti-mock serving on {settings.scheme}://{shown}:{port}", flush=True)
    if settings.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> None:
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
    if settings.ssl_certfile is None and settings.ssl_keyfile is not None:
        print("graviti-mock: --ssl-keyfile needs --ssl-certfile", file=sys.stderr)
        sys.exit(2)
    if settings.seed is not None:
        # Refuse a bad seed file here, with its problems, rather than in a worker's start-up.
        from mock_server.core.errors import InvalidParams
        from mock_server.seeding import load_seed

        try:
            load_seed(settings.seed)
        except InvalidParams as exc:
            print(f"graviti-mock: --seed: {exc.message}", file=sys.stderr)
            sys.exit(2)
    if settings.workers > 1 and settings.database.rstrip("/") in ("sqlite:", "sqlite:/:memory:"):
        print("graviti-mock: workers cannot share an in-memory database", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s: %(message)s")
    prepare_database(settings)
    serve(settings)


def prepare_database(settings: Settings) -> None:
    """Bring the database to the current schema once, before any worker starts.

    A database this release cannot serve is refused here with one line saying what to
    do, and the command exits non-zero before it prints that it is serving.
    """
    from mock_server.core.database import make_engine
    from mock_server.migrations import SchemaError, prepare_schema
    from mock_server.resources import RESOURCES

    if settings.database.rstrip("/") in ("sqlite:", "sqlite:/:memory:"):
        return
    engine = make_engine(settings.database, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        prepare_schema(engine, RESOURCES)
    except SchemaError as exc:
        print(f"graviti-mock: {exc}", file=sys.stderr)
        sys.exit(2)
    finally:
        engine.dispose()
