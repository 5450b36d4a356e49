"""Writers: turn processed documents into the files of the output contract.

Every file is written to a temporary name in its own directory (``.tmp-*.tmp``,
short, so that a document whose name is at the file system's limit still fits)
and renamed into place, so a reader, or a crash, never sees half a file. A run
removes temporary files that a killed run left behind (:func:`sweep_temporary`).

Files get the mode ``open()`` would give them: 0666 less the process umask (0644
under the usual umask 022), although the temporary file they start as is private.
Folders are made by ``mkdir``, which applies the umask itself.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from pipeline.folders import make_folders, walk

TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".tmp"

_umask: int | None = None
_umask_lock = threading.Lock()


def _read_umask() -> int:
    """The process umask: from /proc where it is shown (Linux), else by setting it.

    ``os.umask`` only reads the mask by replacing it; while it is replaced, the
    mask is 077, so that a file another thread makes meanwhile is private rather
    than open to all.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode of a new output file: what ``open()`` would give, 0666 less the umask.

    The umask is read once per process (the first time a file is written).

    >>> file_mode() == 0o666 & ~_read_umask()
    True
    """
    global _umask
    if _umask is None:
        with _umask_lock:
            if _umask is None:
                _umask = _read_umask()
    return 0o666 & ~_umask


def create_file(path: Path) -> None:
    """Create ``path`` empty, with the mode ``open()`` gives (0666 less the umask),
    unless it exists: for a new SQLite database (the state, the translation memory).
    SQLite itself makes it 0644 less the umask, so under umask 002 a second user of
    the group that shares OUT could read the state but not write it, and their run
    stopped with exit 74; SQLite gives the ``-wal`` and ``-shm`` files the database's
    mode. Any error is left for SQLite to report when it opens the file.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); db = folder / "new.sqlite"
    >>> create_file(db); create_file(db)  # the second leaves it as it is
    >>> db.stat().st_size, db.stat().st_mode & 0o777 == file_mode()
    (0, True)
    >>> import shutil; shutil.rmtree(folder)
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        os.close(os.open(path, flags, 0o666))
    except OSError:  # it exists (or cannot be made: SQLite says why)
        pass


@contextmanager
def atomic_open(path: Path, durable: bool = True) -> Iterator[IO[str]]:
    """A text file (UTF-8, ``\\n`` newlines) that appears at ``path`` only when complete.

    ``durable``: the data reach the disk before the rename. Without it the caller
    syncs later (:func:`sync_to_disk`), once for many files.
    """
    make_folders(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            os.fchmod(handle.fileno(), file_mode())  # mkstemp made it 0600
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: str, durable: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename."""
    with atomic_open(path, durable) as handle:
        handle.write(data)


_counter = itertools.count()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (whose folder exists) via a temporary file and rename,
    not durable (see :func:`sync_to_disk`): the lean form of :func:`atomic_write` for
    many small files. The temporary name is this process's next (``.tmp-PID-N.tmp``),
    made with the mode ``open()`` gives, so neither a random name nor a chmod is needed;
    one left by a killed process of the same id is replaced.
    """
    tmp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{next(_counter)}{TEMP_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o666)  # the umask applies: file_mode()
    except FileExistsError:
        tmp.unlink()
        fd = os.open(tmp, flags, 0o666)
    try:
        with open(fd, "wb", closefd=True) as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sync_to_disk(folders: Iterable[Path] | None = None) -> None:
    """Flush every file written so far (data and renames) to disk.

    One sync for a shard's files instead of one fsync per file: on a busy disk each
    fsync waits for a journal commit of its own. A state row is committed only
    after this, so a power cut never leaves a row pointing at a file still in RAM.

    ``folders``: the folders written into; only the file systems that hold them are
    flushed (``syncfs(2)``, Linux). ``sync(2)`` (``None``, or no syncfs here) flushes
    every file system of the machine: a hung network mount elsewhere hung the run,
    and each commit waited for other programs' unwritten data.
    """
    syncfs = _syncfs() if folders is not None else None
    if syncfs is None:
        os.sync()
        return
    done: set[int] = set()
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            device = os.fstat(fd).st_dev
            if device not in done and syncfs(fd) != 0:
                import ctypes

                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code), str(folder))
            done.add(device)
        finally:
            os.close(fd)


@lru_cache(maxsize=1)
def _syncfs() -> Any:
    """libc's ``syncfs``, or None (not Linux). ctypes is imported on first use only."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


# The folders of OUT a run writes files into (at any depth), each file through a
# temporary one beside it: the clean and translated copies, the parallel corpus
# (pipeline.writers.parallel.PARALLEL_DIR), the report's pages
# (pipeline.writers.review.FOLDER) and the state folder (pipeline.runner.STATE_DIR).
# The run also writes files at OUT's top (documents.jsonl, report.json, ...).
OUTPUT_FOLDERS = ("clean", "translations", "parallel", "report", ".pipeline")


def sweep_temporary(out: Path) -> int:
    """Remove temporary files a killed run left under ``out``; return how many.

    Only where a run writes: OUT's top and :data:`OUTPUT_FOLDERS`. Other folders
    under OUT (the corpus itself may be one) are the user's and are not looked at.
    """
    pattern = f"{TEMP_PREFIX}*{TEMP_SUFFIX}"
    found = itertools.chain(out.glob(pattern), (
        Path(folder, name) for top in OUTPUT_FOLDERS for folder, _, names in walk(out / top)
        for name in fnmatch.filter(names, pattern)))
    removed = 0
    for path in found:
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def json_line(obj: Any) -> str:
    """One JSON Lines record: UTF-8 as is, keys in the order given, one line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
