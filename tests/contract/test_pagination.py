"""Listing: creation order, page arithmetic, limits and stability while paging."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.clients import Client
from tests.contract.shapes import assert_page

# Deliberately neither sorted nor reverse-sorted, so only creation order passes.
NAMES = ["mango", "apple", "zucchini", "kiwi", "banana", "Yam", "0-fig"]


def create_all(api: Client, url: str, key: str, names: list[str]) -> list[dict[str, Any]]:
    return [api.create_dataset(key, url, name) for name in names]


def test_empty_workspace(api: Client, url: str, access_key: str) -> None:
    assert_page(api.list_datasets(access_key, url), offset=0, total_count=0, names=[])
    assert api.last_status == 200
    page = api.list_datasets(access_key, url, offset=5, limit=1)
    assert_page(page, offset=5, total_count=0, names=[])


def test_listing_is_in_creation_order(
    api: Client, url: str, access_key: str, other_key: str
) -> None:
    created = create_all(api, url, access_key, NAMES)
    create_all(api, url, other_key, ["other-1", "other-2"])

    page = api.list_datasets(access_key, url)

    assert api.last_status == 200
    assert assert_page(page, offset=0, total_count=7, names=NAMES) == created


@pytest.mark.parametrize(
    ("offset", "limit", "names"),
    [
        (0, 3, NAMES[0:3]),
        (3, 3, NAMES[3:6]),
        (6, 3, NAMES[6:7]),  # the last, partial page
        (5, 1000, NAMES[5:7]),
        (0, 7, NAMES),
        (0, 1000, NAMES),
        (6, 1, NAMES[6:7]),
        (1, 1, NAMES[1:2]),
        (7, 3, []),  # just past the end
        (100, 1, []),
        (2**31 - 1, 1000, []),  # the largest offset
    ],
)
def test_page_arithmetic(
    api: Client, url: str, access_key: str, offset: int, limit: int, names: list[str]
) -> None:
    create_all(api, url, access_key, NAMES)

    page = api.list_datasets(access_key, url, offset=offset, limit=limit)

    assert api.last_status == 200
    assert_page(page, offset=offset, total_count=len(NAMES), names=names)


def test_offset_alone_and_limit_alone(api: Client, url: str, access_key: str) -> None:
    create_all(api, url, access_key, NAMES)

    assert_page(
        api.list_datasets(access_key, url, offset=4), offset=4, total_count=7, names=NAMES[4:]
    )
    assert_page(
        api.list_datasets(access_key, url, limit=2), offset=0, total_count=7, names=NAMES[:2]
    )


def test_default_limit_is_128(api: Client, url: str, access_key: str) -> None:
    names = [f"d{i:03d}" for i in range(130)]
    create_all(api, url, access_key, names)

    first = api.list_datasets(access_key, url)
    second = api.list_datasets(access_key, url, offset=128)

    assert_page(first, offset=0, total_count=130, names=names[:128])
    assert_page(second, offset=128, total_count=130, names=names[128:])


@pytest.mark.parametrize("limit", [1, 2, 3, 6, 7])
def test_paging_by_total_count_sees_every_dataset_once(
    api: Client, url: str, access_key: str, limit: int
) -> None:
    created = create_all(api, url, access_key, NAMES)

    # How the SDK's DatasetManager pages: advance by limit until total_count.
    seen: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = api.list_datasets(access_key, url, offset=offset, limit=limit)
        expected = NAMES[offset : offset + limit]
        seen += assert_page(page, offset=offset, total_count=7, names=expected)
        offset += limit
        if offset >= page["total_count"]:
            break

    assert seen == created


def test_order_is_stable_while_paging(api: Client, url: str, access_key: str) -> None:
    created = create_all(api, url, access_key, NAMES)
    workspace = created[0]["workspace"]

    first = api.list_datasets(access_key, url, offset=0, limit=3)
    # Changes between pages: a rename, an alias, a default branch, a delete and a
    # create. Renamed datasets keep their place; a new one comes last.
    api.update_dataset(access_key, url, workspace, "zucchini", name="aaa-courgette")
    api.update_dataset(access_key, url, workspace, "banana", alias="yellow")
    api.update_dataset(access_key, url, workspace, "kiwi", default_branch="main")
    api.delete_dataset(access_key, url, workspace, "apple")
    late_created = api.create_dataset(access_key, url, "late")
    rest = api.list_datasets(access_key, url, offset=3, limit=1000)
    again = api.list_datasets(access_key, url, limit=1000)

    assert_page(first, offset=0, total_count=7, names=["mango", "apple", "zucchini"])
    after = ["mango", "aaa-courgette", "kiwi", "banana", "Yam", "0-fig", "late"]
    assert_page(rest, offset=3, total_count=7, names=after[3:])
    assert_page(again, offset=0, total_count=7, names=after)
    kept_ids = [created[i]["id"] for i in (0, 2, 3, 4, 5, 6)] + [late_created["id"]]
    assert [dataset["id"] for dataset in again["datasets"]] == kept_ids
    assert again == api.list_datasets(access_key, url, limit=1000)


def test_one_at_a_time_equals_all_at_once(api: Client, url: str, access_key: str) -> None:
    create_all(api, url, access_key, NAMES)

    singles = [
        assert_page(
            api.list_datasets(access_key, url, offset=i, limit=1),
            offset=i,
            total_count=7,
            names=[name],
        )[0]
        for i, name in enumerate(NAMES)
    ]

    assert singles == api.list_datasets(access_key, url, limit=1000)["datasets"]
