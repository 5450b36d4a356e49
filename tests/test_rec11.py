"""Record files whose text field is not called "text" (a data team's dump: ``content``,
RedPajama's ``raw_content``...), and CSV files as Excel writes them."""

import json

import pytest

from tests.test_records import _documents, _no_models, _run  # noqa: F401

PT = ("O porto de Lisboa reabriu ontem depois de três dias de greve. "
      "Os estivadores voltaram ao trabalho e os navios entraram de manhã.")
PT2 = ("O preço do pão subiu dez por cento em Lisboa este mês. "
       "Os padeiros dizem que a farinha está mais cara.")


def _reasons(report: dict) -> dict[str, str]:
    return {q["doc"]: q["reason"] for q in report["quarantined"]}


def _config(text_field: str = "text"):
    from pipeline.config import Config

    config = Config(targets=["en"])
    config.input.text_field = text_field
    return config


def test_a_json_lines_dump_without_the_text_field_is_quarantined_once_naming_its_field(
        tmp_path):
    # 150 records calling their text "content": each was quarantined on its own (150
    # entries in report.json, a 2M-line dump 2M), each listing the record's fields.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    lines = [json.dumps({"id": n, "url": f"https://example.pt/{n}", "title": "Porto reabre",
                         "content": PT}, ensure_ascii=False) + "\n" for n in range(150)]
    (corpus / "dump.jsonl").write_text("".join(lines), encoding="utf-8")
    # RedPajama's layout, three records: the whole file read.
    red = [{"raw_content": PT2, "doc_id": f"d{n}", "meta": {"url": f"https://x.pt/{n}",
                                                            "title": "O preço do pão"}}
           for n in range(3)]
    (corpus / "red.jsonl").write_text("".join(json.dumps(r) + "\n" for r in red))
    result = _run(corpus, out)
    assert result.exit_code == 3
    assert _reasons(result.report) == {
        "dump.jsonl": "none of the first 100 records (lines 1 to 100) has text field 'text' "
                      "(fields: id, url, title, content); its text looks to be in 'content': "
                      '--text-field content (or [input] text_field = "content")',
        "red.jsonl": "none of its 3 records has text field 'text' (fields: raw_content, "
                     "doc_id, meta); its text looks to be in 'raw_content': --text-field "
                     'raw_content (or [input] text_field = "raw_content")'}
    assert not (out / "clean" / "dump.jsonl").exists()
    # The command it names reads the file.
    result = _run(corpus, tmp_path / "out2", _config("content"))
    assert result.report["ok"] == 150
    assert set(_reasons(result.report)) == {"red.jsonl"}


def test_a_dump_is_read_when_one_of_its_first_records_holds_the_text_field(tmp_path):
    # Records without the text before the first with it (a header record, a broken
    # line): the file is read, each of them quarantined on its own.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.jsonl").write_text(
        json.dumps({"id": "meta", "source": "example.pt", "note": "a dump of news"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "a", "text": PT}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "b", "body": PT2}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = _run(corpus, out)
    assert set(_reasons(result.report)) == {"d.jsonl#meta", "d.jsonl#line-2", "d.jsonl#b"}
    assert _documents(out)["d.jsonl#a"]["status"] == "ok"
    # A file holding only lines that are no JSON: said line by line, as before.
    (corpus / "d.jsonl").write_text("{not json\n[1, 2]\n")
    result = _run(corpus, tmp_path / "out2")
    assert set(_reasons(result.report)) == {"d.jsonl#line-1", "d.jsonl#line-2"}


def test_a_csv_that_names_its_delimiter_on_a_sep_line_as_excel_does_is_read(tmp_path):
    # Excel reads (and, asked to, writes) a first line "sep=;" naming the delimiter; the
    # header follows it. The file was quarantined whole: "no column 'text' (columns:
    # sep=, )". The copies keep the line (Excel opens them as it opened the source).
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    source = ('\ufeffsep=;\r\n'
              'id;text;preço\r\n'
              f'1;"{PT}";1,5\r\n'
              f'2;{PT2};2,0\r\n'
              '3;"a "b" c";0\r\n')
    (corpus / "excel.csv").write_bytes(source.encode("utf-8"))
    (corpus / "tabs.csv").write_text(f"sep=\t\nid\ttext\tn\nx\t{PT}, {PT2}\t1\n",
                                     encoding="utf-8")
    result = _run(corpus, out)
    docs = _documents(out)
    assert docs["excel.csv#1"]["status"] == "ok" and docs["excel.csv#2"]["status"] == "ok"
    assert docs["tabs.csv#x"]["status"] == "ok"
    # A stray quote is said at its own line: the sep line counted.
    assert _reasons(result.report) == {
        "excel.csv#row-3": "row 3 (line 5): ';' expected after '\"'; write a quote inside a "
                           'quoted field twice ("")'}
    clean = (out / "clean" / "excel.csv").read_bytes().decode("utf-8")
    assert clean == ('\ufeffsep=;\r\n'
                     'id;text;preço\r\n'
                     f'1;"{PT}";1,5\r\n'
                     f'2;{PT2};2,0\r\n')  # the row not read is left out, as before
    assert ((out / "clean" / "tabs.csv").read_text(encoding="utf-8")
            == f"sep=\t\nid\ttext\tn\nx\t{PT}, {PT2}\t1\n")


def test_a_csv_or_parquet_file_without_the_text_column_names_the_one_likely_holding_it(
        tmp_path):
    pa = pytest.importorskip("pyarrow")  # the parquet extra
    pq = pytest.importorskip("pyarrow.parquet")

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    # A CSV file's first rows are read for the column: the longest strings with spaces.
    (corpus / "d.csv").write_text(
        "id,url,titulo,corpo\n"
        f'1,https://example.pt/1,Porto reabre,"{PT}"\n'
        f'2,https://example.pt/2,Pão mais caro,"{PT2}"\n', encoding="utf-8")
    (corpus / "ids.csv").write_text("id,url\n1,https://example.pt/1\n")
    # A Parquet file's values are not read: a column of a usual name is named.
    pq.write_table(pa.Table.from_pylist([{"id": "a", "url": "https://example.pt/a",
                                          "article": PT}]), corpus / "p.parquet")
    pq.write_table(pa.Table.from_pylist([{"id": "a", "corpo": PT}]), corpus / "q.parquet")
    reasons = _reasons(_run(corpus, out).report)
    assert reasons == {
        "d.csv": "no column 'text' (columns: id, url, titulo, corpo); its text looks to be "
                 "in 'corpo': --text-field corpo (or [input] text_field = \"corpo\")",
        "ids.csv": "no column 'text' (columns: id, url); name the text column with "
                   "--text-field or [input] text_field",
        "p.parquet": "no column 'text' (columns: id, url, article); its text looks to be in "
                     "'article': --text-field article (or [input] text_field = \"article\")",
        "q.parquet": "no column 'text' (columns: id, corpo); name the text column with "
                     "--text-field or [input] text_field"}
