"""Record dumps as data teams hold them, second pass: CSV as Excel and R save it, ids
of two kinds, Parquet layouts, what the reader says about the files it does not read."""

import json

import pytest

from tests.test_records import _documents, _no_models, _run  # noqa: F401

# Texts the cleanup leaves as they are: a clean copy of their record is the record.
PT = ("O porto de Lisboa reabriu ontem depois de três dias de greve. "
      "Os estivadores voltaram ao trabalho e os navios entraram de manhã.")
PT2 = ("O preço do pão subiu dez por cento em Lisboa este mês. "
       "Os padeiros dizem que a farinha está mais cara.")


def _en(text: str) -> str:
    """The tagging engine's translation of ``text``: each sentence tagged."""
    return " ".join(f"[en] {sentence}." for sentence in text.removesuffix(".").split(". "))


def _reasons(report: dict) -> dict[str, str]:
    return {q["doc"]: q["reason"] for q in report["quarantined"]}


def test_a_csv_copy_keeps_the_bom_line_ends_and_quoting_of_its_source(tmp_path):
    # Excel writes a byte-order mark (without it Excel opens a UTF-8 copy as cp1252:
    # "trÃªs") and CRLF; R's write.csv quotes every string, not the numbers. The copies
    # had none of it: no mark, "\n", quotes only where needed.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    excel = ('\ufeffid,text,score,note\r\n'
             f'1,"{PT}",0.5,"a, b"\r\n'
             f'2,"{PT2}",,\r\n')
    r_style = ('"id","text","score"\n'
               f'"a",{PT},7\n'
               f'"b","{PT2}",8\n')
    (corpus / "excel.csv").write_bytes(excel.encode("utf-8"))
    (corpus / "r.csv").write_bytes(r_style.encode("utf-8"))
    result = _run(corpus, out)
    assert result.report["ok"] == 4 and result.report["quarantined"] == [], result.report
    # The clean texts are the records' own: the copies are the sources, byte for byte.
    assert (out / "clean" / "excel.csv").read_bytes() == excel.encode("utf-8")
    assert (out / "clean" / "r.csv").read_bytes() == r_style.encode("utf-8")
    # A translation changes the text's cell alone, quoted as the source's was.
    translated = (out / "translations" / "en" / "excel.csv").read_bytes().decode("utf-8")
    assert translated == ('\ufeffid,text,score,note\r\n'
                          f'1,"{_en(PT)}",0.5,"a, b"\r\n'
                          f'2,"{_en(PT2)}",,\r\n')
    translated = (out / "translations" / "en" / "r.csv").read_text(encoding="utf-8")
    assert translated == ('"id","text","score"\n'
                          f'"a",{_en(PT)},7\n'
                          f'"b","{_en(PT2)}",8\n')


def test_a_csv_copy_quotes_a_new_text_that_needs_it_and_keeps_a_record_across_lines(
        tmp_path):
    from pipeline.readers.records import RecordsReader
    from pipeline.writers.records import write_copies

    source = tmp_path / "d.csv"
    body = (f'id,text,url\r\n'
            f'1,"{PT}\r\n\r\nSegundo parágrafo.",https://example.org/1\r\n'
            f'2,{PT2},https://example.org/2\r\n'
            '\r\n'
            f'3,{PT2},"https://example.org/3?a=1,2"')  # no line end at the end
    source.write_bytes(body.encode("utf-8"))
    reader = RecordsReader()
    texts = {"d.csv#1": "Um, dois", "d.csv#2": 'Ele disse "sim".', "d.csv#3": "Três"}
    write_copies(tmp_path / "out", "d.csv", source, reader, ["translations/en/d.csv"],
                 lambda doc: {"translations/en/d.csv": texts[doc]})
    copy = (tmp_path / "out" / "translations" / "en" / "d.csv").read_bytes().decode("utf-8")
    # The blank line is left out, as a JSON Lines copy leaves blank lines out.
    assert copy == ('id,text,url\r\n'
                    '1,"Um, dois",https://example.org/1\r\n'
                    '2,"Ele disse ""sim"".",https://example.org/2\r\n'
                    '3,Três,"https://example.org/3?a=1,2"')


