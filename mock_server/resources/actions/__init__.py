"""Actions: a dataset's workflows and their runs (``/v2/datasets/{ws}/{ds}/actions``)."""

from mock_server.core.resource import Resource, SeedSection
from mock_server.resources.actions.control import control
from mock_server.resources.actions.models import ActionSeed
from mock_server.resources.actions.routes import router
from mock_server.resources.actions.seeds import apply_seed, export_seed
from mock_server.resources.actions.store import ActionStore
from mock_server.resources.actions.tables import ACTION, ACTION_RUN

resource = Resource(
    name="actions",
    store=ActionStore,
    router=router,
    seeds=(
        SeedSection(
            "actions",
            ActionSeed,
            apply_seed,
            export_seed,
            description="Actions of datasets, with their runs and their script",
            counts=("actions", "action_runs"),
        ),
    ),
    control=control,
    tables=(ACTION, ACTION_RUN),
)
