"""Tab-separated dumps as people write them: without any quoting (Tatoeba's sentences,
MT corpora), or CSV with tabs (pandas, Excel); header-less files; large Parquet row
groups."""

import csv

import pytest

from tests.test_records import _documents, _no_models, _run  # noqa: F401

# Texts the cleanup leaves as they are: a clean copy of their record is the record.
PT = ("O porto de Lisboa reabriu ontem depois de três dias de greve. "
      "Os estivadores voltaram ao trabalho e os navios entraram de manhã.")
PT2 = ("O preço do pão subiu dez por cento em Lisboa este mês. "
       "Os padeiros dizem que a farinha está mais cara.")

# A raw TSV: no quoting at all, a text's quotes are its own. Row 2's text is quoted
# whole, row 3's starts with a quotation, row 4's opens a quote it never closes (the
# rest of the file was swallowed into it), row 6's ends with one.
RAW = ("id\tlang\ttext\n"
       '1\tpor\t"Olá"\n'
       '2\tpor\t"Sim, obrigado," disse ele.\n'
       '3\tpor\t"O porto reabriu\n'
       f"4\tpor\t{PT}\n"
       '5\tpor\tEle disse "não" ontem.\n'
       f'6\tpor\t{PT2} "\n')
TEXTS = ['"Olá"', '"Sim, obrigado," disse ele.', '"O porto reabriu', PT,
         'Ele disse "não" ontem.', f'{PT2} "']


def _texts(name: str, body: str) -> dict[str, str]:
    from pathlib import Path

    from pipeline.readers.records import RecordsReader

    path = Path(name)
    return {item.doc: item.raw.decode("utf-8") or item.problem
            for item in RecordsReader().items(path.name, path)}


@pytest.mark.parametrize("name", ["sentences.tsv", "sentences.csv"])
def test_a_tsv_without_quoting_is_read_as_its_lines_split_on_tabs(tmp_path, name):
    # Its quotes were read as CSV quoting: row 1 lost them, rows 2 and 3 were
    # quarantined with the stray-quote message, and row 3's open quote swallowed the
    # rows after it. A .csv separated by tabs (Tatoeba's sentences.csv) is read alike.
    source = tmp_path / name
    source.write_text(RAW, encoding="utf-8")
    assert _texts(str(source), RAW) == {f"{name}#{n}": text
                                        for n, text in enumerate(TEXTS, 1)}


def test_a_tsv_without_quoting_is_copied_without_quoting(tmp_path):
    from pipeline.readers.records import RecordsReader
    from pipeline.writers.records import write_copies

    source = tmp_path / "d.tsv"
    source.write_text(RAW, encoding="utf-8")
    reader = RecordsReader()
    docs = [item.doc for item in reader.items(source.name, source)]
    same = dict(zip(docs, TEXTS, strict=True))
    new = dict(zip(docs, ['"Hello"', '"Yes, thanks," he said.', '"The port reopened',
                          "Um\tdois", 'He said "no" yesterday.', "Três\n\nQuatro"],
                     strict=True))
    write_copies(tmp_path / "out", source.name, source, reader, ["same", "new"],
                 lambda doc: {"same": same[doc], "new": new[doc]})
    assert (tmp_path / "out" / "same").read_text(encoding="utf-8") == RAW
    # Each text as it is, its quotes its own; quoted only where a cell must be (a tab,
    # a line break), as a CSV writer quotes it.
    copy = (tmp_path / "out" / "new").read_text(encoding="utf-8")
    assert copy == ("id\tlang\ttext\n"
                    '1\tpor\t"Hello"\n'
                    '2\tpor\t"Yes, thanks," he said.\n'
                    '3\tpor\t"The port reopened\n'
                    '4\tpor\t"Um\tdois"\n'
                    '5\tpor\tHe said "no" yesterday.\n'
                    '6\tpor\t"Três\n\nQuatro"\n')
    # And the copy reads back as those texts.
    (tmp_path / "back.tsv").write_text(copy, encoding="utf-8")
    assert list(_texts(str(tmp_path / "back.tsv"), copy).values()) == list(new.values())


