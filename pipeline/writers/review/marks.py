"""Marks in a text: the fixes, foreign spans and flags a review page highlights.

Each fix marks the first occurrence of its text not already marked, in reading
order; fixes of the read stage name encodings, not text, and mark nothing.
Marking costs time linear in the text shown and the fixes (:func:`mark_fixes`):
per column of a document it looks for at most :data:`MARK_TEXTS` different fix
texts and examines at most :data:`MARK_PROBES` occurrences; a column that reached
either limit says how many of the fixes it looked for.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from pipeline.document import Document, Fix, Segment
from pipeline.writers.review.text import esc

MARK_TEXTS = 1_000  # different fix texts looked for per column of a document
MARK_PROBES = 100_000  # occurrences of fix texts examined per column of a document

# Fixes of these stages describe the decoding (before/after are encoding names).
NO_TEXT_FIX_STAGES = {"read"}

@dataclass(slots=True)
class Mark:
    """A highlighted range of a text: ``start``/``end`` offsets, CSS class, tooltip,
    and a short ``tag`` shown after it on the page (a foreign span's language)."""

    start: int
    end: int
    css: str
    title: str
    tag: str = ""


def marked(text: str, marks: list[Mark], start: int = 0, end: int | None = None,
           escape: Callable[[str], str] = esc) -> str:
    """``text[start:end]`` HTML-escaped, with each mark (non-overlapping) as a ``<mark>``.

    Marks are clipped to the slice; those outside it are left out. ``escape``: how the
    text is escaped (the identity for a text known to need none).

    >>> marked("a <b> c", [Mark(2, 5, "fix", 'x"y')])
    'a <mark class="fix" title="x&quot;y">&lt;b&gt;</mark> c'
    >>> marked("Em Nordkorea hoje", [Mark(3, 12, "foreign", "de", "de")], 3, 17)
    '<mark class="foreign" title="de">Nordkorea</mark><sup class="lt">de</sup> hoje'
    """
    end = len(text) if end is None else end
    pieces, pos = [], start
    for mark in sorted(marks, key=_start) if len(marks) > 1 else marks:
        a, b = max(mark.start, pos), min(mark.end, end)
        if a >= b:
            continue
        pieces.append(escape(text[pos:a]))
        inner = escape(text[a:b])
        tag = f'<sup class="lt">{esc(mark.tag)}</sup>' if mark.tag else ""
        pieces.append(f'<mark class="{mark.css}" title="{_title(mark.title)}">{inner}</mark>{tag}')
        pos = b
    pieces.append(escape(text[pos:end]))
    return "".join(pieces)


def _start(mark: Mark) -> int:
    return mark.start


@lru_cache(maxsize=1024)
def _title(title: str) -> str:
    """A mark's title, escaped (cached: the same fix marks many places)."""
    return esc(title)


class Taken:
    """Ranges of a text already marked: disjoint, sorted, found by bisection."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        if not ranges:
            return
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
    removing = side == "before"
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
                shown = _fix_shown if len(fix.before) + len(fix.after) <= SHOWN_CHARS else (
                    _fix_shown.__wrapped__)  # a long text is not kept
                css, title = shown(fix.stage, fix.kind, fix.before, fix.after,
                                   removing and not fix.after)
                marks.append(Mark(start, end, css, title))
                pos = end
                break
        resume[needle] = pos
    return marks, len(fixes)


SHOWN_CHARS = 200  # a fix's texts, together, at most this long: its mark's title is cached


@lru_cache(maxsize=4096)
def _fix_shown(stage: str, kind: str, before: str, after: str, removed: bool
               ) -> tuple[str, str]:
    """A fix's mark: its class and title (``removed``: marked in the source, the fix
    removed its text). Cached: the same fixes recur on many pages.

    >>> _fix_shown("repair", "split_compound", "a -b", "a-b", False)
    ('fix', "repair/split_compound: 'a -b' → 'a-b'")
    """
    title = f"{stage}/{kind}: " + ("removed" if removed else f"{before!r} → {after!r}")
    return "fix removed" if removed else "fix", title


def marking_note(looked: int, fixes: list[Fix]) -> str:
    if looked >= len(fixes):
        return ""
    return (
        f'<p class="note">Fixes are marked in this column up to a limit: the first {looked} '
        f"of the document's {len(fixes)} fixes were looked for (the page looks for at most "
        f"{MARK_TEXTS} different texts and examines at most {MARK_PROBES} occurrences per "
        "column); documents.jsonl and <code>pipeline explain</code> list every fix.</p>"
    )


# Between two segments in the text that marking searches: taken, so in no match.
SEGMENT_GAP = "\n"


def segment_marks(doc: Document, segments: list[Segment]) -> tuple[list[list[Mark]], int]:
    """The marks of each of ``segments`` (as shown) in the clean column: its foreign
    spans, then its fixes' marks; and how many fixes were looked for (:func:`mark_fixes`).

    The fixes are looked for once in all the segments, joined by a taken separator:
    the same marks as looking for the pending fixes segment by segment.
    """
    if not doc.spans and not any(f.after.strip() for f in doc.fixes):
        return [[] for _ in segments], len(doc.fixes)  # nothing to mark
    spans: dict[str, list[Mark]] = {}
    for span in doc.spans:
        title = f"{span.lang}: {span.text}"
        spans.setdefault(span.segment, []).append(
            Mark(span.start, span.end, "foreign", title, span.lang))
    texts = [s.text for s in segments]
    marks = ([[m for m in spans.get(s.id, ()) if m.end <= len(s.text)] for s in segments]
             if spans else [[] for _ in segments])
    # A fix's text without the separator never reaches into one: the separators need
    # not be taken then (the same marks, fewer ranges to keep).
    gaps = any(SEGMENT_GAP in f.after for f in doc.fixes)
    # Where each segment starts in the joined text.
    offsets = list(accumulate([len(t) + len(SEGMENT_GAP) for t in texts], initial=0))
    taken: list[tuple[int, int]] = []
    if spans or gaps:
        for pos, text, seg_marks in zip(offsets, texts, marks, strict=False):  # offsets: +1
            if seg_marks:
                taken += [(pos + m.start, pos + m.end) for m in seg_marks]
            if gaps:
                taken.append((pos + len(text), pos + len(text) + len(SEGMENT_GAP)))
    found, looked = mark_fixes(SEGMENT_GAP.join(texts), doc.fixes, "after", taken)
    for mark in found:
        i = bisect_right(offsets, mark.start) - 1
        shift = offsets[i]
        marks[i].append(Mark(mark.start - shift, mark.end - shift, mark.css, mark.title))
    return marks, looked

