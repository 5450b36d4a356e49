"""``OUT/report.html``: one self-contained page to review a run.

The page holds the run's totals (from the report dict, without the timings, so the
page is byte-identical for identical runs), then, per document, its facts (language,
encoding, status, metadata, removed lines, the audit trail of fixes) and a table
with the source text beside the clean copy and each translated copy, block by
block. Marks:

- in the source, the text each fix changed (``fix``) or removed (``fix removed``);
- in the clean copy, the text each fix produced, and the foreign spans (``foreign``);
- in a translation, segments with QA flags (``qa``, flags shown after them) and
  segments with no translation (``missing``).

Each fix marks the first occurrence of its text not already marked, in reading
order; fixes of the read stage name encodings, not text, and mark nothing.
Marking costs time linear in the text shown and the fixes (:func:`mark_fixes`):
per column of a document it looks for at most :data:`MARK_TEXTS` different fix
texts and examines at most :data:`MARK_PROBES` occurrences; a column that reached
either limit says how many of the fixes it looked for. The fixes table lists the
first :data:`TABLE_ROWS` fixes (and removed lines) whatever was marked, and says
how many more there are: ``pipeline explain DOC`` and documents.jsonl hold them all.

The page needs nothing but itself: CSS inline, no script, no image, no font, and
a Content-Security-Policy that forbids loading anything. Every piece of article
text, metadata and file name is HTML-escaped, so an article holding ``<script>``
shows it as text.

Size is bounded whatever the corpus: the first ``max_documents`` documents in the
order given (default :data:`DETAIL_DOCUMENTS`) are shown in detail, each text
column up to :data:`DETAIL_CHARS` characters; a note says what was left out, and
every document is in documents.jsonl and segments.jsonl. ``docs`` is read lazily
and only that far. Writing the page takes time linear in the documents it reads.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html import escape
from itertools import islice
from pathlib import Path
from typing import Any

from pipeline.document import Block, Document, Fix, Segment
from pipeline.writers import atomic_open

DETAIL_DOCUMENTS = 100  # documents shown in detail (a short news article: ~10 KB of page)
DETAIL_CHARS = 50_000  # characters of one text column shown per document
MARK_TEXTS = 1_000  # different fix texts looked for per column of a document
MARK_PROBES = 100_000  # occurrences of fix texts examined per column of a document
TABLE_ROWS = 1_000  # rows of a document's fixes table, and of its removed lines

# Fixes of these stages describe the decoding (before/after are encoding names).
NO_TEXT_FIX_STAGES = {"read"}

# The key of report.json left out of the page: it changes on every run.
VOLATILE_REPORT_KEYS = {"timings_s"}

Sources = Callable[[Document], str | None]

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
table.texts { width: 100%; table-layout: fixed; }
table.texts td { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font: inherit; }
td.title, td.heading { font-weight: bold; }
mark.fix { background: #cfe8ff; }
mark.removed { background: #ffd6d6; text-decoration: line-through; }
mark.foreign { background: #fff0a8; border-bottom: 2px dotted #b58900; }
.qa { background: #ffe1c4; }
.flags { font-size: .75em; color: #a04000; vertical-align: super; }
.missing { color: #888; font-style: italic; }
.note { color: #555; font-style: italic; }
.failed { color: #b00020; font-weight: bold; }
"""

LEGEND = (
    '<p>Marks: <mark class="fix">changed by a fix</mark> '
    '<mark class="fix removed">removed by a fix</mark> '
    '<mark class="foreign">foreign-language span</mark> '
    '<span class="qa">segment with QA flags</span><span class="flags">flag</span> '
    '<span class="missing">[no translation]</span>. '
    "Hover a mark for details.</p>"
)


def write_html(
    out: Path,
    docs: Iterable[Document],
    report: dict[str, Any],
    sources: Sources | None = None,
    max_documents: int = DETAIL_DOCUMENTS,
) -> None:
    """Write ``out/report.html``.

    ``report`` is the report.json dict (its ``targets`` give the translation
    columns); ``sources(doc)`` returns a document's original text, or None, in
    which case the page shows the text as read (``doc.text``) if it has it; see
    :func:`corpus_sources`.
    """
    with atomic_open(out / "report.html") as handle:
        handle.writelines(render_page(docs, report, sources, max_documents))


