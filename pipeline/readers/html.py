"""HTML pages (``.html``, ``.htm``, ``.html.gz``; ``.shtml`` and ``.xhtml``, as a mirror
of a site names its pages) and saved-page archives (``.mhtml``,
``.mht``: a browser's "Save page as... single file"; ``.webarchive``: Safari's): one
page, one document (an archive's main page: :func:`archived_page`).

The reader only finds the page; its main text is extracted in the worker, as the
first stage (:class:`ExtractHtml`), so that extraction runs in parallel and within
the document's time budget like the rest of the cleanup. The extractor
(:mod:`pipeline.extract_html`) gives the headline and paragraphs as blocks and the
page's metadata (title, date, author, sitename, url, lang); the text handed to the
following stages is the blocks joined by blank lines, so every stage runs as for a
text file. A page with no extractable text is quarantined with the reason.

The clean copy is plain text: ``OUT/clean/<path>.txt`` (``<path>`` itself when it
already ends in ``.txt``), and likewise under ``translations/<lang>/``.

**Code blocks** (``<pre>``) never reach the text stages, as a Markdown file's code never
does: the extractor gives each as the page shows it, with its place among the
paragraphs; :class:`CodePlaces` (after ``normalize``) notes the block each paragraph
became, and :class:`PutCode` (after ``detect``) puts every code block back, as a block
of kind ``"code"`` without segments, after the last paragraph before it that the
cleanup kept. So a code block is never cleaned, segmented, detected, translated, sent
to the translation memory or the parallel corpora, and the copies hold it verbatim,
a paragraph of its own (a blank line before and after), in the translated copies too.
Segments are numbered without it (``<doc>#<block>.<sentence>``, segments.jsonl's
``block``), as a Markdown file's are. A page whose cleanup leaves no paragraph is
quarantined as before, its code blocks alone not making it a document.

**Inline code** (``<code>``, ``<kbd>``, ``<samp>``, ``<tt>`` in a sentence: the
extractor's :attr:`~pipeline.extract_html.Page.inline`) is hidden from the stages as a
Markdown file's is: in the text they read, each code is one stand-in character
(:data:`pipeline.protect.CODE_STAND_INS`, one per distinct code of the page), which no
word rule, repair or language evidence takes; :class:`PutInlineCode` (after
``detect``) puts each code's text back in the blocks and segments (and wherever the
audit trail quotes them) and records where it is in each segment
(``Document.protected``), so that translation passes it through as one protected span,
restored byte for byte. The copies, segments.jsonl and the parallel corpora hold plain
text with the code in its sentence, as before. A paragraph with no letter or digit
outside its code keeps its code as text.
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from pipeline.document import Block, Document, Removed, Source, Stage
from pipeline.languages import UNDETERMINED
from pipeline.protect import CODE_STAND_INS, nothing_to_translate
from pipeline.readers import Item

# A page whose extracted text would exceed this many times its size is refused (a
# gzip bomb): real pages compress 3 to 10 times.
MAX_GZIP_RATIO = 100
# The longest file name (bytes) of the usual file systems (ext4, XFS, Btrfs, APFS, NTFS
# in UTF-16 units): a page named up to it gets a clean copy named 4 bytes longer.
NAME_MAX = 255
# The kind of a code block's Block (segments.jsonl never shows it: it has no segments).
CODE = "code"
# The metadata that a page may also show as a paragraph (the title as its headline): such
# a value reads as that paragraph's block after the normalize stage (CodePlaces).
SHOWN_METADATA = ("title", "author", "sitename")
# Why inline code the extractor took out of its sentence is not in the clean copy
# (pipeline.extract_html.Page.lifted): listed as it always was.
CODE_REASON = "code block: not cleaned or translated"

_TAG = re.compile(r"<\s*(html|head|body|script|style|div|p|meta|!doctype)\b", re.IGNORECASE)
# A stand-in of inline code (PageCode.inline), and the first and last there may be.
_STAND_IN = re.compile(f"[{CODE_STAND_INS}]")
FIRST_STAND_IN, LAST_STAND_IN = 0x100000, 0x10FFFD


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


ARCHIVES = (".mhtml", ".mht", ".webarchive")
# What to do about a file over max_file_bytes (pipeline.runner): an archive is one page
# with its images, styles and scripts, which cannot be split.
TOO_LARGE_ADVICE = "split it, or raise max_file_bytes in pipeline.toml"
ARCHIVE_TOO_LARGE_ADVICE = ("a saved page's archive holds the page's images, styles and "
                            "scripts too: raise max_file_bytes in pipeline.toml, or save "
                            "the page as .html (Webpage, HTML only)")


def too_large_advice(rel: str) -> str:
    """What to do about the file ``rel`` when it is over max_file_bytes.

    >>> too_large_advice("a/notes.txt")
    'split it, or raise max_file_bytes in pipeline.toml'
    >>> too_large_advice("Port.WEBARCHIVE").split(":")[1]
    ' raise max_file_bytes in pipeline.toml, or save the page as .html (Webpage, HTML only)'
    """
    return ARCHIVE_TOO_LARGE_ADVICE if rel.lower().endswith(ARCHIVES) else TOO_LARGE_ADVICE


# The folder a browser's "Save page as... complete" writes beside the page ("Port.html"
# and "Port_files/": its images, styles, scripts, and its embeds' pages: advertisements,
# players, "saved_resource.html"), and the names Windows gives it in other languages
# (which it moves and deletes with the page).
SAVED_PAGE_FOLDERS = ("_files", ".files", "-Dateien", "_fichiers", "_bestanden", "_archivos",
                      "-filer", "_tiedostot", "_pliki", "_soubory", "_ficheiros", "_arquivos",
                      "_dosyalar")
# The names a browser gives the page it saves with its folder (Firefox keeps an XHTML
# page's .xhtml).
SAVED_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
# How much of the saved page is read for the frames it shows (a frameset page is small).
FRAMESET_SCAN_BYTES = 1 << 20
_FRAME_SOURCE = re.compile(rb"""<frame\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def saved_page_part(path: Path) -> str:
    """The name of the saved page whose folder (:data:`SAVED_PAGE_FOLDERS`) holds the
    file ``path``, where that page does not show it as one of its frames (a frameset's
    frames are its text); else "". The runner lists such a file as skipped
    (``SAVED_PAGE_PART_ADVICE``), never reading it.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "Port_files").mkdir()
    >>> _ = (root / "Port.html").write_text('<frame src="Port_files/a%20b.html">')
    >>> saved_page_part(root / "Port_files" / "ad.html"), saved_page_part(root / "Port.html")
    ('Port.html', '')
    >>> saved_page_part(root / "Port_files" / "a b.html")
    ''
    >>> import shutil; shutil.rmtree(root)
    """
    folder = path.parent.name
    for suffix in SAVED_PAGE_FOLDERS:
        if not folder.endswith(suffix) or folder == suffix:
            continue
        for name in (folder[: -len(suffix)] + ext for ext in SAVED_PAGE_SUFFIXES):
            page = path.parent.parent / name
            try:
                frames = _frames(page, os.stat(page).st_mtime_ns)
            except OSError:  # no such page
                continue
            return "" if f"{folder}/{path.name}" in frames else name
    return ""


