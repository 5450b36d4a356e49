"""Mirrored copies of a record file: ``OUT/clean/<file>`` and ``OUT/translations/<lang>/<file>``.

A copy has the format of its source (JSON Lines, compressed as it is, Parquet, CSV),
its records in the source's order with every other field kept, and the text field
replaced: by the record's clean (or translated) text, or by null (an empty CSV
cell) where the record has none: quarantined, failed, or a language pair without a
model. A line that was no JSON object at all has no fields to copy and is left out.
A JSON Lines record's line keeps every other byte (:func:`_spliced`), and so does a
CSV record's lines and the header (:func:`csv_spliced`).
A nested text field (``article.body``) is replaced in place: every other field, the
nesting and the order of the fields kept (Parquet: the struct column rebuilt with its
field replaced, the nulls kept); a record whose path leads into no object (missing,
null, a list) is copied as it is. A Parquet copy keeps the source's schema and
metadata, row groups (a larger one than :data:`GROUP_BYTES` written in slices) and
compression (:func:`_parquet`).

A copy is rebuilt whole from the per-record texts the state keeps, whenever any
record of its file changed (one changed record is the only one processed again).
Every copy is written to a temporary file and renamed into place, like every output.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from pipeline.folders import make_folders
from pipeline.readers.records import (
    FOUND,
    MISSING,
    QUOTED_MARKS,
    STREAMED,
    TABLES,
    FieldPath,
    RecordsReader,
    Row,
    column_path,
    compression,
    file_format,
    is_string_type,
    open_compressed,
    open_source,
    raw_tabs,
    sep_line,
    tab_cells,
    tab_value,
)
from pipeline.writers import TEMP_PREFIX, TEMP_SUFFIX, file_mode

# For each record id, its texts by output path ("clean/a.jsonl" -> text).
Texts = Callable[[str], dict[str, str]]


def record_text(text: str | None) -> str | None:
    """A document's copy as a record's text: without the file's final newline.

    >>> record_text("Title\\n\\nBody.\\n"), record_text(None)
    ('Title\\n\\nBody.', None)
    """
    return None if text is None else text.removesuffix("\n")


def atomic_binary(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write`` on a binary file that appears at ``path`` only when complete."""
    make_folders(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), file_mode())
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_copies(out: Path, rel: str, source: Path, reader: RecordsReader,
                 outputs: Iterable[str], texts: Texts) -> list[str]:
    """Write each of ``outputs`` (paths under OUT, e.g. ``clean/a.jsonl``) as a copy
    of the record file ``rel`` (at ``source``); return the paths written.

    ``texts(doc)`` gives a record's texts by output path. The source is read once per
    copy, as a stream (a Parquet copy whose text column is not nullable: twice).
    """
    written = []
    for output in outputs:
        def replaced(output: str = output) -> Iterator[tuple[Row, str | None]]:
            return ((row, record_text(texts(doc).get(output)))
                    for doc, row in reader.identified(rel, source) if row.fields is not None)

        header = reader.csv_header(rel, source) if file_format(rel) in TABLES else ("", ",")
        _write(out / output, file_format(rel), replaced, reader.text_path(rel), source, header)
        written.append(output)
    return written


def _write(path: Path, kind: str, read: Callable[[], Iterator[tuple[Row, str | None]]],
           field: FieldPath, source: Path, header: tuple[str, str] = ("", ",")) -> None:
    """Write the copy at ``path`` of the records ``read()`` gives (each with its new
    text): once, a Parquet copy with a text column that is not nullable twice."""
    if kind == "parquet":
        atomic_binary(path, lambda handle: _parquet(handle, read, field, source))
        return
    records = read()
    if kind in TABLES:
        atomic_binary(path, lambda handle: _csv(handle, records, field, *header))
    elif compression(kind):
        def compressed(handle: IO[bytes]) -> None:
            with open_compressed(handle, compression(kind), "wb") as packed:
                _jsonl(packed, records, field)
        atomic_binary(path, compressed)
    else:
        atomic_binary(path, lambda handle: _jsonl(handle, records, field))