def corpus_sources(corpus: Path) -> Sources:
    """``sources`` for :func:`write_html`: each document's file, read back from the corpus.

    The file is decoded with the encoding the read stage found; None when it is
    gone, outside the corpus, or no longer the bytes that were processed.
    """
    root = corpus.resolve()

    def source(doc: Document) -> str | None:
        path = corpus / doc.doc
        try:
            if not path.resolve().is_relative_to(root) or path.stat().st_size != doc.source.size:
                return None
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != doc.source.sha256:
                return None
            return data.decode(doc.source.encoding or "utf-8", errors="replace")
        except (OSError, LookupError):
            return None

    return source


def render_page(
    docs: Iterable[Document], report: dict[str, Any], sources: Sources | None, max_documents: int
) -> Iterator[str]:
    """The page, piece by piece."""
    targets = list(report.get("targets", []))
    shown = list(islice(docs, max_documents + 1))
    more = len(shown) > max_documents
    shown = shown[:max_documents]
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n<title>Pipeline run report</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>Pipeline run report</h1>\n"
    )
    yield '<section id="totals">\n<h2>Totals</h2>\n'
    yield render_value({k: v for k, v in report.items() if k not in VOLATILE_REPORT_KEYS})
    yield "\n</section>\n"
    yield f'<section id="documents">\n<h2>Documents</h2>\n{LEGEND}\n'
    yield _coverage_note(len(shown), more, report.get("documents"))
    yield "<ol>\n"
    for n, doc in enumerate(shown, start=1):
        status = "" if doc.status == "ok" else f' <span class="failed">{escape(doc.status)}</span>'
        yield f'<li><a href="#doc-{n}">{escape(doc.doc)}</a>{status}</li>\n'
    yield "</ol>\n</section>\n"
    for n, doc in enumerate(shown, start=1):
        source = sources(doc) if sources else None
        yield render_document(n, doc, targets, source)
    yield "</body>\n</html>\n"


def _coverage_note(shown: int, more: bool, total: Any) -> str:
    if not more:
        return f"<p>Documents: {shown}.</p>\n"
    of = f" of {escape(str(total))}" if total is not None else ""
    return (
        f'<p class="note">The first {shown}{of} documents are shown; the page stops there '
        "to stay small. documents.jsonl and segments.jsonl hold every document.</p>\n"
    )


def render_value(value: Any, nested: bool = False) -> str:
    """A report value as HTML: tables for dicts and lists of dicts, escaped text otherwise.

    A nested dict that holds dicts itself (the configuration) is folded in a
    ``<details>`` element.

    >>> render_value([{"doc": "<a>", "n": 1}])
    '<table><tr><th>doc</th><th>n</th></tr><tr><td>&lt;a&gt;</td><td>1</td></tr></table>'
    """
    if isinstance(value, dict):
        if not value:
            return "none"
        rows = "".join(
            f"<tr><th>{escape(str(key))}</th><td>{render_value(item, True)}</td></tr>"
            for key, item in value.items()
        )
        if nested and any(isinstance(item, dict) for item in value.values()):
            return f"<details><summary>show</summary><table>{rows}</table></details>"
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        if not value:
            return "none"
        if all(isinstance(item, dict) for item in value):
            columns = list(dict.fromkeys(k for item in value for k in item))
            head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
            rows = "".join(
                "<tr>"
                + "".join(f"<td>{render_value(item.get(c, ''), True)}</td>" for c in columns)
                + "</tr>"
                for item in value
            )
            return f"<table><tr>{head}</tr>{rows}</table>"
        return ", ".join(render_value(item, True) for item in value)
    if isinstance(value, str):
        return escape(value)
    return escape(json.dumps(value))


@dataclass
class Mark:
    """A highlighted range of a text: ``start``/``end`` offsets, CSS class, tooltip."""

    start: int
    end: int
    css: str
    title: str


def marked(text: str, marks: list[Mark]) -> str:
    """``text`` HTML-escaped, with each mark (non-overlapping) as a ``<mark>``.

    >>> marked("a <b> c", [Mark(2, 5, "fix", 'x"y')])
    'a <mark class="fix" title="x&quot;y">&lt;b&gt;</mark> c'
    """
    pieces, pos = [], 0
    for mark in sorted(marks, key=lambda m: m.start):
        pieces.append(escape(text[pos : mark.start]))
        inner = escape(text[mark.start : mark.end])
        pieces.append(f'<mark class="{mark.css}" title="{escape(mark.title)}">{inner}</mark>')
        pos = mark.end
    pieces.append(escape(text[pos:]))
    return "".join(pieces)


