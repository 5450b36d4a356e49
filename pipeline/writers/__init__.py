"""Writers: turn processed documents into the files of the output contract.

Every file is written to a temporary name in its own directory and renamed into
place, so a reader (or a crash) never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write(path: Path, data: str) -> None:
    """Write ``data`` (UTF-8, ``\\n`` newlines) to ``path`` via a temporary file and rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_line(obj: Any) -> str:
    """One JSON Lines record: UTF-8 as is, keys in the order given, one line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