@lru_cache(maxsize=64)
def _frames(page: Path, mtime_ns: int) -> frozenset[str]:
    """The frames a saved page shows (its folder's files are asked one by one: the
    page is read once while it stays the same)."""
    from urllib.parse import unquote

    with open(page, "rb") as file:
        head = file.read(FRAMESET_SCAN_BYTES)
    return frozenset(unquote(src.decode("utf-8", "replace")).split("#")[0]
                     for src in _FRAME_SOURCE.findall(head))


def archived_page(rel: str, data: bytes) -> bytes:
    r"""The main page of a saved-page archive, as UTF-8 where the archive names its
    charset (the page's own ``<meta charset>`` may be missing: the archive said it);
    ValueError with the reason when there is none. MHTML (``.mhtml``, ``.mht``: MIME,
    the page a part of type ``text/html``, the one at the address the archive was
    saved from, else the first) and Safari's ``.webarchive`` (a property list, the page
    its ``WebMainResource``).

    >>> mhtml = (b'Content-Type: multipart/related; boundary="B"\r\n\r\n--B\r\n'
    ...          b'Content-Type: text/html; charset="windows-1252"\r\n'
    ...          b'Content-Transfer-Encoding: quoted-printable\r\n\r\n'
    ...          b'<p class=3D"x">Cor=E9ia</p>\r\n--B--\r\n')
    >>> archived_page("a.mhtml", mhtml).decode("utf-8")
    '<p class="x">Coréia</p>'
    >>> archived_page("b.mht", b"<p>x</p>")
    Traceback (most recent call last):
    ...
    ValueError: no HTML page in the MHTML archive; save the page again, or as .html
    """
    if rel.lower().endswith(".webarchive"):
        import plistlib

        try:
            main = plistlib.loads(data)["WebMainResource"]
            page, charset = main["WebResourceData"], main.get("WebResourceTextEncodingName")
            address = main.get("WebResourceURL")
        except (plistlib.InvalidFileException, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a web archive ({type(exc).__name__}); save the page "
                             "again, or as .html") from None
    else:
        from email import message_from_bytes, policy

        archive = message_from_bytes(data, policy=policy.compat32)
        pages = [part for part in archive.walk() if part.get_content_type() == "text/html"]
        saved_from = archive.get("Snapshot-Content-Location")
        main = next((part for part in pages if saved_from
                     and part.get("Content-Location") == saved_from), pages[0] if pages else None)
        if main is None or not isinstance(main.get_payload(decode=True), bytes):
            raise ValueError("no HTML page in the MHTML archive; save the page again, or as .html")
        page, charset = main.get_payload(decode=True), main.get_content_charset()
        address = saved_from or main.get("Content-Location")
    if not isinstance(page, bytes):
        raise ValueError("no HTML page in the web archive; save the page again, or as .html")
    if charset:
        try:
            page = page.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass  # the page's bytes, as the extractor reads any page
    return with_address(page, address)


