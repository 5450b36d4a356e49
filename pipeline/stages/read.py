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
from functools import cache

from pipeline.document import Document, Source, Stage
from pipeline.wordfreq_store import release, zipf_frequency

# Tried before charset-normalizer's guesses, in this order on a tie: the legacy
# encodings of Western European news files (cp1252 is a superset of latin-1's
# printable range and maps 0x80-0x9F to €, “, ”, –...).
PREFERRED_LEGACY = ("cp1252", "iso-8859-15")
# How much more plausible (in Zipf points, see plausibility) another decoding must be
# than a PREFERRED_LEGACY one to be chosen: the prior of the usual encoding of the
# news files this pipeline reads. Without it, a file whose only non-ASCII bytes are
# typography ("It’s", "“I", "£3", "¿Y") lost to any code page that turns those bytes
# into letters forming a rare word of some listed language: "ôi" (pt, Zipf 1.3, cp850's
# “I), "ży" (pl, 2.4, cp1250's ¿Y); the right decoding forms no word at all, so it
# scores 0. One word at Zipf 3 (once per million words) outweighs it.
PREFERRED_PRIOR = 3.0
# Languages whose word lists judge a decoding: those of the Windows code pages'
# languages that wordfreq lists (cp1252: pt de en es fr it nl ca da fi is nb sv;
# cp1250: pl cs sk sl hu ro sh; cp1251: ru uk bg mk; cp1253: el; cp1254: tr; cp1255: he;
# cp1256: ar fa; cp1257: lt lv). With the Western ones only, a Czech, Hungarian,
# Baltic or Greek file lost to cp1252 (PREFERRED_PRIOR), its right decoding's words
# being in no list (bench/legacy_read.py); without Hebrew's and Arabic's, a Hebrew or
# Arabic text lost to cp1251, whose Cyrillic reading forms a few short Russian words.
PLAUSIBILITY_LANGS = (
    "pt", "de", "en", "es", "fr", "it", "nl", "ca", "da", "fi", "is", "nb", "sv",
    "pl", "cs", "sk", "sl", "hu", "ro", "sh", "ru", "uk", "bg", "mk", "el", "tr", "lt", "lv",
    "he", "ar", "fa",
)
# The encodings a guess from bytes may name: the legacy ones browsers offer (the WHATWG
# Encoding Standard's list), as Python's codecs name them, with the supersets Python
# keeps apart (cp932 for Shift_JIS, cp949 for EUC-KR, gbk and gb18030 for GB2312...).
# charset-normalizer also proposes DOS and other code pages that no one's files are
# in: a Hebrew cp1255 text was read as Cyrillic by cp1125, a Ukrainian DOS code page.
# Less ISO-8859-6 (Arabic, rare beside cp1256): with the Arabic word list, it read short
# Russian and Bulgarian sentences as Arabic fragments and diacritics ("Калиновский пал в
# битве." as "تـًوٍَقّيوى ُـً ق فوْقم.", bench/legacy_read.py).
BROWSER_ENCODINGS = frozenset({
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "cp874", "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic",
    "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-7",
    "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
    "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp950", "shift_jis", "cp932",
    "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213",
    "iso2022_jp", "euc_kr", "cp949",
})
# Penalty per distinct non-ASCII character of a category that real text rarely
# holds: C1 control characters and unassigned code points are decoding errors;
# symbols such as "³" or "¿" inside words are what a wrong code page leaves.
UNLIKELY_CATEGORY_PENALTY = {"Cc": 6.0, "Cn": 6.0, "Co": 6.0, "No": 3.0, "So": 2.0, "Sm": 2.0,
                             "Po": 1.0, "Sk": 2.0, "Sc": 1.0}
# A word mixing scripts ("IТd", "Сn": cp1125's reading of cp1252's "I’d", "’n") is a
# decoding error, whatever wordfreq makes of its pieces (it splits "тn" into the
# Russian "т" and "n"): it costs as much as a C1 control character.
MIXED_SCRIPT_PENALTY = 6.0
ALPHABETS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
# Non-ASCII punctuation and symbols that news text does use.
# CJK text's own punctuation (ideographic comma and full stop, middle dot, full-width
# forms) is typography too: a right Shift-JIS or GB18030 decoding lost to a wrong one
# that turned those bytes into letters.
TYPOGRAPHY = frozenset("“”„‘’‚«»‹›–—…•·€£°§¡¿º ª、。・〜～，．：；！？％＆＊／＠")
# A word of two or more letters holding at least one non-ASCII letter: the only
# words a wrong legacy decoding changes. Lone letters prove nothing ("ğ" is a
# Turkish word, and what iso8859-3 makes of cp1252's "«"). Letters only: digits and
# number signs end a word (cp1125 reads "£3" as "г3", which wordfreq splits into the
# Russian "г" and "3"; cp775 reads "bjórr" as "bj¾rr", found as "bj" + "rr").
_NON_ASCII_WORD = re.compile(r"[^\W\d_]*[^\W\d_\x00-\x7f][^\W\d_]*")


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


