"""Text writers: ``OUT/clean/<doc>`` and ``OUT/translations/<lang>/<doc>``."""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.stages.translate import translated_document
from pipeline.writers import atomic_write


def write_document_files(out: Path, doc: Document, targets: list[str]) -> list[str]:
    """Write the clean copy and each complete translated copy.

    Returns the files written, relative to ``out`` (the files the document owns).
    """
    written = [f"clean/{doc.doc}"]
    atomic_write(out / written[0], doc.clean_text())
    for tgt in targets:
        text = translated_document(doc, tgt)
        if text is not None:
            written.append(f"translations/{tgt}/{doc.doc}")
            atomic_write(out / written[-1], text)
    return written
