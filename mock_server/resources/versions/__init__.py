"""Versions: branches, tags, commits, revisions, drafts, sheets and records of a dataset."""

from fastapi import APIRouter

from mock_server.core.resource import Resource, SeedSection
from mock_server.resources.versions import routes, sheet_routes
from mock_server.resources.versions.seed import VersionsSeed, apply_seed, export_seed
from mock_server.resources.versions.store import VersionStore
from mock_server.resources.versions.tables import TABLES

router = APIRouter()
router.include_router(routes.router)
router.include_router(sheet_routes.router)

resource = Resource(
    name="versions",
    store=VersionStore,
    router=router,
    seeds=(
        SeedSection(
            "versions",
            VersionsSeed,
            apply_seed,
            export_seed,
            description="Datasets' commits (with sheets and records), branches, tags and drafts",
            counts=("commits",),
        ),
    ),
    tables=TABLES,
)
