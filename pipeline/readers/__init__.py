"""Readers: turn the files of a corpus into documents.

A :class:`Reader` takes one file found in the corpus and yields the documents it
holds as :class:`Item` objects: an id, the content, the key its incremental state
is kept under, and what the format knows about it (metadata, where its clean copy
goes). One file may hold one document (a text file, an HTML page) or many (a JSON
Lines or Parquet file of records). Everything after the reader (the stages, the
translator, the writers of ``documents.jsonl`` and ``segments.jsonl``) sees only
documents and does not know which format they came from.

Adding a format means one reader class (its ``suffixes`` and ``items``; a file of
many documents also needs a writer of its mirrored copies, as
:mod:`pipeline.writers.records` is for records) registered in
:data:`pipeline.factory.READERS` and :func:`pipeline.factory.build_pipeline`, and its
tests.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass
class Item:
    """One document as a reader found it: what a shard carries to a worker.

    ``kind`` says how the worker turns ``raw`` into text: ``"text"`` (decoded as a
    text file), ``"html"`` (the page's main text extracted first) or ``"markdown"``
    (decoded, its markup kept apart: :mod:`pipeline.readers.markdown`).
    """

    doc: str  # the document id: a path in the corpus, or "<file>#<record id>"
    raw: bytes  # the content: a file's bytes, or a record's text as UTF-8
    kind: str = "text"  # "text" | "html" | "markdown"
    output: str = ""  # its clean copy is clean/<output> (translations/<lang>/<output>)
    metadata: dict[str, str] = field(default_factory=dict)  # what the format knew
    problem: str = ""  # why the reader quarantines it ("" = none)
    source: str = ""  # the corpus file that holds it (records: shared by many)
    record: bool = False  # one of many in its file: its texts go to the state, not to files
    cut: bool = False  # its reader stopped here: the file's records after it are unknown

    @property
    def sha256(self) -> str:
        """The hash its incremental state keeps: a changed document is processed again."""
        return hashlib.sha256(self.raw + self.problem.encode()).hexdigest()


def as_item(value: Item | tuple[str, bytes]) -> Item:
    """A shard entry as an :class:`Item` (a plain ``(doc, bytes)`` pair is a text file).

    >>> as_item(("a.txt", b"Ola")).output
    'a.txt'
    """
    if isinstance(value, Item):
        return value
    doc, raw = value
    return Item(doc, raw, output=doc, source=doc)


class Reader(Protocol):
    """A corpus format.

    ``suffixes``: the file names it reads (lower case, compound ones such as
    ``.jsonl.gz`` included). ``items`` yields the documents of one file; ``read()``
    is the runner's checked read of its bytes (a reader of one document per file uses
    it; a reader of many streams the file itself). ``many``: whether one file holds
    many documents (their copies are rebuilt per file from the per-document state).
    """

    name: str
    suffixes: tuple[str, ...]
    many: bool

    def items(self, rel: str, path: Path, read) -> Iterator[Item]: ...


# Files no reader takes, by suffix: what to do about them (shown in the run's summary).
SKIP_ADVICE = {
    ".pdf": "extract the text first (e.g. pdftotext FILE.pdf FILE.txt)",
    ".docx": "save as plain text (.txt) or convert (e.g. pandoc FILE.docx -o FILE.txt)",
    ".doc": "save as plain text (.txt) from the word processor",
    ".odt": "save as plain text (.txt) or convert (e.g. pandoc FILE.odt -o FILE.txt)",
    ".rtf": "save as plain text (.txt) or convert (e.g. pandoc FILE.rtf -o FILE.txt)",
    ".json": ("write one JSON object per line as .jsonl (each line is then a document); a "
              "file that already holds one a line (as Hugging Face datasets' to_json writes "
              "it) is read once renamed .jsonl; a Hugging Face dataset's dataset_info.json "
              "and state.json describe its .arrow files: no documents"),
    ".xml": "extract the article text to .txt, or save the pages as .html",
    ".gz": ("only .jsonl.gz, .ndjson.gz and .html.gz are read compressed (a .json.gz of one "
            "JSON object per line, as C4 and Dolma are, once renamed .jsonl.gz); decompress "
            "other files"),
    **dict.fromkeys((".bz2", ".xz", ".zst"), (
        "only JSON Lines are read compressed (.jsonl.bz2, .jsonl.xz, .jsonl.zst; a .json.zst "
        "of one JSON object per line once renamed .jsonl.zst); decompress other files")),
    ".zip": "unpack the archive into the corpus directory",
    # Arrow IPC files: a Hugging Face dataset's save_to_disk folder (data-00000-of-00001
    # .arrow, streams, beside dataset_info.json and state.json), Feather (pandas,
    # R's arrow). Parquet holds the same table, every column kept.
    ".arrow": ("an Arrow file (a Hugging Face dataset saved with save_to_disk): save it as "
               "Parquet, every field kept: datasets.load_from_disk(DIR).to_parquet("
               "'DIR.parquet') (of a DatasetDict: each split's); a lone .arrow file: "
               "pyarrow.parquet.write_table(pyarrow.ipc.open_stream(FILE).read_all(), "
               "'FILE.parquet')"),
    ".feather": ("a Feather (Arrow) file: save it as Parquet, every field kept: "
                 "pyarrow.parquet.write_table(pyarrow.feather.read_table(FILE), "
                 "'FILE.parquet')"),
}
OTHER_ADVICE = "not a format the pipeline reads ({formats}); convert it to .txt if it is text"

# A link to a folder of the corpus is not followed (it would read a subtree twice, or
# loop): it is listed as skipped, under this suffix, with this advice.
FOLDER_LINK = "(folder link)"
FOLDER_LINK_ADVICE = ("a link to a folder of the corpus is not followed: that folder's "
                      "files are read under its own name; to read them under both names, "
                      "copy the folder")

# Never documents, never read, listed as skipped under their own "suffix": the folder
# of a version control system (a corpus kept in git: its files are the history) and
# the "._name" file macOS writes beside each file copied to a drive without Mac
# attributes (AppleDouble; it starts with APPLEDOUBLE, and was quarantined as binary,
# each run ending with exit 3).
VCS_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", "CVS"})
VERSION_CONTROL = "(version control)"
VERSION_CONTROL_ADVICE = "a version control folder: its files are its history, not documents"
APPLEDOUBLE = b"\x00\x05\x16\x07"
MAC_METADATA = "(macOS metadata)"
MAC_METADATA_ADVICE = ("macOS metadata ('._' and a file's name, AppleDouble), written beside "
                       "files copied from a Mac: not a document")
# The files of the folder a browser's "Save page as... complete" writes beside NAME.html
# (embeds, advertisements' pages, styles, scripts, images) are parts of that page, which
# is read (pipeline.readers.html.saved_page_part).
SAVED_PAGE_PART = "(parts of saved pages)"
SAVED_PAGE_PART_ADVICE = ("a part of a saved page (in the NAME_files folder a browser's "
                          "'Save page as' writes beside NAME.html: an embed, an "
                          "advertisement, a style or an image), not an article; NAME.html "
                          "itself is read")
# A folder inside the corpus that is this pipeline's OUT (it holds the ".pipeline" folder
# a run keeps its state in: an earlier run's outputs moved or written there): its clean
# and translated copies, JSON Lines and report were read as new documents, translations
# of translations. Listed once as skipped and not walked.
PIPELINE_OUT = "(pipeline outputs)"
PIPELINE_OUT_ADVICE = ("the output folder (OUT) of an earlier run, which holds its state in "
                       ".pipeline/: its copies and reports are not documents; move it out "
                       "of the corpus, or give it as CORPUS to read it")
SKIP_GROUPS = {FOLDER_LINK_ADVICE: FOLDER_LINK, VERSION_CONTROL_ADVICE: VERSION_CONTROL,
               MAC_METADATA_ADVICE: MAC_METADATA, SAVED_PAGE_PART_ADVICE: SAVED_PAGE_PART,
               PIPELINE_OUT_ADVICE: PIPELINE_OUT}


def suffix_of(name: str) -> str:
    """The suffix a skipped file is counted under (``""`` for none).

    >>> suffix_of("a/Report.PDF"), suffix_of("notes.tar.gz"), suffix_of("README")
    ('.pdf', '.gz', '')
    """
    base = name.rsplit("/", 1)[-1].lower()
    return "." + base.rsplit(".", 1)[1] if "." in base.strip(".") else ""


def skip_advice(suffix: str, formats: str) -> str:
    """What to do about a skipped file with ``suffix``.

    >>> skip_advice(".pdf", ".txt")
    'extract the text first (e.g. pdftotext FILE.pdf FILE.txt)'
    >>> skip_advice(".xyz", ".txt, .md")
    'not a format the pipeline reads (.txt, .md); convert it to .txt if it is text'
    """
    return SKIP_ADVICE.get(suffix) or OTHER_ADVICE.format(formats=formats)


def open_nonblocking(path: Path | str, follow_links: bool = True) -> int:
    """A read-only descriptor of ``path`` that never waits on a FIFO put in the file's
    place during the run (opening a FIFO to read waits for a writer, and a stop signal
    does not end that wait); the caller checks on it that it is a regular file. With
    ``follow_links=False`` a symbolic link is refused (OSError ELOOP). Raises OSError.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); os.mkfifo(folder / "f")
    >>> fd = open_nonblocking(folder / "f"); os.close(fd)  # no writer: no wait
    >>> os.symlink("f", folder / "l"); open_nonblocking(folder / "l", follow_links=False)
    Traceback (most recent call last):
    ...
    OSError: [Errno 40] Too many levels of symbolic links: ...
    >>> import shutil; shutil.rmtree(folder)
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags)
