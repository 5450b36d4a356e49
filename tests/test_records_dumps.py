"""Record dumps as data teams hold them (Hugging Face and datatrove exports, scraper
outputs): their copies differ from the original in nothing but the text."""

import json
from pathlib import Path

import pytest

from tests.test_records import _documents, _no_models, _run  # noqa: F401

# A text the cleanup leaves as it is: a clean copy of its record is the record.
PT = ("O porto de Lisboa reabriu ontem depois de três dias de greve. "
      "Os estivadores voltaram ao trabalho e os navios entraram de manhã.")


def _reasons(report: dict) -> dict[str, str]:
    return {q["doc"]: q["reason"] for q in report["quarantined"]}


def _hf_parquet(path: Path, texts: list[str]) -> None:
    """A Parquet file as a Hugging Face dataset writes it: large_string columns, the
    dataset's features in the schema's "huggingface" metadata; and what other writers
    add: a column's own metadata, a non-nullable text, a dictionary-encoded column,
    nulls, row groups of 2 rows, zstd."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    features = {"info": {"features": {"id": {"dtype": "large_string", "_type": "Value"},
                                      "text": {"dtype": "large_string", "_type": "Value"}}}}
    schema = pa.schema([
        pa.field("id", pa.large_string()),
        pa.field("text", pa.large_string(), nullable=False, metadata={b"about": b"body"}),
        pa.field("lang", pa.dictionary(pa.int32(), pa.string())),
        pa.field("score", pa.float32()),
        pa.field("note", pa.string()),
    ], metadata={b"huggingface": json.dumps(features).encode(), b"crawl": b"CC-2026-49"})
    rows = [{"id": f"r{n}", "text": text, "lang": "pt", "score": n / 4,
             "note": None if n % 2 else "x"} for n, text in enumerate(texts)]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, row_group_size=2,
                   compression="zstd", write_page_index=True)


def _layout(path: Path) -> tuple:
    """What a Parquet file is beside its values: schema (with every metadata), row
    groups, each column's compression and page index, the format version."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as parquet:
        meta = parquet.metadata
        groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
        return (parquet.schema_arrow, parquet.schema_arrow.metadata,
                [parquet.schema_arrow.field(i).metadata for i in range(meta.num_columns)],
                [g.num_rows for g in groups],
                {g.column(i).compression for g in groups for i in range(g.num_columns)},
                {g.column(i).has_column_index for g in groups for i in range(g.num_columns)},
                meta.format_version)


def test_a_parquet_copy_keeps_the_schema_row_groups_and_compression(tmp_path):
    # The copy's text column was `string` (a Hugging Face dataset's is large_string),
    # nullable and without its metadata; one row group, snappy.
    pq = pytest.importorskip("pyarrow.parquet")  # the parquet extra

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _hf_parquet(corpus / "d.parquet", [PT, PT + " Mais um.", PT, PT])
    _hf_parquet(tmp_path / "expected.parquet", [PT, PT + " Mais um.", PT, PT])
    result = _run(corpus, out)
    assert result.report["quarantined"] == [], result.report
    clean, translated = out / "clean" / "d.parquet", out / "translations" / "en" / "d.parquet"
    source = _layout(corpus / "d.parquet")
    assert source[3:6] == ([2, 2], {"ZSTD"}, {True})
    assert _layout(clean) == _layout(translated) == source
    assert pq.read_table(clean).equals(pq.read_table(tmp_path / "expected.parquet"))
    english = pq.read_table(translated).to_pylist()
    assert english[1]["text"].startswith("[en] O porto de Lisboa reabriu ontem")
    assert [r["note"] for r in english] == ["x", None, "x", None]