# A web address in ASCII (a page's bytes may be in any ASCII-compatible encoding), no
# quote or angle bracket.
_WEB_ADDRESS = re.compile(r"https?://[!#-&(-;=?-~]{1,2000}")


def with_address(page: bytes, address: object) -> bytes:
    """An archive's page with the web address it was saved from before its markup, as
    a browser's "Webpage, Complete" writes it (``<!-- saved from url=(NNNN)... -->``,
    which the extractor reads as the page's url where it names none): where ``address``
    is one and the page starts with its markup (not an XML declaration, which must come
    first, nor a byte-order mark).

    >>> with_address(b"<html></html>", "https://a.example/p")
    b'<!-- saved from url=(0019)https://a.example/p -->\\n<html></html>'
    >>> with_address(b"<?xml version='1.0'?><html/>", "https://a.example/p")[:5]
    b'<?xml'
    >>> with_address(b"<html></html>", "cid:frame-1@mhtml.blink")
    b'<html></html>'
    >>> with_address(b"<html></html>", "https://jornal.example/notícia")
    b'<html></html>'
    """
    start = page.lstrip()
    if (not isinstance(address, str) or not _WEB_ADDRESS.fullmatch(address)
            or not start.startswith(b"<") or start.startswith(b"<?xml")
            or b"<!-- saved from url=" in page[:4096]):
        return page
    return f"<!-- saved from url=({len(address):04d}){address} -->\n".encode("ascii") + page


class HtmlReader:
    """``.html``, ``.htm`` and ``.html.gz`` pages, and saved-page archives."""

    name = "html"
    # .shtml: a page with server-side includes (wget mirrors of news sites keep the
    # name); .xhtml: XHTML, an XML declaration and namespaces, read as HTML.
    suffixes = (".html", ".htm", ".html.gz", ".htm.gz", ".shtml", ".xhtml", *ARCHIVES)
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
        elif rel.lower().endswith(ARCHIVES):
            try:
                data = archived_page(rel, data)
            except ValueError as exc:
                data, problem = b"", str(exc)
        yield Item(rel, data, kind="html", output=text_output(rel), source=rel,
                   problem=problem)


