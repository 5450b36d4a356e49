"""One document, as a reviewer reads it.

- Its facts and metadata, in plain view; for a failed or quarantined document the
  reason, and for a binary file a short hex preview (never its bytes as text).
- The texts aligned: one table body per paragraph of the original file, beside it
  the clean block(s) it became, one row per sentence, each translation in its own
  column on the sentence's row. A sentence in another language than the document's
  carries a small language tag; foreign spans are marked with their language, the
  text each fix changed is marked in the source and in the clean copy, translations
  with QA flags carry the flags. Paragraphs of the source that left no clean text
  (boilerplate, a duplicated headline, label lines moved to the metadata) get a row
  of their own, each line with the reason it was removed.
- A diff of the source against the clean copy, paragraph by paragraph as the
  alignment paired them: the lines of each changed paragraph (words within changed
  lines); paragraphs left as they were are folded.
- The fixes (whitespace made visible) and the removed lines, each listed once.

Everything is bounded per document: each text column up to :data:`DETAIL_CHARS`
characters (the diff too), the tables up to :data:`TABLE_ROWS` rows; a note says what
was left out, and ``pipeline explain DOC`` and documents.jsonl hold everything.
Aligning, marking, diffing and rendering cost time linear in what is shown.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import Any

from pipeline.document import Block, Document, Fix, Segment
from pipeline.log import counted
from pipeline.readers.html import CODE, HtmlReader
from pipeline.writers.review.marks import (
    MARK_PROBES,
    MARK_TEXTS,
    Mark,
    mark_fixes,
    marked,
    marking_note,
    segment_marks,
)
from pipeline.writers.review.text import (
    esc,
    esc_name,
    hexdump,
    needs_escape,
    short,
    visible,
)

DETAIL_CHARS = 50_000  # characters of one text column shown per document
TABLE_ROWS = 1_000  # rows of a document's fixes table, and of its removed lines
HEX_BYTES = 256  # bytes of a binary file shown in hex
ALIGN_WINDOW = 8  # source paragraphs ahead where a clean block's origin is looked for
ALIGN_SHARE = 0.5  # share of a block's words its source paragraph must hold

Sources = Callable[[Document], "bytes | str | None"]

_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:(?:\r\n|\r|\n)[ \t]*)+")
_BLANK_RUN = re.compile(r"[\r\n \t]*")  # from a line end: a gap if it holds two
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# A run of ASCII letters and digits: a piece of a word (within a \w run), lower-cased alone
# as within the whole text (no context changes an ASCII letter's case); one of at least 3
# (a short one such as "a" is in most paragraphs).
_ASCII_PIECE = re.compile(r"[A-Za-z0-9]{3,}")


def render_document(doc: Document, targets: list[str], source: bytes | str | None,
                    anchor: str, nav: str = "") -> str:
    """The document's ``<section>`` (``id=anchor``); ``nav`` goes above and below it."""
    text, raw = _source_text(doc, source)
    parts = [f'<section class="doc" id="{esc(anchor)}">\n{nav}',
             f"<h2>{esc_name(doc.doc)} {_badges(doc)}</h2>\n", _facts(doc)]
    if doc.status != "ok":
        parts.append(_problem(doc, text, raw))
    if doc.blocks:
        parts += _aligned(doc, targets, text)
    parts.append(_fixes(doc))
    parts.append(_removed(doc))
    parts.append(f"{nav}</section>\n")
    return "".join(parts)


def _source_text(doc: Document, source: bytes | str | None) -> tuple[str | None, bytes | None]:
    """The original file as text (None for binary data), and its bytes when given."""
    if isinstance(source, str):
        return source, None
    if source is None:
        return None, None
    if b"\0" in source[:65536]:
        return None, source
    try:
        return source.decode(doc.source.encoding or "utf-8"), source
    except (UnicodeDecodeError, LookupError):
        return None, source


def _badges(doc: Document) -> str:
    lang = f'<span class="badge">{esc(doc.lang)}</span>' if doc.lang else ""
    return f'<span class="badge {esc(doc.status)}">{esc(doc.status)}</span>{lang}'


def _facts(doc: Document) -> str:
    segments = doc.segments()
    flags = sum(len(f) for s in segments if s.flags for f in s.flags.values())
    # The labels hold nothing to escape: written as they are.
    rows = [
        f"<dt>language</dt><dd>{esc(doc.lang or '?')} (score {doc.lang_score:.2f})</dd>"
        f"<dt>encoding</dt><dd>{esc(doc.source.encoding or 'none found')}</dd>"
        f"<dt>size</dt><dd>{doc.source.size:,} bytes</dd>"
        f'<dt>sha256</dt><dd><span class="mono">{esc(doc.source.sha256)}</span></dd>'
        f"<dt>status</dt><dd>{esc(doc.status)}</dd>"
        "<dt>counts</dt><dd>" + ", ".join(counted(n, noun, grouped=True) for n, noun in (
            (len(doc.blocks), "paragraph"), (len(segments), "sentence"),
            (len(listed_fixes(doc)), "fix"),  # as the index and the Fixes table count them
            (len(doc.spans), "foreign span"), (len(doc.removed), "removed line"),
            (flags, "QA flag"))) + "</dd>"]
    if doc.errors:
        rows += [f"<dt>{f'errors ({n})' if len(doc.errors) > 1 else 'error'}</dt>"
                 f'<dd><span class="error">{esc(e)}</span></dd>'
                 for n, e in enumerate(doc.errors, start=1)]
    code = sum(1 for block in doc.blocks if block.kind == CODE)
    if code:  # a page's, among the paragraphs: as the page has them
        rows.append(f"<dt>code blocks</dt><dd>{code} of the paragraphs, as the page has "
                    "them, not cleaned or translated</dd>")
    if doc.metadata:
        rows += [f"<dt>metadata: {esc(k)}</dt><dd>{esc(v)}</dd>"
                 for k, v in doc.metadata.items()]
    return f'<dl class="meta">{"".join(rows)}</dl>\n'


