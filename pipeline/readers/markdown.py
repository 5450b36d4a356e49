"""Markdown files (``.md``): the stages see the text, the copies stay Markdown.

A ``.md`` file is one document, as a text file is, but its markup never reaches the
cleanup, detection, translation or the parallel corpora, and its clean and translated
copies are Markdown again with the same structure around the new text.

**Blocks** come from markdown-it-py (CommonMark with tables and strikethrough): its
block line maps say which lines hold text (paragraphs, headings, list items, quotes,
table cells) and which do not (fenced and indented code, HTML blocks, thematic
breaks, link reference definitions, table delimiter rows, a YAML or TOML front matter
block); the latter are copied as they are. A text line is cut into its **prefix** (the
block markers and indentation: ``"> - "``, ``"## "``), its text, and its suffix (a
heading's closing ``#``, the trailing spaces of a hard break): each leaf block is one
*slot*, and becomes one :class:`~pipeline.document.Block` (a table cell too).

**Inline markup** is found by a few rules written as data below (:func:`scan_inline`):
markdown-it-py's inline tokens carry no source offsets, and a marker must keep its exact
bytes. A slot's text for the stages is its text without markers: emphasis markers gone,
a link or an image by its text or alt text, an autolink by its address; each marker is
kept with the offset where it stood (a *mark*). Inline code is hidden from the stages
(a stand-in character that no word rule takes) and put back once detection is done, so
it is never cleaned, counted as words of a language, nor translated.

**Copies**: the marks are carried to the cleaned text through a character alignment of
the text before and after cleanup (exact where the text around them did not change).
For translation a segment's marks become placeholders (:mod:`pipeline.protect`), so a
link's text is translated in its sentence and the link comes back around it; inline
code goes through as a protected span. ``segments.jsonl`` and the parallel corpora get
the plain sentence and its plain translation. Where a model loses a marker's
placeholder, that segment's translated copy keeps its code and drops its other markers.

The stages: :class:`ParseMarkdown` (after ``read``), a branch of the normalize stage
(one block per slot, :func:`slot_blocks`), :class:`MarkdownBlocks` (after ``repair``:
table cells are kept out of the boilerplate and repair stages, which judge lines and
paragraphs) and :class:`MarkdownCode` (after ``detect``). The layout is kept in
``Document.markdown`` (plain JSON data).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from difflib import SequenceMatcher
from functools import cache
from typing import Any

from pipeline.document import Block, Document, Segment, Stage
from pipeline.protect import MARKDOWN_CODE_STAND_IN

# --- the block level ----------------------------------------------------------------
# A front matter block (YAML between "---" lines, closed by "---" or "..."; TOML
# between "+++" lines) at the very start of the file: metadata, copied as it is. Its
# first line is a key ("title: ...", "title = ..."): "---\nTexto\n---" is a thematic
# break and a setext heading.
FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\n(?=[\w.-]+[ \t]*:).*?\n(?:---|\.\.\.)"
    r"|\+\+\+[ \t]*\n(?=[\w.-]+[ \t]*=).*?\n\+\+\+)[ \t]*(?:\n|\Z)", re.S)

# A task list item's box ("- [ ] ", "- [x] "), kept with the item's marker.
TASK = re.compile(r"\[[ xX]\][ \t]+")

# The kinds of blocks given to the slots (Block.kind, segments.jsonl's "kind"). A
# paragraph stays "paragraph", which the repair stage may make a "title" or "heading".
HEADING, LIST_ITEM, QUOTE, CELL = "heading", "list_item", "quote", "table_cell"

# --- the inline level: rules as data ----------------------------------------------------
# ASCII punctuation a backslash escapes (CommonMark): "\*" is a literal "*".
ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# An autolink: "<https://exemplo.org/a>" or "<ana@exemplo.org>" (its address is text:
# detection leaves addresses out, translation protects them).
AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>")
# Inline HTML: a tag or a comment ("<!--" to the next "-->" on its line), a marker as
# a whole.
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>")
# Tags that stand alone (no closing tag): their markers bind to neither side.
VOID_TAGS = frozenset("br hr img wbr".split())
# Emphasis and strikethrough delimiter runs; "~" counts only doubled ("~~").
DELIMITERS = "*_~"
# The characters an inline rule starts at; a run of others is plain text.
SPECIAL = frozenset("\\&`<[]!*_~")
PLAIN = re.compile(r"[^\\&`<\[\]!*_~]+")
# A run of one delimiter character or backtick, matched where it starts.
RUNS = {char: re.compile(re.escape(char) + "+") for char in "*_~`"}
# What stands in the stages' text for an inline code span: a private-use character,
# which is no word character (detection, wordfreq), no space and no punctuation.
CODE_STAND_IN = MARKDOWN_CODE_STAND_IN
# How a marker binds in a translation: "open" to the text after it ("**", "[",
# "!["), "close" to the text before it ("**", "](url)"), "none" to neither ("<br>"),
# "code_open"/"code_close" around inline code (one protected span in translation).
OPEN, CLOSE, NONE, CODE_OPEN, CODE_CLOSE = "open", "close", "none", "code_open", "code_close"
# A backslash escape ("\\*") or an entity ("&amp;") stands for one character of the
# text: the stages see the character, the copies get the escape back where it is intact.
LITERAL = "literal"
OPENING = (OPEN, CODE_OPEN, LITERAL)
# A character entity (decoded by the standard library; one that decodes to one
# character is a literal, any other is left as text).
ENTITY = re.compile(r"&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")

# Alignment of a slot's text before and after cleanup: the middle that differs is
# compared character by character up to this length, else offsets are interpolated.
ALIGN_MAX_CHARS = 4000

# The placeholders of a segment's markers in a translation input: one private-use
# character each while the input is built (Supplementary Private Use Area-A).
SENTINEL_BASE = 0xF0000


def _punct(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the delimiter run ``text[start:end]`` may open and may close (CommonMark's
    left- and right-flanking rules; "_" inside a word neither opens nor closes).

    >>> _flanking("a **b** c", 2, 4), _flanking("a **b** c", 5, 7), _flanking("2 * 3", 2, 3)
    ((True, False), (False, True), (False, False))
    >>> _flanking("snake_case_name", 5, 6)
    (False, False)
    """
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (not _punct(after) or before.isspace() or _punct(before))
    right = not before.isspace() and (not _punct(before) or after.isspace() or _punct(after))
    if text[start] == "_":
        return left and (not right or _punct(before)), right and (not left or _punct(after))
    return left, right