def _replaced(fields: dict[str, Any], field: FieldPath, text: str | None) -> dict[str, Any]:
    """The record with ``field`` replaced, keeping the order of its fields; at a dotted
    path, in place, the objects on the way copied with theirs; a record whose path
    leads into no object (missing, or no object) unchanged.

    >>> _replaced({"id": 1, "text": "a", "url": "u"}, FieldPath("text"), "b")
    {'id': 1, 'text': 'b', 'url': 'u'}
    >>> record = {"id": 1, "article": {"title": "T", "body": "a", "n": 2}, "url": "u"}
    >>> _replaced(record, FieldPath("article.body"), "b")
    {'id': 1, 'article': {'title': 'T', 'body': 'b', 'n': 2}, 'url': 'u'}
    >>> record["article"]["body"]
    'a'
    >>> _replaced({"id": 1, "article": None}, FieldPath("article.body"), None)
    {'id': 1, 'article': None}
    >>> _replaced({"id": 1, "article": ["a"]}, FieldPath("article.body"), None)
    {'id': 1, 'article': ['a']}
    >>> _replaced({"id": 1, "article": {}}, FieldPath("article.body"), None)
    {'id': 1, 'article': {'body': None}}
    """
    if field.name in fields:  # the common case, without a path's look-up
        return {**fields, field.name: text}
    found = field.find(fields)
    keys = found.keys
    if found.state != FOUND and not (found.state == MISSING and (
            "." not in keys[-1] or not field.nested)):
        return fields  # its object missing (a dotted key is a path), or no object
    if len(keys) == 1:
        return {**fields, keys[0]: text}
    return _put(fields, keys, text)


def _put(fields: dict[str, Any], keys: tuple[str, ...], text: str | None) -> dict[str, Any]:
    inner = text if len(keys) == 1 else _put(fields[keys[0]], keys[1:], text)
    return {**fields, keys[0]: inner}


def _jsonl(handle: IO[bytes], records: Iterator[tuple[Row, str | None]],
           field: FieldPath) -> None:
    for row, text in records:
        line = _spliced(row, field, text)
        if line is None:
            line = json.dumps(_replaced(row.fields or {}, field, text),
                              ensure_ascii=False).encode("utf-8") + b"\n"
        handle.write(line)


def _spliced(row: Row, field: FieldPath, text: str | None) -> bytes | None:
    r"""A JSON Lines record's line in a copy: the source's line with the text field's
    value replaced and every other byte kept (spacing, key order, numbers as written:
    ``1.0``, ``1e5``; escapes: ``\u00e9``, ``\/``; the line's end, CRLF too; a
    byte-order mark), or the line as it is when the text is unchanged or the record is
    copied as it is (its path leads into no object). The new text is escaped as the
    source's (``\u00e9`` where the line is ASCII with ``\u`` escapes). None when the
    record must be written again: its text field is missing (it gets one, null).

    >>> line = rb'{"id":1.0,"text":"a","u":"\u00e9"}' + b"\r\n"
    >>> _spliced(Row(1, {"id": 1, "text": "a"}, line=line), FieldPath("text"), "café")
    b'{"id":1.0,"text":"caf\\u00e9","u":"\\u00e9"}\r\n'
    >>> _spliced(Row(2, {"id": 2}, line=b'{"id":2}\n'), FieldPath("text"), None) is None
    True
    """
    fields = row.fields or {}
    if not row.line:
        return None
    found = field.find(fields)
    if found.state != FOUND:
        copied = not (found.state == MISSING and ("." not in found.keys[-1]
                                                  or not field.nested))
        return row.line if copied else None  # as _replaced() decides
    if text == found.value:
        return row.line
    try:
        line = row.line.decode("utf-8")
        span = value_span(line, found.keys)
    except (UnicodeDecodeError, ValueError, StopIteration, IndexError):
        return None
    if span is None:
        return None
    start, end = span
    if isinstance(found.value, str) and not found.value.isascii():
        escaped = line[start:end].isascii()  # the source's text: its letters as \u escapes
    else:
        body = line.removeprefix("\ufeff")
        escaped = body.isascii() and "\\u" in body
    value = json.dumps(text, ensure_ascii=escaped)
    return (line[:start] + value + line[end:]).encode("utf-8")


