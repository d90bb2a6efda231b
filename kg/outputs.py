"""A build folder, written safely: locked while written, each file staged beside its target and
renamed into place, and a manifest that says which files the latest build wrote.

- **Exclusive.** A writer holds an advisory lock on `.kg.lock` for as long as it writes; a
  second writer stops at once with `FolderBusy` (the lock dies with its process, `kill -9`
  included, so a crashed build never leaves the folder locked).
- **Atomic.** Exporters write to staged files (`.graph.ttl.kg-tmp-XXXX`) that `commit()`
  renames over their targets, and the manifest last. A build killed at any moment leaves every
  output whole, old or new; the next writer sweeps up the staged files it left.
- **Contained.** Staged files are created exclusively (never through an existing name) and
  renamed, which replaces a symbolic link planted at a target instead of writing through it,
  so kg never writes outside the folder.
- **Known.** `manifest.json` lists each file of the latest build with its size and SHA-256,
  and the store folder it wrote (`stage_version`): readers open the store it names, never a stale
  leftover, and a new store replaces the old one by the manifest's rename, all at once.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from kg.errors import UsageError

DEFAULT_OUT = Path("outputs")
MANIFEST = "manifest.json"
LOCK = ".kg.lock"
_STAGED = ".kg-tmp-"  # in the names of staged files: `.graph.ttl.kg-tmp-1a2b3c`


class FolderBusy(UsageError):
    """Another kg process is writing the folder."""


class StaleOutput(UsageError):
    """A file of the folder is not the one its manifest lists."""


def check_folder(path: Path) -> None:
    """Raise `UsageError` now, before any work, if `path` cannot be an output folder."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file, not a folder: choose another --out")
    parent = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write into {parent}: permission denied")


class OutputFolder:
    """`with OutputFolder(path) as out:` stage files with `out.stage(name)` or
    `out.write_text(name, text)`, then `out.commit()`; what is not committed is discarded."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._staged: dict[str, Path] = {}
        self._scratch: list[Path] = []
        self._generations: set[str] = set()  # bases staged by `stage_version`
        self._lock: int | None = None

    def __enter__(self) -> OutputFolder:
        check_folder(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._acquire()
        for leftover in self.path.glob(f".*{_STAGED}*"):  # from a build that was killed
            _remove(leftover)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for path in [*self._staged.values(), *self._scratch]:
            _remove(path)
        self._staged.clear()
        if self._lock is not None:
            os.close(self._lock)  # releases the lock
            self._lock = None

    def _acquire(self) -> None:
        try:
            fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UsageError(f"{self.path / LOCK} is a symbolic link: remove it") from None
            raise UsageError(f"cannot lock {self.path}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise FolderBusy(f"{self.path} is being written by another kg ({holder}): wait for "
                             f"it to finish, or write into another folder") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
        self._lock = fd

    def stage(self, name: str) -> Path:
        """A fresh, empty file beside `name` to write it to; `commit()` puts it in place."""
        if self._lock is None:
            raise RuntimeError("stage() outside `with OutputFolder(...)`")
        if name in self._staged:
            raise ValueError(f"{name} is staged twice")
        if "/" in name or name.startswith(".") or name in (MANIFEST, LOCK):
            raise ValueError(f"{name!r} is not an output file name")
        self._staged[name] = path = _new_file(self.path, name)
        return path

    def stage_version(self, base: str, suffix: str = "", *, folder: bool = False,
                      ) -> tuple[str, Path]:
        """A fresh, empty file (or `folder`) to fill, and the name `commit()` gives it: `base`,
        a stamp and `suffix` (`store-20261201T101500-1a2b`, `state-...jsonl`), new at each
        build. Outputs that must agree with each other (the store and the state an update
        starts from) are written so: the manifest switches from the old ones to the new ones
        at once, and a build killed between two renames leaves the old set whole. Versions
        `base-*` the new manifest does not list are removed at the commit."""
        if self._lock is None:
            raise RuntimeError("stage_version() outside `with OutputFolder(...)`")
        name = f"{base}-{time.strftime('%Y%m%dT%H%M%S')}-{os.urandom(2).hex()}{suffix}"
        if folder:
            path = Path(tempfile.mkdtemp(prefix=f".{name}{_STAGED}", dir=self.path))
            path.chmod(0o777 & ~_umask())  # mkdtemp makes it private
        else:
            path = _new_file(self.path, name)
        self._staged[name] = path
        self._generations.add(base)
        return name, path

    def scratch(self, name: str) -> Path:
        """A temporary file in the folder (on the same disk as the outputs), removed at the end."""
        path = _new_file(self.path, name)
        self._scratch.append(path)
        return path

    def write_text(self, name: str, text: str) -> Path:
        self.stage(name).write_text(text, "utf-8")
        return self.path / name

    def commit(self, *, replace: bool = True) -> list[Path]:
        """Put every staged file in place, then the manifest; return the files' paths.

        `replace` (a build): the manifest lists just these files, and files the previous
        manifest listed that this build did not write are removed, so no stale output stays
        (a `graph.nt` of an earlier `-f ntriples`, the analysis of an earlier graph).
        Otherwise (`kg analyze`) these files are added to those of the build.
        """
        old_files = _previous_files(self.path)
        files = {} if replace else dict(old_files)
        for name, staged in sorted(self._staged.items()):
            files[name] = _fingerprint(staged)
        for name, staged in sorted(self._staged.items()):
            os.replace(staged, self.path / name)
        manifest = {"kg": _version(), "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "files": files}
        staged_manifest = _new_file(self.path, MANIFEST)
        staged_manifest.write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        os.replace(staged_manifest, self.path / MANIFEST)
        _sync(self.path)
        stale = set(old_files) - set(files)
        stale |= {p.name for base in self._generations for p in self.path.glob(f"{base}-*")
                  if replace and p.name not in files}  # left by a build killed before its commit
        for name in sorted(stale):
            if _is_plain_name(name):  # the manifest is data: never a path out of the folder
                _remove(self.path / name)
        written = [self.path / name for name in sorted(self._staged)]
        self._staged.clear()
        return written


@contextmanager
def writing(out: OutputFolder | str | Path) -> Iterator[OutputFolder]:
    """`out` when it is an open OutputFolder (its owner commits); else that folder, opened and
    committed at the end with the files written added to those of its build."""
    if isinstance(out, OutputFolder):
        yield out
        return
    with OutputFolder(out) as folder:
        yield folder
        folder.commit(replace=False)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a build folder, or None when it has none (built by kg before 0.2)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise StaleOutput(f"{folder / MANIFEST} cannot be read ({error}): build again") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise StaleOutput(f"{folder / MANIFEST} is not a kg manifest: build again")
    return manifest


def built_version(folder: Path, base: str) -> Path | None:
    """The version `base-*` of an output (see `OutputFolder.stage_version`) that the folder's
    latest build wrote, or None."""
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    name = _version_name(manifest["files"], base)
    if name is None:
        return None
    path = folder / name
    if not path.exists():
        raise StaleOutput(f"{path} is missing, though {MANIFEST} lists it: build again")
    return path


def previous_version(folder: Path, base: str) -> Path | None:
    """Like `built_version`, for a writer that may start from it: None, never an error, when
    the folder's manifest or that version cannot be trusted (then the writer starts afresh)."""
    name = _version_name(_previous_files(folder), base)
    path = folder / name if name is not None else None
    return path if path is not None and path.exists() and not path.is_symlink() else None