def closing_parens(text: str) -> dict[int, int]:
    """The index of the ")" that closes each "(" of ``text`` that is closed (backslash
    escapes skipped): one pass, where looking from each "(" to the end was quadratic
    in a line of unclosed links.

    >>> closing_parens("(a (b) \\\\) c) (d")
    {3: 5, 0: 11}
    """
    found: dict[int, int] = {}
    opened: list[int] = []
    for match in PAREN.finditer(text):
        char = match.group()
        if char == "(":
            opened.append(match.start())
        elif char == ")" and opened:
            found[opened.pop()] = match.start()
    return found


# A parenthesis, or a backslash and the character it escapes.
PAREN = re.compile(r"\\.|[()]", re.S)


# CommonMark's longest link label; a longer "[...]" is no reference (and is not read).
LABEL_MAX_CHARS = 999


def _link_tail(text: str, at: int, label: str | None, refs: frozenset[str],
               closing: dict[int, int]) -> int:
    """Where a link's tail after its "]" (at ``at - 1``) ends: ``(dest "title")``, a
    reference ``[label]``, ``[]``, or nothing for a shortcut whose ``label`` is defined
    (None: too long to be one); -1 when it is no link. ``closing``:
    :func:`closing_parens` of ``text``."""
    if text.startswith("(", at):
        return closing[at] + 1 if at in closing else -1
    if text.startswith("[", at):
        end = text.find("]", at, at + LABEL_MAX_CHARS + 2)
        if end > at:
            name = text[at + 1 : end] or label
            return end + 1 if name is not None and _ref(name) in refs else -1
    return at if label is not None and _ref(label) in refs else -1


def _ref(label: str) -> str:
    """A reference label as markdown-it-py normalises it."""
    return " ".join(label.strip().split()).lower().upper()


