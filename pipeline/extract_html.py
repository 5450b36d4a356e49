"""An HTML page's main text as blocks (headline, then paragraphs) and its metadata.

The bytes are decoded first (:func:`decode_page`: byte-order mark, then strict UTF-8,
then the page's declared charset, then a guess), then trafilatura finds the article: it
drops navigation, footers, scripts, cookie banners and comments, and keeps headings,
paragraphs, lists, quotes and tables in reading order. Each of those becomes one block,
which the later stages treat as they treat a text file's paragraphs. Metadata comes from
the page's own markup: ``<title>``/Open Graph/JSON-LD for title, date, author and site
name, ``<link rel=canonical>`` for the URL (else the address a browser saved the page
from: :func:`saved_from`), ``<html lang>`` for the language.

The extractor's output then gets a page-level tidy that only a page allows: the
article's ``<h1>`` (or the title less the site's name) is the headline, kept apart as
the first block; blocks that are all link text (menus, other articles' titles), a byline
naming the author, "Related: ..." lines, unrendered shortcodes and the calls to action
that close a page ("Subscribe to our newsletter", "Follow us on ...") are dropped. The
later stages then clean the blocks as they clean any text.

Nothing is fetched: trafilatura only ever sees the bytes given, and the date search is
bounded by a fixed latest date (:data:`LATEST_DATE`) rather than today's, so that the
same page gives the same metadata on any day.
"""

from __future__ import annotations

import codecs
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import unescape

# Where a page may declare its charset: the HTML standard's pre-scan reads the first
# 1024 bytes; real pages put the <meta> a little later too.
CHARSET_SCAN_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
# Labels the HTML standard decodes as another encoding: latin-1 and ASCII pages are
# decoded as windows-1252 (which browsers do, and which maps 0x80-0x9F to €, “, ”...).
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252",
    "x-sjis": "shift_jis", "gb2312": "gbk", "x-gbk": "gbk", "iso-8859-9": "cp1254",
    "tis-620": "cp874", "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
    "windows-31j": "cp932", "x-euc-jp": "euc_jp", "cn-big5": "big5", "x-x-big5": "big5",
    "csgb2312": "gbk", "gb_2312": "gbk",
}
# What a browser reads a label as where Python's codec of that name is narrower: pages
# labelled Shift_JIS are written with Windows' code page 932 (its circled numbers, "㈱",
# NEC and IBM kanji, which strict Shift_JIS refuses), Big5 with Hong Kong's characters,
# GBK with GB18030's. Tried only where the label's own codec fails, so that a page it
# reads keeps its characters (Shift_JIS's wave dash "〜", not cp932's fullwidth tilde).
CHARSET_SUPERSETS = {"shift_jis": "cp932", "big5": "big5hkscs", "gbk": "gb18030",
                     "gb2312": "gb18030"}

# A page that declares no charset but its language (``<html lang="he">``) is tried in
# that language's legacy code pages before the guess from the bytes alone, which has
# little to go on in a short page (a Hebrew page read as Ukrainian DOS, cp1125; a
# Japanese one as windows-1252): where a browser's detector reads such a page right.
# Only the languages whose code pages tell themselves apart by script (Cyrillic's
# windows-1251 and KOI8-R both read as Cyrillic: the guess reads their words) and only
# a decoding without an error whose letters outside ASCII are, SCRIPT_SHARE of them at
# least, the language's script (SCRIPTS: a language template's lang="ar" on a French
# page read as windows-1256 shows Latin letters, and is left to the guess).
LANG_CODE_PAGES = {
    "he": ("cp1255",), "iw": ("cp1255",), "yi": ("cp1255",),
    "ar": ("cp1256",), "fa": ("cp1256",), "ur": ("cp1256",),
    "el": ("cp1253",), "th": ("cp874",), "ko": ("cp949",),
    "ja": ("cp932", "euc_jp"),  # Windows', then Unix's: one fails the other's script
}
SCRIPTS = {
    "cp1255": "\u0590-\u05ff\ufb1d-\ufb4f",
    "cp1256": "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff",
    "cp1253": "\u0370-\u03ff\u1f00-\u1fff",
    "cp874": "\u0e00-\u0e7f",
    "cp949": "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\u4e00-\u9fff\uf900-\ufaff",
    # kana, kanji, the iteration mark, fullwidth digits and letters (not halfwidth
    # katakana, which EUC-JP's bytes read as in code page 932)
    "cp932": "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff10-\uff5a",
}
SCRIPTS["euc_jp"] = SCRIPTS["cp932"]
SCRIPT_SHARE = 0.9
_HTML_LANG = re.compile(rb"""<html\b[^>]{0,2000}?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""",
                        re.IGNORECASE)

# The latest publication date the date search accepts. trafilatura's default is
# today's date, which makes a page's metadata depend on the day it is read.
LATEST_DATE = "2099-12-31"

# The metadata keys a Page may hold, from trafilatura's metadata names.
METADATA_KEYS = {"title": "title", "date": "date", "author": "author",
                 "sitename": "sitename", "url": "url"}

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
# The same but a no-break space alone inside a run of text (NBSP_INSIDE: carried through
# the extraction, it is kept for the normalize stage to decide on).
_NBSP_KEPT = re.compile(r"(?!(?<=\S)\u00a0(?=\S))[ \t\r\f\v\u00a0]+")
_TAG = re.compile(
    r"</?(?:a|abbr|article|aside|b|blockquote|body|br|button|div|em|footer|form|h[1-6]|head"
    r"|header|hr|html|i|iframe|img|input|li|link|main|meta|nav|noscript|ol|option|p|pre"
    r"|script|section|select|span|strong|style|sub|sup|table|tbody|td|th|thead|title|tr"
    r"|u|ul)(?:\s[^<>]{0,2000})?/?>",
    re.IGNORECASE,
)
# An element opened and closed in a text: "<b>x</b>", '<span class="a">x</span>'.
_CLOSED_ELEMENT = re.compile(r"<([a-z][a-z0-9]{0,9})(?:\s[^<>]{0,500})?>[^<>]{0,2000}</\1\s*>",
                             re.IGNORECASE)
_DOCUMENT_START = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
                             re.IGNORECASE | re.DOTALL)
# Elements that only a page holds; one opened and closed later makes a text a page.
_PAGE_ELEMENT_OPEN = re.compile(r"<(script|style|html|body|head)\b[^<>]{0,2000}>", re.IGNORECASE)
_PAGE_ELEMENT_CLOSE = re.compile(r"</(script|style|html|body|head)\s*>", re.IGNORECASE)
# A text with no document start and no whole script/style/body element is a page when
# it holds this many tags of HTML elements, this many of them closing tags.
MIN_TAGS = 6
# How much of a text is looked at: a page shows what it is in its first characters,
# and the cost stays bounded whatever the file's size.
HTML_SCAN_CHARS = 65536
MIN_CLOSING_TAGS = 3

# An XML declaration before an XHTML page ('<?xml version="1.0" encoding="utf-8"?>').
# The page is text by then, so the encoding it names has no use left; and lxml takes a
# page that does not start with <html> or a doctype for a fragment, keeps only the body's
# one child, and the extractor then finds no article in it.
_XML_DECLARATION = re.compile(r"\A(\ufeff?\s*)<\?xml\s[^<>]{0,500}\?>")

# libxml2's HTML parser stops reading a page at 256 nested elements (a resource-limit
# error in its log), and drops everything after that point; with its "huge" option
# (lxml's huge_tree) it reads DEEP_PARSER_MAX_DEPTH deep. A page cut even there has
# lost text: it is refused.
DEEP_PARSER_MAX_DEPTH = 2048


HEADING_KINDS = ("h1", "h2", "h3", "h4", "h5", "h6")

# What separates a headline from the site's name in a <title>: "Headline | Site".
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » ")
# What the extractor takes for one when it reads a title from the <title> element alone
# (trafilatura.metadata.HTMLTITLE_REGEX's characters; one group: split() gives them).
_TITLE_SEPARATOR = re.compile(r"\s+([–•·—|⁄*⋆~‹«<›»>:-])\s+")

# A byline or dateline line before the article ("5:45 AM PST 11/19/2019 by Jane Doe",
# "Staff Reports") is at most this long, among the first blocks after the headline.
BYLINE_MAX_WORDS = 12
BYLINE_SEARCH_BLOCKS = 3
# An <h1> that is the page's title among this many first blocks of the article is its
# headline, after lines that are no heading (a print header's address, a kicker, a date).
HEADLINE_SEARCH_BLOCKS = 3

# Pointers to other articles, on a line of their own anywhere in the body: the line
# starts with one of these (casefolded) and is short. Per language.
POINTER_PREFIXES = (
    "related:", "also:", "read more:", "read also:", "see also:", "more:", "recommended:",
    "leia também:", "leia mais:", "veja também:",  # pt
    "lesen sie auch:", "mehr zum thema:", "auch interessant:",  # de
    "lea también:", "te puede interesar:",  # es
    "lire aussi :", "lire aussi:", "à lire aussi :", "voir aussi :",  # fr
    "leggi anche:", "potrebbe interessarti:",  # it
    "continue reading:", "next page:",  # a paginated article's link to its next page
    "página seguinte:", "próxima página:", "nächste seite:", "página siguiente:",
    "page suivante :", "page suivante:", "pagina successiva:",
)
POINTER_MAX_WORDS = 25
# A paginated article's counter or list of pages, on a line of its own: "Page 2 of 3",
# "Pages: 1 2 3", per language. (Its numbers are read one way only: a run of digits that
# could be cut anywhere took minutes to fail on "Pages 1111...x".)
PAGE_COUNTER = re.compile(
    r"(?:page|página|seite|pagina)\s+\d+\s+(?:of|de|von|sur|di|van)\s+\d+"
    r"|(?:pages|páginas|seiten|pagine|pagina's)\s*(?::\s*)?\d+(?:\s+\d+)*",
    re.IGNORECASE,
)

# The <meta> names (or properties) of a page's author (trafilatura's, the usual ones).
AUTHOR_META_NAMES = frozenset({
    "author", "article:author", "byl", "creator", "dc.creator", "dc:creator",
    "dcterms.creator", "citation_author", "parsely-author", "sailthru.author",
})
# A name in one word: letters, with an inner apostrophe, hyphen or dot ("O'Neil").
_ONE_WORD_NAME = re.compile(r"[^\W\d_]+(?:[.'’-][^\W\d_]+)*\.?")
# A one-word author in capitals is an agency's initials up to this long: AFP, EFE, ANSA.
MAX_AGENCY_LETTERS = 4
# One-word authors that name no one: a role, a site's desk, a placeholder (casefolded).
NO_AUTHOR_WORDS = frozenset({
    "admin", "administrator", "administrador", "webmaster", "editor", "editors", "staff",
    "anonymous", "guest", "unknown", "user", "none", "null", "undefined", "author",
    "redação", "redacção", "redaktion", "redacción", "rédaction", "redazione", "redactie",
    "editorial", "newsroom", "desk",
})

# Calls to action that close a page's article: newsletters, social accounts, tips,
# affiliate notices, comment rules. Each pattern addresses the reader; a block is one
# when it is short and matches one, and only a run of them at the very end of the
# article is removed (an article that mentions subscribers keeps its last paragraph).
CALL_TO_ACTION = re.compile(
    "|".join((
        r"\bsubscribe\b", r"\bnewsletters?\b", r"\bsign up\b", r"\bclick here\b",
        r"\bfollow (?:us|me|him|her|them|[@\w.]+(?: \w+)?) on\b", r"\bhave a (?:news )?tip\b",
        r"\b(?:may|can) be reached at\b", r"\bsend us\b", r"\btell us what you think\b",
        r"\bdelivered (?:to|through|into|in) your\b", r"\bin your inbox\b",
        r"\bif you (?:buy|purchase) something\b", r"\baffiliate links?\b",
        r"\bfor as little as\b", r"\blisten back\b", r"\bget access to\b",
        r"\bassine\b", r"\binscreva-se\b", r"\bsiga-nos\b",  # pt
        r"\bcoment[áa]rios?\b.{0,120}\bmodera", r"\bcomentarios?\b.{0,120}\bmodera",  # pt, es
        r"\babonnieren\b", r"\bfolgen sie uns\b",  # de
        r"\bsuscr[íi]bete\b", r"\bs[íi]guenos\b",  # es
        r"\babonnez-vous\b", r"\bsuivez-nous\b",  # fr
        r"\biscriviti\b", r"\bseguici\b",  # it
    )),
    re.IGNORECASE,
)
CALL_TO_ACTION_MAX_WORDS = 60
CALL_TO_ACTION_TAIL_BLOCKS = 6
# The copyright notice that closes a page without a <footer> (a print version's): a
# short block that starts as one or reserves the rights, per language. Removed in the
# closing run as a call to action is.
COPYRIGHT_NOTICE = re.compile(
    "|".join((
        r"\A(?:©|\(c\)|copyright\b)",
        r"\ball rights reserved\b", r"\btodos os direitos reservados\b",  # en, pt
        r"\balle rechte vorbehalten\b", r"\btodos los derechos reservados\b",  # de, es
        r"\btous droits réservés\b", r"\btutti i diritti riservati\b",  # fr, it
        r"\balle rechten voorbehouden\b",  # nl
    )),
    re.IGNORECASE,
)
COPYRIGHT_NOTICE_MAX_WORDS = 25

# A block that is all link text is a menu when it has several lines, another
# article's title when it is one line of this many words or more.
LINKED_TITLE_MIN_WORDS = 5

