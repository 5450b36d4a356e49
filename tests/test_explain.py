"""``pipeline explain``: finding a document in OUT/documents.jsonl and explaining it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pipeline.explain import EXIT_NOT_FOUND, EXIT_OK, explain, register, run_explain, visible

SEED_RECORD = {
    "doc": "article-pt.txt",
    "lang": "pt",
    "lang_score": 1.0,
    "source": {"sha256": "ab" * 32, "encoding": "utf-8", "size": 2207},
    "metadata": {"location": "Pyongyang, Nordkorea", "comments": "0"},
    "removed": [
        {"text": "Details", "reason": "widget label"},
        {"text": "OrtPyongyang, Nordkorea", "reason": "metadata: location"},
    ],
    "spans": [
        {"text": "Nordkorea", "lang": "de", "start": 11, "end": 20, "segment": "article-pt.txt#2.1"}
    ],
    "fixes": [
        {"stage": "boilerplate", "kind": "widget_label", "before": "Details", "after": ""},
        {"stage": "repair", "kind": "split_compound", "before": "norte -coreana",
         "after": "norte-coreana"},
        {"stage": "normalize", "kind": "nbsp", "before": "Kim\u00a0Jong", "after": "Kim Jong"},
    ],
    "status": "ok",
    "errors": [],
}
OTHER_RECORDS = [
    {"doc": "pt/chuvas.txt", "lang": "pt", "fixes": [], "status": "ok"},
    {"doc": "de/chuvas.txt", "lang": "de", "fixes": [], "status": "ok"},
    {"doc": "en/library.txt", "lang": "en", "status": "ok"},
]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in [SEED_RECORD, *OTHER_RECORDS]]
    (tmp_path / "documents.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def explain_cli(doc: str, out: Path) -> int:
    return run_explain(argparse.Namespace(doc=doc, out=out))


def test_register_adds_the_explain_subcommand_with_its_handler():
    parser = argparse.ArgumentParser(prog="pipeline")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["explain", "article-pt.txt", "--out", "run1"])
    assert (args.doc, args.out, args.handler) == ("article-pt.txt", Path("run1"), run_explain)
    assert parser.parse_args(["explain", "a.txt"]).out == Path("outputs")


def test_explain_prints_every_fix_removed_line_metadata_and_span(out, capsys):
    assert explain_cli("article-pt.txt", out) == EXIT_OK
    printed = capsys.readouterr().out
    assert printed.startswith("article-pt.txt: 3 fixes, 2 lines removed, 2 metadata fields")
    assert 'repair       split_compound: "norte -coreana" -> "norte-coreana"' in printed
    assert 'boilerplate  widget_label: "Details" -> (removed)' in printed
    assert '"OrtPyongyang, Nordkorea"  (metadata: location)' in printed
    assert "  location: Pyongyang, Nordkorea" in printed
    assert 'de: "Nordkorea", in article-pt.txt#2.1 [11:20]' in printed


def test_explain_shows_invisible_characters_as_escapes(out, capsys):
    explain_cli("article-pt.txt", out)
    assert 'nbsp: "Kim\\u00a0Jong" -> "Kim Jong"' in capsys.readouterr().out


def test_explain_finds_a_document_by_its_unique_file_name_or_a_longer_path(out, capsys):
    assert explain_cli("library.txt", out) == EXIT_OK
    assert explain_cli("corpus/en/library.txt", out) == EXIT_OK
    assert capsys.readouterr().out.count("en/library.txt: 0 fixes") == 2


def test_explain_says_when_nothing_changed(out, capsys):
    explain_cli("en/library.txt", out)
    assert "Nothing changed" in capsys.readouterr().out


def test_explain_exits_2_with_the_documents_there_when_doc_is_unknown(out, capsys):
    assert explain_cli("missing.txt", out) == EXIT_NOT_FOUND
    error = capsys.readouterr().err
    assert "no document 'missing.txt'" in error and "article-pt.txt, pt/chuvas.txt" in error


def test_explain_exits_2_when_a_file_name_is_ambiguous(out, capsys):
    assert explain_cli("chuvas.txt", out) == EXIT_NOT_FOUND
    assert "matches several documents (pt/chuvas.txt, de/chuvas.txt)" in capsys.readouterr().err


def test_explain_exits_2_and_says_to_run_first_when_out_is_missing(tmp_path, capsys):
    assert explain_cli("article-pt.txt", tmp_path / "nowhere") == EXIT_NOT_FOUND
    error = capsys.readouterr().err
    assert "does not exist" in error and "pipeline run CORPUS --out" in error
    assert explain_cli("article-pt.txt", tmp_path) == EXIT_NOT_FOUND
    assert "has no documents.jsonl" in capsys.readouterr().err


def test_explain_exits_2_on_a_file_that_is_not_documents_jsonl(tmp_path, capsys):
    (tmp_path / "documents.jsonl").write_text("not json\n", encoding="utf-8")
    assert explain_cli("a.txt", tmp_path) == EXIT_NOT_FOUND
    assert "line 1: not JSON" in capsys.readouterr().err


def test_explain_lists_the_errors_of_a_failed_document():
    record = {"doc": "bad.txt", "status": "failed", "errors": ["read: binary file"]}
    text = explain(record)
    assert "status: failed" in text and "  read: binary file" in text


def test_visible_shortens_long_text_in_the_middle():
    shown = visible("a" * 300)
    assert len(shown) < 130 and " … " in shown


def test_explain_shows_a_replaced_leftover_with_its_language():
    from pipeline.explain import explain

    text = explain({"doc": "a.txt", "lang": "pt", "status": "ok", "fixes": [
        {"stage": "repair", "kind": "foreign_leftover", "before": "Nordkorea",
         "after": "Coreia do Norte", "lang": "de"}]})
    assert 'repair  foreign_leftover: "Nordkorea" -> "Coreia do Norte" (from de)' in text


def test_explain_names_the_reason_of_a_file_the_run_quarantined_whole_or_skipped(out, capsys):
    # The run's summary says "quarantined: loop: symbolic link pointing outside the
    # corpus"; such files have no line in documents.jsonl, only in report.json, and
    # explain answered "no document 'loop'".
    report = {"quarantined": [{"doc": "loop", "reason": "symbolic link pointing outside "
                               "the corpus"}],
              "skipped": [{"path": "scans/a.pdf", "suffix": ".pdf",
                           "reason": "extract the text first"}]}
    (out / "report.json").write_text(json.dumps(report), encoding="utf-8")
    assert explain_cli("loop", out) == 0
    shown = capsys.readouterr().out
    assert "status: quarantined" in shown
    assert "  symbolic link pointing outside the corpus" in shown
    assert explain_cli("scans/a.pdf", out) == 0
    shown = capsys.readouterr().out
    assert "status: skipped (not read)" in shown and "  extract the text first" in shown
    assert explain_cli("missing.txt", out) == EXIT_NOT_FOUND


def test_explain_finds_a_document_whose_name_holds_a_backslash(tmp_path, capsys):
    # A backslash is part of a POSIX file name; explain read it as a Windows path
    # separator and answered "no document 'back\slash.txt'" while listing it.
    record = {"doc": "back\\slash.txt", "lang": "pt", "status": "ok"}
    (tmp_path / "documents.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert explain_cli("back\\slash.txt", tmp_path) == 0
    assert capsys.readouterr().out.startswith("back\\slash.txt: 0 fixes")


def test_explain_takes_a_name_as_the_log_shows_it(tmp_path, capsys):
    # The log, the summary and explain's own listing show "new\nline.txt" with its line
    # break escaped; that form, copied from them, names the document.
    record = {"doc": "news/new\nline.txt", "lang": "pt", "fixes": [], "status": "ok"}
    (tmp_path / "documents.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert explain_cli("news/new\\nline.txt", tmp_path) == EXIT_OK
    assert capsys.readouterr().out.startswith("news/new\\nline.txt")