def scan_inline(raw: str, refs: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Cut a slot's raw text into ``(role, piece)``: ``"text"`` or a marker's binding
    (:data:`OPEN`, :data:`CLOSE`, ...); joined, the pieces give ``raw`` back.

    ``refs``: the link reference labels the file defines (normalised).

    >>> scan_inline("Veja **o relatório** [aqui](https://x.org/a).")
    [('text', 'Veja '), ('open', '**'), ('text', 'o relatório'), ('close', '**'), \
('text', ' '), ('open', '['), ('text', 'aqui'), ('close', '](https://x.org/a)'), ('text', '.')]
    >>> scan_inline("Use `pip install` e 2 * 3, snake_case, \\\\*literal*.")
    [('text', 'Use '), ('code_open', '`'), ('text', 'pip install'), ('code_close', '`'), \
('text', ' e 2 * 3, snake_case, '), ('literal', '\\\\*'), ('text', 'literal*.')]
    >>> scan_inline("onde <tipo> é")  # the stages read one space
    [('text', 'onde'), ('open', ' <tipo>'), ('text', ' é')]
    >>> scan_inline("![Mapa](m.png) e <https://x.org> [sem link]")
    [('open', '!['), ('text', 'Mapa'), ('close', '](m.png)'), ('text', ' e '), \
('open', '<'), ('text', 'https://x.org'), ('close', '>'), ('text', ' [sem link]')]
    """
    items: list[list[str]] = []  # [role, piece]; delimiter runs start as "delim"
    openers: list[int] = []  # indices of "[" / "![" items not yet closed
    flank: dict[int, tuple[bool, bool]] = {}
    closing: dict[int, int] | None = None  # closing_parens(raw), at its first use
    no_closer: dict[int, int] = {}  # backtick run length -> from where none closes it
    links_end = 0  # "[" items before this index are text (no link inside a link)
    ahead = {"-->": -2, "\n": -2}  # where each is next found (-1: nowhere after), -2: unknown
    i = 0
    while i < len(raw):
        char = raw[i]
        if char not in SPECIAL:  # a run of plain text, one item
            end = PLAIN.match(raw, i).end()  # type: ignore[union-attr]
            items.append(["text", raw[i:end]])
            i = end
            continue
        if char == "\\" and i + 1 < len(raw) and (raw[i + 1] in ESCAPABLE or raw[i + 1] == "\n"):
            if raw[i + 1] == "\n":  # a hard line break
                items.append([CLOSE, "\\"])
                i += 1
            else:
                items.append([LITERAL, raw[i : i + 2]])
                i += 2
            continue
        if char == "&":
            entity = ENTITY.match(raw, i)
            if entity and len(literal(entity.group())) == 1 != len(entity.group()):
                items.append([LITERAL, entity.group()])
                i = entity.end()
                continue
        if char == "`":
            run = RUNS[char].match(raw, i).end() - i  # type: ignore[union-attr]
            end = -1 if no_closer.get(run, len(raw) + 1) <= i else _code_end(raw, i + run, run)
            if end < 0:
                no_closer[run] = i
            if end >= 0:  # a code span may go on over a line break
                items += [[CODE_OPEN, raw[i : i + run]], ["text", raw[i + run : end]],
                          [CODE_CLOSE, raw[end : end + run]]]
                i = end + run
            else:
                items.append(["text", raw[i : i + run]])
                i += run
            continue
        if char == "<":
            auto = AUTOLINK.match(raw, i)
            if auto:
                items += [[OPEN, "<"], ["text", auto.group()[1:-1]], [CLOSE, ">"]]
                i = auto.end()
                continue
            found: tuple[str, str] | None = None  # role, tag
            if raw.startswith("<!--", i):
                close, line_end = (_next(raw, i + 4, ahead, key) for key in ("-->", "\n"))
                if close >= 0 and (line_end < 0 or close < line_end):
                    found = (NONE, raw[i : close + 3])
            elif tag := HTML_TAG.match(raw, i):
                name = re.match(r"</?([A-Za-z0-9-]*)", tag.group())
                void = tag.group().endswith("/>") or (name and name.group(1).lower() in VOID_TAGS)
                found = (NONE if void else CLOSE if tag.group().startswith("</") else OPEN,
                         tag.group())
            if found:
                role, piece = found
                i += len(piece)
                if i - len(piece) and raw[i - len(piece) - 1] in " \t":  # spaces on both
                    end = i  # sides of the tags: those before go with them ("onde <t> é")
                    while (more := HTML_TAG.match(raw, end)) is not None:
                        end = more.end()
                    if end == len(raw) or raw[end] in " \t\n":
                        while items and items[-1][0] == "text" and items[-1][1][-1:] in " \t":
                            before = items[-1][1].rstrip(" \t")
                            piece = items[-1][1][len(before):] + piece
                            if before:
                                items[-1][1] = before
                                break
                            items.pop()
                items.append([role, piece])
                continue
        if char == "[" or (char == "!" and raw.startswith("[", i + 1)):
            width = 1 if char == "[" else 2
            openers.append(len(items))
            items.append(["bracket", raw[i : i + width], str(i + width)])
            i += width
            continue
        while openers and openers[-1] < links_end and items[openers[-1]][1] == "[":
            items[openers.pop()][0] = "text"  # no link inside a link: earlier "[" are text
        if char == "]" and openers:
            opener = openers.pop()
            start = int(items[opener][2])
            label = raw[start:i] if i - start <= LABEL_MAX_CHARS else None
            if closing is None and raw.startswith("(", i + 1):
                closing = closing_parens(raw)
            end = _link_tail(raw, i + 1, label, refs, closing or {})
            if end >= 0:
                items[opener] = [OPEN, items[opener][1]]
                items.append([CLOSE, raw[i:end]])
                if items[opener][1] == "[":
                    links_end = opener
                i = end
                continue
            items[opener] = ["text", items[opener][1]]
            items.append(["text", "]"])
            i += 1
            continue
        if char in DELIMITERS:
            run = RUNS[char].match(raw, i).end() - i  # type: ignore[union-attr]
            if char != "~" or run == 2:
                flank[len(items)] = _flanking(raw, i, i + run)
                items.append(["delim", raw[i : i + run]])
            else:
                items.append(["text", raw[i : i + run]])
            i += run
            continue
        items.append(["text", char])
        i += 1
    for index in openers:
        items[index] = ["text", items[index][1]]
    for item in items:
        if item[0] == "bracket":  # an opener of a link closed later: "[[a](b)"
            item[:] = ["text", item[1]]
    _match_delimiters(items, flank)
    merged: list[tuple[str, str]] = []
    run: list[str] = []  # text pieces not yet merged (joined once: adding each was quadratic)
    for role, piece, *_ in items:
        if role == "text":
            run.append(piece)
            continue
        if run:
            merged.append(("text", "".join(run)))
            run = []
        merged.append((role, piece))
    if run:
        merged.append(("text", "".join(run)))
    return merged


def _next(raw: str, start: int, ahead: dict[str, int], key: str) -> int:
    """Where ``key`` is next found in ``raw`` from ``start`` (which only grows from one
    call to the next): found again only when the last find lies before ``start``, so
    a line of unclosed "<!--" is read once, not once each."""
    if ahead[key] == -2 or 0 <= ahead[key] < start:
        ahead[key] = raw.find(key, start)
    return ahead[key]


def _code_end(raw: str, start: int, run: int) -> int:
    """Where the backtick run of length ``run`` closing a code span starts, or -1."""
    at = start
    while True:
        at = raw.find("`" * run, at)
        if at < 0:
            return -1
        end = at + run
        if (at == 0 or raw[at - 1] != "`") and (end >= len(raw) or raw[end] != "`"):
            return at
        at = RUNS["`"].match(raw, end).end()  # type: ignore[union-attr]


def _match_delimiters(items: list[list[str]], flank: dict[int, tuple[bool, bool]]) -> None:
    """Pair the delimiter runs: a closer takes the nearest opener of its character (the
    same length for "~~"); openers passed over and unpaired runs are text. One stack
    per character: looking through one stack of all openers was quadratic ("*a" then
    "b_" many times)."""
    stacks: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        if item[0] != "delim":
            continue
        can_open, can_close = flank[index]
        piece = item[1]
        key = piece if piece[0] == "~" else piece[0]
        own = stacks.get(key)
        if can_close and own:
            opener = own.pop()
            items[opener][0] = OPEN
            item[0] = CLOSE
            for other in stacks.values():  # the openers passed over
                while other and other[-1] > opener:
                    other.pop()
            continue
        if can_open:
            stacks.setdefault(key, []).append(index)
    for item in items:
        if item[0] == "delim":
            item[0] = "text"


def literal(marker: str) -> str:
    """The character a backslash escape or an entity stands for.

    >>> literal("\\\\*"), literal("&amp;"), literal("&#233;")
    ('*', '&', 'é')
    """
    import html

    return marker[1] if marker.startswith("\\") else html.unescape(marker)


def plain_and_marks(pieces: list[tuple[str, str]]) -> tuple[str, list[list[Any]]]:
    """The text of scanned pieces and its marks ``[offset, marker, binding]``.

    >>> plain_and_marks(scan_inline("a **b** c"))
    ('a b c', [[2, '**', 'open'], [3, '**', 'close']])
    """
    text: list[str] = []
    size = 0
    marks: list[list[Any]] = []
    for role, piece in pieces:
        if role == "text":
            text.append(piece)
            size += len(piece)
        else:
            marks.append([size, piece, role])
            if role == LITERAL:
                text.append(literal(piece))
                size += 1
    return "".join(text), marks


def with_marks(text: str, marks: list[tuple[int, str, str]]) -> str:
    """``text`` with each ``(offset, marker, binding)`` put back, in order (a literal in
    place of its character, where that character is still there).

    >>> with_marks("a b * c", [(2, "**", "open"), (3, "**", "close"), (4, "\\\\*", "literal")])
    'a **b** \\\\* c'
    """
    out, at = [], 0
    for offset, marker, binding in sorted(marks, key=lambda m: m[0]):
        offset = min(max(offset, at), len(text))
        if binding == LITERAL:
            if text[offset : offset + 1] == literal(marker):
                out += [text[at:offset], marker]
                at = offset + 1
            continue
        out += [text[at:offset], marker]
        at = offset
    out.append(text[at:])
    return "".join(out)


def code_ranges(marks: list[list[Any]]) -> list[tuple[int, int]]:
    """The (start, end) of each inline code span's text, from its marks."""
    opened = [m[0] for m in marks if m[2] == CODE_OPEN]
    closed = [m[0] for m in marks if m[2] == CODE_CLOSE]
    return list(zip(opened, closed, strict=True))


def stage_text(text: str, codes: list[tuple[int, int]]) -> str:
    """The slot's text as the stages see it: each inline code span one stand-in.

    >>> stage_text("Use pip para", [(4, 7)]) == "Use " + CODE_STAND_IN + " para"
    True
    """
    out, at = [], 0
    for start, end in codes:
        out += [text[at:start], CODE_STAND_IN]
        at = end
    out.append(text[at:])
    return "".join(out)


# --- parsing -------------------------------------------------------------------------------


def _split_line(source: str, content: str) -> tuple[str, str, str] | None:
    """A source line cut into prefix, text and suffix, the text being ``content``.

    >>> _split_line("> - Um item  ", "Um item"), _split_line("## Título ##", "Título")
    (('> - ', 'Um item', '  '), ('## ', 'Título', ' ##'))
    """
    stripped = source.rstrip(" \t")
    if stripped.endswith(content):
        at = len(stripped) - len(content)
    else:
        at = source.rfind(content)
        if at < 0:
            return None
    return source[:at], content, source[at + len(content):]


def front_matter_lines(text: str) -> int:
    """How many lines a front matter block at the start of ``text`` takes (0: none).

    >>> front_matter_lines("---\\ntitle: x\\n---\\n# T\\n"), front_matter_lines("---\\nT\\n---\\n")
    (3, 0)
    """
    front = FRONT_MATTER.match(text)
    if not front:
        return 0
    return front.group().count("\n") + (0 if front.group().endswith("\n") else 1)


@cache
def _block_parser() -> Any:
    """markdown-it-py for the blocks only: its inline rule (tokens without offsets, which
    :func:`scan_inline` replaces) took two thirds of the parse time."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("inline")


def parse(text: str) -> tuple[dict[str, Any], list[str]]:
    """The layout of a Markdown text (newlines already ``\\n``) and each slot's text for
    the stages.

    ``rows``: one per source line kept (a slot's lines are one row): literal strings and
    slot numbers. ``slots``: each slot's ``kind``, line ``pre``/``post`` (prefixes and
    suffixes), ``tail`` (a setext heading's underline), ``text`` (its text, inline code
    included), ``marks`` and ``cell`` (a table cell). ``newline``: whether the text ends
    with a line break.

    >>> layout, texts = parse("# Título\\n\\n- Um **item**\\n\\n```\\ncódigo\\n```\\n")
    >>> layout["rows"], texts
    ([[0], [''], [1], [''], ['```'], ['código'], ['```']], ['Título', 'Um item'])
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    skip = front_matter_lines(text)
    body = "\n".join(lines[skip:]) + "\n"
    env: dict[str, Any] = {}
    tokens = _block_parser().parse(body, env)
    refs = frozenset(env.get("references", {}))
    slots: list[dict[str, Any]] = []
    texts: list[str] = []
    starts: dict[int, list[Any]] = {}  # first line -> its row
    owned: set[int] = set()  # lines inside a slot's row
    containers: list[str] = []
    first_slot = True
    for at, token in enumerate(tokens):
        if token.type in ("blockquote_open", "list_item_open"):
            containers.append(token.type)
        elif token.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        if token.type != "inline" or token.map is None:
            continue
        parent = tokens[at - 1]
        first, last = token.map[0] + skip, token.map[1] + skip
        if parent.type in ("th_open", "td_open"):
            _cell(lines, first, token.content, refs, slots, texts, starts)
            continue
        setext = parent.type == "heading_open" and parent.markup in ("=", "-")
        content = token.content.split("\n")
        if setext:  # the underline is the line after the text
            last = parent.map[1] + skip  # type: ignore[index]
        count = (last - first) - (1 if setext else 0)
        if len(content) != count or any(n in owned for n in range(first, last)):
            continue
        cut = [_split_line(lines[first + n], part.strip(" \t")) for n, part in enumerate(content)]
        if any(c is None for c in cut):
            continue
        task = TASK.match(cut[0][1]) if cut[0] and "list_item_open" in containers[-1:] else None
        if task:  # a task list's box belongs to the prefix
            cut[0] = (cut[0][0] + task.group(), cut[0][1][task.end():], cut[0][2])
        raw = "\n".join(c[1] for c in cut)  # type: ignore[index]
        plain, marks = plain_and_marks(scan_inline(raw, refs))
        codes = code_ranges(marks)
        shown = stage_text(plain, codes)
        if not shown.replace(CODE_STAND_IN, "").strip() or any("\n" in m[1] for m in marks):
            continue  # no text (an image without alt text, code alone): copied as it is
        if parent.type == "heading_open":
            kind = "title" if first_slot and parent.tag == "h1" else HEADING
        elif containers and containers[-1] == "list_item_open":
            kind = LIST_ITEM
        elif containers and containers[-1] == "blockquote_open":
            kind = QUOTE
        else:
            kind = "paragraph"
        first_slot = False
        slots.append({"kind": kind, "pre": [c[0] for c in cut], "post": [c[2] for c in cut],
                      "tail": "\n" + lines[last - 1] if setext else "",
                      "text": plain, "marks": marks, "cell": False})
        texts.append(shown)
        starts[first] = [len(slots) - 1]
        owned.update(range(first + 1, last))
    rows: list[list[Any]] = []
    for number, line in enumerate(lines):
        if number in starts:
            rows.append(starts[number])
        elif number not in owned:
            rows.append([line])
    return {"rows": rows, "slots": slots, "newline": text.endswith("\n") or not text}, texts


def _cell(lines: list[str], number: int, content: str, refs: frozenset[str],
          slots: list[dict[str, Any]], texts: list[str], starts: dict[int, list[Any]]) -> None:
    """Add a table cell to the row of its line (cut into literal pieces and slots)."""
    row = starts.setdefault(number, [lines[number]])
    tail = row[-1] if isinstance(row[-1], str) else ""
    content = content.strip()
    plain, marks = plain_and_marks(scan_inline(content, refs))
    codes = code_ranges(marks)
    shown = stage_text(plain, codes)
    at = tail.find(content) if content else -1
    if at < 0 or "|" not in tail[:at] + tail[at + len(content):] or not (
            shown.replace(CODE_STAND_IN, "").strip()):
        return
    slots.append({"kind": CELL, "pre": [""], "post": [""], "tail": "", "text": plain,
                  "marks": marks, "cell": True})
    texts.append(shown)
    row[-1:] = [tail[:at], len(slots) - 1, tail[at + len(content):]]


# --- the stages ----------------------------------------------------------------------------


class ParseMarkdown(Stage):
    """Find the layout of a Markdown document (``doc.markdown``); ``doc.text`` becomes its
    slots' texts, one paragraph each, for the normalize stage (:func:`slot_blocks`)."""

    name = "markdown"

    def process(self, doc: Document) -> Document:
        from pipeline.stages.normalize import (
            NEWLINE_VARIANTS,
            has_newline_variants,
            normalize_newlines,
        )

        text = doc.text
        if has_newline_variants(text):  # recorded as the normalize stage records it
            for sequence in sorted(set(NEWLINE_VARIANTS.findall(text))):
                doc.fix("normalize", "newlines", sequence, "\n")
            text = normalize_newlines(text)
        layout, texts = parse(text)
        layout["lines"] = [t.count("\n") + 1 for t in texts]
        doc.markdown = layout
        doc.text = "\n\n".join(texts)
        return doc


def slot_blocks(doc: Document, text: str) -> list[Block]:
    """The normalize stage's blocks for a Markdown document: one per slot, from its
    normalised text (line for line what :class:`ParseMarkdown` gave it). Table cells
    are kept apart until :class:`MarkdownBlocks`; lines left empty are dropped."""
    layout = doc.markdown
    assert layout is not None
    lines = text.split("\n")
    blocks: list[Block] = []
    at = 0
    for slot, count in zip(layout["slots"], layout["lines"], strict=True):
        kept = [line for line in lines[at : at + count] if line.strip()]
        at += count + 1
        blocks.append(Block(kind=slot["kind"], text="\n".join(kept)))
    layout["_blocks"] = blocks  # transient: each slot's block (not kept in the state)
    layout["_apart"] = _apart(layout, blocks)  # transient too
    return [b for b, slot in zip(blocks, layout["slots"], strict=True) if not slot["cell"]]


def _apart(layout: dict[str, Any], blocks: list[Block]) -> set[int]:
    """The ids of the blocks the repair stage never takes for a duplicate of the block
    before: those with something else than blank lines between them (code, a heading of
    code alone, a table: two API entries, each under its own "### `ERR_...`", may say
    the same), and those holding inline code, which is one stand-in to the stages
    ("`a` {string}" and "`b` {string}" read alike)."""
    apart: set[int] = set()
    gap = False
    for row in layout["rows"]:
        numbers = [p for p in row if isinstance(p, int)]
        if numbers and not layout["slots"][numbers[0]]["cell"]:
            block = blocks[numbers[0]]
            if gap or CODE_STAND_IN in block.text:
                apart.add(id(block))
            gap = False
        elif numbers or "".join(row).strip():
            gap = True
    return apart


class MarkdownBlocks(Stage):
    """After the repair stage: the blocks in reading order again, table cells back among
    them (the boilerplate and repair stages judge lines and paragraphs, not cells); each
    slot's block number is recorded (-1: the cleanup removed it)."""

    name = "markdown"

    def process(self, doc: Document) -> Document:
        layout = doc.markdown
        if layout is None:
            return doc
        alive = {id(block) for block in doc.blocks}
        blocks: list[Block] = []
        layout.pop("_apart", None)
        for slot, block in zip(layout["slots"], layout.pop("_blocks"), strict=True):
            kept = block.text.strip() if slot["cell"] else id(block) in alive
            slot["block"] = len(blocks) if kept else -1
            if kept:
                blocks.append(block)
        doc.blocks = blocks
        return doc


class MarkdownCode(Stage):
    """After detection: each inline code span's text back in place of its stand-in,
    in the blocks and segments (foreign spans moved with the text)."""

    name = "markdown"

    def process(self, doc: Document) -> Document:
        layout = doc.markdown
        if layout is None:
            return doc
        for slot in layout["slots"]:
            if slot["block"] < 0 or not any(m[2] == CODE_OPEN for m in slot["marks"]):
                continue
            block = doc.blocks[slot["block"]]
            codes = code_ranges(slot["marks"])
            contents = _surviving_codes(slot, block.text, codes)
            left = list(contents)  # the segments take them in order
            for seg in block.segments:
                seg.text = _expand(doc, seg, left)
            block.text = _fill(block.text, contents)
        return doc


def _surviving_codes(slot: dict[str, Any], text: str, codes: list[tuple[int, int]]) -> list[str]:
    """The code texts of the stand-ins left in ``text``, in order."""
    count = text.count(CODE_STAND_IN)
    if count == len(codes):  # a line break in a code span reads as a space (CommonMark)
        return [slot["text"][start:end].replace("\n", " ") for start, end in codes]
    shown = stage_text(slot["text"], codes)
    where = align(shown, text)
    stand_ins = [n for n, char in enumerate(shown) if char == CODE_STAND_IN]
    found = []
    for number, at in enumerate(stand_ins):
        new = where(at, OPEN)
        if new < len(text) and text[new] == CODE_STAND_IN:
            found.append(slot["text"][codes[number][0] : codes[number][1]].replace("\n", " "))
    return (found + [""] * count)[:count]


def _fill(text: str, contents: list[str]) -> str:
    parts = text.split(CODE_STAND_IN)
    return "".join(p + (contents[n] if n < len(parts) - 1 else "") for n, p in enumerate(parts))


def _expand(doc: Document, seg: Segment, contents: list[str]) -> str:
    """``seg.text`` with its stand-ins filled (they take the next ``contents``, which are
    consumed), the offsets of its foreign spans moved. A foreign span that holds a code
    is no foreign span (a code is in no language, as a web page's inline code: see
    :class:`pipeline.readers.html.PutInlineCode`): it goes (its text quoted the
    stand-in)."""
    text = seg.text
    if CODE_STAND_IN not in text:
        return text
    stand_ins = [n for n, char in enumerate(text) if char == CODE_STAND_IN]
    spans = []
    for span in [s for s in doc.spans if s.segment == seg.id]:
        if bisect_left(stand_ins, span.start) < bisect_left(stand_ins, span.end):
            doc.spans.remove(span)
        else:
            spans.append(span)
    filled = [contents.pop(0) if contents else "" for _ in stand_ins]
    grown = [0, *itertools.accumulate(len(content) - 1 for content in filled)]

    def moved(offset: int) -> int:  # where an offset of the text is in the filled text
        return offset + grown[bisect_left(stand_ins, offset)]

    for span in spans:
        span.start, span.end = moved(span.start), moved(span.end)
    out: list[str] = []
    at = 0
    for part_end, content in zip(stand_ins, filled, strict=True):
        out += [text[at:part_end], content]
        at = part_end + 1
    out.append(text[at:])
    return "".join(out)


def markdown_stages(stages: list[Stage]) -> list[Stage]:
    """The per-document stages for a Markdown file: ``stages`` with the Markdown steps
    in place (after ``read``, after ``repair``, after ``detect``)."""
    out: list[Stage] = []
    for stage in stages:
        out.append(stage)
        if stage.name == "read":
            out.append(ParseMarkdown())
        elif stage.name == "repair":
            out.append(MarkdownBlocks())
        elif stage.name == "detect":
            out.append(MarkdownCode())
    return out


# --- alignment and the copies ---------------------------------------------------------------


def align(before: str, after: str):
    """A function mapping an offset of ``before`` to one of ``after`` (its text changed by
    cleanup): exact in the parts that did not change; inside a changed part an opening
    marker goes to its start, any other to its end.

    >>> where = align("a norte -coreana b", "a norte-coreana b")
    >>> where(2, "open"), where(16, "close"), where(18, "close")
    (2, 15, 17)
    """
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < limit - prefix
           and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]):
        suffix += 1
    mid_a, mid_b = before[prefix : len(before) - suffix], after[prefix : len(after) - suffix]
    if len(mid_a) <= ALIGN_MAX_CHARS and len(mid_b) <= ALIGN_MAX_CHARS:
        ops = SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes()
    else:
        ops = [("replace", 0, len(mid_a), 0, len(mid_b))]
    starts = [op[1] for op in ops]

    def where(offset: int, binding: str) -> int:
        if offset <= prefix:
            return offset
        if offset >= len(before) - suffix:
            return offset - len(before) + len(after)
        local = offset - prefix
        tag, i1, i2, j1, j2 = ops[max(bisect_right(starts, local) - 1, 0)]
        if tag == "equal" or local == i1:
            return prefix + j1 + (local - i1 if tag == "equal" else 0)
        return prefix + (j1 if binding in OPENING else j2)

    return where