# WordPress shortcodes left unrendered in a page: "[button link=...]", "[/button]".
_SHORTCODE = re.compile(
    r"\[[a-z][\w-]{0,30}\s[^\[\]]{0,500}=[^\[\]]{0,500}\]"
    r"|\[/[a-z][\w-]{0,30}\]"
)
# A page whose <meta http-equiv="refresh"> sends the browser to another address within
# this many seconds is a redirect: no reader sees its text ("Redirecting to ..."). A
# page that reloads itself every few minutes (a live blog) waits longer.
REDIRECT_MAX_DELAY_S = 5
# The refresh's content: "0; URL=page.html", "0;url='page.html'", "3, page.html"
_REFRESH = re.compile(r"""\A\s*(\d+)(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(['"]?)(.*?)\2\s*\Z""",
                      re.IGNORECASE | re.DOTALL)

# A rule drawn with underscores or dashes before a closing note: "_____ Eric is ...".
_RULE = re.compile(r"\A[_=\-–—*]{5,}\s*")

# Inline code in a sentence: <code>, and the elements pages write it with besides,
# keyboard input, sample output and teletype text, which become <code> before extraction
# (the extractor keeps a <code> in its sentence, and drops the others' markup). <var> (a
# variable's name, or a placeholder such as "nome-do-ficheiro", which a translation
# translates) stays prose. Inside a <pre> or a <code> they are that code's.
INLINE_CODE_TAGS = ("kbd", "samp", "tt")
# Printable characters put around each inline code's text in a copy of a block's
# element, so that where its text lands in the block can be read off (the extractor
# drops characters that are not printable); a block that already holds one gets none.
CODE_MARKS = ("\u2e28", "\u2e29")  # ⸨ ⸩

# Characters the extractor drops (it keeps only what str.isprintable() or str.isspace()
# takes: no format or private-use character) that a text file keeps through the cleanup
# stages: zero-width non-joiner and joiner (Persian, Indic spelling, emoji sequences),
# direction marks and embeddings (normalize keeps them beside right-to-left script), the
# Arabic letter mark, the signs that span numbers (Arabic U+0600-0605, Syriac, Kaithi,
# Egyptian hieroglyph controls, shorthand format controls, musical format characters,
# emoji tag sequences: a flag's) and private-use characters (Thai fonts' tone-mark
# glyphs U+F700-F71A, symbol fonts' Yoruba letters U+F000-F0FF; not plane 16, the
# inline code's stand-ins). So are the soft hyphen, the zero-width space, the word
# joiner and the byte-order mark, which normalize removes as it does in a text file,
# recording it (dropped here, they left no fix: bench/harm.py, 22 of 3,365 dev pages),
# and C1 control characters: a page's Windows-1252 quotes, dashes and ligatures read as
# them (U+0092 for ’, U+0096 for –, U+009C for œ), which normalize repairs (dropped,
# French pages lost their apostrophes, "l\x92eau" -> "leau"). Each is carried through
# the extraction as a printable stand-in (:func:`carry_invisible`) and put back after;
# so is "&" on a page whose text shows an entity as written, which the extractor would
# decode (:func:`stand_ins`).
CARRIED = re.compile(
    "[\x80-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u200b-\u200f"
    "\u202a-\u202e\u2060\u2066-\u2069\ufeff\ue000-\uf8ff\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\U000f0000-\U000ffffd]"
)
# A no-break space inside a run of text ("14\u00a0000", Czech "v\u00a0Praze"): carried
# as CARRIED's characters are, so that the normalize stage decides on it as in a text
# file (the extractor makes every one a space: bench/harm.py, 29 of 3,365 dev pages);
# one beside a space or alone (a page's "&nbsp;" for layout) is left to the extractor.
NBSP_INSIDE = re.compile(r"(?<=\S)\u00a0(?=\S)")
# A run of private-use characters with no letter on either side: an icon font's glyph
# written into the text ("Partilhe \uf099"), not a legacy font's letter or tone mark,
# which stand inside words (Thai "ผู\uf70aใหญ", Yoruba symbol fonts). Not carried: the
# extractor drops it, as it always did. (One group: split() gives the runs too.)
LONE_PRIVATE_USE = re.compile(
    "(?<![^\\W\\d_]|[\ue000-\uf8ff\U000f0000-\U000ffffd])"
    "([\ue000-\uf8ff\U000f0000-\U000ffffd]+)"
    "(?![^\\W\\d_]|[\ue000-\uf8ff\U000f0000-\U000ffffd])"
)
# Where the page's metadata is, besides its texts (<title>, <h1>): the content of its
# <meta> elements (og:title, author) and its JSON-LD scripts (trafilatura's XPath), which
# carry the characters of CARRIED as its texts do (never "&": metadata is not shown, and
# trafilatura decodes its entities).
_JSON_LD = './/script[@type="application/ld+json" or @type="application/settings+json"]'
# A JSON escape: a surrogate pair (\udb40\udc01), one character's (\u200c), any other.
_JSON_ESCAPE = re.compile(r"\\(?:u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|u([0-9a-f]{4})|.)",
                          re.IGNORECASE | re.DOTALL)
# Where the stand-ins come from: CJK Unified Ideographs Extension B, letters (so that a
# word holding a joiner stays one word for the extractor), 42,720 of them; each page
# gets ones that are nowhere in its text.
STAND_IN_START = 0x20000
STAND_IN_END = 0x2A6DF


@dataclass
class Page:
    """What :func:`extract` found in a page."""

    blocks: list[str]  # headline first, then paragraphs, in reading order
    metadata: dict[str, str] = field(default_factory=dict)  # only the keys found
    encoding: str = ""  # how the bytes were decoded ("utf-8", "cp1252", ...)
    headline: str = ""  # the headline, which is then blocks[0]; "" when the page has none
    # The code blocks (<pre>), kept out of ``blocks``: each as (how many of ``blocks``
    # come before it, its text as the page shows it: :func:`preformatted_text`).
    code: list[tuple[int, str]] = field(default_factory=list)
    # Inline code the extractor took out of its sentence (a caption's, a note's), which
    # matches no <pre>: left out of the copy.
    lifted: list[str] = field(default_factory=list)
    # Where each block's inline code is (``<code>``, ``<kbd>``, ``<samp>``, ``<tt>`` in
    # its sentence): (start, end) offsets of ``blocks[n]``, one list per block (empty
    # where it has none, or where its text was changed after the extractor gave it).
    inline: list[list[tuple[int, int]]] = field(default_factory=list)


class NoText(ValueError):
    """The page holds no article text; ``str(exc)`` says why, for the quarantine."""


def has_page_element(text: str) -> bool:
    """True when ``text`` opens a script, style, html, head or body element and closes it
    later (one pass each way, so that many unclosed mentions cost no more than a few).

    >>> has_page_element("a <script src=x.js></script>"), has_page_element("</style> <style>")
    (True, False)
    """
    first_open: dict[str, int] = {}
    for match in _PAGE_ELEMENT_OPEN.finditer(text):
        first_open.setdefault(match.group(1).lower(), match.start())
    last_close = {m.group(1).lower(): m.start() for m in _PAGE_ELEMENT_CLOSE.finditer(text)}
    return any(name in last_close and start < last_close[name]
               for name, start in first_open.items())


def looks_like_html(text: str) -> bool:
    """True when ``text`` is an HTML page (or fragment) rather than text about HTML.

    A page starts with ``<!DOCTYPE html>`` or ``<html>``, holds a whole ``<script>``,
    ``<style>``, ``<head>`` or ``<body>`` element, or is dense with tags
    (:data:`MIN_TAGS`, :data:`MIN_CLOSING_TAGS`), within its first
    :data:`HTML_SCAN_CHARS` characters. A text that mentions a tag or two is not a page.

    >>> looks_like_html("<!DOCTYPE html><p>Hi</p>")
    True
    >>> looks_like_html("Notes\\n<script>track();</script>\\nThe port reopened.")
    True
    >>> looks_like_html("<div><p>One</p><p>Two</p><p>Three</p><br><br><br></div>")
    True
    >>> looks_like_html("Use <b> for bold and <i> for italics.")
    False
    >>> looks_like_html("The <html> element is the root; a <script> tag runs code.")
    False
    """
    head = text[:CHARSET_SCAN_BYTES]
    sample = text[:HTML_SCAN_CHARS]
    if _DOCUMENT_START.match(head) or has_page_element(sample):
        return True
    tags = _TAG.findall(sample)
    closing = sum(1 for tag in tags if tag.startswith("</"))
    return len(tags) >= MIN_TAGS and closing >= MIN_CLOSING_TAGS


def declared_charset(data: bytes) -> str | None:
    """The Python codec a page's ``<meta charset>`` declares, if it names a known one.

    >>> declared_charset(b'<meta charset="ISO-8859-1">')
    'cp1252'
    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">')
    'utf-8'
    >>> declared_charset(b"<meta charset=klingon>") is None, declared_charset(b"<p>") is None
    (True, True)
    """
    match = _META_CHARSET.search(data[:CHARSET_SCAN_BYTES])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    label = CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # An ASCII-compatible page cannot be UTF-16: the standard reads that label as UTF-8.
    return "utf-8" if name.startswith("utf-16") else name


def decode_page(data: bytes) -> tuple[str, str]:
    """The page's text and the encoding used.

    A byte-order mark decides; else bytes that are valid UTF-8 are UTF-8 (legacy text
    almost never is, and pages that declare latin-1 while being UTF-8 are common);
    else the declared charset; else the pipeline's legacy-encoding guess
    (:func:`pipeline.stages.read.decode_bytes`); else windows-1252 with replacement
    characters, so that a page is never refused for one bad byte.

    >>> decode_page(codecs.BOM_UTF8 + "Coréia".encode())
    ('Coréia', 'utf-8-sig')
    >>> decode_page(b'<meta charset="iso-8859-1"><p>Cor\\xe9ia</p>')[1]
    'cp1252'
    >>> decode_page(b'<meta charset="iso-8859-1"><p>Cor\\xc3\\xa9ia</p>')
    ('<meta charset="iso-8859-1"><p>Coréia</p>', 'utf-8')
    >>> decode_page(b'<meta charset="koi8-r"><p>\\xf0\\xd2\\xc9\\xd7\\xc5\\xd4</p>')[0][-10:]
    'Привет</p>'
    >>> decode_page(b'<meta charset="shift_jis"><p>\\x87\\x40\\x81\\x60</p>')
    ('<meta charset="shift_jis"><p>①～</p>', 'cp932')
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    if declared and declared != "utf-8":
        for name in (declared, CHARSET_SUPERSETS.get(declared)):
            try:
                return data.decode(name), name
            except (UnicodeDecodeError, TypeError):  # (TypeError: no superset)
                pass
    if not declared:
        found = in_language_code_page(data)
        if found:
            return found
    from pipeline.stages.read import DecodeError, decode_bytes

    try:
        return decode_bytes(data)
    except DecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def in_language_code_page(data: bytes) -> tuple[str, str] | None:
    """The page read in a legacy code page of the language its ``<html lang>`` declares
    (:data:`LANG_CODE_PAGES`), and that code page, where one reads it without an error
    and as that language's script (:data:`SCRIPT_SHARE` of its letters outside ASCII);
    else None.

    >>> in_language_code_page('<html lang="he-IL"><p>שלום</p>'.encode("cp1255"))
    ('<html lang="he-IL"><p>שלום</p>', 'cp1255')
    >>> in_language_code_page('<html lang="ja"><p>株式会社</p>'.encode("euc_jp"))[1]
    'euc_jp'
    >>> in_language_code_page('<html lang="ar"><p>Été</p>'.encode("cp1252")) is None
    True
    """
    import unicodedata

    match = _HTML_LANG.search(data[:CHARSET_SCAN_BYTES])
    if not match:
        return None
    for name in LANG_CODE_PAGES.get(match.group(1).decode("ascii").lower(), ()):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        # the characters outside ASCII that are no punctuation, symbol or space
        letters = [char for char in re.findall(r"[^\x00-\x7f]", text)
                   if unicodedata.category(char)[0] not in "PSZ"]
        ours = len(re.findall(f"[{SCRIPTS[name]}]", "".join(letters)))
        if letters and ours >= SCRIPT_SHARE * len(letters):
            return text, name
    return None


def clean_line(text: str) -> str:
    """One line of extracted text with its runs of spaces made one space, trimmed.

    >>> clean_line("  The\\u00a0port   reopened. ")
    'The port reopened.'
    """
    return _SPACES.sub(" ", text).strip()


def metadata_chars(text: str) -> str:
    """A metadata value with its C1 control characters read as the Windows-1252
    characters a page meant (its quotes, dashes, ligatures: ``og:title`` "Qu\x92importe"
    was kept so in documents.jsonl): the normalize stage repairs the text, never the
    metadata.

    >>> metadata_chars("Qu\x92importe \x96 l\x9cuvre")
    'Qu’importe – lœuvre'
    """
    from ftfy.fixes import fix_c1_controls

    return fix_c1_controls(text)


def without_markup(text: str) -> str:
    """A metadata value (an ``og:title``'s) without the HTML tags a site's software left
    in it as text, where it holds an element opened and closed (``<b>...</b>``); a
    title that names a tag ("Why <br> breaks") keeps it.

    >>> without_markup("Port <b>reopens</b> after <i>storm</i>")
    'Port reopens after storm'
    >>> without_markup("Why <br> tags break pages"), without_markup("Use a <b> tag")
    ('Why <br> tags break pages', 'Use a <b> tag')
    """
    if not _CLOSED_ELEMENT.search(text):
        return text
    return clean_line(_TAG.sub("", text))


def clean_lines(text: str) -> str:
    r"""Each line of ``text`` as :func:`clean_line` leaves it, the empty ones left out.

    >>> clean_lines("  a  b \n\n c\n")
    'a b\nc'
    """
    return "\n".join(line for line in map(clean_line, text.split("\n")) if line)


def same_text(a: str, b: str) -> bool:
    """True when two lines are the same words, whatever their case and spacing.

    >>> same_text("The Port  Reopened", "the port reopened"), same_text("a", "b")
    (True, False)
    """
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def html_lang(tree) -> str:
    """The ``lang`` (or ``xml:lang``) attribute of the page's root element, trimmed."""
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    for name in ("lang", "{http://www.w3.org/XML/1998/namespace}lang", "xml:lang"):
        value = (root.get(name) or "").strip()
        if value:
            return value
    return ""


def without_xml_declaration(text: str) -> str:
    """The page without an XML declaration before its markup.

    >>> without_xml_declaration('<?xml version="1.0" encoding="utf-8"?>\\n<html>')
    '\\n<html>'
    >>> without_xml_declaration("<p>Use <?xml ...?> first.</p>")
    '<p>Use <?xml ...?> first.</p>'
    """
    return _XML_DECLARATION.sub(r"\1", text, count=1)


def _stopped(parser) -> bool:
    """Whether ``parser``'s last parse stopped at its nesting limit (libxml2's
    resource limit), dropping the rest of the page."""
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def parse_page(text: str, where: str = ""):
    """The page's tree, as trafilatura's ``load_html`` parses it (None when it is not
    HTML), read again with lxml's ``huge_tree`` when the parse stopped at 256 nested
    elements (its parser's error log says so: no walk over every page's tree). Raises
    :class:`NoText` when the page nests deeper than even that parser reads
    (:data:`DEEP_PARSER_MAX_DEPTH`)."""
    import lxml.html
    from trafilatura.utils import HTML_PARSER, load_html, repair_faulty_html

    tree = load_html(text)
    if tree is None or not _stopped(HTML_PARSER):
        return tree
    parser = lxml.html.HTMLParser(  # trafilatura.utils.HTML_PARSER's options, and huge_tree
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
        remove_pis=True, huge_tree=True)
    markup = repair_faulty_html(text, text[:50].lower())
    deep = lxml.html.fromstring(markup.encode("utf-8", "surrogatepass"), parser=parser)
    if _stopped(parser):
        raise NoText(f"{where}the page nests its elements more than {DEEP_PARSER_MAX_DEPTH} "
                     "deep, where the HTML parser stops reading: the text after that point "
                     "would be lost")
    return deep


def _visible_chars(tree) -> int:
    """How many characters of text the page shows outside scripts and styles."""
    total = 0
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "noscript",
                                                                "template", "head", "title"):
            continue
        total += len((element.text or "").strip())
        parent = element.getparent()
        if parent is None or parent.tag not in ("script", "style", "noscript", "template"):
            total += len((element.tail or "").strip())
    return total