_SCAN = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
_SPACE = re.compile(r"[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_COMMA = re.compile(r"[ \t\n\r]*,?[ \t\n\r]*")


def _string_end(line: str, at: int) -> int:
    r"""Where the JSON string whose first character is at ``at`` (after its quote) ends,
    after its closing quote; ``line`` is JSON (parsed already). Not decoded: a text is
    long, and is only stepped over.

    >>> line = r'"a\"b\\" x'
    >>> line[:_string_end(line, 1)]
    '"a\\"b\\\\"'
    """
    while True:
        end = line.index('"', at)
        escapes = end - 1
        while line[escapes] == "\\":
            escapes -= 1
        if (end - escapes) % 2:  # an even number of backslashes before it: not escaped
            return end + 1
        at = end + 1


def value_span(line: str, keys: tuple[str, ...]) -> tuple[int, int] | None:
    """Where the value at ``keys`` (an object's key, then a key of that object...) is
    written in the JSON object ``line``: the last of a key written twice, the one
    ``json.loads`` keeps. None when it is not there.

    >>> line = '{"a": {"b": [1, {"x": 2}], "t": "x"}, "t": "y", "t":"z"}'
    >>> [line[slice(*value_span(line, keys))] for keys in (("a", "t"), ("t",), ("a",))]
    ['"x"', '"z"', '{"b": [1, {"x": 2}], "t": "x"}']
    >>> value_span(line, ("b",)), value_span(line, ("t", "u"))
    (None, None)
    """
    at = _SPACE.match(line, 1 if line.startswith("\ufeff") else 0).end()
    span = None
    for key in keys:
        if line[at:at + 1] != "{":
            return None
        at = _SPACE.match(line, at + 1).end()
        span = None
        while line[at:at + 1] == '"':
            name, at = json.decoder.scanstring(line, at + 1)  # type: ignore[attr-defined]
            colon = _COLON.match(line, at)
            if colon is None:
                return None
            start = colon.end()
            at = _string_end(line, start + 1) if line[start] == '"' else _SCAN(line, start)[1]
            if name == key:
                span = (start, at)
            at = _COMMA.match(line, at).end()  # the line is JSON: a comma or the end
        if span is None:
            return None
        at = span[0]
    return span


def _csv(handle: IO[bytes], records: Iterator[tuple[Row, str | None]], field: FieldPath,
         header: str, delimiter: str) -> None:
    """A CSV copy: the source's header as it is (a byte-order mark, quoting, line end),
    then each record's lines with the text's cell replaced (:func:`csv_spliced`); a
    record whose cells do not match the header is written again, as the csv module
    writes it, its missing cells empty and extra ones left out."""
    text_handle = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    sep, _ = sep_line(header)  # Excel's "sep=;" line before the header: kept
    body = header[len(sep):].removeprefix("\ufeff")
    tabs = raw_tabs(delimiter, body)  # read cell by cell: spliced the same way
    if tabs:
        names = [tab_value(body, cell) for cell in tab_cells(body)[0]] if body else []
    else:
        names = next(csv.reader([body], delimiter=delimiter), [])
    at = names.index(field.name) if field.name in names else -1
    end = header[len(header.rstrip("\r\n")):] or "\n"
    writer = csv.DictWriter(text_handle, fieldnames=names, delimiter=delimiter,
                            lineterminator=end, extrasaction="ignore")
    text_handle.write(header if header.endswith(("\r", "\n")) else header + end)
    for row, text in records:
        fields = row.fields or {}
        new = "" if text is None else text
        spliced = None
        if row.raw and at >= 0:
            spliced = row.raw if new == fields.get(field.name) else tab_spliced(
                row.raw, at, len(names), new) if tabs else csv_spliced(
                row.raw, at, len(names), new, delimiter)
        if spliced is None:
            writer.writerow(_replaced(fields, field, new))
        else:
            text_handle.write(spliced)
    text_handle.flush()
    text_handle.detach()


def _csv_cells(record: str, delimiter: str = ",") -> list[tuple[int, int]] | None:
    r"""Where each cell of a CSV record (its lines as read) is written: (start, end),
    a quoted cell's quotes included; the record's line end follows the last. None where
    it is not CSV as the csv module reads it strictly (the reader said so already).

    >>> _csv_cells('1,"a ""b"", c",,x\r\n')
    [(0, 1), (2, 14), (15, 15), (16, 17)]
    """
    cells = []
    at = 0
    while True:
        if record.startswith('"', at):
            close = at + 1
            while (close := record.find('"', close)) >= 0 and record.startswith('""', close):
                close += 2
            if close < 0:
                return None
            end = close + 1
        else:
            end = len(record)
            for mark in (delimiter, "\r", "\n"):
                found = record.find(mark, at, end)
                if found >= 0:
                    end = found
        cells.append((at, end))
        if not record.startswith(delimiter, end):
            return cells if not record[end:].strip("\r\n") else None
        at = end + 1


def csv_spliced(record: str, at: int, count: int, text: str, delimiter: str = ","
                ) -> str | None:
    r"""A CSV record's lines with its cell ``at`` (of ``count``, the header's) holding
    ``text``: every other byte kept (the other cells as written, quoted or not, the
    line end: CRLF too); the new text quoted where the source's was, else where it
    must be (the delimiter, a quote, a line break). None when the record does not have
    ``count`` cells.

    >>> csv_spliced('7,"Olá",x\r\n', 1, 3, 'a "b" c')
    '7,"a ""b"" c",x\r\n'
    >>> csv_spliced("7,Olá,x\n", 1, 3, "a\nb"), csv_spliced("7,Olá,x\n", 1, 3, "c")
    ('7,"a\nb",x\n', '7,c,x\n')
    >>> csv_spliced("Olá\r\n", 0, 1, ""), csv_spliced("7,Olá\n", 1, 3, "c")
    ('""\r\n', None)
    """
    cells = _csv_cells(record, delimiter)
    if cells is None or len(cells) != count:
        return None
    start, end = cells[at]
    quoted = record.startswith('"', start) or any(mark in text for mark in (
        delimiter, '"', "\r", "\n")) or (
        count == 1 and not text)  # a lone empty cell would be a blank line, left out
    value = '"' + text.replace('"', '""') + '"' if quoted else text
    return record[:start] + value + record[end:]


def tab_spliced(record: str, at: int, count: int, text: str) -> str | None:
    r"""A tab-separated record's lines (:func:`~pipeline.readers.records.tab_cells`)
    with its cell ``at`` (of ``count``) holding ``text``, every other byte kept. The
    new text is quoted as the source's where that reads back (it holds a tab, a line
    break, a quote or a comma); else written as it is where it reads back so: no tab,
    no line break, and no quote at its start but where the source's text started with
    one unquoted (a file without quoting: its texts' quotes are text); else quoted.
    None when the record does not have ``count`` cells.

    >>> tab_spliced('7\t"Hi"\tx\n', 1, 3, '"Olá"'), tab_spliced('7\tHi\tx\n', 1, 3, 'a "b"')
    ('7\t"Olá"\tx\n', '7\ta "b"\tx\n')
    >>> tab_spliced('7\t"a\tb"\n', 1, 2, "c, d"), tab_spliced('7\t"a\tb"\n', 1, 2, "c")
    ('7\t"c, d"\n', '7\tc\n')
    >>> tab_spliced('7\tOlá\n', 1, 2, "a\nb"), tab_spliced('7\tOlá\n', 1, 3, "c")
    ('7\t"a\nb"\n', None)
    """
    if '"' in record:
        cells = tab_cells(record)[0]
        if len(cells) != count:
            return None
        start, end, quoted = cells[at]
    else:  # the usual record: its cells as they are
        parts = record.rstrip("\r\n").split("\t")
        if len(parts) != count:
            return None
        start = sum(map(len, parts[:at])) + at
        end, quoted = start + len(parts[at]), False
    if (quoted and (not text or any(mark in text for mark in QUOTED_MARKS))) or not (
            "\t" not in text and "\n" not in text and "\r" not in text and (count > 1 or text)
            and (not text.startswith('"') or (record.startswith('"', start) and not quoted
                                              and not tab_cells(text)[0][0][2]))):
        text = '"' + text.replace('"', '""') + '"'  # quoted as the source's, or as it must be
    return record[:start] + text + record[end:]


def _parquet(handle: IO[bytes], read: Callable[[], Iterator[tuple[Row, str | None]]],
             field: FieldPath, source: Path) -> None:
    """The source written again row group by row group (one, or a slice of a large one:
    :func:`_group_slices`, in memory at a time), with its text column replaced: its
    schema (the text column's type, such as the ``large_string`` of Hugging Face
    datasets, its metadata, the file's key-value metadata), its row groups,
    compression and format version kept. A text column that
    is not nullable becomes nullable only where a record without text needs the null
    (the records are then read twice: first to know, keeping none of their texts)."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(open_source(source), **STREAMED) as parquet:
        schema = parquet.schema_arrow
        keys = column_path(schema, field)
        index = schema.get_field_index(keys[0])
        nulls = not _leaf(schema.field(index), keys[1:]).nullable and any(
            text is None for _, text in read())
        texts: Iterator[str | None] = (text for _, text in read())
        text_field = _copy_field(schema.field(index), keys[1:], nulls)
        schema = schema.set(index, text_field)
        options = _written_like(parquet.metadata, ".".join(keys))
        with pq.ParquetWriter(handle, schema, **options) as writer:
            for group in range(parquet.num_row_groups):
                for table in _group_slices(parquet, group):
                    part = list(itertools.islice(texts, table.num_rows))
                    if len(keys) == 1:
                        column = _text_array(part, text_field.type)
                    else:
                        column = _with_text(table.column(index).combine_chunks(), keys[1:],
                                            part, text_field.type)
                    table = table.set_column(index, text_field, column)
                    writer.write_table(table, row_group_size=table.num_rows)


# The largest row group (bytes of its columns' data, uncompressed: its footer's
# total_byte_size) a Parquet copy holds in memory: a larger one is copied as several
# row groups of at most about this size (pyarrow writes a row group from a whole
# table). A row group of 1,048,576 rows of 2 KB texts (pyarrow's default rows) is 2 GB.
GROUP_BYTES = 128 << 20


def _group_slices(parquet: Any, group: int) -> Iterator[Any]:
    """The row group ``group`` of ``parquet`` as tables: itself, or, larger than
    :data:`GROUP_BYTES`, its rows in slices of about that size (empty: none). Read in
    batches of 1,024 rows: pyarrow's reader takes about twice more memory to read a
    row group whole (or in large batches) than the table it gives."""
    import pyarrow as pa

    meta = parquet.metadata.row_group(group)
    if not meta.num_rows:
        return
    parts = -(-meta.total_byte_size // GROUP_BYTES)
    rows = -(-meta.num_rows // parts)
    batches = parquet.iter_batches(batch_size=min(rows, 1024), row_groups=[group],
                                   use_threads=False)
    slice_: list[Any] = []
    held = 0
    for batch in batches:
        slice_.append(batch)
        held += batch.num_rows
        if held >= rows:
            yield pa.Table.from_batches(slice_)
            slice_, held = [], 0
    if slice_:
        yield pa.Table.from_batches(slice_)


# Parquet's codec names (a file's metadata) as pyarrow's writer takes them.
CODECS = {"UNCOMPRESSED": "none", "SNAPPY": "snappy", "GZIP": "gzip", "BROTLI": "brotli",
          "ZSTD": "zstd", "LZ4": "lz4", "LZ4_RAW": "lz4"}


def _written_like(metadata: Any, text: str) -> dict[str, Any]:
    """The options that write a Parquet file as the one of ``metadata`` was: each
    column's compression (its first row group's), the page index (the Hugging Face
    Hub's files have one), the bloom filters (the same columns': each is built again,
    of the copy's values, sized for a row group's), the sorting columns said of every
    row group (those before the text column ``text``, a dotted path: the copy's texts
    are in no order) and the format version."""
    options: dict[str, Any] = {}
    if metadata.num_row_groups:
        group = metadata.row_group(0)
        columns = [group.column(i) for i in range(group.num_columns)]
        codecs = {column.path_in_schema: CODECS.get(column.compression) for column in columns}
        if None not in codecs.values():
            options["compression"] = codecs
        if any(column.has_column_index for column in columns):
            options["write_page_index"] = True
        blooms = {column.path_in_schema: True for column in columns
                  if getattr(column, "bloom_filter_offset", None) is not None}
        if blooms and _writer_takes("bloom_filter_options"):  # a recent pyarrow (26 does)
            options["bloom_filter_options"] = blooms
        sorting = getattr(group, "sorting_columns", ())
        if sorting and all(metadata.row_group(i).sorting_columns == sorting
                           for i in range(1, metadata.num_row_groups)):
            kept = list(itertools.takewhile(
                lambda by: by.column_index < len(columns)
                and columns[by.column_index].path_in_schema != text, sorting))
            if kept:
                options["sorting_columns"] = kept
    if metadata.format_version in ("1.0", "2.4", "2.6"):
        options["version"] = metadata.format_version
    return options


@functools.cache
def _writer_takes(option: str) -> bool:
    """Whether pyarrow's ParquetWriter takes ``option`` (a newer one: bloom filters)."""
    import inspect

    import pyarrow.parquet as pq

    return option in inspect.signature(pq.ParquetWriter.__init__).parameters


