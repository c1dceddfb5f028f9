"""Where the objects live, and that an area touches the disk only once it is used."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.resources.objects.area import ObjectArea, objects_folder, split_key

ID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ("sqlite:///./graviti-mock.sqlite", Path("./graviti-mock.sqlite.objects")),
        ("sqlite:////data/mock.sqlite", Path("/data/mock.sqlite.objects")),
        ("sqlite:///file:/data/mock.sqlite?mode=ro&uri=true", Path("/data/mock.sqlite.objects")),
        ("postgresql+psycopg://user:pw@host/db", Path("graviti-mock.objects")),
    ],
)
def test_the_folder_is_beside_the_database(database: str, expected: Path) -> None:
    assert objects_folder(database, None) == (expected, False)
    assert objects_folder(database, Path("/elsewhere")) == (Path("/elsewhere"), False)


@pytest.mark.parametrize(
    "database", ["sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory&uri=true"]
)
def test_an_in_memory_database_gets_a_temporary_folder(database: str) -> None:
    folder, temporary = objects_folder(database, None)
    assert temporary and folder.is_dir()
    ObjectArea(folder, temporary=True).close()
    assert not folder.exists()


def test_an_area_makes_its_folder_on_first_use(tmp_path: Path) -> None:
    area = ObjectArea(tmp_path / "objects")
    area.clear()
    assert list(area.keys()) == []
    assert not (tmp_path / "objects").exists()
    handle, temp = area.new_file()
    with handle:
        handle.write(b"data")
    area.commit(temp, f"{ID}/name")
    assert list(area.keys()) == [(f"{ID}/name", 4)]
    # The secret is made once and found again by another opener (another worker).
    assert ObjectArea(tmp_path / "objects").secret == area.secret


@pytest.mark.parametrize(
    "key",
    [f"{ID}/../x", f"{ID}/./x", f"{ID}/", f"{ID}//x", ID.upper() + "/x", "x/y", f"{ID}/a b"],
)
def test_keys_never_leave_their_dataset_folder(key: str) -> None:
    assert split_key(key) is None


def test_keys_may_have_segments() -> None:
    assert split_key(f"{ID}/a/b.png") == (ID, "a/b.png")