# A page's data for its scripts to build it in the browser: a JSON script of
# Next.js, Nuxt, Gatsby or any framework (type application/json), a state object.
_APP_DATA = ('//script[@id="__NEXT_DATA__" or @id="__NUXT_DATA__" or @type="application/json"'
             ' or contains(., "__INITIAL_STATE__") or contains(., "__NUXT__") or '
             'contains(., "__APOLLO_STATE__") or contains(., "__PRELOADED_STATE__")]')
# ... read as the page's text where it holds this many times the text the page shows,
# and at least APP_DATA_MIN_CHARS.
APP_DATA_RATIO = 10
APP_DATA_MIN_CHARS = 2000


def app_data(tree, visible: int) -> str:
    """Where a page whose text its scripts build in the browser keeps that text (the id
    of its largest data script, else "a JSON script"), with its size, where it is
    :data:`APP_DATA_RATIO` times the page's visible text or more; else "".

    >>> import lxml.html
    >>> data = '{"props": {"article": "%s"}}' % ("Text. " * 500)
    >>> app_data(lxml.html.fromstring('<html><body><div id="__next"></div><script '
    ...     f'id="__NEXT_DATA__" type="application/json">{data}</script></body></html>'), 0)
    '__NEXT_DATA__: 3,026 characters'
    >>> app_data(lxml.html.fromstring(f'<html><body><p>Hi</p></body></html>'), 2)
    ''
    """
    scripts = [(len(script.text or ""), script.get("id") or "") for script in tree.xpath(_APP_DATA)]
    size, name = max(scripts, default=(0, ""))
    if size < max(APP_DATA_MIN_CHARS, APP_DATA_RATIO * visible):
        return ""
    return f"{name or 'a data script'}: {size:,} characters"


def link_texts(tree) -> frozenset[str]:
    """The texts of the page's links, each as :func:`clean_line` leaves it."""
    texts = (clean_line(link.text_content()) for link in tree.iter("a"))
    return frozenset(text for text in texts if text)


# The address of a site's home page: "/", "./", "index.html", "https://site.example/".
_HOME_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?(?://[^/?#]*)?(?:\.?/)?(?:index\.html?)?",
                           re.IGNORECASE)


def home_link_names(tree) -> frozenset[str]:
    """What the page's links to its site's home page say (their text, else their
    images' alt text): the site's name, in a logo's link.

    >>> import lxml.html
    >>> home_link_names(lxml.html.fromstring('<div><a href="/"><img alt="Gazette"></a>'
    ...     '<a href="https://x.example">X  Daily</a><a href="/a">Port</a><a href="#">Top</a>'
    ...     '</div>')) == {"Gazette", "X Daily"}
    True
    """
    names = set()
    for link in tree.iter("a"):
        href = link.get("href")
        if href is None or not _HOME_ADDRESS.fullmatch(href.strip()) or not href.strip():
            continue
        text = clean_line(link.text_content()) or clean_line(
            " ".join(image.get("alt") or "" for image in link.iter("img")))
        if text:
            names.add(text)
    return frozenset(names)


def is_link_list(text: str, links: frozenset[str]) -> bool:
    """True when every line of a block is the whole text of one of the page's links,
    and the block is a menu (several lines) or another article's title (a line of
    :data:`LINKED_TITLE_MIN_WORDS` words or more): what the extractor took for text.
    A short linked name on its own line ("Energize Drink") is the article's.

    >>> is_link_list("Home\\nWorld", frozenset({"Home", "World", "Sport"}))
    True
    >>> is_link_list("Home\\nThe port reopened on Tuesday.", frozenset({"Home"}))
    False
    >>> is_link_list("Energize Drink", frozenset({"Energize Drink"}))
    False
    """
    lines = text.split("\n")
    if len(lines) == 1 and len(text.split()) < LINKED_TITLE_MIN_WORDS:
        return False
    return all(line in links for line in lines)


# schema.org's property for an article's text, in a JSON script (JSON-LD, a page's data)
ARTICLE_BODY = "articleBody"
# The shortest articleBody that is taken for a page's article (the extractor's floor).
JSON_ARTICLE_MIN_CHARS = 100
# The elements an articleBody's HTML is cut into paragraphs at.
_BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|blockquote|section|article|figure"
                        r"|figcaption|table|tr|pre)\b[^<>]{0,2000}>|<br\s*/?>", re.IGNORECASE)
_MARKUP = re.compile(r"<[a-z/][^<>]{0,2000}>", re.IGNORECASE)
# Control characters and lone surrogates, which a JSON string may hold (``\u000b``).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def article_paragraphs(text: str) -> list[str]:
    """The paragraphs of an ``articleBody``: its lines (plain text), or the texts of its
    block elements (HTML, also written with entities: "&lt;p&gt;...").

    >>> article_paragraphs("One.\\n\\nTwo  words.\\n")
    ['One.', 'Two words.']
    >>> article_paragraphs("<p>One &amp; two.</p><p>Three <b>four</b>.<br>Five.</p>")
    ['One & two.', 'Three four.', 'Five.']
    >>> article_paragraphs("&lt;p&gt;A &amp;amp; B.&lt;/p&gt;"), article_paragraphs("1 &lt; 2")
    (['A & B.'], ['1 < 2'])
    >>> article_paragraphs("<p>Tab\\x0bbed\\x00.</p>")
    ['Tabbed.']
    """
    text = _NOT_TEXT.sub("", text)  # (JSON may write any: the HTML parser refuses them)
    if not _MARKUP.search(text) and _MARKUP.search(unescape(text)):
        text = unescape(text)  # markup written with entities
    if not _MARKUP.search(text):
        pieces = unescape(text).split("\n")
    else:
        import lxml.html

        pieces = [lxml.html.fragment_fromstring(piece, create_parent="div").text_content()
                  for piece in _BLOCK_TAG.split(text) if piece.strip()]
    return [line for line in (" ".join(piece.split()) for piece in pieces) if line]


def _article_bodies(node) -> list[str]:
    """The ``articleBody`` strings of a JSON value, in document order."""
    found: list[str] = []
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            body = node.get(ARTICLE_BODY)
            if isinstance(body, str) and body.strip():
                found.append(body)
            stack.extend(reversed(node.values()))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def json_article(tree, shown: str | None, back: dict[int, str] | None = None) -> list[str]:
    """The paragraphs of the page's article where it is a JSON script's ``articleBody``
    (:data:`ARTICLE_BODY`): JSON-LD's that is ``shown`` (the one paragraph the extractor
    gave, its spacing aside), where ``shown`` is not None; else the first one of
    :data:`JSON_ARTICLE_MIN_CHARS` or more in the page's JSON-LD or script data
    (:func:`app_data`'s scripts). ``back``: the table that puts the carried characters
    back. [] when there is none.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<html><head><script type="application/ld+json">'
    ...     '{"articleBody": "One.\\\\nTwo."}</script></head></html>')
    >>> json_article(tree, "One. Two."), json_article(tree, "Three.")
    (['One.', 'Two.'], [])
    """
    scripts = tree.xpath(_JSON_LD) if shown is not None else [*tree.xpath(_JSON_LD),
                                                                 *tree.xpath(_APP_DATA)]
    for script in scripts:
        if ARTICLE_BODY not in (script.text or ""):
            continue
        try:
            data = json.loads(script.text.translate(back or {}), strict=False)
        except (ValueError, RecursionError):  # (nested deeper than the parser goes)
            continue
        for body in _article_bodies(data):
            paragraphs = article_paragraphs(body)
            if shown is None:
                if len("".join(paragraphs)) >= JSON_ARTICLE_MIN_CHARS:
                    return paragraphs
            elif len(paragraphs) > 1 and _squeezed(" ".join(paragraphs)) == _squeezed(shown):
                return paragraphs
    return []


def shows_no_article(paragraphs: list[str], links: frozenset[str]) -> bool:
    """True when the paragraphs the extractor found are no article: each line of them
    the whole text of one of the page's links (a header's "Gazette", "Sign in"), or
    fewer than :data:`LINKED_TITLE_MIN_WORDS` words in all ("Loading…"). Said of a page
    whose script data dwarfs them (:func:`app_data`): its article is in that data.

    >>> shows_no_article(["Gazette"], frozenset({"Gazette"}))
    True
    >>> shows_no_article(["Loading…"], frozenset())
    True
    >>> shows_no_article(["Gazette", "The port reopened on Tuesday."], frozenset({"Gazette"}))
    False
    """
    if all(line in links for paragraph in paragraphs for line in paragraph.split("\n")):
        return True
    words = 0
    for paragraph in paragraphs:  # (counted only up to the few that make an article)
        words += len(paragraph.split(maxsplit=LINKED_TITLE_MIN_WORDS))
        if words >= LINKED_TITLE_MIN_WORDS:
            return False
    return True


# An inline style that hides an element.
_DISPLAY_NONE = re.compile(r"(?:^|;)\s*display\s*:\s*none\b", re.IGNORECASE)
# Elements of a paragraph's text, and the containers whose text beside a <pre> is put
# in paragraphs of its own (paragraphs_beside_code). A list item's and a quote's code
# blocks are cut out of them later (body_blocks).
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small",
    "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
})
_PROSE_HOLDERS = frozenset({"article", "body", "center", "div", "main", "section"})
# A line break in a paragraph's source, with the white space (HTML's: not U+00A0) around
# it; and the elements whose text keeps them (flow_code_paragraphs).
_SOURCE_LINE_BREAK = re.compile(r"[ \t\f\r]*[\n\r][ \t\f\r\n]*")
_SOURCE_SPACED = frozenset({"pre", "script", "style", "textarea", "listing", "xmp", "plaintext"})


def paragraphs_beside_code(tree) -> None:
    """Put the text that stands beside a ``<pre>`` in a container (:data:`_PROSE_HOLDERS`)
    rather than in a paragraph into paragraphs of its own, the text before it and the
    text after it (each with its inline elements: :data:`_INLINE`): hand-written pages
    write their prose straight into the body between listings, or a listing inside a
    ``<p>``, which the parser closes at the ``<pre>``; the extractor dropped the text
    after a listing, and took a ``<div>``'s listing for inline code in one paragraph
    with the text around it.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring("<div><p>a</p>Run <b>it</b>:<pre>x</pre> then "
    ...                             "<a href=y>go</a>.<p>b</p></div>")
    >>> paragraphs_beside_code(tree)
    >>> lxml.html.tostring(tree)
    b'<div><p>a</p><p>Run <b>it</b>:</p><pre>x</pre><p> then <a href="y">go</a>.</p><p>b</p></div>'
    """
    from lxml import etree

    def inline(node) -> bool:  # a comment too
        return not isinstance(node.tag, str) or node.tag in _INLINE

    def wrap(parent, start: int, end: int) -> None:
        """``parent[start:end]`` and the text before them (the tail of the element before,
        else the parent's text) made one paragraph, where they show any text."""
        holder = parent[start - 1] if start else None
        text = parent.text if holder is None else holder.tail
        run = list(parent[start:end])
        if not (text or "").strip() and not any(
                (node.tail or "").strip()
                or (isinstance(node.tag, str) and "".join(node.itertext()).strip())
                for node in run):
            return
        paragraph = etree.Element("p")
        paragraph.text = text
        if holder is None:
            parent.text = None
        else:
            holder.tail = None
        for node in run:
            paragraph.append(node)  # moves it, with its tail
        parent.insert(start, paragraph)

    for pre in list(tree.iter("pre")):
        parent = pre.getparent()
        if parent is None or parent.tag not in _PROSE_HOLDERS:
            continue
        at = end = parent.index(pre)
        while end + 1 < len(parent) and inline(parent[end + 1]):
            end += 1
        wrap(parent, at + 1, end + 1)  # after it (its tail, first), then before it
        start = at
        while start > 0 and inline(parent[start - 1]):
            start -= 1
        wrap(parent, start, at)


