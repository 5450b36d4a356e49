"""The translation memory: keys, persistence, concurrent use and recovery from a bad file."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from pipeline.memory import SCHEMA_VERSION, TranslationMemory


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / ".pipeline" / "memory.sqlite"


def test_stores_and_finds_by_model_languages_and_normalised_text(path: Path) -> None:
    with TranslationMemory(path) as memory:
        memory.put_many("m1", "pt", "en", {"Olá mundo.": "Hello world.", "Sim.": "Yes."})
        memory.put_many("m2", "pt", "en", [("Olá mundo.", "Hi world.")])
        memory.put_many("m1", "pt", "de", [("Olá mundo.", "Hallo Welt.")])
        assert memory.get_many("m1", "pt", "en", ["Olá mundo.", " Olá\u00a0 mundo.\n", "Não."]) == {
            "Olá mundo.": "Hello world.",
            " Olá\u00a0 mundo.\n": "Hello world.",
        }
        assert memory.get_many("m2", "pt", "en", ["Olá mundo.", "Sim."]) == {
            "Olá mundo.": "Hi world."
        }
        assert memory.get_many("m1", "pt", "de", ["Olá mundo."]) == {"Olá mundo.": "Hallo Welt."}
        assert memory.get_many("m1", "de", "en", ["Olá mundo."]) == {}
        assert memory.get_many("unknown", "pt", "en", ["Sim."]) == {}
        assert len(memory) == 4
        assert memory.recovered is None


def test_persists_across_instances_and_replaces_entries(path: Path) -> None:
    with TranslationMemory(path) as memory:
        memory.put_many("m", "pt", "en", {"a": "1"})
    with TranslationMemory(path) as memory:
        assert memory.get_many("m", "pt", "en", ["a"]) == {"a": "1"}
        memory.put_many("m", "pt", "en", {"a": "2"})
        assert memory.get_many("m", "pt", "en", ["a"]) == {"a": "2"}
        assert len(memory) == 1


def test_many_keys_are_looked_up_in_chunks(path: Path) -> None:
    texts = [f"Frase número {i}." for i in range(2500)]
    with TranslationMemory(path) as memory:
        memory.put_many("m", "pt", "en", {text: text.upper() for text in texts[::2]})
        found = memory.get_many("m", "pt", "en", texts)
    assert found == {text: text.upper() for text in texts[::2]}


def test_empty_calls_do_nothing(path: Path) -> None:
    with TranslationMemory(path) as memory:
        memory.put_many("m", "pt", "en", {})
        assert memory.get_many("m", "pt", "en", []) == {}
        assert len(memory) == 0


def test_readers_do_not_wait_for_a_writer(path: Path) -> None:
    with TranslationMemory(path) as memory:
        memory.put_many("m", "pt", "en", {"a": "1"})
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM entries")  # uncommitted
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with TranslationMemory(path) as reader:
            assert reader.get_many("m", "pt", "en", ["a"]) == {"a": "1"}
        writer.execute("ROLLBACK")
        writer.close()


def _write_entries(path: str, worker: int) -> None:
    with TranslationMemory(Path(path)) as memory:
        for batch in range(5):
            texts = {f"w{worker} b{batch} t{i}": f"{worker}/{batch}/{i}" for i in range(50)}
            memory.put_many("m", "pt", "en", texts)


def test_concurrent_writer_processes_lose_nothing(path: Path) -> None:
    TranslationMemory(path).close()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_entries, args=(str(path), w)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with TranslationMemory(path) as memory:
        assert len(memory) == 3 * 5 * 50


def _recovered(path: Path, caplog: pytest.LogCaptureFixture) -> TranslationMemory:
    with caplog.at_level(logging.WARNING, logger="pipeline.memory"):
        memory = TranslationMemory(path)
    assert memory.recovered == path.with_name("memory.sqlite.corrupt-1")
    assert "moved it to" in caplog.text and str(memory.recovered) in caplog.text
    return memory


@pytest.mark.parametrize(
    "content",
    [b"not a database at all, just some bytes" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["garbage", "damaged header"],
)
def test_a_corrupt_file_is_moved_aside_and_rebuilt(
    path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with _recovered(path, caplog) as memory:
        assert memory.recovered is not None and memory.recovered.read_bytes() == content
        memory.put_many("m", "pt", "en", {"a": "1"})
        assert memory.get_many("m", "pt", "en", ["a"]) == {"a": "1"}


class _Malformed:
    """A connection whose every statement finds a malformed database image."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, *args: object) -> None:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = 11  # SQLITE_CORRUPT
        raise error

    def close(self) -> None:
        self.db.close()


