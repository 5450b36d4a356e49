"""Record corpora: each record of a JSON Lines, Parquet or CSV file is a document."""

import gzip
import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config
from pipeline.runner import RunOptions, run
from tests.conftest import TaggingEngine

PT = ("Notícia\n\nO porto de Lisboa reabriu ontem depois de três semanas de obras. "
      "Os pescadores voltaram ao trabalho e a cidade celebrou.")
PT2 = ("Economia\n\nO preço do pão subiu dez por cento em Lisboa este mês. "
       "Os padeiros dizem que a farinha está mais cara.")
EN = ("Library reopens\n\nThe city library reopened on Monday after a long renovation. "
      "Readers queued at the doors before nine.")


def _records() -> list[dict]:
    return [
        {"id": "a1", "text": PT, "url": "https://example.org/a1", "n": 1},
        {"id": "b2", "text": EN, "url": "https://example.org/b2", "n": 2},
        {"id": "c3", "text": PT2, "url": "https://example.org/c3", "n": 3},
    ]


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _documents(out: Path) -> dict[str, dict]:
    return {r["doc"]: r for r in _lines(out / "documents.jsonl")}


def _run(corpus: Path, out: Path, config: Config | None = None, **options):
    # The tagging engine has no model ids: no translation memory.
    return run(corpus, out, config or Config(targets=["en"]),
               RunOptions(no_cache=True, **options), engine=TaggingEngine())


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    _write_jsonl(root / "news" / "dump.jsonl", _records())
    return root


def test_each_record_is_a_document_and_the_copies_mirror_the_file(corpus, tmp_path):
    out = tmp_path / "out"
    result = _run(corpus, out)
    assert result.exit_code == 0, result.report
    docs = _documents(out)
    assert sorted(docs) == ["news/dump.jsonl#a1", "news/dump.jsonl#b2", "news/dump.jsonl#c3"]
    assert docs["news/dump.jsonl#a1"]["lang"] == "pt"
    assert docs["news/dump.jsonl#b2"]["lang"] == "en"
    assert result.report["documents"] == result.report["ok"] == 3
    clean = _lines(out / "clean" / "news" / "dump.jsonl")
    # Input order, every other field kept, the text field replaced by the clean text.
    assert [(r["id"], r["url"], r["n"]) for r in clean] == [
        (r["id"], r["url"], r["n"]) for r in _records()]
    assert list(clean[0]) == ["id", "text", "url", "n"]
    assert clean[0]["text"].startswith("Notícia\n\nO porto de Lisboa reabriu ontem")
    assert not clean[0]["text"].endswith("\n")
    translated = _lines(out / "translations" / "en" / "news" / "dump.jsonl")
    assert [r["id"] for r in translated] == ["a1", "b2", "c3"]
    assert translated[0]["text"].startswith("[en] ")  # translated by the tagging engine
    assert translated[1]["text"] == clean[1]["text"]  # already English: copied
    segments = _lines(out / "segments.jsonl")
    assert {s["doc"] for s in segments} == set(docs)
    assert not (out / "clean" / "news" / "dump.jsonl#a1").exists()


def test_unchanged_rerun_processes_nothing_and_keeps_the_bytes(corpus, tmp_path, data_files):
    out = tmp_path / "out"
    _run(corpus, out)
    first = data_files(out)
    report = _run(corpus, out).report
    assert (report["processed"], report["unchanged"]) == (0, 3)
    assert data_files(out) == first


def test_one_changed_record_alone_is_reprocessed(corpus, tmp_path):
    out = tmp_path / "out"
    _run(corpus, out)
    before = _lines(out / "clean" / "news" / "dump.jsonl")
    records = _records()
    records[2]["text"] = PT2.replace("dez por cento", "vinte por cento")
    records[0]["url"] = "https://example.org/moved"  # another field: no reprocessing
    _write_jsonl(corpus / "news" / "dump.jsonl", records)
    report = _run(corpus, out).report
    assert (report["processed"], report["unchanged"]) == (1, 2)
    after = _lines(out / "clean" / "news" / "dump.jsonl")
    assert "vinte por cento" in after[2]["text"]
    assert after[0]["url"] == "https://example.org/moved"  # the copy is rebuilt
    assert after[:2] == [{**before[0], "url": "https://example.org/moved"}, before[1]]


