"""The review report on a rerun: pages keyed on their stored document's JSON, the
state's summaries kept true whatever writes a row, and nothing else rewritten.

Which files a rerun writes is told by their mtimes (set far in the past first),
never by timing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.document import Block, Document, Segment, Source
from pipeline.log import RunLog
from pipeline.runner import RunOptions, run
from pipeline.state import StateStore, StoredDocument
from pipeline.testing.argos_package import build_package, install_package
from pipeline.writers import review
from pipeline.writers.review import page_id, write_report

OLD = 1_000_000_000  # an mtime long past: a file written again gets a new one
UNTRANSLATED = b'<td class="missing">[no translation]</td>'  # a sentence's cell

ARTICLES = {
    "pt/a.txt": "A cidade anunciou um novo plano de obras.\n\nAs obras começam em março.\n",
    "pt/b.txt": "O governo aprovou o orçamento para o próximo ano.\n",
    "pt/c.txt": "A escola apresentou uma parceria com a universidade.\n",
    "de/d.txt": "Die Regierung kündigte einen neuen Plan für den Hafen an.\n\n"
                "Die Stadt bestätigte den Haushalt für das nächste Jahr.\n",
    "de/e.txt": "Der Minister legte die Reform des Zentrums vor.\n",
}


def write_corpus(corpus: Path) -> None:
    for name, text in ARTICLES.items():
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text(text, encoding="utf-8")


def pipeline_run(corpus: Path, out: Path, prune: bool = False) -> dict:
    with open(os.devnull, "w") as quiet:
        result = run(corpus, out, Config(targets=["en"]), RunOptions(prune=prune),
                     RunLog(stream=quiet))
    return result.report


def age(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))


def rewritten(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder.parent).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.stat().st_mtime_ns != OLD)


def page(out: Path, doc: str) -> Path:
    return out / "report" / "d" / f"{page_id(doc)}.html"


@pytest.fixture
def folder_layout(monkeypatch):
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)  # 5 documents: the folder
    monkeypatch.setattr(review, "BLOCK_DOCS", 1)  # a page per document


def test_installing_a_missing_model_updates_the_pages_it_changes(
        tmp_path, monkeypatch, folder_layout):
    packages = tmp_path / "packages"
    packages.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    write_corpus(corpus)
    first = pipeline_run(corpus, out)
    assert [m["pair"] for m in first["missing_models"]] == ["de-en", "pt-en"]
    before = {doc: page(out, doc).read_bytes() for doc in ARTICLES}
    assert all(UNTRANSLATED in html for html in before.values())
    age(out / "report")
    flags = (out / "report" / "flags.html").read_bytes()

    install_package(build_package(tmp_path / "built", "pt", "en", seed=1), packages)
    second = pipeline_run(corpus, out)  # every document again: the models changed
    assert second["processed"] == 5 and [m["pair"] for m in second["missing_models"]] == [
        "de-en"]
    changed = rewritten(out / "report")
    # The Portuguese pages gained their translations; the German ones, still without a
    # model, are the same documents: their pages are neither rendered nor written.
    for doc in ("pt/a.txt", "pt/b.txt", "pt/c.txt"):
        assert f"report/d/{page_id(doc)}.html" in changed
        assert UNTRANSLATED not in page(out, doc).read_bytes()
    for doc in ("de/d.txt", "de/e.txt"):
        assert page(out, doc).read_bytes() == before[doc]
    # The flags page is rewritten where the new translations have a QA flag: whether the
    # random-weight model's output repeats itself depends on the CPU's int8 kernels.
    flagged = (out / "report" / "flags.html").read_bytes() != flags
    assert changed == sorted([*(f"report/d/{page_id(d)}.html" for d in ARTICLES
                                if d.startswith("pt/")),
                              "report/index.html", "report/list/0001.html",
                              "report/manifest.json", *(["report/flags.html"] * flagged)])
    # The pages are those a first run with the model installed writes.
    fresh = tmp_path / "fresh"
    pipeline_run(corpus, fresh)
    for doc in ARTICLES:
        assert page(out, doc).read_bytes() == page(fresh, doc).read_bytes()


def test_a_rerun_after_a_deletion_removes_its_page_and_rewrites_only_its_neighbours(
        tmp_path, monkeypatch, folder_layout):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    write_corpus(corpus)
    pipeline_run(corpus, out)
    age(out / "report")
    (corpus / "pt" / "b.txt").unlink()
    pipeline_run(corpus, out, prune=True)
    assert not page(out, "pt/b.txt").exists()
    # Documents in name order: de/d, de/e, pt/a, pt/b, pt/c; pt/a and pt/c lose a link.
    assert rewritten(out / "report") == sorted([
        f"report/d/{page_id('pt/a.txt')}.html", f"report/d/{page_id('pt/c.txt')}.html",
        "report/index.html", "report/list/0001.html", "report/manifest.json"])
    # A rerun with nothing changed writes nothing at all (the index neither).
    age(out / "report")
    pipeline_run(corpus, out, prune=True)
    pipeline_run(corpus, out, prune=True)  # the report of a run that processed nothing
    age(out / "report")
    pipeline_run(corpus, out, prune=True)
    assert rewritten(out / "report") == []


def small(doc: str, text: str) -> Document:
    return Document(doc, text=text, source=Source("0" * 64, "utf-8", len(text)), lang="pt",
                    blocks=[Block("paragraph", text, "pt", [Segment(f"{doc}#1.1", text, "pt",
                                                                    1.0)])])


def stored(doc: Document, status: str = "ok") -> StoredDocument:
    record = json.dumps({**doc.record(), "status": status}, ensure_ascii=False)
    return StoredDocument(doc.doc, "sha", "fp", status, [f"clean/{doc.doc}"], record + "\n",
                          "{}\n" * len(doc.segments()), doc.to_json(), ["pt-en"])


class Counted:
    """A reference that counts how often its JSON is read."""

    def __init__(self, doc: Document, reads: Counter):
        self.doc, self._json, self.reads = doc.doc, doc.to_json(), reads
        self.digest = hashlib.sha256(self._json.encode()).hexdigest()
        self.size = len(self._json)

    def json(self) -> str:
        self.reads[self.doc] += 1
        return self._json


def test_references_are_read_only_for_the_pages_rendered(tmp_path, folder_layout):
    docs = [small(f"a{n}.txt", f"Frase número {n}.") for n in range(6)]
    reads: Counter[str] = Counter()
    write_report(tmp_path, [Counted(d, reads) for d in docs], {"targets": ["en"]})
    assert reads == Counter({d.doc: 1 for d in docs})  # a first run renders every page
    as_json = tmp_path / "json"
    write_report(as_json, [d.to_json() for d in docs], {"targets": ["en"]})
    files = sorted(p.relative_to(as_json) for p in as_json.rglob("*") if p.is_file())
    assert all((tmp_path / f).read_bytes() == (as_json / f).read_bytes() for f in files)
    reads.clear()
    docs[3] = small("a3.txt", "Frase mudada.")
    write_report(tmp_path, [Counted(d, reads) for d in docs], {"targets": ["en"]})
    assert reads == Counter({"a3.txt": 1})
    assert "Frase mudada." in (tmp_path / "report" / "d" / f"{page_id('a3.txt')}.html"
                               ).read_text()


def test_a_row_written_without_its_summary_gets_it_again(tmp_path):
    """A program that does not keep the summaries (an older version) writes a row: the
    triggers drop its summary, and the next read makes it from the row."""
    path = tmp_path / "state.sqlite"
    state = StateStore(path)
    one, two = small("a.txt", "Frase um."), small("b.txt", "Frase dois.")
    with state.transaction():
        state.put(stored(one))
        state.put(stored(two))
    refs = {r.doc: r for r in state.report_refs()}
    assert refs["a.txt"].digest == hashlib.sha256(one.to_json().encode()).hexdigest()
    assert refs["a.txt"].json() == one.to_json() and refs["a.txt"].size == len(one.to_json())
    changed = stored(small("a.txt", "Frase mudada, mais longa."), status="failed")
    db = sqlite3.connect(path)
    db.execute("INSERT OR REPLACE INTO documents (doc, sha256, fingerprint, status, outputs, "
               "record, segments, document, missing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (changed.doc, "sha", "fp", "failed", "[]", changed.record, "{}\n{}\n",
                changed.document, "[]"))
    db.execute("DELETE FROM documents WHERE doc = 'b.txt'")
    db.commit()
    assert db.execute("SELECT doc FROM summaries").fetchall() == []
    db.close()
    refs = list(state.report_refs())
    assert [(r.doc, r.digest) for r in refs] == [
        ("a.txt", hashlib.sha256(changed.document.encode()).hexdigest())]
    totals = state.report_totals({"a.txt"})
    assert totals.statuses == Counter(failed=1) and totals.segments == 2
    assert totals.failed == [{"doc": "a.txt", "errors": []}] and totals.missing == set()


def test_totals_from_summaries_are_those_of_the_stored_records(tmp_path, monkeypatch):
    """Against the records as documents.jsonl holds them, and for a state written
    before the summaries existed."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    write_corpus(corpus)
    (corpus / "binary.txt").write_bytes(b"\x00\x01binary")
    report = pipeline_run(corpus, out)
    records = [json.loads(line) for line in (out / "documents.jsonl").open(encoding="utf-8")]
    fixes = Counter(f["kind"] for r in records for f in r["fixes"])
    assert report["fixes_by_kind"] == dict(sorted(fixes.items())) and fixes
    assert report["languages"] == dict(sorted(Counter(r["lang"] for r in records
                                                      if r["lang"]).items()))
    assert report["removed"] == sum(len(r["removed"]) for r in records)
    segments = (out / "segments.jsonl").read_text(encoding="utf-8").count("\n")
    assert report["segments"] == segments
    path = out / ".pipeline" / "state.sqlite"
    state = StateStore(path)
    current = {r["doc"] for r in records}
    totals = state.report_totals(current)
    state.close()
    db = sqlite3.connect(path)  # as a state of an earlier version: no summaries
    db.execute("DROP TABLE summaries")
    db.commit()
    db.close()
    state = StateStore(path)
    assert state.report_totals(current) == totals
    assert totals.statuses == Counter(r["status"] for r in records)


