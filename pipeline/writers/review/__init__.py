"""The review report: ``OUT/report.html``, and ``OUT/report/`` for a large corpus.

Two layouts, chosen by size:

- **One page** while the documents number at most :data:`SINGLE_PAGE_DOCUMENTS`
  and their stored JSON weighs at most :data:`SINGLE_PAGE_BYTES` together, each
  counted up to :data:`DOCUMENT_WEIGHT` (a page of about that size, which a browser
  opens at once): ``OUT/report.html`` holds the overview, the flagged sentences,
  the index and every document.
- **A folder** beyond that: ``OUT/report/index.html`` (overview and index),
  ``flags.html`` (flagged sentences by pair), ``list/NNNN.html`` (every document,
  :data:`LIST_PAGE` a page, for reading without the script), and the documents'
  sections on pages of consecutive documents, ``d/<id>.html`` (a block of about
  :data:`BLOCK_DOCS` documents, cut where a document's name hashes to a block start,
  :func:`starts_block`; ``<id>``: a hash of its first document's name), each section
  at the anchor ``#d-<id of its document>`` with previous / next / index links above
  it; ``assets/``: the one style and script every page of the folder links to
  (:mod:`pipeline.writers.review.assets`; written before the pages, those of an earlier
  version removed after them). ``OUT/report.html`` then sends the browser to the index.
  Any document is one click from the index's table (filtered or sorted by the script)
  or two clicks through the list pages.

The folder is rebuilt incrementally: ``report/manifest.json`` keeps the targets and
:data:`PAGE_VERSION` (a digest of this package's code, the page's script and style
included), a key per block page (its documents' names and JSON digests, and its
neighbours), the documents' page ids (so that a rerun hashes no unchanged name), and, in
order, one record per document a line (:func:`record`: its name, the digest of its
stored JSON and its index entry; an unchanged record's line is copied, not encoded). A
block page whose key did not change is neither read nor written. One that did is written
again, and of its documents only those whose JSON changed are parsed and rendered: each
section is preceded in the page by its key (:func:`section_key`: the code, targets and
its JSON's digest), so the others are taken from the page's last version; an added or
removed document changes its own block (and a neighbour's link). Pages of documents no
longer stored are removed. The list pages are keyed the same way (a hash of their rows):
one whose rows did not change is neither rendered nor written; the index and
``flags.html`` are keyed on the report (less its timings) and every row. The runner
hands the documents as references (:class:`Ref`: name, hash and length of the stored
JSON, from the state's summaries), so a rerun reads the JSON of the sections it renders
only; and its memo (:class:`Memo`), so a rerun in which no stored document changed, with
the same report, reads nothing and writes nothing. A rerun therefore costs a look-up per
document, a hash per block page, plus the sections that changed and the pages that hold
them, and the index when a row changed.

Deterministic: the same documents and report (less its timings) give the same
bytes. See :mod:`pipeline.writers.review.docpage` for a document's page and
:mod:`pipeline.writers.review.assets` for the security policy.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import itertools
import json
import multiprocessing
import os
import pickle
import re
import shutil
import stat
import struct
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import available_cpus
from pipeline.document import Document
from pipeline.log import warn
from pipeline.state import digest  # sha256 of text; a page is keyed on its JSON's, as stored
from pipeline.writers import TEMP_PREFIX, TEMP_SUFFIX, atomic_write, atomic_write_bytes
from pipeline.writers.review.assets import ASSETS, CSP, assets, head, redirect, tail
from pipeline.writers.review.docpage import (
    DETAIL_CHARS,
    TABLE_ROWS,
    Sources,
    index_entry,
    render_document,
)
from pipeline.writers.review.overview import (
    index_parts,
    index_row,
    render_flags_table,
    render_index,
    render_list,
    render_overview,
)
from pipeline.writers.review.text import esc_name

SINGLE_PAGE_DOCUMENTS = 50  # more documents than this: the folder layout
SINGLE_PAGE_BYTES = 2_000_000  # documents' JSON heavier than this together: the folder
# A document weighs its JSON, at most this: its section shows at most DETAIL_CHARS a column.
DOCUMENT_WEIGHT = 4 * DETAIL_CHARS
LIST_PAGE = 1_000  # documents per static list page
PARALLEL_AFTER = 200  # sections rendered here before render processes take over
BATCH = 2_048  # sections handed to the render processes at a time (they wait for the slowest)
SPOOL_BUFFER = 1 << 20  # bytes of sections the spool gathers before it writes them to its file
SPOOL_READ = 1 << 17  # bytes the spool reads at least at a time (the sections after it too)
# A block page holds consecutive documents: BLOCK_DOCS on average (a document starts a
# block where the hash of its name says so, :func:`starts_block`), at most
# BLOCK_MAX_DOCS and BLOCK_BYTES of stored JSON (each document counted up to
# DOCUMENT_WEIGHT; a heavier one has a page of its own). One file per block instead of
# one per document: the file's costs (creating, writing, the page's style and script)
# are shared, and a page of a few hundred KB opens at once.
# Small enough that a rerun which changes 1% of the documents rewrites few others' bytes.
BLOCK_DOCS = 8
BLOCK_MAX_DOCS = 32
BLOCK_BYTES = DOCUMENT_WEIGHT


def code_version(package: Path = Path(__file__).parent) -> str:
    """``review-`` and a digest of this package's source files: what renders the pages.

    Any edit to the code that writes them rebuilds every page once (an unchanged rerun
    would otherwise keep pages, and the index its memo vouches for, in the old HTML).

    >>> code_version().startswith("review-"), len(code_version())
    (True, 23)
    """
    hasher = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "review-" + hasher.hexdigest()[:16]


PAGE_VERSION = code_version()  # in every page's key: a new version rebuilds every page
FOLDER = "report"

# Keys of report.json left out of the pages: they change on every run.
VOLATILE_REPORT_KEYS = {"timings_s"}

__all__ = ["DETAIL_CHARS", "TABLE_ROWS", "CorpusSources", "corpus_sources", "write_report"]


def page_id(doc: str) -> str:
    """The stable file name (without ``.html``) of a document's page.

    >>> len(page_id("pt/<artigo>.txt")), page_id("a.txt") == page_id("a.txt") != page_id("b.txt")
    (20, True)
    """
    return digest(doc)[:PID]


PID = 20  # the length of a page id


class CorpusSources:
    """``sources`` for :func:`write_report`: each document's file, read back as bytes.

    None when the file is gone, outside the corpus, or no longer the bytes that
    were processed. A class, not a closure, so that render processes receive it.
    """

    def __init__(self, corpus: Path):
        self.corpus, self.root = corpus, corpus.resolve()
        self._inside: dict[str, bool] = {}  # folder -> whether it resolves inside the corpus

    def _folder_inside(self, folder: str) -> bool:
        """Whether ``folder`` resolves inside the corpus (resolved once per folder)."""
        inside = self._inside.get(folder)
        if inside is None:
            inside = self._inside[folder] = Path(folder).resolve().is_relative_to(self.root)
        return inside

    def __call__(self, doc: Document) -> bytes | None:
        path = os.path.join(self.corpus, doc.doc)
        try:
            if not self._folder_inside(os.path.dirname(path)):
                return None
            # Not through a link (that one is resolved on its own), never blocking (a FIFO).
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        except OSError as exc:
            if _NOFOLLOW and exc.errno == errno.ELOOP:
                return self._linked(doc, Path(path))
            return None
        except ValueError:  # a NUL in the name
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size != doc.source.size:
                return None
            with open(fd, "rb", closefd=False) as handle:
                data = handle.read()
        except OSError:
            return None
        finally:
            os.close(fd)
        return self._checked(doc, data)

    def _linked(self, doc: Document, path: Path) -> bytes | None:
        """A document whose file is a link: read if it resolves inside the corpus."""
        try:
            if (not path.resolve().is_relative_to(self.root)
                    or not path.is_file() or path.stat().st_size != doc.source.size):
                return None
            data = path.read_bytes()
        except (OSError, ValueError):
            return None
        return self._checked(doc, data)

    @staticmethod
    def _checked(doc: Document, data: bytes) -> bytes | None:
        return data if hashlib.sha256(data).hexdigest() == doc.source.sha256 else None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def corpus_sources(corpus: Path) -> Sources:
    """The documents' files under ``corpus`` (:class:`CorpusSources`)."""
    return CorpusSources(corpus)