class PageCode:
    """One page's code blocks on their way from :class:`ExtractHtml` to :class:`PutCode`
    (the three stages of one document share it; nothing of it is kept in the state)."""

    def __init__(self) -> None:
        self.code: list[tuple[int, str]] = []  # (paragraphs before it, its text)
        self.paragraphs: list[str] = []  # the paragraphs of the text the stages read
        self.blocks: list[Block | None] = []  # the block each paragraph became
        self.inline: dict[str, str] = {}  # stand-in -> the inline code it stands for
        self.source = Source()  # the extracted text's, without stand-ins


class ExtractHtml(Stage):
    """The page's main text: ``doc.raw`` becomes the blocks joined by blank lines
    (UTF-8), and the page's metadata goes into ``doc.metadata``; its code blocks go to
    ``code`` (:func:`html_stages`)."""

    name = "extract"

    def __init__(self, code: PageCode | None = None) -> None:
        self.code = code if code is not None else PageCode()

    def process(self, doc: Document) -> Document:
        from pipeline.extract_html import NoText, extract

        try:
            page = extract(doc.raw)
        except NoText as exc:  # its message is the reason
            doc.status, doc.errors = "quarantined", [str(exc)]
            return doc
        doc.metadata.update(page.metadata)
        doc.removed.extend(Removed(code, CODE_REASON) for code in page.lifted)
        encoding = getattr(page, "encoding", "")
        if encoding and encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "ascii"):
            doc.fix(self.name, "encoding", encoding, "utf-8")  # as the read stage records it
        inline = getattr(page, "inline", None) or [[] for _ in page.blocks]
        kept = [(block.strip(), code if block == block.strip() else [])
                for block, code in zip(page.blocks, inline, strict=True) if block.strip()]
        paragraphs = [block for block, _ in kept]
        text = "\n\n".join(paragraphs)
        doc.raw = (text + "\n").encode("utf-8") if text else b""
        self.code.inline = {}
        if any(code for _, code in kept):
            taken = text + "".join(doc.metadata.values())
            paragraphs, self.code.inline = with_stand_ins(kept, taken)
            if self.code.inline:  # the source is the extracted text, as without them
                self.code.source = Source(hashlib.sha256(doc.raw).hexdigest(), "",
                                          len(doc.raw))
                doc.raw = ("\n\n".join(paragraphs) + "\n").encode("utf-8")
        if not text:
            doc.status, doc.errors = "quarantined", ["no article text in the page"]
        # each code block's place, counted in the paragraphs kept here
        shown = [n for n, block in enumerate(page.blocks) if block.strip()]
        self.code.code = [(bisect_left(shown, at), code) for at, code in page.code]
        self.code.paragraphs = paragraphs
        return doc


class CodePlaces(Stage):
    """After ``normalize``: the block each paragraph of the page became (the blocks are
    the same objects until the copies are written; a block the cleanup removes is
    missing from ``doc.blocks`` then). A metadata value (:data:`SHOWN_METADATA`) that is
    one of the paragraphs, the title that is the headline, becomes what its block reads
    (its mojibake, code page or entities repaired as in the copies)."""

    name = "extract"

    def __init__(self, code: PageCode) -> None:
        self.code = code

    def process(self, doc: Document) -> Document:
        shown = {key: value for key in SHOWN_METADATA
                 if (value := doc.metadata.get(key)) in self.code.paragraphs}
        if self.code.code or shown:
            self.code.blocks = paragraph_blocks(self.code.paragraphs, doc.blocks)
        for key, value in shown.items():
            block = self.code.blocks[self.code.paragraphs.index(value)]
            if block is not None and "\n" not in block.text:
                doc.metadata[key] = block.text
        return doc