def _holds_text(kind: Any) -> bool:
    """Whether a column of pyarrow type ``kind`` can hold a copy's texts as they are:
    the string types, and a dictionary of strings."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return is_string_type(kind) or pa.types.is_string_view(kind)


def _leaf(field: Any, keys: tuple[str, ...]) -> Any:
    """The field at ``keys`` in the struct ``field`` (``field`` itself for none)."""
    for key in keys:
        field = field.type.field(key)
    return field


def _copy_field(field: Any, keys: tuple[str, ...], nulls: bool) -> Any:
    """The copy's field for the source's ``field``: the same, but at ``keys`` (the text
    field, a struct's field at a dotted path) a type that holds text (its own when it
    does) and nullable when ``nulls`` (a record without text) need it."""
    import pyarrow as pa

    if not keys:
        kind = field.type if _holds_text(field.type) else pa.string()
        return field.with_type(kind).with_nullable(field.nullable or nulls)
    fields = list(field.type)
    at = field.type.get_field_index(keys[0])
    fields[at] = _copy_field(fields[at], keys[1:], nulls)
    return field.with_type(pa.struct(fields))


def _text_array(texts: list[str | None], kind: Any) -> Any:
    """``texts`` as an array of the text column's type ``kind`` (:func:`_copy_field`)."""
    import pyarrow as pa

    if is_string_type(kind):
        return pa.array(texts, type=kind)
    return pa.array(texts, type=pa.string()).cast(kind)


def _with_text(array: Any, keys: tuple[str, ...], texts: list[str | None], kind: Any) -> Any:
    """A struct ``array`` with its field at ``keys`` replaced by ``texts``, as the struct
    type ``kind`` of the copy (:func:`_copy_field`): its other fields, their order, names
    and nulls kept, and the struct's own nulls (a record without the object)."""
    import pyarrow as pa

    children = [array.field(i) for i in range(kind.num_fields)]
    at = kind.get_field_index(keys[0])
    if len(keys) == 1:
        children[at] = _text_array(texts, kind.field(at).type)
    else:
        children[at] = _with_text(children[at], keys[1:], texts, kind.field(at).type)
    mask = array.is_null() if array.null_count else None
    return pa.StructArray.from_arrays(children, fields=list(kind), mask=mask)