_DECODER = json.JSONDecoder()


class Ref(Protocol):
    """A stored document named, not read: its name, the digest (:func:`pipeline.state.digest`) and
    length of its JSON, and :meth:`json` to read it (the state's ``StoredRef``)."""

    doc: str
    digest: str
    size: int

    def json(self) -> str: ...


Item = Document | str | Ref  # a document, its stored JSON, or a reference to that JSON
_MADE = (Document, str)  # the items that are not references


def _name_of(item: Item) -> str:
    """A stored document's name, read from the start of its JSON (Document.to_json
    writes ``doc`` first) without parsing the rest."""
    if not isinstance(item, str):
        return item.doc
    if item.startswith('{"doc":'):
        return _DECODER.raw_decode(item, 7)[0]
    return Document.from_json(item).doc


def _text(item: Item) -> str:
    """The document's JSON."""
    if isinstance(item, str):
        return item
    return item.to_json() if isinstance(item, Document) else item.json()


def _document(item: Item) -> Document:
    return item if isinstance(item, Document) else Document.from_json(_text(item))


class Memo(Protocol):
    """Where the writer keeps what it last wrote (the state's ``ReportMemo``): ``get``
    gives what ``set`` was given, or "" once any stored document changed since."""

    def get(self) -> str: ...

    def set(self, value: str) -> None: ...


def write_report(out: Path, documents: Iterable[Item], report: dict[str, Any],
                 sources: Sources | None = None, memo: Memo | None = None,
                 spool: SectionSpool | None = None) -> None:
    """Write the review report of ``documents`` (Documents, their stored JSON, or
    references to it, in order) under ``out``; ``report`` is report.json's dict (its
    ``targets`` give the translation columns). See the module's docstring for the
    layouts. A reference's JSON is read only where its page is rendered.

    ``memo``: when it says the folder was written for the same documents, report
    (less its timings) and page version, and the folder's files are all there, nothing
    is read or written: ``documents`` is not even iterated.

    ``spool``: sections rendered where their documents were processed
    (:class:`SectionSpool`); a section of the folder whose JSON is the spooled one's
    is taken from it as bytes, neither its JSON nor its source read here.
    """
    report = {k: v for k, v in report.items() if k not in VOLATILE_REPORT_KEYS}
    targets = [str(t) for t in report.get("targets", [])]
    report_key = digest("\0".join(
        [PAGE_VERSION, CSP, *targets, json.dumps(report, ensure_ascii=False, default=str)]))
    if memo is not None:
        if _unchanged(out, memo.get(), report_key):
            return
        memo.set("")  # set again once all is written
    first: list[tuple[Item, str | None]] = []  # items, their JSON, while one page may do
    size = 0
    folder: FolderWriter | None = None
    for item in documents:
        if folder is not None:
            folder.add(item)
            continue
        if isinstance(item, Document | str):
            text: str | None = item.to_json() if isinstance(item, Document) else item
            size += min(len(text), DOCUMENT_WEIGHT)
        else:
            text = None
            size += min(item.size, DOCUMENT_WEIGHT)
        first.append((item, text))
        if len(first) > SINGLE_PAGE_DOCUMENTS or size > SINGLE_PAGE_BYTES:
            folder = FolderWriter(out / FOLDER, targets, sources, spool)
            for item, text in first:
                folder.add(item, text)
            first = []
    if folder is None:
        _write_single(out, [_document(item) for item, _ in first], report, targets, sources)
    else:
        folder.finish(report)
        _write_changed(out / "report.html", redirect(f"{FOLDER}/index.html"))
        if memo is not None:
            memo.set(json.dumps({"report": report_key, "pages": len(folder.blocks),
                                 "lists": (len(folder.new) - 1) // LIST_PAGE + 1,
                                 "manifest": _identity(out / FOLDER / "manifest.json")}))