# UTF-16 without a BOM (what some Windows tools save): in a text of mostly Latin,
# Cyrillic or Greek letters, one byte of each pair is NUL. The share of pairs with
# their NUL on one side (and almost none on the other) that marks it.
UTF16_NUL_SHARE = 0.3


def utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """``data`` decoded as UTF-16 without a BOM, and the codec's name, when one byte
    of many pairs (and of almost none on the other side) is NUL and the whole decodes
    to text without control characters; else None.

    >>> utf16_without_bom("Coréia do Norte".encode("utf-16-le"))
    ('Coréia do Norte', 'utf-16-le')
    >>> utf16_without_bom("Nordkorea\\n".encode("utf-16-be"))
    ('Nordkorea\\n', 'utf-16-be')
    >>> utf16_without_bom(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR") is None
    True
    """
    sample = data[:8192]
    pairs = len(sample) // 2
    if len(data) % 2 or not pairs:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for name, nul, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nul >= UTF16_NUL_SHARE * pairs and other <= 0.01 * pairs:
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                return None
            if any(unicodedata.category(c) in ("Cc", "Cn", "Cs") and c not in "\t\n\r\f"
                   for c in set(text)):
                return None
            return text, name
    return None


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
    # UTF-32's BOMs first: the little-endian one starts with UTF-16's.
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    # Before UTF-8: UTF-16 of ASCII letters is valid UTF-8, every other byte NUL.
    found = utf16_without_bom(data) if b"\x00" in data[:8192] else None
    if found is not None:
        return found
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if looks_binary(data):
        raise DecodeError("binary file (NUL bytes): not a text document")
    from charset_normalizer import from_bytes  # only here: most corpora never need it

    guesses = [m.encoding for m in from_bytes(data)]
    if not guesses:  # charset-normalizer finds every encoding too chaotic: not text
        raise DecodeError("undecodable bytes: no text encoding explains them; "
                          "save the file as UTF-8")
    candidates = [*PREFERRED_LEGACY, *filter(browser_encoding, guesses)]
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
        prior = PREFERRED_PRIOR if encoding in PREFERRED_LEGACY else 0.0
        decoded.append((-(scores[text] + prior), rank, text, encoding))
    if not decoded:
        raise DecodeError("undecodable bytes: no text encoding explains them; "
                          "save the file as UTF-8")
    _, _, text, encoding = min(decoded)
    return text, encoding.replace("_", "-")


def browser_encoding(name: str) -> bool:
    """True for an encoding of :data:`BROWSER_ENCODINGS`.

    >>> browser_encoding("cp1255"), browser_encoding("euc_jis_2004"), browser_encoding("cp1125")
    (True, True, False)
    """
    try:
        return codecs.lookup(name).name in BROWSER_ENCODINGS
    except LookupError:
        return False


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


@cache
def script(char: str) -> str:
    """The script of a letter, as the first word of its Unicode name.

    >>> script("é"), script("т"), script("a")
    ('LATIN', 'CYRILLIC', 'LATIN')
    """
    return unicodedata.name(char, "?").split(" ", 1)[0]


def mixed_script(word: str) -> bool:
    """True when ``word`` holds letters of two of the alphabets of the code pages
    judged here, Latin, Cyrillic and Greek ("IТd": Latin I, d and Cyrillic Т, what
    cp1125 makes of cp1252's "I’d"). Japanese mixes its scripts in a word; it is not
    judged.

    >>> mixed_script("IТd"), mixed_script("tensões"), mixed_script("тензия")
    (True, False, False)
    >>> mixed_script("ひらがな漢字")
    False
    """
    return len({script(char) for char in word} & ALPHABETS) > 1


def number_in_word(word: str) -> bool:
    """True when ``word`` holds a superscript digit or a fraction ("²è", "é½"): what
    Latin-1 code pages make of EUC-JP's or EUC-KR's bytes, never a word. wordfreq
    splits them off and finds the rest ("è", "é": Italian and Portuguese words of Zipf
    7), which a right Japanese or Korean decoding, in no word list, never outweighed.

    >>> number_in_word("²è"), number_in_word("tensões")
    (True, False)
    """
    return any(unicodedata.category(char) == "No" for char in word)


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
        garbled = mixed_script(word) or number_in_word(word)
        score += -MIXED_SCRIPT_PENALTY if garbled else best_zipf(word)
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