def absolute_canonical(tree) -> None:
    """Make a relative ``<link rel="canonical">`` address absolute against the page's
    ``<base href>`` (which a browser resolves it against): the extractor resolves only
    one starting with "/", and only against an ``og:`` or ``twitter:`` address, and
    then took the base itself for the page's address, or none.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<html><head><base href="https://a.example/news/">'
    ...                             '<link rel="canonical" href="port.html"></head></html>')
    >>> absolute_canonical(tree)
    >>> tree.find(".//link").get("href")
    'https://a.example/news/port.html'
    """
    link = tree.find('.//head//link[@rel="canonical"]')
    href = (link.get("href") or "").strip() if link is not None else ""
    if not href or "://" in href or href.startswith("//"):
        return
    base = tree.find(".//head//base")
    start = (base.get("href") or "").strip() if base is not None else ""
    if start.lower().startswith(("http://", "https://")):
        from urllib.parse import urljoin

        link.set("href", urljoin(start, href))


# A page saved from Firefox's Reader View (about:reader): its header holds the article's
# address (the link naming its domain) and its byline (the "credits"), which the
# extractor does not read, the page having no <meta> of its own. Each is marked by its
# class, or by its id (Firefox before version 70 or so).
_READER_HEADER = ('//*[@id="reader-header" or '
                  'contains(concat(" ", normalize-space(@class), " "), " reader-header ")]')
_READER_PART = ('.//*[@id="reader-{0}" or '
                'contains(concat(" ", normalize-space(@class), " "), " reader-{0} ")]')


def reader_view_metadata(tree) -> None:
    """Give a page saved from Firefox's Reader View (:data:`_READER_HEADER`) the author
    its credits line names (a ``<meta name="author">``, which the extractor reads as
    any page's, "By" and "and" included) and the address its domain's link leads to (a
    ``<link rel="canonical">``), where it has none. Changes the tree.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<html><head><title>T</title></head><body><div class='
    ...     '"header reader-header"><a class="domain reader-domain" href="https://a.example'
    ...     '/p">a.example</a><div class="credits reader-credits">By Ann</div></div></body>'
    ...     '</html>')
    >>> reader_view_metadata(tree)
    >>> [lxml.html.tostring(element) for element in tree.find("head")[1:]]
    [b'<meta name="author" content="By Ann">', b'<link rel="canonical" href="https://a.example/p">']
    """
    header = next(iter(tree.xpath(_READER_HEADER)), None)
    head = tree.find(".//head")
    if header is None or head is None:
        return
    credits = next(iter(header.xpath(_READER_PART.format("credits"))), None)
    author = " ".join(credits.text_content().split()) if credits is not None else ""
    if author and not head.xpath('.//meta[@name="author"]'):
        head.append(head.makeelement("meta", {"name": "author", "content": author}))
    domain = next(iter(header.xpath(_READER_PART.format("domain"))), None)
    address = (domain.get("href") or "").strip() if domain is not None else ""
    if (address.lower().startswith(("http://", "https://"))
            and not head.xpath('.//link[@rel="canonical"]')):
        head.append(head.makeelement("link", {"rel": "canonical", "href": address}))


def itemprop_dates_as_meta(tree) -> None:
    """Copy the dates that a page gives as microdata on an element other than
    ``<meta>`` (``<span itemprop="datePublished" content="2021-03-04">``) into
    ``<meta itemprop>`` elements of its head, where the extractor reads them: it never
    read them there, and the page had no date.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<html><head></head><body><span itemprop="datePublished"'
    ...                             ' content="2021-03-04">March</span></body></html>')
    >>> itemprop_dates_as_meta(tree)
    >>> lxml.html.tostring(tree.find("head"))
    b'<head><meta itemprop="datePublished" content="2021-03-04"></head>'
    """
    found = [(element.get("itemprop"), element.get("content"))
             for element in tree.xpath("//*[@itemprop][@content][not(self::meta)]")
             if "date" in element.get("itemprop").lower() and element.get("content").strip()]
    if not found:
        return
    head = tree.find(".//head")
    if head is None:
        head = tree.makeelement("head")
        tree.insert(0, head)
    for name, content in found:
        head.append(head.makeelement("meta", {"itemprop": name, "content": content.strip()}))


def drop_folder_base(tree) -> None:
    """Remove a ``<base href>`` that names a folder ("https://a.example/news/"): the
    extractor takes the base for the page's address when the page has no canonical
    link, and a folder is not this page's address. Call after
    :func:`absolute_canonical`, which resolves against it.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<html><head><base href="https://a.example/news/">'
    ...                             '</head></html>')
    >>> drop_folder_base(tree)
    >>> tree.find(".//base") is None
    True
    """
    from urllib.parse import urlsplit

    for base in tree.findall(".//head//base"):
        href = (base.get("href") or "").strip()
        if href and urlsplit(href).path in ("", "/") or href.endswith("/"):
            base.drop_tree()


# A run of this many sibling posts (a live blog's entries, a feed's) is one text: the
# extractor takes the first element that is an <article>, or whose class is "post" or
# "entry", for the page's whole article.
FEED_MIN_ITEMS = 3
FEED_ITEM_CLASSES = ("post", "entry")
# (the extractor's own test of the class: the whole attribute)
_FEED_ITEMS = " | ".join(["//article", *(f'//*[@class="{kind}"]' for kind in FEED_ITEM_CLASSES)])


def feed_items_apart(tree) -> None:
    """Make the sibling posts of a run of :data:`FEED_MIN_ITEMS` or more (``<article>``
    elements, or elements of class ``post`` or ``entry``: :data:`FEED_ITEM_CLASSES`)
    sections the extractor reads as part of the article around them, not one of them as
    the article: a live blog's first entry came first, before its introduction, and the
    other entries lost their headings. Not where a post has its own ``<h1>`` (the
    articles a site's endless page adds after the first). Changes the tree.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<main><h1>Live</h1><article>a</article><article>b'
    ...     '</article><article>c</article><p class="entry">d</p></main>')
    >>> feed_items_apart(tree)
    >>> [element.tag for element in tree], tree[4].get("class")
    (['h1', 'section', 'section', 'section', 'p'], 'entry')
    >>> tree = lxml.html.fromstring('<main><article><h1>A</h1></article><article><h1>B</h1>'
    ...     '</article><article><h1>C</h1></article></main>')
    >>> feed_items_apart(tree)
    >>> tree[0].tag
    'article'
    """
    posts: dict[tuple[object, str, str], list] = {}  # (parent, tag, class) -> its posts
    for post in tree.xpath(_FEED_ITEMS):  # (found in C: a walk here cost 3% of extract)
        kind = post.get("class") or ""
        posts.setdefault((post.getparent(), post.tag,
                          kind if kind in FEED_ITEM_CLASSES else ""), []).append(post)
    for (_, tag, kind), run in posts.items():
        if len(run) < FEED_MIN_ITEMS or any(post.find(".//h1") is not None for post in run):
            continue  # (articles with their own headlines: a page of articles)
        for post in run:
            time_into_heading(post)
            if tag == "article":
                post.tag = "section"
            if kind:
                post.set("class", f"{kind} feed-item")


def time_into_heading(post) -> None:
    """A live blog post's time in its ``<header>`` (beside its heading, ``<h2>`` to
    ``<h6>``), which the extractor deletes, put at the start of that heading, as a time
    in the heading reads ("10:15 Port closed"); an empty ``<time>`` with its attributes
    stays in the header for the date search. Changes the tree.

    >>> import lxml.html
    >>> post = lxml.html.fromstring('<article><header><time datetime="2024-03-01T10:15">'
    ...     '10:15</time> <h2>Port closed</h2></header><p>x</p></article>')
    >>> time_into_heading(post)
    >>> lxml.html.tostring(post)[:63], post[0][1].text
    (b'<article><header><time datetime="2024-03-01T10:15"></time> <h2>', '10:15 Port closed')
    """
    header = post.find("header")
    heading = None if header is None else next(header.iter(*HEADING_KINDS[1:]), None)
    if heading is None:
        return
    for time in header.iter("time"):
        text = " ".join(time.text_content().split())
        if text and not any(above is heading for above in time.iterancestors()):
            break
    else:
        return
    mark = time.makeelement("time", dict(time.attrib))
    if mark.get("datetime") is None:
        mark.set("datetime", text)
    mark.tail = time.tail
    time.getparent().replace(time, mark)
    heading.text = f"{text} {heading.text or ''}"


def drop_hidden_metadata(tree) -> None:
    """Remove the schema.org copies of the article that a page hides (an element with
    ``itemscope`` and an inline ``display: none``): machine-readable metadata, never
    shown, which the extractor took for more of the article (a page's whole text twice
    more, its image addresses and publisher's name as paragraphs).

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<div><p>a</p><div style="display: none;" itemscope>'
    ...                             '<p itemprop="articleBody">a</p></div></div>')
    >>> drop_hidden_metadata(tree)
    >>> lxml.html.tostring(tree)
    b'<div><p>a</p></div>'
    """
    for element in tree.xpath("//*[@itemscope][@style]"):
        if _DISPLAY_NONE.search(element.get("style")) and element.getparent() is not None:
            element.drop_tree()  # keeps its tail


def unwrap_code_figures(tree) -> None:
    """Make a ``<figure>`` that holds a ``<pre>`` a ``<div>``, and its caption a
    paragraph: the extractor drops figures (images) whole, and with them the listings
    of books that put each in one (the Rust book's "Listing 5-1: ...").

    >>> import lxml.html
    >>> tree = lxml.html.fromstring("<div><figure><pre>x</pre><figcaption>L1</figcaption>"
    ...                             "</figure><figure><img src=a.png></figure></div>")
    >>> unwrap_code_figures(tree)
    >>> lxml.html.tostring(tree)
    b'<div><div><pre>x</pre><p>L1</p></div><figure><img src="a.png"></figure></div>'
    """
    for pre in list(tree.iter("pre")):
        for figure in pre.iterancestors("figure"):
            figure.tag = "div"
            for caption in figure.iterchildren("figcaption"):
                caption.tag = "p"


def mark_preformatted(tree) -> None:
    """Wrap the content of every ``<pre>`` that is not one ``<code>`` in one, so that the
    extractor takes it for the code block it is (it takes a bare ``<pre>`` for a
    quotation and splits it into one paragraph per line: console output, a listing;
    and one holding two ``<code>`` variants and a button for a quotation of two lines).

    >>> import lxml.html
    >>> tree = lxml.html.fromstring("<div><pre>$ ls\\n<b>a</b> b</pre><p>x</p></div>")
    >>> mark_preformatted(tree)
    >>> lxml.html.tostring(tree)
    b'<div><pre><code>$ ls\\n<b>a</b> b</code></pre><p>x</p></div>'
    """
    from lxml import etree

    for pre in list(tree.iter("pre")):
        inside = [child for child in pre if isinstance(child.tag, str)]
        if (len(inside) == 1 and inside[0].tag == "code" and not (pre.text or "").strip()
                and not (inside[0].tail or "").strip()):
            continue  # one <code> holding it all; two or more, beside a button, were
            # taken for a quotation (each its own line of prose)
        code = etree.Element("code")
        code.text, pre.text = pre.text, None
        for child in list(pre):
            code.append(child)  # moves it, with its tail
        pre.append(code)


# Where a <time> is part of the text (a sentence's date, a live blog post's time in its
# heading): the elements a reader reads it in.
_TIME_READ_IN = frozenset({"p", "li", "td", "th", "dd", "dt", "blockquote", "figcaption",
                           "h1", "h2", "h3", "h4", "h5", "h6"})


def times_as_text(tree) -> None:
    """Make each ``<time>`` inside a paragraph, list item, table cell, quote, caption or
    heading (:data:`_TIME_READ_IN`) text of its sentence: the extractor deletes
    ``<time>`` elements with their text ("The meeting on was cancelled"). An empty
    ``<time>`` with its attributes stays in its place for the date search (its
    ``datetime``, else its text). Changes the tree.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<div><p>On <time datetime="2024-03">3 <b>May'
    ...                             '</b></time> it rained.</p><time>x</time></div>')
    >>> times_as_text(tree)
    >>> lxml.html.tostring(tree)
    b'<div><p>On <time datetime="2024-03"></time>3 <b>May</b> it rained.</p><time>x</time></div>'
    """
    for time in list(tree.iter("time")):
        text = time.text_content()
        if not text.strip() or not any(
                element.tag in _TIME_READ_IN for element in time.iterancestors()):
            continue
        mark = time.makeelement("time", dict(time.attrib))
        if mark.get("datetime") is None:
            mark.set("datetime", " ".join(text.split()))
        time.addprevious(mark)
        time.drop_tag()


