"""Schema versions: a database kept from an earlier release opens; one that cannot is refused.

``release-0.1.0.sql`` is a dump of a database file written by release 0.1.0 (before
schema versions): two seeded datasets with a branch and a draft, and one made by a call.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import graviti.openapi as api
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from mock_server.core.database import make_engine
from mock_server.migrations import HERE as MIGRATIONS
from mock_server.migrations import head, prepare_schema
from mock_server.resources import RESOURCES
from mock_server.testing import ServerProcess

DUMP = Path(__file__).with_name("release-0.1.0.sql")
KEY = "ACCESSKEY-alice0000000000"


def old_release_database(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(DUMP.read_text())
    return path


def test_a_database_of_release_0_1_0_is_migrated_and_served(tmp_path: Path) -> None:
    path = old_release_database(tmp_path / "kept.sqlite")
    with ServerProcess(database=f"sqlite:///{path}") as server:
        listing = api.list_datasets(KEY, server.url)
        assert [item["name"] for item in listing["datasets"]] == ["MNIST", "COCO", "VOC"]
        coco = api.get_dataset(KEY, server.url, "team-a", "COCO")
        assert (coco["storage_config"], coco["backend_type"]) == ("s3-store", "S3")
        assert api.get_dataset(KEY, server.url, "team-a", "MNIST")["alias"] == "digits"
        created = api.create_dataset(KEY, server.url, "new-one")
        assert created["workspace"] == "team-a"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head(),)]
    # A second start finds it current and serves it as it was left.
    with ServerProcess(database=f"sqlite:///{path}") as server:
        assert api.list_datasets(KEY, server.url)["total_count"] == 4


def serve_and_fail(database: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", "serve", "--port", "0", "--database", database],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_database_of_a_newer_release_is_refused_at_start(tmp_path: Path) -> None:
    path = old_release_database(tmp_path / "newer.sqlite")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    result = serve_and_fail(f"sqlite:///{path}")
    assert result.returncode != 0
    assert "serving on" not in result.stdout
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "schema version 9999" in message and "newer release" in message


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b"\x00" * 4096])
def test_a_file_that_is_not_a_database_is_refused_at_start(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.sqlite"
    path.write_bytes(content)
    result = serve_and_fail(f"sqlite:///{path}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cannot open the database" in result.stderr
    assert path.read_bytes() == content


def schema_of(url: str) -> dict[str, Any]:
    """Every table's columns, keys, foreign keys, unique constraints and indexes."""
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
                ],
                "primary": found.get_pk_constraint(table)["constrained_columns"],
                "foreign": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in found.get_foreign_keys(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in found.get_unique_constraints(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"])) for i in found.get_indexes(table)
                ),
            }
            for table in sorted(found.get_table_names())
        }
    finally:
        engine.dispose()


def test_a_new_database_gets_the_schema_the_migrations_give(tmp_path: Path) -> None:
    """New databases are built from the declared tables; kept ones are migrated: no drift."""
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    prepare_schema(make_engine(fresh), RESOURCES)
    migrated = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(migrated)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    engine.dispose()
    assert schema_of(fresh) == schema_of(migrated)
    kept = old_release_database(tmp_path / "kept.sqlite")
    prepare_schema(make_engine(f"sqlite:///{kept}"), RESOURCES)
    assert schema_of(f"sqlite:///{kept}") == schema_of(fresh)