class PutCode(Stage):
    """After ``detect``: each code block back among the blocks, after the last paragraph
    before it that the cleanup kept (first, when none is), as a block of kind
    :data:`CODE` without segments; none when no paragraph is left (the document is then
    quarantined as one without text)."""

    name = "extract"

    def __init__(self, code: PageCode) -> None:
        self.code = code

    def process(self, doc: Document) -> Document:
        if self.code.code and doc.blocks:
            doc.blocks = with_code(doc.blocks, self.code.blocks, self.code.code)
        return doc


def with_stand_ins(paragraphs: list[tuple[str, list[tuple[int, int]]]], taken: str
                   ) -> tuple[list[str], dict[str, str]]:
    r"""The paragraphs as the stages read them, each ``(text, inline code ranges)`` with
    its code made stand-ins (the same one for the same code; none that ``taken``, the
    page's text, holds), and what each stand-in stands for.

    >>> texts, codes = with_stand_ins([("Use pip e pip.", [(4, 7), (10, 13)]),
    ...                                ("x()", [(0, 3)])], "")
    >>> [ascii(t) for t in texts]
    ["'Use \\U00100000 e \\U00100000.'", "'\\U00100001'"]
    >>> sorted(codes.values())
    ['pip', 'x()']
    """
    used = set(taken)
    codes: dict[str, str] = {}  # code -> its stand-in
    following = FIRST_STAND_IN
    out: list[str] = []
    for text, ranges in paragraphs:
        pieces, at = [], 0
        for start, end in ranges:
            code = text[start:end]
            if code not in codes:
                while following <= LAST_STAND_IN and chr(following) in used:
                    following += 1
                if following > LAST_STAND_IN:  # (more codes than there are stand-ins)
                    continue
                codes[code] = chr(following)
                following += 1
            pieces += [text[at:start], codes[code]]
            at = end
        out.append("".join(pieces) + text[at:])
    return out, {stand_in: code for code, stand_in in codes.items()}


def expand(text: str, inline: dict[str, str]) -> tuple[str, list[list[int]], list[int]]:
    r"""``text`` with each stand-in replaced by the code it stands for; where each code
    is in the result, ``[start, end]``; and where each offset of ``text`` goes.

    >>> expand("Use \U00100000.", {"\U00100000": "pip x"})
    ('Use pip x.', [[4, 9]], [0, 1, 2, 3, 4, 9, 10])
    """
    out: list[str] = []
    ranges: list[list[int]] = []
    where: list[int] = []
    size = 0
    for char in text:
        where.append(size)
        code = inline.get(char)
        if code is None:
            out.append(char)
            size += 1
        else:
            ranges.append([size, size + len(code)])
            out.append(code)
            size += len(code)
    where.append(size)
    return "".join(out), ranges, where


class PutInlineCode(Stage):
    """After ``detect``: each inline code's text back in place of its stand-in, in the
    blocks and their segments, ``doc.text`` and what the audit trail quotes (removed
    lines, fixes, metadata); each segment's code ranges go to ``doc.protected``. A
    foreign span that holds a code is no foreign span (a code is in no language): it
    goes; the others move with the text. A segment with no word outside its code
    (:func:`~pipeline.protect.nothing_to_translate`) is in no language (``und``): it is
    copied into every target, as a segment without words is. ``doc.source`` is the
    extracted text's."""

    name = "extract"

    def __init__(self, code: PageCode) -> None:
        self.code = code

    def process(self, doc: Document) -> Document:
        inline = self.code.inline
        if not inline:
            return doc
        table = {ord(stand_in): code for stand_in, code in inline.items()}
        spans: dict[str, list] = {}
        for span in doc.spans:
            spans.setdefault(span.segment, []).append(span)
        for block in doc.blocks:
            for seg in block.segments:
                if not _STAND_IN.search(seg.text):
                    continue
                text, ranges, where = expand(seg.text, inline)
                if nothing_to_translate(_STAND_IN.sub(" ", seg.text)):
                    seg.lang = UNDETERMINED  # code alone: in no language, copied as it is
                for span in spans.get(seg.id, ()):
                    if _STAND_IN.search(seg.text, span.start, span.end):
                        doc.spans.remove(span)
                    else:
                        span.start, span.end = where[span.start], where[span.end]
                seg.text = text
                if ranges:
                    doc.protected[seg.id] = ranges
            block.text = block.text.translate(table)
        doc.text = doc.text.translate(table)
        for removed in doc.removed:
            removed.text = removed.text.translate(table)
        for fix in doc.fixes:
            fix.before, fix.after = fix.before.translate(table), fix.after.translate(table)
        for key, value in doc.metadata.items():
            doc.metadata[key] = value.translate(table)
        doc.source = Source(self.code.source.sha256, doc.source.encoding, self.code.source.size)
        return doc


