"""The commit benchmark's reference: a server that accepts every call of a commit and keeps nothing.

It answers each call the SDK makes for ``ws.datasets.create(name)``, ``dataset[sheet] =
DataFrame(rows)`` and ``dataset.commit(title)`` (the current workspace, create dataset,
create draft, create sheet, add data in batches, commit the draft, get the draft, and the
new head's sheets, which the SDK reads to log it) with the smallest fixed JSON the SDK
accepts, and reads and drops every request body. The SDK takes the same path as against
the mock: the same calls, in the same order, with the same batches. It keeps no state:
a second dataset of the same name is accepted too, and the committed head always shows
one sheet, ``train``, of one column.

It runs under the uvicorn options ``graviti-mock serve`` uses, over HTTPS (the SDK only
speaks HTTPS): ``python -m bench.discard --port 0 --ssl-certfile C --ssl-keyfile K``; its
first line of output is ``discard serving on https://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI, Request, Response

from bench.common import serve

STAMP = "2024-01-01T00:00:00Z"
WORKSPACE: dict[str, object] = {
    "type": "TEAM",
    "id": "0123456789abcdef0123456789abcdef",
    "name": "workspace-discard",
    "alias": "",
    "description": "",
    "email": "",
}
COMMIT: dict[str, object] = {
    "commit_id": "fedcba9876543210fedcba9876543210",
    "parent_commit_id": None,
    "title": "",
    "description": "",
    "committer": "user-discard",
    "committed_at": STAMP,
}

SHEETS: dict[str, object] = {"sheets": [{"name": "train"}]}
SHEET: dict[str, object] = {
    "name": "train",
    "created_at": STAMP,
    "updated_at": STAMP,
    "record_count": 0,
    "schema": "type: record\nfields:\n- name: id\n  type: int64\n",
}


def dataset(name: str) -> dict[str, object]:
    return {
        "id": "0123456789abcdef0123456789abcdef",
        "name": name,
        "alias": "",
        "default_branch": "main",
        "commit_id": None,
        "creator": "user-discard",
        "created_at": STAMP,
        "updated_at": STAMP,
        "is_public": False,
        "storage_config": "default",
        "backend_type": "OSS",
    }


def draft(number: int, state: str) -> dict[str, object]:
    return {
        "number": number,
        "title": "",
        "description": "",
        "branch": "main",
        "state": state,
        "parent_commit_id": None,
        "creator": "user-discard",
        "created_at": STAMP,
        "updated_at": STAMP,
    }


app = FastAPI()
DRAFTS = "/v2/datasets/{workspace}/{name}/drafts"


async def dropped(request: Request) -> Response:
    """Read the whole body and answer 200 with none: the SDK never parses these answers."""
    async for _ in request.stream():
        pass
    return Response()


@app.get("/v2/current-workspace")
async def current_workspace() -> dict[str, object]:
    return WORKSPACE


@app.post("/v2/datasets")
async def create_dataset(request: Request) -> dict[str, object]:
    body = await request.json()
    return dataset(str(body["name"]))


@app.post(DRAFTS)
async def create_draft(workspace: str, name: str, request: Request) -> dict[str, object]:
    await request.body()
    return draft(1, "OPEN")


@app.get(DRAFTS + "/{number}")
async def get_draft(workspace: str, name: str, number: int) -> dict[str, object]:
    return draft(number, "COMMITTED")


@app.post(DRAFTS + "/{number}/sheets")
async def create_sheet(workspace: str, name: str, number: int, request: Request) -> Response:
    return await dropped(request)


@app.post(DRAFTS + "/{number}/sheets/{sheet}/data")
async def add_data(
    workspace: str, name: str, number: int, sheet: str, request: Request
) -> Response:
    return await dropped(request)


@app.post("/v2/datasets/{workspace}/{name}/commits")
async def commit_draft(workspace: str, name: str, request: Request) -> dict[str, object]:
    await request.body()
    return COMMIT


@app.get("/v2/datasets/{workspace}/{name}/commits/{commit_id}/sheets")
async def list_commit_sheets(workspace: str, name: str, commit_id: str) -> dict[str, object]:
    return SHEETS


@app.get("/v2/datasets/{workspace}/{name}/commits/{commit_id}/sheets/{sheet}")
async def get_commit_sheet(
    workspace: str, name: str, commit_id: str, sheet: str
) -> dict[str, object]:
    return SHEET


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ssl-certfile", required=True)
    parser.add_argument("--ssl-keyfile", required=True)
    args = parser.parse_args()
    serve(app, "discard", args.port, ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)


if __name__ == "__main__":
    main()
