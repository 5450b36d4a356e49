"""Normalize stage: character-level repairs of the decoded text, then the block layout.

Each repair is a small pure ``str -> str`` function (ftfy style: its docstring shows
what it does). :class:`Normalize` runs them in a fixed order on ``doc.text``, records
every change as a fix, and finally splits the text into paragraph blocks on blank lines.

Order matters: HTML entities first (``&#195;&#169;`` may decode to mojibake), mojibake
next (``Ã`` + soft hyphen is the mojibake of ``í``, so invisible characters and
non-breaking spaces are only touched once mojibake is repaired), whitespace last.

Speed: ftfy runs only on the lines it could change (:func:`needs_ftfy`, a necessary
condition built from ftfy's own encoding tables, is about twenty times cheaper than
ftfy's first test), and every other repair is skipped when a substring test shows it has
nothing to do, else it is one precompiled, linear regular expression over the text.

Text without artefacts comes out unchanged: legitimate typography (curly quotes,
ligatures, fullwidth forms, decomposed accents, joiners used by some scripts and by
emoji, no-break spaces in "10\u00a0000", "art.\u00a05" and French spacing) is left
alone. The only layout the cleanup imposes (Document.clean_text) is: no whitespace at
the end of a line, blocks separated by exactly one blank line, one final newline;
tests/data/negative.txt holds texts that must come out byte-identical.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from functools import partial
from html.entities import html5

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy-windows-*" codecs)
from ftfy.chardata import CHARMAP_ENCODINGS, CONTROL_CHARS

from pipeline.document import Block, Document, Stage

# Line endings other than "\n": Windows "\r\n", old Mac "\r", the Unicode line and
# paragraph separators (U+2028, U+2029) that some CMS exports use, and the form feed and
# vertical tab: pdftotext starts each page with "\f" (kept, it stood in the clean copy;
# ftfy removes "\v", which glued the words on either side).
NEWLINE_VARIANTS = re.compile("\r\n|[\r\u2028\u2029\f\v]")

# A candidate HTML entity, always with its final ";": decimal (&#233;), hexadecimal
# (&#xE9;) or named (&amp;). Whether it is a real entity is checked on decoding, so
# "AT&T", "a=1&b=2" and "&notanentity;" are left alone.
HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Text escaped twice ("&amp;eacute;") needs a second pass; three passes are plenty.
MAX_ENTITY_PASSES = 3

# Entities of line breaks and tabs (&#10; &NewLine; &Tab;) render as a space in HTML,
# and decode to one here, so that decoding never changes the text's lines.
ENTITY_WHITESPACE = frozenset("\t\n\r\f\v\u2028\u2029")

# ftfy for mojibake and stray control characters only. Everything that would rewrite
# text that was fine is switched off; each field is documented in ftfy.TextFixerConfig.
MOJIBAKE_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # decode_html_entities does it, strictly, before ftfy runs
    fix_latin_ligatures=False,  # "ﬁ" is typography, not an error
    fix_character_width=False,  # fullwidth forms are legitimate in CJK text
    uncurl_quotes=False,  # curly quotes are typography, not an error
    fix_line_breaks=False,  # normalize_newlines does it and records it on its own
    normalization=None,  # no NFC/NFKC: canonically equivalent text is left as it came
)

# ftfy's step names (from its explanation) mapped to our fix kinds. Encode/decode steps
# and every other fixer ftfy may apply with MOJIBAKE_CONFIG count as "mojibake".
FTFY_FIX_KINDS = {
    "remove_terminal_escapes": "terminal_escapes",  # ANSI colour codes pasted from a terminal
    "remove_control_chars": "control_chars",  # C0 controls, BOM (U+FEFF), U+FFFC ...
    "fix_surrogates": "surrogates",  # UTF-16 surrogate pairs decoded as two characters
}

# Characters that make one of ftfy's fixers act even on text without mojibake: the
# control characters it removes (C0 controls, BOM, U+206A-F, U+FFF9-C; ESC starts the
# terminal escapes), C1 controls and lone surrogates.
FTFY_TRIGGERS = re.compile(
    "[" + "".join(rf"\U{cp:08x}" for cp in sorted(CONTROL_CHARS)) + r"\x80-\x9f\ud800-\udfff]"
)

# Otherwise ftfy only changes text that, encoded in one of its single-byte encodings
# (CHARMAP_ENCODINGS), holds a UTF-8 sequence: a character of a lead byte (0xC0-0xFF)
# followed by one of a continuation byte (0x80-0xBF, or U+FFFD, which its "sloppy"
# codecs encode for a lost byte), or by a space where a no-break space was lost (its
# restore_byte_a0: lead bytes C2 C3 C5 CE D0 D9 F0, and E2 E3 before a space and a
# continuation). POSSIBLE_MOJIBAKE is that condition, one character class of lead
# bytes per group of encodings. Grouping the Latin code pages loses no case (a union of
# classes) and keeps the regular expression small; any other encoding is a group alone.
LATIN_ENCODINGS = frozenset(
    """latin-1 sloppy-windows-1252 sloppy-windows-1250 sloppy-windows-1254
    sloppy-windows-1257 iso-8859-2""".split()
)
LEAD_BYTES, CONTINUATION_BYTES = range(0xC0, 0xF5), range(0x80, 0xC0)
LEAD_BYTES_BEFORE_LOST_NBSP = (0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9, 0xF0)
LEAD_BYTES_BEFORE_LOST_NBSP_AND_CONTINUATION = (0xE2, 0xE3)


def _decoded_class(byte_values: Sequence[int], encodings: Sequence[str], extra: str = "") -> str:
    chars = {
        char
        for encoding in encodings
        for char in bytes(byte_values).decode(encoding, errors="replace")
        if char != "\ufffd"
    }
    return "[" + "".join(re.escape(char) for char in sorted(chars | set(extra))) + "]"


def _possible_mojibake_pattern() -> str:
    groups = [[e for e in CHARMAP_ENCODINGS if e in LATIN_ENCODINGS]]
    groups += [[e] for e in CHARMAP_ENCODINGS if e not in LATIN_ENCODINGS]
    any_lead, branches = [], []
    for group in groups:
        leads = _decoded_class(LEAD_BYTES, group)
        continuations = _decoded_class(CONTINUATION_BYTES, group, extra="\ufffd")
        any_lead.append(leads)
        branches.append(f"(?<={leads}){continuations}")
        if group != ["macroman"]:  # ftfy never restores a no-break space in MacRoman
            before_space = _decoded_class(LEAD_BYTES_BEFORE_LOST_NBSP, group)
            before_both = _decoded_class(LEAD_BYTES_BEFORE_LOST_NBSP_AND_CONTINUATION, group)
            branches.append(f"(?<={before_space}) ")
            branches.append(f"(?<={before_both}) {continuations}")
    # one class test per character; the branches only run after a lead character
    return "(?:" + "|".join(any_lead) + ")(?:" + "|".join(branches) + ")"


POSSIBLE_MOJIBAKE = re.compile(_possible_mojibake_pattern())

# Invisible characters that are artefacts in news text (a stray BOM, U+FEFF, is already
# gone: ftfy removes it with the control characters). Zero-width (non-)joiners
# (U+200C/D) are NOT here: Persian, Indic scripts and emoji sequences need them.
INVISIBLE_CHARS: dict[int, None] = {
    0x00AD: None,  # soft hyphen: a hyphenation hint that only matters when rendering
    0x200B: None,  # zero-width space
    0x2060: None,  # word joiner
    0x180E: None,  # Mongolian vowel separator, once a zero-width space, now deprecated
    0x2061: None,  # invisible function application (U+2061-4: math-only operators)
    0x2062: None,  # invisible times
    0x2063: None,  # invisible separator
    0x2064: None,  # invisible plus
}

INVISIBLE_CHAR = re.compile("[" + "".join(map(chr, INVISIBLE_CHARS)) + "]")

# Direction marks and embeddings (LRM, RLM, U+202A-E, U+2066-9) only matter next to
# right-to-left script; in a text without any, they are invisible debris of a copy from
# a bidirectional page and are removed. A text with Hebrew, Arabic, Syriac, Thaana, NKo,
# Samaritan or Mandaic letters (or their presentation forms) keeps them all.
DIRECTION_MARKS = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
RIGHT_TO_LEFT_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")

# A no-break space before a letter is a plain space that a WYSIWYG editor made sticky
# when it follows a letter ("Kim\u00a0Jong"), closing punctuation ("disse,\u00a0e") or
# the period of a word that is not an abbreviation ("fim.\u00a0Depois"). Everywhere
# else it is typography and kept: before ; : ! ? » and after « in French, in
# "10\u00a0000", "5\u00a0km", "art.\u00a05", "Dr.\u00a0Müller", "J.\u00a0K.\u00a0Rowling".
# The group holds the token before the space (bounded, so matching stays linear).
NBSP_BEFORE_LETTER = re.compile(r"(?P<before>\S{0,24})\u00a0(?=[^\W\d_])")
NBSP_AFTER_CLOSING = frozenset(",;:!?)]}”’\"'»")
# One-letter prepositions that Czech, Slovak, Polish and Slovenian typography binds to
# the next word with a no-break space ("v\u00a0Praze", "z\u00a0nichž", "w\u00a0domu"):
# kept (bench/harm.py, Czech articles). The candidates' one-letter words ("a", "e",
# "o", "y", "i", "u") are left out: there a no-break space is an editor's slip.
NBSP_BOUND_LETTERS = frozenset("kKsSvVzZwW")
# In a text that binds one of them so ("v\u00a0Praze"), the same typography binds the
# other one-letter words, which Czech, Slovak and Polish bind too: "a\u00a0místy",
# "i\u00a0ožívá" are kept there (bench/harm.py, Czech articles), not in other text.
NBSP_BOUND_VOWELS = frozenset("aAiIoOuU")
BOUND_PREPOSITION = re.compile(r"(?<![^\W\d_])[kKsSvVzZwW]\u00a0(?=[^\W\d_])")

# Abbreviations after which a no-break space is typography (titles, "number", "article",
# "page", "see", "about"...), casefolded, without their period; single letters
# (initials, "z. B.") count too. de / en / pt / es / fr / it.
NBSP_ABBREVIATIONS = frozenset(
    """dr dra drs prof profa sr sra srta sres mr mrs ms st hr fr nr nº art arts abs bd bde
    pp vgl ca bzw usw etc gen lt adm cap cel sgto mme mlle mm vol ed eds fig figs tab ch
    av dept""".split()
)

# Two or more spaces (plain or no-break) between two visible characters: one. A run
# that held a no-break space keeps one (the no-break space rule then decides), others
# become a space. Leading indentation and tabs are kept. Linear: inside a run the
# look-behind fails at once.
SPACE_RUN = re.compile(r"(?<=\S)[ \u00a0]{2,}(?=\S)")

# Two or more blank lines in a row (three or more newlines): one blank line, which is
# what separates blocks. Runs after trailing whitespace is gone, so blank means empty.
BLANK_LINE_RUN = re.compile(r"\n{3,}")

# Blocks are separated by one or more blank lines.
BLOCK_SEPARATOR = re.compile(r"\n{2,}")

# A line's words and the whitespace between them, for word-level fix snippets.
_TOKENS = re.compile(r"\s+|\S+")

# A changed line is only tokenized around its changes: from this many whitespace/word
# boundaries before the first difference to as many after the last one (the common
# prefix and suffix are found at C speed), so one fix in a 5 MB line costs little.
CONTEXT_BOUNDARIES = 3
# Chunk size for comparing the common prefix and suffix of two versions of a line.
COMPARE_CHUNK = 256

# After a difference, two versions of a line agree again at the nearest word they share
# (or where both end), searched this many tokens ahead in each. Repairs are local
# rewrites of a few tokens, so the diff stays linear in the line's length, where
# difflib's is quadratic on long lines of repeated words.
RESYNC_WINDOW = 16
# The nearest positions, tried one by one before the window is searched.
QUICK_RESYNC = ((0, 1), (1, 0), (0, 2), (1, 1), (2, 0))


def normalize_newlines(text: str) -> str:
    """Turn every line ending into ``"\\n"``.

    >>> normalize_newlines("one\\r\\ntwo\\rthree\\u2028four")
    'one\\ntwo\\nthree\\nfour'
    >>> normalize_newlines("page one.\\n\\fPage two.\\vEnd")
    'page one.\\n\\nPage two.\\nEnd'
    """
    return NEWLINE_VARIANTS.sub("\n", text) if has_newline_variants(text) else text


def has_newline_variants(text: str) -> bool:
    """True when ``text`` has a line ending other than ``"\\n"`` (substring tests only).

    >>> has_newline_variants("a\\r\\nb"), has_newline_variants("a\\nb")
    (True, False)
    """
    return ("\r" in text or "\u2028" in text or "\u2029" in text or "\f" in text
            or "\v" in text)


def _decode_entity(match: re.Match[str]) -> str:
    entity = match.group()
    if entity[1] != "#":
        decoded = html5.get(entity[1:], entity)
    else:
        codepoint = int(entity[3:-1], 16) if entity[2] in "xX" else int(entity[2:-1])
        if codepoint == 0 or 0xD800 <= codepoint <= 0xDFFF or codepoint > 0x10FFFF:
            return entity
        # html.unescape maps &#150; to "–" (the HTML5 rule for windows-1252 code points)
        decoded = html.unescape(entity)
    return " " if decoded in ENTITY_WHITESPACE else decoded


def decode_html_entities(text: str) -> str:
    """Decode real HTML entities (with their ``;``); leave anything else alone.

    >>> decode_html_entities("Tom &amp; Jerry &quot;ao vivo&quot; em S&#227;o Paulo")
    'Tom & Jerry "ao vivo" em São Paulo'
    >>> decode_html_entities("AT&T, ?a=1&copy=2, &notanentity;")
    'AT&T, ?a=1&copy=2, &notanentity;'
    >>> decode_html_entities("uma&#10;linha&NewLine;só")
    'uma linha só'
    >>> decode_html_entities("escaped twice: caf&amp;eacute; &amp;amp; co")
    'escaped twice: café & co'
    """
    if "&" not in text:
        return text
    for _ in range(MAX_ENTITY_PASSES):
        decoded = HTML_ENTITY.sub(_decode_entity, text)
        if decoded == text:
            break
        text = decoded
    return text


def needs_ftfy(text: str) -> bool:
    """False when ftfy (with :data:`MOJIBAKE_CONFIG`) would return ``text`` unchanged.

    A necessary condition for any of ftfy's fixes (:data:`FTFY_TRIGGERS`,
    :data:`POSSIBLE_MOJIBAKE`): text that fails it is not handed to ftfy.

    >>> needs_ftfy("A polÃ­tica"), needs_ftfy("A política, “ação”"), needs_ftfy("plain")
    (True, False, False)
    >>> needs_ftfy("\\ufeffBOM"), needs_ftfy("ESC \\x1b[1mbold"), needs_ftfy("ÄŒeÅ¡tina")
    (True, True, True)
    """
    return bool(FTFY_TRIGGERS.search(text) or POSSIBLE_MOJIBAKE.search(text))


def fix_mojibake(line: str) -> tuple[str, str]:
    """Repair mojibake in one line with ftfy; return the line and the fix kind.

    The kind is ``""`` when nothing changed, otherwise ``"mojibake"`` or one of
    :data:`FTFY_FIX_KINDS` (a line that needed several fixers is recorded under the
    first of them).

    >>> fix_mojibake("A polÃ­tica da CorÃ©ia")
    ('A política da Coréia', 'mojibake')
    >>> fix_mojibake("“Olá”, disse — sem ﬁm")
    ('“Olá”, disse — sem ﬁm', '')
    """
    if not needs_ftfy(line):
        return line, ""
    fixed, steps = ftfy.fix_and_explain(line, MOJIBAKE_CONFIG)
    if fixed == line:
        return line, ""
    kinds = [FTFY_FIX_KINDS.get(name, "mojibake") for _, name in steps or ()]
    return fixed, kinds[0] if kinds else "mojibake"


# Text of a legacy 8-bit code page read as Windows-1252 or Latin-1 (a scraper's default
# for a page that names no charset: Python requests' ISO-8859-1): each Cyrillic, Greek,
# Hebrew or Arabic letter became one of "À-ÿ" ("Ñåâåðíàÿ Êîðåÿ" for "Северная Корея",
# "Ðüïîñ" for Greek). ftfy repairs UTF-8 read so, not this. A line with MISREAD_MIN_LETTERS
# letters or more, MISREAD_SHARE of them such characters (no language writes so:
# Portuguese, Icelandic or Hungarian text has under a fifth), is read again in each of
# these code pages; the reading whose words its languages' word lists hold best is taken,
# if they hold MISREAD_MIN_KNOWN of them (Belarusian, which has no list of its own,
# mostly falls short) and it has nothing but letters, punctuation and spaces.
# Set on the dev half of bench/codepage.py.
MISREAD_PAGES: dict[str, tuple[str, ...]] = {
    "cp1251": ("ru", "uk", "bg", "mk", "sh"),  # Windows Cyrillic (wordfreq's "sh": Serbian)
    "koi8_r": ("ru", "bg"),  # the older Russian one: the same letters, in another order
    "cp1253": ("el",),  # Windows Greek
    "cp1255": ("he",),  # Windows Hebrew
    "cp1256": ("ar", "fa", "ur"),  # Windows Arabic
}
MISREAD_MIN_LETTERS = 8
MISREAD_SHARE = 0.6
MISREAD_MIN_KNOWN = 0.3
# Four such characters in a row: the cheap test a text must pass first. "×" and "÷" are
# letters of these code pages (cp1251: "Ч", "ч"), and so are "¨¸²³ª¯º¿¥´" (Ё ё І і Є Ї
# є ї Ґ ґ) and Greek's accented capitals.
_MISREAD_CHAR = "\u00c0-\u00ff\u00a2\u00a5\u00a8\u00aa\u00af\u00b2-\u00b4\u00b8-\u00bf"
MISREAD_RUN = re.compile(f"[{_MISREAD_CHAR}]{{4}}")
_MISREAD_CHARS = re.compile(f"[{_MISREAD_CHAR}]")
_LETTERS = re.compile(f"[^\\W\\d_]|[{_MISREAD_CHAR}]")
_WORDS = re.compile(r"[^\W\d_]+")


# The symbols the code pages' own text writes ("Приказ № 5", "+25 °C", "100 €", "§ 3"):
# a reading holding one of them may still be the right one. Any other symbol (box
# drawing, "¤", "µ") or a control character rules a reading out.
PAGE_SYMBOLS = frozenset("№°€£$¥§©®™±‰")


def _all_letters(text: str) -> bool:
    """Whether every character of ``text`` outside ASCII is a letter, a mark, a space,
    punctuation, a direction mark or one of PAGE_SYMBOLS (no box drawing, no controls).

    >>> _all_letters("Северная Корея — «тест»"), _all_letters("ما هذا؟"), _all_letters("п я┐я")
    (True, True, False)
    >>> _all_letters("Приказ № 5: +25 °C"), _all_letters("аё аёІаё©аёІа№„аё—аёў")  # inside a word
    (True, False)
    """
    for n, c in enumerate(text):
        if c.isascii():
            continue
        category = unicodedata.category(c)
        if category[0] in "LMZP" or category == "Cf":
            continue
        if c not in PAGE_SYMBOLS or (text[n - 1: n].isalpha() and text[n + 1: n + 2].isalpha()):
            return False
    return True


def _bytes_read(line: str) -> bytes | None:
    """The bytes ``line`` was read from as Latin-1 (C1 controls for 0x80-0x9F), else as
    Windows-1252; None if neither could have given it.

    >>> _bytes_read("Ïðèâåò"), _bytes_read("€"), _bytes_read("→")
    (b'\\xcf\\xf0\\xe8\\xe2\\xe5\\xf2', b'\\x80', None)
    """
    for encoding in ("latin-1", "sloppy-windows-1252"):
        try:
            return line.encode(encoding)
        except UnicodeEncodeError:
            continue
    return None


def _looks_misread(line: str, least: int) -> bool:
    """Whether ``line`` has ``least`` letters or more, MISREAD_SHARE of them characters
    that a code page read as Windows-1252 or Latin-1 makes."""
    letters = len(_LETTERS.findall(line))
    return letters >= least and len(_MISREAD_CHARS.findall(line)) >= MISREAD_SHARE * letters


def _reading(raw: bytes, page: str) -> str | None:
    """``raw`` decoded in code ``page``, if it can be and gives nothing but letters,
    punctuation and the page's symbols (:func:`_all_letters`); else None."""
    try:
        text = raw.decode(page)
    except UnicodeDecodeError:
        return None
    return text if _all_letters(text) else None  # box drawing, controls: not this page