def test_a_deleted_record_is_reported_then_pruned(corpus, tmp_path):
    out = tmp_path / "out"
    _run(corpus, out)
    _write_jsonl(corpus / "news" / "dump.jsonl", _records()[:2])
    report = _run(corpus, out).report
    assert report["deleted_sources"] == ["news/dump.jsonl#c3"]
    assert (report["processed"], report["unchanged"]) == (0, 2)
    assert "news/dump.jsonl#c3" in _documents(out)  # kept until --prune
    report = _run(corpus, out, prune=True).report
    assert report["pruned_sources"] == ["news/dump.jsonl#c3"]
    assert "news/dump.jsonl#c3" not in _documents(out)
    assert [r["id"] for r in _lines(out / "clean" / "news" / "dump.jsonl")] == ["a1", "b2"]
    (corpus / "news" / "dump.jsonl").unlink()
    # Another document stays: --prune of a corpus with none at all is refused.
    (corpus / "kept.txt").write_text(EN, encoding="utf-8")
    report = _run(corpus, out, prune=True).report
    assert sorted(report["pruned_sources"]) == ["news/dump.jsonl#a1", "news/dump.jsonl#b2"]
    assert not (out / "clean" / "news").exists()
    assert not (out / "translations" / "en" / "news").exists()


def test_bad_records_are_quarantined_alone_with_file_record_and_reason(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    lines = [
        json.dumps({"id": 1, "text": PT}),
        '{"id": 2, "text": "broken',  # line 2: not JSON
        json.dumps({"id": 3, "body": EN}),  # no text field
        json.dumps({"id": 1, "text": PT2}),  # id 1 again
        json.dumps({"id": 5, "text": None}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": EN}),  # no id: its line number
    ]
    (corpus / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run(corpus, out)
    assert result.exit_code == 3
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert reasons["d.jsonl#line-2"].startswith("line 2 is not valid JSON (")
    assert reasons["d.jsonl#3"].startswith("line 3 has no field 'text' (fields: id, body)")
    assert reasons["d.jsonl#1@line-4"].startswith(
        "duplicate id '1' in field 'id' (line 4; first on line 1)")
    assert reasons["d.jsonl#5"] == "line 5: field 'text' holds null, not text"
    assert reasons["d.jsonl#line-6"].startswith("line 6 is a JSON list, not an object")
    assert set(reasons) == {"d.jsonl#line-2", "d.jsonl#3", "d.jsonl#1@line-4", "d.jsonl#5",
                            "d.jsonl#line-6"}
    assert result.report["ok"] == 2 and result.report["documents"] == 7
    clean = _lines(out / "clean" / "d.jsonl")
    # The lines that are no object cannot be copied; the other records keep their place.
    assert [(r.get("id"), r["text"] is None) for r in clean] == [
        (1, False), (3, True), (1, True), (5, True), (None, False)]


def test_an_id_that_is_no_string_or_number_is_quarantined_and_a_whole_float_is_a_number(
        tmp_path):
    # `"id": true` became the id "True", and `"id": 7.0` (an integer column with gaps,
    # as pandas writes it) fell back to the line number without a word.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    lines = [json.dumps({"id": 7.0, "text": PT}), json.dumps({"id": True, "text": PT2}),
             json.dumps({"id": [3], "text": EN}), json.dumps({"id": None, "text": EN})]
    (corpus / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run(corpus, out)
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert set(reasons) == {"d.jsonl#line-2", "d.jsonl#line-3"}
    assert reasons["d.jsonl#line-2"] == ("field 'id' holds True, not a string or a number; "
                                         "fix the ids or name another field (--id-field)")
    assert reasons["d.jsonl#line-3"].startswith("field 'id' holds [3], not a string")
    docs = {json.loads(line)["doc"] for line in
            (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()}
    assert {"d.jsonl#7", "d.jsonl#4"} <= docs


def test_a_truncated_gzip_keeps_the_records_before_the_cut(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    body = "".join(json.dumps({"id": n, "text": f"{EN} Item {n}."}) + "\n" for n in range(40))
    data = gzip.compress(body.encode(), mtime=0)
    (corpus / "d.jsonl.gz").write_bytes(data[: len(data) * 3 // 4])
    result = _run(corpus, out)
    quarantined = result.report["quarantined"]
    assert len(quarantined) == 1
    assert quarantined[0]["reason"].startswith("truncated gzip file: records after line ")
    cut = int(quarantined[0]["doc"].rsplit("-", 1)[1])
    assert 1 < cut < 40 and quarantined[0]["doc"] == f"d.jsonl.gz#line-{cut}"
    assert result.report["ok"] == cut - 1
    assert not (out / "clean" / "d.jsonl.gz").exists()  # not read to its end: no copy


def test_gzipped_records_are_copied_gzipped_and_identical_on_a_rerun(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records())
    (corpus / "d.jsonl.gz").write_bytes(gzip.compress(body.encode(), mtime=0))
    _run(corpus, out)
    copy = (out / "clean" / "d.jsonl.gz").read_bytes()
    records = [json.loads(line) for line in gzip.decompress(copy).splitlines()]
    assert [r["id"] for r in records] == ["a1", "b2", "c3"]
    _run(corpus, out, force=True)
    assert (out / "clean" / "d.jsonl.gz").read_bytes() == copy


def test_parquet_records_are_mirrored_and_a_missing_column_is_named(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    pq.write_table(pa.Table.from_pylist(_records()), corpus / "d.parquet")
    pq.write_table(pa.Table.from_pylist([{"id": "x", "body": PT}]), corpus / "other.parquet")
    result = _run(corpus, out)
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert reasons == {"other.parquet": "no column 'text' (columns: id, body); its text looks "
                       "to be in 'body': --text-field body (or [input] text_field = \"body\")"}
    table = pq.read_table(out / "clean" / "d.parquet").to_pylist()
    assert [(r["id"], r["n"]) for r in table] == [("a1", 1), ("b2", 2), ("c3", 3)]
    assert table[1]["text"] == EN.replace("\n\n", "\n\n")
    english = pq.read_table(out / "translations" / "en" / "d.parquet").to_pylist()
    assert english[0]["text"].startswith("[en] Notícia")


def test_csv_records_and_fields_named_on_the_command_line(tmp_path, capsys):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.csv").write_text(
        'uid,body,source\n7,"' + PT.replace('"', '""') + '",wire\n8,"' + EN + '",desk\n',
        encoding="utf-8")
    code = main(["run", str(corpus), "--out", str(out), "--text-field", "body",
                 "--id-field", "uid"])
    assert code == 3  # pt-en has no model here
    assert sorted(_documents(out)) == ["d.csv#7", "d.csv#8"]
    rows = (out / "clean" / "d.csv").read_text(encoding="utf-8")
    assert rows.startswith("uid,body,source\n7,\"Notícia\n\nO porto de Lisboa")
    assert rows.endswith(",desk\n")


def test_a_stray_quote_in_a_csv_row_quarantines_that_row_and_says_what_to_write(tmp_path):
    """The csv module's lenient reading rewrote '"a "b" c"' as 'a b" c"' without a word."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.csv").write_text(f'id,text\n1,"Ele disse "sim" hoje."\n2,"{EN}"\n',
                                  encoding="utf-8")
    _run(corpus, out)
    assert _documents(out)["d.csv#2"]["status"] == "ok"
    reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
    assert reasons == {"d.csv#row-1": "row 1 (line 2): ',' expected after '\"'; write a quote "
                                      'inside a quoted field twice ("")'}


def test_a_csv_quote_never_closed_is_said_not_read_as_the_rest_of_the_file(tmp_path):
    """An unterminated quote made one record of every line after it, without a word."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.csv").write_text(f'id,text\n1,"{EN}"\n2,"O porto reabriu hoje.\n'
                                  "3,O mercado de peixe abriu cedo.\n", encoding="utf-8")
    _run(corpus, out)
    assert _documents(out)["d.csv#1"]["status"] == "ok"
    reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
    assert list(reasons) == ["d.csv#row-2"]  # row 1 (EN) spans lines 2-4
    assert reasons["d.csv#row-2"].startswith("the quote opened in row 2 (line 5) is never "
                                             "closed; close it")


def test_text_field_from_the_config_file(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _write_jsonl(corpus / "d.jsonl", [{"key": "k1", "content": EN}])
    config = tmp_path / "p.toml"
    config.write_text('[input]\ntext_field = "content"\nid_field = "key"\n')
    main(["run", str(corpus), "--out", str(out), "--config", str(config)])
    assert list(_documents(out)) == ["d.jsonl#k1"]
    assert _documents(out)["d.jsonl#k1"]["status"] == "ok"


def test_explain_a_record_and_a_record_file(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    _run(corpus, out)
    capsys.readouterr()
    assert main(["explain", "news/dump.jsonl#a1", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("news/dump.jsonl#a1: ")
    assert main(["explain", "news/dump.jsonl", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "is a file of 3 records, each a document" in error
    assert "news/dump.jsonl#a1, news/dump.jsonl#b2, news/dump.jsonl#c3" in error


def test_dry_run_plans_each_record(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    _run(corpus, out)
    records = _records()
    records[1]["text"] = EN + " More readers came."
    _write_jsonl(corpus / "news" / "dump.jsonl", records)
    capsys.readouterr()
    result = run(corpus, out, Config(targets=["en"]), RunOptions(dry_run=True))
    printed = capsys.readouterr().out
    assert "process (changed): news/dump.jsonl#b2" in printed
    assert "unchanged: news/dump.jsonl#a1" in printed
    assert result.report["plan"] == {"process": 1, "unchanged": 2}


def test_dry_run_plans_a_bad_record_as_quarantined_with_its_reason(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "d.jsonl").write_text(
        '{"id": 1, "text": "O governo aprovou o orçamento."}\nnot json\n'
        '{"id": 1, "text": "Outro texto sobre o orçamento."}\n', encoding="utf-8")
    result = run(corpus, tmp_path / "out", Config(targets=["en"]), RunOptions(dry_run=True))
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "process (new): d.jsonl#1"
    assert printed[1].startswith("quarantine: d.jsonl#line-2: line 2 is not valid JSON")
    assert printed[2].startswith("quarantine: d.jsonl#1@line-3: duplicate id '1'")
    assert result.report["plan"] == {"process": 1, "quarantine": 2}
    real = run(corpus, tmp_path / "out", Config(targets=["en"]), RunOptions())
    assert sorted(q["doc"] for q in real.report["quarantined"]) == [
        "d.jsonl#1@line-3", "d.jsonl#line-2"]


def test_skipped_files_are_counted_by_suffix_with_what_to_do(corpus, tmp_path, capsys):
    for name in ("a.pdf", "b.pdf", "c.docx", "notes.xyz"):
        (corpus / name).write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "out"
    main(["run", str(corpus), "--out", str(out)])
    printed = capsys.readouterr().out
    assert "skipped 2 .pdf files: extract the text first (e.g. pdftotext" in printed
    assert "skipped 1 .docx file: save as plain text (.txt) or convert" in printed
    assert "skipped 1 .xyz file: not a format the pipeline reads (.txt, .md, " in printed
    assert _report(out)["skipped_by_suffix"][".pdf"]["files"] == 2


def test_the_report_states_the_candidates_the_run_used(corpus, tmp_path, monkeypatch):
    import pipeline.factory
    from pipeline.runner import Runner

    # An installed model adds its languages to the default candidates.
    monkeypatch.setattr(pipeline.factory, "installed_languages", lambda: ["en", "ko"])
    runner = Runner(corpus, tmp_path / "out", Config(targets=["en"]),
                    RunOptions(no_cache=True), engine=TaggingEngine())
    report = runner.run().report
    detect = next(s for s in runner.stages if s.name == "detect")
    assert "ko" in detect.scorer.candidates
    assert report["config"]["detect"]["candidates"] == list(detect.scorer.candidates)


def test_the_report_page_reads_a_records_source_text_back(corpus, tmp_path):
    from pipeline.document import Document
    from pipeline.factory import build_pipeline

    out = tmp_path / "out"
    _run(corpus, out)
    docs = {d.doc: d for d in map(Document.from_json, _lines_raw(out))}
    sources = build_pipeline(Config(targets=["en"])).sources(corpus)
    assert sources(docs["news/dump.jsonl#b2"]) == EN
    records = _records()
    records[1]["text"] = EN + " Changed since."
    _write_jsonl(corpus / "news" / "dump.jsonl", records)
    sources = build_pipeline(Config(targets=["en"])).sources(corpus)
    assert sources(docs["news/dump.jsonl#b2"]) is None  # no longer what was processed
    assert sources(docs["news/dump.jsonl#a1"]) == PT


def _lines_raw(out: Path) -> list[str]:
    import sqlite3

    db = sqlite3.connect(out / ".pipeline" / "state.sqlite")
    try:
        return [row[0] for row in db.execute("SELECT document FROM documents ORDER BY doc")]
    finally:
        db.close()


def test_the_start_line_says_a_record_count_is_an_estimate(tmp_path, capsys):
    # Before a record file is read its records are guessed (lines; a .gz by its size), so
    # the first line says "about"; a corpus of text files is counted exactly.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records())
    (corpus / "d.jsonl.gz").write_bytes(gzip.compress(body.encode(), mtime=0))
    main(["run", str(corpus), "--out", str(tmp_path / "out"), "--log-format", "json"])
    start = json.loads(capsys.readouterr().err.splitlines()[0])
    assert start["event"] == "start" and start["estimated"] is True
    assert start["message"].startswith("about ")
    text = tmp_path / "text"
    text.mkdir()
    (text / "a.txt").write_text("O governo aprovou o orçamento.\n", encoding="utf-8")
    main(["run", str(text), "--out", str(tmp_path / "out2"), "--log-format", "json"])
    start = json.loads(capsys.readouterr().err.splitlines()[0])
    assert start["message"].startswith("1 document in ") and start["estimated"] is False
