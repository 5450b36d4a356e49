"""JSON Lines: the per-document lines of ``documents.jsonl`` and ``segments.jsonl``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.document import Document
from pipeline.readers.html import CODE
from pipeline.writers import json_line

# The keys every segments.jsonl record has besides one key per target language.
RECORD_KEYS = ("doc", "id", "block", "kind", "lang", "score", "text", "flags", "spans")


def check_targets(targets: list[str]) -> None:
    """Refuse targets whose code is one of the record's own keys: the translation
    would overwrite (or be overwritten by) that field.

    >>> check_targets(["en", "de"])
    >>> try:
    ...     check_targets(["en", "id"])
    ... except ValueError as exc:
    ...     print(str(exc)[:59])
    target language 'id' cannot be written: segments.jsonl uses
    """
    for target in targets:
        if target in RECORD_KEYS:
            name = " (Indonesian output is not supported yet)" if target == "id" else ""
            raise ValueError(
                f"target language '{target}' cannot be written: segments.jsonl uses the key "
                f"'{target}' for the segment's own {target}. Choose other targets{name}"
            )


def segment_records(doc: Document, targets: list[str]) -> Iterator[dict]:
    """One n-way aligned record per segment: its text and one key per target language.

    A target with no translation (missing model) holds ``null``; ``flags`` holds the
    QA flags of each target that has any; ``spans`` the foreign spans of the segment
    (``text``, ``lang``, ``start``, ``end``), each with one key per target holding the
    span's own translation (``null`` when it was not translated on its own).
    """
    spans: dict[str, list] = {}
    for span in doc.spans:
        spans.setdefault(span.segment, []).append(span)
    b = 0  # the block's number: a page's code blocks (no segments) are not counted
    for block in doc.blocks:
        if block.kind == CODE:
            continue
        b += 1
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
            record["spans"] = [
                {"text": span.text, "lang": span.lang, "start": span.start, "end": span.end,
                 **{tgt: span.translations.get(tgt) for tgt in targets}}
                for span in spans.get(seg.id, ())
            ]
            yield record


def code_places(doc: Document) -> list[dict[str, int]]:
    r"""Where a page's code blocks are (blocks of kind :data:`CODE`, verbatim in every
    copy): ``after``, the text block it follows (segments.jsonl's ``block``; 0: before
    the first), ``line`` and ``lines``, its first line in the clean copy (from 1) and
    how many it has.

    >>> from pipeline.document import Block
    >>> code_places(Document("a.html", blocks=[Block("title", "T"), Block(CODE, "a()\n\nb()"),
    ...                                        Block("paragraph", "P"), Block(CODE, "c()")]))
    [{'after': 1, 'line': 3, 'lines': 3}, {'after': 2, 'line': 9, 'lines': 1}]
    """
    places: list[dict[str, int]] = []
    line = 1
    after = 0
    for block in doc.blocks:
        lines = block.text.count("\n") + 1
        if block.kind == CODE:
            places.append({"after": after, "line": line, "lines": lines})
        else:
            after += 1
        line += lines + 1
    return places


def document_line(doc: Document) -> str:
    """The document's line of documents.jsonl: a page with code blocks also has
    ``code`` (:func:`code_places`), after ``removed``."""
    record = doc.record()
    places = code_places(doc)
    if places:
        record = dict(_with_code(record, places))
    return json_line(record)


def _with_code(record: dict, places: list[dict[str, int]]) -> Iterator[tuple[str, Any]]:
    for key, value in record.items():
        yield key, value
        if key == "removed":
            yield "code", places


def segment_lines(doc: Document, targets: list[str]) -> str:
    """The document's lines of segments.jsonl."""
    return "".join(json_line(r) for r in segment_records(doc, targets))