def _problem(doc: Document, text: str | None, raw: bytes | None) -> str:
    reason = "; ".join(doc.errors) or doc.status
    parts = [f'<h3>Why it is {esc(doc.status)}</h3>\n<p class="error">{esc(reason)}</p>\n']
    if raw is not None and text is None:
        parts.append(
            f"<p>The file is binary data ({len(raw):,} bytes); its first "
            f"{min(len(raw), HEX_BYTES)} bytes in hex:</p>\n"
            f"<pre>{esc(hexdump(raw, HEX_BYTES))}</pre>\n")
    elif text is not None and not doc.blocks:
        note = (f'<p class="note">The first {DETAIL_CHARS:,} of {len(text):,} characters.</p>'
                if len(text) > DETAIL_CHARS else "")
        parts.append(f"<h3>Original file</h3>\n<pre>{esc(text[:DETAIL_CHARS])}</pre>{note}\n")
    return "".join(parts)


# -- the texts, aligned ------------------------------------------------------------------


def paragraph_ranges(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each paragraph of ``text``: split at the gaps
    :data:`_PARAGRAPH_BREAK` finds (a line end, then spaces, tabs and at least one more
    line end: a ``\\r\\n`` is two).

    Found without the regex scanning every character: a gap is the run of line ends,
    spaces and tabs from a line end (``str.find``, in C) when it holds two line ends.

    >>> t = "Título\\r\\n\\r\\nlinha um\\nlinha dois\\n\\n\\nFim"
    >>> [t[a:b] for a, b in paragraph_ranges(t)]
    ['Título', 'linha um\\nlinha dois', 'Fim']
    >>> paragraph_ranges("a\\n \\nb  \\n\\t\\n\\n x\\ny\\r\\n") == [(0, 1), (4, 7), (12, 15)]
    True
    """
    ranges, pos = [], 0
    at, size = 0, len(text)
    nl = text.find("\n")
    cr = text.find("\r")  # -1: none at or after ``at``
    while nl >= 0 or cr >= 0:
        start = nl if cr < 0 or 0 <= nl < cr else cr
        end = _BLANK_RUN.match(text, start).end()
        if end - start > 1 and (text.count("\n", start, end)
                                + (text.count("\r", start, end) if cr >= 0 else 0)) > 1:
            if text[pos:start].strip():
                ranges.append((pos, start))
            pos = end
        at = end  # the run holds every line end before its end
        if nl >= 0 and nl < at:
            nl = text.find("\n", at) if at < size else -1
        if cr >= 0 and cr < at:
            cr = text.find("\r", at) if at < size else -1
    if text[pos:].strip():
        ranges.append((pos, len(text.rstrip("\r\n"))))
    return ranges


# Signs that end or start a word's chunk (between spaces) without being word characters.
_CHUNK_SIGNS = ".,;:!?\"'()[]«»“”‘’"


WORD_SETS = 4096  # word sets kept at most (:func:`_words`); a page drops its own once made


_word_sets: dict[str, frozenset[str]] = {}
_chunk_lists: dict[str, list[str]] = {}


def _words(text: str, low: str | None = None) -> frozenset[str]:
    """The words of ``text`` (:data:`_WORD`), lower-cased (:func:`word_set`); ``low``:
    ``text.lower()``, when made already. Cached (up to :data:`WORD_SETS` texts, then
    emptied): alignment and the diff ask for the same lines and paragraphs several times.

    >>> sorted(_words("Norte-coreano, «KCNA»")), _words("Um Dois", "um dois") == {"um", "dois"}
    (['coreano', 'kcna', 'norte'], True)
    """
    words = _word_sets.get(text)
    if words is None:
        if len(_word_sets) >= WORD_SETS:
            _word_sets.clear()
        words = _word_sets[text] = words_of(_chunks(text, low))
    return words


def _chunks(text: str, low: str | None = None) -> list[str]:
    """The chunks of ``text`` lower-cased (:func:`chunks_of`), which its words are made
    of (:func:`words_of`): two texts of the same chunks have the same words, known
    without making them. Cached as :func:`_words` is.

    >>> _chunks("Norte -coreano.") == _chunks("norte-coreano") == ["norte", "coreano"]
    True
    """
    chunks = _chunk_lists.get(text)
    if chunks is None:
        if len(_chunk_lists) >= WORD_SETS:
            _chunk_lists.clear()
        chunks = _chunk_lists[text] = chunks_of(text.lower() if low is None else low)
    return chunks


def _has_words(text: str, low: str | None, chunks: list[str]) -> bool:
    """Whether ``text`` (of these :func:`_chunks`) holds a word: at once where its
    chunks are all word characters (and there is one), else by its words."""
    return "".join(chunks).isalnum() or bool(_words(text, low))


def chunks_of(low: str) -> list[str]:
    """The chunks between spaces of ``low`` (a lower-cased text) once ``.``, ``,`` and
    ``-`` are made spaces: no word (:data:`_WORD`) holds any of them.

    >>> chunks_of("o acordo norte-coreano, em 2026.")
    ['o', 'acordo', 'norte', 'coreano', 'em', '2026']
    """
    return low.replace(".", " ").replace(",", " ").replace("-", " ").split()


def word_set(low: str) -> frozenset[str]:
    """The words (:data:`_WORD`) of ``low``, a lower-cased text (:func:`words_of` its
    :func:`chunks_of`).

    >>> sorted(word_set("norte-coreano, «kcna» snake_case... 2026 — ölfeld!"))
    ['2026', 'coreano', 'kcna', 'norte', 'snake_case', 'ölfeld']
    >>> sorted(word_set("o acordo norte-coreano, em 2026."))
    ['2026', 'acordo', 'coreano', 'em', 'norte', 'o']
    """
    return words_of(chunks_of(low))


def words_of(chunks: list[str]) -> frozenset[str]:
    """The words (:data:`_WORD`) of a text's :func:`chunks_of`.

    The chunks themselves when all of them are word characters (``str.isalnum``, as
    ``\\w`` less ``_``: one test of them joined), as in most texts. Otherwise, each
    chunk of word characters only once stripped of signs is one word, and a regex
    search reads the other chunks.

    >>> sorted(words_of(["«kcna»", "snake_case...", "—", "um"]))
    ['kcna', 'snake_case', 'um']
    """
    if "".join(chunks).isalnum():
        return frozenset(chunks)
    words = []
    for chunk in chunks:
        if not chunk.isalnum():
            stripped = chunk.strip(_CHUNK_SIGNS)
            if not stripped.isalnum():
                words += _WORD.findall(chunk)
                continue
            chunk = stripped
        words.append(chunk)
    return frozenset(words)


def _probes(low: str) -> tuple[str, ...]:
    """Pieces of words of ``low`` (a lower-cased text): a text that lacks one of them
    (as a substring) lacks one of its words (:func:`word_set`).

    >>> _probes("um dois três"), _probes(" ... ")
    (('um', 'três'), ())
    """
    first = _WORD.search(low)
    if first is None:
        return ()
    tail = _WORD.findall(low, max(first.end(), len(low) - 24))
    return (first.group(), tail[-1]) if tail else (first.group(),)


Group = tuple[list[int], list[tuple[Block, list[Segment]]]]


def align(paragraphs: list[str], blocks: list[tuple[Block, list[Segment]]]) -> list[Group]:
    """Groups of source paragraphs (indices) and the clean blocks that came from them.

    A block comes from the paragraph, among the last one used and the next
    :data:`ALIGN_WINDOW`, that holds the largest share (at least
    :data:`ALIGN_SHARE`) of its words; paragraphs passed over left no clean text and
    get groups of their own without blocks; a block found nowhere gets one without
    paragraphs. Linear in the texts.

    >>> b = lambda t: (Block("paragraph", t), [])
    >>> groups = align(["Título", "Título", "Um dois três", "Details"],
    ...                [b("Título"), b("Um dois-três"), b("Nada aqui")])
    >>> [(p, [blk.text for blk, _ in bl]) for p, bl in groups]
    [([0], ['Título']), ([1], []), ([2], ['Um dois-três']), ([], ['Nada aqui']), ([3], [])]
    """
    groups: list[Group] = []
    stripped = [p.strip() for p in paragraphs]
    lowered: dict[int, str] = {}
    count = len(paragraphs)

    def share(text: str, wanted: frozenset[str], j: int) -> float:
        # The same text holds all its words (share 1, as for a text without words).
        if text == stripped[j]:
            return 1.0
        return (len(wanted & _words(stripped[j], lowered.get(j))) / len(wanted)
                if wanted else 0.0)

    nxt = 0  # the next paragraph no block came from yet
    for item in blocks:
        text = item[0].text.strip()
        last = groups[-1][0][-1] if groups and groups[-1][0] and groups[-1][1] else -1
        candidates = range(nxt, min(count, nxt + ALIGN_WINDOW))
        order = [last, *candidates] if last >= 0 else candidates
        # The first paragraph that holds all the block's words is the one chosen: found
        # without the words of the paragraphs that lack a piece of them (a substring).
        # Each text lower-cased once, for its pieces and its words.
        probes: tuple[str, ...] | None = None
        mine: list[str] | None = None  # its chunks (:func:`_chunks`)
        full = False  # whether it holds a word
        low = ""
        first: str | None = None  # ASCII letters and digits near its end, lower-cased
        where = -1
        for j in order:
            if text != stripped[j]:
                if j not in lowered:
                    lowered[j] = stripped[j].lower()
                if first is None:  # a piece of its last word, without lower-casing it all
                    pieces = _ASCII_PIECE.findall(text, max(0, len(text) - 24))
                    first = pieces[-1].lower() if pieces else ""
                if first and first not in lowered[j]:
                    continue  # a word missing: a share below 1
                if mine is None:
                    low = text.lower()
                    mine = _chunks(text, low)
                    full = _has_words(text, low, mine)
                if full and mine == _chunks(stripped[j], lowered[j]):
                    where = j  # the same chunks: the same words, all of them held
                    break
                if probes is None:
                    probes = _probes(low)
                if any(piece not in lowered[j] for piece in probes):
                    continue  # a word missing: a share below 1
                wanted = _words(text, low)
                if not wanted or not wanted <= _words(stripped[j], lowered[j]):
                    continue  # a share below 1 (0 for a text without words)
            where = j
            break
        best = 1.0
        if where < 0:  # none holds them all: the first with the largest share
            wanted = _words(text, low or None)
            best = 0.0
            for j in order:
                value = share(text, wanted, j)
                if value > best:
                    best, where = value, j
        if best < ALIGN_SHARE:
            groups.append(([], [item]))
        elif where == last:
            groups[-1][1].append(item)
        else:
            groups.extend(([k], []) for k in range(nxt, where))
            groups.append(([where], [item]))
            nxt = where + 1
    groups.extend(([k], []) for k in range(nxt, len(paragraphs)))
    return groups


def shown_segments(blocks: list[Block], limit: int = DETAIL_CHARS
                   ) -> list[tuple[Block, list[Segment]]]:
    """The blocks the page shows with their segments: whole blocks while they fit in
    ``limit`` characters; the first block that does not fit is cut where the limit is
    reached, its last segment shortened (its translations too), so that a long paragraph
    after a short headline shows its first sentences (not nothing, which read as a
    paragraph of the source left out of the clean copy).

    >>> b = Block("paragraph", "Um dois. Três.", segments=[Segment("d#1.1", "Um dois."),
    ...     Segment("d#1.2", "Três.", translations={"en": "Three."})])
    >>> [[(s.text, s.translations) for s in segs] for _, segs in shown_segments([b, b], 11)]
    [[('Um dois.', {}), ('Tr', {'en': 'Th'})]]
    >>> h = Block("title", "Título", segments=[Segment("d#1.1", "Título")])
    >>> [[s.text for s in segs] for _, segs in shown_segments([h, b, b], 17)]
    [['Título'], ['Um dois.', 'Tr']]
    """
    shown: list[tuple[Block, list[Segment]]] = []
    size = 0
    for block in blocks:
        if size + len(block.text) <= limit:
            shown.append((block, block.segments))
            size += len(block.text)
            continue
        if size < limit:
            cut, left = [], limit - size
            for seg in block.segments:
                if len(seg.text) <= left:
                    cut.append(seg)
                    left -= len(seg.text) + 1
                    continue
                if left > 0:
                    cut.append(Segment(seg.id, seg.text[:left], seg.lang, seg.score,
                                       {t: tr[:left] for t, tr in seg.translations.items()},
                                       seg.flags))
                break
            shown.append((block, cut))
        break
    return shown


def _aligned(doc: Document, targets: list[str], source: str | None) -> tuple[str, str]:
    """The aligned texts' table, and the diff of the source against the clean copy
    (:func:`diff_groups`; "" without the original file)."""
    original = source is not None
    if source is None:  # a web page's text is what was extracted from it
        page = doc.doc.lower().endswith(HtmlReader.suffixes)
        source, head = doc.text, ("Text as extracted from the page" if page
                                  else "Text as read (original file not available)")
    else:
        head = f"Original file ({esc(doc.source.encoding or 'utf-8')})"
    notes = []
    if len(source) > DETAIL_CHARS:
        notes.append(f"the first {DETAIL_CHARS:,} of the source's {len(source):,} characters")
        source = source[:DETAIL_CHARS]
    ranges = paragraph_ranges(source)
    blocks = shown_segments(doc.blocks)
    hidden = sum(len(b.text) for b in doc.blocks) - sum(
        len(b.text) if ss is b.segments else sum(len(s.text) + 1 for s in ss)
        for b, ss in blocks)
    if hidden > 0:
        notes.append(f"{hidden:,} more characters of the clean copy are not shown")
    paragraphs = [source[a:b] for a, b in ranges]
    # A page's code blocks are in no text the stages read (the source shown): each has
    # a row of its own after the clean block before it.
    code: list[tuple[int, str]] = []  # (clean blocks before it, its text)
    if any(b.kind == CODE for b, _ in blocks):
        prose = []
        for block, segs in blocks:
            if block.kind == CODE:
                code.append((len(prose), block.text))
            else:
                prose.append((block, segs))
        blocks = prose
    groups = align(paragraphs, blocks)
    # A paragraph its clean block repeats as it is holds no fix: nothing is marked there
    # (a doubled headline is then marked where it was removed, not where it was kept).
    same = [ranges[p[0]] for p, items in groups if len(p) == 1 and len(items) == 1
            and paragraphs[p[0]].strip() == items[0][0].text.strip()]
    src_marks, src_looked = mark_fixes(source, doc.fixes, "before", same)
    src_marks.sort(key=lambda m: m.start)
    starts, ends = [m.start for m in src_marks], [m.end for m in src_marks]
    segments = [s for _, ss in blocks for s in ss]
    seg_marks, clean_looked = segment_marks(doc, segments)
    next_marks = iter(seg_marks).__next__  # the segments' marks, in the segments' order
    gone = _gone_reasons(doc)
    se = esc if needs_escape(source) else _same  # one search for the whole source

    def source_cell(indices: list[int], rowspan: int) -> tuple[str, bool]:
        if not indices:
            return (f'<td class="src missing" rowspan="{rowspan}">(not found in the source)'
                    "</td>", False)
        a, b = ranges[indices[0]][0], ranges[indices[-1]][1]
        i, j = bisect_right(ends, a), bisect_left(starts, b)
        html = marked(source, src_marks[i:j], a, b, se) if j > i else se(source[a:b])
        return (f'<td class="src" rowspan="{rowspan}" lang="{doc_lang}">{html}</td>', j > i)

    width = 1 + len(targets)
    own, doc_lang = doc.lang, esc(doc.lang)
    scores = _SCORES if len(_SCORES) < SCORES_KEPT else {}  # a score's text, made once
    # One search tells whether any of the sentences' texts needs escaping (most hold
    # nothing to escape): if none does, they go to the page as they are.
    e = esc if needs_escape("".join([
        *[b.kind for b, _ in blocks], *map(_TEXT, segments), *map(_ID, segments),
        *[lang for lang in map(_LANG, segments) if lang]])) else _same
    untranslated = '<td class="missing">[no translation]</td>' * len(targets)
    cells = [(t, _translation_cells(t)) for t in targets]
    one = cells[0] if len(cells) == 1 else None
    no_sentences = '<td class="missing">(no sentences)</td>' * len(targets)
    cols = f'<col><col>{"<col>" * len(targets)}' if targets else "<col><col>"
    out = [
        "<h3>Texts</h3>\n",
        '<form class="tools doc-tools" hidden><input type="search" name="q" '
        'placeholder="search this document" aria-label="search this document">'
        '<label><input type="checkbox" name="flag"> QA flags</label>'
        '<label><input type="checkbox" name="foreign"> foreign spans</label>'
        '<label><input type="checkbox" name="fix"> fixes</label>'
        '<label><input type="checkbox" name="other"> other-language sentences</label>'
        "<output></output></form>\n",
        _legend(),
        f'<table class="align"><colgroup>{cols}</colgroup>\n<thead><tr><th>{head}</th>'
        f"<th>Clean ({esc(doc.lang or '?')})</th>"
        + "".join(f"<th>{esc(t)}</th>" for t in targets) + "</tr></thead>\n",
    ]
    done = 0  # clean blocks shown so far
    code.reverse()  # taken from the end, in order

    def code_rows() -> None:  # the code blocks after the clean blocks shown so far
        while code and code[-1][0] <= done:
            out.append(code_row(code.pop()[1], 1 + width))

    for indices, items in groups:
        code_rows()
        done += len(items)
        if not items:
            cell, _ = source_cell(indices, 1)
            lines = source[ranges[indices[0]][0]:ranges[indices[0]][1]].splitlines()
            why = "<br>".join(
                f"{esc(short(line, 80))}: {esc(gone.get(line.strip(), 'not in the clean copy'))}"
                for line in lines if line.strip())
            out.append(f'<tbody class="gone" data-k="removed"><tr>{cell}'
                       f'<td colspan="{width}" class="missing">removed: {why}</td></tr></tbody>\n')
            continue
        rows: list[str] = []
        kinds: set[str] = set()
        for block, segs in items:
            kind = e(block.kind)
            if not segs:
                rows.append(f'<td class="{kind}">{esc(block.text)}</td>' + no_sentences)
            for seg in segs:
                marks = next_marks()
                if marks:
                    for m in marks:
                        kinds.add("foreign" if m.css == "foreign" else "fix")
                tag = ""
                lang = seg.lang
                if lang and lang != own:
                    kinds.add("other")
                    tag = f'<span class="lt" title="sentence language">{e(lang)}</span>'
                if not seg.translations:
                    translated = untranslated
                elif one is not None:  # one target: its cell without a join
                    translated = _translation(seg, *one)
                else:
                    translated = "".join([_translation(seg, *cell) for cell in cells])
                score = scores.get(seg.score)
                if score is None:
                    score = f"{seg.score:.2f}"
                    if seg.score > 0:  # not 0.0 (-0.0 is equal to it, not written alike)
                        scores[seg.score] = score
                if e is _same:  # nothing to escape: the row without the calls
                    row = (f'<td class="{kind}" lang="{lang or doc_lang}" '
                           f'title="{seg.id} ({lang}, {score})">'
                           f"{tag}{marked(seg.text, marks, 0, None, e) if marks else seg.text}"
                           f"</td>{translated}")
                else:
                    row = (f'<td class="{kind}" lang="{e(lang) if lang else doc_lang}" '
                           f'title="{e(seg.id)} ({e(lang)}, {score})">'
                           f"{tag}{marked(seg.text, marks, 0, None, e) if marks else e(seg.text)}"
                           f"</td>{translated}")
                if seg.flags and any(seg.flags.get(tgt) for tgt in targets):
                    kinds.add("flag")
                rows.append(row)
        cell, fixed = source_cell(indices, len(rows))
        if fixed:
            kinds.add("fix")
        body = f"<tr>{cell}" + "</tr><tr>".join(rows) + "</tr>"
        out.append(f'<tbody data-k="{" ".join(sorted(kinds))}">{body}</tbody>\n')
    done = len(blocks)
    code_rows()
    out.append("</table>\n")
    out += [f'<p class="note">Shown: {esc(n)}.</p>\n' for n in notes]
    out.append(marking_note(src_looked, doc.fixes).replace("this column", "the source"))
    out.append(marking_note(clean_looked, doc.fixes).replace("this column", "the clean copy"))
    diff = (_diff(paragraphs, _copy_groups(doc, paragraphs) if doc.markdown is not None
                  else groups) if original else "")
    _word_sets.clear()  # dropped young (the next document's texts are others)
    _chunk_lists.clear()
    return "".join(out), diff


def _same(text: str) -> str:
    return text


def code_row(text: str, columns: int) -> str:
    """A page's code block in the aligned texts: one row across every column, as it is
    in each copy.

    >>> code_row("a < b", 3)[:72]
    '<tbody class="code" data-k="code"><tr><td class="code" colspan="3"><span'
    """
    return (f'<tbody class="code" data-k="code"><tr><td class="code" colspan="{columns}">'
            '<span class="note">code block: the same in every copy, not cleaned or '
            f"translated</span><pre>{esc(text)}</pre></td></tr></tbody>\n")


SCORES_KEPT = 4096  # the texts of sentences' scores kept (two decimals: a few hundred)
_SCORES: dict[float, str] = {}


_TEXT, _ID, _LANG = attrgetter("text"), attrgetter("id"), attrgetter("lang")


def _legend() -> str:
    return (
        '<p class="note">Marks: <mark class="fix">changed by a fix</mark> '
        '<mark class="fix removed">removed by a fix</mark> '
        '<mark class="foreign">foreign span</mark><sup class="lt">de</sup> '
        '<span class="lt">en</span> sentence in another language '
        '<span class="qa">translation</span><span class="flag">QA flag</span> '
        '<span class="missing">[no translation]</span>; hover a sentence for its id and '
        "score.</p>\n"
    )


@lru_cache(maxsize=64)
def _translation_cells(tgt: str) -> tuple[str, str]:
    """How a translation's cell into ``tgt`` opens: without QA flags, and with them
    (cached: the same few targets on every page)."""
    return f'<td lang="{esc(tgt)}">', f'<td lang="{esc(tgt)}" class="qa">'


def _translation(seg: Segment, tgt: str, opens: tuple[str, str] | None = None) -> str:
    """``seg``'s cell for its translation into ``tgt`` (``opens``:
    :func:`_translation_cells` of ``tgt``, when at hand).

    >>> s = Segment("d#1.1", "Olá", translations={"en": "Hi <b>"}, flags={"en": ["len"]})
    >>> _translation(s, "en")
    '<td lang="en" class="qa">Hi &lt;b&gt;<span class="flag">len</span></td>'
    >>> _translation(s, "de"), _translation(Segment("d#1.2", "A", translations={"en": "A"}), "en")
    ('<td class="missing">[no translation]</td>', '<td lang="en">A</td>')
    """
    translations = seg.translations
    if tgt not in translations:
        return '<td class="missing">[no translation]</td>'
    text = esc(translations[tgt])
    plain, flagged = opens or _translation_cells(tgt)
    flags = seg.flags.get(tgt) if seg.flags else None
    if not flags:
        return f"{plain}{text}</td>"
    chips = "".join(f'<span class="flag">{esc(f)}</span>' for f in flags)
    return f"{flagged}{text}{chips}</td>"


def _gone_reasons(doc: Document) -> dict[str, str]:
    """Why a line of the source is not in the clean copy: its removal, or the fix."""
    reasons = {f.before.strip(): f"{f.stage}/{f.kind}" for f in doc.fixes
               if not f.after.strip() and f.before.strip()}
    reasons.update((r.text.strip(), r.reason) for r in doc.removed)
    for key, value in doc.metadata.items():
        reasons.setdefault(value.strip(), f"moved to the metadata ({key})")
    return reasons


# -- diff --------------------------------------------------------------------------------


def _copy_groups(doc: Document, paragraphs: list[str]) -> list[Group]:
    """The source's paragraphs aligned with those of a Markdown document's clean copy
    (the file written, markers and code included), not with its text blocks (the text
    without markers, which the stages read): the diff then shows what the copy changed."""
    from pipeline.readers.markdown import clean_copy

    copy = clean_copy(doc)[:DETAIL_CHARS]
    return align(paragraphs, [(Block("paragraph", copy[a:b]), [])
                              for a, b in paragraph_ranges(copy)])


def _diff(paragraphs: list[str], groups: list[Group]) -> str:
    head = "<h3>Diff: source against clean copy</h3>\n"
    rows = diff_groups(paragraphs, groups)
    if not rows:
        return f'{head}<p class="note">No difference.</p>\n'
    return f'{head}<table class="diff">{"".join(rows)}</table>\n'


def diff_groups(paragraphs: list[str], groups: list[Group]) -> list[str]:
    """Table rows of the diff of the source against the clean copy, paragraph by
    paragraph as :func:`align` paired them: the lines of a source paragraph against
    those of the clean block(s) it became (:func:`_changed`: removed, added, and
    changed lines with their words marked); runs of paragraphs the clean copy holds
    unchanged are folded into one row. Linear in the texts (no alignment of the whole
    document again), and a paragraph left as it was costs one comparison.

    >>> b = lambda t: (Block("paragraph", t), [])
    >>> groups = [([0], [b("Título")]), ([1], []), ([2], [b("um dois-três")])]
    >>> for row in diff_groups(["Título", "Details", "um dois -três"], groups):
    ...     print(row)
    <tr><td></td><td class="note">… 1 unchanged paragraph</td></tr>
    <tr class="del"><td>-</td><td>Details</td></tr>
    <tr class="chg"><td>~</td><td>um dois<del>·</del>-três</td></tr>
    >>> diff_groups(["Título"], [([0], [b("Título")])])
    []
    """
    rows: list[str] = []
    same = 0
    for indices, items in groups:
        if (len(indices) == 1 and len(items) == 1
                and paragraphs[indices[0]] == items[0][0].text[:DETAIL_CHARS]):
            same += 1  # the same text: the same lines
            continue
        old = [line for k in indices for line in paragraphs[k].splitlines()]
        new = [line for block, _ in items for line in block.text[:DETAIL_CHARS].splitlines()]
        if old == new:
            same += 1
            continue
        if same:
            rows.append(_folded(same))
            same = 0
        rows += _changed(old, new)
    if same and rows:
        rows.append(_folded(same))
    return rows


def _folded(count: int) -> str:
    return (f'<tr><td></td><td class="note">… {count} unchanged '
            f'paragraph{"s" if count > 1 else ""}</td></tr>')


PAIR_WINDOW = 10  # removed lines a changed line's origin is looked for among
PAIR_RATIO = 0.6  # share of words a line and its changed version have in common


def _changed(old: list[str], new: list[str]) -> list[str]:
    """Rows for lines replaced by others: each new line paired with the first alike
    old line among the next :data:`PAIR_WINDOW` (shown as one changed line), the
    others removed or added.

    >>> [r[:20] for r in _changed(["", "Details", "Um dois três"], ["Um dois-três"])]
    ['<tr class="del"><td>', '<tr class="del"><td>', '<tr class="chg"><td>']
    """
    rows: list[str] = []
    i = 0
    for line in new:
        match = next((k for k in range(i, min(len(old), i + PAIR_WINDOW))
                      if _alike(old[k], line)), None)
        if match is None:
            rows.append(f'<tr class="add"><td>+</td><td>{_line(line)}</td></tr>')
            continue
        rows += [f'<tr class="del"><td>-</td><td>{_line(x)}</td></tr>' for x in old[i:match]]
        rows.append(f'<tr class="chg"><td>~</td><td>{_words_diff(old[match], line)}</td></tr>')
        i = match + 1
    rows += [f'<tr class="del"><td>-</td><td>{_line(x)}</td></tr>' for x in old[i:]]
    return rows


def _alike(a: str, b: str) -> bool:
    """Whether two lines are versions of each other: most of their words are shared
    (linear in the lines, unlike difflib's ratio).

    >>> _alike("norte -coreana KCNA informou", "norte-coreana KCNA informou"), _alike("a", "b")
    (True, False)
    """
    chunks = _chunks(a)
    if chunks == _chunks(b):  # the same words: alike where there are any
        return _has_words(a, None, chunks)
    x, y = _words(a), _words(b)
    return bool(x or y) and len(x & y) >= PAIR_RATIO * max(len(x), len(y))


def _line(text: str) -> str:
    return esc(text) if text.strip() else '<span class="missing">(blank line)</span>'


RESYNC = 12  # tokens a side where a word diff looks for the texts to agree again


def token_diff(old: list[str], new: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """``("=", same, same)`` and ``("~", removed, added)`` runs turning ``old`` into
    ``new``: where they differ, the nearest pair of positions (at most :data:`RESYNC`
    tokens ahead a side) where the same word stands starts the next run. Linear: each
    difference costs at most ``RESYNC`` squared comparisons, whatever the lines' length.

    >>> token_diff(["a", " ", "-", "b"], ["a", "-", "b"])
    [('=', ['a'], ['a']), ('~', [' '], []), ('=', ['-', 'b'], ['-', 'b'])]
    """
    runs: list[tuple[str, list[str], list[str]]] = []
    i = j = 0
    n, m = len(old), len(new)
    while i < n and j < m:
        start_i, start_j = i, j
        if old[i] == new[j]:  # an equal run: its length by galloping, lists compared in C
            low, step, most = 1, 1, min(n - i, m - j)
            while low < most:
                high = min(low + step, most)
                if old[i + low:i + high] != new[j + low:j + high]:
                    while low + 1 < high:  # the first difference lies in low:high
                        middle = (low + high) // 2
                        if old[i + low:i + middle] == new[j + low:j + middle]:
                            low = middle
                        else:
                            high = middle
                    break
                low, step = high, step * 2
            i, j = i + low, j + low
        if i > start_i:
            runs.append(("=", old[start_i:i], new[start_j:j]))
        if i == n or j == m:
            break
        found = None
        for total in range(1, 2 * RESYNC + 1):
            for di in range(max(0, total - RESYNC), min(total, RESYNC) + 1):
                a, b = i + di, j + total - di
                if a < n and b < m and old[a] == new[b] and old[a].strip():
                    found = (a, b)
                    break
            if found:
                break
        if found is None:
            break
        runs.append(("~", old[i:found[0]], new[j:found[1]]))
        i, j = found
    if i < n or j < m:
        runs.append(("~", old[i:], new[j:]))
    return runs


def _common_start(a: str, b: str) -> int:
    """Where the tokens (:data:`_TOKEN`) both lines start with end, at most: their
    common prefix, less its last token where that token goes on in either line.

    >>> _common_start("norte -coreana KCNA", "norte-coreana KCNA")
    5
    >>> _common_start("ab cd", "ab ce"), _common_start("ab", "abc"), _common_start("a.", "a.b")
    (3, 0, 2)
    """
    low = _prefix_length(a, b)
    if low == 0:
        return 0
    run = _run_class(a[low - 1])
    if run and ((low < len(a) and _run_class(a[low]) == run)
                or (low < len(b) and _run_class(b[low]) == run)):
        while low and _run_class(a[low - 1]) == run:  # the whole token goes
            low -= 1
    return low


def _common_end(a: str, b: str, start: int) -> int:
    """:func:`_common_start` of ``a[start:]`` and ``b[start:]`` read backwards (the
    tokens both lines end with), without reversing them.

    >>> _common_end("norte -coreana KCNA", "norte-coreana KCNA", 5)
    13
    >>> all(_common_end(a, b, s) == _common_start(a[s:][::-1], b[s:][::-1])
    ...     for a, b, s in [("ab cd", "xb cd", 0), ("ab", "b", 0), ("a.b", ".b", 1)])
    True
    """
    la, lb = len(a), len(b)
    low = _suffix_length(a, b, min(la, lb) - start)
    if low == 0:
        return 0
    run = _run_class(a[la - low])
    if run and ((low < la - start and _run_class(a[la - low - 1]) == run)
                or (low < lb - start and _run_class(b[lb - low - 1]) == run)):
        while low and _run_class(a[la - low]) == run:  # the whole token goes
            low -= 1
    return low


def _one_sided(a: str, b: str, start: int, end: int) -> str | None:
    """:func:`_words_diff` of lines that differ in one place, where one of them only
    holds more (``start``, ``end``: their common start and end, one of them meeting the
    other), made without :func:`token_diff`: the common start, the text one line holds
    more removed or added, the common end. None where :func:`token_diff` would find
    another answer: the common end all spaces, or a token of the text in between equal
    to it (taken as the texts agreeing again there), or that text over :data:`RESYNC`
    tokens (where no agreement is looked for).

    >>> _one_sided("um dois três", "um três", 3, 4), _one_sided("a-b", "a -b", 1, 2)
    ('um <del>dois </del>três', 'a<ins>·</ins>-b')
    >>> _one_sided("q .x.", "q.", 1, 1), _one_sided("a <b>", "a <b>", 5, 0)
    (None, 'a &lt;b&gt;')
    """
    stop_a, stop_b = len(a) - end, len(b) - end
    if start == stop_a and start == stop_b:
        return esc(a)  # the same line
    text, stop = (a, stop_a) if start == stop_b else (b, stop_b)
    middle = text[start:stop]
    tail = a[stop_a:]
    if tail:
        if not tail.strip():
            return None
        if len(middle) > RESYNC or len(tail) <= len(middle):  # count and compare tokens
            tokens = _TOKEN.findall(text, start, stop)
            if len(tokens) > RESYNC or tail in tokens:
                return None
    shown = visible(middle)
    changed = f"<del>{shown}</del>" if text is a else f"<ins>{shown}</ins>"
    return f"{esc(a[:start])}{changed}{esc(tail)}"


def _prefix_length(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b``: where both are
    Latin-1 text (most lines), the first differing byte of their bytes read as two
    numbers (compared in C, in one pass); otherwise by bisection.

    >>> _prefix_length("norte -coreana", "norte-coreana"), _prefix_length("ação", "açãox")
    (5, 4)
    >>> _prefix_length("→ um", "→ uma"), _prefix_length("", "a"), _prefix_length("ab", "b")
    (4, 0, 0)
    """
    n = min(len(a), len(b))
    try:
        x, y = a.encode("latin-1"), b.encode("latin-1")
    except UnicodeEncodeError:
        low, high = 0, n
        while low < high:  # by bisection (compared in C)
            middle = (low + high + 1) // 2
            if a.startswith(b[low:middle], low):
                low = middle
            else:
                high = middle - 1
        return low
    differ = int.from_bytes(x[:n], "big") ^ int.from_bytes(y[:n], "big")
    return n - 1 - (differ.bit_length() - 1) // 8 if differ else n


def _suffix_length(a: str, b: str, most: int) -> int:
    """The length of the longest common suffix of ``a`` and ``b``, at most ``most``
    (:func:`_prefix_length`'s way, from the ends).

    >>> _suffix_length("norte -coreana", "norte-coreana", 13), _suffix_length("xab", "yab", 1)
    (8, 1)
    >>> _suffix_length("um →", "uma →", 4), _suffix_length("ab", "ab", 0)
    (2, 0)
    """
    la, lb = len(a), len(b)
    try:
        x, y = a.encode("latin-1"), b.encode("latin-1")
    except UnicodeEncodeError:
        low, high = 0, most
        while low < high:  # by bisection (compared in C)
            middle = (low + high + 1) // 2
            if a.endswith(b[lb - middle:lb - low], 0, la - low):
                low = middle
            else:
                high = middle - 1
        return low
    if most <= 0:
        return 0
    differ = (int.from_bytes(x[la - most:], "little")
              ^ int.from_bytes(y[lb - most:], "little"))
    return most - 1 - (differ.bit_length() - 1) // 8 if differ else most


def _run_class(char: str) -> str:
    """The kind of run ``char`` belongs to in :data:`_TOKEN`: ``s`` (spaces), ``w`` (word
    characters, as ``\\w`` matches them), or "" (a sign: a token of its own)."""
    if char.isspace():
        return "s"
    return "w" if char.isalnum() or char == "_" else ""


def _words_diff(a: str, b: str) -> str:
    """Line ``a`` changed into ``b``, the words that differ marked (:func:`token_diff`).

    >>> _words_diff("norte -coreana KCNA", "norte-coreana KCNA")
    'norte<del>·</del>-coreana KCNA'
    >>> _words_diff("um dois três", "um tres três"), _words_diff("ab ab", "ab")
    ('um <del>dois</del><ins>tres</ins> três', 'ab<del> ab</del>')
    """
    html = []
    # The common start, less its last token (which may go on differently), is the first
    # tokens of both: one token for token_diff's first run, not tokenized; the common
    # end (after the start), less its first token, the last.
    start = _common_start(a, b)
    end = _common_end(a, b, start)
    if start == len(a) - end or start == len(b) - end:  # a removal or an insertion
        quick = _one_sided(a, b, start, end)
        if quick is not None:
            return quick
    head = [a[:start]] if start else []
    tail = [a[len(a) - end:]] if end else []
    for op, removed, added in token_diff(
            head + (_TOKEN.findall(a, start, len(a) - end) if start < len(a) - end else [])
            + tail,
            head + (_TOKEN.findall(b, start, len(b) - end) if start < len(b) - end else [])
            + tail):
        if op == "=":
            html.append(esc("".join(removed)))
            continue
        if removed:
            html.append(f"<del>{visible(''.join(removed))}</del>")
        if added:
            html.append(f"<ins>{visible(''.join(added))}</ins>")
    return "".join(html)


# -- fixes and removed lines -------------------------------------------------------------


def listed_fixes(doc: Document) -> list[Fix]:
    """The fixes the fixes table lists: all but the removals the removed lines list."""
    removed = {r.text.strip() for r in doc.removed}
    return [f for f in doc.fixes if f.after.strip() or f.before.strip() not in removed]


def _fixes(doc: Document) -> str:
    fixes = listed_fixes(doc)
    if not fixes:
        return "<h3>Fixes</h3>\n<p>None.</p>\n" if doc.blocks and not doc.removed else ""
    kinds = Counter(f.kind for f in fixes)
    summary = ", ".join(f"{esc(k)} {n}" for k, n in sorted(kinds.items()))
    rows = "".join([
        f"<tr><td>{_name(f.stage)}</td><td>{_name(f.kind)}</td><td>{visible(f.before)}</td>"
        f"<td>{visible(f.after)}</td></tr>" for f in fixes[:TABLE_ROWS]])
    extra = len(doc.fixes) - len(fixes)
    also = f" (and {extra} removed lines, listed below)" if extra else ""
    return (f"<h3>Fixes: {len(fixes)}{also}</h3>\n<p>By kind: {summary}.</p>\n"
            f"<table><thead><tr><th>stage</th><th>kind</th><th>before</th><th>after</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>\n" + _cap_note(len(fixes), "fixes"))


@lru_cache(maxsize=256)
def _name(name: str) -> str:
    """A stage's or a fix kind's name, escaped (cached: a few names recur on every page)."""
    return esc(name)


def _removed(doc: Document) -> str:
    if not doc.removed:
        return ""
    rows = "".join(f"<tr><td>{esc(r.text)}</td><td>{esc(r.reason)}</td></tr>"
                   for r in doc.removed[:TABLE_ROWS])
    return (f"<h3>Removed lines: {len(doc.removed)}</h3>\n<table><thead><tr><th>line</th>"
            f"<th>reason</th></tr></thead><tbody>{rows}</tbody></table>\n"
            + _cap_note(len(doc.removed), "removed lines"))


def _cap_note(count: int, name: str) -> str:
    if count <= TABLE_ROWS:
        return ""
    return (f'<p class="note">The table shows the first {TABLE_ROWS:,} of the document\'s '
            f"{count:,} {name}; documents.jsonl and <code>pipeline explain</code> list them "
            "all.</p>\n")


# -- what the index shows of a document --------------------------------------------------

FLAGGED_PER_DOC = 50  # flagged segments of one document listed on the flags page
TITLE_CHARS = 90


def index_entry(doc: Document, href: str) -> dict[str, Any]:
    """What the index and the flags list need of ``doc`` (kept between runs)."""
    flags: Counter[str] = Counter()
    flagged = []
    all_segments = doc.segments()
    segments = len(all_segments)
    for seg in all_segments:
        if not seg.flags:
            continue
        for tgt, names in seg.flags.items():
            if not names:
                continue
            pair = f"{seg.lang or doc.lang}-{tgt}"
            flags.update(f"{pair}:{name}" for name in names)
            if len(flagged) < FLAGGED_PER_DOC:
                flagged.append([seg.id, pair, list(names), short(seg.text, 300),
                                short(seg.translations.get(tgt, ""), 300)])
    return {
        "doc": doc.doc, "href": href, "lang": doc.lang, "status": doc.status,
        "errors": short("; ".join(doc.errors), 200),
        "fixes": len(listed_fixes(doc)), "kinds": sorted({f.kind for f in doc.fixes}),
        "spans": len(doc.spans), "removed": len(doc.removed), "segments": segments,
        "flags": dict(sorted(flags.items())), "flagged": flagged,
        "title": short(doc.blocks[0].text, TITLE_CHARS) if doc.blocks else "",
    }


__all__ = ["MARK_PROBES", "MARK_TEXTS", "Mark", "render_document", "index_entry"]