def _identity(path: Path) -> str:
    """The sha256 of a file's bytes (the manifest: whoever writes the folder, a change
    of any page, list page or the index changes it)."""
    with open(path, "rb") as handle:  # read in pieces: a million documents' is ~300 MB
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _unchanged(out: Path, memo: str, report_key: str) -> bool:
    """Whether the folder was written for this report (and, as ``memo`` is given, for
    the same documents), and is all there."""
    folder = out / FOLDER
    try:
        data = json.loads(memo)
        if (data.get("report") != report_key
                or data.get("manifest") != _identity(folder / "manifest.json")):
            return False  # another report, or the folder written since (without the memo)
        pages = sum(name.endswith(".html") for name in os.listdir(folder / "d"))
        lists = [folder / "list" / f"{n:04d}.html" for n in range(1, int(data["lists"]) + 1)]
        return (pages == data["pages"] and all(p.is_file() for p in lists)
                and all((folder / name).is_file() for name in ("index.html", "flags.html",
                                                               "manifest.json"))
                and all((folder / ASSETS / name).is_file() for name in assets())
                and (out / "report.html").is_file())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _write_single(out: Path, docs: list[Document], report: dict[str, Any],
                  targets: list[str], sources: Sources | None) -> None:
    sections, entries = [], []
    for doc in docs:
        anchor = f"d-{page_id(doc.doc)}"
        sections.append(render_document(doc, targets, sources(doc) if sources else None,
                                        anchor))
        entries.append(index_entry(doc, f"#{anchor}"))
    deleted = set(report.get("deleted_sources", []))
    rows = [index_row(e, e["doc"] in deleted) for e in entries]
    flags, flagged = render_flags_table(entries)
    hrefs = {e["doc"]: e["href"] for e in entries}
    page = [head("Pipeline run report"),
            render_overview(report, rows, flagged, "#flags", hrefs),
            f'<section id="flags"><h2>QA flags</h2>\n{flags}</section>\n',
            render_index(rows, None),
            '<section id="pages"><h2>The documents</h2>\n', *sections, "</section>\n", tail()]
    atomic_write(out / "report.html", "".join(page), durable=False)
    if (out / FOLDER).is_dir():  # a larger corpus's folder, from an earlier run
        shutil.rmtree(out / FOLDER)


@dataclass
class SectionJob:
    """One document's section to render (in this process or a render process)."""

    item: Document | str  # never a reference: a render process cannot read the state
    name: str
    json_digest: str
    key: str  # the section's key (:func:`section_key`), written before it


@dataclass
class BlockJob:
    """One block page to write: its file, title, and its parts in order, HTML already
    made (navigation, sections kept from the page's last version: UTF-8, never decoded)
    or sections to render."""

    path: str
    title: str
    parts: list[bytes | SectionJob]


def section_key(base: str, json_digest: str) -> str:
    """What a document's section depends on: the code, the targets (``base``) and its
    JSON. Written before the section in its page, so that a rebuilt page takes the
    sections of its documents that did not change from its last version, verified."""
    return digest(f"{base}\0{json_digest}")[:32]


_SECTION = re.compile(rb"<!--k ([0-9a-f]{32})-->")
_SECTION_END = b"</section>\n"


def old_sections(path: Path) -> dict[str, bytes]:
    """The sections of a block page as last written, by key, as bytes (none if it is
    gone or unreadable). Article text is escaped, so neither marker occurs in it.

    >>> page = b'<p>x</p><!--k ' + b'0' * 32 + b'--><section>a</section>\\n<p>y</p>'
    >>> import tempfile; f = Path(tempfile.mkdtemp()) / "p.html"; _ = f.write_bytes(page)
    >>> old_sections(f) == {"0" * 32: page[8:-8]}, old_sections(f.with_name("gone.html"))
    (True, {})
    >>> import shutil; shutil.rmtree(f.parent)
    """
    try:
        html = path.read_bytes()
    except OSError:
        return {}
    sections = {}
    for match in _SECTION.finditer(html):
        end = html.find(_SECTION_END, match.end())
        if end < 0:
            break
        sections[match.group(1).decode()] = html[match.start():end + len(_SECTION_END)]
    return sections


def render_block(job: BlockJob, targets: list[str], sources: Sources | None
                 ) -> list[dict[str, Any]]:
    """Render a block page's sections that are not made yet, write the page; return the
    index entries of the documents rendered, in order."""
    html, entries = [_utf8(head(job.title, "../"))], []
    for part in job.parts:
        if isinstance(part, bytes):
            html.append(part)
            continue
        doc = _document(part.item)
        html.append(_keyed_section(doc, targets, sources(doc) if sources else None, part.key))
        entries.append(index_entry(doc, ""))
    html.append(_utf8(tail("../")))
    atomic_write_bytes(Path(job.path), b"".join(html))
    return entries


def _utf8(html: str) -> bytes:
    return html.encode("utf-8", "surrogatepass")


def _keyed_section(doc: Document, targets: list[str], source: bytes | str | None,
                   key: str) -> bytes:
    """A document's section as a block page holds it: its key, then the section."""
    return _utf8(f"<!--k {key}-->"
                 + render_document(doc, targets, source, f"d-{page_id(doc.doc)}"))


def page_base(targets: Sequence[str]) -> str:
    """What every page depends on: the code (:data:`PAGE_VERSION`), the security policy
    and the translation targets."""
    return "\0".join([PAGE_VERSION, CSP, *map(str, targets)])


# -- sections rendered where their documents were processed ------------------------------


@dataclass
class Rendered:
    """A document's section, rendered by the worker that processed it
    (:func:`render_section`), for the report's block page."""

    key: str  # the section's key (:func:`section_key`): code, targets and JSON
    html: bytes  # as a block page holds it (:func:`render_block`), UTF-8
    record: list  # its manifest record (:func:`record`)


def render_section(doc: Document, document: str, targets: Sequence[str],
                   source: bytes | str | None, json_digest: str = "") -> Rendered:
    """``doc``'s section, as the report would render it from its stored JSON
    (``document``: ``doc.to_json()``) and ``source`` (what :class:`CorpusSources`, or
    the factory's sources, would find again: :func:`processed_source`). The same bytes
    and record as :func:`render_block` makes, without parsing the JSON again or reading
    the file again. ``json_digest``: ``digest(document)``, when made already (the
    worker makes it once, for the state too)."""
    targets = [str(t) for t in targets]
    json_digest = json_digest or digest(document)
    key = section_key(page_base(targets), json_digest)
    return Rendered(key, _keyed_section(doc, targets, source, key),
                    record(json_digest, index_entry(doc, "")))


