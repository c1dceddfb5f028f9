"""Objects: permissions, copies, and the checks the storage makes before a PUT or GET.

Invariants:

- a dataset's objects live under its prefix ``<dataset id>/`` (the id never changes, so
  a rename keeps them and a new dataset of a deleted one's name has none of them);
- a permission is a signed token (``tokens``) for one dataset, some actions and until a
  moment of the mock's clock; the storage refuses it for another dataset's keys, for an
  action it does not name, once expired, and once its dataset is gone;
- a copy is validated whole (source dataset, storage config, every key present) before
  the first object is linked, so a refused copy stores nothing;
- the objects are files (``area``), outside the database: a reset empties them, a
  snapshot notes their keys, and a restore removes the keys added since.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import timedelta
from ipaddress import IPv4Address
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select

from mock_server.core import errors
from mock_server.core.backend import Backend, Store
from mock_server.core.clock import format_time
from mock_server.resources.datasets.store import DatasetKey, DatasetStore, listing_tag
from mock_server.resources.datasets.tables import DATASET
from mock_server.resources.identity.models import Caller
from mock_server.resources.objects import tokens
from mock_server.resources.objects.area import ObjectArea, split_key
from mock_server.resources.objects.models import (
    MAX_COPY_KEYS,
    CopyRequest,
    CopyResult,
    ObjectList,
    ObjectPermission,
    StoredObject,
)
from mock_server.resources.storage_configs.tables import BackendType

ACTIONS = {"GET": frozenset({"GET"}), "PUT": frozenset({"PUT"})}
ACTIONS["GET|PUT"] = ACTIONS["PUT|GET"] = frozenset({"GET", "PUT"})
MAX_EXPIRED = 7 * 24 * 3600
# Where AZURE blobs live on the mock's own listener: {public URL}/blob/{container}/{key}.
AZURE_PATH = "/blob"
AZURE_CONTAINER = "graviti-mock"
AZURE_ACCOUNT = "gravitimock"
S3_REGION = "us-east-1"
DEFAULT_MAX_OBJECT_BYTES = 5 * 1024**3


class Refusal(enum.Enum):
    """Why the storage refuses a request's credentials (each backend words it its way)."""

    MISSING = "no credentials"
    INVALID = "credentials the mock did not issue"
    EXPIRED = "an expired permission"
    FOREIGN = "a permission for another dataset's objects"
    ACTION = "a permission that does not allow this action"
    GONE = "a permission for a dataset that no longer exists"


class ObjectRefused(Exception):
    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        self.refusal = refusal
        super().__init__(detail or f"The request carries {refusal.value}.")


def bucket_and_endpoint(base_url: str, backend: BackendType) -> tuple[str, str]:
    """OSS/S3 address ``https://{bucket}.{endpoint}/{key}`` of the mock at ``base_url``.

    An IPv4 host is split across the two (``127`` and ``0.0.1:PORT``), so the SDK's URL
    is the mock's own address with no DNS; a named host gets the bucket ``oss`` or
    ``s3`` in front (``oss.api.graviti.com``), which must reach the mock too.
    """
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    try:
        IPv4Address(host)
    except ValueError:
        return backend.value.lower(), f"{host}{port}"
    first, rest = host.split(".", 1)
    return first, f"{rest}{port}"


def storage_hosts(base_url: str) -> list[str]:
    """Every base URL the storage answers on for a mock at ``base_url`` (its own first)."""
    base = base_url.rstrip("/")
    hosts = [base]
    for backend in (BackendType.OSS, BackendType.S3):
        bucket, endpoint = bucket_and_endpoint(base, backend)
        url = f"https://{bucket}.{endpoint}"
        if url not in hosts:
            hosts.append(url)
    return hosts


