"""Records whose text (and id) are in nested objects: ``--text-field article.body``."""

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config
from tests.test_records import _documents, _lines, _no_models, _write_jsonl  # noqa: F401
from tests.test_records import _run as records_run

# Texts the cleanup leaves as they are: a copy of a record is its line, byte for byte.
PT = ("O porto de Lisboa reabriu ontem depois de três dias de greve. "
      "Os estivadores voltaram ao trabalho e os navios entraram de manhã.")
PT2 = ("O preço do pão subiu dez por cento em Lisboa este mês. "
       "Os padeiros dizem que a farinha está mais cara.")
DE = ("Der Hafen von Hamburg war am Montag wegen eines Sturms geschlossen. "
      "Die Schiffe warteten vor der Elbmündung auf besseres Wetter.")


def _records() -> list[dict]:
    return [
        {"meta": {"id": "pt-1", "site": "jornal.pt"}, "article": {"title": "Porto reabre",
         "body": PT, "tags": ["porto", "greve"]}, "url": "https://example.org/1"},
        {"meta": {"id": "de-2", "site": "zeitung.de"}, "article": {"title": "Sturm",
         "body": DE, "tags": []}, "url": "https://example.org/2"},
        {"article": {"body": PT2, "title": "Pão"}, "meta": {"id": "pt-3"}, "n": 3},
    ]


def _reasons(report: dict) -> dict[str, str]:
    return {q["doc"]: q["reason"] for q in report["quarantined"]}


def _config(text: str = "article.body", ident: str = "meta.id") -> Config:
    config = Config(targets=["en"])
    config.input.text_field, config.input.id_field = text, ident
    return config


def _run(corpus: Path, out: Path, config: Config | None = None, **options):
    return records_run(corpus, out, config or _config(), **options)


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    _write_jsonl(root / "news" / "dump.jsonl", _records())
    return root


def test_nested_text_and_id_are_read_and_the_copies_keep_every_other_byte(corpus, tmp_path):
    # Every record was quarantined: "line 1 has no field 'article.body' (fields: meta,
    # article, url)".
    out = tmp_path / "out"
    result = _run(corpus, out)
    assert result.exit_code == 0, result.report
    docs = _documents(out)
    assert sorted(docs) == ["news/dump.jsonl#de-2", "news/dump.jsonl#pt-1",
                            "news/dump.jsonl#pt-3"]
    assert (docs["news/dump.jsonl#pt-1"]["lang"], docs["news/dump.jsonl#de-2"]["lang"]) == (
        "pt", "de")
    assert result.report["ok"] == 3 and result.report["quarantined"] == []
    # The cleanup changes none of these texts: the clean copy is the file, byte for byte
    # (fields, nesting, their order, the other fields of the object).
    source = (corpus / "news" / "dump.jsonl").read_bytes()
    assert (out / "clean" / "news" / "dump.jsonl").read_bytes() == source
    translated = _lines(out / "translations" / "en" / "news" / "dump.jsonl")
    assert translated[0]["article"]["body"].startswith("[en] O porto de Lisboa reabriu")
    assert translated[1]["article"]["body"].startswith("[en] Der Hafen von Hamburg")
    for record, copy in zip(_records(), translated, strict=True):
        assert list(copy) == list(record)
        assert list(copy["article"]) == list(record["article"])
        assert {**copy["article"], "body": None} == {**record["article"], "body": None}
        assert {**copy, "article": None} == {**record, "article": None}


