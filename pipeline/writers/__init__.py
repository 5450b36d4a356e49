"""Writers: turn processed documents into the files of the output contract.

Every file is written to a temporary name in its own directory (``.tmp-*.tmp``,
short, so that a document whose name is at the file system's limit still fits)
and renamed into place, so a reader, or a crash, never sees half a file. A run
removes temporary files that a killed run left behind (:func:`sweep_temporary`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".tmp"


@contextmanager
def atomic_open(path: Path) -> Iterator[IO[str]]:
    """A text file (UTF-8, ``\\n`` newlines) that appears at ``path`` only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: str) -> None:
    """Write ``data`` to ``path`` via a temporary file and rename."""
    with atomic_open(path) as handle:
        handle.write(data)


def sweep_temporary(out: Path) -> int:
    """Remove temporary files a killed run left under ``out``; return how many."""
    removed = 0
    for path in out.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def json_line(obj: Any) -> str:
    """One JSON Lines record: UTF-8 as is, keys in the order given, one line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