class Taken:
    """Ranges of a text already marked: disjoint, sorted, found by bisection."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(r for r in ranges if r[0] < r[1]):
            if self.ends and start < self.ends[-1]:  # overlapping ranges merge
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def blocking(self, start: int, end: int) -> int | None:
        """The end of the taken range that overlaps ``start:end``, or None if none does.

        >>> Taken([(2, 5), (8, 9)]).blocking(4, 6), Taken([(2, 5)]).blocking(5, 6)
        (5, None)
        """
        i = bisect_left(self.starts, end) - 1
        return self.ends[i] if i >= 0 and self.ends[i] > start else None

    def add(self, start: int, end: int) -> None:
        """Take ``start:end``, which overlaps no taken range."""
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def mark_fixes(
    text: str, fixes: list[Fix], side: str, taken: Iterable[tuple[int, int]] = ()
) -> tuple[list[Mark], int]:
    """Marks for ``fixes`` in ``text``, and how many of the fixes were looked for.

    Each fix, in order, marks the first occurrence of its text (its ``side``:
    ``"before"`` in the source, ``"after"`` in the clean copy) that overlaps neither
    the ``taken`` ranges nor the marks of the fixes before it. The occurrences a
    text has passed stay passed (marks are never taken back), so the search for a
    text resumes where it stopped: each occurrence is examined once per different
    text, and each examination costs one search and one bisection. At most
    :data:`MARK_TEXTS` different texts are looked for and :data:`MARK_PROBES`
    occurrences examined; the second result is then the number of fixes looked for
    (``len(fixes)`` when no limit was reached).

    >>> split = Fix("repair", "split_compound", "norte -coreana", "norte-coreana")
    >>> marks, looked = mark_fixes("norte -coreana e norte -coreana", [split] * 3, "before")
    >>> [(m.start, m.end) for m in marks], looked
    ([(0, 14), (17, 31)], 3)
    >>> [(m.start, m.end) for m in mark_fixes("ab ab", [Fix("s", "k", "", "ab")] * 2,
    ...                                       "after", taken=[(0, 1)])[0]]
    [(3, 5)]
    """
    blocked = Taken(taken)
    resume: dict[str, int] = {}  # text -> where its next free occurrence may start; -1: none
    marks: list[Mark] = []
    probes = 0
    for n, fix in enumerate(fixes):
        needle = getattr(fix, side)
        if fix.stage in NO_TEXT_FIX_STAGES or not needle.strip():
            continue
        pos = resume.get(needle)
        if pos is None:
            if len(resume) >= MARK_TEXTS:
                return marks, n
            pos = 0
        while pos >= 0:  # each turn moves past an occurrence or a mark: bounded by the text
            if probes >= MARK_PROBES:
                return marks, n
            probes += 1
            start = text.find(needle, pos)
            if start < 0:
                pos = -1
                break
            end = start + len(needle)
            pos = blocked.blocking(start, end)  # occurrences before this mark's end overlap it
            if pos is None:
                blocked.add(start, end)
                marks.append(_fix_mark(fix, side, start, end))
                pos = end
                break
        resume[needle] = pos
    return marks, len(fixes)


def _fix_mark(fix: Fix, side: str, start: int, end: int) -> Mark:
    removed = side == "before" and not fix.after
    title = f"{fix.stage}/{fix.kind}: " + (
        "removed" if removed else f"{fix.before!r} → {fix.after!r}"
    )
    return Mark(start, end, "fix removed" if removed else "fix", title)


def _marking_note(looked: int, fixes: list[Fix]) -> str:
    if looked >= len(fixes):
        return ""
    return (
        f'<p class="note">Fixes are marked in this column up to a limit: the first {looked} '
        f"of the document's {len(fixes)} fixes were looked for (the page looks for at most "
        f"{MARK_TEXTS} different texts and examines at most {MARK_PROBES} occurrences per "
        "column); documents.jsonl and <code>pipeline explain</code> list every fix.</p>"
    )


def block_pieces(block: Block) -> list[str | Segment]:
    """The block as the text between segments (str) and its segments, in order.

    >>> b = Block("paragraph", "Olá.  Tudo?", segments=[Segment("d#1.1", "Olá."),
    ...                                                  Segment("d#1.2", "Tudo?")])
    >>> [p if isinstance(p, str) else p.id for p in block_pieces(b)]
    ['', 'd#1.1', '  ', 'd#1.2', '']
    """
    pieces: list[str | Segment] = []
    pos = 0
    for seg in block.segments:
        start = block.text.index(seg.text, pos)
        pieces += [block.text[pos:start], seg]
        pos = start + len(seg.text)
    pieces.append(block.text[pos:])
    return pieces


Pieces = list[str | Segment]


def shown_blocks(blocks: list[Block], limit: int = DETAIL_CHARS) -> list[tuple[Block, Pieces]]:
    """The blocks the page shows, each with its pieces (:func:`block_pieces`).

    Whole blocks while they fit in ``limit`` characters; a first block longer than
    that is cut there, its last segment shortened (its translations too).

    >>> b = Block("paragraph", "Um dois. Três.", segments=[Segment("d#1.1", "Um dois."),
    ...     Segment("d#1.2", "Três.", translations={"en": "Three."})])
    >>> [[p if isinstance(p, str) else (p.text, p.translations) for p in pieces]
    ...  for _, pieces in shown_blocks([b, b], limit=11)]
    [['', ('Um dois.', {}), ' ', ('Tr', {'en': 'Th'})]]
    """
    shown: list[tuple[Block, Pieces]] = []
    size = 0
    for block in blocks:
        if size + len(block.text) <= limit:
            shown.append((block, block_pieces(block)))
            size += len(block.text)
            continue
        if not shown:
            shown.append((block, _cut(block_pieces(block), limit)))
        break
    return shown


def _cut(pieces: Pieces, limit: int) -> Pieces:
    """The pieces up to ``limit`` characters: those before it, the one across it cut."""
    cut: Pieces = []
    for piece in pieces:
        text = piece if isinstance(piece, str) else piece.text
        if len(text) <= limit:
            cut.append(piece)
            limit -= len(text)
            continue
        if isinstance(piece, str):
            cut.append(piece[:limit])
        elif limit > 0:
            translations = {t: tr[:limit] for t, tr in piece.translations.items()}
            cut.append(Segment(piece.id, piece.text[:limit], piece.lang, piece.score,
                               translations, piece.flags))
        break
    return cut


def render_document(n: int, doc: Document, targets: list[str], source: str | None) -> str:
    """One document's section: facts, audit trail, and the texts side by side."""
    parts = [f'<section class="doc" id="doc-{n}">\n<h2>{n}. {escape(doc.doc)}</h2>\n']
    facts: dict[str, Any] = {
        "language": f"{doc.lang or '?'} (score {doc.lang_score:.2f})",
        "encoding": doc.source.encoding,
        "status": doc.status,
    }
    if doc.errors:
        facts["errors"] = doc.errors
    facts["metadata"] = doc.metadata
    facts["removed"] = [{"text": r.text, "reason": r.reason} for r in doc.removed[:TABLE_ROWS]]
    facts["fixes"] = [vars(f) for f in doc.fixes[:TABLE_ROWS]]
    parts.append(render_value(facts) + "\n")
    for name, items in (("removed lines", doc.removed), ("fixes", doc.fixes)):
        if len(items) > TABLE_ROWS:
            parts.append(
                f'<p class="note">The table shows the first {TABLE_ROWS} of the document\'s '
                f"{len(items)} {name}; documents.jsonl and <code>pipeline explain</code> "
                "list them all.</p>\n"
            )
    parts.append(_texts_table(doc, targets, source))
    parts.append("</section>\n")
    return "".join(parts)


