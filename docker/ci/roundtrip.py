"""Create a dataset on a running mock, or check that one is there, with urllib only.

    python docker/ci/roundtrip.py URL create NAME   # prints the owning workspace
    python docker/ci/roundtrip.py URL get NAME WORKSPACE

The access key is fixed so that the same key finds the same workspace again
after a restart. CA_FILE in the environment makes https trust that CA.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.request

ACCESS_KEY = "ACCESSKEY-docker-ci-roundtrip"


def call(method: str, url: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("X-Token", ACCESS_KEY)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    cafile = os.environ.get("CA_FILE")
    context = None
    if cafile:
        context = ssl.create_default_context(cafile=cafile)
        # Python 3.13's default: a certificate that passes here passes everywhere.
        context.verify_flags |= ssl.VERIFY_X509_STRICT
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        assert response.status in (200, 201), response.status
        result: dict[str, object] = json.load(response)
        return result


def main() -> None:
    url, action, name = sys.argv[1:4]
    if action == "create":
        dataset = call("POST", f"{url}/v2/datasets", {"name": name, "alias": "round trip"})
        assert dataset["name"] == name, dataset
        fetched = call("GET", f"{url}/v2/datasets/{dataset['workspace']}/{name}")
        assert fetched == dataset, (fetched, dataset)
        print(dataset["workspace"])
    elif action == "get":
        workspace = sys.argv[4]
        dataset = call("GET", f"{url}/v2/datasets/{workspace}/{name}")
        assert dataset["name"] == name and dataset["alias"] == "round trip", dataset
        print(dataset["id"])
    else:
        raise SystemExit(f"unknown action {action!r}")


if __name__ == "__main__":
    main()
