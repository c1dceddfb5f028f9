"""The benchmark's reference: a minimal FastAPI app on uvicorn serving fixed JSON.

It answers the four benchmarked calls the way a stateless mock would, written the way
the FastAPI tutorial writes endpoints, and runs under the same uvicorn options as
``graviti-mock serve``. Run it as ``python -m bench.reference --port 0``; its first line
of output is ``reference serving on http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI
from pydantic import BaseModel

from bench.common import serve

DATASET = {
    "id": "0123456789abcdef0123456789abcdef",
    "name": "fixed",
    "alias": "bench",
    "workspace": "workspace-reference",
    "default_branch": "main",
    "commit_id": None,
    "cover_url": "",
    "creator": "user-reference",
    "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
    "is_public": False,
    "storage_config": "default",
    "backend_type": "OSS",
}
LISTING = {
    "datasets": [{**DATASET, "id": f"{i:032x}", "name": f"fixed-{i}"} for i in range(128)],
    "offset": 0,
    "record_size": 128,
    "total_count": 128,
}

app = FastAPI()


class CreateBody(BaseModel):
    name: str
    alias: str = ""


@app.get("/v2/datasets/{workspace}/{dataset}")
async def get_dataset(workspace: str, dataset: str):
    return DATASET


@app.get("/v2/datasets")
async def list_datasets(offset: int = 0, limit: int = 128):
    return LISTING


@app.post("/v2/datasets")
async def create_dataset(body: CreateBody):
    return DATASET


@app.delete("/v2/datasets/{workspace}/{dataset}")
async def delete_dataset(workspace: str, dataset: str):
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args()
    serve(app, "reference", args.port, access_log=args.access_log)


if __name__ == "__main__":
    main()