def test_damage_found_while_working_rebuilds(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with TranslationMemory(path) as memory:
        memory.put_many("m", "pt", "en", {"a": "1"})
        memory._db = _Malformed(memory._db)  # type: ignore[assignment]
        with caplog.at_level(logging.WARNING, logger="pipeline.memory"):
            assert memory.get_many("m", "pt", "en", ["a"]) == {}
        assert memory.recovered is not None and "malformed" in caplog.text
        memory.put_many("m", "pt", "en", {"b": "2"})
        assert memory.get_many("m", "pt", "en", ["a", "b"]) == {"b": "2"}


def test_other_database_errors_are_raised(path: Path) -> None:
    with TranslationMemory(path) as memory:
        memory._db.close()
        with pytest.raises(sqlite3.ProgrammingError):
            memory.get_many("m", "pt", "en", ["a"])
        assert memory.recovered is None


def test_damaged_pages_are_found_when_opening(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with TranslationMemory(path) as memory:
        memory.put_many("m", "pt", "en", {f"texto {i} " * 20: "x" for i in range(2000)})
    data = bytearray(path.read_bytes())
    data[8192:] = b"\x13" * (len(data) - 8192)  # every page but the first two
    path.write_bytes(bytes(data))
    with _recovered(path, caplog) as memory:
        assert len(memory) == 0


def test_another_programs_database_or_schema_is_moved_aside(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path.parent.mkdir(parents=True)
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE notes (text TEXT)")
    other.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    other.commit()
    other.close()
    with _recovered(path, caplog) as memory:
        assert len(memory) == 0


def test_a_second_recovery_keeps_the_first_file(path: Path) -> None:
    path.parent.mkdir(parents=True)
    for _ in range(2):
        path.write_bytes(b"garbage" * 1000)
        TranslationMemory(path).close()
    assert sorted(p.name for p in path.parent.glob("memory.sqlite.corrupt-*")) == [
        "memory.sqlite.corrupt-1",
        "memory.sqlite.corrupt-2",
    ]


def test_workers_memory_takes_the_drivers_hits_and_hands_back_what_it_learned(
    path: Path,
) -> None:
    """The driver looks up what a worker's shard needs; the worker's PrefetchedMemory
    answers from those hits (texts in any spacing) and keeps what it translated, which
    the driver stores."""
    from pipeline.memory import PrefetchedMemory, look_up, store

    with TranslationMemory(path) as memory:
        memory.put_many("m", "pt", "en", {"Olá mundo.": "Hello world."})
        memory.put_many("m", "pt", "de", {"Sim.": "Ja."})
        wanted = {("m", "pt", "en"): ["Olá  mundo.", "Sim."], ("m", "pt", "de"): ["Não."]}
        hits = look_up(memory, wanted)
        assert hits == {("m", "pt", "en"): {"Olá mundo.": "Hello world."}}
        worker = PrefetchedMemory(hits)
        assert worker.get_many("m", "pt", "en", ["Olá\u00a0mundo.", "Sim."]) == {
            "Olá\u00a0mundo.": "Hello world."
        }
        assert worker.get_many("m", "pt", "de", ["Olá mundo."]) == {}
        worker.put_many("m", "pt", "en", {" Sim. ": "Yes."})
        worker.put_many("m", "pt", "de", [("Não.", "Nein.")])
        store(memory, worker.learned)
        assert memory.get_many("m", "pt", "en", ["Sim."]) == {"Sim.": "Yes."}
        assert memory.get_many("m", "pt", "de", ["Não.", "Sim."]) == {
            "Não.": "Nein.",
            "Sim.": "Ja.",
        }


def test_the_runs_memory_is_opened_only_when_used(path: Path) -> None:
    from pipeline.memory import OnFirstUse

    memory = OnFirstUse(path)
    assert memory.recovered is None
    memory.close()
    assert not path.parent.exists()
    memory = OnFirstUse(path)
    assert memory.get_many("m", "pt", "en", ["Sim."]) == {}
    memory.close()
    assert path.exists()
