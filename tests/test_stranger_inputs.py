"""Odd inputs a stranger's corpus holds: each costs only itself, with a clear reason."""

import json
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.runner import RunOptions, run
from tests.conftest import TaggingEngine

PT = ("O porto de Lisboa reabriu ontem depois de três semanas de obras. "
      "Os pescadores voltaram ao trabalho e a cidade celebrou.")


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _run(corpus: Path, out: Path, **options):
    return run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True, **options),
               engine=TaggingEngine())


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_record_with_a_lone_surrogate_escape_is_quarantined_alone(tmp_path):
    # JSON allows "\ud800" (half of a character), but it is no Unicode text: written
    # out as UTF-8 it raised, and the whole run stopped with an internal error.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.jsonl").write_text(
        '{"id": 1, "text": "' + PT + '"}\n'
        '{"id": 2, "text": "Meio \\ud800 caractere. ' + PT + '"}\n'
        '{"id": "\\udc80x", "text": "' + PT + '"}\n'
        '{"id": 4, "text": "' + PT + '", "tag": "\\ud83d"}\n'
        '{"id": 5, "text": "Um par v\\u00e1lido \\ud83d\\ude00. ' + PT + '"}\n'
        '{"id": 6, "text": "Uma barra \\\\ud800 escrita. ' + PT + '"}\n',
        encoding="utf-8")
    result = _run(corpus, out)
    assert result.exit_code == 3
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert set(reasons) == {"d.jsonl#line-2", "d.jsonl#line-3", "d.jsonl#line-4"}
    assert reasons["d.jsonl#line-2"].startswith("line 2 holds a lone surrogate")
    assert result.report["ok"] == 3
    clean = _lines(out / "clean" / "d.jsonl")
    assert [r["id"] for r in clean] == [1, 5, 6]
    assert "\U0001F600" in clean[1]["text"] and "\\ud800" in clean[2]["text"]


def test_a_file_of_nul_bytes_is_quarantined_not_counted_clean(tmp_path):
    # A file zeroed by a crash is valid UTF-8: its NULs were removed as control
    # characters and the run counted it a clean document with an empty copy.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "zeroed.txt").write_bytes(bytes(4096))
    (corpus / "zeroed.md").write_bytes(bytes(100) + b"\n")
    (corpus / "ok.txt").write_text(PT + "\n", encoding="utf-8")
    result = _run(corpus, out)
    assert result.exit_code == 3
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert set(reasons) == {"zeroed.txt", "zeroed.md"}
    assert reasons["zeroed.txt"].startswith("only NUL bytes")
    assert result.report["ok"] == 1
    assert not (out / "clean" / "zeroed.txt").exists()


def test_a_csv_file_with_a_column_named_twice_is_quarantined_whole(tmp_path):
    # The csv module keeps the last of two same-named cells: the article was replaced
    # by the other column's text and the copy lost a column, without a word.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.csv").write_text(f"id,text,text\n1,{PT},resumo\n", encoding="utf-8")
    result = _run(corpus, out)
    assert result.exit_code == 3
    assert result.report["quarantined"] == [
        {"doc": "d.csv", "reason": "columns named twice: text; give each column its own name"}]
    assert result.report["ok"] == 0


def test_a_parquet_file_with_a_column_named_twice_is_quarantined_whole(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    table = pa.Table.from_arrays([pa.array([1]), pa.array([PT]), pa.array(["resumo"])],
                                 names=["id", "text", "text"])
    pq.write_table(table, corpus / "d.parquet")
    result = _run(corpus, out)
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert reasons == {"d.parquet": "columns named twice: text; give each column its own name"}


def test_a_csv_row_with_more_or_fewer_fields_than_the_header_is_quarantined(tmp_path):
    # An unquoted comma gave a row a field too many: the csv module kept it under the
    # key None, the row was processed, and the copy got a nameless column holding
    # "['extra']"; a short row was quarantined as "holds null".
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.csv").write_text(f'id,text\n1,"{PT}"\n2,{PT}, disse ele\n3\n4,"{PT}"\n',
                                  encoding="utf-8")
    result = _run(corpus, out)
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert reasons == {
        "d.csv#2": "row 2 has 3 fields, the header 2; quote fields that hold commas",
        "d.csv#3": "row 3 has 1 field, the header 2; quote fields that hold commas"}
    assert result.report["ok"] == 2
    copy = (out / "clean" / "d.csv").read_text(encoding="utf-8").splitlines()
    assert copy[0] == "id,text" and copy[2:4] == ["2,", "3,"]
    assert all(line.count(",") == 1 for line in copy[2:4])


def test_a_csv_file_separated_by_pipes_says_so(tmp_path):
    # (A file separated by semicolons is read: tests/test_rec10.py.)
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.csv").write_text(f"id|text\n1|{PT}\n", encoding="utf-8")
    reason = _run(corpus, out).report["quarantined"][0]["reason"]
    assert reason == ("no column 'text' (columns: id|text); name the text column with "
                      "--text-field or [input] text_field; the header looks separated by "
                      "'|': save the file with commas")


def test_a_page_whose_clean_copy_name_would_be_too_long_is_quarantined_alone(tmp_path):
    # A page named with 250 characters gets a clean copy named 254 + ".txt": writing it
    # stopped the whole run with "cannot write ... free space or fix permissions"
    # (exit 74), and every rerun stopped there again.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    long_name = "p" * 250 + ".html"
    (corpus / long_name).write_text(f"<html><body><p>{PT}</p></body></html>",
                                    encoding="utf-8")
    (corpus / "ok.txt").write_text(PT + "\n", encoding="utf-8")
    result = _run(corpus, out)
    assert result.exit_code == 3
    [item] = result.report["quarantined"]
    assert item["doc"] == long_name
    assert item["reason"].endswith("(259 bytes, over the 255 a file name may have); "
                                   "shorten the file's name")
    assert result.report["ok"] == 1 and (out / "clean" / "ok.txt").is_file()
