"""The review report of a big corpus (review13)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Writes the folder report of 12 documents with the render processes taking over after
# 2 sections (batches of 3), as a first run of a large corpus does after 200.
_WRITE = textwrap.dedent("""
    import hashlib, sys
    from pathlib import Path
    import pipeline.writers.review as review
    from pipeline.document import Block, Document, Segment, Source

    review.SINGLE_PAGE_DOCUMENTS, review.BLOCK_DOCS = 2, 1
    review.PARALLEL_AFTER, review.BATCH = 2, 3
    review.render_processes = lambda: 2
    docs = []
    for n in range(12):
        text = f"Relatorio {n}: o porto reabriu hoje."
        docs.append(Document(f"d{n}.txt", text=text, lang="pt", lang_score=1.0,
                             source=Source(hashlib.sha256(text.encode()).hexdigest(),
                                           "utf-8", len(text)),
                             blocks=[Block("paragraph", text, "pt", [
                                 Segment(f"d{n}.txt#1.1", text, "pt", 1.0, {})])]))
    review.write_report(Path(sys.argv[1]), docs, {"targets": ["en"]})
""")


def _write(out: Path, tmpdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _WRITE, str(out)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT),
                                          "TMPDIR": str(tmpdir)})


def test_pages_render_under_a_temporary_folder_too_long_for_a_socket(tmp_path):
    # With --workers 1 (no up-front check of TMPDIR), a first run of a large corpus
    # rendered its report's pages in processes started through the fork server, whose
    # socket is made in TMPDIR: over 75 bytes, "AF_UNIX path too long" ended the run,
    # exit 74. The pages are rendered in the process instead, the same bytes.
    short = tmp_path / "t"
    short.mkdir()
    long = tmp_path / ("t" * max(1, 80 - len(os.fsencode(tmp_path))))
    long.mkdir()
    assert len(os.fsencode(long)) > 75
    for tmp, out in ((short, tmp_path / "short"), (long, tmp_path / "long")):
        done = _write(out, tmp)
        assert done.returncode == 0, done.stderr
    here, there = tmp_path / "short" / "report", tmp_path / "long" / "report"
    files = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    assert len(files) == 12 + 6  # pages, index, flags, a list page, manifest, 2 assets
    assert all((here / f).read_bytes() == (there / f).read_bytes() for f in files)


def _finish_peak(folder: Path, count: int) -> int:
    """Bytes of Python memory the folder report's last step (index, list pages,
    manifest) takes at its peak, beyond what the writer holds already, for ``count``
    one-sentence documents."""
    import hashlib
    import tracemalloc

    import pipeline.writers.review as review
    from pipeline.document import Block, Document, Segment, Source

    writer = review.FolderWriter(folder, ["en"], None)
    for n in range(count):
        text = f"Relatorio {n}: o porto reabriu hoje."
        writer.add(Document(
            f"pt/2026/nota-{n:06d}.txt", text=text, lang="pt", lang_score=1.0,
            source=Source(hashlib.sha256(text.encode()).hexdigest(), "utf-8", len(text)),
            blocks=[Block("paragraph", text, "pt", [Segment(f"d{n}#1.1", text, "pt", 1.0, {})])]))
    writer._close("", "")
    writer._render()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        writer.finish({"targets": ["en"]})
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_the_index_and_manifest_are_written_as_a_stream(tmp_path, monkeypatch):
    # The report's last step held every document's row key, manifest line, the index's
    # data and the index and manifest whole, several copies each (with their UTF-8):
    # ~920 bytes a document beyond the records, the largest memory peak of a first run
    # (a million documents: ~1 GB). Measured by the growth from 2,000 to 6,000
    # documents (the list pages of 1,000 rows cost the same whatever the count).
    import pipeline.writers.review as review

    monkeypatch.setattr(review, "render_processes", lambda: 1)
    small = _finish_peak(tmp_path / "small", 2000)
    large = _finish_peak(tmp_path / "large", 6000)
    per_document = (large - small) / 4000
    assert per_document < 400, per_document  # ~160: the index's rows
    index = (tmp_path / "large" / "index.html").read_text(encoding="utf-8")
    assert index.count('"pt/2026/nota-') == 6000 and index.endswith("</html>\n")


def test_the_records_kept_for_the_manifest_are_lean(tmp_path):
    # Until its manifest is written, the report keeps every document's record (index
    # row, title, QA flags). Taken from the spool (a first run's sections, rendered by
    # the workers) each was a fresh set of objects: its name a second copy, "pt" and
    # "ok" a string each, an empty dict and list for no QA flags. What the writer holds
    # for its documents (records, links, page ids) was ~1,000 bytes a document, now ~700.
    import hashlib
    import tracemalloc

    import pipeline.writers.review as review
    from pipeline.document import Block, Document, Segment, Source

    count = 3000
    spool = review.SectionSpool(tmp_path)
    texts = []
    for n in range(count):
        text = f"Relatorio {n}: o porto reabriu hoje."
        doc = Document(
            f"pt/2026/nota-{n:06d}.txt", text=text, lang="pt", lang_score=1.0,
            source=Source(hashlib.sha256(text.encode()).hexdigest(), "utf-8", len(text)),
            blocks=[Block("paragraph", text, "pt", [Segment(f"d{n}#1.1", text, "pt", 1.0, {})])])
        texts.append(doc.to_json())
        spool.add(doc.doc, review.render_section(doc, texts[-1], ["en"], None))
    writer = review.FolderWriter(tmp_path / "report", ["en"], None, spool)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for text in texts:
            writer.add(text)
        writer._close("", "")
        assert writer.waiting == 0 and all(writer.new.values())  # every one spooled
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        spool.close()
    per_document = held / count
    assert per_document < 850, per_document
    writer.finish({"targets": ["en"]})
    manifest = (tmp_path / "report" / "manifest.json").read_text(encoding="utf-8")
    assert manifest.count('"pt","ok",0,0,0,1,"","","Relatorio ') == count
    assert manifest.endswith(',{},[]]\n]}\n')
