"""Storage configs: where a workspace's dataset files live (``default`` unless seeded)."""

from mock_server.core.resource import Resource, SeedSection
from mock_server.resources.storage_configs.store import (
    StorageConfigSeed,
    StorageConfigStore,
    apply_seed,
    export_seed,
)
from mock_server.resources.storage_configs.tables import STORAGE_CONFIG

resource = Resource(
    name="storage_configs",
    store=StorageConfigStore,
    seeds=(SeedSection("storage_configs", StorageConfigSeed, apply_seed, export_seed),),
    tables=(STORAGE_CONFIG,),
)
