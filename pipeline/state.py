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

import hashlib
import json
import os
import sqlite3
import stat
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.log import warn
from pipeline.writers import create_file

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
-- What the report needs of each stored document without reading its (large) row:
-- written by put() with the row. The triggers drop a summary whenever its document
-- row is written or removed by any means (a program of an older version included),
-- so a summary present is always that of the row as it is; one missing is made
-- again from the row (StateStore.report_totals and report_refs).
CREATE TABLE IF NOT EXISTS summaries (
    doc TEXT PRIMARY KEY,        -- a stored document
    digest TEXT NOT NULL,        -- sha256 of its Document JSON (the report's page key)
    size INTEGER NOT NULL,       -- length of that JSON, in characters
    status TEXT NOT NULL,        -- ok | failed | quarantined
    lang TEXT NOT NULL,          -- its language ("" for none)
    segments INTEGER NOT NULL,   -- its segments.jsonl lines
    removed INTEGER NOT NULL,    -- its removed lines
    fixes TEXT NOT NULL,         -- JSON: its fixes counted by kind
    translated TEXT NOT NULL,    -- JSON: the target of each of its translated copies
    missing TEXT NOT NULL,       -- JSON: its language pairs without a model
    errors TEXT NOT NULL,        -- JSON: its errors
    translation TEXT NOT NULL    -- its translation counts, as documents.translation
) WITHOUT ROWID;                 -- kept in doc order: read in order without lookups
"""
# Made again at every open (in the transaction that checks the schema), so that their
# bodies are always this version's.
TRIGGERS = """
-- meta 'generation' counts the writes of document rows, by any program: the report
-- writer's memo (ReportMemo) holds the count it was written at.
DROP TRIGGER IF EXISTS summaries_insert;
CREATE TRIGGER summaries_insert AFTER INSERT ON documents BEGIN
    DELETE FROM summaries WHERE doc = new.doc;
    INSERT OR REPLACE INTO meta VALUES ('generation', coalesce(
        (SELECT value FROM meta WHERE key = 'generation'), 0) + 1);
END;
DROP TRIGGER IF EXISTS summaries_update;
CREATE TRIGGER summaries_update AFTER UPDATE ON documents BEGIN
    DELETE FROM summaries WHERE doc = old.doc OR doc = new.doc;
    INSERT OR REPLACE INTO meta VALUES ('generation', coalesce(
        (SELECT value FROM meta WHERE key = 'generation'), 0) + 1);
END;
DROP TRIGGER IF EXISTS summaries_delete;
CREATE TRIGGER summaries_delete AFTER DELETE ON documents BEGIN
    DELETE FROM summaries WHERE doc = old.doc;
    INSERT OR REPLACE INTO meta VALUES ('generation', coalesce(
        (SELECT value FROM meta WHERE key = 'generation'), 0) + 1);
END;
"""
COLUMNS = ("doc", "sha256", "fingerprint", "status", "outputs", "record", "segments",
           "document", "missing", "translation")
# SQLite result codes (the low byte of ``sqlite_errorcode``).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26
BUSY_TIMEOUT_S = 5.0  # how long to wait for another program's lock on the state
# The SQL function (of this connection only) that hands SQLite a value of the row being
# inserted that is given as UTF-8 (StateStore._insert)
HANDED = "pipeline_handed"


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
            what = (f"cannot use the state database {path}: {exc}{size_limit()}; check the "
                    "disk, its free space and the permissions, then run again")
        super().__init__(f"{what}. It was left as it is: no document's work is lost")


def size_limit() -> str:
    """What to add to a message about a failed write when this process may write files
    of a limited size only (``ulimit -f``, systemd's LimitFSIZE): SQLite then says
    "disk I/O error", and a copy "File too large". ``""`` without such a limit."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    except (ImportError, OSError, ValueError):
        return ""
    if limit == resource.RLIM_INFINITY:
        return ""
    return f" (this process may write files of at most {limit} bytes (ulimit -f): raise it)"


def memory_limit() -> str:
    """What to add to a message about memory that ran out when this process may use a
    limited address space or data size (``ulimit -v`` / ``-d``; a ``systemd-run -p
    MemoryMax`` or container limit kills the process instead): ``""`` without one."""
    try:
        import resource

        limits = [(resource.getrlimit(getattr(resource, name))[0], what)
                  for name, what in (("RLIMIT_AS", "address space"),
                                     ("RLIMIT_DATA", "data size"))]
    except (ImportError, AttributeError, OSError, ValueError):
        return ""
    flags = {"address space": "-v", "data size": "-d"}
    said = [f"its {what} to {limit >> 20} MiB (ulimit {flags[what]})" for limit, what in limits
            if limit != resource.RLIM_INFINITY]
    return f" (this process's limits: {', '.join(said)}; raise them)" if said else ""


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
    # segments.jsonl's lines and the Document JSON: text, or (a big document's) that
    # text's UTF-8, stored as the same text (pipeline.shard.DocumentOutput.of)
    segments: str | bytes | bytearray
    document: str | bytes | bytearray
    missing: list[str]
    translation: dict = field(default_factory=dict)  # its translation counts
    digest: str = ""  # digest(document), when made already ("": made here)


def digest(document: str | bytes | bytearray) -> str:
    """The sha256 of a stored Document JSON, as the report keys its page on (given as
    text, or as its UTF-8).

    >>> digest("{}") == hashlib.sha256(b"{}").hexdigest() == digest(bytearray(b"{}"))
    True
    """
    if not isinstance(document, str):
        return hashlib.sha256(document).hexdigest()
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()


# UTF-8's continuation bytes: every other byte starts a character.
_CONTINUATION = bytes(range(0x80, 0xC0))


def text_length(value: str | bytes | bytearray, piece: int = 1 << 20) -> int:
    """The length in characters of a stored text given as text or as its UTF-8
    (counted a megabyte at a time: a big document's JSON is not copied whole).

    >>> text_length("“Olá”"), text_length("“Olá”".encode()), text_length("aáb".encode(), 2)
    (5, 5, 3)
    """
    if isinstance(value, str):
        return len(value)
    with memoryview(value) as view:
        return sum(len(view[start:start + piece].tobytes().translate(None, _CONTINUATION))
                   for start in range(0, len(value), piece))


SUMMARY = ("status", "lang", "segments", "removed", "fixes", "translated", "missing",
           "errors")  # the columns of ``summaries`` after doc, digest and size (then
# translation, as stored in ``documents``)


def summary(record: str, outputs: list[str], missing: list[str],
            segments: str | bytes | bytearray) -> tuple:
    """What the report's totals read of one stored document (:data:`SUMMARY`).

    >>> record = json.dumps({"doc": "a.txt", "lang": "pt", "status": "ok", "errors": [],
    ...     "fixes": [{"kind": "newlines"}, {"kind": "split_compound"}, {"kind": "newlines"}],
    ...     "removed": [{"text": "Details", "reason": "widget_label"}]})
    >>> summary(record, ["clean/a.txt", "translations/en/a.txt"], ["pt-de"], "{}\\n{}\\n")
    ('ok', 'pt', 2, 1, '{"newlines":2,"split_compound":1}', '["en"]', '["pt-de"]', '[]')
    """
    data = json.loads(record)
    fixes: dict[str, int] = {}
    for fix in data["fixes"]:
        fixes[fix["kind"]] = fixes.get(fix["kind"], 0) + 1

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = segments.count("\n" if isinstance(segments, str) else b"\n")
    return (data["status"], data["lang"] or "", lines, len(data["removed"]),
            dump(dict(sorted(fixes.items()))),
            dump([o.split("/")[1] for o in outputs if o.startswith("translations/")]),
            dump(missing), dump(data["errors"]))


@dataclass
class Totals:
    """The report's totals over the stored documents (:meth:`StateStore.report_totals`):
    statuses, failures, quarantined files and missing pairs of the documents of this
    corpus; languages, fixes, translated copies, segments and removed lines of all."""

    statuses: Counter[str] = field(default_factory=Counter)
    failed: list[dict] = field(default_factory=list)  # {"doc", "errors"}
    quarantined: list[dict] = field(default_factory=list)  # {"doc", "reason"}
    missing: set[str] = field(default_factory=set)
    languages: Counter[str] = field(default_factory=Counter)
    fixes: Counter[str] = field(default_factory=Counter)
    translated: Counter[str] = field(default_factory=Counter)
    segments: int = 0
    removed: int = 0


class StoredRef:
    """A stored document as the report writer is handed it: its name, the digest and
    length of its JSON (from ``summaries``), and the way to read the JSON when a page
    must be rendered (:meth:`json`). A plain class with slots: one is made per
    document on every run."""

    __slots__ = ("doc", "digest", "size", "store")

    def __init__(self, doc: str, digest: str, size: int, store: StateStore):
        self.doc, self.digest, self.size, self.store = doc, digest, size, store

    def __repr__(self) -> str:
        return f"StoredRef({self.doc!r}, {self.digest!r}, {self.size})"

    def json(self) -> str:
        """The stored Document JSON (as the digest says)."""
        return self.store.document(self.doc)


@contextmanager
def sqlite_transaction(db: sqlite3.Connection, begin: str) -> Iterator[None]:
    """``begin`` (BEGIN, BEGIN IMMEDIATE) ... COMMIT on an autocommit connection, ROLLBACK
    on an error unless SQLite rolled back itself (it does on a full disk, SQLITE_FULL):
    the error that stopped it is the one raised, never "cannot rollback - no
    transaction is active" in its place."""
    db.execute(begin)
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the error raised below says why
        raise


def _read_only(path: Path) -> sqlite3.Connection:
    """``path`` opened read-only. A reader of a WAL database writes its ``-shm`` index
    beside it: where the folder is read-only to this user (another user's OUT, a
    read-only mount) and no writer left those files, that fails with
    SQLITE_READONLY_DIRECTORY, and the file is opened as immutable instead (nothing
    can write it there but its owner; a ``--dry-run`` plan read during the owner's run
    may then be out of date). So is a file this user cannot write while no run holds it
    (no ``-shm``): in a folder this user may write (a group's OUT), the ``-shm`` and
    ``-wal`` a reader makes are left there as this user's, and where the owner cannot
    write them, every later run of the owner stopped (exit 74)."""
    # Quoted as bytes: "#" or "?" in a folder's name, or bytes that are no UTF-8.
    uri = "file:" + urllib.parse.quote(os.fsencode(path))
    if not os.access(path, os.W_OK) and not os.path.exists(f"{path}-shm"):
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT_S)
    db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.OperationalError as exc:
        db.close()
        if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
            raise
        db = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT_S)
    return db