def _source(slot: dict[str, Any], block: Block) -> str:
    """The slot's text as the cleanup would leave it unchanged: its lines joined by
    spaces where the repair stage unwrapped the block (offsets are kept)."""
    return slot["text"] if "\n" in block.text else slot["text"].replace("\n", " ")


def _block_marks(slot: dict[str, Any], block: Block) -> list[tuple[int, str, str]]:
    """The slot's marks as ``(offset in block.text, marker, binding)``, in order."""
    if not slot["marks"]:
        return []
    source = _source(slot, block)
    if block.text == source:
        return [(m[0], m[1], m[2]) for m in slot["marks"]]
    where = align(source, block.text)
    return [(where(m[0], m[2]), m[1], m[2]) for m in slot["marks"]]


def _positions(block: Block) -> list[int]:
    """Where each segment starts in ``block.text`` (as translated_block finds them)."""
    found, at = [], 0
    for seg in block.segments:
        start = block.text.index(seg.text, at)
        found.append(start)
        at = start + len(seg.text)
    return found


def _assign(block: Block, marks: list[tuple[int, str, str]]
            ) -> tuple[list[list[tuple[int, str, str]]], list[tuple[int, str, str]]]:
    """The marks inside each segment (offsets into its text) and those between segments."""
    starts = _positions(block)
    inside: list[list[tuple[int, str, str]]] = [[] for _ in block.segments]
    outside = []
    for offset, marker, binding in marks:
        for number, (start, seg) in enumerate(zip(starts, block.segments, strict=True)):
            end = start + len(seg.text)
            if (start <= offset < end if binding in OPENING
                    else start < offset <= end if binding != NONE else start <= offset <= end):
                inside[number].append((offset - start, marker, binding))
                break
        else:
            outside.append((offset, marker, binding))
    return inside, outside