def test_an_unchanged_rerun_reads_no_document_and_a_missing_page_is_made_again(
        tmp_path, monkeypatch, folder_layout):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    write_corpus(corpus)
    pipeline_run(corpus, out)
    pipeline_run(corpus, out)  # the report of a run that processed nothing
    reads: list[str] = []
    monkeypatch.setattr(StateStore, "document", lambda self, doc: reads.append(doc))
    refs = []
    original = StateStore.report_refs

    def counting(self):
        for ref in original(self):
            refs.append(ref.doc)
            yield ref

    monkeypatch.setattr(StateStore, "report_refs", counting)
    age(out / "report")
    pipeline_run(corpus, out)
    assert refs == [] and reads == [] and rewritten(out / "report") == []
    # A page gone (removed by hand): the folder is checked, the page made again.
    monkeypatch.undo()
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)
    monkeypatch.setattr(review, "BLOCK_DOCS", 1)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    before = page(out, "pt/a.txt").read_bytes()
    page(out, "pt/a.txt").unlink()
    pipeline_run(corpus, out)
    assert page(out, "pt/a.txt").read_bytes() == before
    assert rewritten(out / "report") == [f"report/d/{page_id('pt/a.txt')}.html"]


def test_the_memo_is_forgotten_when_any_row_is_written(tmp_path):
    path = tmp_path / "state.sqlite"
    state = StateStore(path)
    with state.transaction():
        state.put(stored(small("a.txt", "Frase um.")))
    memo = state.report_memo()
    memo.set("written")
    assert memo.get() == "written" and StateStore(path).report_memo().get() == "written"
    db = sqlite3.connect(path)  # a program that knows nothing of the memo
    db.execute("UPDATE documents SET status = 'failed'")
    db.commit()
    db.close()
    assert memo.get() == ""
    memo.set("again")
    with state.transaction():
        state.delete("a.txt")
    assert memo.get() == ""


