"""Translation memory: a SQLite cache of model outputs, so no text is translated twice.

An entry is keyed by (model id, source language, target language, normalised source
text). The model id is the engine's fingerprint of everything that changes an output
(package ids and content hashes along the route, beam size, length limits, compute type),
so a new model version or decoding setting never reuses an old translation. The source
text is the exact text the model was given (the stage normalises it and puts placeholders
in for protected spans before it asks the memory), and the value is the model's raw output.

One file serves every process of a run and every later run: the database is in WAL mode,
so readers never wait for a writer, and writers wait for each other (``busy_timeout``).
A file that is not a usable memory (corrupt, truncated, another program's database, an
older schema) is moved aside as ``<name>.corrupt-<n>`` with a warning and an empty memory
is built in its place: a cache is never worth failing a run for.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from pipeline.log import warn

__all__ = ["SCHEMA_VERSION", "TranslationMemory", "normalize_text"]


SCHEMA_VERSION = 1
# Keys per SELECT ... IN (...): below SQLite's historic limit of 999 bound variables.
_CHUNK = 900
# SQLite result codes (the low byte of ``sqlite_errorcode``) that mean "not a usable file".
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_BUSY_TIMEOUT_S = 60.0

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pairs (
        id INTEGER PRIMARY KEY,
        model TEXT NOT NULL,
        src TEXT NOT NULL,
        tgt TEXT NOT NULL,
        UNIQUE (model, src, tgt)
    )""",
    """CREATE TABLE IF NOT EXISTS entries (
        pair INTEGER NOT NULL REFERENCES pairs (id),
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        PRIMARY KEY (pair, source)
    ) WITHOUT ROWID""",
    f"PRAGMA user_version={SCHEMA_VERSION}",
)

_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """The memory's form of a source text: NFC, whitespace runs as one space, stripped.

    >>> normalize_text("  Olá\\u00a0 mundo\\n") == "Olá mundo"
    True
    >>> normalize_text("Cafe\\u0301") == normalize_text("Café")
    True
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _is_corruption(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


class MemoryFileError(Exception):
    """The file is not a usable translation memory (raised and handled internally)."""


class TranslationMemory:
    """Model outputs keyed by (model id, source, target, normalised source text).

    ``TranslationMemory(path)`` opens or creates the file (and its directory). Use it as a
    context manager, or call :meth:`close`. ``recovered`` is where a corrupt file was moved
    aside, or None.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with TranslationMemory(Path(tmp) / "tm.sqlite") as memory:
    ...         memory.put_many("m1", "pt", "en", {"Olá mundo.": "Hello world."})
    ...         memory.get_many("m1", "pt", "en", ["Olá  mundo.", "Tchau."])
    {'Olá  mundo.': 'Hello world.'}
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.recovered: Path | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except MemoryFileError as exc:
            self._db = self._rebuild(str(exc))
        self._pair_ids: dict[tuple[str, str, str], int] = {}

    def _open(self) -> sqlite3.Connection:
        """Connect, check that the file is a memory of this schema, create the tables."""
        db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if tables and (version != SCHEMA_VERSION or not {"pairs", "entries"} <= tables):
                raise MemoryFileError(
                    f"not a translation memory of schema {SCHEMA_VERSION} (user_version"
                    f" {version}, tables {sorted(tables)})"
                )
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise MemoryFileError(f"integrity check failed: {check}")
            if not tables:
                with _transaction(db):
                    for statement in _SCHEMA:
                        db.execute(statement)
        except MemoryFileError:
            db.close()
            raise
        except sqlite3.DatabaseError as exc:
            db.close()
            if _is_corruption(exc):
                raise MemoryFileError(str(exc)) from exc
            raise
        return db

    def _rebuild(self, why: str) -> sqlite3.Connection:
        """Move the unusable file (and its WAL files) aside; open a new, empty memory."""
        n = 1
        while (aside := self.path.with_name(f"{self.path.name}.corrupt-{n}")).exists():
            n += 1
        for suffix in ("", "-wal", "-shm"):
            old = Path(f"{self.path}{suffix}")
            if old.exists():
                old.replace(Path(f"{aside}{suffix}"))
        warn("memory", f"translation memory {self.path} is unusable ({why}); moved it to "
             f"{aside} and started an empty one", moved_to=str(aside), reason=why)
        self.recovered = aside
        return self._open()

    @contextmanager
    def _recovering(self) -> Iterator[None]:
        """Turn corruption found while working into a rebuilt, empty memory."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise
            self._db.close()
            self._pair_ids.clear()
            self._db = self._rebuild(str(exc))

    def _pair_id(self, model: str, src: str, tgt: str, *, create: bool) -> int | None:
        key = (model, src, tgt)
        if key not in self._pair_ids:
            query = "SELECT id FROM pairs WHERE model=? AND src=? AND tgt=?"
            row = self._db.execute(query, key).fetchone()
            if row is None and create:
                insert = "INSERT OR IGNORE INTO pairs (model, src, tgt) VALUES (?,?,?)"
                self._db.execute(insert, key)
                row = self._db.execute(query, key).fetchone()
            if row is None:
                return None
            self._pair_ids[key] = row[0]
        return self._pair_ids[key]

    def get_many(self, model: str, src: str, tgt: str, texts: Iterable[str]) -> dict[str, str]:
        """The stored outputs for those of ``texts`` the memory holds, keyed by the text given.

        Texts are looked up in their :func:`normalize_text` form.
        """
        wanted: dict[str, list[str]] = {}
        for text in texts:
            wanted.setdefault(normalize_text(text), []).append(text)
        found: dict[str, str] = {}
        with self._recovering():
            pair = self._pair_id(model, src, tgt, create=False)
            if pair is None:
                return found
            keys = list(wanted)
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                rows = self._db.execute(
                    "SELECT source, target FROM entries WHERE pair=? AND source IN"
                    f" ({','.join('?' * len(chunk))})",
                    (pair, *chunk),
                )
                for source, target in rows:
                    for text in wanted[source]:
                        found[text] = target
        return found

    def put_many(
        self,
        model: str,
        src: str,
        tgt: str,
        translations: Mapping[str, str] | Sequence[tuple[str, str]],
    ) -> None:
        """Store ``source -> output`` translations (a mapping or pairs), in one transaction."""
        items = translations.items() if isinstance(translations, Mapping) else translations
        rows = [(normalize_text(source), target) for source, target in items]
        if not rows:
            return
        with self._recovering():
            try:
                with _transaction(self._db):
                    pair = self._pair_id(model, src, tgt, create=True)
                    self._db.executemany(
                        "INSERT OR REPLACE INTO entries (pair, source, target) VALUES (?,?,?)",
                        [(pair, source, target) for source, target in rows],
                    )
            except BaseException:
                self._pair_ids.clear()  # a pair id created in the rolled-back transaction
                raise

    def __len__(self) -> int:
        """How many entries the memory holds (all models and pairs)."""
        return self._db.execute("SELECT count(*) FROM entries").fetchone()[0]

    def close(self) -> None:
        """Close the database; the memory cannot be used afterwards."""
        self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
