"""``client.iter_datasets`` (our client only; the SDK has no such helper) against each target."""

from __future__ import annotations

import pytest

import client
from tests.contract.shapes import assert_dataset

COUNT = 131  # more than the default page of 128, and not a multiple of the page sizes below


def test_iter_datasets_yields_every_dataset_in_creation_order(
    url: str, access_key: str, other_key: str
) -> None:
    client.create_dataset(other_key, url, "not-mine")
    created = [client.create_dataset(access_key, url, f"ds-{i:03d}") for i in range(COUNT)]
    assert created == client.list_datasets(access_key, url, limit=1000)["datasets"]

    # One workspace for every page size: 131 creates are the slow part.
    for kwargs in ({}, {"page_size": 1000}, {"page_size": 50}, {"page_size": 1}):
        datasets = list(client.iter_datasets(access_key, url, **kwargs))
        assert datasets == created, kwargs
    for dataset in datasets:
        assert_dataset(dataset)


def test_iter_datasets_over_an_empty_workspace(url: str, access_key: str) -> None:
    assert list(client.iter_datasets(access_key, url)) == []


def test_iter_datasets_raises_the_listing_error(url: str) -> None:
    with pytest.raises(client.UnauthorizedError) as info:
        next(client.iter_datasets("not-an-access-key", url))
    assert (info.value.status_code, info.value.code) == (401, "Unauthorized")
