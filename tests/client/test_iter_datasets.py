"""iter_datasets pages through GET /v2/datasets until total_count, or an empty page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

import client
from client import ResourceNotExistError
from tests.client.conftest import Reply, StubServer

KEY = "ACCESSKEY-0123456789abcdef"


def _page(names: list[str], offset: int, total_count: int) -> Reply:
    datasets = [{"name": name} for name in names]
    return Reply.json(
        200,
        {
            "datasets": datasets,
            "offset": offset,
            "record_size": len(datasets),
            "total_count": total_count,
        },
    )


def _queries(stub: StubServer) -> list[dict[str, list[str]]]:
    requests = stub.take()
    assert {(r.method, urlsplit(r.target).path) for r in requests} <= {("GET", "/v2/datasets")}
    return [parse_qs(urlsplit(r.target).query) for r in requests]


def test_pages_until_total_count(stub: StubServer) -> None:
    stub.script(_page(["a", "b"], 0, 5), _page(["c", "d"], 2, 5), _page(["e"], 4, 5))
    names = [d["name"] for d in client.iter_datasets(KEY, stub.url, page_size=2)]
    assert names == ["a", "b", "c", "d", "e"]
    assert _queries(stub) == [
        {"offset": ["0"], "limit": ["2"]},
        {"offset": ["2"], "limit": ["2"]},
        {"offset": ["4"], "limit": ["2"]},
    ]


def test_no_extra_request_when_the_last_page_is_full(stub: StubServer) -> None:
    stub.script(_page(["a", "b"], 0, 4), _page(["c", "d"], 2, 4), _page(["never"], 4, 4))
    names = [d["name"] for d in client.iter_datasets(KEY, stub.url, page_size=2)]
    assert names == ["a", "b", "c", "d"]
    assert len(_queries(stub)) == 2


def test_stops_on_an_empty_page(stub: StubServer) -> None:
    # total_count promises more than the service hands out: stop instead of looping.
    stub.script(_page(["a", "b"], 0, 10), _page([], 2, 10), _page(["never"], 2, 10))
    names = [d["name"] for d in client.iter_datasets(KEY, stub.url, page_size=2)]
    assert names == ["a", "b"]
    assert len(_queries(stub)) == 2


def test_empty_workspace(stub: StubServer) -> None:
    stub.script(_page([], 0, 0))
    assert list(client.iter_datasets(KEY, stub.url)) == []
    assert _queries(stub) == [{"offset": ["0"], "limit": ["128"]}]


def test_offset_follows_what_the_service_returned(stub: StubServer) -> None:
    # A service that caps the page below page_size must not make datasets go missing.
    stub.script(_page(["a", "b"], 0, 3), _page(["c"], 2, 3))
    names = [d["name"] for d in client.iter_datasets(KEY, stub.url, page_size=100)]
    assert names == ["a", "b", "c"]
    assert _queries(stub) == [
        {"offset": ["0"], "limit": ["100"]},
        {"offset": ["2"], "limit": ["100"]},
    ]


def test_is_lazy(stub: StubServer) -> None:
    stub.script(_page(["a", "b"], 0, 4), _page(["c", "d"], 2, 4))
    datasets = client.iter_datasets(KEY, stub.url, page_size=2)
    assert stub.take() == []
    assert next(datasets)["name"] == "a"
    assert next(datasets)["name"] == "b"
    assert len(stub.take()) == 1


@pytest.mark.parametrize("page_size", [0, -1])
def test_rejects_a_page_size_below_one_at_once(stub: StubServer, page_size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        client.iter_datasets(KEY, stub.url, page_size=page_size)
    assert stub.take() == []


def test_errors_surface_while_iterating(stub: StubServer) -> None:
    stub.script(_page(["a"], 0, 2), Reply.json(404, {"code": "ResourceNotExist"}))
    datasets = client.iter_datasets(KEY, stub.url, page_size=1)
    assert next(datasets)["name"] == "a"
    with pytest.raises(ResourceNotExistError):
        next(datasets)
