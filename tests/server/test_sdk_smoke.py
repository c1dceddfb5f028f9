"""The real graviti SDK's five dataset functions against a real server process."""

from __future__ import annotations

from graviti.openapi import (
    create_dataset,
    delete_dataset,
    get_dataset,
    list_datasets,
    update_dataset,
)


def test_five_functions_round_trip(url: str, access_key: str) -> None:
    created = create_dataset(access_key, url, "MNIST", alias="digits")
    workspace = created["workspace"]
    assert get_dataset(access_key, url, workspace, "MNIST") == created
    listing = list_datasets(access_key, url)
    assert listing["datasets"] == [created]
    updated = update_dataset(access_key, url, workspace, "MNIST", name="MNIST2")
    assert updated["name"] == "MNIST2"
    delete_dataset(access_key, url, workspace, "MNIST2")
    assert list_datasets(access_key, url)["total_count"] == 0
