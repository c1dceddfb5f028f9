"""Check that the real SDK's https-only Workspace works against the mock over TLS.

REQUESTS_CA_BUNDLE=ca.pem python docker/ci/sdk_tls_check.py https://graviti-mock:8000
"""

from __future__ import annotations

import sys
import uuid

import graviti


def main() -> None:
    url = sys.argv[1]
    workspace = graviti.Workspace(f"ACCESSKEY-tls-check-{uuid.uuid4().hex}", url)
    name = f"tls-check-{uuid.uuid4().hex[:8]}"
    created = workspace.datasets.create(name, alias="TLS check")
    assert created.name == name, created
    assert workspace.datasets.get(name).alias == "TLS check"
    assert name in [dataset.name for dataset in workspace.datasets.list()]
    workspace.datasets.delete(name)
    assert name not in [dataset.name for dataset in workspace.datasets.list()]
    print(f"graviti SDK over TLS: create/get/list/delete ok in workspace {workspace.name!r}")


if __name__ == "__main__":
    main()
