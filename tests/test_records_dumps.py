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
                   compression="zstd")


def _layout(path: Path) -> tuple:
    """What a Parquet file is beside its values: schema (with every metadata), row
    groups and each column's compression."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as parquet:
        meta = parquet.metadata
        groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
        return (parquet.schema_arrow, parquet.schema_arrow.metadata,
                [parquet.schema_arrow.field(i).metadata for i in range(meta.num_columns)],
                [g.num_rows for g in groups],
                {g.column(i).compression for g in groups for i in range(g.num_columns)},
                meta.format_version)


def test_a_parquet_copy_keeps_the_schema_row_groups_and_compression(tmp_path):
    # The copy's text column was `string` (a Hugging Face dataset's is large_string),
    # nullable and without its metadata; one row group, snappy.
    import pyarrow.parquet as pq

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    _hf_parquet(corpus / "d.parquet", [PT, PT + " Mais um.", PT, PT])
    _hf_parquet(tmp_path / "expected.parquet", [PT, PT + " Mais um.", PT, PT])
    result = _run(corpus, out)
    assert result.report["quarantined"] == [], result.report
    clean, translated = out / "clean" / "d.parquet", out / "translations" / "en" / "d.parquet"
    source = _layout(corpus / "d.parquet")
    assert source[3:5] == ([2, 2], {"ZSTD"})
    assert _layout(clean) == _layout(translated) == source
    assert pq.read_table(clean).equals(pq.read_table(tmp_path / "expected.parquet"))
    english = pq.read_table(translated).to_pylist()
    assert english[1]["text"].startswith("[en] O porto de Lisboa reabriu ontem")
    assert [r["note"] for r in english] == ["x", None, "x", None]


def test_a_parquet_text_column_becomes_nullable_only_for_a_record_without_text(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

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
        "string.jsonl#line-3": "line 3 is a JSON str, not an object; write one object per line"}
    for name in ("list.jsonl", "string.jsonl"):
        assert (out / "clean" / name).read_text(encoding="utf-8") == f"{first}\n{second}\n"