def fix_codepage_misread(line: str) -> tuple[str, str]:
    """``line`` read again in the code page it was written in, if it is text of one of
    MISREAD_PAGES read as Windows-1252 or Latin-1; and that code page ("" if not).

    >>> fix_codepage_misread("Ñåâåðíàÿ Êîðåÿ ïðîâåëà íîâûå èñïûòàíèÿ.")
    ('Северная Корея провела новые испытания.', 'cp1251')
    >>> fix_codepage_misread("Ç êõâÝñíçóç áíáêïßíùóå íÝá ìÝôñá.")
    ('Η κυβέρνηση ανακοίνωσε νέα μέτρα.', 'cp1253')
    >>> fix_codepage_misread("A ÇÃO, o ÓRGÃO e a ÁREA.")
    ('A ÇÃO, o ÓRGÃO e a ÁREA.', '')
    >>> fix_codepage_misread("Ð±ÑŠÐ»Ð³Ð°Ñ€Ñ�ÐºÐ¸ ÐµÐ·Ð¸Ðº")  # UTF-8 read so: ftfy's, not this
    ('Ð±ÑŠÐ»Ð³Ð°Ñ€Ñ�ÐºÐ¸ ÐµÐ·Ð¸Ðº', '')
    """
    if not MISREAD_RUN.search(line) or not _looks_misread(line, MISREAD_MIN_LETTERS):
        return line, ""
    raw = _bytes_read(line)
    if raw is None:
        return line, ""
    from pipeline.wordfreq_store import available_languages, zipf_frequency

    have = available_languages()
    best, best_known = line, 0.0
    page_found = ""
    for page, langs in MISREAD_PAGES.items():
        text = _reading(raw, page)
        if text is None:
            continue
        # each distinct word looked up once: a 5 MB line took 68 s with a lookup a word
        words = Counter(w.lower() for w in _WORDS.findall(text) if len(w) > 1)
        total = sum(words.values())
        if total < 2:
            continue
        known = sum(n for w, n in words.items()
                    if any(zipf_frequency(w, lang) > 0 for lang in langs if lang in have)
                    ) / total
        if known >= MISREAD_MIN_KNOWN and known > best_known:
            best, best_known, page_found = text, known, page
    return best, page_found


