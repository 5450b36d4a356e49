"""Bad corpora found by a tester: copies' names that collide, documents left empty
by cleanup, --prune of an empty corpus, models that failed, per-document write errors."""

import json
import os
from pathlib import Path

import pytest

from pipeline.cli import main

PAGE = "<html><body><p>The library opens again on Monday morning.</p></body></html>"
TEXT = "The bridge over the river was closed for repairs last week.\n"


def _run(corpus: Path, out: Path, *extra: str) -> int:
    return main(["run", str(corpus), "--out", str(out), *extra])


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _reasons(out: Path) -> dict[str, str]:
    return {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


# -- A: two documents whose copies would have the same name ---------------------------
def test_page_and_text_of_its_copys_name_keep_the_text_and_quarantine_the_page(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "page.html").write_text(PAGE)
    (corpus / "page.html.txt").write_text(TEXT)
    assert _run(corpus, out) == 3
    assert "rename one" in _reasons(out)["page.html"]
    assert "bridge over the river" in (out / "clean" / "page.html.txt").read_text()
    # --prune of the page (removed from the corpus) leaves the text's copy.
    (corpus / "page.html").unlink()
    assert _run(corpus, out, "--prune") == 0
    assert "bridge over the river" in (out / "clean" / "page.html.txt").read_text()


def test_text_added_beside_a_stored_page_takes_the_name_and_prune_keeps_it(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "page.html").write_text(PAGE)
    assert _run(corpus, out) == 0
    (corpus / "page.html.txt").write_text(TEXT)
    assert _run(corpus, out, "--prune") == 3  # the same decision on a rerun
    assert set(_reasons(out)) == {"page.html"}
    assert "bridge over the river" in (out / "clean" / "page.html.txt").read_text()
    (corpus / "page.html").unlink()
    assert _run(corpus, out, "--prune") == 0
    assert "bridge over the river" in (out / "clean" / "page.html.txt").read_text()


def test_page_beside_a_folder_of_its_copys_name_is_quarantined_on_every_run(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / "x.html.txt").mkdir(parents=True)
    (corpus / "x.html").write_text(PAGE)
    assert _run(corpus, out) == 0  # the page alone first: its copy is written
    (corpus / "x.html.txt" / "a.txt").write_text(TEXT)
    for _ in range(2):
        assert _run(corpus, out) == 3
        assert "a folder of the corpus" in _reasons(out)["x.html"]
        assert "bridge over the river" in (out / "clean" / "x.html.txt" / "a.txt").read_text()


# -- D: a document cleanup leaves empty ------------------------------------------------
def test_documents_left_empty_by_cleanup_are_quarantined_with_what_they_held(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "zw.txt").write_bytes("\u200b\u200b\n".encode())
    (corpus / "r.jsonl").write_text('{"id": "a", "text": "\\u0000\\u0001"}\n'
                                    + json.dumps({"id": "b", "text": TEXT}) + "\n")
    (corpus / "ok.txt").write_text(TEXT)
    assert _run(corpus, out) == 3
    reasons = _reasons(out)
    assert set(reasons) == {"zw.txt", "r.jsonl#a"}
    assert reasons["zw.txt"].startswith("no text left after cleanup: it held 7 bytes, "
                                        "'\\u200b\\u200b\\n'")
    assert "'\\x00\\x01'" in reasons["r.jsonl#a"]
    assert not (out / "clean" / "zw.txt").exists()
    assert _report(out)["ok"] == 2
    first, second = (out / "clean" / "r.jsonl").read_text().splitlines()
    assert json.loads(first)["text"] is None and json.loads(second)["text"] == TEXT.strip()


# -- G: --prune of a corpus that holds nothing -----------------------------------------
def test_prune_of_an_empty_corpus_is_refused_and_a_removed_subset_still_pruned(
        tmp_path, capsys):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(TEXT)
    assert _run(corpus, out) == 0
    empty = tmp_path / "unmounted"
    empty.mkdir()
    capsys.readouterr()
    for extra in ((), ("--dry-run",)):
        assert _run(empty, out, "--prune", *extra) == 2
        err = capsys.readouterr().err
        assert "--prune refused" in err and f"delete {out}" in err
    assert (out / "clean" / "a.txt").is_file() and (out / "clean" / "b.txt").is_file()
    (corpus / "a.txt").unlink()
    assert _run(corpus, out, "--prune") == 0
    assert _report(out)["pruned_sources"] == ["a.txt"]
    assert not (out / "clean" / "a.txt").exists() and (out / "clean" / "b.txt").is_file()


# -- H: a model that failed is not a missing one ---------------------------------------
def test_a_pair_whose_model_failed_is_reported_failed_not_missing(tmp_path):
    from pipeline.config import Config
    from pipeline.engines import ModelError
    from pipeline.log import RunLog
    from pipeline.runner import run

    class Engine:
        def route(self, src, tgt):
            return [] if src == tgt else [f"{src}-{tgt}"]

        def model_id(self, src, tgt):
            return f"{src}-{tgt}"

        def translate(self, texts, src, tgt):
            raise ModelError("Unable to open file 'model.bin'")

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "pt.txt").write_text("A ponte sobre o rio foi fechada para obras na semana "
                                   "passada, disse a câmara municipal.\n")
    quiet = RunLog(stream=open(os.devnull, "w"))
    result = run(corpus, tmp_path / "out", Config(), log=quiet, engine=Engine())
    assert result.exit_code == 3
    assert "model.bin" in result.report["translation"]["failed_models"]["pt-en"]
    assert result.report["missing_models"] == []


# -- C: a document's own write error costs that document only --------------------------
def test_a_copy_that_cannot_be_written_quarantines_its_document_only(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "sub" / "b.txt").write_text(TEXT)
    (corpus / "ok.txt").write_text(TEXT)
    (out / "clean" / "a.txt").mkdir(parents=True)  # a folder where a's copy goes
    (out / "clean" / "a.txt" / "keep").write_text("someone's file\n")
    (out / "clean" / "sub").write_text("a file where b's folder goes\n")
    assert _run(corpus, out) == 3
    reasons = _reasons(out)
    assert set(reasons) == {"a.txt", "sub/b.txt"}
    assert "OUT/clean/a.txt cannot be written" in reasons["a.txt"]
    assert "OUT/clean/sub/b.txt cannot be written" in reasons["sub/b.txt"]
    assert (out / "clean" / "ok.txt").read_text() == TEXT
    assert _report(out)["not_reached"] == 0
    (out / "clean" / "sub").unlink()
    assert _run(corpus, out) == 3  # b is done now, a is still in the way
    assert set(_reasons(out)) == {"a.txt"}
    assert (out / "clean" / "sub" / "b.txt").read_text() == TEXT


def test_a_full_disk_still_stops_the_run_with_74(tmp_path, monkeypatch):
    import errno

    import pipeline.writers.text as text_writer

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    monkeypatch.setattr(text_writer, "atomic_write", full)
    assert _run(corpus, out) == 74