def processed_source(raw: bytes, record: bool, kind: str, doc: Document
                     ) -> bytes | str | None:
    """The source the report shows for ``doc``, from the bytes its reader gave
    (``raw``; ``record``, ``kind``: the reader's item): what the factory's sources find
    again in an unchanged corpus. A text file's bytes, unless they look like a web page;
    a record's text; None for a page (the extracted text is what was read), and when the
    bytes are not those processed (a file quarantined unread, an empty one).

    >>> from pipeline.document import Source
    >>> import hashlib; raw = "Olá".encode(); sha = hashlib.sha256(raw).hexdigest()
    >>> d = Document("a.txt", source=Source(sha, "utf-8", len(raw)))
    >>> (processed_source(raw, False, "text", d), processed_source(raw, True, "text", d),
    ...  processed_source(raw, False, "html", d), processed_source(b"", False, "text", d))
    (b'Ol\xc3\xa1', 'Olá', None, None)
    """
    if kind == "html" or hashlib.sha256(raw).hexdigest() != doc.source.sha256:
        return None
    if record:
        return raw.decode("utf-8")
    from pipeline.readers.text import sniff_html

    return None if sniff_html(raw) else raw


class SectionSpool:
    """The sections the workers rendered in this run (:class:`Rendered`), kept in an
    unnamed temporary file in ``folder`` (gone when closed, or when the process ends)
    until the report takes them: :meth:`take` gives a section's bytes and record when
    the report's key for it is the one it was rendered with.

    Everything of a section is in the file (its key, its bytes and its record, pickled:
    the index row, title and flags of a document weigh about 0.8 KB in memory); the
    process keeps only where each starts, by name, so a first run of a million
    documents does not hold their records until its report.

    ``seconds``: the CPU time spent keeping sections (this process; giving them is
    part of the report's phase, whose time counts it).

    >>> import tempfile; spool = SectionSpool(Path(tempfile.mkdtemp()))
    >>> spool.add("a.txt", Rendered("k1", b"<section>a</section>", ["a.txt", {"x": 1}]))
    >>> spool.take("a.txt", "k2"), spool.take("b.txt", "k1")
    (None, None)
    >>> spool.add("a.txt", Rendered("k1", b"<section>a</section>", ["a.txt", {"x": 1}]))
    >>> spool.take("a.txt", "k1")
    (b'<section>a</section>', ['a.txt', {'x': 1}])
    >>> spool.close(); import shutil; shutil.rmtree(spool.folder)
    """

    # Before each section in the file: the lengths of its key, bytes and record.
    HEADER = struct.Struct("<IQQ")

    def __init__(self, folder: Path):
        self.folder = folder
        self.file: Any = None
        self.size = 0  # bytes written
        self.flushed = 0  # bytes handed to the file (the rest wait in its buffer)
        self.at: dict[str, int] = {}  # name -> where its section starts in the file
        self.seconds = 0.0
        self.failed = False  # the file could not be made or written: nothing is kept
        self.read, self.read_at = b"", 0  # the bytes last read from the file, and where from

    def add(self, name: str, section: Rendered) -> None:
        """Keep ``name``'s section (a second one replaces the first)."""
        if self.failed:
            return
        started = time.thread_time()
        key = section.key.encode()
        record = pickle.dumps(section.record, pickle.HIGHEST_PROTOCOL)
        try:
            if self.file is None:
                # Sections written in large pieces: a write call per section costs
                # more than its copy.
                self.file = tempfile.TemporaryFile(dir=self.folder, buffering=SPOOL_BUFFER)
            self.file.write(self.HEADER.pack(len(key), len(section.html), len(record)) + key)
            self.file.write(section.html)
            self.file.write(record)
        except OSError as exc:  # the report renders these sections itself
            warn("report", f"cannot keep the rendered sections in {self.folder} ({exc}); "
                 "the report renders them again", reason=str(exc))
            self.close()
            self.failed = True
            return
        self.at[name] = self.size
        self.size += self.HEADER.size + len(key) + len(section.html) + len(record)
        self.seconds += time.thread_time() - started

    def _bytes(self, offset: int, length: int) -> bytes:
        """``length`` bytes of the file from ``offset`` (fewer at its end)."""
        at = offset - self.read_at
        if 0 <= at and at + length <= len(self.read):
            return self.read[at:at + length]  # read with the sections before it
        if self.flushed < self.size:
            self.file.flush()
            self.flushed = self.size
        # The sections the report takes next were mostly spooled after this one:
        # read together, one call for several.
        self.read = os.pread(self.file.fileno(), max(length, SPOOL_READ), offset)
        self.read_at = offset
        return self.read[:length]

    def take(self, name: str, key: str) -> tuple[bytes, list] | None:
        """``name``'s section and record, if it was rendered with ``key``."""
        offset = self.at.pop(name, None)
        if offset is None or self.file is None:
            return None
        try:
            header = self._bytes(offset, self.HEADER.size)
            if len(header) != self.HEADER.size:
                return None
            keyed, html, kept = self.HEADER.unpack(header)
            data = self._bytes(offset, self.HEADER.size + keyed + html + kept)
        except OSError:
            return None
        if len(data) != self.HEADER.size + keyed + html + kept:
            return None
        start = self.HEADER.size + keyed
        if data[self.HEADER.size:start] != key.encode():
            return None
        return data[start:start + html], pickle.loads(data[start + html:])

    def close(self) -> None:
        if self.file is not None:
            try:
                self.file.close()  # its buffer is written first: that may fail too
            except OSError:
                pass  # an unnamed file: nothing is left behind
            self.file = None
        self.at.clear()
        self.read = b""


def render_processes() -> int:
    """How many processes render pages: the CPUs this process may use, at most 8."""
    return max(1, min(available_cpus(), 8))


def _pool_context() -> Any:
    """Where render processes come from: the fork server where there is one, started
    as the run's workers start it (SIGINT masked: :func:`ensure_fork_server`)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    from pipeline.executors import ensure_fork_server

    ensure_fork_server()
    return multiprocessing.get_context("forkserver")


# The fork server's socket: TMPDIR/pymp-XXXXXXXX/listener-XXXXXXXX, at most 107 bytes
# (a Unix socket's path and its NUL, sun_path, on Linux): as pipeline.cli checks for
# --workers.
SOCKET_PATH_MAX = 107
SOCKET_UNDER_TMP = len("/pymp-12345678/listener-12345678")


def _socket_fits() -> bool:
    """Whether the render processes can start: the fork server's socket is made in the
    temporary folder, whose path may be too long for it (``TMPDIR`` over 75 bytes:
    "AF_UNIX path too long" ended the run, exit 74). Where it cannot, the pages are
    rendered in this process."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return True  # spawned: no socket
    return len(os.fsencode(tempfile.gettempdir())) + SOCKET_UNDER_TMP <= SOCKET_PATH_MAX


