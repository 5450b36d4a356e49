"""``pipeline explain DOC``: why a document changed, read back from a run's output.

Every stage records what it changed (``fixes``: stage, kind, before, after), what it
took out of the body (``removed``, with the reason), the facts it kept (``metadata``)
and the foreign-language pieces it found (``spans``); ``pipeline run`` writes them to
``OUT/documents.jsonl``. This command finds one document there and prints them for a
person: invisible characters are shown as escapes (``\\u00a0``, ``\\n``), so a fix
that only touched a no-break space or a line break is visible too.

The command line wires it in with :func:`register`; the handler returns the exit code
(0, or 2 when OUT or DOC is not found).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.log import counted, shown

EXIT_OK = 0
EXIT_NOT_FOUND = 2  # the usage / configuration exit code of the pipeline command

DEFAULT_OUT = Path("outputs")
DOCUMENTS_FILE = "documents.jsonl"
REPORT_FILE = "report.json"

# Before/after texts longer than this are shortened in the middle (a removed paragraph
# need not be printed whole to be recognised).
MAX_SHOWN_CHARS = 120
# How many document ids an error message lists when DOC is not found.
MAX_LISTED_DOCS = 10

# Characters printed as escapes: controls, format characters (zero-width, soft hyphen,
# BOM, direction marks), separators other than the plain space, and line breaks.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


class ExplainError(Exception):
    """OUT or DOC was not found; the message says what to do."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``explain`` subcommand to the ``pipeline`` command's subparsers."""
    from pipeline.cli import path_argument

    parser = subparsers.add_parser(
        "explain",
        help="show why a document changed: fixes, removed lines, metadata, spans",
        description="Print, from OUT/documents.jsonl, every change the pipeline made to\n"
        "DOC (stage, kind, before -> after), the lines it removed and why, the metadata\n"
        "it kept and the foreign-language spans it found.",
        epilog="examples:\n"
        "  pipeline explain article-pt.txt                # after pipeline run (OUT: outputs)\n"
        "  pipeline explain pt/chuvas.txt --out out/\n"
        "  pipeline explain 'dump.jsonl#42' --out out/    # one record of a record file",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "doc",
        metavar="DOC",
        help="the document: its id as in documents.jsonl, a path inside the corpus "
        "(e.g. pt/chuvas.txt) or, for a record, '<file>#<id>' (e.g. 'dump.jsonl#42'); "
        "or its file name when that is unique",
    )
    parser.add_argument(
        "--out",
        type=path_argument,
        default=DEFAULT_OUT,
        help=f"output directory of the run (default: {DEFAULT_OUT})",
    )
    parser.set_defaults(handler=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    """The ``explain`` handler: print the explanation of ``args.doc`` in ``args.out``."""
    try:
        record = find_record(args.out, args.doc)
    except ExplainError as exc:
        print(f"pipeline explain: error: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    print(explain(record), end="")
    return EXIT_OK


def read_records(out: Path) -> Iterator[dict[str, Any]]:
    """The document records of a run's ``documents.jsonl``."""
    path = out / DOCUMENTS_FILE
    try:
        found = path.is_file()
    except OSError as exc:  # OUT itself unreadable (another user's, umask 077)
        raise ExplainError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not found:
        where = "does not exist" if not out.exists() else f"has no {DOCUMENTS_FILE}"
        raise ExplainError(
            f"output directory {out} {where}; run `pipeline run CORPUS --out {out}` "
            "first, or pass the output directory of your run with --out"
        )
    rebuild = "delete the file and run `pipeline run` again, which rebuilds it"
    try:
        lines = path.open("rb")
    except OSError as exc:  # unreadable: not a traceback
        raise ExplainError(f"cannot read {path}: {exc.strerror or exc}") from None
    with lines:
        for number, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:  # damaged, or saved by an editor in another encoding
                raise ExplainError(f"{path}, line {number}: not UTF-8; {rebuild}") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExplainError(f"{path}, line {number}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("doc"), str):
                raise ExplainError(f"{path}, line {number}: not a document record (no "
                                   f"'doc' name); {rebuild}")
            yield record


def find_record(out: Path, doc: str) -> dict[str, Any]:
    """The record of ``doc`` in ``out``: by its id, else by a unique file name.

    The records are read one at a time and only their names kept: a documents.jsonl of
    200,000 documents (156 MB) took 1 GB of memory when every record was kept; one of
    millions would not fit. The id as given ends the reading at its record; another
    way of naming it reads the file twice."""
    names: list[str] = []
    for record in read_records(out):  # the id as given ("a\\b.txt" is a name on POSIX)
        if record["doc"] == doc:
            return record
        names.append(record["doc"])
    name = _named(out, doc, names)
    if isinstance(name, dict):  # a file the run did not read as documents
        return name
    for record in read_records(out):
        if record["doc"] == name:
            return record
    raise ExplainError(f"{out / DOCUMENTS_FILE} changed while it was read (a run writing "
                       "it?); try again once the run has ended")


def _named(out: Path, doc: str, names: list[str]) -> str | dict[str, Any]:
    """The one of ``names`` (the documents' ids) that ``doc`` names otherwise than by
    its id as given, or what report.json says of a file not read; else ExplainError."""
    wanted = doc.replace("\\", "/").strip("/")
    for name in names:  # as the log shows it: control characters escaped ("a\\nb.txt")
        if shown(name) == doc:
            return name
    for name in names:  # as a path
        if name == wanted:
            return name
    base = wanted.rsplit("/", 1)[-1]
    matches = [n for n in names if n.rsplit("/", 1)[-1] == base or wanted.endswith("/" + n)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        found = ", ".join(map(shown, matches))
        raise ExplainError(f"'{doc}' matches several documents ({found}); give its full id")
    held = [n for n in names if n.startswith(wanted + "#")]
    if held:  # a record file: each record is a document of its own
        listed = ", ".join(map(shown, held[:MAX_LISTED_DOCS]))
        more = f" and {len(held) - MAX_LISTED_DOCS} more" if len(held) > MAX_LISTED_DOCS else ""
        raise ExplainError(f"'{doc}' is a file of {len(held)} records, each a document; "
                           f"name one as '<file>#<id>': {listed}{more}")
    not_read = _not_read(out, wanted)
    if not_read:
        return not_read
    listed = ", ".join(map(shown, names[:MAX_LISTED_DOCS]))
    more = f" and {len(names) - MAX_LISTED_DOCS} more" if len(names) > MAX_LISTED_DOCS else ""
    known = f"documents there: {listed}{more}" if names else "it holds no documents"
    raise ExplainError(f"no document '{doc}' in {out / DOCUMENTS_FILE}; {known}")


def _not_read(out: Path, doc: str) -> dict[str, Any] | None:
    """A file the run did not read as documents, as report.json lists it: quarantined
    whole (a link out of the corpus, a name that is not UTF-8, a record file without its
    text column) or skipped (a format no reader takes); None when it lists no such file.
    """
    try:
        report = json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict):
        return None
    for key, name, status in (("quarantined", "doc", "quarantined"),
                              ("skipped", "path", "skipped (not read)")):
        for item in report.get(key) or []:
            if isinstance(item, dict) and item.get(name) == doc:
                return {"doc": doc, "status": status, "errors": [str(item.get("reason"))]}
    return None


def visible(text: str) -> str:
    """``text`` in double quotes, invisible characters as escapes, shortened if long.

    >>> print(visible("Kim\\u00a0Jong\\ncoope\\u00adração"))
    "Kim\\u00a0Jong\\ncoope\\u00adração"
    >>> print(visible(""))
    (removed)
    >>> shown = visible("é" * 5_000_000 + "\\n")
    >>> len(shown), shown[:3], shown[-5:]
    (121, '"éé', 'éé\\\\n"')

    Only the ends of a long text are escaped: the time is the same for any length.
    """
    if not text:
        return "(removed)"
    half = (MAX_SHOWN_CHARS - 3) // 2
    if len(text) > MAX_SHOWN_CHARS:  # escaped, it is longer still: shortened
        # An escape is never shorter than its character: the first (last) ``half``
        # characters of the escaped text come from the first (last) ``half`` of the text.
        return f'"{_escaped(text[:half])[:half]} … {_escaped(text[-half:])[-half:]}"'
    shown = _escaped(text)
    if len(shown) > MAX_SHOWN_CHARS:
        shown = f"{shown[:half]} … {shown[-half:]}"
    return f'"{shown}"'


def _escaped(text: str) -> str:
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == '"':
        return '\\"'
    if char != " " and unicodedata.category(char) in INVISIBLE_CATEGORIES:
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
    return char


def explain(record: dict[str, Any]) -> str:
    """The human-readable explanation of one documents.jsonl record.

    >>> print(explain({"doc": "a.txt", "lang": "pt", "status": "ok",
    ...     "fixes": [{"stage": "repair", "kind": "split_compound",
    ...                "before": "norte -coreana", "after": "norte-coreana"}],
    ...     "metadata": {"location": "Pyongyang"}}), end="")
    a.txt: 1 fix, 0 lines removed, 1 metadata field, 0 foreign spans
      language: pt, status: ok
    <BLANKLINE>
    Fixes, in the order the stages made them (stage  kind: before -> after):
      repair  split_compound: "norte -coreana" -> "norte-coreana"
    <BLANKLINE>
    Metadata kept from the removed lines:
      location: Pyongyang
    >>> print(explain({"doc": "p.html", "status": "ok",
    ...     "code": [{"after": 1, "line": 3, "lines": 2}]}), end="")
    p.html: 0 fixes, 0 lines removed, 0 metadata fields, 0 foreign spans
      status: ok
    <BLANKLINE>
    Code blocks kept as they are, never cleaned or translated (first line in the clean copy, lines):
      line 3, 2 lines
    """
    fixes = record.get("fixes") or []
    removed = record.get("removed") or []
    metadata = record.get("metadata") or {}
    spans = record.get("spans") or []
    lines = [
        f"{shown(record['doc'])}: {counted(len(fixes), 'fix')}, "
        f"{counted(len(removed), 'line')} removed, {counted(len(metadata), 'metadata field')}, "
        f"{counted(len(spans), 'foreign span')}",
        "  " + _about(record),
    ]
    if record.get("errors"):
        lines += ["", "Errors (the document was not cleaned):"]
        lines += [f"  {error}" for error in record["errors"]]
    if fixes:
        by_kind = Counter(fix["kind"] for fix in fixes)
        if len(by_kind) > 1:
            lines += ["", "Fixes by kind: " + ", ".join(f"{k} {n}" for k, n in by_kind.items())]
        stage_width = max(len(fix["stage"]) for fix in fixes)
        lines += ["", "Fixes, in the order the stages made them (stage  kind: before -> after):"]
        lines += [
            f"  {fix['stage']:{stage_width}}  {fix['kind']}: "
            f"{visible(fix['before'])} -> {visible(fix['after'])}"
            + (f" (from {fix['lang']})" if fix.get("lang") else "")
            for fix in fixes
        ]
    if removed:
        lines += ["", "Lines removed from the body, with the reason:"]
        lines += [f"  {visible(item['text'])}  ({item['reason']})" for item in removed]
    if metadata:
        lines += ["", "Metadata kept from the removed lines:"]
        lines += [f"  {key}: {value}" for key, value in metadata.items()]
    if spans:
        lines += ["", "Foreign-language spans (language: text, in segment [start:end]):"]
        lines += [
            f"  {span['lang']}: {visible(span['text'])}, in {span.get('segment') or '?'} "
            f"[{span['start']}:{span['end']}]"
            for span in spans
        ]
    code = record.get("code") or []
    if code:
        lines += ["", "Code blocks kept as they are, never cleaned or translated (first line "
                  "in the clean copy, lines):"]
        lines += [f"  line {place['line']}, {counted(place['lines'], 'line')}" for place in code]
    if not (fixes or removed or metadata or spans or code or record.get("errors")):
        lines += ["", "Nothing changed: the clean copy is the text as read, laid out in blocks."]
    return "\n".join(lines) + "\n"


def _about(record: dict[str, Any]) -> str:
    parts = []
    if record.get("lang"):
        score = record.get("lang_score")
        parts.append(f"language: {record['lang']}" + (f" ({score})" if score else ""))
    source = record.get("source") or {}
    if source.get("encoding"):
        size = source.get("size")
        parts.append(f"read as {source['encoding']}" + (f", {size} bytes" if size else ""))
    parts.append(f"status: {record.get('status', '?')}")
    return ", ".join(parts)
