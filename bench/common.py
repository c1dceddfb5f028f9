"""What the benchmark scripts share: serving a fixed app, child servers, TLS files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import uvicorn

ROOT = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    """The environment of a child server: this checkout first, no GRAVITI_* settings."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GRAVITI_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def serve(app: Any, name: str, port: int, **options: Any) -> None:
    """Serve ``app`` with the options ``graviti-mock serve`` passes to uvicorn.

    The first line printed is ``NAME serving on URL``; ``options`` add to uvicorn's
    (``ssl_certfile``, ``access_log``...). uvloop comes with ``loop="auto"``.
    """
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        http="httptools",
        loop="auto",
        log_level="warning",
        server_header=False,
        proxy_headers=False,
        **{"access_log": False, **options},
    )
    sock = config.bind_socket()
    host, bound = sock.getsockname()[:2]
    scheme = "https" if options.get("ssl_certfile") else "http"
    print(f"{name} serving on {scheme}://{host}:{bound}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


class ChildServer:
    """``python -m MODULE ARGS`` in a child process, for as long as the ``with`` lasts."""

    def __init__(self, module: str, name: str, *args: str) -> None:
        self.command = [sys.executable, "-m", module, "--port", "0", *args]
        self.name = name
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> ChildServer:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith(f"{self.name} serving on "):
            self.__exit__()
            raise RuntimeError(f"the {self.name} server did not start: {line!r}")
        self.url = line.split()[-1]
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """A trustme authority's certificate for 127.0.0.1 in ``folder``, trusted by requests.

    Answers the authority, certificate and key files; the authority also goes to
    ``REQUESTS_CA_BUNDLE``.
    """
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    ca, cert, key = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    authority.cert_pem.write_to_path(str(ca))
    certificate.cert_chain_pems[0].write_to_path(str(cert))
    certificate.private_key_pem.write_to_path(str(key))
    os.environ["REQUESTS_CA_BUNDLE"] = str(ca)
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    return ca, cert, key