def rewrap(source: str, text: str) -> tuple[str, list[int] | None]:
    """``text`` (``source`` unwrapped into one line, then cleaned) with the line breaks
    of ``source`` back where the text on both sides of a break did not change; and the
    number of the source line each line of the result starts with (None: ``text`` as
    it is, where a line break the cleanup kept has no place in the source's).

    >>> rewrap("Uma linha longa\\ncom a norte -\\ncoreana e\\noutra.",
    ...        "Uma linha longa com a norte-coreana e outra.")
    ('Uma linha longa\\ncom a norte-coreana e\\noutra.', [0, 1, 3])
    """
    breaks = [n for n, char in enumerate(source) if char == "\n"]
    if not breaks:
        return text, None
    joined, flat = source.replace("\n", " "), text.replace("\n", " ")
    where = align(joined, flat) if joined != flat else None
    chars, starts = list(flat), [0]
    for line, at in enumerate(breaks, 1):
        new = where(at, OPEN) if where else at
        if (0 < new < len(flat) - 1 and flat[new - 1 : new + 2] == joined[at - 1 : at + 2]
                and (where is None or where(at + 1, OPEN) == new + 1)):
            chars[new] = "\n"
            starts.append(line)
    if any(char == "\n" and chars[n] != "\n" for n, char in enumerate(text)):
        return text, None
    return "".join(chars), starts


