"""What every dataset and every page must look like, whichever client fetched it."""

from __future__ import annotations

import hashlib
import re
from typing import Any

DATASET_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "name": str,
    "alias": str,
    "workspace": str,
    "default_branch": str,
    "commit_id": (str, type(None)),
    "cover_url": str,
    "creator": str,
    "created_at": str,
    "updated_at": str,
    "is_public": bool,
    "storage_config": str,
    "backend_type": str,
}
ID = re.compile(r"[0-9a-f]{32}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
BACKEND_TYPES = {"OSS", "S3", "AZURE"}
PAGE_FIELDS = {"datasets", "offset", "record_size", "total_count"}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:10]


def workspace_of(key: str) -> str:
    """The workspace the mock gives a new access key."""
    return f"workspace-{_digest(key)}"


def creator_of(key: str) -> str:
    """The user the mock gives a new access key."""
    return f"user-{_digest(key)}"


def assert_dataset(dataset: Any, **expected: Any) -> None:
    """Thirteen fields of the right types and formats, and the ``expected`` values."""
    assert isinstance(dataset, dict)
    assert set(dataset) == set(DATASET_TYPES)
    for name, kind in DATASET_TYPES.items():
        assert isinstance(dataset[name], kind), (name, dataset[name])
    assert ID.fullmatch(dataset["id"]), dataset["id"]
    assert TIMESTAMP.fullmatch(dataset["created_at"]), dataset["created_at"]
    assert TIMESTAMP.fullmatch(dataset["updated_at"]), dataset["updated_at"]
    assert dataset["updated_at"] >= dataset["created_at"]
    assert dataset["backend_type"] in BACKEND_TYPES
    for name, value in expected.items():
        assert dataset[name] == value, (name, dataset[name], value)


def assert_page(
    page: Any, *, offset: int, total_count: int, names: list[str]
) -> list[dict[str, Any]]:
    """A listing page with exactly these values and dataset names, in order."""
    assert isinstance(page, dict)
    assert set(page) == PAGE_FIELDS
    assert page["offset"] == offset
    assert page["total_count"] == total_count
    assert page["record_size"] == len(page["datasets"]) == len(names)
    for dataset in page["datasets"]:
        assert_dataset(dataset)
    assert [dataset["name"] for dataset in page["datasets"]] == names
    datasets: list[dict[str, Any]] = page["datasets"]
    return datasets
