"""Record corpora: JSON Lines (``.jsonl``, ``.ndjson``; compressed: ``.gz``, ``.bz2``,
``.xz``, ``.zst``), Parquet and CSV files.

Each record is a document. Its text is the field named by ``text_field`` (``--text-field``,
``[input] text_field``, default ``text``); its id is ``<file>#<id>``, where ``<id>`` is
the record's ``id_field`` (default ``id``) or, for a record without one, its number
(the line of a JSON Lines file, the row of a Parquet or CSV file, from 1). Files are
read as streams, one record at a time; ``max_file_bytes`` bounds each record's text.

In JSON Lines and Parquet files a field may be a dotted path into nested objects
(struct columns): ``article.body`` is the field ``body`` of the object ``article``
(:class:`FieldPath`). A key that itself holds a dot, present in the record, wins over
the path, at any depth. A CSV file has no nesting: its column is named as it is. Its
delimiter is a comma, or (:func:`csv_delimiter`) a semicolon or a tab, or the one a
first line ``sep=;`` names, as Excel writes it (:func:`sep_line`; its copies keep it). A
file separated by tabs is read as most are written, without quoting, a cell quoted
only as a CSV writer quotes one (:func:`tab_cells`).

Bad input costs only itself, and says where and why:

- a line that is not a JSON object, or holds a lone surrogate escape (``\\ud800``, half
  of a character), quarantines that record (``<file>#line-N``);
- a record without the text field, or whose text is no string, is quarantined, saying
  what it holds instead: the path's object missing or no object, a list of strings
  (never joined: the copies could not be split back), and the dotted path to a string
  field of an object the record holds (``--text-field article.body``); a JSON Lines
  file none of whose first :data:`SAMPLE` records (or of all, fewer) has it is
  quarantined whole, once, naming their fields and the one likely holding the text
  (:func:`likely_text`: ``--text-field content``), never read in its place;
- a record whose id was already used is quarantined (``<file>#<id>@line-N``), and so
  is one whose id field holds no string or number (``true``, a list: ``<file>#line-N``);
  a name already given (a record's own id ``line-4``) gets ``@line-N`` added;
- a truncated compressed file, or a file that ends inside a line that is no JSON (cut
  while it was copied or written), keeps the records before the cut and quarantines the
  rest (``<file>#line-N``, the first line lost);
- a Parquet or CSV file without the text column (a Parquet file: or the struct field
  named) is quarantined whole (:class:`RecordsError`), naming the columns (the
  struct's fields) it has and the one likely holding the text (a CSV file's by its
  first rows, :func:`likely_text`; a Parquet file's a string column of one of
  :data:`TEXT_NAMES`), and so is a file that holds no record at all.

Clean and translated copies mirror the file (:mod:`pipeline.writers.records`).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import itertools
import json
import lzma
import math
import os
import re
import shlex
import stat
import zlib
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from pipeline.log import counted
from pipeline.readers import Item, open_nonblocking

# CSV fields may hold whole articles: the csv module's default limit is 128 KiB.
csv.field_size_limit(1 << 30)

# A JSON escape of a surrogate (\ud800-\udfff): half of a character unless its pair follows.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class RecordsError(ValueError):
    """The file as a whole cannot be read as records: the message says why."""


def open_source(path: Path) -> IO[bytes]:
    """``path`` opened to read, never waiting on a FIFO put in the file's place during
    the run (opening a FIFO to read waits for a writer, and a stop signal does not end
    that wait). Raises :class:`RecordsError` where the file is no regular file any more.
    """
    fd = open_nonblocking(path)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RecordsError("is no regular file any more (replaced during the run): "
                               "the next run reads it as it then is")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@dataclass
class Row:
    """One record of a file, as read: ``fields`` is None when it is no record at all."""

    number: int  # 1-based line (JSON Lines) or row (Parquet, CSV)
    fields: dict[str, Any] | None
    problem: str = ""
    broken: bool = False  # a line that is no JSON at all (not UTF-8, or not parsed)
    line: bytes = b""  # a JSON Lines record's line as read: its copies keep its bytes
    raw: str = ""  # a CSV record's lines as read (its line end included): its copies keep them


def file_format(name: str) -> str:
    """The records format of a file name ("" when it is none): ``jsonl`` (``.ndjson``
    too) and its compressions (``jsonl.gz``...), ``parquet``, ``csv``.

    >>> file_format("a/b.JSONL.gz"), file_format("t.parquet"), file_format("x.txt")
    ('jsonl.gz', 'parquet', '')
    >>> file_format("c4.ndjson.zst")
    'jsonl.zst'
    """
    lower = name.lower()
    for suffix in RecordsReader.suffixes:
        if lower.endswith(suffix):
            return suffix[1:].replace("ndjson", "jsonl")
    return ""


# The formats of CSV files: a comma's (or a semicolon's: :func:`csv_delimiter`), a tab's.
TABLES = ("csv", "tsv")

# The compressions of JSON Lines files (``.jsonl.gz``...): their names in messages. The
# copies are compressed as their source. zstd is read and written by pyarrow's codec.
COMPRESSIONS = {"gz": "gzip", "bz2": "bzip2", "xz": "xz", "zst": "zstd"}


def compression(kind: str) -> str:
    """The compression of a records format (:func:`file_format`), "" for none.

    >>> compression("jsonl.bz2"), compression("jsonl"), compression("parquet")
    ('bz2', '', '')
    """
    return kind.partition(".")[2] if kind.startswith("jsonl") else ""


def _pyarrow_zstd() -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        raise RecordsError("reading zstd needs pyarrow: pip install '.[parquet]'; or "
                           "decompress the file (zstd -d FILE) and read the .jsonl") from None
    return pa


def open_compressed(handle: IO[bytes], kind: str, mode: str = "rb") -> IO[bytes]:
    """``handle`` read (``mode`` "rb") or written ("wb") through the compression ``kind``
    (``gz``, ``bz2``, ``xz``, ``zst``: :data:`COMPRESSIONS`). Written, it gives the
    same bytes for the same lines (a gzip header without name or time)."""
    if kind == "gz":
        return gzip.GzipFile(filename="", mode=mode, fileobj=handle, mtime=0)
    if kind == "bz2":
        return bz2.BZ2File(handle, mode)
    if kind == "xz":
        return lzma.LZMAFile(handle, mode)
    pa = _pyarrow_zstd()
    if mode == "rb":
        return io.BufferedReader(pa.CompressedInputStream(handle, "zstd"))
    return pa.CompressedOutputStream(handle, "zstd")


def _decompression_error(exc: BaseException) -> bool:
    """Whether ``exc``, raised while a compressed file is read, says its data is cut or
    damaged (not an error of the disk: those carry an errno)."""
    return isinstance(exc, EOFError | zlib.error | lzma.LZMAError) or (
        isinstance(exc, OSError) and exc.errno is None)


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


def _ragged(fields: dict[Any, Any], number: int, columns: int, delimiter: str = ",") -> str:
    """Why a CSV row whose fields do not match the header is quarantined, else "".

    The csv module puts extra fields under the key None and fills missing ones with
    None; the row is taken out of the copies' way (extra fields dropped, missing ones
    empty).

    >>> row = {"id": "1", "text": "a", None: ["b"]}
    >>> _ragged(row, 3, 2), row
    ('row 3 has 3 fields, the header 2; quote fields that hold commas', {'id': '1', 'text': 'a'})
    >>> _ragged({"id": "2", "text": None}, 4, 2, ";")
    'row 4 has 1 field, the header 2; quote fields that hold semicolons'
    """
    extra = fields.pop(None, None)
    found = sum(value is not None for value in fields.values()) + len(extra or ())
    if extra is None and found == columns:
        return ""
    return (f"row {number} has {found} field{'' if found == 1 else 's'}, the header {columns}; "
            f"quote fields that hold {MARKS.get(delimiter, repr(delimiter))}")


# A CSV file's delimiter in messages.
MARKS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def csv_delimiter(kind: str, first: str) -> str:
    r"""The delimiter of a CSV file of format ``kind`` (:func:`file_format`) whose
    first line is ``first``: a tab in a ``.tsv`` file; in a ``.csv`` file a comma, but
    a semicolon (Excel's where the comma is the decimal mark) or a tab where the first
    line holds one and no comma.

    >>> csv_delimiter("csv", "id;text;n\r\n"), csv_delimiter("tsv", "id,a\ttext\n")
    (';', '\t')
    >>> csv_delimiter("csv", "id,text\n"), csv_delimiter("csv", "text\n")
    (',', ',')
    """
    if kind == "tsv":
        return "\t"
    if "," not in first:
        for mark in (";", "\t"):
            if mark in first:
                return mark
    return ","


# Excel's first line naming a CSV file's delimiter (``sep=;``): Excel writes it where
# asked to and reads a file by it; the header follows it.
SEP_LINE = re.compile(r'\ufeff?sep=([^\w\s"]|\t)(?:\r\n|\r|\n|$)', re.IGNORECASE)


def sep_line(text: str) -> tuple[str, str]:
    r"""The line (its line end included) by which ``text``, a CSV file's start, names
    its delimiter as Excel does (``sep=;``), and that delimiter; ("", "") for none.

    >>> sep_line("sep=;\r\nid;text\r\n"), sep_line("\ufeffsep=\t\n")
    (('sep=;\r\n', ';'), ('\ufeffsep=\t\n', '\t'))
    >>> sep_line("sep=x;y\n"), sep_line("id,sep=;\n")
    (('', ''), ('', ''))
    """
    match = SEP_LINE.match(text)
    return (match.group(0), match.group(1)) if match else ("", "")


def _not_utf8(path: Path) -> str:
    """Why a CSV file is not read: its first line that is not UTF-8, the word there as
    Windows' cp1252 reads it (Excel on Windows saves CSV files in it), what to do."""
    with open_source(path) as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return not_utf8_line(line, exc.start, number)
    return "not UTF-8 text; save the file as UTF-8"  # changed since: the next run reads it


def not_utf8_line(line: bytes, at: int, number: int) -> str:
    r"""What :func:`_not_utf8` says of the byte ``at`` of the line ``number``.

    >>> not_utf8_line("1,A praça, três\r\n".encode("cp1252"), 7, 2).split("; ")[0]
    "not UTF-8 text (line 2, byte 0xe7: 'praça' in cp1252, as Excel on Windows saves CSV)"
    >>> not_utf8_line(b"1,\x81x\n", 2, 3).split("; ")[0]
    'not UTF-8 text (line 3, byte 0x81)'
    """
    where = f"line {number}, byte 0x{line[at]:02x}"
    start = max(line.rfind(mark, 0, at) for mark in (b" ", b",", b";", b"\t", b'"')) + 1
    ends = [end for mark in (b" ", b",", b";", b"\t", b'"', b"\r", b"\n")
            if (end := line.find(mark, at)) >= 0]
    try:
        word = line[start:min(ends, default=len(line))][:40].decode("cp1252")
        where += f": {word!r} in cp1252, as Excel on Windows saves CSV"
    except UnicodeDecodeError:
        pass
    return (f"not UTF-8 text ({where}); save it as UTF-8 (Excel: 'CSV UTF-8'), or convert "
            "it: iconv -f cp1252 -t utf-8 FILE > NEW")


def _taking(lines: Iterable[str], taken: list[str]) -> Iterator[str]:
    """``lines``, each added to ``taken`` as it is read: the csv module reads a record's
    lines and no further, so ``taken`` then holds them as written (a copy keeps them).

    >>> taken = []
    >>> next(csv.reader(_taking(iter(['1,"a\\r\\n', 'b"\\r\\n', '2,c\\r\\n']), taken))), taken
    (['1', 'a\\r\\nb'], ['1,"a\\r\\n', 'b"\\r\\n'])
    """
    for line in lines:
        taken.append(line)
        yield line


# Tab-separated files as people write them: most hold no quoting at all (Tatoeba's
# sentences, MT corpora: a text is a line's cell as it is, its quotes text), some are
# CSV with tabs (pandas' to_csv(sep="\t"), Excel, R). The two cannot be told apart by a
# file's first rows; each cell is read by what a writer would have written
# (:func:`tab_cells`): a cell starting with a quote is a quoted cell only where a CSV
# writer quotes (it holds a tab, a line break, a quote doubled, a comma, or nothing)
# and its quoting is whole (every quote inside doubled, the closing one followed by a
# tab or the line's end, within :data:`QUOTED_LINES` lines and max_file_bytes
# characters); any other cell is its
# bytes, quotes kept. Where the header quotes a name (R's write.table, csv.QUOTE_ALL:
# every string quoted; a name never holds a quote of its own) the file is CSV
# throughout (:func:`raw_tabs`).
QUOTED_LINES = 10_000

# What a CSV writer quotes (Excel's tab-separated text: a comma too); a quoted cell
# holding none of them is no writer's quoting: its quotes are the text's.
QUOTED_MARKS = ("\n", "\t", "\r", ",", '"')


def raw_tabs(delimiter: str, header: str) -> bool:
    """Whether a CSV file of ``delimiter`` whose header line is ``header`` (a
    byte-order mark and Excel's ``sep=`` line left out) is read cell by cell as
    :func:`tab_cells` says: a tab-separated file whose header quotes no name.

    >>> raw_tabs("\\t", "id\\ttext\\n"), raw_tabs("\\t", 'id\\t"text"\\n'), raw_tabs(",", "id")
    (True, False, False)
    """
    return delimiter == "\t" and not header.startswith('"') and '\t"' not in header


def _quoted_end(text: str, at: int, final: bool) -> int | None:
    """Where the quoted cell whose opening quote is at ``at`` ends (after its closing
    quote), -1 where its quotes are text (:data:`QUOTED_MARKS`), None where ``text``
    ends before that is known and more lines follow (not ``final``)."""
    start, marked = at + 1, False
    while True:
        close = text.find('"', start)
        if close < 0:
            return -1 if final else None
        if text.startswith('""', close):
            start, marked = close + 2, True
            continue
        if text[close + 1:close + 2] not in ("\t", "\r", "\n", ""):
            return -1  # a quote inside, not doubled: the cell's quotes are its text
        if marked or close == at + 1 or any(text.find(mark, at + 1, close) >= 0
                                             for mark in QUOTED_MARKS):
            return close + 1
        return -1


def tab_cells(text: str, final: bool = True) -> tuple[list[tuple[int, int, bool]], int] | None:
    r"""The cells of the tab-separated record at the start of ``text`` (its lines, with
    their line ends) as the rule above reads them: (start, end, quoted),
    a quoted cell's quotes included, and where the record's line end ends. None where
    a quoted cell may close in lines ``text`` does not hold yet (not ``final``).

    >>> record = '7\t"Hi"\t"a\tb"\t"Yes," he said.\t"x ""y"" z"\n8\n'
    >>> cells, end = tab_cells(record)
    >>> [record[start:stop] for start, stop, _ in cells], end
    (['7', '"Hi"', '"a\tb"', '"Yes," he said.', '"x ""y"" z"'], 41)
    >>> [quoted for *_, quoted in cells]
    [False, False, True, False, True]
    >>> tab_cells('1\t"Hello\n2\tBye\n', final=False), tab_cells('1\t"Hello\n2\tBye\n')
    (None, ([(0, 1, False), (2, 8, False)], 9))
    >>> tab_cells('1\t"a\n\nb"\r\n')
    ([(0, 1, False), (2, 8, True)], 10)
    """
    cells = []
    at = 0
    while True:
        end = _quoted_end(text, at, final) if text.startswith('"', at) else -1
        if end is None:
            return None
        quoted = end >= 0
        if not quoted:  # to the next tab or line end (find: faster than a regex's scan)
            end = text.find("\t", at)
            end = len(text) if end < 0 else end
            for mark in ("\n", "\r"):
                found = text.find(mark, at, end)
                if found >= 0:
                    end = found
        cells.append((at, end, quoted))
        if not text.startswith("\t", end):
            return cells, end + (2 if text.startswith("\r\n", end) else 1 if end < len(text)
                                 else 0)
        at = end + 1


def tab_value(text: str, cell: tuple[int, int, bool]) -> str:
    """The value of a cell of :func:`tab_cells` in ``text``: a quoted cell's without
    its quotes, its doubled quotes single."""
    start, end, quoted = cell
    return text[start + 1:end - 1].replace('""', '"') if quoted else text[start:end]


def _tab_records(lines: Iterator[str], limit: int = QUOTED_LINES, chars: int = 20_000_000
                 ) -> Iterator[tuple[str, list[str]]]:
    """The records of a tab-separated file's ``lines`` (:func:`tab_cells`): each one's
    lines as read (a copy keeps them) and its values; blank lines left out. A quoted
    cell closes within ``limit`` lines and ``chars`` characters (a record's text is
    bounded: max_file_bytes), or its quotes are text."""
    pending: list[str] = []  # lines read ahead, for a quoted cell that did not close
    while True:
        if not pending:
            line = next(lines, None)
            if line is None:
                return
            pending.append(line)
        if not pending[0].strip("\r\n"):
            del pending[0]
            continue
        if '"' not in pending[0]:  # the usual line: its cells as they are
            record = pending.pop(0)
            yield record, record.rstrip("\r\n").split("\t")
            continue
        text, used, final = pending[0], 1, False
        while (found := tab_cells(text, final)) is None:  # a quoted cell open: read on,
            final = True  # to a line with a quote (none other closes it or tells its quotes)
            held = len(text)
            while final and used < len(pending):
                used += 1
                held += len(pending[used - 1])
                final = '"' not in pending[used - 1]
            if final and used < limit and held < chars:
                for line in lines:
                    pending.append(line)
                    used += 1
                    held += len(line)
                    if '"' in line:
                        final = False
                        break
                    if used >= limit or held >= chars:
                        break
            text = "".join(pending[:used])
        cells, end = found
        record = text[:end]
        if end == len(text) and used == len(pending):
            pending.clear()  # the usual: the record took every line read
        else:  # the lines it took; those read ahead beyond it are read again
            taken = 0
            while end > 0:
                end -= len(pending[taken])
                taken += 1
            del pending[:taken]
        yield record, [tab_value(record, cell) for cell in cells]


NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def headerless(header: list[str], rows: list[list[str]], delimiter: str, name: str,
               text: str = "text", id_: str = "id") -> str:
    r"""What to do with the CSV file ``name`` whose first row, read as its ``header``,
    looks like a record (a name is a number: an id, a score), followed by ``rows``:
    add a header line, one that names the column of the longest values (of those
    not all numbers) ``text``, a first column of whole numbers ``id_``, the others by
    their place. "" where the first row does not look like a record.

    >>> said = headerless(["1", "cmn", "我們試試看！"], [["1276", "eng", "Let's try."]],
    ...                   "\t", "sentences.csv")
    >>> print(said.replace(": add", ":\nadd").replace(" e.g. ", "\n"))
    its first row looks like a record, not a header (a column named '1', a number):
    add a header line naming its columns,
    (printf 'id\tcol2\ttext\n'; cat sentences.csv) > with-header.csv
    >>> headerless(["id", "2024", "text"], [], ",", "a.csv").split(" (")[0]
    'its first row looks like a record, not a header'
    >>> headerless(["id", "titulo"], [["1", "Porto"]], ",", "a.csv")
    ''
    """
    number = next((cell for cell in header if NUMBER.fullmatch(cell.strip())), None)
    if number is None:
        return ""
    columns = [[cell, *(row[at] for row in rows if at < len(row))]
               for at, cell in enumerate(header)]
    worded = [at for at, values in enumerate(columns)
              if not all(NUMBER.fullmatch(value.strip()) for value in values if value.strip())]
    text_at = max(worded, key=lambda at: sum(map(len, columns[at])), default=len(header) - 1)
    names = [text if at == text_at else id_ if at == 0 and all(
                 value.strip().isdigit() for value in values) else f"col{at + 1}"
             for at, values in enumerate(columns)]
    line = delimiter.join(names).replace("\\", "\\\\").replace("\t", "\\t").replace(
        "%", "%%").replace("'", "'\\''")
    _, dot, suffix = name.rpartition(".")
    new = shlex.quote(f"with-header.{suffix}" if dot else "with-header")
    return (f"its first row looks like a record, not a header (a column named {number!r}, a "
            f"number): add a header line naming its columns, e.g. (printf '{line}\\n'; cat "
            f"{shlex.quote(name)}) > {new}")


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


# A value's kind in messages, by its JSON name (Python's for the others: bytes...).
KINDS = {"NoneType": "null", "str": "string", "int": "number", "float": "number",
         "bool": "boolean", "dict": "object", "list": "list"}


def _describe(value: Any) -> str:
    """What kind of value a record holds where text or an object was expected.

    >>> _describe(None), _describe("a"), _describe(7), _describe(True), _describe(b"x")
    ('null', 'string', 'number', 'boolean', 'bytes')
    """
    name = type(value).__name__
    return KINDS.get(name, name)


# How a field path ends in a record (:meth:`FieldPath.find`).
FOUND, MISSING, NOT_OBJECT = "found", "missing", "not an object"


class Found(NamedTuple):
    """Where a :class:`FieldPath` led in a record: ``keys`` followed from the record,
    and ``state``: FOUND (``value`` is the field's), MISSING (the last key is not in
    ``value``, the object reached: a key with a dot in it is a path whose object is
    missing) or NOT_OBJECT (``value``, at the last key, is no object to go into)."""

    keys: tuple[str, ...]
    value: Any
    state: str


@dataclass(frozen=True)
class FieldPath:
    """A field named by ``--text-field`` or ``--id-field``: a key, or (``nested``, JSON
    Lines and Parquet) a dotted path into nested objects. At each object the rest of
    the path, as a key, wins; else the longest key before a dot that the object holds
    is gone into: a key that itself holds a dot is named as it is, at any depth.

    >>> path = FieldPath("article.body")
    >>> path.find({"id": 7, "article": {"title": "T", "body": "B"}})
    Found(keys=('article', 'body'), value='B', state='found')
    >>> path.find({"article.body": "literal", "article": {"body": "B"}}).value
    'literal'
    >>> FieldPath("meta.source.id").find({"meta": {"source.id": 3}}).keys
    ('meta', 'source.id')
    >>> path.find({"article": ["B"]}), path.find({"id": 7})
    (Found(keys=('article',), value=['B'], state='not an object'), \
Found(keys=('article.body',), value={'id': 7}, state='missing'))
    >>> FieldPath("a.b", nested=False).find({"a": {"b": "x"}}).state
    'missing'
    """

    name: str
    nested: bool = True

    def find(self, fields: dict[str, Any]) -> Found:
        rest = self.name
        if rest in fields:  # the common case, one look-up
            return Found((rest,), fields[rest], FOUND)
        if not self.nested or "." not in rest:
            return Found((rest,), fields, MISSING)
        keys: list[str] = []
        holder: Any = fields
        while True:
            if rest in holder:
                return Found((*keys, rest), holder[rest], FOUND)
            dot = rest.rfind(".")
            while dot > 0 and rest[:dot] not in holder:
                dot = rest.rfind(".", 0, dot)
            if dot <= 0:
                return Found((*keys, rest), holder, MISSING)
            keys.append(rest[:dot])
            holder, rest = holder[rest[:dot]], rest[dot + 1:]
            if not isinstance(holder, dict):
                return Found(tuple(keys), holder, NOT_OBJECT)

    def rest(self, found: Found) -> str:
        """The path after the keys ``found`` followed.

        >>> path = FieldPath("a.b.c")
        >>> path.rest(path.find({"a": "x"}))
        'b.c'
        """
        return self.name[len(".".join(found.keys)) + 1:]


def _where(keys: tuple[str, ...], what: str = "fields") -> str:
    """How a message names the object a path stopped in: the record (the file), else
    the nested object.

    >>> _where(("text",)), _where(("text",), "columns"), _where(("article", "body"))
    ('fields', 'columns', "fields of 'article'")
    """
    return what if len(keys) == 1 else f"fields of '{'.'.join(keys[:-1])}'"


def _suggested(holder: dict[str, Any], keys: tuple[str, ...], is_text: Callable[[Any], bool],
               size: Callable[[tuple[str, ...], Any], int], kind: str = "an object") -> str:
    """Where a missing text may be: a text field (``is_text``) inside an object that
    ``holder`` (the object reached at ``keys[:-1]``) holds, or in ``holder`` itself when
    that is nested. The field named like the one missing is preferred, then the largest
    (``size``). "" when there is none.

    >>> record = {"id": 7, "article": {"title": "Porto reabre", "body": "O porto reabriu."}}
    >>> _suggested(record, ("text",), lambda v: isinstance(v, str), lambda k, v: len(v))
    "'article' is an object with title, body: name the text field with --text-field article.body"
    >>> _suggested(record["article"], ("article", "text"), lambda v: isinstance(v, str),
    ...            lambda k, v: len(v))
    'name the text field with --text-field article.body'
    >>> _suggested({"id": 7, "body": "O porto."}, ("text",), lambda v: isinstance(v, str),
    ...            lambda k, v: len(v))
    ''
    """
    prefix, leaf = keys[:-1], keys[-1]
    best: tuple[tuple[bool, int], tuple[str, ...], dict[str, Any]] | None = None

    def visit(obj: dict[str, Any], at: tuple[str, ...], depth: int) -> None:
        nonlocal best
        for key, value in obj.items():
            if is_text(value) and (depth or prefix):
                score = (key == leaf, size((*at, key), value))
                if best is None or score > best[0]:
                    best = (score, (*at, key), obj)
            elif isinstance(value, dict) and depth < 3:
                visit(value, (*at, key), depth + 1)

    visit(holder, prefix, 0)
    if best is None:
        return ""
    _, path, obj = best
    name = "field" if kind == "an object" else "column"
    advice = f"name the text {name} with --text-field {'.'.join(path)}"
    if obj is holder:
        return advice
    return f"'{'.'.join(path[:-1])}' is {kind} with {', '.join(obj)}: {advice}"


def _shape(fields: Any) -> dict[str, Any]:
    """A Parquet schema (or a struct type's fields) as nested dicts: a struct column is
    the dict of its fields, any other column its type. A :class:`FieldPath` finds a
    column in it as a field in a record."""
    import pyarrow as pa

    return {field.name: (_shape(field.type) if pa.types.is_struct(field.type) else field.type)
            for field in fields}


def is_string_type(kind: Any) -> bool:
    """Whether a pyarrow type is a string column's (``string`` or ``large_string``)."""
    import pyarrow as pa

    return isinstance(kind, pa.DataType) and (pa.types.is_string(kind)
                                              or pa.types.is_large_string(kind))


def column_path(schema: Any, path: FieldPath, sizes: dict[str, int] | None = None
                ) -> tuple[str, ...]:
    """The keys of the text column ``path`` names in a Parquet ``schema`` (a struct
    column's field: several), else :class:`RecordsError` naming what the file has;
    ``sizes`` (bytes by dotted column path) picks the column a message suggests."""
    found = path.find(_shape(schema))
    if found.state == FOUND:
        return found.keys
    option = "name the text column with --text-field or [input] text_field"
    if found.state == NOT_OBJECT:
        import pyarrow as pa

        kind, parent = found.value, ".".join(found.keys)
        listed = (pa.types.is_list(kind) or pa.types.is_large_list(kind)
                  or pa.types.is_fixed_size_list(kind))
        said = ("a list" if listed else "a map" if pa.types.is_map(kind)
                else f"of type {kind}")
        if is_string_type(kind):
            option = f"if it holds the text, name it: --text-field {parent}"
        elif listed:  # sections of an article, each with its text: as in a JSON line
            if pa.types.is_struct(kind.value_type):
                said += f" of structs with {', '.join(f.name for f in kind.value_type)}"
            option = ("a record's text is one string: write one record per item (pandas: "
                      "DataFrame.explode), or name another column with --text-field")
        raise RecordsError(f"column '{parent}' is {said}, not a struct with "
                           f"'{path.rest(found)}'; {option}")
    names = ", ".join(found.value)
    hint = _suggested(found.value, found.keys, is_string_type,
                      lambda keys, _: (sizes or {}).get(".".join(keys), 0), "a struct")
    if not hint and len(found.keys) == 1:  # a column of the file named as text is
        # named (its values are not read: a column of the largest strings may hold
        # pages' html or urls), the largest of several
        usual = [name for name, kind in found.value.items()
                 if is_string_type(kind) and name.lower() in TEXT_NAMES]
        if usual:
            hint = _suggest_field(max(usual, key=lambda n: (sizes or {}).get(n, 0)))
    raise RecordsError(f"no column '{path.name}' ({_where(found.keys, 'columns')}: {names}); "
                       + (hint or option))


def _id_kind(kind: str, rid: str, unit: str) -> str:
    """What gave a record the id ``rid``, by ``kind``, in a duplicate's message.

    >>> _id_kind("string", "1", "line"), _id_kind("number", "1", "row")
    ('the string "1"', 'the number 1')
    >>> _id_kind("none", "3", "line")
    'no id, its line number standing in'
    """
    if kind == "string":
        return f"the string {json.dumps(rid, ensure_ascii=False)}"
    if kind == "number":
        return f"the number {rid}"
    return f"no id, its {unit} number standing in"


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
    """JSON Lines (also compressed), Parquet (needs pyarrow: ``pip install .[parquet]``)
    and CSV files of records."""

    name = "records"
    suffixes = (".jsonl", ".jsonl.gz", ".ndjson", ".parquet", ".csv", ".jsonl.bz2",
                ".jsonl.xz", ".jsonl.zst", ".ndjson.gz", ".ndjson.bz2", ".ndjson.xz",
                ".ndjson.zst", ".tsv")
    many = True

    def __init__(self, text_field: str = "text", id_field: str = "id",
                 max_bytes: int = 20_000_000):
        self.text_field, self.id_field, self.max_bytes = text_field, id_field, max_bytes
        self._paths = {nested: (FieldPath(text_field, nested), FieldPath(id_field, nested))
                       for nested in (True, False)}

    def text_path(self, rel: str) -> FieldPath:
        """The text field of the file's records: a dotted path but in a CSV file."""
        return self._paths[file_format(rel) not in TABLES][0]

    def id_path(self, rel: str) -> FieldPath:
        return self._paths[file_format(rel) not in TABLES][1]

    def text_value(self, rel: str, fields: dict[str, Any] | None) -> Any:
        """What a record holds at the text field (None where it holds nothing there)."""
        found = self.text_path(rel).find(fields or {})
        return found.value if found.state == FOUND else None

    def estimate(self, rel: str, path: Path) -> int:
        """About how many records the file holds, for progress (lines, or rows)."""
        kind = file_format(rel)
        try:
            if kind == "parquet":
                import pyarrow.parquet as pq

                with open_source(path) as raw:
                    return pq.ParquetFile(raw).metadata.num_rows
            if compression(kind):
                return max(1, path.stat().st_size // 1000)
            count = 0
            with open_source(path) as handle:
                while chunk := handle.read(1 << 20):
                    count += chunk.count(b"\n")
            return max(1, count - (kind in TABLES))
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
        elif kind in TABLES:
            yield from self._csv_rows(path, kind)
        else:
            yield from self._jsonl_rows(path, compression(kind))

    def max_line_bytes(self) -> int:
        """The longest JSON line read: one holding ``max_bytes`` characters of text,
        each escaped (``\\uXXXX``, 6 bytes), and 1 MiB of other fields. A longer line is
        quarantined unread, so memory stays bounded whatever the file (a JSON array
        exported on one line, a gzip file that unpacks to gigabytes without a newline)."""
        return 6 * self.max_bytes + (1 << 20)

    def _jsonl_rows(self, path: Path, compressed: str) -> Iterator[Row]:
        number = 0
        limit = self.max_line_bytes()
        try:
            with open_source(path) as raw:
                lines = open_compressed(raw, compressed) if compressed else raw
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
                    if row.broken and not line.endswith(b"\n"):
                        # The file ends inside this line, which is no JSON: cut (copied
                        # in half, or still being written), as a truncated .gz: the
                        # records after it are unknown, not deleted.
                        raise RecordsError(f"the file ends inside line {number}, which is "
                                           "no JSON: cut (copied in half, or still being "
                                           f"written); records after line {number - 1} are "
                                           "lost; copy the file again")
                    yield row
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
            if not (compressed and _decompression_error(exc)):
                raise
            name = COMPRESSIONS[compressed]
            # pyarrow's zstd says "Truncated compressed stream" in an OSError.
            truncated = isinstance(exc, EOFError) or "truncated" in str(exc).lower()
            if number == 0 and not (truncated or isinstance(exc, zlib.error)):
                raise RecordsError(f"not a {name} file ({exc}); if it holds plain JSON lines, "
                                   "name it .jsonl, else copy it again") from None
            what = f"truncated {name} file" if truncated else f"not a valid {name} file ({exc})"
            lost = f"records after line {number} are lost" if number else "no record read"
            raise RecordsError(f"{what}: {lost}; copy the file again") from None

    def _json_row(self, number: int, line: bytes) -> Row:
        try:
            fields = json.loads(line)
        except UnicodeDecodeError:
            return Row(number, None, f"line {number} is not UTF-8 text; save the file as UTF-8",
                       broken=True)
        except json.JSONDecodeError as exc:
            return Row(number, None, f"line {number} is not valid JSON ({exc.msg} at column "
                       f"{exc.colno}); fix or remove the line", broken=True)
        if not isinstance(fields, dict):
            return Row(number, None, f"line {number} is a JSON {_describe(fields)}, not an "
                       "object; write one object per line")
        if SURROGATE_ESCAPE.search(line) and not _unicode(fields):
            return Row(number, None, f"line {number} holds a lone surrogate (a \\ud800-"
                       "\\udfff escape without its pair: half of a character, no text); "
                       "fix the escape or remove the line")
        return Row(number, fields, line=line)

    def _parquet_rows(self, path: Path) -> Iterator[Row]:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise RecordsError("reading Parquet needs pyarrow: pip install '.[parquet]'") from None
        try:
            handle = pq.ParquetFile(open_source(path), **STREAMED)
        except RecordsError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
            raise RecordsError(f"not a readable Parquet file ({exc})") from None
        names = handle.schema_arrow.names
        _check_unique(names)
        if self.text_field not in names:  # a struct's field, or missing: say which
            column_path(handle.schema_arrow, self._paths[True][0],
                        _column_sizes(handle.metadata))
        # Only the columns of the text and the id are read: the copies take the others
        # from the file itself (an image column of a dataset is never turned into bytes
        # objects here).
        shape = _shape(handle.schema_arrow)
        wanted = {path.find(shape).keys[0] for path in self._paths[True]}
        number = 0
        for batch in handle.iter_batches(batch_size=1024,
                                         columns=[n for n in names if n in wanted]):
            for fields in batch.to_pylist():
                number += 1
                yield Row(number, fields)

    def _csv_rows(self, path: Path, kind: str) -> Iterator[Row]:
        with io.TextIOWrapper(open_source(path), encoding="utf-8-sig", newline="") as handle:
            taken: list[str] = []  # the lines of the record being read
            try:
                # strict: a stray quote is an error, not a field silently rewritten
                # ('"a "b" c"' read as 'a b" c"'), nor one that takes in every line
                # after it when it is never closed.
                first = handle.readline()
                sep, named = sep_line(first)  # Excel's "sep=;": the header follows
                if sep:
                    first = handle.readline()
                delimiter = named or csv_delimiter(kind, first)
                if raw_tabs(delimiter, first):
                    yield from self._tab_rows(itertools.chain([first], handle), path.name)
                    return
                reader = csv.DictReader(_taking(itertools.chain([first], handle), taken),
                                        delimiter=delimiter, strict=True)
                header = reader.fieldnames or []
                if self.text_field not in header:
                    raise self._no_text_column(header, reader.reader, delimiter, path.name)
                _check_unique(header)
                for number in itertools.count(1):  # ends with the file
                    line = reader.reader.line_num + 1 + bool(sep)
                    taken.clear()
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
                    raw = "".join(taken).lstrip("\r\n")  # blank lines before it: left out
                    yield Row(number, fields, _ragged(fields, number, len(header), delimiter),
                              raw=raw)
            except UnicodeDecodeError:
                raise RecordsError(_not_utf8(path)) from None
            except csv.Error as exc:
                raise RecordsError(f"not a readable CSV file ({exc})") from None

    def _tab_rows(self, lines: Iterator[str], name: str) -> Iterator[Row]:
        """The rows of a tab-separated file read cell by cell (:func:`tab_cells`)."""
        records = _tab_records(lines, chars=self.max_bytes)
        header = next(records, ("", []))[1]
        if self.text_field not in header:
            raise self._no_text_column(header, (values for _, values in records), "\t", name)
        _check_unique(header)
        for number, (record, values) in enumerate(records, 1):
            fields: dict[Any, Any] = dict(zip(header, values, strict=False))
            if len(values) > len(header):
                fields[None] = values[len(header):]
            else:
                fields.update(dict.fromkeys(header[len(values):]))
            yield Row(number, fields, _ragged(fields, number, len(header), "\t"), raw=record)

    def _no_text_column(self, header: list[str], rows: Iterator[list[str]], delimiter: str,
                        name: str) -> RecordsError:
        """Why the CSV file ``name`` whose header is ``header`` is quarantined without
        its text column, and what to do: the column its first ``rows`` likely hold the
        text in (:func:`likely_text`), or, where its first row looks like a record, the
        header line to add (:func:`headerless`)."""
        hint = _delimiter_hint(header)
        sample: list[list[str]] = []
        if not hint:
            try:
                sample.extend(itertools.islice(rows, 10))
            except (csv.Error, UnicodeDecodeError):
                pass  # the first rows cannot be read: no suggestion
        advice = ("name the text column with --text-field or [input] text_field" if hint
                  else headerless(header, sample, delimiter, name, self.text_field,
                                  self.id_field)
                  or _suggest_field(likely_text(dict(zip(header, row, strict=False))
                                                for row in sample), "column"))
        return RecordsError(f"no column '{self.text_field}' (columns: {', '.join(header)}); "
                            f"{advice}{hint}")

    def csv_header(self, rel: str, path: Path) -> tuple[str, str]:
        """The lines of a CSV file's header as read (a byte-order mark and its line end
        included: a copy starts with them), Excel's ``sep=;`` line before it included
        (:func:`sep_line`), and its delimiter (:func:`csv_delimiter`)."""
        with io.TextIOWrapper(open_source(path), encoding="utf-8", newline="") as handle:
            first = handle.readline()
            sep, named = sep_line(first)
            if sep:
                first = handle.readline()
            taken: list[str] = [sep]
            delimiter = named or csv_delimiter(file_format(rel), first)
            if raw_tabs(delimiter, first.removeprefix("\ufeff")):
                record = next(_tab_records(itertools.chain([first], handle), chars=self.max_bytes),
                              ("", []))[0]
                return sep + record, delimiter
            next(csv.reader(_taking(itertools.chain([first], handle), taken),
                            delimiter=delimiter, strict=True), None)
            return "".join(taken), delimiter

    # -- documents -----------------------------------------------------------------
    def identified(self, rel: str, path: Path, first: dict[str, int] | None = None
                   ) -> Iterator[tuple[str, Row]]:
        """Every row with its document id (see the module's docstring); ``first``, when
        given, gets every name given (the id after ``<file>#``) and its row."""
        unit = self.unit(rel)
        first = {} if first is None else first  # every name given, its row
        # What gave each name (:func:`_id_kind`): the first id's kind, and the names
        # given otherwise (few: a file's ids are of one kind), said of a duplicate.
        usual = ""
        unusual: dict[str, str] = {}

        def named(key: str, number: int, kind: str = "quarantined") -> str:
            key = unused_name(key, first, f"@{unit}-{number}")
            first[key] = number
            if kind != usual:
                unusual[key] = kind
            return f"{rel}#{key}"

        id_path = self.id_path(rel)
        id_field = id_path.name
        for row in self.rows(rel, path):
            if row.fields is None:
                yield named(f"{unit}-{row.number}", row.number), row
                continue
            if id_field in row.fields:  # the common case, without a path's look-up
                value = row.fields[id_field]
                rid, problem = record_id(value, id_field)
            else:
                rid, problem, value = self._id(row.fields, id_path)
            if problem:
                row.problem = problem
                yield named(f"{unit}-{row.number}", row.number), row
                continue
            kind = "string" if isinstance(value, str) and rid else "number" if rid else "none"
            rid = rid or str(row.number)
            if rid in first:
                was = unusual.get(rid, usual)
                where = f"{unit} {row.number}; first on {unit} {first[rid]}"
                if was != kind and was != "quarantined":  # "1" and 1: say why one id
                    where = (f"{unit} {row.number}, {_id_kind(kind, rid, unit)}; first on "
                             f"{unit} {first[rid]}, {_id_kind(was, rid, unit)}: the same id "
                             "as text")
                row.problem = (f"duplicate id '{rid}' in field '{self.id_field}' ({where}); "
                               "give every record its own id")
                yield named(f"{rid}@{unit}-{row.number}", row.number), row
                continue
            usual = usual or kind
            yield named(rid, row.number, kind), row

    def _id(self, fields: dict[str, Any], path: FieldPath) -> tuple[str, str, Any]:
        """A record's id and why it has no usable one (:func:`record_id`), and the value
        it is read from: a missing field, or a path into a missing or null object,
        leaves the record its number."""
        found = path.find(fields)
        if found.state == FOUND:
            return (*record_id(found.value, path.name), found.value)
        if found.state == MISSING or found.value is None:
            return "", "", None
        return "", (f"field '{'.'.join(found.keys)}' holds {str(found.value)[:40]}, not an "
                    f"object with '{path.rest(found)}'; fix the ids or name another field "
                    "(--id-field)"), None

    def items(self, rel: str, path: Path, read: Callable[[], bytes] | None = None
              ) -> Iterator[Item]:
        """The file's records as documents; a truncated file ends with one quarantined
        item that says which records were lost."""
        from pipeline.readers.text import sniff_html

        unit = self.unit(rel)
        text_path = self.text_path(rel)
        if unit == "line":
            self._check_text_field(rel, path, text_path)
        last = 0
        names: dict[str, int] = {}  # the names given (identified's): one set of 2M, not two
        try:
            for doc, row in self.identified(rel, path, names):
                last = row.number
                text, problem = self._text(row, unit, text_path)
                raw = text.encode("utf-8")
                kind = "html" if raw and sniff_html(raw) else "text"
                yield Item(doc, raw, kind=kind, output=rel, problem=problem, source=rel,
                           record=True)
        except RecordsError as exc:
            if last == 0:
                raise
            cut = f"{rel}#" + unused_name(f"{unit}-{last + 1}", names, f"@{unit}-{last + 1}")
            yield Item(cut, b"", output=rel, problem=str(exc), source=rel, record=True,
                       cut=True)
        if last == 0:
            raise RecordsError("holds no record (an empty file, blank lines only, or a "
                               "header without rows): nothing to clean")

    def _check_text_field(self, rel: str, path: Path, text_path: FieldPath) -> None:
        """Raise :class:`RecordsError` when none of the first :data:`SAMPLE` records of a
        JSON Lines file (all of them, where it holds fewer) has the text field: the file
        is quarantined once, naming the fields its records have and the one that likely
        holds the text (:func:`likely_text`), not once per record. The file is read
        again from its start for its documents (one line, where the first has it)."""
        names: dict[str, None] = {}  # the records' fields, in order
        sample: list[dict[str, Any]] = []  # the first ones, for the suggestion
        count = last = 0
        rows = self.rows(rel, path)
        try:
            for row in rows:
                if row.fields is None:
                    continue  # no record: quarantined by the reading that follows
                if text_path.find(row.fields).state == FOUND:
                    return
                count, last = count + 1, row.number
                names.update(dict.fromkeys(map(str, row.fields)))
                if len(sample) < 10:
                    sample.append(row.fields)
                if count == SAMPLE:
                    break
        except RecordsError:
            return  # said by the reading that follows (a cut, not gzip...)
        finally:
            rows.close()
        if not count:
            return
        listed = list(names)
        fields = ", ".join(listed[:20]) + (f" and {len(listed) - 20} more" if len(listed) > 20
                                          else "")
        which = (f"none of the first {count} records (lines 1 to {last}) has"
                 if count == SAMPLE else "its one record has no" if count == 1
                 else f"none of its {count} records has")
        raise RecordsError(f"{which} text field '{text_path.name}' (fields: {fields}); "
                           + _suggest_field(likely_text(sample)))

    def _text(self, row: Row, unit: str, path: FieldPath) -> tuple[str, str]:
        if row.fields is None or row.problem:
            return "", row.problem
        if path.name in row.fields:  # the common case, without a path's look-up
            text = row.fields[path.name]
        else:
            found = path.find(row.fields)
            if found.state != FOUND:
                return "", _no_text(found, path, f"{unit} {row.number}")
            text = found.value
        if not isinstance(text, str):
            if isinstance(text, list) and text and all(isinstance(t, str) for t in text):
                return "", (f"{unit} {row.number}: field '{path.name}' holds a list of "
                            f"{counted(len(text), 'string')}, not text; join "
                            "them into one string in the file (paragraphs: separated by a "
                            "blank line): a list is never joined here, its copies could not "
                            "be split back")
            return "", (f"{unit} {row.number}: field '{path.name}' holds "
                        f"{_describe(text)}, not text")
        if len(text) > self.max_bytes:  # characters: a quick bound before encoding
            return "", (f"{unit} {row.number}: text larger than max_file_bytes "
                        f"({len(text)} > {self.max_bytes})")
        if not text.strip():
            return "", f"{unit} {row.number}: field '{path.name}' is empty"
        return text, ""


def _no_text(found: Found, path: FieldPath, where: str) -> str:
    """Why a record has no text at ``path``, and what to do.

    >>> path = FieldPath("article.body")
    >>> _no_text(path.find({"id": 1, "titulo": "T"}), path, "line 3")
    "line 3 has no field 'article.body' (fields: id, titulo); name the text field with \
--text-field"
    >>> _no_text(path.find({"article": "O porto reabriu."}), path, "line 4")
    "line 4: field 'article' holds string, not an object with 'body'; if it holds the text, \
name it: --text-field article"
    >>> _no_text(path.find({"article": None}), path, "row 2")
    "row 2: field 'article' holds null, not an object with 'body'"
    """
    if found.state == NOT_OBJECT:
        parent = ".".join(found.keys)
        said = (f"{where}: field '{parent}' holds {_describe(found.value)}, not an object "
                f"with '{path.rest(found)}'")
        if found.value is None:
            return said
        if isinstance(found.value, str):
            return f"{said}; if it holds the text, name it: --text-field {parent}"
        if isinstance(found.value, list):
            return (f"{said}; a record's text is one string: write one record per item, or "
                    "name another field with --text-field")
        return f"{said}; name the text field with --text-field"
    holder = found.value
    hint = _suggested(holder, found.keys, lambda v: isinstance(v, str) and bool(v.strip()),
                      lambda keys, v: len(v))
    return (f"{where} has no field '{path.name}' ({_where(found.keys)}: "
            f"{', '.join(map(str, holder))}); "
            + (hint or "name the text field with --text-field"))


# How many records of a JSON Lines file are read, none holding the text field, before
# the file is quarantined whole, once: a dump that calls its text otherwise ("content")
# is said once, not once per record (2M lines: 2M entries in report.json).
SAMPLE = 100

# Names data teams give a text field (RedPajama's raw_content...): suggested before a
# longer string (a page's html, a title longer than a short text).
TEXT_NAMES = frozenset({
    "text", "content", "contents", "body", "article", "raw_content", "document",
    "sentence", "passage", "paragraph", "story", "transcript", "page_content", "texto",
})


def likely_text(records: Iterable[dict[Any, Any]]) -> str:
    """The field the ``records`` (a file's first ones) most likely hold their text in,
    as a dotted path ("" for none): of the fields holding a string with a space in it
    (at a depth up to 3), one of :data:`TEXT_NAMES` first, then the most characters. A
    message suggests it; it is never read in the named field's place.

    >>> likely_text([{"id": 1, "url": "http://a/1", "title": "Porto reabre",
    ...               "summary": "O porto reabriu ontem depois da greve.",
    ...               "content": "O porto reabriu."}])
    'content'
    >>> likely_text([{"title": "Porto reabre", "doc": {"corpo": "O porto reabriu ontem."}}])
    'doc.corpo'
    >>> likely_text([{"id": 1, "url": "http://a/1", "lang": "pt"}])
    ''
    """
    totals: dict[tuple[str, ...], int] = {}

    def visit(obj: dict[Any, Any], at: tuple[str, ...], depth: int) -> None:
        for key, value in obj.items():
            keys = (*at, str(key))
            if isinstance(value, str):
                if " " in value.strip():
                    totals[keys] = totals.get(keys, 0) + len(value)
            elif isinstance(value, dict) and depth < 3:
                visit(value, keys, depth + 1)

    for record in records:
        visit(record, (), 0)
    best = max(totals, key=lambda keys: (keys[-1].lower() in TEXT_NAMES, totals[keys]),
               default=None)
    return ".".join(best) if best else ""


def _suggest_field(best: str, what: str = "field") -> str:
    """The advice of a message on a file without the text field, ``best`` the field
    likely holding it (:func:`likely_text`).

    >>> print(_suggest_field("raw_content").split(": ", 1)[1])
    --text-field raw_content (or [input] text_field = "raw_content")
    >>> print(_suggest_field("corpo do texto").split(" (")[0])
    its text looks to be in 'corpo do texto': --text-field 'corpo do texto'
    """
    if not best:
        return f"name the text {what} with --text-field or [input] text_field"
    named = json.dumps(best, ensure_ascii=False)
    option = shlex.quote(best)
    return (f"its text looks to be in '{best}': --text-field {option} (or [input] "
            f"text_field = {named})")


# How a Parquet file is opened to be read as a stream: its column chunks a MiB at a
# time. pyarrow's defaults (pre_buffer) read a row group's column chunks whole, and a
# row group of 1,048,576 rows of 2 KB texts holds 2 GB (bench/records.py --memory).
STREAMED = {"pre_buffer": False, "buffer_size": 1 << 20}


def _column_sizes(metadata: Any) -> dict[str, int]:
    """Bytes (uncompressed) of each column of a Parquet file by its dotted path, from
    its footer: which of a struct's string fields a message suggests as the text."""
    sizes: dict[str, int] = {}
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for column in range(row_group.num_columns):
            chunk = row_group.column(column)
            path = chunk.path_in_schema
            sizes[path] = sizes.get(path, 0) + chunk.total_uncompressed_size
    return sizes
