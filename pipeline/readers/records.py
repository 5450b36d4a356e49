"""Record corpora: JSON Lines (``.jsonl``, ``.jsonl.gz``), Parquet and CSV files.

Each record is a document. Its text is the field named by ``text_field`` (``--text-field``,
``[input] text_field``, default ``text``); its id is ``<file>#<id>``, where ``<id>`` is
the record's ``id_field`` (default ``id``) or, for a record without one, its number
(the line of a JSON Lines file, the row of a Parquet or CSV file, from 1). Files are
read as streams, one record at a time; ``max_file_bytes`` bounds each record's text.

Bad input costs only itself, and says where and why:

- a line that is not a JSON object, or holds a lone surrogate escape (``\\ud800``, half
  of a character), quarantines that record (``<file>#line-N``);
- a record without the text field, or whose text is no string, is quarantined;
- a record whose id was already used is quarantined (``<file>#<id>@line-N``), and so
  is one whose id field holds no string or number (``true``, a list: ``<file>#line-N``);
  a name already given (a record's own id ``line-4``) gets ``@line-N`` added;
- a truncated gzip file, or a file that ends inside a line that is no JSON (cut while
  it was copied or written), keeps the records before the cut and quarantines the rest
  (``<file>#line-N``, the first line lost);
- a Parquet or CSV file without the text column is quarantined whole
  (:class:`RecordsError`), naming the columns it has, and so is a file that holds no
  record at all.

Clean and translated copies mirror the file (:mod:`pipeline.writers.records`).
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import math
import re
import zlib
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.readers import Item

# CSV fields may hold whole articles: the csv module's default limit is 128 KiB.
csv.field_size_limit(1 << 30)

# A JSON escape of a surrogate (\ud800-\udfff): half of a character unless its pair follows.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class RecordsError(ValueError):
    """The file as a whole cannot be read as records: the message says why."""


@dataclass
class Row:
    """One record of a file, as read: ``fields`` is None when it is no record at all."""

    number: int  # 1-based line (JSON Lines) or row (Parquet, CSV)
    fields: dict[str, Any] | None
    problem: str = ""


def file_format(name: str) -> str:
    """The records format of a file name ("" when it is none).

    >>> file_format("a/b.JSONL.gz"), file_format("t.parquet"), file_format("x.txt")
    ('jsonl.gz', 'parquet', '')
    """
    lower = name.lower()
    for suffix in RecordsReader.suffixes:
        if lower.endswith(suffix):
            return {".ndjson": "jsonl"}.get(suffix, suffix[1:])
    return ""


def _unicode(fields: Any) -> bool:
    r"""Whether every string of a parsed record is Unicode text (no lone surrogate).

    >>> _unicode(json.loads(r'{"a": ["\ud83d\ude00"]}')), _unicode(json.loads(r'["\ud800"]'))
    (True, False)
    """
    try:
        json.dumps(fields, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record_id(value: Any, field: str) -> tuple[str, str]:
    """A record's id from its ``field`` and, when that holds no usable id, why: ("", "")
    for none (no field, null, "", NaN: the record's number stands in). A whole number
    written as a float (``1.0``, as pandas writes an integer column with gaps) is that
    number.

    >>> record_id("a-7", "id"), record_id(12, "id"), record_id(12.0, "id")
    (('a-7', ''), ('12', ''), ('12', ''))
    >>> record_id(None, "id"), record_id(float("nan"), "id"), record_id(2.5, "id")
    (('', ''), ('', ''), ('2.5', ''))
    >>> record_id(True, "id")[1].split(";")[0]
    "field 'id' holds True, not a string or a number"
    """
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "", ""
    if (isinstance(value, bool) or not isinstance(value, str | int | float)
            or (isinstance(value, float) and math.isinf(value))):
        return "", (f"field '{field}' holds {str(value)[:40]}, not a string or a number; fix "
                    "the ids or name another field (--id-field)")
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), ""
    return str(value), ""


def _check_unique(columns: list[str]) -> None:
    """A file whose columns are not named once each cannot be read as records: a record
    keeps one value per name, and the others would be lost from the copies."""
    twice = sorted({name for name in columns if columns.count(name) > 1})
    if twice:
        raise RecordsError(f"columns named twice: {', '.join(twice)}; give each column its "
                           "own name")


def _ragged(fields: dict[Any, Any], number: int, columns: int) -> str:
    """Why a CSV row whose fields do not match the header is quarantined, else "".

    The csv module puts extra fields under the key None and fills missing ones with
    None; the row is taken out of the copies' way (extra fields dropped, missing ones
    empty).

    >>> row = {"id": "1", "text": "a", None: ["b"]}
    >>> _ragged(row, 3, 2), row
    ('row 3 has 3 fields, the header 2; quote fields that hold commas', {'id': '1', 'text': 'a'})
    >>> _ragged({"id": "2", "text": None}, 4, 2)
    'row 4 has 1 field, the header 2; quote fields that hold commas'
    """
    extra = fields.pop(None, None)
    found = sum(value is not None for value in fields.values()) + len(extra or ())
    if extra is None and found == columns:
        return ""
    return (f"row {number} has {found} field{'' if found == 1 else 's'}, the header {columns}; "
            "quote fields that hold commas")


def _delimiter_hint(header: list[str]) -> str:
    """A hint when the header of a CSV file is one name holding another delimiter.

    >>> _delimiter_hint(["id;text"])
    "; the header looks separated by ';': save the file with commas"
    """
    if len(header) == 1:
        for mark in (";", "\t", "|"):
            if mark in header[0]:
                return f"; the header looks separated by {mark!r}: save the file with commas"
    return ""


def _describe(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def unused_name(name: str, taken: Container[str], mark: str) -> str:
    """``name``, with ``mark`` added until no other document has it: a quarantine's name
    may be a record's own id ('line-4'), and the other way round; one name, one document.

    >>> unused_name("line-4", {"line-4"}, "@line-4"), unused_name("a", set(), "@line-2")
    ('line-4@line-4', 'a')
    """
    while name in taken:
        name += mark
    return name


class RecordsReader:
    """JSON Lines, gzipped JSON Lines, Parquet (needs pyarrow: ``pip install .[parquet]``)
    and CSV files of records."""

    name = "records"
    suffixes = (".jsonl", ".jsonl.gz", ".ndjson", ".parquet", ".csv")
    many = True

    def __init__(self, text_field: str = "text", id_field: str = "id",
                 max_bytes: int = 20_000_000):
        self.text_field, self.id_field, self.max_bytes = text_field, id_field, max_bytes

    def estimate(self, rel: str, path: Path) -> int:
        """About how many records the file holds, for progress (lines, or rows)."""
        kind = file_format(rel)
        try:
            if kind == "parquet":
                import pyarrow.parquet as pq

                return pq.ParquetFile(path).metadata.num_rows
            if kind.endswith(".gz"):
                return max(1, path.stat().st_size // 1000)
            count = 0
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    count += chunk.count(b"\n")
            return max(1, count - (kind == "csv"))
        except Exception:  # noqa: BLE001 - an estimate: reading reports the error
            return 1

    # -- rows ----------------------------------------------------------------------
    def unit(self, rel: str) -> str:
        """What a record's number counts: lines of a JSON Lines file, else rows."""
        return "line" if file_format(rel).startswith("jsonl") else "row"

    def rows(self, rel: str, path: Path) -> Iterator[Row]:
        """The records of the file, in order. Raises :class:`RecordsError` when the
        file as a whole cannot be read (before any row, or at a truncation)."""
        kind = file_format(rel)
        if kind == "parquet":
            yield from self._parquet_rows(path)
        elif kind == "csv":
            yield from self._csv_rows(path)
        else:
            yield from self._jsonl_rows(path, compressed=kind.endswith(".gz"))

    def max_line_bytes(self) -> int:
        """The longest JSON line read: one holding ``max_bytes`` characters of text,
        each escaped (``\\uXXXX``, 6 bytes), and 1 MiB of other fields. A longer line is
        quarantined unread, so memory stays bounded whatever the file (a JSON array
        exported on one line, a gzip file that unpacks to gigabytes without a newline)."""
        return 6 * self.max_bytes + (1 << 20)

    def _jsonl_rows(self, path: Path, compressed: bool) -> Iterator[Row]:
        number = 0
        limit = self.max_line_bytes()
        try:
            with path.open("rb") as raw:
                lines = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
                while line := lines.readline(limit + 1):
                    number += 1
                    if len(line) > limit and not line.endswith(b"\n"):
                        while (rest := lines.readline(1 << 20)) and not rest.endswith(b"\n"):
                            pass  # the rest of the line, a MiB at a time
                        yield Row(number, None, (
                            f"line {number} is longer than {limit:,} bytes (6 x max_file_bytes "
                            "+ 1 MiB): one record per line; else raise max_file_bytes"))
                        continue
                    if not line.strip():
                        continue
                    row = self._json_row(number, line)
                    if row.fields is None and not line.endswith(b"\n"):
                        # The file ends inside this line, which is no JSON: cut (copied
                        # in half, or still being written), as a truncated .gz: the
                        # records after it are unknown, not deleted.
                        raise RecordsError(f"the file ends inside line {number}, which is "
                                           "no JSON: cut (copied in half, or still being "
                                           f"written); records after line {number - 1} are "
                                           "lost; copy the file again")
                    yield row
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            if number == 0 and isinstance(exc, gzip.BadGzipFile):
                raise RecordsError(f"not a gzip file ({exc}); if it holds plain JSON lines, "
                                   "name it .jsonl, else copy it again") from None
            what = ("truncated gzip file" if isinstance(exc, EOFError)
                    else f"not a valid gzip file ({exc})")
            raise RecordsError(f"{what}: records after line {number} are lost; copy the "
                               "file again") from None

    def _json_row(self, number: int, line: bytes) -> Row:
        try:
            fields = json.loads(line)
        except UnicodeDecodeError:
            return Row(number, None, f"line {number} is not UTF-8 text; save the file as UTF-8")
        except json.JSONDecodeError as exc:
            return Row(number, None, f"line {number} is not valid JSON ({exc.msg} at column "
                       f"{exc.colno}); fix or remove the line")
        if not isinstance(fields, dict):
            return Row(number, None, f"line {number} is a JSON {_describe(fields)}, not an "
                       "object; write one object per line")
        if SURROGATE_ESCAPE.search(line) and not _unicode(fields):
            return Row(number, None, f"line {number} holds a lone surrogate (a \\ud800-"
                       "\\udfff escape without its pair: half of a character, no text); "
                       "fix the escape or remove the line")
        return Row(number, fields)

    def _parquet_rows(self, path: Path) -> Iterator[Row]:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise RecordsError("reading Parquet needs pyarrow: pip install '.[parquet]'") from None
        try:
            handle = pq.ParquetFile(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
            raise RecordsError(f"not a readable Parquet file ({exc})") from None
        names = handle.schema_arrow.names
        _check_unique(names)
        if self.text_field not in names:
            raise RecordsError(
                f"no column '{self.text_field}' (columns: {', '.join(names)}); name the text "
                "column with --text-field or [input] text_field")
        number = 0
        for batch in handle.iter_batches(batch_size=1024):
            for fields in batch.to_pylist():
                number += 1
                yield Row(number, fields)

    def _csv_rows(self, path: Path) -> Iterator[Row]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                # strict: a stray quote is an error, not a field silently rewritten
                # ('"a "b" c"' read as 'a b" c"'), nor one that takes in every line
                # after it when it is never closed.
                reader = csv.DictReader(handle, strict=True)
                header = reader.fieldnames or []
                if self.text_field not in header:
                    raise RecordsError(
                        f"no column '{self.text_field}' (columns: {', '.join(header)}); name "
                        "the text column with --text-field or [input] text_field"
                        + _delimiter_hint(header))
                _check_unique(header)
                for number in itertools.count(1):  # ends with the file
                    line = reader.reader.line_num + 1
                    try:
                        fields = next(reader)
                    except StopIteration:
                        break
                    except csv.Error as exc:
                        if "end of data" in str(exc):  # the file ended inside quotes
                            raise RecordsError(
                                f"the quote opened in row {number} (line {line}) is never "
                                "closed; close it, and write a quote inside a quoted field "
                                'twice ("")') from None
                        yield Row(number, None, f"row {number} (line {line}): {exc}; write a "
                                  'quote inside a quoted field twice ("")')
                        continue
                    yield Row(number, fields, _ragged(fields, number, len(header)))
            except UnicodeDecodeError:
                raise RecordsError("not UTF-8 text; save the file as UTF-8") from None
            except csv.Error as exc:
                raise RecordsError(f"not a readable CSV file ({exc})") from None

    # -- documents -----------------------------------------------------------------
    def identified(self, rel: str, path: Path) -> Iterator[tuple[str, Row]]:
        """Every row with its document id (see the module's docstring)."""
        unit = self.unit(rel)
        first: dict[str, int] = {}  # every name given, its row: ids and quarantines'

        def named(key: str, number: int) -> str:
            key = unused_name(key, first, f"@{unit}-{number}")
            first[key] = number
            return f"{rel}#{key}"

        for row in self.rows(rel, path):
            if row.fields is None:
                yield named(f"{unit}-{row.number}", row.number), row
                continue
            rid, problem = record_id(row.fields.get(self.id_field), self.id_field)
            if problem:
                row.problem = problem
                yield named(f"{unit}-{row.number}", row.number), row
                continue
            rid = rid or str(row.number)
            if rid in first:
                row.problem = (f"duplicate id '{rid}' in field '{self.id_field}' ({unit} "
                               f"{row.number}; first on {unit} {first[rid]}); give every "
                               "record its own id")
                yield named(f"{rid}@{unit}-{row.number}", row.number), row
                continue
            yield named(rid, row.number), row

    def items(self, rel: str, path: Path, read: Callable[[], bytes] | None = None
              ) -> Iterator[Item]:
        """The file's records as documents; a truncated file ends with one quarantined
        item that says which records were lost."""
        from pipeline.readers.text import sniff_html

        unit = self.unit(rel)
        last = 0
        names: set[str] = set()
        try:
            for doc, row in self.identified(rel, path):
                last = row.number
                names.add(doc)
                text, problem = self._text(row, unit)
                raw = text.encode("utf-8")
                kind = "html" if raw and sniff_html(raw) else "text"
                yield Item(doc, raw, kind=kind, output=rel, problem=problem, source=rel,
                           record=True)
        except RecordsError as exc:
            if last == 0:
                raise
            cut = unused_name(f"{rel}#{unit}-{last + 1}", names, f"@{unit}-{last + 1}")
            yield Item(cut, b"", output=rel, problem=str(exc), source=rel, record=True,
                       cut=True)
        if last == 0:
            raise RecordsError("holds no record (an empty file, blank lines only, or a "
                               "header without rows): nothing to clean")

    def _text(self, row: Row, unit: str) -> tuple[str, str]:
        if row.fields is None or row.problem:
            return "", row.problem
        if self.text_field not in row.fields:
            return "", (f"{unit} {row.number} has no field '{self.text_field}' (fields: "
                        f"{', '.join(map(str, row.fields))}); name the text field with "
                        "--text-field")
        text = row.fields[self.text_field]
        if not isinstance(text, str):
            return "", (f"{unit} {row.number}: field '{self.text_field}' holds "
                        f"{_describe(text)}, not text")
        if len(text) > self.max_bytes:  # characters: a quick bound before encoding
            return "", (f"{unit} {row.number}: text larger than max_file_bytes "
                        f"({len(text)} > {self.max_bytes})")
        if not text.strip():
            return "", f"{unit} {row.number}: field '{self.text_field}' is empty"
        return text, ""

