"""JSON Lines writers: ``documents.jsonl`` and ``segments.jsonl``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.document import Document
from pipeline.writers import atomic_write, json_line


def segment_records(doc: Document, targets: list[str]) -> Iterator[dict]:
    """One n-way aligned record per segment: its text and one key per target language.

    A target with no translation (missing model) holds ``null``; ``flags`` holds the
    QA flags of each target that has any.
    """
    for b, block in enumerate(doc.blocks, start=1):
        for seg in block.segments:
            record = {
                "doc": doc.doc,
                "id": seg.id,
                "block": b,
                "kind": block.kind,
                "lang": seg.lang,
                "score": seg.score,
                "text": seg.text,
            }
            for tgt in targets:
                record[tgt] = seg.translations.get(tgt)
            record["flags"] = {t: seg.flags[t] for t in targets if seg.flags.get(t)}
            yield record


def write_documents(path: Path, docs: Iterable[Document]) -> None:
    atomic_write(path, "".join(json_line(doc.record()) for doc in docs))


def write_segments(path: Path, docs: Iterable[Document], targets: list[str]) -> None:
    lines = (json_line(r) for doc in docs for r in segment_records(doc, targets))
    atomic_write(path, "".join(lines))