class ObjectStore(Store):
    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self._area: ObjectArea | None = None
        self.public_url: str | None = None
        self.max_object_bytes = DEFAULT_MAX_OBJECT_BYTES

    def configure(self, area: ObjectArea, *, public_url: str | None, max_object_bytes: int) -> None:
        self.close()
        self._area = area
        self.public_url = public_url.rstrip("/") if public_url else None
        self.max_object_bytes = max_object_bytes

    @property
    def area(self) -> ObjectArea:
        if self._area is None:
            self._area = ObjectArea.temporary_area()
        return self._area

    def close(self) -> None:
        if self._area is not None:
            self._area.close()
            self._area = None

    # ------------------------------------------------------------------ operations

    def get_object_permission(
        self,
        caller: Caller,
        workspace: str,
        dataset: str,
        *,
        actions: str,
        expired: int,
        base_url: str,
    ) -> ObjectPermission:
        allowed = ACTIONS.get(actions)
        if allowed is None:
            raise errors.InvalidParams(
                f"Invalid value for 'actions': '{actions}'; it must be GET, PUT or GET|PUT."
            )
        if not 1 <= expired <= MAX_EXPIRED:
            raise errors.InvalidParams(
                f"Invalid value for 'expired': it must be 1 to {MAX_EXPIRED} seconds."
            )
        found = self.backend.get(DatasetStore).find(
            caller, workspace, dataset, write="PUT" in allowed
        )
        expires = self.backend.clock.now() + timedelta(seconds=expired)
        grant = tokens.Grant(
            dataset_id=found.public.id,
            workspace=found.workspace,
            dataset=found.name,
            actions=allowed,
            expires=int(expires.timestamp()),
        )
        token = tokens.issue(self.area.secret, grant)
        backend = found.public.backend_type
        base = self.public_url or base_url.rstrip("/")
        permission: dict[str, str]
        if backend is BackendType.AZURE:
            expiry = quote(format_time(expires), safe="")
            sp = "".join(sorted(action[0].lower() for action in allowed))
            permission = {
                "container_name": AZURE_CONTAINER,
                "account_name": AZURE_ACCOUNT,
                "sas_param": f"sv=2020-08-04&sr=c&sp={sp}&se={expiry}&sig={token}",
                "endpoint_prefix": f"{base}{AZURE_PATH}/{AZURE_CONTAINER}",
            }
        else:
            bucket, endpoint = bucket_and_endpoint(base, backend)
            permission = {
                "AccessKeyId": f"STS.graviti-mock.{found.public.id[:8]}",
                "AccessKeySecret": "graviti-mock-secret",
                "SecurityToken": token,
                "bucket": bucket,
                "endpoint": endpoint,
            }
            if backend is BackendType.S3:
                permission["region"] = S3_REGION
        if "PUT" in allowed:
            permission["prefix"] = grant.prefix
        return ObjectPermission(
            backend_type=backend, expire_at=format_time(expires), permission=permission
        )

    def copy_objects(self, caller: Caller, target: DatasetKey, body: CopyRequest) -> CopyResult:
        if len(body.keys) > MAX_COPY_KEYS:
            raise errors.InvalidParams(
                f"Invalid value for 'keys': at most {MAX_COPY_KEYS} keys per call, "
                f"not {len(body.keys)}."
            )
        source = self.backend.get(DatasetStore).find(
            caller, target.workspace, body.source_dataset, write=False
        )
        if source.public.storage_config != target.public.storage_config:
            raise errors.InvalidParams(
                f"Objects cannot be copied from dataset '{source.name}' (storage config "
                f"'{source.public.storage_config}') to '{target.name}' (storage config "
                f"'{target.public.storage_config}'): the storage configs differ."
            )
        area = self.area
        copies: dict[str, str] = {}
        for key in body.keys:
            if key in copies:
                continue
            parts = split_key(key)
            if parts is None or parts[0] != source.public.id:
                raise errors.InvalidParams(
                    f"Invalid value for 'keys': '{key}' is not an object key of dataset "
                    f"'{source.name}'."
                )
            if area.size(key) is None:
                raise errors.InvalidParams(
                    f"Invalid value for 'keys': object '{key}' does not exist in dataset "
                    f"'{source.name}'."
                )
            copies[key] = f"{target.public.id}/{parts[1]}"
        for key, new_key in copies.items():
            area.link(key, new_key)
        return CopyResult(keys=[copies[key] for key in body.keys])

    # ------------------------------------------------------------------ storage checks

    def authorize(self, token: str | None, key: str, action: str) -> tokens.Grant:
        """The grant behind a storage request for ``key``, or ``ObjectRefused``."""
        if not token:
            raise ObjectRefused(Refusal.MISSING)
        grant = tokens.verify(self.area.secret, token)
        if grant is None:
            raise ObjectRefused(Refusal.INVALID)
        if self.backend.clock.now().timestamp() >= grant.expires:
            raise ObjectRefused(Refusal.EXPIRED, "The permission has expired.")
        if not key.startswith(grant.prefix):
            raise ObjectRefused(
                Refusal.FOREIGN,
                f"The permission of dataset '{grant.workspace}/{grant.dataset}' does not "
                f"cover the key '{key}'.",
            )
        if action not in grant.actions:
            raise ObjectRefused(Refusal.ACTION, f"The permission does not allow {action} requests.")
        if not self._dataset_exists(grant):
            raise ObjectRefused(Refusal.GONE)
        return grant

    def _dataset_exists(self, grant: tokens.Grant) -> bool:
        def load(conn: Any) -> bool:
            query = select(DATASET.c.seq).where(DATASET.c.id == grant.dataset_id)
            return conn.execute(query).first() is not None

        return self.db.cached(
            ("object-dataset", grant.dataset_id), (listing_tag(grant.workspace),), load
        )

    # ------------------------------------------------------------------ whole area

    def list_objects(self) -> ObjectList:
        objects = [StoredObject(key=key, size=size) for key, size in self.area.keys()]
        return ObjectList(objects=objects, total_size=sum(item.size for item in objects))

    def clear(self) -> None:
        self.area.clear()

    def mark(self) -> list[dict[str, Any]]:
        return [{"key": key} for key, _size in self.area.keys()]

    def rewind(self, mark: Sequence[dict[str, Any]]) -> None:
        self.area.keep_only({str(entry["key"]) for entry in mark})
