"""Normalize stage: character-level repairs of the decoded text, then the block layout.

Each repair is a small pure ``str -> str`` function (ftfy style: its docstring shows
what it does). :class:`Normalize` runs them in a fixed order on ``doc.text``, records
every change as a fix, and finally splits the text into paragraph blocks on blank lines.

Order matters: HTML entities first (``&#195;&#169;`` may decode to mojibake), mojibake
next (``Ã`` + soft hyphen is the mojibake of ``í``, so invisible characters and
non-breaking spaces are only touched once mojibake is repaired), whitespace last.

Text without artefacts comes out unchanged: legitimate typography (curly quotes,
ligatures, fullwidth forms, decomposed accents, joiners used by some scripts and by
emoji) is left alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.entities import html5

import ftfy

from pipeline.document import Block, Document, Stage

# Line endings other than "\n": Windows "\r\n", old Mac "\r", and the Unicode line and
# paragraph separators (U+2028, U+2029) that some CMS exports use.
NEWLINE_VARIANTS = re.compile("\r\n|[\r\u2028\u2029]")

# A candidate HTML entity, always with its final ";": decimal (&#233;), hexadecimal
# (&#xE9;) or named (&amp;). Whether it is a real entity is checked on decoding, so
# "AT&T", "a=1&b=2" and "&notanentity;" are left alone.
HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

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

# Invisible characters that are artefacts in news text (a stray BOM, U+FEFF, is already
# gone: ftfy removes it with the control characters). Zero-width (non-)joiners
# (U+200C/D) and direction marks (U+200E/F) are NOT here: Persian, Indic scripts and
# emoji sequences need them.
INVISIBLE_CHARS = {
    0x00AD: None,  # soft hyphen: a hyphenation hint that only matters when rendering
    0x200B: None,  # zero-width space
    0x2060: None,  # word joiner
}

# A no-break space between two letters ("Kim\u00a0Jong") is a plain space that a
# WYSIWYG editor made sticky. Elsewhere it is typography and kept: before ; : ! ? »
# and after « in French, in "10\u00a0000", "5\u00a0km", "art.\u00a05".
NBSP_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])\u00a0(?=[^\W\d_])")

# Two or more spaces between two visible characters: one space. Leading indentation and
# tabs are kept. Linear: inside a run of spaces the look-behind fails at once.
DOUBLED_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")

# Two or more blank lines in a row (three or more newlines): one blank line, which is
# what separates blocks. Runs after trailing whitespace is gone, so blank means empty.
BLANK_LINE_RUN = re.compile(r"\n{3,}")

# Blocks are separated by one or more blank lines.
BLOCK_SEPARATOR = re.compile(r"\n{2,}")

# A line's words and the whitespace between them, for word-level fix snippets.
_TOKENS = re.compile(r"\s+|\S+")

# After a difference, two versions of a line agree again at the nearest word they share
# (or where both end), searched this many tokens ahead in each. Repairs are local
# rewrites of a few tokens, so the diff stays linear in the line's length, where
# difflib's is quadratic on long lines of repeated words.
RESYNC_WINDOW = 16


def normalize_newlines(text: str) -> str:
    """Turn every line ending into ``"\\n"``.

    >>> normalize_newlines("one\\r\\ntwo\\rthree\\u2028four")
    'one\\ntwo\\nthree\\nfour'
    """
    return NEWLINE_VARIANTS.sub("\n", text)


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
    """
    return HTML_ENTITY.sub(_decode_entity, text)


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
    fixed, steps = ftfy.fix_and_explain(line, MOJIBAKE_CONFIG)
    if fixed == line:
        return line, ""
    kinds = [FTFY_FIX_KINDS.get(name, "mojibake") for _, name in steps or ()]
    return fixed, kinds[0] if kinds else "mojibake"


def remove_invisible_chars(text: str) -> str:
    """Drop soft hyphens, zero-width spaces and word joiners.

    >>> remove_invisible_chars("coope\\u00adração\\u200b bilateral")
    'cooperação bilateral'
    >>> remove_invisible_chars("می\\u200cخواهم 👩\\u200d💻")  # joiners are kept
    'می\\u200cخواهم 👩\\u200d💻'
    """
    return text.translate(INVISIBLE_CHARS)


