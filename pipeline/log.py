"""Run logs: readable lines on a terminal, JSON lines for machines, and progress.

``--log-format json`` turns every message into one JSON object per line on
stderr (``{"event": ..., "message": ..., ...fields}``), for journald, Kubernetes
and log shippers. Progress is a tqdm bar on a terminal and a progress line every
``PROGRESS_EVERY_S`` seconds otherwise, so cron mails and CI logs stay short.
"""

from __future__ import annotations

import json
import sys
import time
from typing import IO, Any

PROGRESS_EVERY_S = 10.0


class RunLog:
    def __init__(self, fmt: str = "human", stream: IO[str] | None = None):
        if fmt not in ("human", "json"):
            raise ValueError(f"unknown log format '{fmt}'; use human or json")
        self.fmt = fmt
        self.stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        self._done = 0
        self._total = 0
        self._last = 0.0

    def event(self, event: str, message: str, **fields: Any) -> None:
        if self.fmt == "json":
            line = json.dumps({"event": event, "message": message, **fields}, ensure_ascii=False)
        else:
            line = message
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def start_progress(self, total: int) -> None:
        self._done, self._total, self._last = 0, total, time.monotonic()
        interactive = self.fmt == "human" and getattr(self.stream, "isatty", lambda: False)()
        if interactive and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="doc", file=self.stream, leave=False)

    def advance(self, n: int = 1) -> None:
        self._done += n
        if self._bar is not None:
            self._bar.update(n)
        elif time.monotonic() - self._last >= PROGRESS_EVERY_S:
            self._last = time.monotonic()
            self.event("progress", f"{self._done}/{self._total} documents",
                       done=self._done, total=self._total)

    def end_progress(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
