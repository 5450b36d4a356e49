"""Text files (``.txt``, ``.md``): one file, one document, as the pipeline always read them.

A ``.txt`` file (not ``.md``, which may hold HTML of its own) that is really a saved
web page (tags, ``<script>``) is read as an HTML page (:mod:`pipeline.readers.html`):
its markup is never sent to translation nor taken for English words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.readers import Item

# How much of a file's start is looked at to recognise an HTML page inside a .txt.
SNIFF_BYTES = 4096


def sniff_html(data: bytes) -> bool:
    """Whether the bytes of a text file are an HTML page (judged on their start).

    >>> sniff_html(b"<!DOCTYPE html><html><head><script>x()</script></head>")
    True
    >>> sniff_html("Notícia: o porto <reabriu> ontem.".encode())
    False
    """
    from pipeline.readers.html import looks_like_html

    return looks_like_html(data[:SNIFF_BYTES].decode("utf-8", errors="replace"))


class TextReader:
    """``.txt`` and ``.md`` files: the document is the file, its id its path."""

    name = "text"
    suffixes = (".txt", ".md")
    many = False

    def items(self, rel: str, path: Path, read: Callable[[], bytes]) -> Iterator[Item]:
        data = read()
        # Only a .txt is taken for a saved page: Markdown may hold HTML of its own.
        kind = "html" if rel.lower().endswith(".txt") and sniff_html(data) else "text"
        if rel.lower().endswith(".md"):  # its markup kept out of the text (readers.markdown)
            kind = "markdown"
        yield Item(rel, data, kind=kind, output=rel, source=rel, problem=zeroed(data))


def zeroed(data: bytes) -> str:
    """Why a file of NUL bytes (blanks aside) is no document, else "".

    Such a file is valid UTF-8, and its NULs are control characters the cleanup
    removes: it was counted a clean document with an empty copy.

    >>> zeroed(bytes(4096))
    'only NUL bytes (a file zeroed by a crash or an unfinished copy): no text; copy it again'
    >>> zeroed(b"Ol\\x00a"), zeroed(b"")
    ('', '')
    """
    if b"\x00" not in data or data.translate(None, b"\x00 \t\r\n"):
        return ""
    return "only NUL bytes (a file zeroed by a crash or an unfinished copy): no text; copy it again"
