"""Make a throwaway CA and a server certificate for running the mock over TLS.

    python docker/make-cert.py [OUT_DIR] [--host NAME ...]

writes into OUT_DIR (default docker/certs):
    ca.pem      the CA certificate clients must trust (REQUESTS_CA_BUNDLE=...)
    server.pem  the server certificate chain  (GRAVITI_MOCK_SSL_CERTFILE)
    server.key  its private key               (GRAVITI_MOCK_SSL_KEYFILE)

The certificate is valid for localhost, 127.0.0.1, ::1, the compose service
names and their OSS and S3 storage names (oss.graviti-mock, s3.graviti-mock...),
plus any --host given. Needs trustme (in the project's `test`
extra, or `pip install trustme`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import trustme

DEFAULT_HOSTS = ["localhost", "127.0.0.1", "::1", "graviti-mock", "graviti-mock-pg"]
# The OSS and S3 storage hosts of each service (a bucket in front of the host name).
DEFAULT_HOSTS += [
    f"{bucket}.{service}" for service in DEFAULT_HOSTS[3:] for bucket in ("oss", "s3")
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parent / "certs"
    parser.add_argument("out_dir", nargs="?", type=Path, default=default_out)
    parser.add_argument("--host", action="append", default=[], help="another name or IP")
    args = parser.parse_args()

    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="graviti-mock local CA")
    cert = ca.issue_cert(*DEFAULT_HOSTS, *args.host)

    ca.cert_pem.write_to_path(str(out / "ca.pem"))
    (out / "server.pem").write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(out / "server.key"))
    # The container runs as its own user (uid 10001), not the host's, and must
    # read the bind-mounted key: this is a throwaway key for a local mock.
    os.chmod(out, 0o755)
    for name in ("ca.pem", "server.pem", "server.key"):
        os.chmod(out / name, 0o644)
    print(f"wrote {out}/ca.pem, server.pem, server.key")


if __name__ == "__main__":
    main()