def reread_in(line: str, page: str) -> str:
    """``line`` read again in code ``page`` when MISREAD_SHARE of its letters or more
    are characters such a misreading makes and the reading has nothing but letters,
    punctuation and spaces; else ``line``. For the short lines of a document whose long
    ones :func:`fix_codepage_misread` read again in ``page`` (a heading "Íîâîñòè" is
    too short for the word lists to tell; left so, it was detected as French).

    >>> reread_in("Íîâîñòè", "cp1251"), reread_in("Ã. Ïåòðîâ", "cp1251")
    ('Новости', 'Г. Петров')
    >>> reread_in("Café", "cp1251"), reread_in("2024", "cp1251"), reread_in("à", "cp1251")
    ('Café', '2024', 'à')
    """
    if not _looks_misread(line, 2):  # (a letter alone: "à", "É")
        return line
    raw = _bytes_read(line)
    text = _reading(raw, page) if raw is not None else None
    return line if text is None else text


def remove_invisible_chars(text: str) -> str:
    """Drop soft hyphens, zero-width spaces, word joiners, and direction marks in text
    without right-to-left script.

    >>> remove_invisible_chars("coope\\u00adração\\u200b bilateral\\u200e")
    'cooperação bilateral'
    >>> remove_invisible_chars("می\\u200cخواهم\\u200f 👩\\u200d💻")  # kept: joiners, RTL mark
    'می\\u200cخواهم\\u200f 👩\\u200d💻'
    """
    if INVISIBLE_CHAR.search(text):
        text = text.translate(INVISIBLE_CHARS)
    if DIRECTION_MARKS.search(text) and not RIGHT_TO_LEFT_LETTER.search(text):
        text = DIRECTION_MARKS.sub("", text)
    return text