def test_a_csv_of_semicolons_and_a_tsv_are_read_and_copied_with_their_delimiter(tmp_path):
    # Excel where the comma is the decimal mark (Portugal, Germany, France) saves "CSV"
    # separated by semicolons; spreadsheets and datasets export .tsv. The first was
    # quarantined whole ("save the file with commas"), the second skipped.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    semi = f'id;text;preço\r\n1;{PT};0,5\r\n2;"{PT2}";1,25\r\n'
    # (A tab-separated cell is quoted where a writer quotes it: it holds a comma here;
    # "{PT2}" alone would be its text, quotes and all: rec12's raw TSV.)
    tsv = f'id\ttext\tnote\n1\t{PT}\ta, b; c\n2\t"Sim, {PT2}"\t\n'
    (corpus / "excel.csv").write_bytes(semi.encode("utf-8"))
    (corpus / "d.tsv").write_bytes(tsv.encode("utf-8"))
    result = _run(corpus, out)
    assert result.report["quarantined"] == [] and result.report["skipped"] == [], result.report
    assert sorted(_documents(out)) == ["d.tsv#1", "d.tsv#2", "excel.csv#1", "excel.csv#2"]
    assert (out / "clean" / "excel.csv").read_bytes() == semi.encode("utf-8")
    assert (out / "clean" / "d.tsv").read_bytes() == tsv.encode("utf-8")
    assert (out / "translations" / "en" / "excel.csv").read_bytes().decode("utf-8") == (
        f'id;text;preço\r\n1;{_en(PT)};0,5\r\n2;"{_en(PT2)}";1,25\r\n')
    assert (out / "translations" / "en" / "d.tsv").read_bytes().decode("utf-8") == (
        f'id\ttext\tnote\n1\t{_en(PT)}\ta, b; c\n2\t"{_en("Sim, " + PT2)}"\t\n')


def test_a_row_of_a_semicolon_csv_with_a_cell_too_many_says_semicolons(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "d.csv").write_text(f"id;text\n1;{PT}; disse ele\n2;{PT2}\n", encoding="utf-8")
    reasons = _reasons(_run(corpus, tmp_path / "out").report)
    assert reasons == {
        "d.csv#1": "row 1 has 3 fields, the header 2; quote fields that hold semicolons"}


def test_a_csv_saved_by_excel_on_windows_says_where_and_how_to_convert_it(tmp_path):
    # "not UTF-8 text; save the file as UTF-8" said neither where nor what it was.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "d.csv").write_bytes(f"id,text\r\n1,{PT}\r\n".encode("cp1252"))
    assert _reasons(_run(corpus, tmp_path / "out").report) == {"d.csv": (
        "not UTF-8 text (line 2, byte 0xea: 'três' in cp1252, as Excel on Windows saves "
        "CSV); save it as UTF-8 (Excel: 'CSV UTF-8'), or convert it: iconv -f cp1252 -t "
        "utf-8 FILE > NEW")}


def test_ids_of_two_kinds_that_collide_say_why(tmp_path):
    # A scraper wrote "1" in one record and 1 in another: "duplicate id '1' (line 2;
    # first on line 1)" left the user looking at two different values.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [{"id": "1", "text": PT}, {"id": 1, "text": PT2}, {"text": PT},
               {"id": "3", "text": PT2}, {"id": 5, "text": PT}, {"id": 5.0, "text": PT2}]
    (corpus / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records),
                                    encoding="utf-8")
    assert _reasons(_run(corpus, tmp_path / "out").report) == {
        "d.jsonl#1@line-2": ("duplicate id '1' in field 'id' (line 2, the number 1; first on "
                             'line 1, the string "1": the same id as text); give every '
                             "record its own id"),
        "d.jsonl#3@line-4": ("duplicate id '3' in field 'id' (line 4, the string \"3\"; first "
                             "on line 3, no id, its line number standing in: the same id as "
                             "text); give every record its own id"),
        # Of one kind (7.0 is how pandas writes the integer 7): as before.
        "d.jsonl#5@line-6": ("duplicate id '5' in field 'id' (line 6; first on line 5); give "
                             "every record its own id")}


def test_a_parquet_copy_keeps_the_bloom_filters_and_the_sorting_before_the_text(tmp_path):
    # Spark, DuckDB and datatrove writers declare the order of the rows and add bloom
    # filters for look-ups by id: the copies had neither.
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    rows = [{"lang": "pt", "id": f"r{n}", "text": f"{PT} Item {n}.", "n": n} for n in range(6)]
    pq.write_table(pa.Table.from_pylist(rows), corpus / "d.parquet", row_group_size=3,
                   sorting_columns=[pq.SortingColumn(0), pq.SortingColumn(1),
                                    pq.SortingColumn(2), pq.SortingColumn(3)],
                   bloom_filter_options={"id": True, "text": {"ndv": 100, "fpp": 0.01}})
    result = _run(corpus, out)
    assert result.report["ok"] == 6, result.report

    def layout(path):
        meta = pq.ParquetFile(path).metadata
        groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
        return ([[c.column_index for c in g.sorting_columns] for g in groups],
                [[g.column(i).path_in_schema for i in range(g.num_columns)
                  if g.column(i).bloom_filter_offset is not None] for g in groups])

    assert layout(corpus / "d.parquet") == ([[0, 1, 2, 3]] * 2, [["id", "text"]] * 2)
    # The texts changed (a translation): rows are sorted by lang and id still, not by
    # text, nor by what came after it.
    for copy in (out / "clean" / "d.parquet", out / "translations" / "en" / "d.parquet"):
        assert layout(copy) == ([[0, 1]] * 2, [["id", "text"]] * 2)
    table = pq.read_table(out / "translations" / "en" / "d.parquet")
    assert table.column("text")[0].as_py() == _en(f"{PT} Item 0.")