def clean_copy(doc: Document) -> str:
    """The clean copy of a Markdown document: its layout around the cleaned blocks (a
    hard-wrapped paragraph with its line breaks, :func:`rewrap`)."""
    texts: list[str | None] = []
    lines: list[list[int] | None] = []  # per slot: the source line of each line
    for slot in _slots(doc):
        block = doc.blocks[slot["block"]] if slot["block"] >= 0 else None
        if block is None:
            texts.append(None)
            lines.append(None)
        else:
            marks = _block_marks(slot, block)
            text, starts = rewrap(slot["text"], block.text)
            texts.append(with_marks(text, marks))
            lines.append(starts)
    return render(doc.markdown or {}, texts, lines)


def translated_copy(doc: Document, tgt: str) -> str | None:
    """The translated copy of a Markdown document, or None when a segment lacks its
    translation into ``tgt``. Sentences are spaced as in a plain translated copy
    (:func:`pipeline.stages.translate.sentence_gap`)."""
    from pipeline.stages.translate import sentence_gap

    stored = (doc.markdown or {}).get("translated", {})
    texts: list[str | None] = []
    for slot in _slots(doc):
        if slot["block"] < 0:
            texts.append(None)
            continue
        block = doc.blocks[slot["block"]]
        inside, outside = _assign(block, _block_marks(slot, block))
        pieces = list(outside)
        out: list[str] = []
        at = 0
        before = ""  # the translation of the segment before, without its markers
        for seg, start, marks in zip(block.segments, _positions(block), inside, strict=True):
            if tgt not in seg.translations:
                return None
            between = [(o - at, m, b) for o, m, b in pieces if at <= o <= start]
            gap = block.text[at:start]
            if before and "\n" not in gap:  # as translated_block spaces sentences
                spaced = sentence_gap(before, gap, seg.translations[tgt])
                if spaced != gap:  # markers: closing ones before the new gap, opening after
                    between = [(len(spaced) if b in OPENING else 0, m, b) for _, m, b in between]
                    gap = spaced
            out.append(with_marks(gap, between))
            before = seg.translations[tgt]
            pieces = [(o, m, b) for o, m, b in pieces if o > start]
            done = stored.get(seg.id, {}).get(tgt)
            if done is None:
                done = seg.translations[tgt]
                if marks and done == seg.text:  # copied as it is: with its own markers
                    done = with_marks(seg.text, marks)
            out.append(done.replace("|", "\\|") if slot["cell"] else done)
            at = start + len(seg.text)
        out.append(with_marks(block.text[at:], [(o - at, m, b) for o, m, b in pieces if o >= at]))
        texts.append("".join(out))
    return render(doc.markdown or {}, texts)