# Superscript and subscript forms of the characters a formula's exponent or index
# often is (math_text): "r²", "x₁"; any other exponent is written "^", an index "_".
_SUPERSCRIPTS = str.maketrans("0123456789+-−=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
# MathML that is no part of what a formula shows (its TeX source, another markup's).
_MATH_UNSHOWN = frozenset({"annotation", "annotation-xml"})


def _scripted(text: str, table: dict[int, str], mark: str) -> str:
    """An exponent or index: its script forms where it has them all, else ``mark``
    and the text (in parentheses where it is more than one character)."""
    script = text.translate(table)
    if text and all(a != b for a, b in zip(text, script, strict=True)):
        return script
    return mark + (text if len(text) <= 1 else f"({text})")


def math_text(element) -> str:
    """What a MathML formula shows, as plain text: its tokens in order (the white space
    between them left out, as MathML does), exponents and indices as superscripts and
    subscripts (:data:`_SUPERSCRIPTS`) or after ``^`` and ``_``, fractions with ``/``,
    roots with ``√``; its annotations (the TeX source) not. Its ``alttext`` where it
    shows nothing, else "".

    >>> import lxml.html
    >>> math_text(lxml.html.fromstring('<math><mi>A</mi> <mo>=</mo><mi>π</mi><msup><mi>r'
    ...     '</mi><mn>2</mn></msup><annotation>A = pi r^2</annotation></math>'))
    'A=πr²'
    >>> math_text(lxml.html.fromstring('<math><msub><mi>x</mi><mi>i</mi></msub><mo>+</mo>'
    ...     '<mfrac><mn>1</mn><mrow><mi>n</mi><mo>+</mo><mn>1</mn></mrow></mfrac></math>'))
    'x_i+1/(n+1)'
    >>> math_text(lxml.html.fromstring('<math alttext="E=mc^2"></math>'))
    'E=mc^2'
    """
    def shown(node, depth: int) -> str:
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()  # (an XML parser's namespace)
        if tag in _MATH_UNSHOWN or depth > 64:
            return ""
        parts = [shown(child, depth + 1) for child in node]
        if tag in ("msup", "msub", "msubsup") and len(parts) >= 2:
            if tag == "msup":
                return parts[0] + _scripted(parts[1], _SUPERSCRIPTS, "^")
            out = parts[0] + _scripted(parts[1], _SUBSCRIPTS, "_")
            return out + (_scripted(parts[2], _SUPERSCRIPTS, "^") if len(parts) > 2 else "")
        if tag == "mfrac" and len(parts) == 2:
            return "/".join(part if len(part) <= 1 or part.isalnum() else f"({part})"
                            for part in parts)
        if tag in ("msqrt", "mroot") and parts:
            root = "".join(parts) if tag == "msqrt" else parts[0]
            return "√" + (root if len(root) <= 1 or root.isalnum() else f"({root})")
        text = node.text or ""
        return (text if tag == "mtext" else text.strip()) + "".join(
            part + ((child.tail or "").strip()) for part, child in zip(parts, node, strict=True))

    return shown(element, 0) or " ".join((element.get("alttext") or "").split())


# The controls a paragraph's sentence may name (trafilatura deletes them with their
# text: "Press to continue"), kept where the paragraph has this many words besides
# them: a paragraph that is only a control ("Load more", "Share: Facebook") is none.
_CONTROLS = ("label", "button")
CONTROL_SENTENCE_MIN_WORDS = 3


def formulas_and_controls_as_text(tree) -> None:
    """Make what the extractor deletes with its text, where a sentence holds it, text
    of that sentence: a MathML formula (``<math>``) in a paragraph, list item, table
    cell, quote, caption or heading (:data:`_TIME_READ_IN`) becomes what it shows
    (:func:`math_text`: "The area is A=πr²."); a ``<label>`` or ``<button>`` in a
    paragraph of :data:`CONTROL_SENTENCE_MIN_WORDS` words or more besides its controls
    becomes its text. Changes the tree.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<div><p>So <math><mi>x</mi></math>, then press '
    ...     '<button>OK</button> to go on.</p><p><button>Load more</button></p></div>')
    >>> formulas_and_controls_as_text(tree)
    >>> lxml.html.tostring(tree)
    b'<div><p>So <span>x</span>, then press OK to go on.</p><p><button>Load more</button></p></div>'
    """
    for math in list(tree.iter("math")):
        if not any(element.tag in _TIME_READ_IN for element in math.iterancestors()):
            continue
        text = math_text(math)
        if text:
            span = math.makeelement("span", {})
            span.text, span.tail = text, math.tail
            math.getparent().replace(math, span)
    words: dict[object, int] = {}  # paragraph -> its words besides its controls
    for control in list(tree.iter(*_CONTROLS)):
        paragraph = next((element for element in control.iterancestors()
                          if element.tag == "p"), None)
        if paragraph is None:
            continue
        if paragraph not in words:
            words[paragraph] = len(paragraph.text_content().split()) - sum(
                len(element.text_content().split()) for element in paragraph.iter(*_CONTROLS)
                if not any(above.tag in _CONTROLS for above in element.iterancestors()))
        if words[paragraph] >= CONTROL_SENTENCE_MIN_WORDS:
            control.drop_tag()


def mark_inline_code(tree) -> None:
    """Make each :data:`INLINE_CODE_TAGS` element outside a ``<pre>`` and a ``<code>`` a
    ``<code>``: inline code, as the extractor knows it.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring(
    ...     "<p>Use <kbd>Ctrl</kbd>, <var>n</var>, <code><tt>x</tt></code></p>")
    >>> mark_inline_code(tree)
    >>> lxml.html.tostring(tree)
    b'<p>Use <code>Ctrl</code>, <var>n</var>, <code><tt>x</tt></code></p>'
    """
    for element in list(tree.iter(*INLINE_CODE_TAGS)):
        if not any(above.tag in ("pre", "code") for above in element.iterancestors()):
            element.tag = "code"


def flow_code_paragraphs(tree) -> None:
    r"""Make each line break in the source of a paragraph (the nearest element around it
    that is not :data:`_INLINE`) holding inline ``<code>`` a space, as a browser shows it
    (not in its ``<pre>``, scripts or styles; ``<br>`` stays a line break). The extractor
    keeps the source's line breaks in such a paragraph (in one without code it makes them
    spaces), which cut its sentences at the page's source lines and left a code over one
    unprotected.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring("<div><li>From\n<code>a.h\n  b</code>\nwe<br>use\n"
    ...                             "<pre>x\n<b>y\nz</b></pre>\n.</li><p>c\nd</p></div>")
    >>> flow_code_paragraphs(tree)
    >>> lxml.html.tostring(tree)
    b'<div><li>From <code>a.h b</code> we<br>use <pre>x\n<b>y\nz</b></pre> .</li><p>c\nd</p></div>'
    """
    done: set = set()
    for code in list(tree.iter("code")):
        block = code.getparent()
        while block is not None and block.tag in _INLINE:
            block = block.getparent()
        if block is None or block in done or any(
                above.tag == "pre" for above in code.iterancestors()):
            continue
        done.add(block)
        for node in block.iter():
            if node is not block and _spaced_within(node, block):
                continue  # (its own tail, a <pre>'s, is the paragraph's)
            if node.text and node.tag not in _SOURCE_SPACED and "\n" in node.text:
                node.text = _SOURCE_LINE_BREAK.sub(" ", node.text)
            if node is not block and node.tail and "\n" in node.tail:
                node.tail = _SOURCE_LINE_BREAK.sub(" ", node.tail)


def _spaced_within(node, block) -> bool:
    """Whether ``node`` is inside a :data:`_SOURCE_SPACED` element (a ``<pre>``, a script)
    within ``block``."""
    for above in node.iterancestors():
        if above is block:
            return False
        if above.tag in _SOURCE_SPACED:
            return True
    return False


def _marked_text(element) -> str:
    """The extractor's text of ``element`` with :data:`CODE_MARKS` around each inline
    ``<code>``'s text in it (the outermost, where they nest)."""
    from copy import deepcopy

    from trafilatura.xml import xmltotxt

    copy = deepcopy(element)
    for code in list(copy.iter("code")):
        if code is copy or any(above.tag == "code" for above in code.iterancestors()
                               if above is not copy):
            continue
        code.text = CODE_MARKS[0] + (code.text or "")
        if len(code):
            code[-1].tail = (code[-1].tail or "") + CODE_MARKS[1]
        else:
            code.text += CODE_MARKS[1]
    return xmltotxt(copy, False)


def _clean_marked(line: str) -> tuple[str, list[tuple[int, int]]] | None:
    """:func:`clean_line` of ``line`` without its :data:`CODE_MARKS`, and the (start,
    end) of each marked text in it, its spaces left out (none left: no range); None
    when the marks do not pair (a code across a line break).

    >>> _clean_marked("  Use \u2e28 pip  install\u2e29 .  ")
    ('Use pip install .', [(4, 15)])
    >>> _clean_marked("a \u2e28b"), _clean_marked("a \u2e28 \u2e29 b")
    (None, ('a b', []))
    """
    plain: list[str] = []
    marks: list[tuple[int, int]] = []
    opened = -1
    for char in line:
        if char == CODE_MARKS[0]:
            if opened >= 0:
                return None
            opened = len(plain)
        elif char == CODE_MARKS[1]:
            if opened < 0:
                return None
            marks.append((opened, len(plain)))
            opened = -1
        else:
            plain.append(char)
    if opened >= 0:
        return None
    text = "".join(plain)
    where: list[int] = []  # each position of ``text`` in its spaces made one
    size, at = 0, 0
    for match in _SPACES.finditer(text):
        where += range(size, size + match.start() - at)
        size += match.start() - at
        where += [size] * (match.end() - match.start())
        size += 1
        at = match.end()
    where += range(size, size + len(text) - at + 1)
    spaced = _SPACES.sub(" ", text)
    lead = len(spaced) - len(spaced.lstrip())
    clean = spaced.strip()
    return clean, _within(clean, [(where[a] - lead, where[b] - lead) for a, b in marks])


def _within(text: str, ranges: list[tuple[int, int]], cut: int = 0,
            size: int | None = None) -> list[tuple[int, int]]:
    """``ranges`` of a text moved to ``text``, its part from ``cut`` of ``size``
    characters (all of it: None), each without its spaces; those left empty go.

    >>> _within("x pip ", [(3, 8), (9, 12)], cut=1)
    [(2, 5)]
    """
    size = len(text) if size is None else size
    out = []
    for start, end in ranges:
        start, end = max(start - cut, 0), min(end - cut, size)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start, end))
    return out


def _lead(text: str, chars: str | None = None) -> int:
    """How many characters ``text.lstrip(chars)`` takes off."""
    return len(text) - len(text.lstrip(chars))


# A <pre>'s lines as the page shows them: line breaks of any kind become "\n", blank
# lines before its first line and anything blank after its last are not shown.
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t\f\v\u00a0]*\n)+")
# Elements whose text is no line of a code block: not shown, or a control (the "copy"
# button of Node.js's documentation).
_UNSHOWN = frozenset({"script", "style", "template", "noscript", "button", "select"})


def preformatted_text(element) -> str:
    r"""The text of a ``<pre>`` as the page shows it, verbatim: its characters (entities
    decoded, markup such as syntax highlighting dropped), tabs, indentation and blank
    lines kept, ``<br>`` a line break, ``\r\n`` and ``\r`` line breaks made ``\n``; blank
    lines at its start and blanks at its end left out; buttons left out. Two ``<code>``
    in one ``<pre>`` (variants of one example, which the page's style shows one at a
    time) start on lines of their own. Walked without recursion (a page may nest its
    elements 2,048 deep).

    >>> import lxml.html
    >>> pre = lxml.html.fromstring("<pre>\n\n  fn main() {\r\n\t<b>let</b> x = 1;<br>\n\n}\n</pre>")
    >>> preformatted_text(pre)
    '  fn main() {\n\tlet x = 1;\n\n\n}'
    >>> pre = "<pre><code>a()</code><code>b()</code><button>copy</button></pre>"
    >>> preformatted_text(lxml.html.fromstring(pre))
    'a()\nb()'
    """
    from lxml import etree

    parts: list[str] = []
    hidden = 0  # inside an element whose text is not shown
    codes = 0  # the <code> children of the <pre> opened so far
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _UNSHOWN:
                hidden += 1
            elif not hidden:
                if tag == "br":
                    parts.append("\n")
                    continue
                if tag == "code" and node.getparent() is element:
                    codes += 1
                    if codes > 1 and parts and not parts[-1].endswith("\n"):
                        parts.append("\n")
                if tag and node.text:
                    parts.append(node.text)
            continue
        if tag in _UNSHOWN:
            hidden -= 1
        if node is not element and not hidden and node.tail:
            parts.append(node.tail)
    text = "".join(parts).replace("\r\n", "\n").replace("\r", "\n")
    return _LEADING_BLANK_LINES.sub("", text).rstrip()


def _squeezed(text: str) -> str:
    """``text`` without any white space: how a code block the extractor gives is matched
    with the page's ``<pre>`` (the extractor drops its blank lines and line breaks)."""
    return "".join(text.split())


