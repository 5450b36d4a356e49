"""The Document's serialised forms: what the state store and documents.jsonl hold."""

from __future__ import annotations

import json
from dataclasses import asdict

from pipeline.document import Block, Document, Fix, Removed, Segment, Source, Span


def _rich_document() -> Document:
    seg = Segment("a.txt#1.1", "Pyongyang, Nordkorea - Olá", lang="pt", score=0.97,
                  translations={"en": "Hello", "de": "Hallo"}, flags={"de": ["untranslated"]})
    doc = Document(
        "a.txt", raw=b"raw bytes", text="Olá", source=Source("ab12", "cp1252", 9),
        lang="pt", lang_score=0.93,
        blocks=[Block("title", "Olá", "pt", [seg]), Block("paragraph", "Tudo bem?", "pt")],
        metadata={"location": "Pyongyang, Nordkorea", "comments": "0"},
        removed=[Removed("Details", "label")],
        spans=[Span("Nordkorea", "de", 11, 20, "a.txt#1.1")],
        fixes=[Fix("repair", "split_compound", "norte -coreana", "norte-coreana")],
    )
    return doc


def test_to_json_is_the_dataclass_tree_without_raw_bytes():
    doc = _rich_document()
    expected = asdict(doc)
    del expected["raw"]
    del expected["markdown"]  # a Markdown file's layout: not written when there is none
    del expected["protected"]  # a page's inline code ranges: not written when there are none
    assert json.loads(doc.to_json()) == expected
    # Same keys in the same order as the declared fields, at every level.
    assert list(json.loads(doc.to_json())) == [k for k in expected]


def test_from_json_round_trips_and_serialising_leaves_the_document_alone():
    doc = _rich_document()
    text = doc.to_json()
    back = Document.from_json(text)
    back.raw = doc.raw
    assert back == doc
    assert back.to_json() == text


def test_record_copies_so_later_changes_do_not_leak():
    doc = _rich_document()
    record = doc.record()
    record["source"]["encoding"] = "changed"
    record["spans"][0]["lang"] = "xx"
    assert doc.source.encoding == "cp1252" and doc.spans[0].lang == "de"
