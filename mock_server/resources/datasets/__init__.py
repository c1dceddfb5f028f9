"""Datasets: the five ``/v2/datasets`` endpoints, and the reference nested resources use."""

from mock_server.core.resource import Resource, SeedSection
from mock_server.resources.datasets.models import DatasetSeed
from mock_server.resources.datasets.routes import router
from mock_server.resources.datasets.store import DatasetStore, apply_seed, export_seed
from mock_server.resources.datasets.tables import DATASET

resource = Resource(
    name="datasets",
    store=DatasetStore,
    router=router,
    seeds=(SeedSection("datasets", DatasetSeed, apply_seed, export_seed),),
    tables=(DATASET,),
)
