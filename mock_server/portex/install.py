"""Install the Portex standard types where the graviti SDK looks for them, with no network.

The SDK (``graviti.portex.builder.PackageRepo``) resolves ``file.Image`` and its kin by
cloning ``STANDARD_URL@main`` into ``<tempfile.gettempdir()>/portex/<md5(url + "main")>``
unless that directory already is a git work tree on which ``git status --porcelain``
prints nothing; a dirty or broken one it deletes and clones again. It then reads the
``*.yaml`` files under the one folder holding ``ROOT.yaml``.

Invariants kept here:

- Only local git commands run (``init``, ``add``, ``commit``, ``status``, ``config``);
  the repository built has no remote, so nothing can ever fetch into it.
- Git runs with the environment the SDK gives it (``GIT_*`` variables dropped), so a
  ``GIT_DIR`` or ``GIT_INDEX_FILE`` inherited from a hook never redirects a command, and
  "clean" means what it means to the SDK.
- The tree is built in a sibling directory and renamed into place, so the SDK never
  sees a half-built one; installers (xdist workers, threads) take turns under a lock
  file beside it, and one that waited finds the tree its predecessor built.
- A clean clone of the real portex-standard holding the six types is kept unless
  ``force`` is given: it is what the SDK itself would have fetched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

STANDARD_URL = "https://github.com/Project-OpenBytes/portex-standard"
REVISION = "main"

# The names the SDK binds to its file classes (graviti.file.*, graviti.dataframe.column).
SDK_TYPES = (
    "file.File",
    "file.Image",
    "file.Audio",
    "file.PointCloud",
    "file.PointCloudBin",
    "label.Mask",
)

_IDENTITY = ("-c", "user.name=graviti-mock", "-c", "user.email=graviti-mock@localhost")
# Settings a user's global git config could set that would make a commit fail, prompt,
# run code, or rewrite the files.
_QUIET = ("-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", "-c", "core.hooksPath=")
# The variables PackageRepo._env keeps among GIT_*: all of them configure transport only.
_KEPT_GIT_VARIABLES = {
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSL_CAINFO",
    "GIT_SSL_NO_VERIFY",
    "GIT_CONFIG_COUNT",
    "GIT_HTTP_PROXY_AUTHMETHOD",
}

Action = Literal["installed", "repaired", "present", "kept"]


class PortexInstallError(RuntimeError):
    """The types could not be installed (no git, a git command failed, an unwritable
    temporary directory)."""


@dataclass(frozen=True)
class InstallResult:
    """What :func:`install_portex` found and did."""

    path: Path
    action: Action
    reason: str = ""

    def __str__(self) -> str:
        if self.action == "present":
            return f"Portex standard types already installed in {self.path}"
        if self.action == "kept":
            return f"A clean clone of {STANDARD_URL} is in {self.path}; kept (--force replaces it)"
        if self.action == "repaired":
            return f"Portex standard types reinstalled in {self.path} ({self.reason})"
        return f"Portex standard types installed in {self.path}"


def cache_path() -> Path:
    """The directory the SDK clones the standard package into, for this process's
    temporary directory (``TMPDIR`` and ``tempfile.tempdir`` are honoured)."""
    digest = hashlib.md5((STANDARD_URL + REVISION).encode("utf-8"), usedforsecurity=False)
    return Path(tempfile.gettempdir()) / "portex" / digest.hexdigest()


def definitions() -> dict[str, bytes]:
    """The files of graviti-mock's package, by POSIX path relative to the tree's root."""
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".yaml"):
                found[prefix + child.name] = child.read_bytes()

    walk(files(__package__ or "mock_server.portex") / "standard", "")
    return found


def install_portex(*, force: bool = False, quiet: bool = False) -> InstallResult:
    """Make the SDK find the Portex standard types offline; print what was done.

    Idempotent: a tree that is already right is left alone (``present``). A dirty,
    broken or foreign tree is rebuilt (``repaired``). A clean clone of the real package
    is ``kept``. ``force`` rebuilds whatever is there.
    """
    if shutil.which("git") is None:
        raise PortexInstallError(
            "git is not installed: the graviti SDK runs git to load the Portex types of "
            "file columns, so install git (e.g. apt-get install git) and run this again"
        )
    path = cache_path()
    state, reason = _inspect(path)
    if not force and state in ("ours", "upstream"):
        result = InstallResult(path, "present" if state == "ours" else "kept")
    else:
        with _install_lock(path.parent):
            if not force:
                # Another installer may have finished while this one waited for the lock.
                state, reason = _inspect(path)
            if not force and state in ("ours", "upstream"):
                result = InstallResult(path, "present" if state == "ours" else "kept")
            else:
                _build(path)
                action: Action = "installed" if state == "missing" else "repaired"
                result = InstallResult(path, action, "forced" if force else reason)
    if not quiet:
        print(result)
    return result


_verified: set[Path] = set()
_verified_lock = threading.Lock()


def ensure_portex() -> None:
    """:func:`install_portex`, quietly, once per process and temporary directory.

    For ``mock_graviti()`` and the pytest fixtures: after the first check it costs one
    ``stat``. Without git it does nothing, as the SDK raises its own ``GitNotFoundError``
    when a schema needs the types, and tests that use none must still run.
    """
    path = cache_path()
    with _verified_lock:
        if path in _verified and (path / ".git").is_dir():
            return
        if shutil.which("git") is None:
            return
        install_portex(quiet=True)
        _verified.add(path)


# --------------------------------------------------------------------------- internals


def _git_env() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GIT_")
        or name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
        or name in _KEPT_GIT_VARIABLES
    }


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, env=_git_env(), capture_output=True, check=True)


def _tree_files(root: Path) -> dict[str, bytes] | None:
    """Every file of the work tree outside ``.git``; None if there are too many to be ours."""
    found: dict[str, bytes] = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != ".git"]
        for name in names:
            if len(found) > 64:
                return None
            file = Path(folder) / name
            found[file.relative_to(root).as_posix()] = file.read_bytes()
    return found


def _inspect(path: Path) -> tuple[str, str]:
    """Classify the tree as the SDK would use it: ``missing``, ``ours``, ``upstream``
    (a clean clone of the real package) or ``broken``, with the reason."""
    if not path.exists():
        return "missing", "absent"
    if not path.is_dir():
        return "broken", "not a directory"
    if not (path / ".git").is_dir():
        # Without its own .git, git would answer for an enclosing repository, if any.
        return "broken", "not a git work tree"
    try:
        status = _git(path, "status", "--porcelain")
    except subprocess.CalledProcessError:
        return "broken", "not a git work tree"
    if status.stdout:
        # The SDK would delete this tree and clone again, over the network.
        return "broken", "the work tree has uncommitted changes"
    if _tree_files(path) == definitions():
        return "ours", ""
    roots = list(path.glob("**/ROOT.yaml"))
    origin = _git_config(path, "remote.origin.url").rstrip("/").removesuffix(".git")
    if len(roots) == 1 and origin == STANDARD_URL:
        wanted = (roots[0].parent / (name.replace(".", "/") + ".yaml") for name in SDK_TYPES)
        if all(file.is_file() for file in wanted):
            return "upstream", ""
    return "broken", "it holds other type definitions"


def _git_config(path: Path, name: str) -> str:
    try:
        return _git(path, "config", "--get", name).stdout.decode().strip()
    except subprocess.CalledProcessError:
        return ""


@contextmanager
def _install_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` across processes (and threads: each open file
    is locked on its own). Where ``fcntl`` is missing, installs are not serialised; the
    rename into place still keeps a half-built tree out of the SDK's sight."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / ".graviti-mock.lock", "a+b")  # noqa: SIM115
    except OSError as exc:
        raise PortexInstallError(f"cannot write under {folder}: {exc}") from exc
    with handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _build(path: Path) -> None:
    """Build the tree beside ``path``, then swap it into place (under the install lock)."""
    parent = path.parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=".graviti-mock-", dir=parent))
    except OSError as exc:
        raise PortexInstallError(f"cannot write under {parent}: {exc}") from exc
    try:
        for relative, content in definitions().items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        _run_git(staging, ("-c", "init.defaultBranch=main", "init", "-q"))
        _run_git(staging, (*_QUIET, "add", "--all", "--force", "."))
        _run_git(
            staging,
            (*_IDENTITY, *_QUIET, "commit", "-q", "--no-verify", "-m", "Portex standard types"),
        )
        if _git(staging, "status", "--porcelain").stdout:
            raise PortexInstallError(f"the tree built in {staging} is not clean")
        if path.exists() or path.is_symlink():
            aside = parent / f".graviti-mock-old-{uuid.uuid4().hex}"
            os.rename(path, aside)
            _remove(aside)
        os.rename(staging, path)
    except OSError as exc:
        raise PortexInstallError(f"cannot install into {path}: {exc}") from exc
    finally:
        if staging.exists():
            _remove(staging)


def _run_git(cwd: Path, args: Sequence[str]) -> None:
    try:
        _git(cwd, *args)
    except subprocess.CalledProcessError as exc:
        command = " ".join(["git", *args])
        detail = exc.stderr.decode(errors="replace").strip()
        raise PortexInstallError(f"`{command}` failed in {cwd}: {detail}") from exc


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
