"""Aligned parallel data: ``OUT/parallel/<src>-<tgt>/`` in the formats MT and CAT tools read.

Each segment of a document whose status is ``ok`` (the segments of
segments.jsonl) goes to the pair of its own language (``seg.lang``, else the
document's) into each target language. A segment already in the target language
is not parallel data, nor one copied as it is (no words outside URLs and amounts:
"* * *", "12:30", a link alone), and a segment with no translation into the target
(missing model) is left out; everything else is written once per target, in the order the
documents are given and, within a document, in reading order. A pair directory
holds four files, always the same segments in the same order:

``corpus.<src>``, ``corpus.<tgt>``
    Moses line-aligned text: line N of one is the translation of line N of the
    other. A line cannot hold a line break or a tab, so each tab and each line
    break character (everything ``str.splitlines`` splits on) becomes one space
    (:func:`moses_line`); the exact text is in the TSV and TMX files.
``corpus.tsv``
    A header line (``doc``, ``id``, ``<src>``, ``<tgt>``), then one row per segment:
    document id, segment id, source text, translation; fields are tab-separated.
    Backslash, tab, line feed and carriage return are written ``\\\\``, ``\\t``,
    ``\\n``, ``\\r``; the other line break characters ``\\uXXXX`` (:func:`tsv_field`,
    undone by :func:`tsv_unescape`).
``corpus.tmx``
    TMX 1.4b: ``srclang`` in the header, one ``<tu tuid="<segment id>">`` per
    segment with ``<prop type="x-doc">`` and ``<prop type="x-segment">``, a
    ``<tuv xml:lang=...>`` per language (the codes of :mod:`pipeline.languages`, BCP 47
    tags: Traditional Chinese is ``zh-Hant``, as in the directory's name
    ``en-zh-Hant``), and the translation's QA flags as
    ``<prop type="x-qa-flag">`` in its ``<tuv>``. No creation date, so the bytes
    only change when the data does. Characters that XML 1.0 cannot carry (most
    C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD; carriage returns
    are written ``&#13;`` so that XML parsers keep them.

Documents are read one at a time and every file is written as it goes (to a
temporary name, renamed into place when complete), so a corpus of any size is
written in constant memory. ``OUT/parallel`` belongs to this writer: pair
directories that the run did not write (a target dropped since an earlier run)
are removed, as ``segments.jsonl`` is rewritten whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from pipeline import __version__
from pipeline.document import Document, Segment
from pipeline.languages import KNOWN
from pipeline.protect import copied_as_is
from pipeline.writers import atomic_open

PARALLEL_DIR = "parallel"

# The characters that end a line for str.splitlines (and so for some line readers).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

_MOSES_SPACES = str.maketrans(dict.fromkeys("\t" + LINE_BREAKS, " "))

_TSV_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
    | {c: f"\\u{ord(c):04x}" for c in LINE_BREAKS if c not in "\n\r"}
)
_TSV_ESCAPED = re.compile(r"\\(?:([\\tnr])|u([0-9a-fA-F]{4}))")
_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}

# Everything outside XML 1.0's Char production.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;",
     "\r": "&#13;"}
)


def moses_line(text: str) -> str:
    """``text`` as one line of a Moses file: each tab or line break becomes a space.

    >>> moses_line("Olá\\tmundo\\nnovo\\u2028fim")
    'Olá mundo novo fim'
    """
    return text.translate(_MOSES_SPACES)


def tsv_field(text: str) -> str:
    """``text`` as one TSV field: backslash, tab and line breaks escaped.

    >>> print(tsv_field("a\\tb\\\\c\\nd\\u2028e"))
    a\\tb\\\\c\\nd\\u2028e
    """
    return text.translate(_TSV_ESCAPES)


def tsv_unescape(field: str) -> str:
    """The text that :func:`tsv_field` escaped.

    >>> s = "tab\\there, back\\\\slash\\\\n, CR\\r, LS\\u2028."
    >>> tsv_unescape(tsv_field(s)) == s
    True
    """

    def replace(match: re.Match[str]) -> str:
        simple, code = match.groups()
        return _TSV_UNESCAPES[simple] if simple else chr(int(code, 16))

    return _TSV_ESCAPED.sub(replace, field)


def xml_text(text: str) -> str:
    """``text`` as XML character data (see the module docstring).

    >>> xml_text("a < b & c\\r\\x00")
    'a &lt; b &amp; c&#13;\\ufffd'
    """
    return _NOT_XML_CHAR.sub("\ufffd", text).translate(_XML_ESCAPES)


def xml_attr(text: str) -> str:
    """``text`` as the value of a double-quoted XML attribute.

    >>> xml_attr('x "y"\\t<z>')
    'x &quot;y&quot;&#9;&lt;z&gt;'
    """
    return _NOT_XML_CHAR.sub("\ufffd", text).translate(_XML_ATTR_ESCAPES)


class PairWriter:
    """The four files of one language pair, filled as segments arrive."""

    def __init__(self, directory: Path, src: str, tgt: str, files: ExitStack):
        self.src, self.tgt = src, tgt
        self.count = 0
        self.moses_src: IO[str] = files.enter_context(atomic_open(directory / f"corpus.{src}"))
        self.moses_tgt: IO[str] = files.enter_context(atomic_open(directory / f"corpus.{tgt}"))
        self.tsv: IO[str] = files.enter_context(atomic_open(directory / "corpus.tsv"))
        self.tmx: IO[str] = files.enter_context(atomic_open(directory / "corpus.tmx"))
        self.tsv.write(f"doc\tid\t{tsv_field(src)}\t{tsv_field(tgt)}\n")
        self.tmx.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
            '<tmx version="1.4">\n'
            f'  <header creationtool="newsclean-pipeline" creationtoolversion="{__version__}"'
            ' datatype="plaintext" segtype="sentence" adminlang="en"'
            f' srclang="{xml_attr(src)}" o-tmf="newsclean"/>\n'
            "  <body>\n"
        )

    def add(self, doc_id: str, seg: Segment) -> None:
        """Append one segment and its translation to every file."""
        source, target = seg.text, seg.translations[self.tgt]
        self.moses_src.write(moses_line(source) + "\n")
        self.moses_tgt.write(moses_line(target) + "\n")
        self.tsv.write("\t".join(map(tsv_field, (doc_id, seg.id, source, target))) + "\n")
        flags = "".join(
            f'<prop type="x-qa-flag">{xml_text(flag)}</prop>'
            for flag in seg.flags.get(self.tgt, [])
        )
        src_lang, tgt_lang = xml_attr(self.src), xml_attr(self.tgt)
        self.tmx.write(
            f'    <tu tuid="{xml_attr(seg.id)}">'
            f'<prop type="x-doc">{xml_text(doc_id)}</prop>'
            f'<prop type="x-segment">{xml_text(seg.id)}</prop>\n'
            f'      <tuv xml:lang="{src_lang}"><seg>{xml_text(source)}</seg></tuv>\n'
            f'      <tuv xml:lang="{tgt_lang}">{flags}<seg>{xml_text(target)}</seg></tuv>\n'
            "    </tu>\n"
        )
        self.count += 1

    def close(self) -> None:
        """Finish the TMX document (the files are renamed into place by the ExitStack)."""
        self.tmx.write("  </body>\n</tmx>\n")


def aligned_pairs(doc: Document, targets: list[str]) -> Iterator[tuple[str, str, Segment]]:
    """``(src, tgt, segment)`` for each segment that is parallel data, in reading order.

    Only documents whose status is ``ok`` count, as in segments.jsonl.

    >>> from pipeline.document import Block
    >>> doc = Document("d", lang="de", blocks=[Block("paragraph", "Hallo. Hi.", segments=[
    ...     Segment("d#1.1", "Hallo.", "de", translations={"en": "Hello.", "fr": "Salut."}),
    ...     Segment("d#1.2", "Hi.", "en", translations={"en": "Hi."})])])
    >>> [(src, tgt, seg.id) for src, tgt, seg in aligned_pairs(doc, ["en", "fr"])]
    [('de', 'en', 'd#1.1'), ('de', 'fr', 'd#1.1')]
    """
    if doc.status != "ok":
        return
    for seg in doc.segments():
        src = seg.lang or doc.lang
        for tgt in targets:
            if src and tgt in seg.translations and not copied_as_is(src, seg.text, tgt):
                yield src, tgt, seg


def write_parallel(out: Path, docs: Iterable[Document], targets: list[str]) -> dict[str, int]:
    """Write ``out/parallel/<src>-<tgt>/`` for every pair; return segments per pair.

    ``docs`` is consumed once, one document at a time; the result maps
    ``"<src>-<tgt>"`` to its number of aligned segments, sorted by pair.
    """
    root = out / PARALLEL_DIR
    writers: dict[tuple[str, str], PairWriter] = {}
    with ExitStack() as files:
        for doc in docs:
            for src, tgt, seg in aligned_pairs(doc, targets):
                if (src, tgt) not in writers:
                    writers[src, tgt] = PairWriter(root / f"{src}-{tgt}", src, tgt, files)
                writers[src, tgt].add(doc.doc, seg)
        for writer in writers.values():
            writer.close()
    _remove_stale_pairs(root, {f"{src}-{tgt}" for src, tgt in writers})
    return {f"{src}-{tgt}": writers[src, tgt].count for src, tgt in sorted(writers)}


def _remove_stale_pairs(root: Path, written: set[str]) -> None:
    """Remove the files of pair directories this run did not write, then the directories."""
    if not root.is_dir():
        return
    for directory in root.iterdir():
        if directory.name in written or not directory.is_dir():
            continue
        pair = split_pair(directory.name)
        if pair is None:
            continue
        src, tgt = pair
        for name in (f"corpus.{src}", f"corpus.{tgt}", "corpus.tsv", "corpus.tmx"):
            (directory / name).unlink(missing_ok=True)
        if not any(directory.iterdir()):
            directory.rmdir()


def split_pair(name: str) -> tuple[str, str] | None:
    """The ``(src, tgt)`` of a pair directory's name, where a code may hold a hyphen
    ("zh-Hant"): cut at the first hyphen with a known code on either side, else at the
    first hyphen; None without one.

    >>> split_pair("pt-en"), split_pair("zh-Hant-en"), split_pair("zh-zh-Hant")
    (('pt', 'en'), ('zh-Hant', 'en'), ('zh', 'zh-Hant'))
    >>> split_pair("xx-yy"), split_pair("notes")
    (('xx', 'yy'), None)
    """
    cuts = [at for at, ch in enumerate(name) if ch == "-"]
    for at in cuts:
        if name[:at] in KNOWN and name[at + 1:] in KNOWN:
            return name[:at], name[at + 1:]
    return (name[:cuts[0]], name[cuts[0] + 1:]) if cuts else None
