"""Read stage: raw bytes to text, with the encoding found.

UTF-8 (with or without BOM) is tried first, since it is what almost every file
is and a strict decode of anything else nearly always fails. Otherwise
charset-normalizer picks the legacy encoding (cp1252, latin-1, ...). Bytes that no
encoding explains are reported, never silently dropped.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterable

from charset_normalizer import from_bytes

from pipeline.document import Document, Source, Stage
from pipeline.wordfreq_store import release, zipf_frequency

# Tried before charset-normalizer's guesses, in this order on a tie: the legacy
# encodings of Western European news files (cp1252 is a superset of latin-1's
# printable range and maps 0x80-0x9F to €, “, ”, –...).
PREFERRED_LEGACY = ("cp1252", "iso-8859-15")
# Languages whose word lists judge a decoding: Latin-1, Latin-2 and Cyrillic scripts.
PLAUSIBILITY_LANGS = ("pt", "de", "en", "es", "fr", "it", "nl", "pl", "cs", "ru", "uk", "tr")
# Penalty per distinct non-ASCII character of a category that real text rarely
# holds: C1 control characters and unassigned code points are decoding errors;
# symbols such as "³" or "¿" inside words are what a wrong code page leaves.
UNLIKELY_CATEGORY_PENALTY = {"Cc": 6.0, "Cn": 6.0, "Co": 6.0, "No": 3.0, "So": 2.0, "Sm": 2.0,
                             "Po": 1.0, "Sk": 2.0, "Sc": 1.0}
# Non-ASCII punctuation and symbols that news text does use.
TYPOGRAPHY = frozenset("“”„‘’‚«»‹›–—…•·€£°§¡¿º ª")
# A word of two or more letters holding at least one non-ASCII letter: the only
# words a wrong legacy decoding changes. Lone letters prove nothing ("ğ" is a
# Turkish word, and what iso8859-3 makes of cp1252's "«").
_NON_ASCII_WORD = re.compile(r"\w*[^\W\d_\x00-\x7f]\w*")


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can recognise."""


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes outside a UTF-16/32 BOM file.

    >>> looks_binary(b"plain text")
    False
    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00")
    True
    """
    return b"\x00" in data[:8192]


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data``; return the text and the name of the encoding used.

    >>> decode_bytes("Coréia".encode("utf-8"))
    ('Coréia', 'utf-8')
    >>> decode_bytes(codecs.BOM_UTF8 + b"abc")
    ('abc', 'utf-8-sig')
    >>> decode_bytes("Coréia do Norte, tensões, ação".encode("cp1252"))[1]
    'cp1252'
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if looks_binary(data):
        raise DecodeError("binary file (NUL bytes): not a text document")
    guesses = [m.encoding for m in from_bytes(data)]
    if not guesses:  # charset-normalizer finds every encoding too chaotic: not text
        raise DecodeError("undecodable bytes: no text encoding explains them; "
                          "save the file as UTF-8")
    candidates = [*PREFERRED_LEGACY, *guesses]
    decoded: list[tuple[float, int, str, str]] = []
    scores: dict[str, float] = {}  # most code pages decode most files to the same text
    texts: list[tuple[int, str, str]] = []
    for rank, encoding in enumerate(dict.fromkeys(candidates)):
        try:
            texts.append((rank, encoding, data.decode(encoding)))
        except (UnicodeDecodeError, LookupError):
            continue
    # A dozen word lists are looked up in a burst: one list at a time, their pages
    # leave this process's memory (they stay in the file cache) after it.
    look_up(word for text in dict.fromkeys(t for _, _, t in texts) for word in judged_words(text))
    for rank, encoding, text in texts:
        if text not in scores:
            scores[text] = plausibility(text)
        decoded.append((-scores[text], rank, text, encoding))
    if not decoded:
        raise DecodeError("undecodable bytes: no text encoding explains them; "
                          "save the file as UTF-8")
    _, _, text, encoding = min(decoded)
    return text, encoding.replace("_", "-")


# best_zipf's answers (the same words come back in every candidate decoding and
# every file), at most BEST_ZIPF_CACHED of them.
_best_zipf: dict[str, float] = {}
BEST_ZIPF_CACHED = 1 << 16


def look_up(words: Iterable[str]) -> None:
    """Find :func:`best_zipf` of ``words`` one language's list after another, each
    list's pages released before the next: a burst of lookups maps most of a list
    into this process (the kernel maps the neighbours of every page read), so one
    list at a time counts in its memory, not a dozen (the sample corpus's cp1252
    file: a peak of about 85 MiB of mapped pages, instead of a list's 13 MiB)."""
    todo = sorted({word for word in words if word not in _best_zipf})
    if not todo:
        return
    if len(_best_zipf) + len(todo) > BEST_ZIPF_CACHED:
        _best_zipf.clear()
    found = dict.fromkeys(todo, float("-inf"))
    for lang in PLAUSIBILITY_LANGS:
        for word in todo:
            found[word] = max(found[word], zipf_frequency(word, lang))
        release([lang])
    _best_zipf.update(found)


def best_zipf(word: str) -> float:
    """The word's highest Zipf frequency in the :data:`PLAUSIBILITY_LANGS`.

    >>> best_zipf("tensões") > 3 > best_zipf("tensőes")
    True
    """
    if word not in _best_zipf:
        look_up([word])
    return _best_zipf[word]


def judged_words(text: str) -> list[str]:
    """The words :func:`plausibility` adds up, in its order: each different word
    with a non-ASCII letter, sorted, in lower case (so a word may come twice).

    >>> judged_words("Ação, tensões e ação")
    ['ação', 'ação', 'tensões']
    """
    # Sorted: float sums must not depend on set order (the process's hash seed).
    found = sorted(set(_NON_ASCII_WORD.findall(text[:20000])))
    return [word.lower() for word in found if len(word) >= 2]


def plausibility(text: str) -> float:
    """How much the words with non-ASCII letters look like real words.

    charset-normalizer alone often names cp1250 for Western European text, which
    turns "tensões" into "tensőes"; word frequencies tell the two apart.

    >>> plausibility("tensões") > plausibility("tensőes")
    True
    """
    sample = text[:20000]
    score = 0.0
    for word in judged_words(text):
        score += best_zipf(word)
    for char in sorted(set(sample)):
        if ord(char) > 0x7F and char not in TYPOGRAPHY:
            score -= UNLIKELY_CATEGORY_PENALTY.get(unicodedata.category(char), 0.0)
    return score


class Read(Stage):
    """Decode ``doc.raw`` into ``doc.text`` and fill ``doc.source``."""

    name = "read"

    def process(self, doc: Document) -> Document:
        data = doc.raw
        doc.source = Source(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        text, encoding = decode_bytes(data)
        doc.source.encoding = encoding
        if encoding not in ("utf-8", "utf-8-sig"):
            doc.fix(self.name, "encoding", encoding, "utf-8")
        doc.text = text
        return doc
