"""Incremental state: what each document's last run produced, in SQLite inside OUT.

One row per document: the hash of its bytes, the fingerprint of the configuration
and models it was processed with, its status, the output files it owns, and its
serialised results (its documents.jsonl line, its segments.jsonl lines and the
whole Document). A rerun skips documents whose hash and fingerprint match, and
rebuilds every aggregate file from these rows, never by re-translating.

A row is committed only after the document's own output files are in place, so a
run killed at any moment leaves either the old row (the document is processed
again) or the new one with its outputs written.

A database that cannot be read is moved aside (``state.sqlite.corrupt-N``) and
rebuilt empty with a warning: the next run reprocesses everything, losing no
output.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY,        -- relative path in the corpus, the stable id
    sha256 TEXT NOT NULL,        -- hash of the raw bytes
    fingerprint TEXT NOT NULL,   -- configuration + installed models
    status TEXT NOT NULL,        -- ok | failed | quarantined
    outputs TEXT NOT NULL,       -- JSON list of files under OUT this document owns
    record TEXT NOT NULL,        -- its documents.jsonl line
    segments TEXT NOT NULL,      -- its segments.jsonl lines
    document TEXT NOT NULL,      -- the whole Document, JSON
    missing TEXT NOT NULL        -- JSON list of language pairs without a model ("pt-en")
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class StoredDocument:
    doc: str
    sha256: str
    fingerprint: str
    status: str
    outputs: list[str]
    record: str
    segments: str
    document: str
    missing: list[str]


class StateStore:
    """The per-document manifest of one output directory."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif version[0] != str(SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"schema version {version[0]}")
            db.execute("SELECT count(*) FROM documents").fetchone()
            return db
        except sqlite3.DatabaseError as exc:
            aside = self._move_aside()
            log.warning(
                "state database %s is unreadable (%s); moved to %s and rebuilt: "
                "every document will be processed again",
                self.path, exc, aside,
            )
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            return db

    def _move_aside(self) -> Path:
        n = 1
        while (aside := self.path.with_name(f"{self.path.name}.corrupt-{n}")).exists():
            n += 1
        self.path.rename(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return aside

    @staticmethod
    def read_only(path: Path) -> dict[str, tuple[str, str, str]]:
        """:meth:`known` of an existing store, opened read-only (for ``--dry-run``)."""
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = db.execute("SELECT doc, sha256, fingerprint, status FROM documents")
                return {doc: (sha, fp, status) for doc, sha, fp, status in rows}
            finally:
                db.close()
        except sqlite3.DatabaseError:
            return {}

    def get_meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.db.close()

    def known(self) -> dict[str, tuple[str, str, str]]:
        """Every stored document: ``doc -> (sha256, fingerprint, status)``."""
        rows = self.db.execute("SELECT doc, sha256, fingerprint, status FROM documents")
        return {doc: (sha, fp, status) for doc, sha, fp, status in rows}

    def outputs(self, doc: str) -> list[str]:
        row = self.db.execute("SELECT outputs FROM documents WHERE doc=?", (doc,)).fetchone()
        return json.loads(row[0]) if row else []

    def put(self, item: StoredDocument) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            (item.doc, item.sha256, item.fingerprint, item.status, json.dumps(item.outputs),
             item.record, item.segments, item.document, json.dumps(item.missing)),
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit the rows put inside the block together (one disk sync, not one per row)."""
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def delete(self, doc: str) -> None:
        self.db.execute("DELETE FROM documents WHERE doc=?", (doc,))

    def column(self, name: str) -> Iterator[str]:
        """One stored column of every document, in doc order, streamed."""
        if name not in ("record", "segments", "document"):
            raise ValueError(f"not a stored text column: {name}")
        for (value,) in self.db.execute(f"SELECT {name} FROM documents ORDER BY doc"):
            yield value

    def summaries(self) -> Iterator[tuple[dict, list[str], list[str], int]]:
        """Per document, in doc order: its record, outputs, missing pairs, segment count."""
        cursor = self.db.execute(
            "SELECT record, outputs, missing,"
            " length(segments) - length(replace(segments, char(10), ''))"
            " FROM documents ORDER BY doc"
        )
        for record, outputs, missing, segments in cursor:
            yield json.loads(record), json.loads(outputs), json.loads(missing), segments