def _slots(doc: Document) -> list[dict[str, Any]]:
    return (doc.markdown or {}).get("slots", [])


def _framed(slot: dict[str, Any], text: str, starts: list[int] | None = None) -> str:
    """A slot's text with its line prefixes and suffixes; ``starts``: the source line
    each line of ``text`` starts with (:func:`rewrap`)."""
    lines = text.split("\n")
    pre, post = slot["pre"], slot["post"]
    if starts is not None and len(starts) == len(lines):
        ends = [n - 1 for n in starts[1:]] + [len(post) - 1]
        return "\n".join(pre[min(start, len(pre) - 1)] + line + post[min(end, len(post) - 1)]
                         for line, start, end in zip(lines, starts, ends, strict=True)
                         ) + slot["tail"]
    same = len(lines) == len(post)
    out = []
    for number, line in enumerate(lines):
        prefix = pre[min(number, len(pre) - 1)]
        suffix = post[number] if same else (post[-1] if number == len(lines) - 1 else "")
        out.append(prefix + line + suffix)
    return "\n".join(out) + slot["tail"]


def render(layout: dict[str, Any], texts: list[str | None],
           lines: list[list[int] | None] | None = None) -> str:
    """The Markdown text of a layout whose slot ``k`` holds ``texts[k]`` (None: removed;
    its row goes, and a blank line it leaves doubled goes with it); ``lines[k]``: the
    source line each of its lines starts with (None: a reflowed text).

    >>> layout, _ = parse("# Título\\n\\nTeilen\\n\\n- um\\n")
    >>> render(layout, ["Title", None, "one"])
    '# Title\\n\\n- one\\n'
    """
    slots = layout.get("slots", [])
    out: list[str] = []
    dropped = False
    first_dropped = last_dropped = False  # a row removed before / after all text kept
    for row in layout.get("rows", []):
        numbers = [p for p in row if isinstance(p, int)]
        if numbers and all(texts[n] is None and not slots[n]["cell"] for n in numbers):
            dropped = last_dropped = True
            first_dropped = first_dropped or not any(line.strip() for line in out)
            continue
        line = "".join(p if isinstance(p, str) else _framed(
            slots[p], texts[p] or "", lines[p] if lines else None) for p in row)
        if not line.strip() and dropped and (not out or not out[-1].strip()):
            continue  # the blank line of a removed row, beside another
        dropped = False
        last_dropped = last_dropped and not line.strip()
        out.append(line)
    # the source's blank lines at either end stay, unless a removed row left them there
    while first_dropped and out and not out[0].strip():
        out.pop(0)
    while last_dropped and out and not out[-1].strip():
        out.pop()
    text = "\n".join(out)
    if not text.strip():
        return ""
    return text + "\n" if layout.get("newline", True) else text


# --- translation ------------------------------------------------------------------------------


