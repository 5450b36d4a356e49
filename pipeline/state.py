"""Incremental state: what each document's last run produced, in SQLite inside OUT.

One row per document (a file, or one record of a record file): the hash of its
bytes, the fingerprint of the configuration and models it was processed with, its
status, the output files it owns, and its serialised results (its documents.jsonl
line, its segments.jsonl lines and the whole Document). A rerun skips documents
whose hash and fingerprint match, and rebuilds every aggregate file from these rows,
never by re-translating. A record's texts (table ``parts``) rebuild its file's
mirrored copies (table ``record_files``).

A row is committed only after the document's own output files are in place, so a
run killed at any moment leaves either the old row (the document is processed
again) or the new one with its outputs written.

A database that is damaged, or is no state of this schema, is moved aside
(``state.sqlite.corrupt-N``) and rebuilt empty with a warning: the run reprocesses
everything, losing no output. Any other database error (locked by another program,
a disk I/O error, no permission) is a :class:`StateError` and leaves the file as
it is: moving a healthy state aside would cost every document's work.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.log import warn

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
    missing TEXT NOT NULL,       -- JSON list of language pairs without a model ("pt-en")
    translation TEXT NOT NULL DEFAULT '{}'  -- its translation counts (document_counts)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parts (
    doc TEXT PRIMARY KEY,        -- a record's document id ("<file>#<id>")
    source TEXT NOT NULL,        -- the record file that holds it
    texts TEXT NOT NULL          -- JSON: its clean and translated texts by output path
);
CREATE INDEX IF NOT EXISTS parts_source ON parts(source);
CREATE TABLE IF NOT EXISTS file_stats (
    doc TEXT PRIMARY KEY,        -- a document that is a whole file (text file, page)
    stat TEXT NOT NULL           -- its file's size, times, inode when hashed (runner.stat_key)
);
CREATE TABLE IF NOT EXISTS record_files (
    path TEXT PRIMARY KEY,       -- a record file in the corpus
    sha256 TEXT NOT NULL,        -- hash of the bytes its copies were built from
    outputs TEXT NOT NULL        -- JSON list of its copies under OUT
);
"""
COLUMNS = ("doc", "sha256", "fingerprint", "status", "outputs", "record", "segments",
           "document", "missing", "translation")
# SQLite result codes (the low byte of ``sqlite_errorcode``).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26
BUSY_TIMEOUT_S = 5.0  # how long to wait for another program's lock on the state


class StateError(Exception):
    """The state database cannot be used now, and is left as it is.

    ``locked``: another program holds it (try again later), else the disk or the
    permissions are at fault.
    """

    def __init__(self, path: Path, exc: sqlite3.Error):
        self.locked = _code(exc) in (_SQLITE_BUSY, _SQLITE_LOCKED)
        if self.locked:
            what = (f"the state database {path} is locked by another program ({exc}); "
                    "close it (a database browser, a backup tool) and run again")
        else:
            what = (f"cannot use the state database {path}: {exc}; check the disk, its "
                    "free space and the permissions, then run again")
        super().__init__(f"{what}. It was left as it is: no document's work is lost")


class _Unusable(Exception):
    """The file is no state database of this schema (handled like corruption)."""


