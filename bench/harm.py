"""Do no harm: what the cleanup stages change in clean articles of 75 languages.

Documents are built from the real sentences of ``../shared/data/lingua_langid/sentences``
(75 languages, about 1,000 Leipzig sentences each; skipped with a message, exit 0, when
absent). Each language's file is cut, in order, into documents: a title line (a sentence
without its final mark), a blank line, then one to four paragraphs of two to six
sentences (joined by a space; Chinese and Japanese without one). Each document is
written in every shape of :data:`SHAPES`:

- ``plain``: title, blank line, paragraphs separated by blank lines;
- ``dateline``: the same with a date line ("12.03.2024 14:30") under the title;
- ``wrapped``: the paragraphs hard-wrapped at 72 columns (Chinese and Japanese, which
  write no spaces between words, at 36 characters), never right after a dash;
- ``html``: a page (``<title>``, ``<h1>``, one ``<p>`` a paragraph, ``lang``), its main
  text extracted first as for an ``.html`` file.

The documents go through the cleanup stages in process (read from UTF-8 bytes,
normalize, boilerplate, repair: what ``pipeline run`` does before segmenting; no
translation model) and the clean copy is compared with the document as written. What
the output contract calls normal is allowed: one final newline, paragraphs separated by
one blank line, a hard-wrapped paragraph unwrapped into one line (joined by a space, or
without one between two Chinese or Japanese characters), and a ``dateline`` document's
date line moved into ``metadata`` as its date, and a page's title and language in
``metadata`` as the page declares them (nothing else of the text changed). Any other
difference, fix, removed line or metadata is a change; the changes are counted by kind
(``stage/kind`` of ``fixes``, ``removed: reason`` of removed lines, ``metadata: key``,
``whitespace only`` for the same words with other whitespace and no fix recorded). A
second figure counts as unchanged the documents whose only changes are whitespace and
invisible characters (:data:`WHITESPACE_KINDS`: spacing the normalize stage names).

Halves, fixed before any result was looked at: even documents of each language
(``--split dev``, default) and odd ones (``--split test``, held out). Some Leipzig
sentences carry real defects (French and Polish hold mojibake, Urdu lines English page
headers): ``--show N`` prints N changed documents per language to read and classify.

Usage::

    .venv/bin/python bench/harm.py [--split dev|test] [--langs ru,ar,...]
                                   [--shapes plain,dateline,wrapped,html] [--show N]
                                   [--per-lang N]
"""

from __future__ import annotations

import argparse
import html
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.document import Document  # noqa: E402
from pipeline.readers.html import ExtractHtml  # noqa: E402
from pipeline.stages.boilerplate import Boilerplate  # noqa: E402
from pipeline.stages.normalize import Normalize  # noqa: E402
from pipeline.stages.read import Read  # noqa: E402
from pipeline.stages.repair import Repair  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTENCES = DATA / "lingua_langid" / "sentences"
SHAPES = ("plain", "dateline", "wrapped", "html")
SEED = 8  # the shapes' random draws (paragraph sizes); fixed
# Languages written without spaces between words: sentences joined, lines wrapped and
# unwrapped without a space.
UNSPACED = {"zh", "ja"}
# A sentence's final mark, taken off a title line (the scripts' own marks included).
FINAL_MARK = re.compile(r"[.!?…。！？।॥۔։።]+$")
DATELINE = "12.03.2024 14:30"
# Changes of whitespace and invisible characters only (doubled spaces, no-break spaces,
# soft hyphens, zero-width spaces): the second figure leaves them out.
WHITESPACE_KINDS = frozenset({
    "normalize/spaces", "normalize/nbsp", "normalize/invisible_chars",
    "normalize/trailing_whitespace", "normalize/control_chars", "whitespace only",
})
DASHES = "-‐‑‒–—―"
CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")