def _texts_table(doc: Document, targets: list[str], source: str | None) -> str:
    if source is not None:
        source_head = f"Original file ({escape(doc.source.encoding or 'utf-8')})"
    else:
        source, source_head = doc.text, "Text as read (original file not available)"
    source_cell = _source_cell(source, doc.fixes)
    head = f"<th>{source_head}</th><th>Clean ({escape(doc.lang or '?')})</th>" + "".join(
        f"<th>{escape(t)}</th>" for t in targets
    )
    blocks = shown_blocks(doc.blocks)
    clean, clean_note = _clean_cells(doc, blocks)
    rows = []
    for i, ((block, pieces), clean_html) in enumerate(zip(blocks, clean, strict=True)):
        kind = escape(block.kind)
        cells = [f'<td class="{kind}" lang="{escape(block.lang or doc.lang)}">{clean_html}</td>']
        cells += [f'<td class="{kind}" lang="{escape(t)}">{_translated_block(pieces, t)}</td>'
                  for t in targets]
        first = (f'<td rowspan="{len(blocks)}" lang="{escape(doc.lang)}">{source_cell}</td>'
                 if i == 0 else "")
        rows.append(f"<tr>{first}{''.join(cells)}</tr>\n")
    if not blocks:
        empty = '<td class="missing">no clean text</td>' * (1 + len(targets))
        rows.append(f"<tr><td>{source_cell}</td>{empty}</tr>\n")
    note = clean_note
    shown = sum(len(p if isinstance(p, str) else p.text) for _, pieces in blocks for p in pieces)
    hidden = sum(len(block.text) for block in doc.blocks) - shown
    if hidden > 0:
        note += (f'<p class="note">{hidden} more characters of the clean copy not shown '
                 f"(the page shows up to {DETAIL_CHARS} characters per document).</p>\n")
    return f'<table class="texts">\n<tr>{head}</tr>\n{"".join(rows)}</table>\n{note}'