def verbatim_code(extracted: list[str], pres: list[str]) -> list[str | None]:
    r"""Each code element the extractor gave, as its ``<pre>`` shows it (``pres``, in the
    page's order): the next ``<pre>`` holding the same characters (white space aside),
    else the first such; None where none does (inline code the extractor took out of
    a caption or a box: no code block).

    >>> verbatim_code(["a = 1\nb", "x"], ["y", "a = 1\n\n    b", "a=1 b"])
    ['a = 1\n\n    b', None]
    """
    where: dict[str, list[int]] = {}  # a <pre>'s characters -> where they are, in order
    for n, text in enumerate(pres):
        where.setdefault(_squeezed(text), []).append(n)
    out: list[str | None] = []
    at = 0
    for text in extracted:
        key = _squeezed(text)
        found = where.get(key) if key else None
        if not found:
            out.append(None)
            continue
        n = found[bisect_left(found, at) % len(found)]  # the next one, else the first
        out.append(pres[n])
        at = n + 1
    return out


def redirect_target(tree) -> str:
    """The address a page sends the browser to at once (a ``<meta http-equiv="refresh">``
    naming one, within :data:`REDIRECT_MAX_DELAY_S` seconds), or "".

    >>> import lxml.html
    >>> page = '<html><head><meta http-equiv="Refresh" content="0; URL=ch18.html"></head></html>'
    >>> redirect_target(lxml.html.fromstring(page))
    'ch18.html'
    >>> page = '<html><head><meta http-equiv="refresh" content="300"></head><p>Live</p></html>'
    >>> redirect_target(lxml.html.fromstring(page))
    ''
    """
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        found = _REFRESH.match(meta.get("content") or "")
        if found and found.group(3).strip() and int(found.group(1)) <= REDIRECT_MAX_DELAY_S:
            return found.group(3).strip()
    return ""


# The Markdown rule under a table's header row in the extractor's text: "---|---|---".
_TABLE_RULE = re.compile(r"-{3,}(?:\s*\|\s*-{3,})*")


def body_blocks(body, pres: frozenset[str] = frozenset(),
                inline: list[list[tuple[int, int]]] | None = None) -> list[tuple[str, str]]:
    """The blocks of trafilatura's output tree as (kind, text): one per heading (kind
    ``h1``...``h6``), paragraph (``p``), list item (``item``), table row (``row``, its
    cells joined by " | "), quoted paragraph (``quote``) or code block (``code``), in
    reading order. A line break inside a paragraph stays a newline in its block; a code
    block's text is the extractor's, as it is. ``pres``: the page's ``<pre>`` texts
    without white space (:func:`_squeezed`): a list item or a quote that holds one is
    cut around it, the code block then one of its own (its lines were list items).
    ``inline`` (given): each block's inline code ranges are appended to it
    (:attr:`Page.inline`)."""
    from trafilatura.xml import xmltotxt

    blocks: list[tuple[str, str]] = []
    ranges: list[list[tuple[int, int]]] = []  # each block's inline code
    for child in _around_code(body, pres) if pres else body:
        if child.tag in ("graphic", "ref", "lb"):
            continue
        if child.tag == "code":  # as the extractor gives it (verbatim_code finds the page's)
            raw = xmltotxt(child, False)
            if clean_lines(raw):
                blocks.append(("code", raw))
                ranges.append([])
            continue
        raw = xmltotxt(child, False)
        lines = raw.split("\n")
        marked: list[tuple[str, list[tuple[int, int]]] | None] = [None] * len(lines)
        if inline is not None and next(child.iter("code"), None) is not None and not any(
                mark in raw for mark in CODE_MARKS):
            text = _marked_text(child).split("\n")
            if len(text) == len(lines):  # a line's marks where its text is the same
                marked = [m if m is not None and m[0] == clean_line(line) else None
                          for line, m in zip(lines, map(_clean_marked, text), strict=True)]
        if child.tag in ("p", "head"):
            kind = child.tag
            if kind == "head":
                kind = child.get("rend") if child.get("rend") in HEADING_KINDS else "h2"
            text, spans = "", []
            if any(m is None for m in marked):  # no code, or a code over a line break
                text = clean_lines(raw)
            else:
                for clean, found in marked:  # type: ignore[misc]
                    if clean:
                        at = len(text) + (1 if text else 0)
                        text += ("\n" if text else "") + clean
                        spans += [(start + at, end + at) for start, end in found]
            if text:
                blocks.append((kind, text))
                ranges.append(spans)
            continue
        kind = {"list": "item", "table": "row", "quote": "quote"}.get(child.tag, "p")
        for line, mark in zip(lines, marked, strict=True):
            line = clean_line(line)
            spans = mark[1] if mark is not None else []
            if line.startswith("- "):  # trafilatura's list-item marker
                cut = 2 + _lead(line[2:])
                line = line[2:].strip()
                spans = _within(line, spans, cut)
            if kind == "row":
                cut = _lead(line, "| ")
                line = line.strip("| ")
                spans = _within(line, spans, cut)
                cut = _lead(line)
                line = line.strip()
                spans = _within(line, spans, cut)
                if _TABLE_RULE.fullmatch(line):
                    continue  # the rule the extractor writes under a header row
            if line:
                blocks.append((kind, line))
                ranges.append(spans)
    if inline is not None:
        inline += ranges
    return blocks


def _around_code(body, pres: frozenset[str]):
    """The children of ``body``, each list or quote that holds a code block of the page
    (a ``code`` child of one of its items, or of the quote, whose text is a ``<pre>``'s)
    cut into lists or quotes of what stands before, between and after its code blocks,
    and those code blocks."""
    from copy import deepcopy

    from lxml import etree

    def block_code(node) -> bool:  # its own text, not its tail's
        return node.tag == "code" and _squeezed("".join(node.itertext())) in pres

    for child in body:
        if child.tag == "list":
            parts = [(item, item) for item in child]
        elif child.tag == "quote":
            parts = [(child, None)]
        else:
            yield child
            continue
        if not any(block_code(node) for holder, _ in parts for node in holder):
            yield child
            continue
        for holder, item in parts:
            run = etree.Element(child.tag, dict(child.attrib))  # what is before the code
            inner = etree.SubElement(run, "item", dict(item.attrib)) if item is not None else run
            inner.text = holder.text
            for node in holder:
                if not block_code(node):
                    inner.append(deepcopy(node))
                    continue
                yield run
                code = deepcopy(node)
                code.tail = None
                yield code
                run = etree.Element(child.tag, dict(child.attrib))
                inner = etree.SubElement(run, "item") if item is not None else run
                inner.text = node.tail
            yield run


def stand_ins(text: str, elsewhere: str = "", unshown: str = "") -> dict[str, str] | None:
    """Each character of :data:`CARRIED` in ``text`` (a page's texts) or ``unshown`` (its
    metadata: :func:`metadata_texts`), and ``&`` where ``text`` holds what reads as an
    entity ("&amp;#151;" shows as "&#151;", which the extractor decodes again), with a
    stand-in that is in neither ``text`` nor ``elsewhere`` (in order of first
    appearance); None when there is nothing to carry or the stand-ins run out.

    >>> stand_ins("mi\u200cx \u200c\u200f") == {"\u200c": "\U00020000", "\u200f": "\U00020001"}
    True
    >>> stand_ins("mi\u200c \U00020000", "\U00020001") == {"\u200c": "\U00020002"}
    True
    >>> stand_ins("it shows &#151; as written") == {"&": "\U00020000"}
    True
    >>> stand_ins("R&D & plain text") is None
    True
    >>> stand_ins("R&D", "", "mi\u200cx &amp;") == {"\u200c": "\U00020000"}
    True
    """
    carried = dict.fromkeys(CARRIED.findall(text) + CARRIED.findall(unshown))
    if NBSP_INSIDE.search(text):
        carried["\u00a0"] = None
    if "&" in text and unescape(text) != text:
        carried["&"] = None
    if not carried:
        return None
    present = set(text) | set(elsewhere)
    free = (chr(c) for c in range(STAND_IN_START, STAND_IN_END + 1) if chr(c) not in present)
    mapping = dict(zip(carried, free, strict=False))  # free may run out
    return mapping if len(mapping) == len(carried) else None


_RAW_TEXT = frozenset({"script", "style"})


def tree_texts(tree) -> tuple[str, str]:
    """The texts and tails of ``tree``'s elements, one after another, and the rest: its
    scripts' and styles' texts, its attribute values.

    >>> import lxml.html
    >>> tree_texts(lxml.html.fromstring('<p title="t">a&zwnj;b<script>x&amp;&lt</script>'
    ...                                 '<b>c</b>d</p>')) == ("a\u200cbcd", "tx&amp;&lt")
    True
    """
    texts: list[str] = []
    rest: list[str] = []
    add_text, add_rest, more_rest = texts.append, rest.append, rest.extend
    for element in tree.iter():
        more_rest(element.values())  # (no _Attrib for each element)
        text = element.text
        if text:
            (add_rest if element.tag in _RAW_TEXT else add_text)(text)
        tail = element.tail
        if tail:
            add_text(tail)
    return "".join(texts), "".join(rest)


def json_unescaped(text: str) -> str:
    r"""A JSON text with the escapes of :data:`CARRIED` characters written as the
    characters (the same JSON), so that they are carried as the page's texts' are.

    >>> json_unescaped(r'{"a": "mi\u200Cx \"\\u200c\" \ud83d\ude00 \udb40\udc7f"}')
    '{"a": "mi\u200cx \\"\\\\u200c\\" \\ud83d\\ude00 \U000e007f"}'
    """
    def written(match: re.Match) -> str:
        high, low, code = match.groups()
        if code:
            char = chr(int(code, 16))
        elif high:
            char = chr(0x10000 + (int(high, 16) - 0xD800) * 0x400 + int(low, 16) - 0xDC00)
        else:
            return match.group()
        return char if CARRIED.match(char) else match.group()

    return _JSON_ESCAPE.sub(written, text) if "\\" in text else text


# Direction marks and embeddings, as characters or JSON escapes: in a date ("\u200f
# 2023-05-04", as a right-to-left page's software writes it) they keep the date search
# from reading it (the date was lost), and they mean nothing there.
_DIRECTION_MARKS = re.compile(r"[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
                              r"|\\u(?:200[ef]|061c|202[a-e]|206[6-9])", re.IGNORECASE)
# A JSON-LD date: "datePublished": "...", "dateModified", "dateCreated", "uploadDate".
_JSON_DATE = re.compile(r'("(?:date\w{0,20}|uploadDate)"\s*:\s*")([^"]{0,200})"')


def dates_without_marks(metas: list, scripts: list) -> None:
    """Take the direction marks (:data:`_DIRECTION_MARKS`) out of the page's dates: the
    date values of its JSON-LD (``scripts``) and the content of its ``<meta>`` elements
    (``metas``) named for a date or time (``article:published_time``, ``date``).

    >>> import lxml.html
    >>> tree = lxml.html.fromstring('<html><head><meta name="date" content="\u200f4/5/2023">'
    ...     '<script type="application/ld+json">{"datePublished": "\\u200f2023-05-04", '
    ...     '"name": "\\u200fa"}</script></head></html>')
    >>> dates_without_marks(*metadata_elements(tree))
    >>> tree[0][0].get("content"), tree[0][1].text
    ('4/5/2023', '{"datePublished": "2023-05-04", "name": "\\u200fa"}')
    """
    for meta in metas:
        name = " ".join(meta.get(key) or "" for key in ("name", "property", "itemprop"))
        content = meta.get("content")
        if ("date" in name.lower() or "time" in name.lower()) and _DIRECTION_MARKS.search(
                content):
            meta.set("content", _DIRECTION_MARKS.sub("", content))
    for script in scripts:
        if script.text and _DIRECTION_MARKS.search(script.text):
            script.text = _JSON_DATE.sub(
                lambda m: m.group(1) + _DIRECTION_MARKS.sub("", m.group(2)) + '"', script.text)


def json_ld_with_context(text: str) -> str:
    """A JSON-LD object (or list of objects) with a ``@type`` and no ``@context``, given
    schema.org's, which the extractor reads only with it: the author (a ``Person``) and
    the date of such a page were dropped. Any other text is returned as it is.

    >>> json_ld_with_context('{"@type": "NewsArticle", "author": {"@type": "Person"}}')
    '{"@context": "https://schema.org", "@type": "NewsArticle", "author": {"@type": "Person"}}'
    >>> json_ld_with_context('[{"@type": "Person", "name": "Ann"}]')
    '[{"@context": "https://schema.org", "@type": "Person", "name": "Ann"}]'
    >>> json_ld_with_context('{"@context": "https://schema.org", "@type": "Person"}')
    '{"@context": "https://schema.org", "@type": "Person"}'
    """
    if '"@context"' in text or '"@type"' not in text:
        return text
    try:
        found = json.loads(text)
    except ValueError:
        return text
    items = found if isinstance(found, list) else [found]
    if not items or not all(isinstance(item, dict) and "@type" in item for item in items):
        return text
    return json.dumps([{"@context": "https://schema.org", **item} for item in items]
                      if isinstance(found, list)
                      else {"@context": "https://schema.org", **found}, ensure_ascii=False)


def metadata_elements(tree) -> tuple[list, list]:
    """The page's ``<meta>`` elements with a ``content``, and its JSON-LD scripts."""
    return tree.xpath(".//meta[@content]"), tree.xpath(_JSON_LD)


def metadata_texts(tree) -> str:
    """The texts the page's metadata is read from besides its texts (the ``content`` of
    its ``<meta>`` elements, its JSON-LD), one after another; its JSON-LD's escapes of
    :data:`CARRIED` characters are written as the characters (:func:`json_unescaped`),
    its dates without direction marks (:func:`dates_without_marks`): changes the tree.

    >>> import lxml.html
    >>> metadata_texts(lxml.html.fromstring(
    ...     '<html><head><meta name="author" content="Ann"><script type="application/ld+json">'
    ...     '{"a": "mi\\u200cx"}</script></head><p>x</p></html>')) == 'Ann{"a": "mi\u200cx"}'
    True
    """
    metas, scripts = metadata_elements(tree)
    dates_without_marks(metas, scripts)
    for script in scripts:
        if script.text:
            script.text = json_unescaped(json_ld_with_context(script.text))
    return "".join([meta.get("content") for meta in metas]
                   + [script.text for script in scripts if script.text])