def starts_block(pid: str) -> bool:
    """Whether the document whose page id is ``pid`` starts a block page: one in
    :data:`BLOCK_DOCS`, by the hash of its name. A block ends where the next starts
    (or when full), so adding or removing a document changes its own block only.

    >>> sum(starts_block(page_id(f"{n}.txt")) for n in range(800)) in range(70, 130)
    True
    """
    return int(pid[:8], 16) % BLOCK_DOCS == 0


# A record's fields that few values fill (:func:`record`): language, status, fix kinds
# and flag kinds; and its QA flags when it has none, shared (never changed: read only).
_SHARED_FIELDS = (2, 3, 8, 9)
_NO_FLAGS: dict[str, int] = {}
_NO_FLAGGED: list[Any] = []

# A document of the block being gathered: the item, its name, its page id (its section's
# anchor is ``d-<pid>``) and the digest of its JSON. A plain tuple: one is made per
# document on every run.
Member = tuple[Item, str, str, str]


class FolderWriter:
    """The folder layout, document by document, block by block: a block page is written
    once its last document is known, and the first document of the next (its link).

    Sections are rendered in this process up to :data:`PARALLEL_AFTER` documents;
    beyond, block pages of :data:`BATCH` documents at a time over
    :func:`render_processes` processes (a first run of a large corpus), in the same
    order, giving the same bytes.
    """

    def __init__(self, folder: Path, targets: list[str], sources: Sources | None,
                 spool: SectionSpool | None = None):
        self.folder, self.targets, self.sources, self.spool = folder, targets, sources, spool
        self.base = page_base(targets)  # what every page depends on
        self.old_lists: list[str] = []  # the list pages' keys, from the manifest
        self.old_index = ""  # the key of the index and flags page, from the manifest
        self.old_blocks: dict[str, str] = {}  # block page -> its key, from the manifest
        self.old_lines: list[str] = []  # the records' lines in the manifest, when it has them
        self.old_pids = ""  # the records' page ids (PID characters each), when it has them
        self.pids: list[str] = []  # the page ids of the documents added, in order
        self.old: list[list] = self._manifest()  # the records of the documents, in order
        self.old_at = {record[0]: n for n, record in enumerate(self.old)}
        self.new: dict[str, list | None] = {}  # name -> record (None: its page is waiting)
        self.blocks: dict[str, str] = {}  # block page -> its key
        self.links: list[str] = []  # the documents' links from the index, in order
        self.block: list[Member] = []  # the block being gathered
        self.weight = 0  # its documents' weight (their JSON, each up to DOCUMENT_WEIGHT)
        self.previous: tuple[str, str] = ("", "")  # the last document written: name, href
        self.written = 0  # sections rendered by this call
        self.waiting = 0  # sections waiting in the jobs
        self.jobs: list[BlockJob] = []  # block pages waiting for a batch
        self.pool: ProcessPoolExecutor | None = None
        pages = folder / "d"
        self.existing = set(os.listdir(pages)) if pages.is_dir() else set()
        self.pages_made = False  # whether the folder of the block pages was made
        self.shared: dict[Any, Any] = {}  # the records' short strings, one object each (_lean)
        write_assets(folder)  # before any page that links to them

    def _manifest(self) -> list[list]:
        """The records of the documents the manifest lists (:func:`record`), in order;
        none when it was written by another version or for other targets, or is damaged."""
        try:
            text = (self.folder / "manifest.json").read_text(encoding="utf-8")
            data = _untracked(json.loads, text)
            if data.get("version") == PAGE_VERSION and data.get("targets") == self.targets:
                pages = data["pages"]
                if not (isinstance(pages, list) and all(
                        isinstance(r, list) and len(r) == RECORD for r in pages)):
                    return []
                # A record a line (:func:`manifest_text`): an unchanged one is written
                # again as it was read, not encoded again.
                lines = text.split("\n")
                if (len(lines) == len(pages) + 3 and lines[-2] == "]}" and not lines[-1]
                        and lines[0].endswith('"pages":[')):
                    self.old_lines = lines[1:-2]  # all but the last end in a comma
                pids = data.get("pids", "")
                if isinstance(pids, str) and len(pids) == PID * len(pages):
                    self.old_pids = pids  # the records' page ids, end to end
                lists, blocks = data.get("lists", []), data.get("blocks", {})
                self.old_lists = lists if isinstance(lists, list) else []
                self.old_blocks = blocks if isinstance(blocks, dict) else {}
                self.old_index = str(data.get("index", ""))
                return pages
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            pass
        return []

    def add(self, item: Item, text: str | None = None) -> None:
        """The next document (``text``: its JSON, when already made). A reference
        brings the digest of its JSON along: the JSON is read only if its section must
        be rendered. Called once per document on every run: the page id of a document
        the manifest lists is taken from it."""
        if text is None and not isinstance(item, _MADE):  # a reference (the runner's)
            name, key, size = item.doc, item.digest, item.size  # type: ignore[union-attr]
        else:
            name = _name_of(item)
            text = text if text is not None else _text(item)
            key, size = digest(text), len(text)
        n = self.old_at.get(name)
        if n is not None and self.old_pids:  # its page id, from the manifest
            pid = self.old_pids[n * PID:n * PID + PID]
        else:
            pid = page_id(name)
        self.pids.append(pid)
        weight = size if size < DOCUMENT_WEIGHT else DOCUMENT_WEIGHT
        block = self.block
        if block and (starts_block(pid) or len(block) >= BLOCK_MAX_DOCS
                      or self.weight + weight > BLOCK_BYTES):
            self._close(name, pid)
            block = self.block
        block.append((item, name, pid, key))
        self.weight += weight

    def _close(self, following: str, following_pid: str) -> None:
        """Write the block gathered (or keep it, when it is as it was); ``following``:
        the first document of the next block ("" for none)."""
        members, self.block, self.weight = self.block, [], 0
        file = f"{members[0][2]}.html"
        next_href = f"{following_pid}.html#d-{following_pid}" if following else ""
        previous, previous_href = self.previous
        # The block's key: "name\0digest" of each member, joined by NULs.
        parts_of_key = [self.base, previous, previous_href, following]
        for m in members:
            parts_of_key += (m[1], m[3])
        key = digest("\0".join(parts_of_key))
        self.blocks[file] = key
        link = f"d/{file}#d-"
        self.links += [link + m[2] for m in members]
        last = members[-1]
        self.previous = (last[1], f"{file}#d-{last[2]}")
        old, old_at = self.old, self.old_at
        olds = [old_at.get(m[1]) for m in members]
        if self.old_blocks.get(file) == key and file in self.existing:
            kept = [old[n] for n in olds if n is not None]
            if len(kept) == len(members) and all(
                    r[1] == m[3] for r, m in zip(kept, members, strict=True)):
                # The same page: neither read nor written.
                self.new.update(zip([m[1] for m in members], kept, strict=True))
                return
        hrefs = [f"#d-{m[2]}" for m in members]
        kept_sections = old_sections(self.folder / "d" / file) if file in self.existing else {}
        names = [m[1] for m in members]
        parts: list[bytes | SectionJob] = [_utf8(_block_nav(
            previous, previous_href, following, next_href, names, hrefs))]
        for i, ((m_item, m_name, _, m_key), n) in enumerate(zip(members, olds, strict=True)):
            before = (names[i - 1], hrefs[i - 1]) if i else (previous, previous_href)
            after = (names[i + 1], hrefs[i + 1]) if i + 1 < len(members) else (
                following, next_href)
            parts.append(_utf8(_nav(*before, *after)))
            skey = section_key(self.base, m_key)
            if skey in kept_sections and n is not None and old[n][1] == m_key:
                parts.append(kept_sections[skey])  # rendered from the same JSON by the same code
                self.new[m_name] = old[n]
                continue
            spooled = self.spool.take(m_name, skey) if self.spool is not None else None
            if spooled is not None:  # rendered where it was processed, from this JSON
                parts.append(spooled[0])
                self.new[m_name] = self._lean(spooled[1], m_name)
                continue
            self.new[m_name] = None  # its place in the order; the record comes with it
            item = m_item if isinstance(m_item, _MADE) else m_item.json()  # type: ignore[union-attr]
            parts.append(SectionJob(item, m_name, m_key, skey))
            self.waiting += 1
        parts.append(_utf8(_block_nav(previous, previous_href, following, next_href, [], [])))
        title = f"{names[0]}: review" if len(names) == 1 else (
            f"{names[0]} … {names[-1]}: review")
        job = BlockJob(str(self.folder / "d" / file), title, parts)
        if not any(isinstance(part, SectionJob) for part in parts):
            self._pages_folder()
            render_block(job, self.targets, None)  # every section made: written now
            return
        self.jobs.append(job)
        if self.waiting >= (BATCH if self.written >= PARALLEL_AFTER else PARALLEL_AFTER):
            self._render()

    def _lean(self, rec: list, name: str) -> list:
        """``rec`` as kept until the manifest is written (every document's, ~650 bytes of
        objects each): its name the writer's own (the key it is kept under), its language,
        status, fix kinds and flag kinds one string for all the records that have it, no
        QA flags one empty dict and list. The same values: the same JSON and pages."""
        rec[0] = name
        shared = self.shared
        for i in _SHARED_FIELDS:
            value = rec[i]
            rec[i] = shared.setdefault(value, value)
        if not rec[-2] and not rec[-1] and type(rec[-2]) is dict and type(rec[-1]) is list:
            rec[-2], rec[-1] = _NO_FLAGS, _NO_FLAGGED
        return rec

    def _pages_folder(self) -> None:
        """Make the folder of the block pages (once)."""
        if not self.pages_made:
            (self.folder / "d").mkdir(parents=True, exist_ok=True)
            self.pages_made = True

    def _render(self) -> None:
        """Render and write the block pages waiting, here or in the render processes."""
        jobs, waiting, self.jobs, self.waiting = self.jobs, self.waiting, [], 0
        if not jobs:
            return
        self._pages_folder()
        # The processes start for a batch worth it (the few left at the end are done here).
        if (self.pool is None and self.written >= PARALLEL_AFTER and waiting >= PARALLEL_AFTER
                and render_processes() > 1 and _socket_fits()):
            try:
                pickle.dumps(self.sources)
            except (pickle.PicklingError, TypeError, AttributeError):
                pass  # a closure (tests): rendered here
            else:
                from pipeline.executors import ignore_stop_signals

                # A stop signal is the run's to handle (runner: the pages are left for
                # the next run): a Ctrl-C ended the render processes, whose pages were
                # then rendered here, one at a time, after a warning.
                self.pool = ProcessPoolExecutor(render_processes(), mp_context=_pool_context(),
                                                initializer=ignore_stop_signals)
        work = partial(render_block, targets=self.targets, sources=self.sources)
        entries: list[list[dict[str, Any]]] = []
        if self.pool is not None:
            try:
                entries = list(self.pool.map(work, jobs, chunksize=4))
            except BrokenProcessPool as exc:  # a render process died: the rest is done here
                warn("report", f"rendering pages in {render_processes()} processes failed "
                     f"({exc}); rendering them in this one", reason=str(exc))
                self.pool.shutdown(cancel_futures=True)
                self.pool = None
        if len(entries) < len(jobs):
            entries = [work(job) for job in jobs]
        for job, done in zip(jobs, entries, strict=True):
            sections = [p for p in job.parts if isinstance(p, SectionJob)]
            for section, entry in zip(sections, done, strict=True):
                self.new[section.name] = self._lean(record(section.json_digest, entry),
                                                    section.name)
                self.written += 1

    def finish(self, report: dict[str, Any]) -> None:
        try:
            if self.block:
                self._close("", "")
            self._render()
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
                self.pool = None
        records = [r for r in self.new.values() if r is not None]  # all of them, by now
        deleted = set(report.get("deleted_sources", []))
        rows: list[list[Any]] = []  # made when a file that shows them is written

        def all_rows() -> list[list[Any]]:
            if not rows and records:
                # record_row, written out (a row per document on every run that
                # writes a list page or the index).
                rows.extend(_untracked(lambda: [r[:-2] for r in records]))
                for row, link in zip(rows, self.links, strict=True):
                    row[1] = link
                if deleted:
                    for row in rows:
                        if row[0] in deleted:
                            row[3] = "deleted"
            return rows

        # A page's key stands for its document's JSON, hence for its index entry; its
        # link follows from the blocks.
        # Made as the keys are hashed, not kept (~170 bytes a document).
        def row_keys(start: int = 0, stop: int | None = None) -> Iterator[str]:
            pairs = zip(records, self.links, strict=True) if stop is None else zip(
                records[start:stop], self.links[start:stop], strict=True)
            return (f"{r[1]}{'d' if r[0] in deleted else ''} {link}" for r, link in pairs)

        count = len(records)
        lists = [f"list/{n:04d}.html" for n in range(1, (count - 1) // LIST_PAGE + 2)]
        list_keys = []
        for n, href in enumerate(lists):
            key = _joined_digest(itertools.chain([self.base, f"{n} {len(lists)} {count}"],
                                                 row_keys(n * LIST_PAGE, (n + 1) * LIST_PAGE)))
            list_keys.append(key)
            if (n < len(self.old_lists) and self.old_lists[n] == key
                    and (self.folder / href).is_file()):
                continue  # the same rows: the same bytes
            part = all_rows()[n * LIST_PAGE:(n + 1) * LIST_PAGE]
            nav = _list_nav(n, len(lists))
            atomic_write(self.folder / href, head(f"Documents, page {n + 1}", "../") + nav
                         + f"<h1>Documents {n * LIST_PAGE + 1:,} to "
                         f"{n * LIST_PAGE + len(part):,} of {count:,}</h1>\n"
                         + render_list(part, "../") + nav
                         + tail("../"), durable=False)
        # The index and the flags page show the report (less its timings) and the rows.
        index_key = _joined_digest(itertools.chain(
            [self.base, json.dumps(report, ensure_ascii=False, default=str)], row_keys()))
        if not (index_key == self.old_index and (self.folder / "index.html").is_file()
                and (self.folder / "flags.html").is_file()):
            # The flags page lists the documents with flags; the overview links the
            # documents it names (failed, quarantined) to their pages.
            flags, flagged = render_flags_table([flag_entry(r, link) for r, link in zip(
                records, self.links, strict=True) if r[-2]])
            # The links of the documents it names: not a dict of every document's.
            named = {entry["doc"] for key in ("failed", "quarantined")
                     for entry in report.get(key, [])}
            hrefs = {name: link for name, link in zip(self.new, self.links, strict=True)
                     if name in named}
            _write_changed(self.folder / "flags.html", head("QA flags", "") + '<nav class="pager">'
                           '<a href="index.html">index</a></nav>\n<h1>QA flags</h1>\n'
                           + flags + tail(""))
            _write_streamed(self.folder / "index.html", lambda: itertools.chain(
                [head("Pipeline run report", "")
                 + render_overview(report, all_rows(), flagged, "flags.html", hrefs)],
                index_parts(all_rows(), lists), [tail("")]))
        if (self.blocks == self.old_blocks and list_keys == self.old_lists
                and list(self.new) == list(self.old_at) and index_key == self.old_index
                and (self.folder / "manifest.json").is_file()):
            self._sweep(lists)  # every page and record as the manifest holds them: the same
            return
        _write_streamed(self.folder / "manifest.json", lambda: manifest_parts(
            {"version": PAGE_VERSION, "targets": self.targets, "lists": list_keys,
             "index": index_key, "blocks": self.blocks, "pids": "".join(self.pids)},
            self._record_lines(records)))
        self._sweep(lists)

    def _record_lines(self, records: list[list]) -> Iterator[str]:
        """Each record's JSON (:func:`_compact`), as the manifest holds it: the line read
        where it is the record read. Made as the manifest is written, not kept."""
        old, old_at, old_lines = self.old, self.old_at, self.old_lines
        for r in records:
            n = old_at.get(r[0])
            if old_lines and n is not None and old[n] is r:
                line = old_lines[n]
                yield line[:-1] if line[-1] == "," else line
            else:
                yield _compact(r)

    def _sweep(self, lists: list[str]) -> None:
        """Remove pages no stored document owns any more (deleted, pruned, renamed), and
        the style and script of an earlier version (every page links to these now)."""
        sweep_assets(self.folder)
        pages = self.folder / "d"
        for name in self.existing - set(self.blocks):  # pages written by this run are kept
            if name.endswith(".html"):
                (pages / name).unlink(missing_ok=True)
        current = {Path(href).name for href in lists}
        listing = self.folder / "list"
        if listing.is_dir():
            for path in listing.iterdir():
                if path.name not in current and path.suffix == ".html":
                    path.unlink()


RECORD = 13  # the length of a page's record in the manifest (:func:`record`)


def _untracked(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` with the cyclic garbage collector paused: for making many
    containers that hold no cycle (a JSON text's values), which would otherwise set off
    collections that walk every object the process holds, to find nothing."""
    if not gc.isenabled():
        return function(*args)
    gc.disable()
    try:
        return function(*args)
    finally:
        gc.enable()


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def manifest_text(head: dict[str, Any], lines: Iterable[str]) -> str:
    """The manifest: ``head`` and its ``pages``, the records' JSON (``lines``, each
    :func:`_compact`; JSON escapes a line end in a string), one a line, so that the next
    run copies the lines of the records that did not change instead of encoding them.

    >>> text = manifest_text({"version": "v"}, [_compact(["a\\nb", 1]), _compact(["c", 2])])
    >>> print(text, end="")
    {"version":"v","pages":[
    ["a\\nb",1],
    ["c",2]
    ]}
    >>> json.loads(text)["pages"]
    [['a\\nb', 1], ['c', 2]]
    """
    return "".join(manifest_parts(head, lines))


def manifest_parts(head: dict[str, Any], lines: Iterable[str]) -> Iterator[str]:
    """:func:`manifest_text` in parts made as they are asked for (the records' lines
    :data:`DATA_LINES` at a time), written as a stream (:func:`_write_streamed`)."""
    yield _compact(head)[:-1] + ',"pages":[\n'
    lines, first = iter(lines), True
    while chunk := list(itertools.islice(lines, DATA_LINES)):
        yield ("" if first else ",\n") + ",\n".join(chunk)
        first = False
    yield "\n]}\n"


def _joined_digest(parts: Iterable[str]) -> str:
    """``digest("\\0".join(parts))``, hashed part by part (the join is never made).

    >>> _joined_digest(iter(["a", "é", ""])) == digest("a\\0é\\0")
    True
    """
    hasher = hashlib.sha256()
    for n, part in enumerate(parts):
        hasher.update((part if not n else "\0" + part).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


DATA_LINES = 1_000  # records of the manifest joined at a time


def record(json_digest: str, entry: dict[str, Any]) -> list:
    """A page's record in the manifest: the document's name, the digest of its JSON, its
    row of the index less the name and link (:func:`index_row`; its status that of the
    document), and its QA flags (counts and flagged sentences, for the flags page). A list,
    which JSON reads and writes in about a third of the time of the entry's object; the
    link follows from the name.

    >>> r = record("d1", {"doc": "a.txt", "href": "d/x.html", "lang": "pt", "status": "ok",
    ...                   "fixes": 1, "spans": 0, "segments": 2, "kinds": ["k"], "title": "T",
    ...                   "flags": {}, "flagged": []})
    >>> r, len(r) == RECORD
    (['a.txt', 'd1', 'pt', 'ok', 1, 0, 0, 2, 'k', '', 'T', {}, []], True)
    >>> row = record_row(r, set(), "d/x.html#d-y")
    >>> row[1], row[2:], record_row(r, {"a.txt"}, "")[3]
    ('d/x.html#d-y', ['pt', 'ok', 1, 0, 0, 2, 'k', '', 'T'], 'deleted')
    """
    return [entry["doc"], json_digest, *index_row(entry, False)[2:], entry["flags"],
            entry["flagged"]]


def record_row(record: list, deleted: set[str], href: str) -> list[Any]:
    """The index's row of a document's record (:func:`index_row`): ``deleted`` names
    the documents deleted from the corpus, their status in the index; ``href``: the
    link to its section."""
    row = [record[0], href, *record[2:-2]]
    if record[0] in deleted:
        row[3] = "deleted"
    return row


def flag_entry(record: list, href: str) -> dict[str, Any]:
    """What the flags page needs of a document's record (:func:`render_flags_table`)."""
    return {"doc": record[0], "href": href, "flags": record[-2], "flagged": record[-1]}


def write_assets(folder: Path) -> None:
    """The folder's style and script (:func:`pipeline.writers.review.assets.assets`), in
    ``folder/assets/``, unless they are there already."""
    for name, text in assets().items():
        _write_changed(folder / ASSETS / name, text)


def sweep_assets(folder: Path) -> None:
    """Remove the style and script files of other versions from ``folder/assets/``.

    >>> import tempfile; f = Path(tempfile.mkdtemp()); write_assets(f)
    >>> _ = (f / ASSETS / "report-000000000000.css").write_text("old")
    >>> _ = (f / ASSETS / "notes.txt").write_text("mine"); sweep_assets(f)
    >>> sorted(p.name for p in (f / ASSETS).iterdir()) == sorted([*assets(), "notes.txt"])
    True
    >>> import shutil; shutil.rmtree(f)
    """
    current = assets()
    try:
        names = os.listdir(folder / ASSETS)
    except OSError:
        return
    for name in names:
        if (name.startswith("report-") and name.endswith((".css", ".js"))
                and name not in current):
            (folder / ASSETS / name).unlink(missing_ok=True)


def _write_changed(path: Path, data: str) -> None:
    """Write ``data`` to ``path`` unless the file holds these bytes already."""
    try:
        encoded = data.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: compared as before, refused by the write
        encoded, strict = data.encode("utf-8", "surrogatepass"), False
    else:
        strict = True
    try:
        if path.stat().st_size == len(encoded) and path.read_bytes() == encoded:
            return
    except OSError:
        pass
    if strict:  # the bytes atomic_write would write (UTF-8, newlines as they are)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, encoded)
    else:
        atomic_write(path, data, durable=False)


def _write_streamed(path: Path, make: Callable[[], Iterable[str]]) -> None:
    """:func:`_write_changed` of ``"".join(make())``, written part by part (the index or
    the manifest of a large corpus: neither it nor its UTF-8 is held whole in memory),
    compared on the way with the file's bytes, which stay when they are the same."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-s{next(_streamed)}{TEMP_SUFFIX}")
    try:
        old: Any = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError:
        old = None
    same = old is not None
    try:
        with open(tmp, "wb", buffering=SPOOL_BUFFER) as handle:
            for part in make():
                data = part.encode("utf-8")
                if same and old.read(len(data)) != data:
                    same = False
                handle.write(data)
        if same and not old.read(1):
            tmp.unlink()  # these bytes are there already
        else:
            os.replace(tmp, path)
    except UnicodeEncodeError:  # a lone surrogate: as _write_changed does
        tmp.unlink(missing_ok=True)
        _write_changed(path, "".join(make()))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if old is not None:
            old.close()


_streamed = itertools.count()


def _nav(previous: str, previous_href: str, following: str, following_href: str) -> str:
    """A document's links: the index, the documents before and after it."""
    parts = ['<nav class="pager"><a href="../index.html">index</a>']
    if previous:
        parts.append(f'<a href="{previous_href}" rel="prev">← previous: {esc_name(previous)}</a>')
    if following:
        parts.append(f'<a href="{following_href}" rel="next">next: {esc_name(following)} →</a>')
    return "".join(parts) + "</nav>\n"


def _block_nav(previous: str, previous_href: str, following: str, following_href: str,
               names: list[str], hrefs: list[str]) -> str:
    """A block page's links: the index, the pages before and after it, and (``names``,
    ``hrefs``: at its top) the documents it holds."""
    parts = ['<nav class="pager block"><a href="../index.html">index</a>']
    if previous:
        parts.append(f'<a href="{previous_href}">← previous page</a>')
    if following:
        parts.append(f'<a href="{following_href}">next page →</a>')
    parts.append("</nav>\n")
    if len(names) > 1:
        parts.append(f'<p class="note">This page holds {len(names)} documents: '
                     + ", ".join(f'<a href="{h}">{esc_name(n)}</a>' for n, h in zip(
                         names, hrefs, strict=True)) + ".</p>\n")
    return "".join(parts)


def _list_nav(n: int, count: int) -> str:
    parts = ['<nav class="pager"><a href="../index.html">index</a>']
    if n:
        parts.append(f'<a href="{n:04d}.html" rel="prev">← page {n}</a>')
    if n + 1 < count:
        parts.append(f'<a href="{n + 2:04d}.html" rel="next">page {n + 2} →</a>')
    return "".join(parts) + "</nav>\n"
