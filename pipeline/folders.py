"""Folder walks and folder creation without recursion.

Python 3.11's ``os.walk``, ``Path.rglob`` and ``Path.mkdir(parents=True)`` call
themselves once per folder level: a corpus nested deeper than the interpreter's limit
(about 1,000 folders, well within the system's 4,096 bytes of a path) stopped every run
with RecursionError (exit 70), before any document or when writing its copies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def walk(top: Path | str, onerror: Callable[[OSError], Any] = lambda exc: None
         ) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top, onerror=onerror)``: top-down, links not followed, the same folders
    in the same order (``dirnames`` changed in place is obeyed), without recursion.

    >>> import tempfile; top = Path(tempfile.mkdtemp())
    >>> (top / "a" / "b").mkdir(parents=True); (top / "c").mkdir(); _ = (top / "f").write_text("")
    >>> [(Path(d).relative_to(top).as_posix(), sorted(ds), fs) for d, ds, fs in walk(top)
    ...  if not ds.sort()]
    [('.', ['a', 'c'], ['f']), ('a', ['b'], []), ('a/b', [], []), ('c', [], [])]
    >>> import shutil; shutil.rmtree(top)
    """
    stack = [os.fspath(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as exc:
            onerror(exc)
            continue
        dirnames, filenames = [], []
        for entry in listed:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirnames if is_dir else filenames).append(entry.name)
        yield folder, dirnames, filenames
        stack.extend(path for name in reversed(dirnames)
                     if not os.path.islink(path := os.path.join(folder, name)))


def make_folders(folder: Path) -> None:
    """``folder.mkdir(parents=True, exist_ok=True)``, without recursion."""
    missing = []
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            if not path.is_dir():
                raise
