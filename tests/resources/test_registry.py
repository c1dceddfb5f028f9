"""A resource added through the registry alone is served, seeded, exported, reset and snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, insert, select

from mock_server import Settings, create_app
from mock_server.core.backend import Backend, Store, store_dependency
from mock_server.core.resource import Resource, SeedSection
from mock_server.core.seeds import SeedModel
from mock_server.resources import RESOURCES
from mock_server.resources.identity.models import Caller
from mock_server.resources.identity.routes import Auth

NOTE = Table(
    "throwaway_note",
    MetaData(),
    Column("seq", Integer, primary_key=True),
    Column("workspace", String(128), nullable=False),
    Column("text", String, nullable=False),
)


class NoteBody(BaseModel):
    text: str


class NoteSeed(SeedModel):
    workspace: str
    text: str


class NoteStore(Store):
    def add_note(self, caller: Caller, text: str) -> dict[str, Any]:
        with self.db.write() as conn:
            conn.execute(insert(NOTE).values(workspace=caller.workspace, text=text))
        return {"text": text}

    def list_notes(self, caller: Caller) -> list[str]:
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(NOTE.c.text).where(NOTE.c.workspace == caller.workspace)
                ).scalars()
            )


Notes = Annotated[NoteStore, Depends(store_dependency(NoteStore))]
router = APIRouter(prefix="/v2", tags=["notes"])


@router.post("/notes", operation_id="create_note")
async def create_note(body: NoteBody, caller: Auth, notes: Notes) -> dict[str, Any]:
    return notes.add_note(caller, body.text)


@router.get("/notes", operation_id="list_notes")
async def list_notes(caller: Auth, notes: Notes) -> dict[str, Any]:
    return {"notes": notes.list_notes(caller)}


def apply_notes(_backend: Backend, conn: Connection, items: Sequence[Any]) -> int:
    for item in items:
        conn.execute(insert(NOTE).values(workspace=item.workspace, text=item.text))
    return len(items)


def export_notes(_backend: Backend, conn: Connection) -> list[Any]:
    rows = conn.execute(select(NOTE).order_by(NOTE.c.seq)).all()
    return [NoteSeed(workspace=row.workspace, text=row.text) for row in rows]


NOTES = Resource(
    name="notes",
    store=NoteStore,
    router=router,
    seeds=(SeedSection("notes", NoteSeed, apply_notes, export_notes),),
    tables=(NOTE,),
)
KEY = {"X-Token": "ACCESSKEY-throwaway0001"}


def test_a_resource_added_to_the_registry_is_served_seeded_exported_and_reset(
    tmp_path: Path,
) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path / 'notes.sqlite'}")
    with TestClient(create_app(settings, resources=(*RESOURCES, NOTES))) as client:
        workspace = client.get("/v2/current-workspace", headers=KEY).json()["name"]
        # Served, and journalled under its operation id.
        assert client.post("/v2/notes", json={"text": "first"}, headers=KEY).status_code == 200
        assert client.get("/v2/notes", headers=KEY).json() == {"notes": ["first"]}
        journal = client.get("/_mock/requests").json()["requests"]
        operations = [entry["operation"] for entry in journal]
        assert "create_note" in operations
        # Seeded, in the summary, and exported in the seed format.
        seeded = client.post(
            "/_mock/seed", json={"notes": [{"workspace": workspace, "text": "seeded"}]}
        )
        assert seeded.status_code == 200, seeded.text
        assert seeded.json()["notes"] == 1
        exported = client.get("/_mock/state").json()
        assert [note["text"] for note in exported["notes"]] == ["first", "seeded"]
        # Snapshots and reset cover its table.
        assert client.post("/_mock/snapshots/before").status_code == 200
        assert client.post("/_mock/reset").status_code == 200
        assert client.get("/v2/notes", headers=KEY).json() == {"notes": []}
        assert client.post("/_mock/snapshots/before/restore").status_code == 200
        assert client.get("/v2/notes", headers=KEY).json() == {"notes": ["first", "seeded"]}
        # The export seeds back into an emptied mock.
        replaced = client.post("/_mock/seed?replace=true", json=exported)
        assert replaced.status_code == 200, replaced.text
        assert client.get("/v2/notes", headers=KEY).json() == {"notes": ["first", "seeded"]}


def test_the_default_registry_knows_nothing_of_it(tmp_path: Path) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path / 'plain.sqlite'}")
    with TestClient(create_app(settings)) as client:
        assert client.get("/v2/notes", headers=KEY).status_code == 404
        refused = client.post("/_mock/seed", json={"notes": [{"workspace": "w", "text": "x"}]})
        assert (refused.status_code, refused.json()["code"]) == (400, "InvalidParamsValue")
        assert "notes" not in client.get("/_mock/state").json()
