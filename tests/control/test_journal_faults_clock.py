"""The request journal, injected faults, the clock and seeded ids."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient
from graviti.exception import InternalServerError, NameConflictError, ServiceUnavailableError
from graviti.openapi import create_dataset, get_dataset, list_datasets, update_dataset

from mock_server import workspace_for_key
from mock_server.control_client import MockControl
from mock_server.core.clock import IdFactory
from tests.control.conftest import AUTH, KEY, MakeClient, create, listing

WORKSPACE = workspace_for_key(KEY)


def journal(client: TestClient, **params: str) -> list[dict[str, Any]]:
    return client.get("/_mock/requests", params=params).json()["requests"]  # type: ignore[no-any-return]


def add_fault(client: TestClient, **spec: object) -> dict[str, object]:
    response = client.post("/_mock/faults", json=spec)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- journal


def test_journal_records_each_call_with_a_masked_key(client: TestClient) -> None:
    client.post(
        "/v2/datasets",
        json={"name": "MNIST", "alias": "digits"},
        headers={**AUTH, "X-Request-Id": "abc123"},
    )
    client.get("/v2/datasets?offset=0&limit=5", headers=AUTH)
    client.get("/_mock/health")
    first, second = journal(client)
    assert first["operation"] == "create_dataset"
    assert (first["method"], first["path"], first["query"]) == ("POST", "/v2/datasets", {})
    assert first["body"] == {"name": "MNIST", "alias": "digits"}
    assert (first["status"], first["request_id"], first["fault"]) == (200, "abc123", False)
    assert first["access_key"] == "ACCESSKEY-****0001"
    assert first["headers"]["x-token"] == "ACCESSKEY-****0001"
    assert first["time"].endswith("Z")
    assert second["operation"] == "list_datasets"
    assert second["query"] == {"offset": "0", "limit": "5"}
    assert second["body"] is None
    assert [entry["seq"] for entry in (first, second)] == [1, 2]
    assert KEY not in client.get("/_mock/requests").text


def test_journal_filters_by_operation_and_clears(client: TestClient) -> None:
    create(client, "a")
    create(client, "b")
    listing(client)
    names = [entry["body"]["name"] for entry in journal(client, operation="create_dataset")]
    assert names == ["a", "b"]
    assert len(journal(client, operation="list_datasets")) == 1
    assert journal(client, operation="delete_dataset") == []
    assert client.delete("/_mock/requests").status_code == 200
    assert journal(client) == []


def test_journal_records_errors_and_unknown_routes(client: TestClient) -> None:
    client.get("/v2/datasets/w/missing", headers=AUTH)
    client.get("/v2/nowhere", headers=AUTH)
    client.post("/v2/datasets", content=b"not json", headers=AUTH)
    missing, nowhere, bad = journal(client)
    assert (missing["operation"], missing["status"]) == ("get_dataset", 403)
    assert (nowhere["operation"], nowhere["status"]) == (None, 404)
    assert (bad["status"], bad["body"]) == (400, "not json")


def test_journal_is_bounded(make_client: MakeClient) -> None:
    client = make_client(journal_size=3)
    for name in "abcde":
        create(client, name)
    page = client.get("/_mock/requests").json()
    assert [entry["body"]["name"] for entry in page["requests"]] == ["c", "d", "e"]
    assert page["dropped"] == 2


def test_journal_size_zero_records_nothing(make_client: MakeClient) -> None:
    client = make_client(journal_size=0)
    create(client, "a")
    assert journal(client) == []


# ---------------------------------------------------------------------------- faults


def test_fault_answers_the_status_and_the_sdk_code(client: TestClient) -> None:
    fault = add_fault(client, operation="get_dataset", status=500)
    assert fault["code"] == "InternalServerError"
    assert (fault["times"], fault["remaining"]) == (1, 1)
    response = client.get(f"/v2/datasets/{WORKSPACE}/x", headers=AUTH)
    assert response.status_code == 500
    assert response.json() == {
        "code": "InternalServerError",
        "message": "Injected fault: 500 on get_dataset.",
    }
    assert journal(client)[0]["fault"] is True
    # Used up: the next call runs for real.
    assert client.get(f"/v2/datasets/{WORKSPACE}/x", headers=AUTH).status_code == 404
    assert client.get("/_mock/faults").json() == {"faults": []}


def test_a_503_fault_has_no_code_and_custom_codes_are_kept(client: TestClient) -> None:
    add_fault(client, operation="list_datasets", status=503)
    add_fault(client, operation="list_datasets", status=403, code="Forbidden", message="no")
    assert client.get("/v2/datasets", headers=AUTH).json()["code"] is None
    forbidden = client.get("/v2/datasets", headers=AUTH)
    assert forbidden.json() == {"code": "Forbidden", "message": "no"}
    assert client.get("/v2/datasets", headers=AUTH).status_code == 200


def test_faults_are_consumed_in_order_and_star_matches_every_call(client: TestClient) -> None:
    add_fault(client, operation="*", status=502, times=2)
    add_fault(client, operation="list_datasets", status=504)
    statuses = [client.get("/v2/datasets", headers=AUTH).status_code for _ in range(4)]
    assert statuses == [502, 502, 504, 200]


def test_a_fault_without_times_stays_until_removed(client: TestClient) -> None:
    fault = add_fault(client, operation="list_datasets", status=500, times=None)
    for _ in range(3):
        assert client.get("/v2/datasets", headers=AUTH).status_code == 500
    listed = client.get("/_mock/faults").json()["faults"]
    assert (listed[0]["hits"], listed[0]["remaining"]) == (3, None)
    assert client.delete(f"/_mock/faults/{fault['id']}").status_code == 200
    assert client.delete(f"/_mock/faults/{fault['id']}").status_code == 404
    assert client.get("/v2/datasets", headers=AUTH).status_code == 200


def test_clear_faults(client: TestClient) -> None:
    add_fault(client, operation="list_datasets", status=500, times=None)
    client.delete("/_mock/faults")
    assert client.get("/v2/datasets", headers=AUTH).status_code == 200


def test_a_fault_is_decided_before_the_operation_runs(client: TestClient) -> None:
    add_fault(client, operation="create_dataset", status=500)
    assert client.post("/v2/datasets", json={"name": "x"}, headers=AUTH).status_code == 500
    assert listing(client) == []


def test_latency_delays_the_real_answer(client: TestClient) -> None:
    add_fault(client, operation="list_datasets", latency_ms=300)
    started = time.perf_counter()
    assert client.get("/v2/datasets", headers=AUTH).status_code == 200
    assert time.perf_counter() - started >= 0.3
    assert client.get("/_mock/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    "spec",
    [
        {"operation": "get_dataset"},
        {"status": 200},
        {"status": 500, "drop_connection": True},
        {"status": 500, "times": 0},
        {"status": 500, "color": "red"},
    ],
)
def test_a_bad_fault_is_a_400(client: TestClient, spec: dict[str, object]) -> None:
    response = client.post("/_mock/faults", json=spec)
    assert (response.status_code, response.json()["code"]) == (400, "InvalidParamsValue")


# ---------------------------------------------------------------------------- over the wire


def test_sdk_raises_internal_server_error_on_a_get_fault(url: str, access_key: str) -> None:
    control = MockControl(url)
    workspace = create_dataset(access_key, url, "MNIST")["workspace"]
    control.fail("get_dataset", status=500)
    with pytest.raises(InternalServerError):
        get_dataset(access_key, url, workspace, "MNIST")
    # The SDK does not retry a GET: one call.
    control.assert_called("get_dataset", times=1)


def test_sdk_retries_a_post_through_a_503_fault(url: str, access_key: str) -> None:
    control = MockControl(url)
    control.fail("create_dataset", status=503, times=1)
    created = create_dataset(access_key, url, "MNIST")
    calls = control.assert_called("create_dataset", times=2)
    assert [call.status for call in calls] == [503, 200]
    assert [d["id"] for d in list_datasets(access_key, url)["datasets"]] == [created["id"]]


def test_sdk_gives_up_after_its_retries(url: str, access_key: str) -> None:
    control = MockControl(url)
    control.fail("create_dataset", status=503, times=None)
    with pytest.raises(ServiceUnavailableError):
        create_dataset(access_key, url, "MNIST")
    control.assert_called("create_dataset", times=4)


def test_patch_is_not_retried(url: str, access_key: str) -> None:
    control = MockControl(url)
    workspace = create_dataset(access_key, url, "MNIST")["workspace"]
    control.fail("update_dataset", status=503)
    with pytest.raises(ServiceUnavailableError):
        update_dataset(access_key, url, workspace, "MNIST", alias="x")
    control.assert_called("update_dataset", times=1)


def test_a_dropped_connection_is_a_connection_error_on_get(url: str, access_key: str) -> None:
    control = MockControl(url)
    workspace = create_dataset(access_key, url, "MNIST")["workspace"]
    control.drop("get_dataset")
    with pytest.raises(requests.ConnectionError):
        get_dataset(access_key, url, workspace, "MNIST")
    (call,) = control.calls("get_dataset")
    assert (call.status, call.fault) == (0, True)
    # The server is fine afterwards.
    assert get_dataset(access_key, url, workspace, "MNIST")["name"] == "MNIST"


def test_a_dropped_post_is_retried_by_the_sdk(url: str, access_key: str) -> None:
    control = MockControl(url)
    control.drop("create_dataset")
    create_dataset(access_key, url, "MNIST")
    assert [call.status for call in control.calls("create_dataset")] == [0, 200]
    with pytest.raises(NameConflictError):
        create_dataset(access_key, url, "MNIST")


# ---------------------------------------------------------------------------- clock and ids


def test_clock_set_advance_freeze_unfreeze(client: TestClient) -> None:
    answer = client.post("/_mock/clock", json={"set": "2024-05-01T10:00:00+02:00"}).json()
    assert answer == {"now": "2024-05-01T08:00:00Z", "frozen": True}
    first = create(client, "a")
    assert first["created_at"] == first["updated_at"] == "2024-05-01T08:00:00Z"
    advanced = client.post("/_mock/clock", json={"advance": 90}).json()
    assert advanced["now"] == "2024-05-01T08:01:30Z"
    updated = client.patch(f"/v2/datasets/{WORKSPACE}/a", json={"alias": "x"}, headers=AUTH)
    assert updated.json()["updated_at"] == "2024-05-01T08:01:30Z"
    assert client.get("/_mock/clock").json() == {"now": "2024-05-01T08:01:30Z", "frozen": True}
    assert client.post("/_mock/clock", json={"unfreeze": True}).json()["frozen"] is False
    assert client.post("/_mock/clock", json={"freeze": True}).json()["frozen"] is True
    for bad in ({}, {"set": "soon"}, {"freeze": True, "advance": 1}):
        response = client.post("/_mock/clock", json=bad)
        assert (response.status_code, response.json()["code"]) == (400, "InvalidParamsValue")


def test_reset_puts_the_clock_back_as_started(make_client: MakeClient) -> None:
    client = make_client(frozen_time="2030-01-01T00:00:00Z")
    client.post("/_mock/clock", json={"advance": 3600})
    client.post("/_mock/reset")
    assert client.get("/_mock/clock").json() == {"now": "2030-01-01T00:00:00Z", "frozen": True}


def test_id_seed_makes_ids_reproducible_across_resets(make_client: MakeClient) -> None:
    client = make_client(id_seed=7)
    first = [create(client, name)["id"] for name in ("a", "b")]
    client.post("/_mock/reset")
    assert [create(client, name)["id"] for name in ("a", "b")] == first
    client.post("/_mock/reset", json={"id_seed": 8})
    other = create(client, "a")["id"]
    assert other not in first
    client.post("/_mock/reset", json={"id_seed": 8})
    assert create(client, "a")["id"] == other
    client.post("/_mock/ids", json={"seed": 9})
    assert create(client, "b")["id"] == IdFactory(9).new()