def test_arrow_and_feather_files_are_skipped_saying_how_to_save_them_as_parquet(
        tmp_path, capsys):
    # A Hugging Face dataset's save_to_disk folder, and a Feather file, were "not a
    # format the pipeline reads (...); convert it to .txt if it is text".
    pa = pytest.importorskip("pyarrow")
    import pyarrow.feather

    from pipeline.cli import main

    corpus = tmp_path / "corpus"
    (corpus / "ds").mkdir(parents=True)
    table = pa.table({"id": ["a"], "text": [PT]})
    with pa.ipc.new_stream(corpus / "ds" / "data-00000-of-00001.arrow", table.schema) as out:
        out.write_table(table)
    pyarrow.feather.write_feather(table, corpus / "t.feather")
    for name in ("dataset_info.json", "state.json"):  # beside the .arrow file
        (corpus / "ds" / name).write_text('{\n  "citation": ""\n}', encoding="utf-8")
    main(["run", str(corpus), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    # "write one JSON object per line as .jsonl": not what these are.
    assert ("skipped 2 .json files: write one JSON object per line as .jsonl (each line is "
            "then a document); a file that already holds one a line (as Hugging Face "
            "datasets' to_json writes it) is read once renamed .jsonl; a Hugging Face "
            "dataset's dataset_info.json and state.json describe its .arrow files: no "
            "documents") in printed
    assert ("skipped 1 .arrow file: an Arrow file (a Hugging Face dataset saved with "
            "save_to_disk): save it as Parquet, every field kept: datasets.load_from_disk("
            "DIR).to_parquet('DIR.parquet')") in printed
    assert ("skipped 1 .feather file: a Feather (Arrow) file: save it as Parquet, every "
            "field kept: pyarrow.parquet.write_table(pyarrow.feather.read_table(FILE), "
            "'FILE.parquet')") in printed


def test_a_parquet_text_inside_a_list_of_structs_says_what_to_do(tmp_path):
    # Articles saved as their sections ([{"title", "text"}, ...]): the message said
    # "name the text column with --text-field", which no name could satisfy.
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from pipeline.config import Config

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{"id": 1, "sections": [{"title": "Porto", "text": PT}, {"title": "Pão",
                                                                     "text": PT2}]}]
    pq.write_table(pa.Table.from_pylist(rows), corpus / "d.parquet")
    config = Config(targets=["en"])
    config.input.text_field = "sections.text"
    assert _reasons(_run(corpus, tmp_path / "out", config).report) == {"d.parquet": (
        "column 'sections' is a list of structs with title, text, not a struct with 'text'; "
        "a record's text is one string: write one record per item (pandas: "
        "DataFrame.explode), or name another column with --text-field")}


@pytest.mark.parametrize("quoting", ["minimal", "all", "nonnumeric"])
@pytest.mark.parametrize("end", ["\n", "\r\n"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_csv_copy_reads_back_as_its_source_but_the_texts(tmp_path, quoting, end, delimiter):
    import csv

    from pipeline.readers.records import RecordsReader
    from pipeline.writers.records import write_copies

    cells = ["", "a", 'say "hi"', "x,y", "p;q", "t\tu", "line\nbreak", " lead", '"', "é"]
    rows = [{"id": str(n), "text": cells[n % len(cells)] + f" {n}",
             "note": cells[(n * 3) % len(cells)], "n": n} for n in range(30)]
    source = tmp_path / ("d.tsv" if delimiter == "\t" else "d.csv")
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter,
                                lineterminator=end, quoting={
                                    "minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL,
                                    "nonnumeric": csv.QUOTE_NONNUMERIC}[quoting])
        writer.writeheader()
        writer.writerows(rows)
    reader = RecordsReader()
    docs = [item.doc for item in reader.items(source.name, source)]
    assert len(docs) == 30
    new = {doc: cells[(i * 7) % len(cells)] + ' "novo", fim' for i, doc in enumerate(docs)}
    old = {doc: row["text"] for doc, row in zip(docs, rows, strict=True)}
    write_copies(tmp_path / "out", source.name, source, reader, ["same", "new"],
                 lambda doc: {"same": old[doc], "new": new[doc]})
    # The texts as read: the source, byte for byte.
    assert (tmp_path / "out" / "same").read_bytes() == source.read_bytes()
    # New texts: every other cell as written, the texts as given.
    copy = (tmp_path / "out" / "new").read_bytes().decode("utf-8")
    with open(source, encoding="utf-8", newline="") as handle:
        before = list(csv.reader(handle, delimiter=delimiter))
    after = list(csv.reader(copy.splitlines(keepends=True), delimiter=delimiter))
    assert [row[:1] + row[2:] for row in after] == [row[:1] + row[2:] for row in before]
    assert [row[1] for row in after[1:]] == [new[doc] for doc in docs]
    # No cell holds a carriage return: each is a line end's, CRLF kept.
    assert copy.count("\r") == source.read_bytes().count(b"\r")
    assert copy.endswith(end)
