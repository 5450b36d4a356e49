"""The review report's sections rendered where their documents were processed.

A worker renders each document's section from the Document in memory and the bytes its
reader gave; the runner keeps them (:class:`~pipeline.writers.review.SectionSpool`) and
the report takes them as bytes. The pages must be those the report renders itself from
the stored JSON and the corpus.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.document import Document
from pipeline.factory import Sources, build_pipeline
from pipeline.log import RunLog
from pipeline.runner import RunOptions, run
from pipeline.shard import ShardProcessor, sources_of
from pipeline.writers import review
from pipeline.writers.review import Rendered, SectionSpool, write_report
from tests.test_report_incremental import write_corpus as write_articles


def write_corpus(corpus: Path) -> None:
    write_articles(corpus)  # five plain articles, pt and de
    # What the report shows differently: a page, a .txt and a .md holding HTML, a
    # binary file, an empty one, a legacy encoding, records (one HTML, one with a BOM).
    (corpus / "page.html").write_text(
        "<html><body><article><h1>O porto reabriu</h1><p>A câmara aprovou as regras de "
        "trânsito para o centro da cidade.</p></article></body></html>", encoding="utf-8")
    (corpus / "saved.txt").write_text(
        "<!DOCTYPE html><html><body><p>O porto reabriu ontem à noite.</p></body></html>",
        encoding="utf-8")
    (corpus / "notes.md").write_text("<div>O governo anunciou</div>\n\nA cidade aprovou.\n",
                                     encoding="utf-8")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 2)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "latin1.txt").write_bytes("A Coréia do Norte e a Rússia: tensões.\n".encode(
        "cp1252"))
    rows = [{"id": "r1", "text": "O governo anunciou um plano.\n\nA cidade aprovou."},
            {"id": "r2", "text": "<p>O porto reabriu.</p><p>A câmara aprovou.</p>"},
            {"id": "r3", "text": "\ufeffUma nota com BOM. O governo anunciou."}]
    (corpus / "recs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows),
                                       encoding="utf-8")


def quiet_run(corpus: Path, out: Path) -> dict:
    with open(os.devnull, "w") as quiet:
        return run(corpus, out, Config(targets=["en"]), RunOptions(), RunLog(stream=quiet)).report


@pytest.fixture
def folder_layout(monkeypatch):
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)  # a few documents: the folder


def test_a_worker_finds_the_source_the_report_would_read_again(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    config = Config(targets=["en"])
    pipeline = build_pipeline(config)
    items = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus).as_posix()
        reader = pipeline.readers[{".html": "html", ".jsonl": "records"}.get(path.suffix,
                                                                             "text")]
        items += reader.items(rel, path, path.read_bytes)
    docs = ShardProcessor(config).clean(items)
    found = sources_of(items, docs)
    again = Sources(corpus, pipeline.readers["records"])
    assert len(found) == len(docs) == 14
    for doc in docs:
        assert found[doc.doc] == again(doc), doc.doc
    # Each kind of answer is among them: bytes, a record's text, none.
    kinds = {type(found[d]).__name__ for d in found}
    assert kinds == {"bytes", "str", "NoneType"}
    assert found["page.html"] is None and found["saved.txt"] is None
    assert found["recs.jsonl#r1"] == "O governo anunciou um plano.\n\nA cidade aprovou."


def refused(*args):
    raise AssertionError("the report parsed a document or read a source")


def reference_run(corpus: Path, out: Path) -> None:
    """A run whose report renders every section itself, from the stored JSON and the
    corpus (nothing the workers rendered is taken)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SectionSpool, "take", lambda self, name, key: None)
        quiet_run(corpus, out)