def _code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def is_corruption(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged or no database at all (only then is it
    moved aside; a locked database or a disk error is not).

    >>> error = sqlite3.DatabaseError("file is not a database")
    >>> error.sqlite_errorcode = 26
    >>> is_corruption(error), is_corruption(sqlite3.OperationalError("database is locked"))
    (True, False)
    """
    return _code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


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
    translation: dict = field(default_factory=dict)  # its translation counts


class StateStore:
    """The per-document manifest of one output directory."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif version[0] != str(SCHEMA_VERSION):
                raise _Unusable(f"schema version {version[0]}, not {SCHEMA_VERSION}")
            columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
            if columns | {"translation"} != set(COLUMNS):
                raise _Unusable(f"table documents has columns {sorted(columns)}")
            if "translation" not in columns:  # a state written before the column existed
                db.execute("ALTER TABLE documents ADD COLUMN translation TEXT NOT NULL "
                           "DEFAULT '{}'")
            db.execute("SELECT count(*) FROM documents").fetchone()
            # Writing needs the write lock: a program holding it is found now, before any
            # work, rather than when the first documents are committed.
            db.execute("BEGIN IMMEDIATE")
            db.execute("COMMIT")
            return db
        except _Unusable as exc:
            if db is not None:
                db.close()
            return self._rebuild(str(exc))
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            if is_corruption(exc):
                return self._rebuild(str(exc))
            raise StateError(self.path, exc) from exc
        except sqlite3.Error as exc:
            if db is not None:
                db.close()
            raise StateError(self.path, exc) from exc

    def _rebuild(self, why: str) -> sqlite3.Connection:
        aside = self._move_aside()
        warn("state", f"state database {self.path} is unusable ({why}); moved to {aside} "
             "and rebuilt: every document will be processed again",
             path=str(self.path), moved_to=str(aside), reason=why)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
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
        """:meth:`known` of an existing store, opened read-only (for ``--dry-run``).

        A damaged file reads as empty (a run would rebuild it); a locked or unreadable
        one is a :class:`StateError`.
        """
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
            try:
                rows = db.execute("SELECT doc, sha256, fingerprint, status FROM documents")
                return {doc: (sha, fp, status) for doc, sha, fp, status in rows}
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc) or "no such" in str(exc):
                return {}
            raise StateError(path, exc) from exc

    @staticmethod
    def read_only_sources(path: Path) -> dict[str, str]:
        """:meth:`record_sources` of an existing store, opened read-only."""
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
            try:
                return dict(db.execute("SELECT doc, source FROM parts"))
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc) or "no such" in str(exc):
                return {}
            raise StateError(path, exc) from exc

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
            f"INSERT OR REPLACE INTO documents ({', '.join(COLUMNS)}) VALUES"
            f" ({', '.join('?' * len(COLUMNS))})",
            (item.doc, item.sha256, item.fingerprint, item.status, json.dumps(item.outputs),
             item.record, item.segments, item.document, json.dumps(item.missing),
             json.dumps(item.translation, sort_keys=True)),
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
        self.db.execute("DELETE FROM parts WHERE doc=?", (doc,))
        self.db.execute("DELETE FROM file_stats WHERE doc=?", (doc,))

    # -- files whose stat vouches for their stored hash (an unchanged rerun reads none) --
    def file_stats(self) -> dict[str, str]:
        """Every document's file stat as recorded with its hash: ``doc -> stat key``."""
        return dict(self.db.execute("SELECT doc, stat FROM file_stats"))

    def put_file_stat(self, doc: str, key: str) -> None:
        """Record the stat of the file whose bytes hash to ``doc``'s stored sha256
        (``""``: none may be trusted, the next run hashes the file again)."""
        if key:
            self.db.execute("INSERT OR REPLACE INTO file_stats VALUES (?, ?)", (doc, key))
        else:
            self.db.execute("DELETE FROM file_stats WHERE doc=?", (doc,))

    @staticmethod
    def read_only_meta(path: Path, key: str) -> str:
        """One meta value of an existing store, opened read-only (``""`` when the
        file, the table or the key is missing, or the file cannot be read: the caller
        then does without it)."""
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
            try:
                row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
                return row[0] if row else ""
            finally:
                db.close()
        except sqlite3.Error:
            return ""

    # -- records: one document each, their file's copies rebuilt from these rows ----
    def put_part(self, doc: str, source: str, texts: dict[str, str]) -> None:
        """A record's texts by output path (``clean/a.jsonl`` -> its clean text)."""
        self.db.execute("INSERT OR REPLACE INTO parts VALUES (?, ?, ?)",
                        (doc, source, json.dumps(texts, ensure_ascii=False, sort_keys=True)))

    def record_sources(self) -> dict[str, str]:
        """Every stored record: ``doc -> the record file that holds it``."""
        return dict(self.db.execute("SELECT doc, source FROM parts"))

    def part(self, doc: str) -> dict[str, str]:
        """A stored record's texts by output path (``{}`` for none)."""
        row = self.db.execute("SELECT texts FROM parts WHERE doc=?", (doc,)).fetchone()
        return json.loads(row[0]) if row else {}

    def has_output(self, source: str, output: str) -> bool:
        """Whether a stored record of ``source`` has a text for ``output``."""
        key = json.dumps(output, ensure_ascii=False)
        row = self.db.execute("SELECT 1 FROM parts WHERE source=? AND instr(texts, ?) LIMIT 1",
                              (source, key + ":")).fetchone()
        return row is not None

    def record_files(self) -> dict[str, tuple[str, list[str]]]:
        """Every record file whose copies were written: ``path -> (sha256, outputs)``."""
        rows = self.db.execute("SELECT path, sha256, outputs FROM record_files")
        return {path: (sha, json.loads(outputs)) for path, sha, outputs in rows}

    def put_record_file(self, path: str, sha256: str, outputs: list[str]) -> None:
        self.db.execute("INSERT OR REPLACE INTO record_files VALUES (?, ?, ?)",
                        (path, sha256, json.dumps(outputs)))

    def delete_record_file(self, path: str) -> None:
        self.db.execute("DELETE FROM record_files WHERE path=?", (path,))

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

    def translations(self) -> Iterator[dict]:
        """Each stored document's translation counts (``{}`` for none), in doc order."""
        for (value,) in self.db.execute("SELECT translation FROM documents ORDER BY doc"):
            yield json.loads(value)