def _source_cell(source: str, fixes: list[Fix]) -> str:
    note = ""
    if len(source) > DETAIL_CHARS:
        source = source[:DETAIL_CHARS]
        note = f'<p class="note">(the first {DETAIL_CHARS} characters)</p>'
    marks, looked = mark_fixes(source, fixes, "before")
    return f"<pre>{marked(source, marks)}</pre>{note}{_marking_note(looked, fixes)}"


# Between two segments in the text that marking searches: taken, so in no match.
SEGMENT_GAP = "\n"


def segment_marks(doc: Document, segments: list[Segment]) -> tuple[list[list[Mark]], int]:
    """The marks of each of ``segments`` (as shown) in the clean column: its foreign
    spans, then its fixes' marks; and how many fixes were looked for (:func:`mark_fixes`).

    The fixes are looked for once in all the segments, joined by a taken separator:
    the same marks as looking for the pending fixes segment by segment.
    """
    spans: dict[str, list[Mark]] = {}
    for span in doc.spans:
        title = f"{span.lang}: {span.text}"
        spans.setdefault(span.segment, []).append(Mark(span.start, span.end, "foreign", title))
    marks = [[m for m in spans.get(s.id, []) if m.end <= len(s.text)] for s in segments]
    offsets, texts, taken, pos = [], [], [], 0
    for seg, seg_marks in zip(segments, marks, strict=True):
        offsets.append(pos)
        texts.append(seg.text)
        taken += [(pos + m.start, pos + m.end) for m in seg_marks]
        pos += len(seg.text)
        taken.append((pos, pos + len(SEGMENT_GAP)))
        pos += len(SEGMENT_GAP)
    found, looked = mark_fixes(SEGMENT_GAP.join(texts), doc.fixes, "after", taken)
    for mark in found:
        i = bisect_right(offsets, mark.start) - 1
        shift = offsets[i]
        marks[i].append(Mark(mark.start - shift, mark.end - shift, mark.css, mark.title))
    return marks, looked


def _clean_cells(doc: Document, blocks: list[tuple[Block, Pieces]]) -> tuple[list[str], str]:
    """The clean column's cell of each shown block, with its foreign spans and fixes
    marked; and the note saying where marking stopped, if it did."""
    segments = [p for _, pieces in blocks for p in pieces if isinstance(p, Segment)]
    marks, looked = segment_marks(doc, segments)
    cells, i = [], 0
    for _, pieces in blocks:
        html = []
        for piece in pieces:
            if isinstance(piece, str):
                html.append(escape(piece))
                continue
            title = f"{piece.id} ({piece.lang}, {piece.score:.2f})"
            html.append(f'<span title="{escape(title)}">{marked(piece.text, marks[i])}</span>')
            i += 1
        cells.append("".join(html))
    return cells, _marking_note(looked, doc.fixes)


def _translated_block(pieces: Pieces, tgt: str) -> str:
    html = []
    for piece in pieces:
        if isinstance(piece, str):
            html.append(escape(piece))
        elif tgt not in piece.translations:
            html.append(f'<span class="missing" title="{escape(piece.id)}">[no translation]</span>')
        elif flags := piece.flags.get(tgt):
            text = escape(piece.translations[tgt])
            shown = escape(", ".join(flags))
            html.append(f'<span class="qa" title="{escape(piece.id)}: {shown}">{text}</span>'
                        f'<span class="flags">{shown}</span>')
        else:
            text = escape(piece.translations[tgt])
            html.append(f'<span title="{escape(piece.id)}">{text}</span>')
    return "".join(html)
