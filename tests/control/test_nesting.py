"""A deeply nested seed or control body is a Graviti 400, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

DEPTH = 100_000
NESTED_JSON = "[" * DEPTH + "]" * DEPTH
NESTED_OBJECT = '{"a":' * DEPTH + "1" + "}" * DEPTH
BODIES = [
    pytest.param(NESTED_JSON, "application/json", id="json-list"),
    pytest.param(NESTED_OBJECT, "application/json", id="json-object"),
    pytest.param(NESTED_JSON, "application/yaml", id="yaml-flow"),
    pytest.param('{"datasets": ' + NESTED_JSON + "}", "application/json", id="json-inside"),
    pytest.param("datasets: " + NESTED_JSON, "application/yaml", id="yaml-inside"),
    pytest.param("".join(" " * i + "-\n" for i in range(1200)), "text/yaml", id="yaml-block"),
    pytest.param("&a [*a, " * 2000 + "]" * 2000, "application/yaml", id="yaml-anchors"),
    pytest.param("datasets: &a [*a]", "application/yaml", id="yaml-cycle"),
    pytest.param("options: &a {strict: *a}", "application/yaml", id="yaml-cycle-map"),
]


@pytest.mark.parametrize(("body", "content_type"), BODIES)
def test_a_deeply_nested_seed_is_a_400(client: TestClient, body: str, content_type: str) -> None:
    answer = client.post("/_mock/seed", content=body, headers={"Content-Type": content_type})
    assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue"), answer.text


@pytest.mark.parametrize("path", ["/_mock/reset", "/_mock/clock", "/_mock/faults", "/v2/datasets"])
def test_a_deeply_nested_body_is_a_400_everywhere(client: TestClient, path: str) -> None:
    for body in ('{"seed": ' + NESTED_OBJECT + "}", NESTED_JSON):
        answer = client.post(
            path,
            content=body,
            headers={"Content-Type": "application/json", "X-Token": "ACCESSKEY-nest00000001"},
        )
        assert (answer.status_code, answer.json()["code"]) == (400, "InvalidParamsValue"), (
            path,
            answer.text[:200],
        )
    assert client.get("/_mock/health").status_code == 200
