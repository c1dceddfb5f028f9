"""The object area: the folder that holds every dataset's objects, one file per key.

Invariants:

- a key is ``<dataset id>/<name>``: 32 lowercase hex digits, then one or more name
  segments of ``[A-Za-z0-9._!()*'-]`` that are not ``.`` or ``..``; it maps to the file
  ``<root>/<dataset id>/<name>``, and nothing outside the root is ever reachable;
- a file appears whole or not at all: it is written under ``<root>/.tmp/`` and renamed
  into place, so a reader (any worker) sees the old bytes or the new ones, and two
  writers of one key leave one of their versions, never a mixture;
- a copy is a hard link (a second name for the same bytes, no bytes written); an
  overwrite renames a new file over the name, so the other name keeps its bytes;
- ``.tmp`` and ``.secret`` at the root are the area's own; clearing keeps them.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import make_url

KEY_RE = re.compile(r"^([0-9a-f]{32})/((?:[A-Za-z0-9._!()*'-]+/)*[A-Za-z0-9._!()*'-]+)$")
KEY_MAX = 1024
DATASET_DIR_RE = re.compile(r"^[0-9a-f]{32}$")
TMP = ".tmp"
SECRET = ".secret"


def objects_folder(database: str, objects_dir: Path | None) -> tuple[Path, bool]:
    """Where the objects of a database live, and whether the folder is temporary.

    Beside a SQLite file (``<file>.objects``); a temporary folder for an in-memory
    database; ``./graviti-mock.objects`` for a server database (PostgreSQL), whose
    workers and replicas must then be given one shared folder.
    """
    if objects_dir is not None:
        return objects_dir, False
    url = make_url(database)
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path.startswith("file:"):
            # A URI filename (``file:/path/db?mode=ro&uri=true``): the path is the file's.
            memory = url.query.get("mode") == "memory"
            path = "" if memory else unquote(urlsplit(path).path)
        if not path or path == ":memory:":
            return Path(tempfile.mkdtemp(prefix="graviti-mock-objects-")), True
        return Path(f"{path}.objects"), False
    return Path("graviti-mock.objects"), False


def split_key(key: str) -> tuple[str, str] | None:
    """``(dataset id, name)`` of a well-formed key, else None."""
    if len(key) > KEY_MAX:
        return None
    match = KEY_RE.match(key)
    if match is None:
        return None
    name = match.group(2)
    if any(segment in (".", "..") for segment in name.split("/")):
        return None
    return match.group(1), name


class ObjectArea:
    """One folder of objects, shared by every worker (and every restart) that opens it."""

    def __init__(self, root: Path, *, temporary: bool = False) -> None:
        self.root = root
        self.temporary = temporary
        self._secret: bytes | None = None
        self._ready = False

    def _ensure(self) -> None:
        """Make the folder on first use: a server that stores nothing leaves no folder."""
        if not self._ready:
            (self.root / TMP).mkdir(parents=True, exist_ok=True)
            self._ready = True

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = self._load_secret()
        return self._secret

    @classmethod
    def temporary_area(cls) -> ObjectArea:
        return cls(Path(tempfile.mkdtemp(prefix="graviti-mock-objects-")), temporary=True)

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)

    def _load_secret(self) -> bytes:
        """The key permissions are signed with: made once per area, shared by all workers."""
        self._ensure()
        path = self.root / SECRET
        with contextlib.suppress(FileNotFoundError):
            return bytes.fromhex(path.read_text())
        fd, temp = tempfile.mkstemp(dir=self.root / TMP)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            # link() fails if another worker made it first: theirs is kept and read.
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
        return bytes.fromhex(path.read_text())

    def path(self, key: str) -> Path:
        parts = split_key(key)
        if parts is None:
            raise ValueError(f"not an object key: {key!r}")
        return self.root / parts[0] / parts[1]

    def size(self, key: str) -> int | None:
        """The size of the object, or None if there is none."""
        try:
            found = self.path(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return found.st_size

    # ------------------------------------------------------------------ writing

    def new_file(self) -> tuple[BinaryIO, Path]:
        """An open temporary file to write an object into, then ``commit`` or ``discard``."""
        self._ensure()
        fd, temp = tempfile.mkstemp(dir=self.root / TMP, prefix="put-")
        return os.fdopen(fd, "wb"), Path(temp)

    def commit(self, temp: Path, key: str) -> None:
        """Put a fully written temporary file in place as ``key`` (replacing any)."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)

    @staticmethod
    def discard(temp: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()

    def link(self, source: str, target: str) -> None:
        """Give the bytes of ``source`` the key ``target`` too, without copying them."""
        if source == target:
            return
        self._ensure()
        fd, temp = tempfile.mkstemp(dir=self.root / TMP, prefix="link-")
        os.close(fd)
        os.unlink(temp)
        try:
            os.link(self.path(source), temp)
        except OSError:
            # A file system without hard links: a copy, still renamed into place.
            shutil.copyfile(self.path(source), temp)
        self.commit(Path(temp), target)

    # ------------------------------------------------------------------ whole area

    def keys(self) -> Iterator[tuple[str, int]]:
        """Every ``(key, size)``, sorted by key."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not DATASET_DIR_RE.match(folder.name) or not folder.is_dir():
                continue
            found = []
            for directory, _dirs, files in os.walk(folder):
                for file in files:
                    path = Path(directory) / file
                    key = path.relative_to(self.root).as_posix()
                    with contextlib.suppress(FileNotFoundError):
                        found.append((key, path.stat().st_size))
            yield from sorted(found)

    def clear(self) -> None:
        """Remove every object (the area's own files stay)."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if DATASET_DIR_RE.match(folder.name):
                shutil.rmtree(folder, ignore_errors=True)

    def keep_only(self, keys: set[str]) -> None:
        """Remove every object whose key is not in ``keys``."""
        for key, _size in list(self.keys()):
            if key not in keys:
                with contextlib.suppress(FileNotFoundError):
                    self.path(key).unlink()
