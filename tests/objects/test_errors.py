"""Bad input to the objects: a clean error in the format its path speaks, nothing stored.

The API paths (permissions, copies) answer Graviti JSON, which the SDK dispatches on;
the storage answers the storages' XML. Driven in-process, through the SDK where it has
a function and raw HTTP where the exact answer is the point.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import graviti
import pytest
import requests
from graviti.exception import (
    AccessDeniedError,
    InvalidParamsError,
    RequestParamsMissingError,
    ResourceNotExistError,
)
from graviti.openapi import copy_objects, create_dataset, get_object_permission

from mock_server import InProcessMock, Settings, mock_graviti, workspace_for_key
from tests.objects.sdk import (
    BACKENDS,
    CONFIGS,
    KEY,
    OTHER_KEY,
    SEED,
    WORKSPACE,
    upload,
    write_files,
)

URL = "https://api.graviti.com"
LIMIT = 4096


@pytest.fixture
def mock() -> Iterator[InProcessMock]:
    with mock_graviti(seed=SEED, settings=Settings(max_object_bytes=LIMIT)) as running:
        for backend, config in CONFIGS.items():
            create_dataset(KEY, URL, backend.lower(), storage_config=config)
        yield running


def permission(dataset: str, actions: str = "GET|PUT") -> dict[str, str]:
    answer = get_object_permission(KEY, URL, WORKSPACE, dataset, actions=actions, expired=600)
    granted: dict[str, str] = answer["permission"]
    return granted


def storage(
    method: str, backend: str, granted: dict[str, str], key: str, **kwargs: Any
) -> requests.Response:
    """A storage request addressed and authorised the way the SDK does it."""
    if backend == "AZURE":
        url = f"{granted['endpoint_prefix']}/{key}?{granted['sas_param']}"
        headers = {"x-ms-blob-type": "BlockBlob"}
    else:
        url = f"https://{granted['bucket']}.{granted['endpoint']}/{key}"
        header = "x-amz-security-token" if backend == "S3" else "x-oss-security-token"
        headers = {header: granted["SecurityToken"]}
    headers.update(kwargs.pop("headers", {}))
    return requests.request(method, url, headers=headers, **kwargs)


def xml_code(response: requests.Response) -> str | None:
    assert response.headers["content-type"] == "application/xml"
    root = ElementTree.fromstring(response.text)
    assert root.tag == "Error" and root.find("Message") is not None
    return root[0].text


# ---------------------------------------------------------------------------- storage


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(
    backend: str, mock: InProcessMock
) -> None:
    granted = permission(backend.lower())
    key = granted["prefix"] + "a" * 40
    status, code = (413, "RequestBodyTooLarge") if backend == "AZURE" else (400, "EntityTooLarge")
    declared = storage("PUT", backend, granted, key, data=b"x" * (LIMIT + 1))
    assert (declared.status_code, xml_code(declared)) == (status, code)
    chunked = storage("PUT", backend, granted, key, data=iter([b"x" * LIMIT, b"y"]))
    assert (chunked.status_code, xml_code(chunked)) == (status, code)
    assert mock.objects() == {}
    exact = storage("PUT", backend, granted, key, data=b"x" * LIMIT)
    assert exact.status_code in (200, 201)
    assert mock.objects() == {key: LIMIT}


def test_objects_are_not_bound_by_the_api_body_limit(make_files: Any) -> None:
    with mock_graviti(seed=SEED, settings=Settings(max_body_bytes=1024)) as mock:
        dataset = graviti.Workspace(KEY).datasets.create("big")
        [path] = make_files(1, size=3 * 1024 * 1024)
        [key] = upload(dataset, [path])
        assert mock.objects() == {key: 3 * 1024 * 1024}
        refused = requests.post(
            f"{URL}/v2/datasets", json={"name": "x" * 2000}, headers={"X-Token": KEY}
        )
        assert (refused.status_code, refused.json()["code"]) == (413, "PayloadTooLarge")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_missing_key_is_a_404_in_xml(backend: str, mock: InProcessMock) -> None:
    granted = permission(backend.lower())
    missing = storage("GET", backend, granted, granted["prefix"] + "0" * 40)
    code = "BlobNotFound" if backend == "AZURE" else "NoSuchKey"
    assert (missing.status_code, xml_code(missing)) == (404, code)


@pytest.mark.parametrize("backend", BACKENDS)
def test_credentials_the_mock_did_not_issue_are_refused(backend: str, mock: InProcessMock) -> None:
    granted = permission(backend.lower())
    key = granted["prefix"] + "b" * 40
    forged = dict(granted)
    if backend == "AZURE":
        forged["sas_param"] = granted["sas_param"].replace("sig=", "sig=x")
    else:
        forged["SecurityToken"] = "x" + granted["SecurityToken"]
    answer = storage("PUT", backend, forged, key, data=b"data")
    # The codes the SDK answers by asking for a new permission once.
    expected = "AuthenticationFailed" if backend == "AZURE" else "InvalidAccessKeyId"
    assert (answer.status_code, xml_code(answer)) == (403, expected)
    read_only = permission(backend.lower(), actions="GET")
    assert (
        storage(
            "PUT", backend, read_only | {"prefix": granted["prefix"]}, key, data=b"d"
        ).status_code
        == 403
    )
    assert mock.objects() == {}


def test_bad_keys_and_a_missing_blob_type_are_400(mock: InProcessMock) -> None:
    granted = permission("azure")
    no_type = requests.put(
        f"{granted['endpoint_prefix']}/{granted['prefix']}k?{granted['sas_param']}", data=b"d"
    )
    assert (no_type.status_code, xml_code(no_type)) == (400, "MissingRequiredHeader")
    oss = permission("oss")
    for key in (oss["prefix"] + "a b", oss["prefix"].upper() + "k"):
        bad = storage("PUT", "OSS", oss, key, data=b"d")
        assert (bad.status_code, xml_code(bad)) == (400, "InvalidObjectName")
    assert mock.objects() == {}


def test_a_fault_on_the_storage_answers_in_xml(mock: InProcessMock) -> None:
    granted = permission("oss")
    mock.fail("get_object", status=500, code="InternalError", times=1)
    answer = storage("GET", "OSS", granted, granted["prefix"] + "0" * 40)
    assert (answer.status_code, xml_code(answer)) == (500, "InternalError")


# ---------------------------------------------------------------------------- permissions


def test_permissions_follow_the_dataset_rules(mock: InProcessMock) -> None:
    other = workspace_for_key(OTHER_KEY)
    create_dataset(OTHER_KEY, URL, "private")
    mock.seed({"datasets": [{"name": "open", "workspace": other, "is_public": True}]})
    for actions in ("GET", "PUT"):
        with pytest.raises(AccessDeniedError):
            get_object_permission(KEY, URL, other, "private", actions=actions)
        with pytest.raises(AccessDeniedError):
            get_object_permission(KEY, URL, other, "absent", actions=actions)
        with pytest.raises(ResourceNotExistError):
            get_object_permission(KEY, URL, WORKSPACE, "absent", actions=actions)
    # Another workspace's public dataset can be read, not written.
    assert (
        "prefix" not in get_object_permission(KEY, URL, other, "open", actions="GET")["permission"]
    )
    with pytest.raises(AccessDeniedError):
        get_object_permission(KEY, URL, other, "open", actions="PUT")


def test_permission_parameters_are_checked(mock: InProcessMock) -> None:
    for actions in ("DELETE", "GET,PUT", ""):
        with pytest.raises(InvalidParamsError):
            get_object_permission(KEY, URL, WORKSPACE, "oss", actions=actions)
    for expired in (0, -1, 7 * 24 * 3600 + 1):
        with pytest.raises(InvalidParamsError):
            get_object_permission(KEY, URL, WORKSPACE, "oss", actions="GET", expired=expired)
    missing = requests.get(
        f"{URL}/v2/datasets/{WORKSPACE}/oss/objects/permissions", headers={"X-Token": KEY}
    )
    assert (missing.status_code, missing.json()["code"]) == (400, "RequestParamsMissing")


def test_permission_shapes(mock: InProcessMock) -> None:
    oss = get_object_permission(KEY, URL, WORKSPACE, "oss", actions="PUT", is_internal=False)
    assert oss["backend_type"] == "OSS"
    assert set(oss["permission"]) == {
        "AccessKeyId",
        "AccessKeySecret",
        "SecurityToken",
        "bucket",
        "endpoint",
        "prefix",
    }
    assert (oss["permission"]["bucket"], oss["permission"]["endpoint"]) == (
        "oss",
        "api.graviti.com",
    )
    s3 = get_object_permission(KEY, URL, WORKSPACE, "s3", actions="GET")["permission"]
    assert set(s3) == {
        "AccessKeyId",
        "AccessKeySecret",
        "SecurityToken",
        "bucket",
        "endpoint",
        "region",
    }
    azure = get_object_permission(KEY, URL, WORKSPACE, "azure", actions="GET|PUT")["permission"]
    assert set(azure) == {
        "container_name",
        "account_name",
        "sas_param",
        "endpoint_prefix",
        "prefix",
    }
    assert azure["endpoint_prefix"] == f"{URL}/blob/graviti-mock"
    ids = {item["name"]: item["id"] for item in graviti.openapi.list_datasets(KEY, URL)["datasets"]}
    assert oss["permission"]["prefix"] == f"{ids['oss']}/"


# ---------------------------------------------------------------------------- copies


def test_refused_copies_store_nothing(mock: InProcessMock, tmp_path: Path) -> None:
    workspace = graviti.Workspace(KEY)
    [path] = write_files(tmp_path, 1)
    [key] = upload(workspace.datasets.get("oss"), [path])
    create_dataset(KEY, URL, "oss2")
    before = mock.objects()
    # Another storage config.
    with pytest.raises(InvalidParamsError):
        copy_objects(KEY, URL, WORKSPACE, "s3", source_dataset="oss", keys=[key])
    # A key that is not the source's, or is not there.
    prefix = permission("s3")["prefix"]
    for keys in ([prefix + key.split("/")[1]], [key + "0"], [key, "not-a-key"]):
        with pytest.raises(InvalidParamsError):
            copy_objects(KEY, URL, WORKSPACE, "oss2", source_dataset="oss", keys=keys)
    with pytest.raises(InvalidParamsError):
        copy_objects(KEY, URL, WORKSPACE, "oss2", source_dataset="oss", keys=[key] * 2049)
    with pytest.raises(ResourceNotExistError):
        copy_objects(KEY, URL, WORKSPACE, "oss2", source_dataset="absent", keys=[key])
    # A target in another workspace.
    other = workspace_for_key(OTHER_KEY)
    create_dataset(OTHER_KEY, URL, "theirs")
    with pytest.raises(AccessDeniedError):
        copy_objects(KEY, URL, other, "theirs", source_dataset="oss", keys=[key])
    with pytest.raises(AccessDeniedError):
        copy_objects(OTHER_KEY, URL, WORKSPACE, "oss2", source_dataset="oss", keys=[key])
    missing = requests.post(
        f"{URL}/v2/datasets/{WORKSPACE}/oss2/objects/copy",
        json={"source_dataset": "oss"},
        headers={"X-Token": KEY},
    )
    assert (missing.status_code, missing.json()["code"]) == (400, "RequestParamsMissing")
    with pytest.raises(RequestParamsMissingError):
        graviti.openapi.requests.open_api_do(
            "POST", KEY, f"{URL}/v2/datasets/{WORKSPACE}/oss2/objects/copy", json={"keys": []}
        )
    assert mock.objects() == before
    assert copy_objects(KEY, URL, WORKSPACE, "oss2", source_dataset="oss", keys=[]) == {"keys": []}