def test_a_cleaned_nested_text_is_replaced_in_place(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    # "norte -americana": a space before a hyphen, which the cleanup repairs.
    text = PT + " A decisão norte -americana surpreendeu o porto."
    record = {"id": 1, "doc": {"article": {"body": text, "lead": "Porto"}, "n": 2}, "z": True}
    _write_jsonl(corpus / "d.jsonl", [record])
    assert _run(corpus, out, _config("doc.article.body", "id")).exit_code == 0
    copy = (out / "clean" / "d.jsonl").read_text(encoding="utf-8")
    expected = {"id": 1, "doc": {"article": {"body": text.replace("norte -americana",
                                                                  "norte-americana"),
                                             "lead": "Porto"}, "n": 2}, "z": True}
    assert copy == json.dumps(expected, ensure_ascii=False) + "\n"


def test_a_key_holding_a_dot_wins_over_the_path(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    records = [
        {"id": 1, "article.body": PT, "article": {"body": "Não é este o texto."}},
        {"id": 2, "article": {"body": DE}},
        {"id": 3, "meta": {"source.id": "s-9"}, "article": {"body": PT2}},
    ]
    _write_jsonl(corpus / "d.jsonl", records)
    (corpus / "t.csv").write_text(f'id,article.body\n4,"{DE}"\n', encoding="utf-8")
    result = _run(corpus, out, _config("article.body", "id"))
    assert result.exit_code == 0, result.report
    clean = (out / "clean" / "d.jsonl").read_text(encoding="utf-8").splitlines()
    assert clean == [json.dumps(r, ensure_ascii=False) for r in records]
    assert _documents(out)["d.jsonl#1"]["lang"] == "pt"  # not the nested text's
    translated = _lines(out / "translations" / "en" / "d.jsonl")
    assert translated[0]["article.body"].startswith("[en] O porto")
    assert translated[0]["article"] == {"body": "Não é este o texto."}
    assert translated[1]["article"]["body"].startswith("[en] Der Hafen")
    # A CSV column is named as it is (the copy: the source, its quotes kept).
    assert (out / "clean" / "t.csv").read_text(encoding="utf-8") == (
        f'id,article.body\n4,"{DE}"\n')
    # A key with a dot inside an object is named through it.
    out2 = tmp_path / "out2"
    assert _run(corpus, out2, _config("article.body", "meta.source.id")).exit_code == 0
    assert "d.jsonl#s-9" in _documents(out2)


def test_parquet_struct_columns_give_the_text_and_id_and_keep_the_schema(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    article = pa.struct([pa.field("title", pa.string()), pa.field("body", pa.large_string()),
                         pa.field("words", pa.int32())])
    schema = pa.schema([pa.field("meta", pa.struct([pa.field("id", pa.string())])),
                        pa.field("article", article), pa.field("n", pa.int64())],
                       metadata={b"origin": b"crawler"})
    rows = [
        {"meta": {"id": "pt-1"}, "article": {"title": "Porto", "body": PT, "words": 19},
         "n": 1},
        {"meta": {"id": "de-2"}, "article": {"title": "Sturm", "body": DE, "words": 18},
         "n": 2},
        {"meta": {"id": "x-3"}, "article": None, "n": 3},  # no article: quarantined
        {"meta": None, "article": {"title": None, "body": PT2, "words": None}, "n": 4},
    ]
    # Two row groups: the struct column is read back in chunks.
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), corpus / "d.parquet",
                   row_group_size=2)
    result = _run(corpus, out)
    assert sorted(_documents(out)) == ["d.parquet#4", "d.parquet#de-2", "d.parquet#pt-1",
                                       "d.parquet#x-3"]
    assert _reasons(result.report) == {
        "d.parquet#x-3": "row 3: field 'article' holds null, not an object with 'body'"}
    clean = pq.read_table(out / "clean" / "d.parquet")
    assert clean.schema == schema and clean.schema.metadata == schema.metadata
    assert clean.to_pylist() == rows  # the texts the cleanup leaves as they are
    translated = pq.read_table(out / "translations" / "en" / "d.parquet")
    assert translated.schema == schema
    english = translated.to_pylist()
    assert english[0]["article"]["body"].startswith("[en] O porto de Lisboa")
    assert english[1]["article"]["body"].startswith("[en] Der Hafen")
    assert english[2]["article"] is None and english[3]["meta"] is None
    assert [(r["n"], r["article"] and r["article"]["title"]) for r in english] == [
        (1, "Porto"), (2, "Sturm"), (3, None), (4, None)]


def test_a_parquet_file_without_the_nested_column_is_quarantined_naming_what_it_has(
        tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    table = pa.Table.from_pylist([{"id": "a", "article": {"titel": "Sturm", "inhalt": DE}}])
    pq.write_table(table, corpus / "d.parquet")
    pq.write_table(pa.Table.from_pylist([{"id": "b", "article": [DE]}]), corpus / "l.parquet")
    pq.write_table(pa.Table.from_pylist([{"id": "c", "article": PT}]), corpus / "s.parquet")
    reasons = _reasons(_run(corpus, out, _config("article.body", "id")).report)
    assert reasons == {
        "d.parquet": "no column 'article.body' (fields of 'article': titel, inhalt); name the "
                     "text column with --text-field article.inhalt",
        "l.parquet": "column 'article' is a list, not a struct with 'body'; a record's "
                     "text is one string: write one record per item (pandas: "
                     "DataFrame.explode), or name another column with --text-field",
        "s.parquet": "column 'article' is of type string, not a struct with 'body'; if it "
                     "holds the text, name it: --text-field article"}
    reasons = _reasons(_run(corpus, tmp_path / "out2", _config("text", "id")).report)
    assert reasons["d.parquet"] == (
        "no column 'text' (columns: id, article); 'article' is a struct with titel, inhalt: "
        "name the text column with --text-field article.inhalt")


def test_what_goes_wrong_on_the_way_is_said_with_what_to_do(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    lines = [
        {"id": 1, "titulo": "Porto", "texto": PT},  # no 'article'
        {"id": 2, "article": ["Der Hafen war zu.", "Die Schiffe warteten."]},
        {"id": 3, "article": PT2},  # the text itself, not an object
        {"id": 4, "article": {"body": ["Der Hafen war zu.", "Die Schiffe warteten."]}},
        {"id": 5, "article": {"titulo": "Pão", "corpo": PT2}},
        {"id": 6, "article": None},
        {"id": 7, "article": {"body": DE}},
    ]
    _write_jsonl(corpus / "d.jsonl", lines)
    result = _run(corpus, out, _config("article.body", "id"))
    assert _reasons(result.report) == {
        "d.jsonl#1": "line 1 has no field 'article.body' (fields: id, titulo, texto); name "
                     "the text field with --text-field",
        "d.jsonl#2": "line 2: field 'article' holds list, not an object with 'body'; a "
                     "record's text is one string: write one record per item, or name "
                     "another field with --text-field",
        "d.jsonl#3": "line 3: field 'article' holds string, not an object with 'body'; if it "
                     "holds the text, name it: --text-field article",
        "d.jsonl#4": "line 4: field 'article.body' holds a list of 2 strings, not text; join "
                     "them into one string in the file (paragraphs: separated by a blank "
                     "line): a list is never joined here, its copies could not be split back",
        "d.jsonl#5": "line 5 has no field 'article.body' (fields of 'article': titulo, "
                     "corpo); name the text field with --text-field article.corpo",
        "d.jsonl#6": "line 6: field 'article' holds null, not an object with 'body'",
    }
    # Each record keeps its place in the copies; one whose text cannot be placed (no
    # object to hold it) is copied as it is, the others get a null text.
    clean = _lines(out / "clean" / "d.jsonl")
    assert clean[:3] == lines[:3] and clean[5] == lines[5]
    assert clean[3] == {"id": 4, "article": {"body": None}}
    assert clean[4] == {"id": 5, "article": {"titulo": "Pão", "corpo": PT2, "body": None}}
    assert clean[6] == lines[6]


def test_a_missing_text_field_suggests_the_dotted_path_to_a_string_it_holds(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    # One record holds the text field: the file is read, the others said one by one
    # (a file none of whose records holds it is quarantined whole: test_rec11).
    _write_jsonl(corpus / "d.jsonl", [
        {"id": 6, "text": PT2},
        {"id": 7, "article": {"body": PT, "title": "Porto reabre"}},
        {"id": 8, "data": {"meta": {"n": 1}, "artikel": {"titel": "Sturm", "text": DE}}}])
    reasons = _reasons(_run(corpus, out, _config("text", "id")).report)
    assert reasons == {
        "d.jsonl#7": "line 2 has no field 'text' (fields: id, article); 'article' is an "
                     "object with body, title: name the text field with --text-field "
                     "article.body",
        # The field named like the missing one wins over a longer one.
        "d.jsonl#8": "line 3 has no field 'text' (fields: id, data); 'data.artikel' is an "
                     "object with titel, text: name the text field with --text-field "
                     "data.artikel.text"}


def test_a_nested_id_on_a_path_through_no_object(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _write_jsonl(corpus / "d.jsonl", [
        {"meta": "pt-1", "article": {"body": PT}},  # no object: no usable id
        {"article": {"body": DE}},  # no meta: its line number
        {"meta": None, "article": {"body": PT2}},  # null: its line number
        {"meta": {"id": 4.0}, "article": {"body": DE + " Am Abend."}}])
    result = _run(corpus, out)
    assert _reasons(result.report) == {
        "d.jsonl#line-1": "field 'meta' holds pt-1, not an object with 'id'; fix the ids or "
                          "name another field (--id-field)"}
    assert sorted(_documents(out)) == ["d.jsonl#2", "d.jsonl#3", "d.jsonl#4",
                                       "d.jsonl#line-1"]


def test_unchanged_rerun_explain_and_the_report_page_read_nested_records(corpus, tmp_path,
                                                                        data_files, capsys):
    from pipeline.document import Document
    from pipeline.factory import build_pipeline

    out = tmp_path / "out"
    _run(corpus, out)
    first = data_files(out)
    report = _run(corpus, out).report
    assert (report["processed"], report["unchanged"]) == (0, 3)
    assert data_files(out) == first
    records = _records()
    records[2]["article"]["body"] = PT2.replace("dez por cento", "vinte por cento")
    records[0]["article"]["title"] = "Outro título"  # another field: no reprocessing
    _write_jsonl(corpus / "news" / "dump.jsonl", records)
    report = _run(corpus, out).report
    assert (report["processed"], report["unchanged"]) == (1, 2)
    assert _lines(out / "clean" / "news" / "dump.jsonl") == records
    capsys.readouterr()
    assert main(["explain", "news/dump.jsonl#de-2", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("news/dump.jsonl#de-2: ")
    docs = {d.doc: d for d in map(Document.from_json, _stored_documents(out))}
    sources = build_pipeline(_config()).sources(corpus)
    assert sources(docs["news/dump.jsonl#de-2"]) == DE
    assert sources(docs["news/dump.jsonl#pt-3"]) == records[2]["article"]["body"]


def _stored_documents(out: Path) -> list[str]:
    import sqlite3

    db = sqlite3.connect(out / ".pipeline" / "state.sqlite")
    try:
        return [row[0] for row in db.execute("SELECT document FROM documents ORDER BY doc")]
    finally:
        db.close()


def test_the_command_line_takes_a_path_and_refuses_jqs_leading_dot(corpus, tmp_path,
                                                                   capsys):
    out = tmp_path / "out"
    code = main(["run", str(corpus), "--out", str(out), "--text-field", "article.body",
                 "--id-field", "meta.id"])
    assert code == 3  # pt-en and de-en have no model here
    assert sorted(_documents(out)) == ["news/dump.jsonl#de-2", "news/dump.jsonl#pt-1",
                                       "news/dump.jsonl#pt-3"]
    capsys.readouterr()
    assert main(["run", str(corpus), "--out", str(out), "--text-field", ".article.body"]) == 2
    assert ("input.text_field = '.article.body': a field path has no leading dot (jq's); "
            "write article.body") in capsys.readouterr().err
