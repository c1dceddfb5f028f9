"""The real SDK, offline, over the installed types: a file column's schema, a DataFrame
holding a local image, and the schema's YAML parsed back the way a sheet from the
server is (through ``imports:``, building the package from disk)."""

from __future__ import annotations

import inspect
import struct
import zlib
from pathlib import Path

import graviti.portex as pt
import pytest

from mock_server.portex import SDK_TYPES, STANDARD_URL, install_portex
from tests.portex.conftest import Spawned


def png(path: Path, width: int, height: int) -> Path:
    """A valid RGB PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture
def std(portex_tmp: Path, spawned: Spawned):
    install_portex(quiet=True)
    spawned.commands.clear()
    return pt.build_package(pt.STANDARD_URL, "main")


def test_a_schema_with_an_image_column(std, spawned: Spawned) -> None:
    schema = pt.record({"filename": pt.string(), "image": std.file.Image()})

    assert schema.to_pyobj() == {
        "imports": [{"repo": f"{STANDARD_URL}@main", "types": [{"name": "file.Image"}]}],
        "type": "record",
        "fields": [
            {"name": "filename", "type": "string"},
            {"name": "image", "type": "file.Image"},
        ],
    }
    image = pt.convert_portex_schema_to_avro(schema)["fields"][1]["type"][1]
    assert [(f["name"], f["type"][1]) for f in image["fields"]] == [
        ("key", "string"),
        ("extension", "string"),
        ("size", "long"),
        ("height", "int"),
        ("width", "int"),
    ]
    assert [cmd[0] for cmd in spawned.git] == ["status"]  # the SDK checked, and found it


def test_a_dataframe_with_a_local_image(std, tmp_path: Path) -> None:
    from graviti import DataFrame
    from graviti.dataframe import FileSeries
    from graviti.file import Image

    path = png(tmp_path / "cat.png", width=3, height=2)
    schema = pt.record({"filename": pt.string(), "image": std.file.Image()})

    frame = DataFrame([{"filename": "cat.png", "image": Image(path)}], schema=schema)

    assert isinstance(frame["image"], FileSeries)
    image = frame["image"][0]
    assert (image.path, image.extension, image.size) == (path, ".png", path.stat().st_size)
    assert (image.width, image.height) == (3, 2)
    # What the SDK posts for the image (its upload sets the key) fits the column's type.
    image._post_key = "objects/cat.png"
    post = frame["image"].to_pylist(_to_backend=True)
    assert post == [
        {"key": "objects/cat.png", "extension": ".png", "size": image.size, "height": 2, "width": 3}
    ]
    assert list(post[0]) == schema.to_pyarrow()[1].type.names


def test_the_schema_yaml_parses_back_from_the_installed_tree(
    std, spawned: Spawned, monkeypatch
) -> None:
    from graviti.portex.package import packages

    schema = pt.record({"filename": pt.string(), "image": std.file.Image(nullable=True)})
    text = schema.to_yaml()
    # A fresh process has built no package: the parser must build it from the tree.
    monkeypatch.setattr(packages, "externals", {})
    spawned.commands.clear()

    parsed = pt.PortexRecordBase.from_yaml(text)

    assert [cmd[0] for cmd in spawned.git] == ["status"]
    assert parsed.to_yaml() == text
    assert parsed.to_pyarrow() == schema.to_pyarrow()
    assert type(parsed["image"]).__name__ == "file.Image"
    assert parsed["image"].nullable is True


@pytest.mark.parametrize("name", SDK_TYPES)
def test_each_type_has_the_fields_its_sdk_class_takes(std, name: str) -> None:
    # The SDK builds a remote file as element(**record, object_permission_manager=...).
    type_ = std[name]()
    fields = [field for field, _ in type_.to_builtin().fields.items()]
    element = type(type_).element
    taken = list(inspect.signature(element.__init__).parameters)[1:-1]

    assert fields == taken
    assert type(type_).container.__name__ == "FileSeries"


def test_extras_add_fields_after_the_standard_ones(std) -> None:
    image = std.file.Image(extras=pt.record({"label": pt.string()}).fields)

    names = list(image.to_builtin().fields)
    assert names == ["key", "extension", "size", "height", "width", "label"]