def paragraph_blocks(paragraphs: list[str], blocks: list[Block]) -> list[Block | None]:
    r"""The block each paragraph became in the normalize stage (None: none). One each
    as a rule (the text is the paragraphs joined by blank lines); where normalisation
    made fewer (a paragraph of invisible characters only) or more (a line separator
    pair made a blank line), they are matched in one pass: a paragraph of nothing but
    invisible characters became none, one whose characters (white space aside) are
    those of the next blocks together was cut into them (its last one is its place),
    any other became the next block.

    >>> b = [Block("paragraph", t) for t in ("Um", "Dois", "a", "b", "Três")]
    >>> [x.text if x else None for x in paragraph_blocks(
    ...     ["Um", "\u200b", "Dois", "a\u2028\u2028b", "Tr&ecirc;s"], b)]
    ['Um', None, 'Dois', 'b', 'Três']
    """
    def key(text: str) -> str:
        return "".join(text.split())

    keys = [key(block.text) for block in blocks]
    found: list[Block | None] = []
    j = 0
    for paragraph in paragraphs:
        wanted = key(paragraph)
        if j >= len(blocks) or not any(char.isprintable() for char in wanted):
            found.append(None)  # nothing the normalize stage keeps (invisible only)
            continue
        parts, size = j, len(keys[j])
        while size < len(wanted) and parts + 1 < len(blocks):
            parts += 1
            size += len(keys[parts])
        if parts > j and size == len(wanted) and "".join(keys[j : parts + 1]) == wanted:
            # cut into blocks j..parts: its place is the last one
            found.append(blocks[parts])
            j = parts + 1
            continue
        found.append(blocks[j])  # the same, or changed (an entity, mojibake)
        j += 1
    return found


def with_code(blocks: list[Block], places: list[Block | None],
              code: list[tuple[int, str]]) -> list[Block]:
    """``blocks`` with a block of kind :data:`CODE` for each ``(paragraphs before it,
    text)`` of ``code``, after the last of those paragraphs still among ``blocks``
    (``places``: the block each paragraph became).

    >>> a, b, c = (Block("paragraph", t) for t in "abc")
    >>> [x.text for x in with_code([a, c], [a, b, c], [(0, "x()"), (2, "y()"), (3, "z()")])]
    ['x()', 'a', 'y()', 'c', 'z()']
    """
    where = {id(block): n for n, block in enumerate(blocks)}
    after: dict[int, list[Block]] = {}  # -1: before every block
    at, seen = -1, 0  # the last kept block of the paragraphs seen (in reading order)
    for count, text in code:  # in reading order too
        for place in places[seen:count]:
            if place is not None and id(place) in where:
                at = where[id(place)]
        seen = max(seen, count)
        after.setdefault(at, []).append(Block(CODE, text))
    out = list(after.get(-1, []))
    for n, block in enumerate(blocks):
        out += [block, *after.get(n, [])]
    return out


def html_stages(stages: list[Stage]) -> list[Stage]:
    """The per-document stages for an HTML page: extraction first, and the steps that
    keep its code blocks apart (after ``normalize``, after ``detect``)."""
    code = PageCode()
    out: list[Stage] = [ExtractHtml(code)]
    for stage in stages:
        out.append(stage)
        if stage.name == "normalize":
            out.append(CodePlaces(code))
        elif stage.name == "detect":
            out += [PutInlineCode(code), PutCode(code)]
    return out
