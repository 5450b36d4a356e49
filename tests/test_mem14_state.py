"""A big document's JSON and segments.jsonl lines made as UTF-8 and stored as the same
text (brief mem14): the rows, the summaries and every output are those of the text
path; what the worker holds is the UTF-8, not a str of two bytes a character. Texts
of this file's own; tracemalloc, no timing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import pipeline.shard as shard_module
from pipeline.cli import main
from pipeline.document import Source
from pipeline.shard import DocumentOutput
from pipeline.state import StateStore, StoredDocument, digest
from pipeline.writers.jsonl import segment_lines
from tests.test_mem13_document import big_document, peak_of


def _book(blocks: int, size: int):
    """An analysed document of curly-quoted Portuguese, read from ``size`` bytes."""
    doc = big_document(blocks=blocks)
    doc.source = Source("0" * 64, "utf-8", size)
    return doc


def _rows(path: Path) -> tuple[list, list]:
    db = sqlite3.connect(path)
    try:
        documents = db.execute(
            "SELECT doc, status, outputs, record, segments, typeof(segments), document, "
            "typeof(document), missing, translation FROM documents ORDER BY doc").fetchall()
        summaries = db.execute("SELECT * FROM summaries ORDER BY doc").fetchall()
    finally:
        db.close()
    return documents, summaries


def _put(path: Path, out: DocumentOutput, segments, document) -> None:
    store = StateStore(path)
    with store.transaction():
        store.put(StoredDocument(out.doc, "sha", "fp", out.status, ["clean/livro.txt"],
                                 out.record, segments, document, ["pt-en"],
                                 {"pairs": {"pt-en": 1}}, out.json_digest))
    store.close()


def test_a_big_documents_outputs_are_its_texts_utf8():
    doc = _book(blocks=40, size=shard_module.UTF8_BYTES)
    text, lines = doc.to_json(), segment_lines(doc, ["en"])
    out = DocumentOutput.of(doc, ["en"])
    assert isinstance(out.document, bytearray) and isinstance(out.segments, bytearray)
    assert out.document == text.encode() and out.segments == lines.encode()
    assert out.json_digest == digest(text)
    small = _book(blocks=40, size=shard_module.UTF8_BYTES - 1)
    out = DocumentOutput.of(small, ["en"])
    assert (out.document, out.segments) == (small.to_json(), lines)


def test_a_row_given_as_utf8_is_stored_as_the_text_would_be(tmp_path):
    doc = _book(blocks=40, size=shard_module.UTF8_BYTES)
    out = DocumentOutput.of(doc, ["en"])
    _put(tmp_path / "text.sqlite", out, segment_lines(doc, ["en"]), doc.to_json())
    _put(tmp_path / "utf8.sqlite", out, out.segments, out.document)
    as_text = _rows(tmp_path / "text.sqlite")
    assert as_text[0][0][5] == as_text[0][0][7] == "text"
    # the same row (text, not a blob) and the same summary: its size in characters,
    # its digest, its segments counted
    assert _rows(tmp_path / "utf8.sqlite") == as_text
    assert as_text[1][0][2] == len(doc.to_json()) < len(out.document)
    store = StateStore(tmp_path / "utf8.sqlite")
    assert store.document("livro.txt") == doc.to_json()
    assert list(store.column("segments")) == [segment_lines(doc, ["en"])]
    store.close()


def test_a_row_that_fails_leaves_nothing_handed_to_the_next(tmp_path):
    doc = _book(blocks=3, size=shard_module.UTF8_BYTES)
    out = DocumentOutput.of(doc, ["en"])
    store = StateStore(tmp_path / "state.sqlite")
    with pytest.raises(sqlite3.IntegrityError):  # status NULL: the insert fails
        store.put(StoredDocument(out.doc, "sha", "fp", None, [], out.record,  # type: ignore[arg-type]
                                 out.segments, out.document, []))
    store.put(StoredDocument("b.txt", "sha", "fp", "ok", [], out.record, "", out.document, []))
    assert store.document("b.txt") == doc.to_json()
    store.close()


def test_the_worker_holds_the_utf8_not_a_str_of_two_bytes_a_character():
    measured = []
    for size in (shard_module.UTF8_BYTES - 1, shard_module.UTF8_BYTES):
        doc = _book(blocks=1500, size=size)
        out, peak, kept = peak_of(lambda: DocumentOutput.of(doc, ["en"]))  # noqa: B023
        assert len(out.document) > 2_000_000
        measured.append((peak, kept))
    (str_peak, str_kept), (peak, kept) = measured
    # As str: the JSON and the lines two bytes a character (curly quotes), and they
    # were the most held at once. As UTF-8: a little over one byte a character (13.2 ->
    # 8.2 MB kept here, the clean copy included), one piece besides for a moment
    # (peak 15.7 -> 8.2 MB).
    assert kept < 0.7 * str_kept, measured
    assert peak < 0.6 * str_peak, measured


@pytest.fixture()
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _outputs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".pipeline" not in p.parts and p.name != "report.json"}


@pytest.mark.usefixtures("_no_models")
def test_a_run_stores_and_writes_the_same_either_way(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraphs = [f"“A transição é sem precedentes”, escreveu a assistente ({n})."
                  for n in range(300)]
    (corpus / "livro.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (corpus / "nota.txt").write_text("O porto reabriu na segunda-feira.\n", encoding="utf-8")
    results = []
    for threshold in (10**12, 1_000):  # every document as text; the book as UTF-8
        monkeypatch.setattr(shard_module, "UTF8_BYTES", threshold)
        out = tmp_path / f"out-{threshold}"
        assert main(["run", str(corpus), "--out", str(out), "--to", "en,pt"]) == 3
        results.append((_outputs(out), _rows(out / ".pipeline" / "state.sqlite")))
    assert "translations/pt/livro.txt" in results[0][0]
    assert results[1] == results[0]
