"""Text made safe and readable for a review page: escaped, no control characters.

Article text, names and metadata come from files the pipeline does not control:
everything goes through :func:`esc`, which escapes HTML and shows control
characters (NUL included) as visible symbols, so that the page stays text for
``grep`` and a browser.
"""

from __future__ import annotations

import re
from html import escape

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates: shown as symbols.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _symbol(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ␁ ... (the Control Pictures block)
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


# Anything :func:`esc` changes: most texts hold none of it and are returned as they are.
_SPECIAL = re.compile("[&<>\"'\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def esc(text: str) -> str:
    """``text`` HTML-escaped (quotes too), control characters shown as symbols.

    >>> esc('<a href="x">\\x00\\r'), esc("Olá")
    ('&lt;a href=&quot;x&quot;&gt;␀␍', 'Olá')
    """
    if not ("&" in text or "<" in text or ">" in text or '"' in text or "'" in text
            or not (text.isprintable() or _SPECIAL.search(text) is None)):
        return text  # as needs_escape() tells, with a call less
    text = escape(text)
    return _CONTROL.sub(_symbol, text) if _CONTROL.search(text) else text


def needs_escape(text: str) -> bool:
    """Whether :func:`esc` changes ``text`` (one search for several texts joined).

    The characters it escapes are looked for one by one (each a scan in C); the
    controls it shows as symbols, and lone surrogates, are not printable
    (``str.isprintable``): only a text that holds a character not printable other than
    a line end or a tab is searched for them (:data:`_SPECIAL`).

    >>> needs_escape("Olá mundo"), needs_escape("a & b"), needs_escape("\\x00")
    (False, True, True)
    >>> needs_escape("um\\n\\tdois"), needs_escape("um\\r\\n"), needs_escape("a\\u00a0b")
    (False, True, False)
    """
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return True
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        return False
    return _SPECIAL.search(text) is not None


# In a file name a line end or a tab reads as a space: shown as symbols too.
_NAME_SPACES = str.maketrans({"\n": "␊", "\t": "␉"})


def esc_name(name: str) -> str:
    """A file name as :func:`esc` shows it, its line ends and tabs as symbols too.

    >>> esc_name("a\\nb\\tc\\rd.txt"), esc_name("<b>.txt")
    ('a␊b␉c␍d.txt', '&lt;b&gt;.txt')
    """
    if "\n" in name or "\t" in name:
        name = name.translate(_NAME_SPACES)
    return esc(name)


# Whitespace made visible where it is all there is to see (a fix of line ends).
_VISIBLE = str.maketrans({"\r": "␍", "\n": "␊", "\t": "⇥", " ": "·", "\u00a0": "⍽"})


def visible(text: str) -> str:
    """``text`` escaped; whitespace shown as symbols when it is whitespace only, or
    holds a carriage return or a tab, so that such a fix never shows as an empty cell.

    >>> visible("\\r\\n"), visible("a b"), visible("")
    ('␍␊', 'a b', '<span class="missing">(nothing)</span>')
    """
    if not text:
        return '<span class="missing">(nothing)</span>'
    if not text.strip() or "\r" in text or "\t" in text:
        return esc(text.translate(_VISIBLE))
    return esc(text)


def short(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis where cut).

    >>> short("Olá\\n  mundo", 20), short("abcdef", 4)
    ('Olá mundo', 'abc…')
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hexdump(data: bytes, limit: int = 256) -> str:
    """The first ``limit`` bytes as lines of offset, hex bytes and printable ASCII.

    >>> hexdump(b"PK\\x03\\x04\\x00abc")
    '00000000  50 4b 03 04 00 61 62 63                          PK...abc'
    """
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        chunk = data[offset : offset + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexes:<47}  {text}")
    return "\n".join(lines)


