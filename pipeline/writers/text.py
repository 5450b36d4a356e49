"""Text writers: ``OUT/clean/<doc>`` and ``OUT/translations/<lang>/<doc>``."""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.stages.translate import translated_document
from pipeline.writers import atomic_write


def write_clean(out: Path, doc: Document) -> None:
    atomic_write(out / "clean" / doc.doc, doc.clean_text())


def write_translations(out: Path, doc: Document, targets: list[str]) -> list[str]:
    """Write each complete translated copy; return the languages written."""
    written = []
    for tgt in targets:
        text = translated_document(doc, tgt)
        if text is not None:
            atomic_write(out / "translations" / tgt / doc.doc, text)
            written.append(tgt)
    return written