def spooled_run(corpus: Path, out: Path) -> dict:
    """A run whose report may parse no document's JSON and read no source."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(review, "_document", refused)
        patch.setattr(Sources, "__call__", refused)
        return quiet_run(corpus, out)


def assert_same_folders(first: Path, second: Path, but: tuple[str, ...] = ()) -> None:
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*")
                   if p.is_file() and p.name not in but)
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*")
                           if p.is_file() and p.name not in but)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_report_takes_the_sections_the_run_rendered_and_they_are_its_own(
        tmp_path, folder_layout):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    reference_run(corpus, tmp_path / "reference")
    report = spooled_run(corpus, tmp_path / "ours")
    assert report["timings_s"]["sections"] > 0
    assert_same_folders(tmp_path / "reference" / "report", tmp_path / "ours" / "report")
    # A rerun after a change: the changed section too comes from its worker, and the
    # pages are those of a report that renders every section itself.
    (corpus / "pt" / "b.txt").write_text("O governo aprovou o orçamento.\n\nNota final.\n",
                                         encoding="utf-8")
    report = spooled_run(corpus, tmp_path / "ours")
    assert report["processed"] == 1
    reference_run(corpus, tmp_path / "again")  # its index says "14 processed" (and its key)
    assert_same_folders(tmp_path / "again" / "report", tmp_path / "ours" / "report",
                        but=("index.html", "manifest.json"))
    assert any(b"Nota final." in p.read_bytes()
               for p in (tmp_path / "ours" / "report" / "d").iterdir())


def test_a_spooled_section_of_other_json_is_not_taken(tmp_path, folder_layout):
    docs = [Document(f"{n}.txt", text=f"Texto {n}.", lang="pt") for n in range(4)]
    spool = SectionSpool(tmp_path)
    stale = b"<!--k " + b"0" * 32 + b'--><section class="doc">stale</section>\n'
    spool.add("1.txt", Rendered("0" * 32, stale, ["1.txt"]))
    out = tmp_path / "out"
    write_report(out, docs, {"targets": ["en"]}, None, None, spool)
    pages = b"".join(p.read_bytes() for p in (out / "report" / "d").iterdir())
    assert b"stale" not in pages and pages.count(b'<section class="doc"') == 4
    spool.close()


@pytest.mark.parametrize("read", [1, 300, 1 << 17])
def test_the_spool_gives_back_each_section_as_kept_across_its_buffer(tmp_path, monkeypatch,
                                                                     read):
    """The spool writes its sections in pieces of SPOOL_BUFFER bytes and reads at least
    SPOOL_READ at a time: each section taken, before or after more were kept, whether it
    waited in the buffer, was read with others or not, is the one kept (the last one
    kept under its name)."""
    monkeypatch.setattr(review, "SPOOL_BUFFER", 2000)
    monkeypatch.setattr(review, "SPOOL_READ", read)
    spool = SectionSpool(tmp_path)
    kept: dict[str, bytes] = {}
    for n in range(60):
        name = f"{n % 23}.txt"
        html = f"<section>{n} {'é' * (n * 7 % 250)}</section>".encode()
        spool.add(name, Rendered(f"k{n % 23}", html, [name]))
        kept[name] = html
        if n % 9 == 8:  # a take between adds: what waits in the buffer is written first
            taken = f"{n % 23}.txt"
            assert spool.take(taken, f"k{n % 23}") == (kept.pop(taken), [taken])
    for name, html in kept.items():
        assert spool.take(name, "k" + name.removesuffix(".txt")) == (html, [name])
    spool.close()


def test_sections_taken_in_the_order_kept_are_read_several_at_a_time(tmp_path, monkeypatch):
    """The report takes the sections mostly in the order they were kept: one read of the
    spool's file gives several (a read per section cost a system call each)."""
    reads = []
    pread = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, n, at: reads.append(n) or pread(fd, n, at))
    spool = SectionSpool(tmp_path)
    sections = {f"{n}.txt": f"<section>{n} {'x' * 500}</section>".encode() for n in range(100)}
    for name, html in sections.items():
        spool.add(name, Rendered("k", html, [name]))
    assert all(spool.take(name, "k") == (html, [name]) for name, html in sections.items())
    assert 0 < len(reads) <= 1 + sum(map(len, sections.values())) // review.SPOOL_READ
    spool.close()


def test_a_spool_whose_file_fails_warns_and_keeps_nothing(tmp_path, monkeypatch, caplog):
    """A write that fails (disk full), its buffer failing again when the file closes:
    the run goes on, told that the report renders the sections again, and nothing kept
    is given back."""

    class Full:
        def __init__(self):
            self.writes = 0

        def write(self, data):
            self.writes += 1
            if self.writes > 1:
                raise OSError(28, "No space left on device")

        def close(self):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(review.tempfile, "TemporaryFile", lambda **kwargs: Full())
    spool = SectionSpool(tmp_path)
    spool.add("a.txt", Rendered("k", b"<section>a</section>", ["a.txt"]))
    spool.add("b.txt", Rendered("k", b"<section>b</section>", ["b.txt"]))
    spool.add("c.txt", Rendered("k", b"<section>c</section>", ["c.txt"]))
    assert spool.failed and spool.take("a.txt", "k") is None
    assert "the report renders them again" in caplog.text
    spool.close()


def test_the_worker_makes_the_json_digest_once_for_the_state_and_the_section(tmp_path):
    """A processed document's JSON is hashed once, in the worker: the section is keyed
    on that digest, and the state stores it as the summary's (not hashing it again)."""
    from pipeline.shard import DocumentOutput
    from pipeline.state import StateStore, StoredDocument, digest

    doc = Document("a.txt", "Olá mundo.\n")
    out = DocumentOutput.of(doc, ["en"])
    assert out.json_digest == digest(out.document)
    section = review.render_section(doc, out.document, ["en"], None, out.json_digest)
    assert section == review.render_section(doc, out.document, ["en"], None)
    state = StateStore(tmp_path / "state.sqlite")
    made = "f" * 64  # what the worker made is what is stored: no second hash
    state.put(StoredDocument("a.txt", "sha", "fp", "ok", [], out.record, "", out.document, [],
                             {}, made))
    assert [(r.doc, r.digest) for r in state.report_refs()] == [("a.txt", made)]
