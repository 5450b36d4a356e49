"""Translation memory: a SQLite cache of model outputs, so no text is translated twice.

An entry is keyed by (model id, source language, target language, normalised source
text). The model id is the engine's fingerprint of everything that changes an output
(package ids and content hashes along the route, beam size, length limits, compute type),
so a new model version or decoding setting never reuses an old translation. The source
text is the exact text the model was given (the stage normalises it and puts placeholders
in for protected spans before it asks the memory), and the value is the model's raw output.

Only the process that runs ``pipeline run`` (the driver) opens the file: workers, local
processes or Ray actors on other machines, get a :class:`PrefetchedMemory` instead, holding
the hits the driver looked up for their shard, and hand back what they translated for the
driver to store (:func:`look_up`, :func:`store`). So no worker needs OUT, and SQLite is
never used over a network file system, where its locking is unsafe. The database is in WAL
mode, so a reader never waits for a writer, and writers wait for each other
(``busy_timeout``), should two runs' tools share a file.
A file that is not a usable memory (corrupt, truncated, another program's database, an
older schema) is moved aside as ``<name>.corrupt-<n>`` with a warning and an empty memory
is built in its place: a cache is never worth failing a run for.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import TracebackType

from pipeline.log import warn
from pipeline.state import not_writable, sqlite_transaction
from pipeline.writers import create_file

__all__ = [
    "SCHEMA_VERSION",
    "Key",
    "OnFirstUse",
    "PrefetchedMemory",
    "TranslationMemory",
    "look_up",
    "normalize_text",
    "store",
]


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

# What a memory entry belongs to: (model id, source language, target language).
Key = tuple[str, str, str]


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
        # One thread at a time, not always the one that opened it: the local executor
        # translates (and so looks up and stores) in a thread of its own.
        if (refused := not_writable(self.path)) is not None:
            raise refused
        create_file(self.path)  # the mode of every output file, not SQLite's 0644
        db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None,
                             check_same_thread=False)
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


class OnFirstUse:
    """A :class:`TranslationMemory` at ``path``, opened when first used, so that a run
    with nothing to translate neither creates nor checks the file.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     memory = OnFirstUse(Path(tmp) / "tm.sqlite")
    ...     opened_early = memory.path.exists()
    ...     memory.put_many("m1", "pt", "en", {"Sim.": "Yes."})
    ...     memory.close()
    ...     opened_early, memory.path.exists()
    (False, True)
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._memory: TranslationMemory | None = None

    @property
    def memory(self) -> TranslationMemory:
        if self._memory is None:
            self._memory = TranslationMemory(self.path)
        return self._memory

    @property
    def recovered(self) -> Path | None:
        """Where an unusable file was moved aside (None if not, or not opened yet)."""
        return None if self._memory is None else self._memory.recovered

    @recovered.setter
    def recovered(self, value: Path | None) -> None:
        if self._memory is not None:
            self._memory.recovered = value

    def get_many(self, model: str, src: str, tgt: str, texts: Iterable[str]) -> dict[str, str]:
        return self.memory.get_many(model, src, tgt, texts)

    def put_many(
        self,
        model: str,
        src: str,
        tgt: str,
        translations: Mapping[str, str] | Sequence[tuple[str, str]],
    ) -> None:
        self.memory.put_many(model, src, tgt, translations)

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory = None


class PrefetchedMemory:
    """A worker's memory for one shard: the driver's hits, and what the worker translated.

    It answers :meth:`get_many` from ``hits`` (per :data:`Key`, normalised source text ->
    output, as :func:`look_up` returns them), records every text asked in ``wanted``, and
    keeps what :meth:`put_many` is given in ``learned``, for the driver to :func:`store`.
    It opens no file. Given no hits, it is the probe that finds which texts a shard needs.

    >>> probe = PrefetchedMemory()
    >>> probe.get_many("m1", "pt", "en", ["Olá  mundo.", "Tchau."])
    {}
    >>> probe.wanted
    {('m1', 'pt', 'en'): ['Olá  mundo.', 'Tchau.']}
    >>> memory = PrefetchedMemory({("m1", "pt", "en"): {"Olá mundo.": "Hello world."}})
    >>> memory.get_many("m1", "pt", "en", ["Olá  mundo.", "Tchau."])
    {'Olá  mundo.': 'Hello world.'}
    >>> memory.put_many("m1", "pt", "en", {"Tchau.": "Bye."})
    >>> memory.learned
    {('m1', 'pt', 'en'): {'Tchau.': 'Bye.'}}
    """

    recovered: Path | None = None  # never moves a file: the driver's memory reports that

    def __init__(self, hits: Mapping[Key, Mapping[str, str]] | None = None) -> None:
        self.hits = {key: dict(found) for key, found in (hits or {}).items()}
        self.wanted: dict[Key, list[str]] = {}
        self.learned: dict[Key, dict[str, str]] = {}

    def get_many(self, model: str, src: str, tgt: str, texts: Iterable[str]) -> dict[str, str]:
        """The hits among ``texts`` (looked up in their :func:`normalize_text` form)."""
        key = (model, src, tgt)
        texts = list(texts)
        self.wanted.setdefault(key, []).extend(texts)
        known = self.hits.get(key, {})
        return {text: known[norm] for text in texts if (norm := normalize_text(text)) in known}

    def put_many(
        self,
        model: str,
        src: str,
        tgt: str,
        translations: Mapping[str, str] | Sequence[tuple[str, str]],
    ) -> None:
        """Keep ``source -> output`` translations for the driver to store."""
        items = translations.items() if isinstance(translations, Mapping) else translations
        learned = self.learned.setdefault((model, src, tgt), {})
        for source, target in items:
            learned[normalize_text(source)] = target

    def close(self) -> None:
        """Nothing to close (the same interface as :class:`TranslationMemory`)."""


def look_up(
    memory: TranslationMemory | OnFirstUse, wanted: Mapping[Key, Iterable[str]]
) -> dict[Key, dict[str, str]]:
    """The entries ``memory`` holds for ``wanted`` texts, keyed by their normalised form:
    the hits a worker's :class:`PrefetchedMemory` is given."""
    hits: dict[Key, dict[str, str]] = {}
    for key, texts in wanted.items():
        found = memory.get_many(*key, texts)
        if found:
            hits[key] = {normalize_text(text): output for text, output in found.items()}
    return hits


def store(memory: TranslationMemory | OnFirstUse, learned: Mapping[Key, Mapping[str, str]]) -> None:
    """Put what a worker translated (its :attr:`PrefetchedMemory.learned`) into ``memory``."""
    for key in sorted(learned):
        memory.put_many(*key, learned[key])


def _transaction(db: sqlite3.Connection) -> AbstractContextManager[None]:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an error, as :func:`sqlite_transaction`)."""
    return sqlite_transaction(db, "BEGIN IMMEDIATE")