def test_a_parquet_text_column_becomes_nullable_only_for_a_record_without_text(tmp_path):
    pa = pytest.importorskip("pyarrow")  # the parquet extra
    pq = pytest.importorskip("pyarrow.parquet")

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _hf_parquet(corpus / "d.parquet", [PT, "  ", PT + " Mais um."])
    result = _run(corpus, out)
    assert _reasons(result.report) == {"d.parquet#r1": "row 2: field 'text' is empty"}
    copy = _layout(out / "clean" / "d.parquet")
    source = _layout(corpus / "d.parquet")
    text = source[0].field("text")
    assert copy[0] == source[0].set(1, text.with_nullable(True))
    assert copy[0].field("text").type == pa.large_string()
    assert copy[1:] == source[1:]
    assert pq.read_table(out / "clean" / "d.parquet").column("text").to_pylist() == [
        PT, None, PT + " Mais um."]


def test_a_last_line_without_newline_that_is_json_but_no_object_is_that_line_alone(
        tmp_path):
    # It was taken for a cut ("the file ends inside line 3, which is no JSON"): no copy
    # of the file was written, and the quarantine said to copy the file again.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    first = json.dumps({"id": 1, "text": PT}, ensure_ascii=False)
    second = json.dumps({"id": 2, "text": PT + " Mais um."}, ensure_ascii=False)
    for name, last in (("list.jsonl", '["a", "b"]'), ("string.jsonl", '"a, b"')):
        (corpus / name).write_text(f"{first}\n{second}\n{last}", encoding="utf-8")
    result = _run(corpus, out)
    assert _reasons(result.report) == {
        "list.jsonl#line-3": "line 3 is a JSON list, not an object; write one object per line",
        "string.jsonl#line-3": "line 3 is a JSON string, not an object; write one object per line"}
    for name in ("list.jsonl", "string.jsonl"):
        assert (out / "clean" / name).read_text(encoding="utf-8") == f"{first}\n{second}\n"


def _compressed(kind: str, data: bytes) -> bytes:
    import bz2
    import gzip
    import lzma

    if kind == "zst":
        pa = pytest.importorskip("pyarrow")
        sink = pa.BufferOutputStream()
        with pa.CompressedOutputStream(sink, "zstd") as packed:
            packed.write(data)
        return sink.getvalue().to_pybytes()
    return {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind](data)


def _decompressed(kind: str, data: bytes) -> bytes:
    import bz2
    import gzip
    import lzma

    if kind == "zst":
        import pyarrow as pa

        with pa.CompressedInputStream(pa.BufferReader(data), "zstd") as stream:
            return stream.read()
    return {"gz": gzip.decompress, "bz2": bz2.decompress, "xz": lzma.decompress}[kind](data)


@pytest.mark.parametrize("name", ["d.jsonl.bz2", "d.jsonl.xz", "d.jsonl.zst", "d.ndjson.gz",
                                  "d.ndjson.bz2"])
def test_compressed_json_lines_are_read_and_copied_in_their_compression(tmp_path, name):
    # Skipped: "not a format the pipeline reads", or ".gz: only .jsonl.gz and .html.gz
    # are read compressed".
    kind = name.rsplit(".", 1)[1]
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    lines = [json.dumps({"id": n, "text": f"{PT} Item {n}.", "n": n}, ensure_ascii=False)
             for n in range(3)]
    data = "".join(line + "\n" for line in lines).encode()
    (corpus / name).write_bytes(_compressed(kind, data))
    result = _run(corpus, out)
    assert result.report["ok"] == 3 and result.report["quarantined"] == [], result.report
    assert sorted(_documents(out)) == [f"{name}#{n}" for n in range(3)]
    copy = (out / "clean" / name).read_bytes()
    assert _decompressed(kind, copy) == data
    translated = _decompressed(kind, (out / "translations" / "en" / name).read_bytes())
    assert [json.loads(line)["text"][:12] for line in translated.splitlines()] == [
        "[en] O porto"] * 3
    _run(corpus, out, force=True)
    assert (out / "clean" / name).read_bytes() == copy  # the same bytes again