def test_a_raw_tsv_is_cleaned_and_translated_in_its_own_layout(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    raw = f'id\ttext\n1\t"{PT}"\n2\t"{PT2}\n'
    (corpus / "d.tsv").write_text(raw, encoding="utf-8")
    result = _run(corpus, out)
    assert result.report["quarantined"] == [], result.report
    assert sorted(_documents(out)) == ["d.tsv#1", "d.tsv#2"]
    assert (out / "clean" / "d.tsv").read_text(encoding="utf-8") == raw
    translated = (out / "translations" / "en" / "d.tsv").read_text(encoding="utf-8")
    # One record a line, as the source: the quotes are the texts' own, never doubled.
    assert translated.splitlines()[0] == "id\ttext"
    assert [line.split("\t")[0] for line in translated.splitlines()[1:]] == ["1", "2"]
    assert '""' not in translated


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_a_tsv_written_by_a_csv_writer_is_read_as_it_wrote_it(tmp_path, quoting):
    # pandas' to_csv(sep="\t") and Python's csv quote a cell that holds a tab, a line
    # break or a quote; QUOTE_ALL (and R) every one, the header's names too.
    cells = ['"Olá"', "a\tb", "um\n\ndois", 'diz "sim"', "", "x, y", '"', "fim"]
    source = tmp_path / "d.tsv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", quoting=quoting, lineterminator="\n")
        writer.writerow(["id", "text"])
        writer.writerows([str(n), cell] for n, cell in enumerate(cells, 1))
    texts = _texts(str(source), "")
    assert texts == {f"d.tsv#{n}": cell or "row 5: field 'text' is empty"
                     for n, cell in enumerate(cells, 1)}


def test_a_parquet_copy_of_a_large_row_group_is_written_in_slices(tmp_path, monkeypatch):
    # A copy read a whole source row group into memory: pyarrow's default of 1,048,576
    # rows of 2 KB texts is 2 GB (peak 1.8 GB for a 0.5 GB group: bench/records.py
    # --memory). A row group over GROUP_BYTES is now copied in slices of about that
    # size, each its own row group; a smaller one stays one row group.
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import pipeline.writers.records as writers
    from pipeline.readers.records import RecordsReader

    monkeypatch.setattr(writers, "GROUP_BYTES", 20_000, raising=False)
    texts = [f"{PT} {n}" for n in range(1500)]  # ~200 KB: about 10 slices
    table = pa.table({"id": [f"r{n}" for n in range(1500)], "text": texts,
                      "n": pa.array(range(1500), pa.int64())})
    big, small = tmp_path / "big.parquet", tmp_path / "small.parquet"
    pq.write_table(table, big, row_group_size=1500)
    pq.write_table(table.slice(0, 40), small, row_group_size=20)
    reader = RecordsReader()
    for source in (big, small):
        docs = [item.doc for item in reader.items(source.name, source)]
        new = {doc: f"Texto {n}." for n, doc in enumerate(docs)}
        writers.write_copies(tmp_path / "out", source.name, source, reader, [source.name],
                             lambda doc, name=source.name, new=new: {name: new[doc]})
    copy = pq.ParquetFile(tmp_path / "out" / "big.parquet")
    groups = [copy.metadata.row_group(g) for g in range(copy.metadata.num_row_groups)]
    assert len(groups) >= 5
    assert all(group.total_byte_size < 3 * 20_000 for group in groups)
    assert sum(group.num_rows for group in groups) == 1500
    read = copy.read()
    assert read.column("text").to_pylist() == [f"Texto {n}." for n in range(1500)]
    assert read.column("id").to_pylist() == table.column("id").to_pylist()
    assert read.column("n").to_pylist() == list(range(1500))
    # Row groups under the bound: the same layout as the source's.
    copy = pq.ParquetFile(tmp_path / "out" / "small.parquet").metadata
    assert [copy.row_group(g).num_rows for g in range(copy.num_row_groups)] == [20, 20]