def segment_marks(doc: Document) -> dict[str, list[tuple[int, str, str]]]:
    """The markers inside each segment of a Markdown document (offsets into its text),
    for the segments that have any; {} for any other document."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    for slot in _slots(doc):
        if slot["block"] < 0 or not slot["marks"]:
            continue
        block = doc.blocks[slot["block"]]
        inside, _ = _assign(block, _block_marks(slot, block))
        for seg, marks in zip(block.segments, inside, strict=True):
            if marks:
                found[seg.id] = marks
    return found


class Marked:
    """A segment's translation input with its markers as placeholders; ``restore`` gives
    the plain translation and keeps the Markdown one in ``doc.markdown["translated"]``.

    A marker binds to the text on the side where the source has no space; inline code
    and literals are protected spans (their Markdown form in the copy, their text in the
    plain translation).

    >>> from pipeline.protect import Protector
    >>> doc = Document("a.md", markdown={})
    >>> seg = Segment("a.md#1.1", "Veja o relatório e pip hoje.")
    >>> m = Marked(doc, seg, [(5, "[", "open"), (16, "](https://x.org/a)", "close"),
    ...                       (19, "`", "code_open"), (22, "`", "code_close")])
    >>> m.protect(Protector(), lambda t: t)
    'Veja ZZB o relatório ZZC e ZZD hoje.'
    >>> m.restore("See ZZB the report ZZC and ZZD today.", "en")
    ('See the report and pip today.', [])
    >>> doc.markdown["translated"]["a.md#1.1"]["en"]
    'See [the report](https://x.org/a) and `pip` today.'
    """

    def __init__(self, doc: Document, seg: Segment, marks: list[tuple[int, str, str]]) -> None:
        self.doc, self.seg = doc, seg
        text = seg.text
        items: list[tuple[int, int, str, str, str]] = []  # start, end, markdown, plain, binding
        opened: tuple[int, str] | None = None
        for offset, marker, binding in marks:
            if binding == CODE_OPEN:
                opened = (offset, marker)
            elif binding == CODE_CLOSE and opened is not None:
                start, first = opened
                code = text[start:offset]
                items.append((start, offset, first + code + marker, code, NONE))
                opened = None
            elif binding == LITERAL:
                if text[offset : offset + 1] == literal(marker):
                    items.append((offset, offset + 1, marker, text[offset], NONE))
            else:
                items.append((offset, offset, marker, "", binding))
        if opened is not None:  # a code span cut by the segmenter: its marker alone
            items.append((opened[0], opened[0], opened[1], "", OPEN))
        # per placeholder: markdown, plain, binding, space before it, space after it
        self.items: list[tuple[str, str, str, bool, bool]] = []
        pieces: list[str] = []
        at = 0
        for start, end, markdown, plain, binding in sorted(items, key=lambda i: i[0]):
            if start < at:
                continue
            self.items.append((markdown, plain, binding, text[start - 1 : start].isspace(),
                               text[end : end + 1].isspace()))
            pieces += [text[at:start], chr(SENTINEL_BASE + len(self.items) - 1)]
            at = end
        pieces.append(text[at:])
        # the markers around the whole segment (a link or an emphasis alone): kept around
        # the translation even when a model loses a placeholder
        self.around = ("".join(md for start, _, md, _, b in items if start == 0 and b == OPEN),
                       "".join(md for _, end, md, _, b in items
                               if end == len(text) and b == CLOSE))
        # a placeholder is a word of its own: a space between it and a word or another
        self.marked = _SENTINEL_GAP.sub(" ", "".join(pieces))
        self.spans: tuple[str, ...] = ()

    def protect(self, protector, normalize) -> str:
        """The translation input (``normalize``: the memory's text form); the protector's
        own spans (URLs, numbers) are kept as themselves."""
        text = normalize(self.marked)
        sentinels = [(n, n + 1) for n, char in enumerate(text) if ord(char) >= SENTINEL_BASE]
        protected = protector.protect(text, sentinels)
        if sentinels and not protected.spans:  # the text reads as holding placeholders
            self.items = []
            return normalize("".join(c for c in text if ord(c) < SENTINEL_BASE))
        self.spans = protected.spans
        return protected.text

    def restore(self, output: str, tgt: str) -> tuple[str, list[int]]:
        """The plain translation and the lost placeholders; the Markdown translation is
        kept (when a marker's placeholder was lost: code kept, the markers around the
        whole segment too, the others dropped)."""
        from pipeline.protect import restore

        marked, lost = restore(output, self.spans)
        lost_marker = any(ord(self.spans[n][:1] or " ") >= SENTINEL_BASE
                          and self.items[ord(self.spans[n]) - SENTINEL_BASE][2] != NONE
                          for n in lost)
        plain = re.sub(r"  +", " ", marked)  # where a placeholder was lost
        markdown = close_up(plain, [(before, after) for *_, before, after in self.items])
        for number, (md, text, binding, _, _) in enumerate(self.items):
            sentinel = chr(SENTINEL_BASE + number)
            plain = plain.replace(sentinel, text)
            markdown = markdown.replace(sentinel, text if lost_marker and binding != NONE
                                        else md)
        plain = re.sub(r"  +", " ", plain).strip()
        if lost_marker:
            markdown = self.around[0] + markdown.strip() + self.around[1]
        stored = self.doc.markdown.setdefault("translated", {})  # type: ignore[union-attr]
        stored.setdefault(self.seg.id, {})[tgt] = markdown.strip()
        return plain, lost


def close_up(text: str, spaced: list[tuple[bool, bool]]) -> str:
    """``text`` (a translation, its placeholders back as sentinels) without the white
    space beside the sentinel of placeholder ``n`` where ``spaced[n]`` (space before,
    space after) says its source had none: a marker or a code glued to a word, which
    the model input set apart (:class:`Marked`, and a page's inline code:
    ``pipeline.stages.translate._Code``).

    >>> close_up("See \U000f0000 report \U000f0001 s", [(True, False), (False, False)])
    'See \U000f0000report\U000f0001s'
    """
    for number, (before, after) in enumerate(spaced):
        sentinel = re.escape(chr(SENTINEL_BASE + number))
        if not before:
            text = re.sub(r"\s+(?=" + sentinel + ")", "", text)
        if not after:
            text = re.sub("(?<=" + sentinel + r")\s+", "", text)
    return text


# Where a placeholder touches a word or another placeholder.
_SENTINEL = "\U000f0000-\U000ffffd"
_SENTINEL_GAP = re.compile(f"(?<=[\\w{_SENTINEL}])(?=[{_SENTINEL}])|(?<=[{_SENTINEL}])(?=[\\w])")