@pytest.mark.parametrize("kind", ["bz2", "xz", "zst"])
def test_a_truncated_compressed_file_keeps_the_records_before_the_cut(tmp_path, kind):
    from pipeline.readers.records import RecordsError, RecordsReader

    # Lines that do not repeat, so that the compressed stream is long enough to cut
    # after whole blocks (bzip2's are 900 kB of data, pyarrow's zstd reads 512 KiB).
    body = "".join(json.dumps({"id": n, "text": f"{PT} Item {n ** 7}.", "n": str(n ** 9)})
                   + "\n" for n in range(10_000))
    data = _compressed(kind, body.encode())
    path = tmp_path / f"d.jsonl.{kind}"
    path.write_bytes(data[: len(data) * 3 // 4])
    items = list(RecordsReader().items(path.name, path))
    name = {"bz2": "bzip2", "xz": "xz", "zst": "zstd"}[kind]
    *records, cut = items
    assert 1000 < len(records) < 10_000
    assert [item.doc for item in records] == [f"{path.name}#{n}" for n in range(len(records))]
    assert cut.cut and cut.doc == f"{path.name}#line-{len(records) + 1}"
    assert cut.problem == (f"truncated {name} file: records after line {len(records)} are "
                           "lost; copy the file again")
    # Cut before its first record: the file is quarantined whole, saying so.
    path.write_bytes(data[:20])
    with pytest.raises(RecordsError, match=f"^truncated {name} file: no record read; copy"):
        list(RecordsReader().items(path.name, path))


def test_other_compressed_files_are_skipped_saying_which_are_read(tmp_path, capsys):
    from pipeline.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    line = json.dumps({"id": 1, "text": PT}).encode() + b"\n"
    (corpus / "c4.json.gz").write_bytes(_compressed("gz", line))
    (corpus / "notes.txt.xz").write_bytes(_compressed("xz", PT.encode()))
    (corpus / "export.json").write_bytes(line)
    main(["run", str(corpus), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert ("skipped 1 .gz file: only .jsonl.gz, .ndjson.gz and .html.gz are read compressed "
            "(a .json.gz of one JSON object per line, as C4 and Dolma are, once renamed "
            ".jsonl.gz); decompress other files") in printed
    assert "skipped 1 .xz file: only JSON Lines are read compressed (.jsonl.bz2, " in printed
    assert "as Hugging Face datasets' to_json writes it) is read once renamed .jsonl" in printed


def test_a_json_lines_copy_keeps_every_byte_of_a_record_but_its_text(tmp_path):
    # The copy was each record written again by json.dumps: '{"id":"a","n":1e5}' came
    # back as '{"id": "a", "n": 100000.0}', "caf\u00e9" as "café", "\/" as "/", 0.10 as
    # 0.1, CRLF as LF, and the first of a key written twice was lost.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    text = json.dumps(PT)  # escaped as Python writes it: "tr\u00eas"
    changed = json.dumps(PT + " A decisão norte -americana surpreendeu.")
    lines = [
        b'\xef\xbb\xbf{"id":"a","text":' + text.encode() + b',"n":1e5,"f":0.10,"g":1.0}\r\n',
        b'{ "id" : "b" , "meta":{"u":"http:\\/\\/x.pt\\/1","big":12345678901234567890},'
        b'"text":"draft","text" :' + text.encode() + b'}\r\n',
        b'\r\n',
        b'{"id":"c","text":' + changed.encode() + b',"tags":["\\u00e9",null,true]}',
    ]
    (corpus / "d.jsonl").write_bytes(b"".join(lines))
    result = _run(corpus, out)
    assert result.report["quarantined"] == [] and result.report["ok"] == 3
    clean = (out / "clean" / "d.jsonl").read_bytes()
    # The cleanup changes the third text alone ("norte -americana"), escaped as it was.
    fixed = json.dumps(PT + " A decisão norte-americana surpreendeu.").encode()
    assert clean == b"".join(lines[:2]) + lines[3].replace(changed.encode(), fixed)
    translated = (out / "translations" / "en" / "d.jsonl").read_bytes().split(b"\r\n")
    english = [json.loads(line)["text"] for line in translated]
    assert [t[:12] for t in english] == ["[en] O porto"] * 3
    assert translated[0] == lines[0].removesuffix(b"\r\n").replace(
        text.encode(), json.dumps(english[0]).encode())
    assert translated[1].startswith(b'{ "id" : "b" , "meta":{"u":"http:\\/\\/x.pt\\/1",'
                                    b'"big":12345678901234567890},"text":"draft","text" :"')
    assert translated[2].endswith(b'","tags":["\\u00e9",null,true]}')


def test_a_json_lines_copy_writes_new_text_unescaped_where_the_source_is(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    line = '{"id":1,"text":' + json.dumps(PT, ensure_ascii=False) + ',"n":2.50}\n'
    (corpus / "d.jsonl").write_text(line, encoding="utf-8")
    _run(corpus, out)
    assert (out / "clean" / "d.jsonl").read_text(encoding="utf-8") == line
    english = (out / "translations" / "en" / "d.jsonl").read_text(encoding="utf-8")
    assert english.startswith('{"id":1,"text":"[en] O porto de Lisboa reabriu ontem depois '
                              'de três dias')
    assert english.endswith('","n":2.50}\n')


def test_a_text_that_is_no_string_is_named_by_its_json_kind(tmp_path):
    # The messages named Python's types: "holds int", "holds bool", "a JSON str".
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.jsonl").write_text('{"id":1,"text":5}\n{"id":2,"text":true}\n'
                                    '{"id":3,"text":{"body":"x"}}\n"x"\n', encoding="utf-8")
    assert _reasons(_run(corpus, out).report) == {
        "d.jsonl#1": "line 1: field 'text' holds number, not text",
        "d.jsonl#2": "line 2: field 'text' holds boolean, not text",
        "d.jsonl#3": "line 3: field 'text' holds object, not text",
        "d.jsonl#line-4": "line 4 is a JSON string, not an object; write one object per line"}


@pytest.mark.parametrize("value", ['a"b', "a\\", "a\\\"b\\\\", "\\\\\"", "é\u2028😀/", ""])
@pytest.mark.parametrize("space", ["", " ", "\r\n\t "])
def test_the_text_value_is_found_whatever_its_escapes_and_the_spacing(value, space):
    from pipeline.writers.records import value_span

    for escaped in (True, False):
        written = json.dumps(value, ensure_ascii=escaped)
        line = (f'{{{space}"k"{space}:{space}{written}{space},{space}"text"{space}:'
                f'{written}{space},"z":[{written}, {{"text": 1}}]{space}}}')
        assert json.loads(line)["text"] == value
        start, end = value_span(line, ("text",))
        assert line[start:end] == written
        assert line[end:].startswith(f'{space},"z":[')


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.csv", "feed.parquet"])
def test_a_record_file_replaced_by_a_fifo_is_refused_not_waited_on(tmp_path, name):
    """A FIFO put in a record file's place during a run (after its hash): opening it
    to read waited for a writer forever, and a stop signal did not end the wait."""
    import os
    import threading

    from pipeline.readers.records import RecordsError, RecordsReader

    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")  # the parquet extra: else its refusal says so
    fifo = tmp_path / name
    os.mkfifo(fifo)
    outcome: list[BaseException | str] = []

    def read() -> None:
        try:
            list(RecordsReader().rows(name, fifo))
            outcome.append("read")
        except Exception as exc:  # noqa: BLE001 - the test names what it expects
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        reader.join(120)  # against a hang: the refusal comes at once
    finally:
        if reader.is_alive():  # give the waiting open its writer, so the thread ends
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(120)
    assert len(outcome) == 1 and isinstance(outcome[0], RecordsError), outcome
    assert "no regular file" in str(outcome[0])