def replace_nbsp_between_letters(text: str) -> str:
    """Turn a no-break space between two letters into a space; keep it elsewhere.

    >>> replace_nbsp_between_letters("Kim\\u00a0Jong Un")
    'Kim Jong Un'
    >>> replace_nbsp_between_letters("10\\u00a0000 soldats\\u00a0: « oui\\u00a0»")
    '10\\xa0000 soldats\\xa0: « oui\\xa0»'
    """
    return NBSP_BETWEEN_LETTERS.sub(" ", text)


def strip_trailing_whitespace(text: str) -> str:
    """Remove whitespace at the end of every line.

    >>> strip_trailing_whitespace("fim.  \\t\\nnova linha\\u00a0")
    'fim.\\nnova linha'
    """
    return "\n".join(line.rstrip() for line in text.split("\n"))


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces inside a line into one; keep leading indentation.

    >>> collapse_spaces("uma  palavra   e outra")
    'uma palavra e outra'
    >>> collapse_spaces("    indented")
    '    indented'
    """
    return DOUBLED_SPACES.sub(" ", text)


def collapse_blank_lines(text: str) -> str:
    """Leave at most one blank line between two lines.

    >>> collapse_blank_lines("a\\n\\n\\n\\nb\\n\\nc")
    'a\\n\\nb\\n\\nc'
    """
    return BLANK_LINE_RUN.sub("\n\n", text)


def split_blocks(text: str) -> list[str]:
    """Split text into blocks on blank lines; lines inside a block keep their newline.

    >>> split_blocks("\\nTítulo\\n\\nlinha um\\nlinha dois\\n")
    ['Título', 'linha um\\nlinha dois']
    """
    return [chunk.strip("\n") for chunk in BLOCK_SEPARATOR.split(text) if chunk.strip()]


def _agree(old: list[str], new: list[str], i: int, j: int) -> bool:
    """True when ``old[i]`` and ``new[j]`` are the same word, or both lines end there."""
    if i >= len(old) or j >= len(new):
        return i == len(old) and j == len(new)
    return old[i] == new[j] and not old[i].isspace()


def _resync(old: list[str], new: list[str], i: int, j: int) -> tuple[int, int]:
    """The nearest positions after a difference at ``i``/``j`` where the lines agree."""
    for distance in range(1, 2 * RESYNC_WINDOW + 1):
        for skip_old in range(max(0, distance - RESYNC_WINDOW), min(distance, RESYNC_WINDOW) + 1):
            if _agree(old, new, i + skip_old, j + distance - skip_old):
                return i + skip_old, j + distance - skip_old
    return len(old), len(new)


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
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
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
    ("nbsp", replace_nbsp_between_letters),
    ("trailing_whitespace", strip_trailing_whitespace),
    ("spaces", collapse_spaces),
)


class Normalize(Stage):
    """Character-level repairs of ``doc.text``, then ``doc.blocks`` as paragraphs.

    Fix kinds: ``newlines`` and ``blank_lines`` (recorded once per distinct sequence
    replaced), ``html_entity``, ``mojibake`` (or an ftfy kind from
    :data:`FTFY_FIX_KINDS`), ``invisible_chars``, ``nbsp``, ``trailing_whitespace``,
    ``spaces``.
    """

    name = "normalize"

    def process(self, doc: Document) -> Document:
        text = doc.text
        for sequence in sorted(set(NEWLINE_VARIANTS.findall(text))):
            doc.fix(self.name, "newlines", sequence, "\n")
        text = normalize_newlines(text)
        text = self._repair_lines(doc, "html_entity", decode_html_entities, text)
        text = self._fix_mojibake(doc, text)
        for kind, repair in LINE_REPAIRS:
            text = self._repair_lines(doc, kind, repair, text)
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

    def _fix_mojibake(self, doc: Document, text: str) -> str:
        lines = text.split("\n")
        for number, line in enumerate(lines):
            fixed, kind = fix_mojibake(line)
            if kind:
                for old, new in changed_words(line, fixed):
                    doc.fix(self.name, kind, old, new)
                lines[number] = fixed
        return "\n".join(lines)
