"""Timestamps under the control plane's clock: what moves ``updated_at`` and what does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.control_client import MockControl
from tests.contract.clients import Client

T0 = "2031-05-06T07:08:09Z"
T1 = "2031-05-06T07:09:09Z"


@pytest.fixture
def frozen(control: MockControl) -> Iterator[MockControl]:
    control.clock.freeze(T0)
    yield control
    # A shared server goes back to real time.
    control.clock.unfreeze()


def test_updated_at_moves_only_on_a_change(
    api: Client, url: str, access_key: str, frozen: MockControl
) -> None:
    created = api.create_dataset(access_key, url, "MNIST")
    workspace = created["workspace"]
    assert (created["created_at"], created["updated_at"]) == (T0, T0)

    frozen.clock.advance(60)
    untouched = api.update_dataset(access_key, url, workspace, "MNIST")
    same = api.update_dataset(access_key, url, workspace, "MNIST", alias="", default_branch="main")
    changed = api.update_dataset(access_key, url, workspace, "MNIST", alias="digits")

    assert untouched == same == created
    assert (changed["created_at"], changed["updated_at"]) == (T0, T1)
    assert api.get_dataset(access_key, url, workspace, "MNIST") == changed
    listed = api.list_datasets(access_key, url)["datasets"]
    assert listed == [changed]
