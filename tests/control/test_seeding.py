"""Seeding from JSON and YAML, the state export that seeds back, reset to seed, snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from graviti.openapi import get_dataset, list_datasets

from mock_server.testing import ServerProcess
from tests.control.conftest import AUTH, EXAMPLE_SEED, KEY, MakeClient, create, listing

BOB = {"X-Token": "ACCESSKEY-bob00000000000000000000000000000"}
YAML = {"Content-Type": "application/yaml"}


def seed(client: TestClient, document: object, **params: str) -> dict[str, int]:
    response = client.post("/_mock/seed", json=document, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_example_seed_file_loads_as_documented(client: TestClient) -> None:
    response = client.post("/_mock/seed", content=EXAMPLE_SEED.read_bytes(), headers=YAML)
    assert response.json() == {
        "workspaces": 2,
        "users": 2,
        "access_keys": 3,
        "storage_configs": 2,
        "datasets": 3,
        "commits": 0,
        "actions": 1,
        "action_runs": 1,
        "searches": 0,
    }
    workspace = client.get("/v2/current-workspace", headers=BOB).json()
    assert workspace == {
        "id": workspace["id"],
        "type": "TEAM",
        "name": "acme",
        "alias": "ACME Corp",
        "description": "The team workspace",
        "email": "data@acme.example",
        "location": "us-west",
    }
    mnist = client.get("/v2/datasets/acme/MNIST", headers=BOB).json()
    assert mnist == {
        "id": "0123456789abcdef0123456789abcdef",
        "name": "MNIST",
        "alias": "handwritten digits",
        "workspace": "acme",
        "default_branch": "main",
        "commit_id": "89abcdef0123456789abcdef01234567",
        "cover_url": "",
        "creator": "bob",
        "created_at": "2024-01-15T09:30:00Z",
        "updated_at": "2024-02-01T12:00:00Z",
        "is_public": True,
        "storage_config": "s3-main",
        "backend_type": "S3",
    }
    cifar = client.get("/v2/datasets/acme/CIFAR-10", headers=BOB).json()
    assert (cifar["storage_config"], cifar["backend_type"]) == ("azure-archive", "AZURE")
    # A dataset's seeded branches exist: its default branch can move to one.
    moved = client.patch("/v2/datasets/acme/MNIST", json={"default_branch": "dev"}, headers=BOB)
    assert moved.json()["default_branch"] == "dev"
    # A new dataset in acme lands on the storage config the seed made default.
    created = client.post("/v2/datasets", json={"name": "new"}, headers=BOB).json()
    assert (created["storage_config"], created["backend_type"]) == ("s3-main", "S3")
    archive = client.get("/v2/workspaces/acme/storage-configs/azure-archive", headers=BOB)
    assert archive.json() == {
        "id": "5f0c1e2d3b4a59687766554433221100",
        "name": "azure-archive",
        "config_type": "AUTHORIZED",
        "backend_type": "AZURE",
    }
    action = client.get("/v2/datasets/acme/MNIST/actions/relabel", headers=BOB).json()
    assert (action["edition"], action["state"], action["payload"]) == (
        2,
        "ENABLED",
        "steps: [relabel]",
    )
    run = client.get("/v2/datasets/acme/MNIST/actions/relabel/runs/1", headers=BOB).json()
    assert (run["status"], run["arguments"], run["ended_at"]) == (
        "SUCCEEDED",
        {"sheet": "train"},
        "2024-02-02T10:05:00Z",
    )
    assert run["workflow_id"].startswith("relabel-")
    # The seeded script holds the next run.
    held = client.post("/v2/datasets/acme/MNIST/actions/relabel/runs", headers=BOB).json()
    assert (held["number"], held["status"], held["ended_at"]) == (2, "PENDING", None)


def test_serve_seed_file_is_applied_before_ready() -> None:
    with ServerProcess(args=["--seed", str(EXAMPLE_SEED)]) as server:
        # start() returned once /_mock/ready said 200: the seed must be there already.
        listing = list_datasets(BOB["X-Token"], server.url)
        assert [d["name"] for d in listing["datasets"]] == ["MNIST", "CIFAR-10"]
        assert get_dataset(BOB["X-Token"], server.url, "acme", "MNIST")["creator"] == "bob"


def test_workers_sharing_a_database_each_apply_the_seed_once(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    args = ["--workers", "2", "--seed", str(EXAMPLE_SEED)]
    with ServerProcess(database=database, args=args) as server:
        names = [d["name"] for d in list_datasets(BOB["X-Token"], server.url)["datasets"]]
        assert names == ["MNIST", "CIFAR-10"]
    # A restart on the same file keeps the state and does not trip over the seed.
    with ServerProcess(database=database, args=args) as server:
        assert list_datasets(BOB["X-Token"], server.url)["total_count"] == 2


def test_serve_refuses_a_bad_seed_file_with_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("datasets:\n  - name: 'no/slash'\n    workspace: w\n")
    server = ServerProcess(args=["--seed", str(bad)], startup_timeout=20)
    with pytest.raises(Exception, match=r"datasets\.0\.name"):
        server.start()


def test_reset_to_seed_goes_back_to_the_start_up_seed(make_client: MakeClient) -> None:
    client = make_client(seed=EXAMPLE_SEED)
    client.delete("/v2/datasets/acme/MNIST", headers=BOB)
    client.post("/v2/datasets", json={"name": "extra"}, headers=BOB)
    assert client.post("/_mock/reset").json()["to"] == "empty"
    assert client.get("/v2/current-workspace", headers=BOB).json()["name"] != "acme"
    assert client.post("/_mock/reset?to=seed").json()["to"] == "seed"
    assert listing(client, BOB["X-Token"]) == ["MNIST", "CIFAR-10"]
    # The body form says the same.
    client.post("/v2/datasets", json={"name": "extra"}, headers=BOB)
    client.post("/_mock/reset", json={"to": "seed"})
    assert listing(client, BOB["X-Token"]) == ["MNIST", "CIFAR-10"]


def test_state_exports_the_seed_format_and_seeds_back(client: TestClient) -> None:
    client.post("/_mock/seed", content=EXAMPLE_SEED.read_bytes(), headers=YAML)
    create(client, "mine", alias="a")
    exported = client.get("/_mock/state").json()
    assert {d["name"] for d in exported["datasets"]} == {"MNIST", "CIFAR-10", "scratch", "mine"}
    assert any(KEY in user["access_keys"] for user in exported["users"])
    client.post("/_mock/reset")
    assert seed(client, exported, replace="true")["datasets"] == 4
    assert client.get("/_mock/state").json() == exported
    as_yaml = client.get("/_mock/state?format=yaml")
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(as_yaml.text) == exported


def test_seeding_keeps_what_exists_and_is_idempotent(client: TestClient) -> None:
    document = {"datasets": [{"name": "d", "workspace": "w", "alias": "first"}]}
    assert seed(client, document)["datasets"] == 1
    document["datasets"][0]["alias"] = "second"
    assert seed(client, document)["datasets"] == 0
    state = client.get("/_mock/state").json()
    assert [d["alias"] for d in state["datasets"]] == ["first"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"datasets": [{"name": "x"}]}, "datasets.0.workspace: Field required"),
        ({"datasets": [{"name": "a/b", "workspace": "w"}]}, "datasets.0.name"),
        ({"storage_configs": [{"name": "s", "workspace": "w", "backend_type": "GCS"}]}, "OSS"),
        ({"users": [{"name": "u", "workspace": "w", "access_keys": ["nope"]}]}, "well-formed"),
        ({"datasets": [{"name": "x", "workspace": "w", "created_at": "yesterday"}]}, "ISO 8601"),
        ({"dataset": []}, "dataset: Extra inputs are not permitted"),
        (
            {"datasets": [{"name": "x", "workspace": "w", "storage_config": "missing"}]},
            "Storage config 'missing' does not exist",
        ),
        (
            {
                "datasets": [
                    {"name": "x", "workspace": "w", "drafts": [{"number": 1, "branch": "b"}]}
                ]
            },  # noqa: E501
            "branch 'b'",
        ),
        ([1, 2], "must be a mapping"),
    ],
)
def test_a_bad_seed_is_a_graviti_400_and_changes_nothing(
    client: TestClient, document: object, message: str
) -> None:
    before = client.get("/_mock/state").json()
    response = client.post("/_mock/seed", json=document)
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParamsValue"
    assert message in response.json()["message"]
    assert client.get("/_mock/state").json() == before


def test_a_seed_that_is_not_json_or_yaml_is_a_400(client: TestClient) -> None:
    response = client.post("/_mock/seed", content=b"{: [", headers=YAML)
    assert (response.status_code, response.json()["code"]) == (400, "InvalidParamsValue")


def test_a_key_of_another_user_is_a_409(client: TestClient) -> None:
    seed(client, {"users": [{"name": "a", "workspace": "w", "access_keys": [KEY]}]})
    response = client.post(
        "/_mock/seed", json={"users": [{"name": "b", "workspace": "w", "access_keys": [KEY]}]}
    )
    assert (response.status_code, response.json()["code"]) == (409, "NameConflict")


def test_strict_option_accepts_only_seeded_keys(client: TestClient) -> None:
    seed(
        client,
        {
            "options": {"strict": True},
            "users": [{"name": "a", "workspace": "w", "access_keys": [KEY]}],
        },
    )
    assert client.get("/v2/datasets", headers=AUTH).status_code == 200
    stranger = client.get("/v2/datasets", headers={"X-Token": "ACCESSKEY-stranger0001"})
    assert stranger.status_code == 401
    # A reset puts strictness back as the server was started.
    client.post("/_mock/reset")
    stranger = client.get("/v2/datasets", headers={"X-Token": "ACCESSKEY-stranger0001"})
    assert stranger.status_code == 200


def test_snapshots_save_restore_list_and_delete(client: TestClient) -> None:
    create(client, "one")
    saved = client.post("/_mock/snapshots/before").json()
    assert (saved["name"], saved["datasets"]) == ("before", 1)
    create(client, "two")
    workspace = client.get("/v2/current-workspace", headers=AUTH).json()["name"]
    client.delete(f"/v2/datasets/{workspace}/one", headers=AUTH)
    assert listing(client) == ["two"]
    assert client.post("/_mock/snapshots/before/restore").status_code == 200
    assert listing(client) == ["one"]
    # New rows after a restore do not collide with restored ones, and keep their order.
    create(client, "three")
    assert listing(client) == ["one", "three"]
    assert [s["name"] for s in client.get("/_mock/snapshots").json()["snapshots"]] == ["before"]
    assert client.delete("/_mock/snapshots/before").status_code == 200
    missing = client.post("/_mock/snapshots/before/restore")
    assert (missing.status_code, missing.json()["code"]) == (404, "ResourceNotExist")
    assert client.delete("/_mock/snapshots/before").status_code == 404
    bad = client.post("/_mock/snapshots/a%20b")
    assert (bad.status_code, bad.json()["code"]) == (400, "InvalidParamsValue")


def test_a_snapshot_survives_a_reset(client: TestClient) -> None:
    create(client, "kept")
    client.post("/_mock/snapshots/s1")
    client.post("/_mock/reset")
    client.post("/_mock/snapshots/s1/restore")
    assert listing(client) == ["kept"]
    assert json.loads(client.get("/_mock/state").content)["datasets"][0]["name"] == "kept"
