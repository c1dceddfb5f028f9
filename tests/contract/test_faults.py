"""Errors only a fault can produce, and the retry policy both libraries share.

Faults are injected through the control plane (``POST /_mock/faults``) and are
decided before the operation runs, so a failed call changes nothing. The
in-process mode intercepts below urllib3's retries, so POST retries on 5xx
behave there as they do over the wire.
"""

from __future__ import annotations

import pytest

from mock_server.control_client import MockControl
from tests.contract.clients import (
    FORBIDDEN,
    INTERNAL,
    UNAVAILABLE,
    Client,
    Expected,
)
from tests.contract.shapes import assert_page

NOT_FOUND = Expected("NotFoundError", 404, None)


def test_internal_server_error_on_get(
    api: Client, url: str, access_key: str, control: MockControl
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    control.fail("get_dataset", 500, times=1)

    with api.raises(INTERNAL):
        api.get_dataset(access_key, url, created["workspace"], "MNIST")

    # GET is not retried: the one fault was the one answer, and the next call succeeds.
    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


def test_service_unavailable_on_list(
    api: Client, url: str, access_key: str, control: MockControl
) -> None:
    api.create_dataset(access_key, url, "MNIST")
    control.fail("list_datasets", 503, times=1)

    with api.raises(UNAVAILABLE):
        api.list_datasets(access_key, url)

    assert_page(api.list_datasets(access_key, url), offset=0, total_count=1, names=["MNIST"])


def test_forbidden_on_delete_changes_nothing(
    api: Client, url: str, access_key: str, control: MockControl
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    control.fail("delete_dataset", 403, code="Forbidden", times=1)

    with api.raises(FORBIDDEN):
        api.delete_dataset(access_key, url, created["workspace"], "MNIST")

    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


def test_not_found_without_a_code(
    api: Client, url: str, access_key: str, control: MockControl
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    control.fail("get_dataset", 404, code=None, times=1)

    with api.raises(NOT_FOUND):
        api.get_dataset(access_key, url, created["workspace"], "MNIST")


def test_patch_is_not_retried(api: Client, url: str, access_key: str, control: MockControl) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    control.fail("update_dataset", 500, times=1)

    with api.raises(INTERNAL):
        api.update_dataset(access_key, url, created["workspace"], "MNIST", alias="x")

    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


@pytest.mark.parametrize("status", [500, 503])
def test_post_retries_absorb_transient_failures(
    api: Client, url: str, access_key: str, control: MockControl, status: int
) -> None:
    # Three retries after the first try: three failures are absorbed.
    control.fail("create_dataset", status, times=3)

    created = api.create_dataset(access_key, url, "MNIST")

    assert api.last_status == 200
    assert_page(api.list_datasets(access_key, url), offset=0, total_count=1, names=["MNIST"])
    assert api.get_dataset(access_key, url, created["workspace"], "MNIST") == created


@pytest.mark.parametrize(("status", "expected"), [(500, INTERNAL), (503, UNAVAILABLE)])
def test_post_gives_up_after_three_retries(
    api: Client, url: str, access_key: str, control: MockControl, status: int, expected: Expected
) -> None:
    control.fail("create_dataset", status, times=4)

    with api.raises(expected):
        api.create_dataset(access_key, url, "MNIST")

    assert_page(api.list_datasets(access_key, url), offset=0, total_count=0, names=[])
    api.create_dataset(access_key, url, "MNIST")
    assert_page(api.list_datasets(access_key, url), offset=0, total_count=1, names=["MNIST"])