def nbsp_is_typography(before: str, bound: Collection[str] = NBSP_BOUND_LETTERS) -> bool:
    """Whether a no-break space after the token ``before`` (and before a letter) is kept;
    ``bound``: the one-letter words it binds to the next word.

    >>> [nbsp_is_typography(t) for t in ("Kim", "disse,", "fim.", "ano).", "'")]
    [False, False, False, False, False]
    >>> [nbsp_is_typography(t) for t in ("10", "«", "Dr.", "J.", "—", "", "v", "a")]
    [True, True, True, True, True, True, True, False]
    """
    if not before:
        return True
    if before in bound:
        return True
    last = before[-1]
    if last.isalpha() or last in NBSP_AFTER_CLOSING:
        return False
    if last == "." and len(before) > 1:
        word = before[:-1].rpartition(".")[2]
        return word.isalpha() and (len(word) == 1 or word.casefold() in NBSP_ABBREVIATIONS)
    return True


def _nbsp_replacement(match: re.Match[str], bound: Collection[str]) -> str:
    before = match["before"]
    return before + ("\u00a0" if nbsp_is_typography(before, bound) else " ")


def replace_stray_nbsp(text: str) -> str:
    """Turn a no-break space before a letter into a space where it is no typography.

    >>> replace_stray_nbsp("Kim\\u00a0Jong Un disse,\\u00a0ontem.\\u00a0Depois")
    'Kim Jong Un disse, ontem. Depois'
    >>> replace_stray_nbsp("10\\u00a0000 soldats\\u00a0: «\\u00a0oui\\u00a0», Dr.\\u00a0Kim")
    '10\\xa0000 soldats\\xa0: «\\xa0oui\\xa0», Dr.\\xa0Kim'
    >>> replace_stray_nbsp("a\\u00a0casa"), replace_stray_nbsp("Žije a\\u00a0místy v\\u00a0Praze")
    ('a casa', 'Žije a\\xa0místy v\\xa0Praze')
    """
    if "\u00a0" not in text:
        return text
    bound = NBSP_BOUND_LETTERS
    if BOUND_PREPOSITION.search(text):
        bound = NBSP_BOUND_LETTERS | NBSP_BOUND_VOWELS
    return NBSP_BEFORE_LETTER.sub(partial(_nbsp_replacement, bound=bound), text)


