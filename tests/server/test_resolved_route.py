"""``ResolvedRoute`` answers exactly as FastAPI's own route does, for the same endpoints.

Each endpoint below is registered twice, once on a plain ``APIRoute`` router and once on
a ``ResolvedRoute`` router, and every request goes to both: status and body must match.
The endpoints use what the mock's routes use (nested dependencies shared between
branches, async and sync dependencies and endpoints, path, query and header parameters,
a JSON body, exceptions raised by a dependency) and what the plan leaves to FastAPI
(a generator dependency), plus ``app.dependency_overrides``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from mock_server.core.resolved import ResolvedRoute
from mock_server.core.routing import PlainInt, json_response

calls: list[str] = []


async def caller(request: Request, x_token: Annotated[str | None, Header()] = None) -> str:
    calls.append("caller")
    if x_token is None:
        raise HTTPException(401, "no token")
    return x_token


def store(request: Request) -> dict[str, str]:
    # Sync: FastAPI runs it in a worker thread, and so must the plan.
    calls.append("store")
    return {"app": type(request.app).__name__}


Caller = Annotated[str, Depends(caller)]
Store = Annotated[dict[str, str], Depends(store)]


async def item_ref(workspace: str, item: PlainInt, who: Caller, where: Store) -> dict[str, Any]:
    calls.append("item_ref")
    if item == 404:
        raise HTTPException(404, "no such item")
    return {"workspace": workspace, "item": item, "who": who, "where": where["app"]}


Item = Annotated[dict[str, Any], Depends(item_ref)]


def uncached() -> int:
    calls.append("uncached")
    return len(calls)


def with_cleanup() -> Iterator[str]:
    calls.append("enter")
    yield "generator"
    calls.append("exit")


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    name: str
    size: int = 0


def build(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(prefix="/v2", route_class=route_class)

    @router.get("/items/{workspace}/{item}")
    async def get_item(
        found: Item, who: Caller, limit: Annotated[PlainInt, Query(ge=1, le=10)] = 5
    ) -> Any:
        return json_response({"found": found, "who": who, "limit": limit})

    @router.post("/items/{workspace}")
    def create_item(workspace: str, body: Body, who: Caller, where: Store) -> Any:
        return {"workspace": workspace, "name": body.name, "size": body.size, "who": who}

    @router.get("/counts")
    async def counts(
        a: Annotated[int, Depends(uncached, use_cache=False)],
        b: Annotated[int, Depends(uncached, use_cache=False)],
        tags: Annotated[list[str] | None, Query()] = None,
    ) -> Any:
        return {"distinct": a != b, "tags": tags}

    @router.get("/generator")
    async def generator(value: Annotated[str, Depends(with_cleanup)]) -> Any:
        return {"value": value}

    app = FastAPI()
    app.include_router(router)
    return app


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/v2/items/ws/7", {"headers": {"X-Token": "k"}}),
    ("GET", "/v2/items/ws/7?limit=3", {"headers": {"X-Token": "k"}}),
    # The dependency's 401 comes before the bad query value, as in FastAPI.
    ("GET", "/v2/items/ws/7?limit=99", {}),
    ("GET", "/v2/items/ws/7?limit=99", {"headers": {"X-Token": "k"}}),
    ("GET", "/v2/items/ws/-7", {"headers": {"X-Token": "k"}}),
    ("GET", "/v2/items/ws/404", {"headers": {"X-Token": "k"}}),
    ("GET", "/v2/items/ws/x?limit=y", {"headers": {"X-Token": "k"}}),
    ("POST", "/v2/items/ws", {"headers": {"X-Token": "k"}, "json": {"name": "a", "size": 2}}),
    ("POST", "/v2/items/ws", {"headers": {"X-Token": "k"}, "json": {"name": "a", "extra": 1}}),
    ("POST", "/v2/items/ws", {"headers": {"X-Token": "k"}, "json": {"name": 1}}),
    ("POST", "/v2/items/ws", {"headers": {"X-Token": "k"}, "json": ["not", "an", "object"]}),
    ("POST", "/v2/items/ws", {"headers": {"X-Token": "k"}}),
    ("POST", "/v2/items/ws", {"json": {"name": "a"}}),
    (
        "POST",
        "/v2/items/ws",
        {"headers": {"X-Token": "k", "Content-Type": "application/json"}, "content": b"{bad"},
    ),
    (
        "POST",
        "/v2/items/ws",
        {"headers": {"X-Token": "k", "Content-Type": "text/plain"}, "content": b'{"name":"a"}'},
    ),
    (
        "POST",
        "/v2/items/ws",
        {
            "headers": {"X-Token": "k", "Content-Type": "application/json"},
            "content": b'{"name":"\xff"}',
        },
    ),
    ("GET", "/v2/counts?tags=a&tags=b", {}),
    ("GET", "/v2/counts", {}),
    ("GET", "/v2/generator", {}),
]


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(build(APIRoute), raise_server_exceptions=False) as plain,
        TestClient(build(ResolvedRoute), raise_server_exceptions=False) as resolved,
    ):
        planned = {
            route.path: route.planned
            for route in _routes(resolved.app.router.routes)  # type: ignore[attr-defined]
            if isinstance(route, ResolvedRoute)
        }
        # Everything but the generator dependency's route runs a plan.
        assert planned == {
            "/v2/items/{workspace}/{item}": True,
            "/v2/items/{workspace}": True,
            "/v2/counts": True,
            "/v2/generator": False,
        }
        yield plain, resolved


@pytest.mark.parametrize(("method", "path", "options"), REQUESTS)
def test_the_same_answer_and_the_same_calls(
    clients: tuple[TestClient, TestClient], method: str, path: str, options: dict[str, Any]
) -> None:
    plain, resolved = clients
    calls.clear()
    expected = plain.request(method, path, **options)
    expected_calls = list(calls)
    calls.clear()
    answer = resolved.request(method, path, **options)
    assert (answer.status_code, answer.json()) == (expected.status_code, expected.json())
    assert calls == expected_calls


def test_a_dependency_shared_by_two_branches_runs_once(
    clients: tuple[TestClient, TestClient],
) -> None:
    _, resolved = clients
    calls.clear()
    answer = resolved.get("/v2/items/ws/1", headers={"X-Token": "k"})
    assert answer.status_code == 200
    assert calls == ["caller", "store", "item_ref"]


def test_dependency_overrides_are_honoured() -> None:
    app = build(ResolvedRoute)

    async def fixed_caller() -> str:
        return "override"

    app.dependency_overrides[caller] = fixed_caller
    with TestClient(app) as client:
        answer = client.get("/v2/items/ws/1")
        assert answer.status_code == 200
        assert answer.json()["who"] == "override"
        app.dependency_overrides.clear()
        assert client.get("/v2/items/ws/1").status_code == 401


def _routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router, unflattened
        yield from _routes(included.routes) if included is not None else [route]


def test_the_mock_serves_its_routes_from_plans() -> None:
    """Every /v2 route of the mock is a ResolvedRoute (an endpoint added later must be too)."""
    from mock_server.app import create_app
    from mock_server.settings import Settings

    app = create_app(Settings(database="sqlite://"))
    served = [
        route
        for route in _routes(app.router.routes)
        if isinstance(route, APIRoute) and route.path.startswith("/v2")
    ]
    assert len(served) > 60
    assert all(isinstance(route, ResolvedRoute) and route.planned for route in served), [
        route.path for route in served if not getattr(route, "planned", False)
    ]


def test_a_resource_router_turns_away_paths_outside_its_prefix() -> None:
    """Its routes are not tried for a path its prefix cannot hold; its own are served."""
    from mock_server.core.resolved import ResourceRouter

    tried: list[str] = []
    router = ResourceRouter(prefix="/v2/things/{workspace}")

    @router.get("/{thing}")
    async def get_thing(workspace: str, thing: str) -> Any:
        return {"workspace": workspace, "thing": thing}

    for route in router.routes:
        original = route.matches

        def spying(scope: Any, original: Any = original) -> Any:
            tried.append(scope["path"])
            return original(scope)

        route.matches = spying  # type: ignore[method-assign]

    other = APIRouter()

    @other.get("/elsewhere/{name}")
    async def elsewhere(name: str) -> Any:
        return {"name": name}

    app = FastAPI()
    app.include_router(router)
    app.include_router(other)
    with TestClient(app) as client:
        assert client.get("/elsewhere/x").json() == {"name": "x"}
        assert client.get("/v2/elsewhere").status_code == 404
        assert tried == []
        assert client.get("/v2/things/ws/t").json() == {"workspace": "ws", "thing": "t"}
        assert tried
