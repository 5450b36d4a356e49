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
    assert len(files) == 12 + 4  # pages, index, flags, a list page, manifest
    assert all((here / f).read_bytes() == (there / f).read_bytes() for f in files)