def strip_trailing_whitespace(text: str) -> str:
    """Remove whitespace at the end of every line.

    >>> strip_trailing_whitespace("fim.  \\t\\nnova linha\\u00a0")
    'fim.\\nnova linha'
    """
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _space_run_replacement(match: re.Match[str]) -> str:
    return "\u00a0" if "\u00a0" in match.group() else " "


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces inside a line into one; keep leading indentation.

    A run holding a no-break space becomes one no-break space.

    >>> collapse_spaces("uma  palavra   e outra")
    'uma palavra e outra'
    >>> collapse_spaces("    indented"), collapse_spaces("a\\u00a0 b")
    ('    indented', 'a\\xa0b')
    """
    if "  " not in text and "\u00a0" not in text:
        return text
    return SPACE_RUN.sub(_space_run_replacement, text)


def collapse_blank_lines(text: str) -> str:
    """Leave at most one blank line between two lines.

    >>> collapse_blank_lines("a\\n\\n\\n\\nb\\n\\nc")
    'a\\n\\nb\\n\\nc'
    """
    return BLANK_LINE_RUN.sub("\n\n", text) if "\n\n\n" in text else text


def split_blocks(text: str) -> list[str]:
    """Split text into blocks on blank lines; lines inside a block keep their newline.

    >>> split_blocks("\\nTítulo\\n\\nlinha um\\nlinha dois\\n")
    ['Título', 'linha um\\nlinha dois']
    """
    return [chunk.strip("\n") for chunk in BLOCK_SEPARATOR.split(text) if chunk.strip()]


def _resync(old: list[str], new: list[str], i: int, j: int) -> tuple[int, int]:
    """The nearest positions after a difference at ``i``/``j`` where the lines agree.

    They agree at the same word (not whitespace) or where both end, at most
    :data:`RESYNC_WINDOW` tokens ahead in each; nearest means fewest tokens skipped in
    all, then fewest in ``old``. One pass over each window, with the nearest position of
    every word ahead in ``new``.
    """
    for skip_old, skip_new in QUICK_RESYNC:  # the usual repair: a token or two
        a, b = i + skip_old, j + skip_new
        if a < len(old) and b < len(new):
            if old[a] == new[b] and not old[a].isspace():
                return a, b
        elif a == len(old) and b == len(new):
            return a, b
    nearest: dict[str, int] = {}
    for skip_new in range(min(RESYNC_WINDOW, len(new) - j - 1) + 1):
        word = new[j + skip_new]
        if not word.isspace():
            nearest.setdefault(word, skip_new)
    best: tuple[int, int, int] | None = None
    for skip_old in range(RESYNC_WINDOW + 1):
        if best and skip_old >= best[0]:
            break  # skipping more of old cannot be nearer
        at = i + skip_old
        if at < len(old):
            skip_new = nearest.get(old[at])
        elif at == len(old) and len(new) - j <= RESYNC_WINDOW:
            skip_new = len(new) - j
        else:
            break
        if skip_new is not None and 0 < skip_old + skip_new < (best or (2**31,))[0]:
            best = (skip_old + skip_new, skip_old, skip_new)
    return (i + best[1], j + best[2]) if best else (len(old), len(new))


def _common_prefix(first: str, second: str) -> int:
    """The length of the common prefix, compared a chunk at a time."""
    size, done = min(len(first), len(second)), 0
    while done + COMPARE_CHUNK <= size and (
        first[done : done + COMPARE_CHUNK] == second[done : done + COMPARE_CHUNK]
    ):
        done += COMPARE_CHUNK
    while done < size and first[done] == second[done]:
        done += 1
    return done


def _boundary(text: str, at: int, step: int) -> int:
    """From ``at``, CONTEXT_BOUNDARIES whitespace/word boundaries back (step -1) or on."""
    for _ in range(CONTEXT_BOUNDARIES):
        if step < 0 and at > 0:
            space = text[at - 1].isspace()
            while at > 0 and text[at - 1].isspace() == space:
                at -= 1
        elif step > 0 and at < len(text):
            space = text[at].isspace()
            while at < len(text) and text[at].isspace() == space:
                at += 1
    return at


def changed_region(before: str, after: str) -> tuple[int, int, int]:
    """Where two versions of a line differ: ``start`` (the same in both) and the end in
    each, widened to whole tokens and a few more around them.

    >>> changed_region("um dois três quatro cinco seis", "um dois 3 quatro cinco seis")
    (2, 20, 17)
    """
    prefix = _common_prefix(before, after)
    suffix = _common_prefix(before[::-1], after[::-1])
    suffix = min(suffix, len(before) - prefix, len(after) - prefix)
    start = _boundary(before, prefix, -1)
    end = _boundary(before, len(before) - suffix, 1)
    return start, end, len(after) - (len(before) - end)


def changed_words(before: str, after: str) -> list[tuple[str, str]]:
    """The smallest word-level snippets that differ between two versions of a line.

    A change that only touches whitespace is shown with the words around it.

    >>> changed_words("a polÃ­tica e a Ã¡rea", "a política e a área")
    [('polÃ­tica', 'política'), ('Ã¡rea', 'área')]
    >>> changed_words("a agência norte -coreana KCNA", "a agência norte-coreana KCNA")
    [('norte -coreana', 'norte-coreana')]
    >>> changed_words("uma  palavra", "uma palavra")
    [('uma  palavra', 'uma palavra')]
    >>> changed_words("fim.  ", "fim.")
    [('fim.  ', 'fim.')]
    """
    start, end_before, end_after = changed_region(before, after)
    old = _TOKENS.findall(before, start, end_before)
    new = _TOKENS.findall(after, start, end_after)
    snippets = []
    i = j = 0
    while i < len(old) or j < len(new):
        if i < len(old) and j < len(new) and old[i] == new[j]:
            i, j = i + 1, j + 1
            continue
        end_old, end_new = _resync(old, new, i, j)
        while end_old > i and end_new > j and old[end_old - 1] == new[end_new - 1]:
            end_old, end_new = end_old - 1, end_new - 1
        start_old, start_new = i, j
        if not "".join(old[i:end_old] + new[j:end_new]).strip():
            # the tokens on either side are equal in both versions: widen by one
            start_old, start_new = max(i - 1, 0), max(j - 1, 0)
            end_old, end_new = min(end_old + 1, len(old)), min(end_new + 1, len(new))
        snippets.append(("".join(old[start_old:end_old]), "".join(new[start_new:end_new])))
        i, j = end_old, end_new
    return snippets


def record_line_changes(doc: Document, stage: str, kind: str, before: str, after: str) -> None:
    """Record, word by word, what a line-preserving repair changed in ``before``."""
    for old_line, new_line in zip(before.split("\n"), after.split("\n"), strict=True):
        if old_line != new_line:
            for old, new in changed_words(old_line, new_line):
                doc.fix(stage, kind, old, new)


# The line-preserving repairs after mojibake, in the order they run: (fix kind, repair).
LINE_REPAIRS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("invisible_chars", remove_invisible_chars),
    ("trailing_whitespace", strip_trailing_whitespace),
    ("spaces", collapse_spaces),
    ("nbsp", replace_stray_nbsp),
)


class Normalize(Stage):
    """Character-level repairs of ``doc.text``, then ``doc.blocks`` as paragraphs.

    Fix kinds: ``newlines`` and ``blank_lines`` (recorded once per distinct sequence
    replaced), ``html_entity``, ``mojibake`` (or an ftfy kind from
    :data:`FTFY_FIX_KINDS`), ``codepage`` (:func:`fix_codepage_misread`),
    ``invisible_chars``, ``nbsp``, ``trailing_whitespace``, ``spaces``.
    """

    name = "normalize"

    def process(self, doc: Document) -> Document:
        text = doc.text
        if has_newline_variants(text):
            for sequence in sorted(set(NEWLINE_VARIANTS.findall(text))):
                doc.fix(self.name, "newlines", sequence, "\n")
            text = normalize_newlines(text)
        text = self._repair_lines(doc, "html_entity", decode_html_entities, text)
        text = self._fix_mojibake(doc, text)
        text = self._fix_codepage_misread(doc, text)  # what ftfy left
        for kind, repair in LINE_REPAIRS:
            text = self._repair_lines(doc, kind, repair, text)
        if doc.markdown is not None:  # a Markdown file: one block per text slot, as laid out
            from pipeline.readers.markdown import slot_blocks

            doc.text = text
            doc.blocks = slot_blocks(doc, text)
            return doc
        if "\n\n\n" in text:
            for run in sorted(set(BLANK_LINE_RUN.findall(text))):
                doc.fix(self.name, "blank_lines", run, "\n\n")
        doc.text = collapse_blank_lines(text)
        doc.blocks = [Block(kind="paragraph", text=chunk) for chunk in split_blocks(doc.text)]
        return doc

    def _repair_lines(
        self, doc: Document, kind: str, repair: Callable[[str], str], text: str
    ) -> str:
        repaired = repair(text)
        if repaired != text:
            record_line_changes(doc, self.name, kind, text, repaired)
        return repaired

    def _fix_codepage_misread(self, doc: Document, text: str) -> str:
        if not MISREAD_RUN.search(text):  # one test for all lines
            return text
        lines = text.split("\n")
        found = [fix_codepage_misread(line) for line in lines]
        pages = {page for _, page in found if page}
        for number, (line, (fixed, page)) in enumerate(zip(lines, found, strict=True)):
            if not page and len(pages) == 1:  # the document's code page: its short lines
                fixed = reread_in(line, next(iter(pages)))
            if fixed != line:
                for old, new in changed_words(line, fixed):
                    doc.fix(self.name, "codepage", old, new)
                lines[number] = fixed
        return "\n".join(lines)

    def _fix_mojibake(self, doc: Document, text: str) -> str:
        if not needs_ftfy(text):  # no pattern spans a line break: one test for all lines
            return text
        lines = text.split("\n")
        for number, line in enumerate(lines):
            fixed, kind = fix_mojibake(line)
            if kind:
                for old, new in changed_words(line, fixed):
                    doc.fix(self.name, kind, old, new)
                lines[number] = fixed
        return "\n".join(lines)
