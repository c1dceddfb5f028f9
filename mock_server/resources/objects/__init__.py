"""Objects: permissions, copies and the object storage (OSS, S3, AZURE) the mock serves itself."""

from mock_server.core.resource import Resource
from mock_server.resources.objects.routes import control, router
from mock_server.resources.objects.storage import is_storage_path
from mock_server.resources.objects.store import ObjectStore

resource = Resource(
    name="objects",
    store=ObjectStore,
    router=router,
    control=control,
    outside=lambda backend: backend.get(ObjectStore),
    streamed=is_storage_path,
)