def carry_invisible(tree, mapping: dict[str, str]) -> None:
    """Put each carried character's stand-in (``mapping``) in place of it in the texts of
    ``tree`` (its elements' text and tails, not its scripts' and styles'; attributes are
    left as they are) and in its metadata (:func:`metadata_elements`: without ``&``); a
    lone private-use glyph (:data:`LONE_PRIVATE_USE`) is left to the extractor.

    >>> import lxml.html
    >>> tree = lxml.html.fromstring("<p>ผู\uf70aใหญ <i>\uf099</i> Partilhe \uf099</p>")
    >>> carry_invisible(tree, {"\uf70a": "A", "\uf099": "B"})
    >>> tree.text, tree[0].text, tree[0].tail
    ('ผูAใหญ ', '\uf099', ' Partilhe \uf099')
    >>> tree = lxml.html.fromstring('<p><meta property="og:title" content="a\u200c &amp;">'
    ...                             '<script>"\u200c &"</script>\u200c &amp;</p>')
    >>> carry_invisible(tree, {"\u200c": "A", "&": "B"})
    >>> tree[0].get("content"), tree[1].text, tree[1].tail
    ('aA &', '"\u200c &"', 'A B')
    """
    nbsp = mapping.get("\u00a0")  # carried where NBSP_INSIDE finds it only

    def carried(text: str, table: dict[int, str]) -> str:  # the lone glyphs: odd places
        text = "".join(part if n % 2 else part.translate(table)
                       for n, part in enumerate(LONE_PRIVATE_USE.split(text)))
        return NBSP_INSIDE.sub(nbsp, text) if nbsp else text

    mapping = {char: stand_in for char, stand_in in mapping.items() if char != "\u00a0"}
    table = str.maketrans(mapping)
    for element in tree.iter():
        if element.text and element.tag not in ("script", "style"):
            element.text = carried(element.text, table)
        if element.tail:
            element.tail = carried(element.tail, table)
    table = str.maketrans({char: stand_in for char, stand_in in mapping.items() if char != "&"})
    metas, scripts = metadata_elements(tree)
    for meta in metas:
        meta.set("content", carried(meta.get("content"), table))
    for script in scripts:
        if script.text:
            script.text = carried(script.text, table)


def site_name_guessed(sitename: str, full: str, h1: str, declared: Iterable[str]) -> bool:
    """Whether ``sitename`` is the extractor's guess from a part of the ``<title>``
    (``full``) that holds a period, on a page whose ``<title>`` is its only ``<h1>``
    (``h1``), the headline, and which declares no such name (``declared``: the content
    of its ``<meta>`` elements): such a title names no site, and the part is the
    headline's ("Borgen, 1969 - DAB nr.: 860-7768 - Pris (DKK) kr", "Tukholma - Oslo
    (ajoaika n. 10 tuntia)": bench/harm.py, 36 of 3,365 dev pages).

    >>> site_name_guessed("Oslo (ajoaika n. 10 tuntia)", "Tukholma - Oslo (ajoaika n. 10 "
    ...                   "tuntia)", "Tukholma - Oslo (ajoaika n. 10 tuntia)", [])
    True
    >>> site_name_guessed("NPR.org", "Plague - NPR.org", "Plague", [])  # a site's name
    False
    >>> site_name_guessed("X.com", "X.com - Plague", "X.com - Plague", ["X.com"])
    False
    """
    return (bool(sitename) and bool(h1) and full == h1 and sitename != full
            and sitename in full and sitename not in {clean_line(d) for d in declared})


def strip_site_name(title: str, sitename: str = "") -> str:
    """The title without the site's name that pages append (or prepend) to it.

    >>> strip_site_name("Plague in China | NPR", "NPR")
    'Plague in China'
    >>> strip_site_name("NPR - Plague in China", "NPR")
    'Plague in China'
    >>> strip_site_name("Plague in China - a report", "NPR")
    'Plague in China - a report'
    """
    if not sitename:
        return title
    for separator in TITLE_SEPARATORS:
        if title.casefold().endswith((separator + sitename).casefold()):
            return title[: -len(separator + sitename)].strip()
        if title.casefold().startswith((sitename + separator).casefold()):
            return title[len(sitename + separator) :].strip()
    return title


def whole_title(found: str, full: str, h1: str = "") -> str:
    """The page's title, where the extractor's (``found``) is a part of its ``<title>``
    (``full``) that is not: ``full`` where its only separator is a colon (a colon with
    spaces around it is a headline's own punctuation, French "Brexit : ce qui va
    changer", which the extractor, :data:`_TITLE_SEPARATOR`, took for the one before a
    site's name and kept "Brexit"); ``full`` less ``found`` where ``found`` is the
    page's only ``<h1>`` (``h1``) and the site's name ``full`` ends with (a menu bar's
    title: "Hello, World! - The Rust Programming Language"); else ``found``.

    >>> whole_title("Brexit", "Brexit : ce qui va changer")
    'Brexit : ce qui va changer'
    >>> whole_title("Título", "Título - Site"), whole_title("Brexit", "Brexit : x | Site")
    ('Título', 'Brexit')
    >>> whole_title("Site", "Página - Site", h1="Site"), whole_title("Site", "Site", h1="Site")
    ('Página', 'Site')
    >>> whole_title("Título", "Título - Site", h1="Título")
    'Título'
    """
    parts = _TITLE_SEPARATOR.split(full)
    if len(parts) == 3 and parts[1] == ":" and found in (parts[0], parts[2]):
        return full
    if found == h1 and any(full.endswith(separator + found) for separator in TITLE_SEPARATORS):
        return strip_site_name(full, found) or found
    return found


def title_after_site_name(found: str, full: str, names: Callable[[], frozenset[str]],
                          url: str = "") -> str:
    """The part of the ``<title>`` (``full``) after the site's name where the title the
    extractor found (``found``) is that name, the part before a separator: a "Site |
    Headline" title, of which the extractor keeps the first part where the page has no
    ``<h1>`` or ``og:title`` to go by. ``found`` is the site's name when the page calls
    itself so elsewhere: one of ``names()`` (its ``og:site_name``, what its links to its
    home page say: :func:`home_link_names`; asked for only then), or the letters of its
    address's host (``url``), its first word aside or not ("The Coast Gazette" at
    coastgazette.example). Else ``found``.

    >>> title_after_site_name("Daily Planet", "Daily Planet | Port reopens", frozenset)
    'Daily Planet'
    >>> title_after_site_name("Daily Planet", "Daily Planet | Port reopens",
    ...                       lambda: frozenset({"Daily Planet"}))
    'Port reopens'
    >>> title_after_site_name("The Planet", "The Planet - Port reopens", frozenset,
    ...                       "https://www.planet.example/a")
    'Port reopens'
    >>> title_after_site_name("Port reopens", "Port reopens | Planet",
    ...                       lambda: frozenset({"Planet"}))
    'Port reopens'
    """
    rest = next((full[len(found + separator):].strip() for separator in TITLE_SEPARATORS
                 if full.startswith(found + separator)), "")
    if not rest:
        return found
    words = found.casefold().split()
    host = re.sub(r"[\W_]", "", url.split("//", 1)[-1].split("/", 1)[0].casefold())
    if any(same_text(found, name) for name in names()) or any(
            len(letters) >= 4 and letters in host
            for letters in (re.sub(r"[\W_]", "", "".join(words[n:])) for n in (0, 1))):
        return rest
    return found


def is_title_line(line: str, title: str) -> bool:
    """True when ``line`` is the page's title, or the title less a site name around it.

    >>> is_title_line("Meal Prep Ideas", "Meal Prep Ideas | The Blog")
    True
    >>> is_title_line("Breaking: Chelsea sign Kepa", "LinkNaija | Breaking: Chelsea sign Kepa")
    True
    >>> is_title_line("Meal", "Meal Prep Ideas | The Blog")
    False
    """
    if not line or not title:
        return False
    if same_text(line, title):
        return True
    a, b = " ".join(line.casefold().split()), " ".join(title.casefold().split())
    return any(b.startswith(a + sep.casefold()) or b.endswith(sep.casefold() + a)
               for sep in TITLE_SEPARATORS)


def split_headline(blocks: list[tuple[str, str]], title: str) -> tuple[str, list[tuple[str, str]]]:
    """The article's headline and the blocks after it.

    Among the headings that open the article, the first ``h1`` is the headline and the
    headings before it (a kicker, a section name) go. Without one, a first block that
    is the page's title (less the site's name) is the headline. Else the title is.

    >>> split_headline([("h6", "science"), ("h1", "Cells Taste"), ("p", "Text.")], "T")
    ('Cells Taste', [('p', 'Text.')])
    >>> split_headline([("p", "Nice Title"), ("p", "Text.")], "Nice Title - Site")
    ('Nice Title', [('p', 'Text.')])
    >>> split_headline([("p", "Text.")], "Nice Title")
    ('Nice Title', [('p', 'Text.')])
    """
    for i, (kind, text) in enumerate(blocks):
        if kind not in HEADING_KINDS:
            break
        if kind == "h1":
            return text, blocks[i + 1 :]
    if blocks and is_title_line(blocks[0][1], title):
        return blocks[0][1], blocks[1:]
    return title, blocks


# The address a browser saved a page from, in the comment it writes before the markup
# (Chrome's "Webpage, Complete", Internet Explorer's: "the mark of the web"; the number
# is the address's length), or near it (the SingleFile extension's "Page saved with
# SingleFile", its "url:" line). "about:internet" (a page saved from a file) names none.
_SAVED_FROM = re.compile(
    r"<!--\s*saved from url=\(\d{1,5}\)(https?://[^\s<>\"']{1,2000}?)\s*-->"
    r"|<!--\s*Page saved with SingleFile\s[^<>]{0,200}?\burl:\s*(https?://[^\s<>\"']{1,2000})",
    re.IGNORECASE)


def saved_from(text: str) -> str:
    """The web address a browser saved the page from (:data:`_SAVED_FROM`), else "".

    >>> saved_from('<!DOCTYPE html>\\n<!-- saved from url=(0022)https://gazette.example/ -->')
    'https://gazette.example/'
    >>> saved_from("<!-- saved from url=(0014)about:internet --><html>")
    ''
    >>> saved_from("<html><!--\\n Page saved with SingleFile \\n url: https://a.example/p \\n-->")
    'https://a.example/p'
    """
    match = _SAVED_FROM.search(text[:CHARSET_SCAN_BYTES])
    return (match.group(1) or match.group(2)) if match else ""


def one_word_author(tree, back: dict[int, str] | None = None) -> str:
    """The author a page's ``<meta>`` names (:data:`AUTHOR_META_NAMES`) in one word: a
    news agency ("Lusa", "Reuters"), a writer known by one name, which the extractor
    drops (it keeps only names with a space); not an address, a handle, a word in lower
    case, a code in capitals longer than an agency's (:data:`MAX_AGENCY_LETTERS`: "AFP",
    "EFE", "ANSA"; not a station's account, "KWCHCIK") or a role
    (:data:`NO_AUTHOR_WORDS`). ``back``: the table that puts the carried characters
    back in the tree's texts. "" when there is none.

    >>> import lxml.html
    >>> one_word_author(lxml.html.fromstring('<html><head><meta name="author" '
    ...     'content=" Lusa "><meta name="author" content="admin"></head></html>'))
    'Lusa'
    >>> one_word_author(lxml.html.fromstring('<html><head><meta name="author" '
    ...     'content="Redação"><meta property="article:author" content="https://fb.com/x">'
    ...     '</head></html>'))
    ''
    """
    for meta in tree.iter("meta"):
        names = {(meta.get(key) or "").strip().lower() for key in ("name", "property")}
        if not names & AUTHOR_META_NAMES:
            continue
        value = (meta.get("content") or "").translate(back or {}).strip()
        if (_ONE_WORD_NAME.fullmatch(value) and not value[0].islower()
                and not (value.isupper() and len(value) > MAX_AGENCY_LETTERS)
                and value.casefold() not in NO_AUTHOR_WORDS):
            return value
    return ""


def is_byline(text: str, authors: list[str]) -> bool:
    """True for a short line that names the page's author: a byline or dateline.

    >>> is_byline("5:45 AM PST 11/19/2019 by Patrick Shanley", ["Patrick Shanley"])
    True
    >>> is_byline("Patrick Shanley said the launch went well.", ["Patrick Shanley"])
    False
    """
    if len(text.split()) > BYLINE_MAX_WORDS or text.rstrip().endswith((".", "!", "?", ":")):
        return False
    folded = text.casefold()
    return any(author.casefold() in folded for author in authors if len(author) > 3)


def is_pointer(text: str) -> bool:
    """True for a line that points to another article ("Related: ...", "Also: ...").

    >>> is_pointer("Also: See Black Friday coverage at CNET"), is_pointer("Also, it rained.")
    (True, False)
    """
    return (len(text.split()) <= POINTER_MAX_WORDS
            and text.casefold().startswith(POINTER_PREFIXES))


def is_call_to_action(text: str) -> bool:
    """True for a short block that asks the reader to subscribe, follow, write in...

    >>> is_call_to_action("Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.")
    True
    >>> is_call_to_action("Netflix added two million subscribers in the quarter.")
    False
    """
    return len(text.split()) <= CALL_TO_ACTION_MAX_WORDS and bool(CALL_TO_ACTION.search(text))


