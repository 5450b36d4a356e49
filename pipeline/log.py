"""Run logs: readable lines on a terminal, JSON lines for machines, and progress.

``--log-format json`` turns every message into one JSON object per line on
stderr (``{"event": ..., "message": ..., ...fields}``), for journald, Kubernetes
and log shippers. Progress is a tqdm bar on a terminal and a progress line every
``PROGRESS_EVERY_S`` seconds otherwise, so cron mails and CI logs stay short.

Warnings raised deep inside the pipeline (a state or translation memory moved
aside, an unreadable model package) go through :func:`warn`: to the run's log
while a run is active in this process (:meth:`RunLog.active`), else to stderr in
the format the run chose (``PIPELINE_LOG_FORMAT``, which worker processes inherit).
While a JSON run is active, Python warnings and other libraries' log records of
level WARNING and above become events too, so every line on stderr is JSON.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

PROGRESS_EVERY_S = 10.0
FORMAT_ENV = "PIPELINE_LOG_FORMAT"  # set while a run is active: workers log in its format
DEBUG_ENV = "PIPELINE_DEBUG"  # "1": errors show their traceback (``--debug``)

_ACTIVE: RunLog | None = None


def debug_enabled() -> bool:
    """Whether tracebacks are wanted (``--debug`` or ``PIPELINE_DEBUG=1``)."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def warn(event: str, message: str, **fields: Any) -> None:
    """Report a warning: through the active run log; with no run active in this process,
    as a JSON line when the run that started it logs JSON (a worker process), else on
    the ``pipeline.<event>`` logger.

    >>> import io
    >>> stream = io.StringIO()
    >>> with RunLog("json", stream).active():
    ...     warn("state", "state moved aside", moved_to="x")
    >>> stream.getvalue()
    '{"event": "state", "message": "state moved aside", "level": "warning", "moved_to": "x"}\\n'
    """
    if _ACTIVE is not None:
        _ACTIVE.event(event, message, level="warning", **fields)
    elif os.environ.get(FORMAT_ENV) == "json":
        RunLog("json").event(event, message, level="warning", **fields)
    else:
        logging.getLogger(f"pipeline.{event}").warning("%s", message)


class _Forward(logging.Handler):
    """Log records of other libraries (and Python warnings) as ``warning`` events."""

    def __init__(self, log: RunLog):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage().strip()
        except Exception:  # a bad format string in someone else's log call
            message = str(record.msg)
        self.log.event("warning", message, level=record.levelname.lower(), logger=record.name)


# Characters a file name must not send to a terminal as they are: C0 and C1 controls
# (an escape sequence recolours or clears the screen, a CR hides what came before, a
# line end splits the line) and the bidirectional overrides and isolates, which reorder
# what follows them ("evil\u202etxt.exe").
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def counted(count: int, noun: str, grouped: bool = False) -> str:
    """``count`` and ``noun``, plural unless one; ``grouped``: the thousands set apart
    by commas (the review page). The summary, ``pipeline explain`` and the review page
    all count with it.

    >>> counted(1, "language"), counted(2, "fix"), counted(1_200, "removed line", grouped=True)
    ('1 language', '2 fixes', '1,200 removed lines')
    """
    plural = "" if count == 1 else "es" if noun.endswith(("x", "s", "sh", "ch")) else "s"
    return (f"{count:,}" if grouped else str(count)) + f" {noun}{plural}"


def shown(name: str) -> str:
    r"""``name`` (a document or file name) for a line of the log or the summary: its
    control characters as Python escapes, as ``ls`` shows them as ``?``.

    >>> print(shown("a\x1b[31mb\rc\nd\u202etxt.exe"), shown("café نص.txt"))
    a\x1b[31mb\rc\nd\u202etxt.exe café نص.txt
    """
    return _UNSHOWABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), name)


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
        self._warned: set[tuple[str, str]] = set()

    def event(self, event: str, message: str, **fields: Any) -> None:
        if fields.get("level") == "warning":
            if (event, message) in self._warned:  # the same warning from another stage
                return
            self._warned.add((event, message))
        if self.fmt == "json":
            line = json.dumps({"event": event, "message": message, **fields}, ensure_ascii=False)
        else:
            line = message
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    @contextmanager
    def active(self) -> Iterator[RunLog]:
        """Make this the log :func:`warn` writes to, here and in worker processes
        started inside the block; in JSON, also for Python warnings and log records."""
        global _ACTIVE
        previous, previous_format = _ACTIVE, os.environ.get(FORMAT_ENV)
        _ACTIVE = self
        os.environ[FORMAT_ENV] = self.fmt
        root = logging.getLogger()
        handler = _Forward(self) if self.fmt == "json" else None
        if handler is not None:
            root.addHandler(handler)  # so logging's plain last-resort lines never appear
            logging.captureWarnings(True)
        try:
            yield self
        finally:
            if handler is not None:
                logging.captureWarnings(False)
                root.removeHandler(handler)
            _ACTIVE = previous
            if previous_format is None:
                os.environ.pop(FORMAT_ENV, None)
            else:
                os.environ[FORMAT_ENV] = previous_format

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
