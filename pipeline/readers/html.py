"""HTML pages (``.html``, ``.htm``, ``.html.gz``): one page, one document.

The reader only finds the page; its main text is extracted in the worker, as the
first stage (:class:`ExtractHtml`), so that extraction runs in parallel and within
the document's time budget like the rest of the cleanup. The extractor
(:mod:`pipeline.extract_html`) gives the headline and paragraphs as blocks and the
page's metadata (title, date, author, sitename, url, lang); the text handed to the
following stages is the blocks joined by blank lines, so every stage runs as for a
text file. A page with no extractable text is quarantined with the reason.

The clean copy is plain text: ``OUT/clean/<path>.txt`` (``<path>`` itself when it
already ends in ``.txt``), and likewise under ``translations/<lang>/``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.document import Document, Removed, Stage
from pipeline.readers import Item

# A page whose extracted text would exceed this many times its size is refused (a
# gzip bomb): real pages compress 3 to 10 times.
MAX_GZIP_RATIO = 100
# The longest file name (bytes) of the usual file systems (ext4, XFS, Btrfs, APFS, NTFS
# in UTF-16 units): a page named up to it gets a clean copy named 4 bytes longer.
NAME_MAX = 255
# Why a page's code block (<pre>) is not in its clean copy (pipeline.extract_html.extract)
CODE_REASON = "code block: not cleaned or translated"

_TAG = re.compile(r"<\s*(html|head|body|script|style|div|p|meta|!doctype)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page (the extractor's test when it is installed).

    >>> looks_like_html("<html><body><p>Hi</p></body></html>"), looks_like_html("a < b")
    (True, False)
    """
    try:
        from pipeline.extract_html import looks_like_html as extractor_test
    except ImportError:  # pragma: no cover - before the extractor is merged
        return len(_TAG.findall(text[:4096])) >= 2
    return extractor_test(text)


def text_output(rel: str) -> str:
    """Where a page's clean copy goes (relative to ``clean/``): plain text.

    >>> text_output("site/a.html"), text_output("site/b.html.gz"), text_output("c.txt")
    ('site/a.html.txt', 'site/b.html.gz.txt', 'c.txt')
    """
    return rel if rel.lower().endswith(".txt") else rel + ".txt"


def name_problem(rel: str) -> str:
    """Why a page cannot have its clean copy (a name too long once ``.txt`` is added),
    else "": writing it stopped the whole run with a disk error (exit 74).

    >>> name_problem("site/" + "a" * 251 + ".html").split(" (")[1]
    "260 bytes, over the 255 a file name may have); shorten the file's name"
    >>> name_problem("site/a.html"), name_problem("b" * 251 + ".txt")
    ('', '')
    """
    name = text_output(rel).rsplit("/", 1)[-1]
    if len(name.encode("utf-8")) <= NAME_MAX:
        return ""
    return (f"its clean copy would be named {name[:30]}... ({len(name.encode('utf-8'))} "
            f"bytes, over the {NAME_MAX} a file name may have); shorten the file's name")


def gunzip(data: bytes, limit: int) -> bytes:
    """The page inside a ``.html.gz`` file; ValueError with the reason when it is not.

    >>> import gzip
    >>> gunzip(gzip.compress(b"<p>x</p>", mtime=0), 1000)
    b'<p>x</p>'
    >>> gunzip(gzip.compress(b"<p>x</p>", mtime=0)[:-6], 1000)
    Traceback (most recent call last):
    ...
    ValueError: truncated gzip file: it ends before its last block; copy it again
    >>> try:
    ...     gunzip(b"<p>x</p>", 1000)
    ... except ValueError as exc:
    ...     print(str(exc).split("); ")[1])
    if it holds a plain page, name it .html, else copy it again
    """
    try:
        decompressor = zlib.decompressobj(wbits=31)
        page = decompressor.decompress(data, limit + 1)
        if len(page) > limit:
            raise ValueError(f"larger than max_file_bytes once decompressed (> {limit})")
        if not decompressor.eof:
            raise ValueError("truncated gzip file: it ends before its last block; copy it again")
    except zlib.error as exc:
        if not data.startswith(b"\x1f\x8b"):  # no gzip header at all: plain bytes
            raise ValueError(f"not a gzip file ({exc}); if it holds a plain page, name it "
                             ".html, else copy it again") from None
        raise ValueError(f"not a valid gzip file ({exc}); copy it again") from None
    return page


class HtmlReader:
    """``.html``, ``.htm`` and ``.html.gz`` pages."""

    name = "html"
    suffixes = (".html", ".htm", ".html.gz", ".htm.gz")
    many = False

    def __init__(self, max_bytes: int = 20_000_000):
        self.max_bytes = max_bytes

    def items(self, rel: str, path: Path, read: Callable[[], bytes]) -> Iterator[Item]:
        data = read()
        problem = name_problem(rel)
        if problem:
            data = b""
        elif rel.lower().endswith(".gz"):
            try:
                data = gunzip(data, min(self.max_bytes, len(data) * MAX_GZIP_RATIO))
            except ValueError as exc:
                data, problem = b"", str(exc)
        yield Item(rel, data, kind="html", output=text_output(rel), source=rel,
                   problem=problem)


class ExtractHtml(Stage):
    """The page's main text: ``doc.raw`` becomes the blocks joined by blank lines
    (UTF-8), and the page's metadata goes into ``doc.metadata``."""

    name = "extract"

    def process(self, doc: Document) -> Document:
        from pipeline.extract_html import NoText, extract

        try:
            page = extract(doc.raw)
        except NoText as exc:  # its message is the reason
            doc.status, doc.errors = "quarantined", [str(exc)]
            return doc
        doc.metadata.update(page.metadata)
        doc.removed.extend(Removed(code, CODE_REASON) for code in getattr(page, "code", ()))
        encoding = getattr(page, "encoding", "")
        if encoding and encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "ascii"):
            doc.fix(self.name, "encoding", encoding, "utf-8")  # as the read stage records it
        text = "\n\n".join(block.strip() for block in page.blocks if block.strip())
        doc.raw = (text + "\n").encode("utf-8") if text else b""
        if not text:
            doc.status, doc.errors = "quarantined", ["no article text in the page"]
        return doc
