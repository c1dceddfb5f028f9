"""Searches: search histories of a dataset's commits and drafts, their counts and records."""

from mock_server.core.resource import Resource, SeedSection
from mock_server.resources.searches.models import SearchSeed
from mock_server.resources.searches.routes import router
from mock_server.resources.searches.seed import apply_seed, export_seed
from mock_server.resources.searches.store import SearchStore
from mock_server.resources.searches.tables import SEARCH_HISTORY

resource = Resource(
    name="searches",
    store=SearchStore,
    router=router,
    seeds=(
        SeedSection(
            "searches",
            SearchSeed,
            apply_seed,
            export_seed,
            description="Search histories on commits' and drafts' sheets",
        ),
    ),
    tables=(SEARCH_HISTORY,),
)
