"""Text writers: ``OUT/clean/<doc>`` and ``OUT/translations/<lang>/<doc>``.

A record file's copies are written by :mod:`pipeline.writers.records`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.stages.translate import translated_document
from pipeline.writers import atomic_write


def document_files(doc: Document, targets: list[str], output: str = "") -> dict[str, str]:
    """The clean copy and each complete translated copy, by path relative to OUT:
    ``clean/<output>`` and ``translations/<lang>/<output>``, ``output`` being the
    document's id unless its reader chose another (an HTML page's ``<path>.txt``; a
    record's file, whose copy :mod:`pipeline.writers.records` rebuilds).

    These are the files the document owns; a translation with a missing segment
    (no model for a pair) is left out rather than written half-translated.
    """
    output = output or doc.doc
    if doc.markdown is not None:  # Markdown again, around the cleaned / translated text
        from pipeline.readers.markdown import clean_copy, translated_copy

        clean, translated = clean_copy(doc), translated_copy
    else:
        clean, translated = doc.clean_text(), translated_document
    files = {f"clean/{output}": clean}
    for tgt in targets:
        text = translated(doc, tgt)
        if text is not None:
            files[f"translations/{tgt}/{output}"] = text
    return files


def write_files(out: Path, files: dict[str, str], durable: bool = True) -> list[str]:
    """Write ``files`` (paths relative to ``out``) atomically; return their paths.

    ``durable=False`` leaves flushing to disk to the caller (one sync for many files).
    """
    for rel, text in files.items():
        atomic_write(out / rel, text, durable=durable)
    return list(files)