def is_copyright_notice(text: str) -> bool:
    """True for a short block that is a copyright notice (:data:`COPYRIGHT_NOTICE`).

    >>> is_copyright_notice("© 2024 The Coast Gazette"), is_copyright_notice("copyright X 2019")
    (True, True)
    >>> is_copyright_notice("The court ruled that the copyright belongs to the agency.")
    False
    """
    return (len(text.split()) <= COPYRIGHT_NOTICE_MAX_WORDS
            and bool(COPYRIGHT_NOTICE.search(text)))


def strip_markup_leftovers(text: str) -> str:
    """A block without unrendered shortcodes and without a leading rule of underscores.

    >>> strip_markup_leftovers('[button link="http://x.y/a" type="big"]Send us a review[/button]')
    'Send us a review'
    >>> strip_markup_leftovers("_______ Eric Song is our deal curator.")
    'Eric Song is our deal curator.'
    >>> strip_markup_leftovers("The [Video] and [1] stay.")
    'The [Video] and [1] stay.'
    >>> strip_markup_leftovers("\u00a0rundt 14\u00a0000  \u00a0 km\u00a0")
    'rundt 14\xa0000 km'
    """
    return _NBSP_KEPT.sub(" ", _RULE.sub("", _SHORTCODE.sub("", text))).strip()


def tidy_article(blocks: list[tuple[str, str]], authors: list[str]) -> list[tuple[str, str]]:
    """Page-level cleanup of the extracted body (after the headline is taken out).

    Drops what an extractor leaves around an article: a byline among the first blocks
    (the author is in the metadata), pointers to other articles, unrendered shortcodes,
    and the run of calls to action (with the widget labels among them, see
    :mod:`pipeline.stages.boilerplate`) that closes the page.

    >>> tidy_article([("p", "By Ann Lee"), ("p", "Rain fell."), ("p", "Related: Snow"),
    ...               ("p", "It stopped."), ("p", "Subscribe to our newsletter.")], ["Ann Lee"])
    [('p', 'Rain fell.'), ('p', 'It stopped.')]
    """
    return [(kind, text) for _, kind, text in tidied(blocks, authors)]


def tidied(blocks: list[tuple[str, str]], authors: list[str]) -> list[tuple[int, str, str]]:
    """What :func:`tidy_article` keeps, each with its index in ``blocks``.

    >>> tidied([("p", "Related: Snow"), ("p", "Rain  fell."), ("p", "Page 2 of 3")], [])
    [(1, 'p', 'Rain fell.')]
    """
    kept: list[tuple[int, str, str]] = []
    for i, (kind, text) in enumerate(blocks):
        text = strip_markup_leftovers(text)
        if not text or is_pointer(text) or PAGE_COUNTER.fullmatch(text.strip(" ()[]|·-–—")):
            continue
        if i < BYLINE_SEARCH_BLOCKS and kind not in HEADING_KINDS and is_byline(text, authors):
            continue
        kept.append((i, kind, text))
    from pipeline.stages.boilerplate import classify_line, default_lexicon

    def closing(text: str) -> bool:  # a call to action, a widget label ("comments"), a ©
        label = classify_line(text, default_lexicon())
        return (is_call_to_action(text) or is_copyright_notice(text)
                or (label is not None and label.kind == "widget_label"))

    tail = 0
    while tail < min(CALL_TO_ACTION_TAIL_BLOCKS, len(kept) - 1) and closing(
        kept[len(kept) - 1 - tail][2]
    ):
        tail += 1
    return kept[: len(kept) - tail]


def extract(data: bytes, *, source: str = "") -> Page:
    """The main text of an HTML page as blocks, with the metadata the page declares.

    ``source`` names the page in error messages. Raises :class:`NoText` when the page
    holds no article text (a menu, a redirect, a page built by scripts), with the
    reason.
    """
    import trafilatura

    where = f"{source}: " if source else ""
    text, encoding = decode_page(data)
    if not text.strip():
        raise NoText(f"{where}empty page")
    if "\x00" in text[:CHARSET_SCAN_BYTES]:
        raise NoText(f"{where}binary file (NUL bytes): not an HTML page")
    tree = parse_page(without_xml_declaration(text), where)
    if tree is None:
        reason = ("the markup could not be parsed" if looks_like_html(text)
                  else "no markup found; if it is plain text, name it .txt")
        raise NoText(f"{where}not an HTML page: {reason}")
    target = redirect_target(tree)
    if target:
        from pipeline.log import shown as escaped

        raise NoText(f"{where}a redirect to {escaped(target)[:200]}: a browser shows that "
                     "page, not this one's text")
    lang = html_lang(tree)
    links = link_texts(tree)
    pres = [preformatted_text(pre) for pre in tree.iter("pre")]  # before the extractor
    unwrap_code_figures(tree)  # changes the tree
    paragraphs_beside_code(tree)
    itemprop_dates_as_meta(tree)  # before: a hidden copy may hold the date
    drop_hidden_metadata(tree)
    if "reader-header" in text:  # (a walk over every element, else: only for those)
        reader_view_metadata(tree)
    absolute_canonical(tree)
    drop_folder_base(tree)
    mark_preformatted(tree)
    mark_inline_code(tree)
    times_as_text(tree)
    formulas_and_controls_as_text(tree)
    flow_code_paragraphs(tree)
    feed_items_apart(tree)
    unshown = metadata_texts(tree)  # before the texts (it writes JSON-LD's escapes out)
    carried = stand_ins(*tree_texts(tree), unshown)  # after the parser's entities: "&zwnj;"
    if carried:
        carry_invisible(tree, carried)  # changes the tree
    h1s = tree.findall(".//h1")  # the extractor's title when there is one (before it
    h1 = clean_line(h1s[0].text_content()) if len(h1s) == 1 else ""  # changes the tree)
    # trafilatura's default balance, with its fallback extractors. Measured on the dev
    # half of bench/html.py: favor_precision gains F1 on one page (a standfirst the gold
    # body leaves out) and loses real paragraphs and headings on three; fast (no
    # fallbacks) scores the same there, and the fallbacks are kept for odd pages.
    result = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        # Dates from the page's markup only (meta tags, <time>, the address): the
        # extensive search also reads the text, and made "Em 2018 o projeto mudou de
        # nome" a date of 2018-01-01 (160 of the Rust book's 470 pages). The 91 pages
        # of bench/html_pages.py's data keep the same dates either way.
        date_extraction_params={"original_date": True, "extensive_search": False,
                                "max_date": LATEST_DATE},
    )
    metadata: dict[str, str] = {}
    body: list[tuple[str, str]] = []
    inline: list[list[tuple[int, int]]] = []  # each block's inline code (Page.inline)
    back = str.maketrans({stand_in: char for char, stand_in in (carried or {}).items()})
    if result is not None:
        for key, attribute in METADATA_KEYS.items():
            value = without_markup(clean_line(metadata_chars(
                str(getattr(result, attribute, None) or "").translate(back))))
            if value:
                metadata[key] = value
        if result.body is not None:
            ahead = str.maketrans(carried or {})  # the code blocks as the extractor saw them
            keys = frozenset(filter(None, (_squeezed(pre.translate(ahead)) for pre in pres)))
            found: list[list[tuple[int, int]]] = []
            blocks = [(kind, block.translate(back))  # one character for one: spans hold
                      for kind, block in body_blocks(result.body, keys, found)]
            kept_blocks = [(block, code) for block, code in zip(blocks, found, strict=True)
                if block[0] in HEADING_KINDS or block[0] == "code"
                or not is_link_list(block[1], links)]
            body = [block for block, _ in kept_blocks]
            inline = [code for _, code in kept_blocks]
    if "author" not in metadata:  # the extractor's, else one that it drops for one word
        author = one_word_author(tree, back)
        if author:  # in its place among the keys
            metadata = {key: author if key == "author" else metadata[key]
                        for key in METADATA_KEYS if key == "author" or key in metadata}
    address = "" if "url" in metadata else saved_from(text)
    if address:  # the address a browser saved the page from, in its place among the keys
        metadata = {key: address if key == "url" else metadata[key]
                    for key in METADATA_KEYS if key == "url" or key in metadata}
    if _DIRECTION_MARKS.search(metadata.get("author", "")):  # a right-to-left page's,
        metadata["author"] = "; ".join(  # around its authors' names
            filter(None, (_DIRECTION_MARKS.sub("", part.strip()).strip()
                          for part in metadata["author"].split(";")))) or metadata["author"]
    if lang:
        metadata["lang"] = lang
    element = tree.find(".//head//title")  # its text, as the extractor reads it
    full = clean_line(element.text_content().translate(back)) if element is not None else ""
    if site_name_guessed(metadata.get("sitename", ""), full, h1.translate(back),
                         (str(c).translate(back) for c in tree.xpath("//meta/@content"))):
        del metadata["sitename"]
    if metadata.get("title"):
        metadata["title"] = title_after_site_name(
            whole_title(metadata["title"], full, h1.translate(back)), full,
            lambda: home_link_names(tree) | {metadata.get("sitename", "")},
            metadata.get("url", ""))
    title = strip_site_name(metadata.get("title", ""), metadata.get("sitename", ""))
    headline, rest = split_headline(body, title)
    if (headline != title and is_title_line(headline, full)
            and not is_title_line(metadata.get("title", ""), full)):
        # the article's heading that the <title> names, not what the extractor took for
        # the title elsewhere (mdBook's help box, "Keyboard shortcuts"; a social title)
        metadata["title"] = headline
    taken = len(body) - len(rest)  # the blocks up to the headline, when it is one of them
    headline_code = inline[taken - 1] if taken and body[taken - 1][1] == headline else []
    body, inline = rest, inline[taken:]
    found_h1 = None if taken else next(
        (n for n, (kind, text) in enumerate(body[:HEADLINE_SEARCH_BLOCKS])
         if kind == "h1" and is_title_line(text, headline)), None)
    if found_h1 is not None:  # after a line or two that are no heading: it is the headline
        headline, headline_code = body[found_h1][1], inline[found_h1]
        del body[found_h1], inline[found_h1]
    authors = [a.strip() for a in metadata.get("author", "").split(";") if a.strip()]
    # Code blocks are not text to clean, analyse or translate: line by line they are
    # mangled by the text stages (indentation, lone braces taken for repeated interface
    # strings, output lines joined) and sent to translation as sentences in whatever
    # language they resemble. They are kept apart, as the page shows them, each with
    # its place among the paragraphs (readers.html puts them back into the copies);
    # the paragraphs are what they would be without them.
    prose = [n for n, (kind, _) in enumerate(body) if kind != "code"]
    kept = tidied([body[n] for n in prose], authors)
    paragraphs = [text for _, _, text in kept]
    kept_at = [prose[i] for i, _, _ in kept]  # where each paragraph was in ``body``
    # a paragraph's inline code, where the tidying left its text as the extractor gave it
    codes = [inline[n] if text == body[n][1] else [] for n, text in zip(
        kept_at, paragraphs, strict=True)]
    found = [n for n, (kind, _) in enumerate(body) if kind == "code"]
    texts = verbatim_code([body[n][1] for n in found], pres)
    lead = 1 if headline else 0
    code = [(lead + bisect_left(kept_at, n), text) for n, text in zip(found, texts, strict=True)
            if text is not None]
    # code matching no <pre>: inline code the extractor took out of its sentence (in a
    # caption, a note), left out as it always was
    lifted = [clean_lines(body[n][1]) for n, text in zip(found, texts, strict=True)
              if text is None]
    # a page its scripts build that shows a link or two ("Gazette", "Sign in") or a
    # "Loading…": the extractor took that for its article
    no_article = not paragraphs or not code and shows_no_article(paragraphs, links)
    shell = app_data(tree, sum(map(len, paragraphs))) if paragraphs and no_article else ""
    if not code and not lifted and (len(paragraphs) == 1 or no_article):
        # schema.org's articleBody: JSON-LD's, which the extractor gives as one paragraph,
        # and the one a page its scripts build may hold in its data
        found = json_article(tree, None if no_article else paragraphs[0], back)
        if found:
            paragraphs = [text for _, _, text in tidied([("p", text) for text in found],
                                                        authors)]
            codes, shell = [[] for _ in paragraphs], ""
    if not paragraphs or shell:
        from pipeline.log import shown as escaped

        # the page as parsed, before the changes above: counted only for the reason (a
        # walk over every element of every page, 6% of the extraction's time, before)
        visible = _visible_chars(parse_page(without_xml_declaration(text), where))

        frames = [escaped(str(src))[:200] for src in tree.xpath("//frame/@src | //iframe/@src")][:3]
        data = shell or app_data(tree, visible)
        shown = (
            # a frameset's text is in other files, which the user may have saved too
            f"a page of frames: its text is in the pages it frames ({', '.join(frames)}); "
            "put those in the corpus" if frames and visible == 0
            # a page its scripts build in the browser (Next.js, Nuxt), saved as it came
            # (its scripts, at the site's addresses, do not run from a saved file)
            else f"its text is in its scripts' data ({data}), which a browser shows once "
                 "its scripts have run: save the page from the browser that shows it "
                 "('Save page as...', Webpage, complete or single file)" if data
            else "no visible text outside scripts" if visible == 0
            else f"only code blocks ({len(code) + len(lifted)})" if code or lifted
            else f"only navigation, scripts or boilerplate ({visible} characters of visible "
                 "text, none of it an article)"
        )
        raise NoText(f"{where}no article text found in the page ({shown})")
    return Page(blocks=[headline, *paragraphs] if headline else paragraphs,
                metadata=metadata, encoding=encoding, headline=headline, code=code,
                lifted=lifted, inline=[headline_code, *codes] if headline else codes)