@dataclass
class Article:
    """One document as written: a title and its paragraphs."""

    lang: str
    number: int
    title: str
    paragraphs: list[str]

    def text(self, shape: str) -> str:
        if shape == "html":
            body = "".join(f"<p>{html.escape(p)}</p>\n" for p in self.paragraphs)
            title = html.escape(self.title)
            return (f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
                    f"<title>{title}</title></head>\n<body><article><h1>{title}</h1>\n"
                    f"{body}</article></body></html>\n")
        blocks = [self.title]
        if shape == "dateline":
            blocks.append(DATELINE)
        width = 36 if self.lang in UNSPACED else 72
        blocks += [wrap(p, width, self.lang in UNSPACED) if shape == "wrapped" else p
                   for p in self.paragraphs]
        return "\n\n".join(blocks) + "\n"

    def expected(self) -> str:
        """The clean copy the contract allows: the plain shape."""
        return self.text("plain")


def wrap(paragraph: str, width: int, unspaced: bool) -> str:
    """Hard-wrap a paragraph at ``width`` columns: at spaces, or, for a language written
    without spaces, every ``width`` characters between two CJK characters.

    >>> wrap("aa bb cc", 5, False)
    'aa bb\\ncc'
    >>> wrap("Nord- und Südkorea", 5, False)
    'Nord- und\\nSüdkorea'
    >>> wrap("日本語の文章です", 3, True)
    '日本語\\nの文章\\nです'
    """
    if unspaced:
        lines, line = [], ""
        for char in paragraph:
            if len(line) >= width and CJK.match(char) and CJK.match(line[-1]):
                lines.append(line)
                line = ""
            line += char
        return "\n".join([*lines, line])
    lines, line = [], ""
    for word in paragraph.split(" "):
        # never after a dash: "Nord-\nund" reads as a broken word, which "Nord- und"
        # is not (what the stages make of a break there is hyphenation's question)
        if line and len(line) + 1 + len(word) > width and line[-1] not in DASHES:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def sentences(lang: str) -> list[str]:
    """A language's sentences (split at "\\n" only: some hold U+0085)."""
    text = (SENTENCES / f"{lang}.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.split("\n") if line.strip()]


def articles(lang: str) -> Iterator[Article]:
    """The language's file cut, in order, into articles (numbered from 0)."""
    rng = random.Random(f"{SEED}/{lang}")
    lines, at, number = sentences(lang), 0, 0
    joiner = "" if lang in UNSPACED else " "
    while True:
        count = rng.randint(1, 4)
        sizes = [rng.randint(2, 6) for _ in range(count)]
        if at + 1 + sum(sizes) > len(lines):
            return
        title = FINAL_MARK.sub("", lines[at]).rstrip() or lines[at]
        at += 1
        paragraphs = []
        for size in sizes:
            paragraphs.append(joiner.join(lines[at : at + size]))
            at += size
        yield Article(lang, number, title, paragraphs)
        number += 1


def clean(data: bytes, stages: list, page: bool = False) -> Document:
    """The stages on ``data``; a page's main text is extracted first (as ``pipeline
    run`` does with an .html file)."""
    doc = Document("bench.html" if page else "bench.txt", raw=data)
    for stage in [ExtractHtml(), *stages] if page else stages:
        doc = stage.process(doc)
        if doc.status == "quarantined":
            break
    return doc


def changes(doc: Document, article: Article, shape: str) -> list[str]:
    """What the cleanup changed beyond what the contract allows (empty: no harm)."""
    found = [f"{fix.stage}/{fix.kind}" for fix in doc.fixes
             if not (shape == "wrapped" and fix.kind == "unwrap")]
    dated = shape == "dateline" and doc.metadata.get("date") == DATELINE
    found += [f"removed: {item.reason.split(':')[0]}" for item in doc.removed
              if not (dated and item.text == DATELINE)]
    declared = {"title": article.title, "lang": article.lang} if shape == "html" else {}
    found += [f"metadata: {key}" for key, value in doc.metadata.items()
              if not (dated and key == "date") and declared.get(key) != value]
    if doc.status == "quarantined":
        found.append("quarantined: " + "; ".join(doc.errors))
    expected = article.text("dateline") if shape == "dateline" and not dated else (
        article.expected())
    got = doc.clean_text()
    if got != expected and not found:
        # no fix recorded but the allowed ones, yet another text: the same words with other
        # whitespace (a hard-wrapped paragraph left wrapped, spaces a page's extraction
        # collapsed), words joined wrongly at a line break, or a change no fix records
        if got.split() == expected.split():
            found.append("whitespace only")
        elif any(fix.kind == "unwrap" for fix in doc.fixes):
            found.append("repair/unwrap (other text)")
        else:
            found.append("text changed, no fix recorded")
    return found


def first_difference(expected: str, got: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
              min(len(expected), len(got)))
    window = slice(max(0, at - 50), at + 50)
    return f"expected {expected[window]!r}\n        got {got[window]!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev",
                        help="even documents (dev) or odd ones (test, held out)")
    parser.add_argument("--langs", help="comma-separated languages (default: all 75)")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--per-lang", type=int, default=0,
                        help="at most N documents a language (default: all of the half)")
    parser.add_argument("--show", type=int, default=0,
                        help="print N changed documents per language")
    args = parser.parse_args(argv)
    if not SENTENCES.is_dir():
        print(f"skipped: evaluation data not found in {SENTENCES}")
        return 0
    langs = (args.langs.split(",") if args.langs
             else sorted(p.stem for p in SENTENCES.glob("*.txt")))
    shapes = args.shapes.split(",")
    stages = [Read(), Normalize(), Boilerplate(), Repair()]
    parity = 0 if args.split == "dev" else 1
    total = identical = spacing = 0
    kinds_all: Counter[str] = Counter()
    seconds = 0.0
    print(f"split {args.split}; shapes {', '.join(shapes)}")
    print(f"{'lang':6}{'docs':>6}" + "".join(f"{s:>10}" for s in shapes)
          + f"{'all':>9}  changes")
    for lang in langs:
        chosen = [a for a in articles(lang) if a.number % 2 == parity]
        if args.per_lang:
            chosen = chosen[: args.per_lang]
        per_shape: dict[str, int] = {}
        kinds: Counter[str] = Counter()
        shown = 0
        for shape in shapes:
            per_shape[shape] = 0
            for article in chosen:
                data = article.text(shape).encode("utf-8")
                started = time.process_time()
                doc = clean(data, stages, shape == "html")
                seconds += time.process_time() - started
                found = changes(doc, article, shape)
                total += 1
                if not found:
                    per_shape[shape] += 1
                    identical += 1
                    continue
                kinds.update(set(found))
                spacing += set(found) <= WHITESPACE_KINDS
                if shown < args.show:
                    shown += 1
                    print(f"  [{lang} #{article.number} {shape}] {', '.join(found)}")
                    for fix in doc.fixes:
                        print(f"      fix {fix.stage}/{fix.kind}: {fix.before!r} -> "
                              f"{fix.after!r}")
                    for item in doc.removed:
                        print(f"      removed ({item.reason}): {item.text!r}")
                    if doc.metadata:
                        print(f"      metadata {doc.metadata}")
        kinds_all.update(kinds)
        n = len(chosen)
        row = f"{lang:6}{n:>6}" + "".join(
            f"{100 * per_shape[s] / max(1, n):>9.1f}%" for s in shapes)
        row += f"{100 * sum(per_shape.values()) / max(1, n * len(shapes)):>8.1f}%  "
        row += ", ".join(f"{k} {v}" for k, v in kinds.most_common())
        print(row, flush=True)
    print(f"overall: {identical} of {total} documents unchanged "
          f"({100 * identical / max(1, total):.2f}%)")
    print(f"unchanged but for whitespace and invisible characters: {identical + spacing} "
          f"({100 * (identical + spacing) / max(1, total):.2f}%)")
    print("changes: " + (", ".join(f"{k} {v}" for k, v in kinds_all.most_common()) or "none"))
    print(f"documents/s (CPU time of the stages): {total / max(seconds, 1e-9):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
