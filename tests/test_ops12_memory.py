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
