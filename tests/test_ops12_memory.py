"""What a long first run keeps in memory for its review report (ops12)."""

from __future__ import annotations

import tracemalloc

from pipeline.writers.review import Rendered, SectionSpool


def _record(n: int) -> list:
    """A document's manifest record as a worker makes it (:func:`record`): its name,
    JSON digest, index row, title and QA flags."""
    name = f"pt/2026/12/nota-{n:06d}.txt"
    return [name, f"{n:064x}", "pt", "ok", 2, 1, 1, 3, "dash quotes", "pt-en",
            f"O porto {n} reabriu ontem depois da greve dos estivadores",
            {"pt-en:length": 1}, [[2, "pt-en", ["length"], "O porto reabriu.", "x"]]]


def _kept(spool: SectionSpool, first: int, last: int) -> int:
    """Bytes of Python memory the spool holds after keeping documents first..last-1."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(first, last):
            rec = _record(n)
            spool.add(rec[0], Rendered(f"{n:032x}", f"<section>{n}</section>".encode(), rec))
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_the_spool_keeps_the_records_in_its_file_not_in_memory(tmp_path):
    # The run keeps each section the workers rendered until the report takes it. Each
    # document's record (index row, title, flags: about 0.8 KB of Python objects) was
    # kept in memory beside where its section lay in the file: a first run of 1,000,000
    # documents held about 0.8 GB in the driver until its report.
    spool = SectionSpool(tmp_path)
    _kept(spool, 0, 1000)  # the file, its buffer, the dict's first tables
    added = _kept(spool, 1000, 5000)
    assert added / 4000 < 250, added / 4000  # its name and where it starts: ~150 bytes
    record = _record(4321)
    assert spool.take(record[0], f"{4321:032x}") == (b"<section>4321</section>", record)
    spool.close()


def _listed(tmp_path, first: int, last: int) -> tuple[list, int]:
    """The run's list of the documents to consider in a corpus of files first..last-1,
    and the bytes of Python memory it holds."""
    from pipeline.config import Config
    from pipeline.runner import Runner, discover

    corpus = tmp_path / f"corpus-{last}"
    corpus.mkdir()
    for n in range(first, last):
        (corpus / f"nota-{n:06d}.txt").write_text(f"O porto {n} reabriu.\n")
    runner = Runner(corpus, tmp_path / "out", Config())
    runner._file_stats = {}  # a first run: no stat recorded
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        todo = runner._sort_entries(discover(corpus, 1 << 20))
        return todo, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_the_listing_keeps_no_stat_of_a_file_it_need_not_recognise(tmp_path):
    # Each listed file kept its os.stat_result (about 600 bytes of Python objects) for
    # the whole run, though after the listing only its stat key is needed, and only for
    # a file whose stat the state recorded (to find it unchanged without reading it).
    small, held_small = _listed(tmp_path, 0, 500)
    large, held_large = _listed(tmp_path, 0, 2500)
    assert len(small) == 500 and len(large) == 2500
    per_file = (held_large - held_small) / 2000
    assert per_file < 900, per_file  # its name, its path and the entry: ~670 bytes
