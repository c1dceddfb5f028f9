"""The objects' request and response models: permissions, copies and the area listing."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mock_server.core.names import Name
from mock_server.resources.storage_configs.tables import BackendType

# The service copies at most this many keys per call (the SDK sends batches of 2048).
MAX_COPY_KEYS = 2048


class ObjectPermission(BaseModel):
    """``GET .../objects/permissions``: the SDK reads only ``permission``.

    ``permission`` holds, for OSS: AccessKeyId, AccessKeySecret, SecurityToken, bucket,
    endpoint; for S3 the same and region; for AZURE: container_name, account_name,
    sas_param, endpoint_prefix. A permission that allows PUT also has ``prefix``.
    """

    backend_type: BackendType
    expire_at: str
    permission: dict[str, str]


class CopyRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    source_dataset: Name
    # At most MAX_COPY_KEYS, checked by the store rather than declared: a declared bound
    # would have clients (and fuzzers) build bodies past the 1 MiB body limit to test it.
    keys: list[Annotated[str, StringConstraints(max_length=1024)]]


class CopyResult(BaseModel):
    keys: list[str] = Field(description="The new keys, in the order of the request's keys")


class StoredObject(BaseModel):
    key: str
    size: int


class ObjectList(BaseModel):
    """``GET /_mock/objects``: every object the mock stores, by key."""

    objects: list[StoredObject]
    total_size: int