def previous_sha256s(folder: Path) -> dict[str, str]:
    """The SHA-256 the folder's manifest gives for each of its files, if it can be trusted: a
    writer reuses the bytes of an old output only when they are still the ones listed."""
    return {name: listed["sha256"] for name, listed in _previous_files(folder).items()
            if isinstance(listed, dict) and isinstance(listed.get("sha256"), str)}


def _version_name(files: dict[str, Any], base: str) -> str | None:
    """The name of the version `base-*` among a manifest's `files`."""
    return next((name for name in sorted(files)
                 if name.startswith(f"{base}-") and _is_plain_name(name)), None)


def _previous_files(folder: Path) -> dict[str, Any]:
    """The files the folder's manifest lists, if it is a regular file and a manifest: one that
    is not (a symbolic link, a broken file) is only replaced, never followed or trusted."""
    if (folder / MANIFEST).is_symlink():
        return {}
    try:
        manifest = read_manifest(folder)
    except StaleOutput:
        return {}
    return manifest["files"] if manifest else {}


def _remove(path: Path) -> None:
    """Remove a file or a folder of kg's; a symbolic link is removed itself, never followed."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _new_file(folder: Path, name: str) -> Path:
    """An empty file created exclusively in `folder`, readable as the umask allows."""
    fd, path = tempfile.mkstemp(prefix=f".{name}{_STAGED}", dir=folder)
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fingerprint(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of a staged file, flushed to disk first so the rename is durable; for
    a folder (a store, which syncs its own files), its kind and total size."""
    if path.is_dir():
        return {"kind": "folder",
                "size": sum(p.stat().st_size for p in path.rglob("*") if p.is_file())}
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
        os.fsync(file.fileno())
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def _version() -> str:
    from kg import __version__

    return __version__