def test_the_manifest_keeps_one_record_per_page_in_order(tmp_path, folder_layout):
    """A list per document (name, digest of its JSON, its index row, its flags), in
    order: the order gives each page's neighbours, no hash per page is made, and JSON
    reads it fast."""
    from pipeline.state import digest
    from pipeline.writers.review.docpage import index_entry
    from pipeline.writers.review.overview import index_row

    docs = [small(f"a{n}.txt", f"Frase número {n}.") for n in range(4)]
    docs[2].blocks[0].segments[0].translations["en"] = "Sentence."
    docs[2].blocks[0].segments[0].flags["en"] = ["untranslated"]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    manifest = json.loads((tmp_path / "report" / "manifest.json").read_text("utf-8"))
    assert manifest["version"] == review.PAGE_VERSION and manifest["targets"] == ["en"]
    for doc, rec in zip(docs, manifest["pages"], strict=True):
        entry = index_entry(doc, f"d/{page_id(doc.doc)}.html")
        assert rec == [doc.doc, digest(doc.to_json()), *index_row(entry, False)[2:],
                       entry["flags"], entry["flagged"]]
    assert manifest["pages"][2][-2] == {"pt-en:untranslated": 1}
    assert "untranslated" in (tmp_path / "report" / "flags.html").read_text("utf-8")
    # A record that is not one (a manifest of another layout, or damaged): every page
    # is made again, none is kept on its word.
    manifest["pages"][1] = {"a1.txt": "key"}
    (tmp_path / "report" / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    age(tmp_path / "report")
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert all(f"report/d/{page_id(d.doc)}.html" in rewritten(tmp_path / "report")
               for d in docs)


def test_a_rerun_copies_what_did_not_change_from_the_last_version(tmp_path, folder_layout):
    """The records' lines in the manifest and the documents' page ids are taken from
    the last version where their document did not change (seen here by a mark put in a
    line, which only a copy keeps); a changed document's record is made again."""
    docs = [small(f"a{n}.txt", f"Frase número {n}.") for n in range(4)]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    folder = tmp_path / "report"
    text = (folder / "manifest.json").read_text("utf-8")
    manifest = json.loads(text)
    assert manifest["pids"] == "".join(page_id(d.doc) for d in docs)
    lines = text.split("\n")
    assert lines[2] == json.dumps(manifest["pages"][1], ensure_ascii=False,
                                  separators=(",", ":")) + ","
    # The mark: a1's record with JSON's default spaces (the same record).
    lines[2] = json.dumps(manifest["pages"][1], ensure_ascii=False) + ","
    (folder / "manifest.json").write_text("\n".join(lines), "utf-8")

    docs[3] = small("a3.txt", "Frase número 3, mudada.")  # its row's title changes
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    text = (folder / "manifest.json").read_text("utf-8")
    assert text.split("\n")[2] == lines[2]  # a1's record: copied
    assert json.loads(text)["pages"][3][-3] == "Frase número 3, mudada."
    assert json.loads(text)["pids"] == manifest["pids"]