def test_a_file_without_a_header_says_so_and_the_command_it_names_reads_it(tmp_path):
    # Tatoeba's sentences.csv: tabs, no header. Its first row was taken as the header
    # and the message suggested its sentence as the text column (--text-field
    # '我們試試看！'), which read the file without that row.
    import subprocess

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    body = ("1\tcmn\t我們試試看！\n"
            "2\tcmn\t我今天做了什麼？\n"
            "1276\teng\tLet's try something.\n"
            '1277\teng\t"I have to go to sleep," he said.\n')
    (corpus / "sentences.csv").write_text(body, encoding="utf-8")
    reason = {q["doc"]: q["reason"] for q in _run(corpus, out).report["quarantined"]}
    assert reason == {"sentences.csv": (
        "no column 'text' (columns: 1, cmn, 我們試試看！); its first row looks like a "
        "record, not a header (a column named '1', a number): add a header line naming "
        "its columns, e.g. (printf 'id\\tcol2\\ttext\\n'; cat sentences.csv) > "
        "with-header.csv")}
    command = reason["sentences.csv"].split("e.g. ", 1)[1]
    subprocess.run(["sh", "-c", command], cwd=corpus, check=True)
    (corpus / "with-header.csv").replace(corpus / "sentences.csv")
    result = _run(corpus, tmp_path / "out2")
    assert result.report["quarantined"] == [], result.report
    assert sorted(_documents(tmp_path / "out2")) == [
        "sentences.csv#1", "sentences.csv#1276", "sentences.csv#1277", "sentences.csv#2"]
    assert (tmp_path / "out2" / "clean" / "sentences.csv").read_text(encoding="utf-8") == (
        "id\tcol2\ttext\n" + body)


def test_a_quoted_cell_closes_within_its_bound_or_its_quotes_are_text():
    # A quote that opens a cell is looked for its close a bounded way ahead (lines and
    # characters): the lines read ahead are read again as records of their own.
    from pipeline.readers.records import _tab_records

    lines = ['1\t"a\n', "2\tb\n", "3\tc\n", '4\td"\n', "5\te\n"]
    assert [values for _, values in _tab_records(iter(lines))] == [
        ["1", "a\n2\tb\n3\tc\n4\td"], ["5", "e"]]
    for bound in ({"limit": 3}, {"chars": 12}):
        assert [values for _, values in _tab_records(iter(lines), **bound)] == [
            ["1", '"a'], ["2", "b"], ["3", "c"], ["4", 'd"'], ["5", "e"]]


def test_a_tsv_whose_header_quotes_a_name_is_csv_throughout(tmp_path):
    # A header with one quoted name (a hand-edited export): its quotes were kept in the
    # name, and the file quarantined for want of a column 'text'.
    source = tmp_path / "d.tsv"
    body = 'id\t"text"\n1\t"Olá"\n'
    source.write_text(body, encoding="utf-8")
    assert _texts(str(source), body) == {"d.tsv#1": "Olá"}


def test_a_parquet_copy_with_a_text_column_not_nullable_keeps_no_more_than_a_row_group(
        tmp_path):
    # Whether the copy's text column must become nullable (a record without text) was
    # known by gathering every text of the file first: a file's texts in memory at
    # once. They are now read twice instead, the first time keeping none.
    import tracemalloc

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from pipeline.readers.records import RecordsReader
    from pipeline.writers.records import write_copies

    schema = pa.schema([("id", pa.string()), pa.field("text", pa.string(), nullable=False)])
    source = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": [f"r{n}" for n in range(2000)],
                             "text": [f"Texto {n}." for n in range(2000)]}, schema=schema),
                   source, row_group_size=100)
    reader = RecordsReader()
    tracemalloc.start()
    try:
        # Each copy's text made anew, 10 KB: 2,000 of them are 20 MB.
        write_copies(tmp_path / "out", source.name, source, reader, ["c.parquet"],
                     lambda doc: {"c.parquet": doc + " Fim." * 2000})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak
    copy = pq.read_table(tmp_path / "out" / "c.parquet")
    assert copy.schema.field("text").nullable is False
    assert copy.column("text").to_pylist()[1999] == "d.parquet#r1999" + " Fim." * 2000