def not_writable(path: Path) -> sqlite3.OperationalError | None:
    """The error to raise instead of opening the database ``path`` for writing, where
    this user cannot write it but may write its folder (another user's state or memory
    in a group's OUT made before they followed the umask), else None: SQLite would
    leave ``-wal`` and ``-shm`` files of this user there, which the owner's own runs
    cannot write, stopping each of them (exit 74)."""
    if os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    fix = ("run as its owner, or let the group write it (chmod g+w)"
           if info.st_uid != os.getuid() else f"it is this user's own: chmod u+w {path}")
    return sqlite3.OperationalError(
        f"{path} belongs to uid {info.st_uid}, group {info.st_gid}, mode "
        f"{stat.S_IMODE(info.st_mode):04o}, and this user (uid {os.getuid()}) cannot "
        f"write it: {fix}")


class StateStore:
    """The per-document manifest of one output directory."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()
        # The values of the row being inserted that SQLite takes from HANDED(i)
        self._handed: list[bytes | bytearray] = []
        self.db.create_function(HANDED, 1, self._handed.__getitem__)

    def _open(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = None
        create_file(self.path)  # the mode of every output file, not SQLite's 0644
        if (refused := not_writable(self.path)) is not None:
            raise StateError(self.path, refused)
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
            self._summaries_schema(db)
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

    @staticmethod
    def _summaries_schema(db: sqlite3.Connection) -> None:
        """The summaries table with this version's columns (derived data: another
        version's is dropped, and made again from the rows when read) and triggers."""
        columns = [row[1] for row in db.execute("PRAGMA table_info(summaries)")]
        if columns != ["doc", "digest", "size", *SUMMARY, "translation"]:
            db.execute("DROP TABLE summaries")
            db.executescript(SCHEMA)
        db.executescript(f"BEGIN;\n{TRIGGERS}\nCOMMIT;")

    def _rebuild(self, why: str) -> sqlite3.Connection:
        aside = self._move_aside()
        warn("state", f"state database {self.path} is unusable ({why}); moved to {aside} "
             "and rebuilt: every document will be processed again",
             path=str(self.path), moved_to=str(aside), reason=why)
        create_file(self.path)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        self._summaries_schema(db)
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
    def _read_only_rows(path: Path, query: str) -> list[tuple]:
        """The rows of ``query`` in an existing store, opened read-only (for
        ``--dry-run``). A damaged file reads as empty (a run would rebuild it); a locked
        or unreadable one is a :class:`StateError`."""
        try:
            db = _read_only(path)
            try:
                return db.execute(query).fetchall()
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc) or "no such" in str(exc):
                return []
            raise StateError(path, exc) from exc

    @staticmethod
    def read_only(path: Path) -> dict[str, tuple[str, str, str]]:
        """:meth:`known` of an existing store, opened read-only (``_read_only_rows``)."""
        rows = StateStore._read_only_rows(
            path, "SELECT doc, sha256, fingerprint, status FROM documents")
        return {doc: (sha, fp, status) for doc, sha, fp, status in rows}

    @staticmethod
    def read_only_sources(path: Path) -> dict[str, str]:
        """:meth:`record_sources` of an existing store, opened read-only."""
        return dict(StateStore._read_only_rows(path, "SELECT doc, source FROM parts"))

    @staticmethod
    def read_only_file_stats(path: Path) -> dict[str, str]:
        """:meth:`file_stats` of an existing store, opened read-only."""
        return dict(StateStore._read_only_rows(path, "SELECT doc, stat FROM file_stats"))

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
        translation = json.dumps(item.translation, sort_keys=True)
        values = (item.doc, item.sha256, item.fingerprint, item.status,
                  json.dumps(item.outputs), item.record, item.segments, item.document,
                  json.dumps(item.missing), translation)
        self._insert("documents", COLUMNS, values)
        self._put_summary(item.doc, item.record, item.outputs, item.missing, item.segments,
                          item.document, translation, item.digest)

    def _insert(self, table: str, columns: Sequence[str],
                values: Sequence[str | bytes | bytearray]) -> None:
        """INSERT OR REPLACE one row. A value given as UTF-8 (a big document's JSON or
        lines) is stored as that text (``CAST(... AS TEXT)``: the same bytes, type
        text) and handed to SQLite by the function :data:`HANDED` rather than bound: a
        bound value's copy stays in the cached statement until its next use (a 19 MB
        book's 115 MB), a function's result is freed when the statement ends."""
        slots = []
        for value in values:
            if isinstance(value, str):
                slots.append("?")
            else:
                slots.append(f"CAST({HANDED}({len(self._handed)}) AS TEXT)")
                self._handed.append(value)
        try:
            self.db.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES"
                            f" ({', '.join(slots)})",
                            [value for value in values if isinstance(value, str)])
        finally:
            self._handed.clear()

    def _put_summary(self, doc: str, record: str, outputs: list[str], missing: list[str],
                     segments: str | bytes | bytearray, document: str | bytes | bytearray,
                     translation: str, made: str = "") -> None:
        # After the row: its insert trigger has dropped the old summary.
        self.db.execute(
            f"INSERT OR REPLACE INTO summaries VALUES ({', '.join('?' * (4 + len(SUMMARY)))})",
            (doc, made or digest(document), text_length(document),
             *summary(record, outputs, missing, segments), translation))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit the rows put inside the block together (one disk sync, not one per row;
        rolled back on an error, see :func:`sqlite_transaction`)."""
        with sqlite_transaction(self.db, "BEGIN"):
            yield

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
            db = _read_only(path)
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

    def document(self, doc: str) -> str:
        """One stored document's Document JSON."""
        row = self.db.execute("SELECT document FROM documents WHERE doc=?", (doc,)).fetchone()
        if row is None:
            raise KeyError(doc)
        return row[0]

    def _complete_summaries(self) -> None:
        """Make the summaries of rows that have none (a state written before the table
        existed, or rows written by a program that does not keep it)."""
        todo = [doc for (doc,) in self.db.execute(
            "SELECT doc FROM documents WHERE doc NOT IN (SELECT doc FROM summaries)")]
        if not todo:
            return
        with self.transaction():
            for doc in todo:
                record, outputs, missing, segments, document, translation = self.db.execute(
                    "SELECT record, outputs, missing, segments, document, translation "
                    "FROM documents WHERE doc=?", (doc,)).fetchone()
                self._put_summary(doc, record, json.loads(outputs), json.loads(missing),
                                  segments, document, translation)

    def report_totals(self, current: set[str]) -> Totals:
        """The report's totals (:class:`Totals`): statuses, failures, quarantined
        files and missing pairs of the documents in ``current`` (those of this
        corpus), the rest of every stored document. From ``summaries`` alone: SQL
        sums, and one small row per document for the ``current`` ones."""
        self._complete_summaries()
        totals = Totals()
        parsed: dict[str, list[str]] = {}  # the same few missing-pair lists, parsed once
        rows = self.db.execute("SELECT doc, status, missing, errors FROM summaries ORDER BY doc")
        for doc, status, missing, errors in rows:
            if doc not in current:  # deleted or not reached: not this corpus's
                continue
            totals.statuses[status] += 1
            if status == "failed":
                totals.failed.append({"doc": doc, "errors": json.loads(errors)})
            elif status == "quarantined":
                totals.quarantined.append({"doc": doc, "reason": "; ".join(json.loads(errors))})
            if missing != "[]":
                if missing not in parsed:
                    parsed[missing] = json.loads(missing)
                totals.missing.update(parsed[missing])
        totals.languages.update(dict(self.db.execute(
            "SELECT lang, count(*) FROM summaries WHERE lang != '' GROUP BY lang")))
        totals.fixes.update(dict(self.db.execute(
            "SELECT j.key, sum(j.value) FROM summaries, json_each(summaries.fixes) AS j "
            "GROUP BY j.key")))
        totals.translated.update(dict(self.db.execute(
            "SELECT j.value, count(*) FROM summaries, json_each(summaries.translated) AS j "
            "GROUP BY j.value")))
        segments, removed = self.db.execute(
            "SELECT total(segments), total(removed) FROM summaries").fetchone()
        totals.segments, totals.removed = int(segments), int(removed)
        return totals

    def report_refs(self) -> Iterator[StoredRef]:
        """Every stored document, in doc order, as the report writer takes it: its
        name, the digest and length of its JSON (:class:`StoredRef`)."""
        self._complete_summaries()
        rows = self.db.execute(  # all at once: the writer reads rows on the way
            "SELECT doc, digest, size FROM summaries ORDER BY doc").fetchall()
        for doc, key, size in rows:
            yield StoredRef(doc, key, size, self)

    def translations(self) -> Iterator[dict]:
        """Each stored document's translation counts (``{}`` for none), in doc order
        (from ``summaries``: the column comes after the large ones in ``documents``)."""
        self._complete_summaries()
        for (value,) in self.db.execute("SELECT translation FROM summaries ORDER BY doc"):
            yield json.loads(value) if value != "{}" else {}

    def report_memo(self) -> ReportMemo:
        """Where the report writer keeps what it last wrote (:class:`ReportMemo`)."""
        return ReportMemo(self)


class ReportMemo:
    """What the report writer last wrote, kept in the state (meta ``report``) with the
    count of document writes at that time (meta ``generation``, kept by the triggers
    of ``documents``, whoever writes a row): :meth:`get` gives "" once any stored
    document was written or removed since :meth:`set`; a rebuilt state has none."""

    def __init__(self, store: StateStore):
        self.store = store

    def _generation(self) -> str:
        return str(self.store.get_meta("generation", "0"))

    def get(self) -> str:
        generation, _, value = self.store.get_meta("report").partition(" ")
        return value if generation == self._generation() else ""

    def set(self, value: str) -> None:
        self.store.set_meta("report", f"{self._generation()} {value}" if value else "")
