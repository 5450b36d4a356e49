"""Repair stage: the layout and word artefacts that extraction leaves in the blocks.

Per block: hard-wrapped lines are joined (undoing line-break hyphenation where the
dictionary says so), compounds split by a stray space are rejoined ("norte -coreana"),
and spaces before closing punctuation are removed. Per document: a headline or
paragraph repeated as the next block is dropped. Finally blocks get their kinds:
``title``, ``heading`` or ``paragraph``.

Whether a hyphen at a break is a line-break hyphen ("coope-ração") or part of the word
("norte-coreana") is decided with wordfreq. The document's language is not known yet
at this stage, so the block's language is guessed among a few candidates from the
frequency of its words (:func:`guess_language`), and only when a decision is needed.

Each repair is a pure function with doctests; :class:`Repair` applies them and records
every change as a fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

from wordfreq import available_languages, zipf_frequency

from pipeline.document import Block, Document, Removed, Stage
from pipeline.stages.normalize import record_line_changes

# The languages a block may be in, for the dictionary decisions (wordfreq codes).
CANDIDATE_LANGUAGES = ("pt", "de", "en", "es", "fr")

# How many words of a block guess its language: enough to be stable, cheap enough.
GUESS_WORDS = 60

# A line-break hyphen is dropped when the joined word is attested in the block's
# language (Zipf >= 1, about once per 100 million words) and is at most this much
# rarer than the hyphenated form. wordfreq scores "zusammen-arbeit" from its two parts,
# which makes any split at a morpheme boundary look frequent: "Zusammenarbeit" 4.8 vs
# 5.3, "Staatschef" 3.2 vs 4.0 must still join; "ex-presidente" (1.2 vs 5.2 in pt)
# and "long-term" (2.8 vs 5.1 in en) must not.
JOINED_MIN_ZIPF = 1.0
HYPHEN_MARGIN = 1.5

# A block is a hard-wrapped paragraph when it has several lines, none is a list item,
# and every line but the last is at least this long. Addresses, verse, bylines and
# share bars have shorter lines and keep their line breaks.
WRAPPED_LINE_MIN_CHARS = 30

# A list item: "- ", "* ", "• ", "1. ", "2) ", "a) ".
LIST_ITEM = re.compile(r"\s{0,8}(?:[-*•–·]|\d{1,3}[.)]|[a-z][.)])\s")

# Dashes that may end a line glued to the word before them, and the two of them that
# are hyphens (hyphen-minus, U+2010) and so may be line-break hyphenation.
ATTACHED_DASHES = "-\u2010–—"
HYPHENS = "-\u2010"

# Words after which a hyphen followed by a space is a suspended hyphen, kept as is:
# "Nord- und Südkorea", "pre- and post-war", "pré- e pós-guerra".
SUSPENDED_HYPHEN_FOLLOWERS = frozenset(
    """und oder bis sowie bzw beziehungsweise als noch wie u resp respektive statt
    and or nor to through versus vs
    e ou nem até
    y o u ni hasta
    et jusqu""".split()  # de / en / pt / es / fr
)

# The letters ending / starting a token at a break.
TRAILING_LETTERS = re.compile(r"[^\W\d_]{1,60}$")
LEADING_LETTERS = re.compile(r"[^\W\d_]{1,60}")
WORD = re.compile(r"[^\W\d_]{2,60}")

# A hyphen between two letters at a line break or before a space: the only places where
# the dictionary (and so the block's language) is needed.
DICTIONARY_DECISION = re.compile(r"[^\W\d_][-\u2010][\n ][^\W\d_]")

# A compound split by a space before its hyphen: "norte -coreana", "Estado -Maior",
# "Especula -se". Two letters on each side, so "-5 °C", "x -1", " - " dashes, options
# such as "-v" and list dashes are not touched.
SPACE_BEFORE_HYPHEN = re.compile(r"(?<=[^\W\d_]{2}) -(?=[^\W\d_]{2})")

# A compound split by a space after its hyphen: "Nord- Korea", "coope- ração". Decided
# like a line-break hyphen (suspended hyphens such as "Nord- und Süd" are kept). The
# right part is only looked at, so that a chain "Nord- Süd- Dialog" is done in one pass.
SPACE_AFTER_HYPHEN = re.compile(
    r"(?<![^\W\d_])(?P<left>[^\W\d_]{2,40}-) (?=(?P<right>[^\W\d_]{1,40})(?![^\W\d_]))"
)

# Space before a comma or a final period: "palavra , outra" -> "palavra, outra". Not
# before "...", ". . ." or ".5", and not before ; : ! ? (French typography spaces them).
SPACE_BEFORE_COMMA_OR_PERIOD = re.compile(r"(?<=[^\s.]) {1,8}(?=,(?:\s|$)|\.(?!\s?\.)(?:\s|$))")
# Space before a closing bracket, unless the opener is padded too ("( assim )").
SPACE_BEFORE_CLOSING_BRACKET = re.compile(r"(?<=[^\s(\[:;]) {1,8}(?=[)\]])")
PADDED_OPENING_BRACKET = re.compile(r"[(\[] ")
# Space before a closing ” (not » or “: French « » and German „ “ are spaced or
# opening quotes; a Swedish opening ” is followed by a letter).
SPACE_BEFORE_CLOSING_QUOTE = re.compile(r"(?<=[^\s“„«‘‚]) {1,8}(?=”(?!\w))")

# Block kinds: a title is the first block, one line, short, not ending like a sentence
# part (a title may end with ! or ?); a heading is a later short line that does not end
# with sentence punctuation.
TITLE_MAX_WORDS = 20
TITLE_REJECTED_ENDINGS = (".", ",", ";", ":")
HEADING_MAX_WORDS = 12
SENTENCE_ENDINGS = (".", "!", "?", "…", ":", ";", ",")


def guess_language(text: str, languages: Sequence[str] = CANDIDATE_LANGUAGES) -> str:
    """The candidate language in which the text's first words are most frequent.

    >>> guess_language("A cooperação militar já está em pleno andamento")
    'pt'
    >>> guess_language("Die Zusammenarbeit der beiden Staaten wird enger")
    'de'
    """
    words = WORD.findall(text)[:GUESS_WORDS]
    scores = {lang: sum(zipf_frequency(word, lang) for word in words) for lang in languages}
    return max(languages, key=scores.__getitem__)


def prefer_joined(head: str, tail: str, lang: str) -> bool:
    """True when ``head`` + ``tail`` is one word in ``lang``, not a hyphenated compound.

    >>> prefer_joined("coope", "ração", "pt"), prefer_joined("Zusammen", "arbeit", "de")
    (True, True)
    >>> prefer_joined("norte", "coreana", "pt"), prefer_joined("ex", "presidente", "pt")
    (False, False)
    """
    joined = zipf_frequency(head + tail, lang)
    return joined >= JOINED_MIN_ZIPF and joined + HYPHEN_MARGIN >= zipf_frequency(
        f"{head}-{tail}", lang
    )


def join_at_break(left: str, right: str, lang: str) -> str:
    """Join the token ending one line to the token starting the next.

    A spaced break becomes a space; a hyphen between two letters is dropped when the
    dictionary prefers the joined word, kept before an upper-case letter ("Nord-Korea"),
    and kept with its space before "und", "and", "e"... (a suspended hyphen); any other
    attached dash is kept without a space.

    >>> join_at_break("coope-", "ração", "pt"), join_at_break("norte-", "coreana", "pt")
    ('cooperação', 'norte-coreana')
    >>> join_at_break("Nord-", "Korea", "de"), join_at_break("Nord-", "und", "de")
    ('Nord-Korea', 'Nord- und')
    >>> join_at_break("Nordkorea", "-", "pt"), join_at_break("10-", "12", "pt")
    ('Nordkorea -', '10-12')
    """
    if len(left) < 2 or left[-1] not in ATTACHED_DASHES:
        return f"{left} {right}"
    head, tail = TRAILING_LETTERS.search(left[:-1]), LEADING_LETTERS.match(right)
    if left[-1] not in HYPHENS or head is None or tail is None:
        return left + right
    if tail.group().casefold() in SUSPENDED_HYPHEN_FOLLOWERS:
        return f"{left} {right}"
    if not tail.group()[0].isupper() and prefer_joined(head.group(), tail.group(), lang):
        return left[:-1] + right
    return left + right


def looks_wrapped(text: str) -> bool:
    """True when a block is a hard-wrapped paragraph whose lines should be joined.

    >>> looks_wrapped("A cooperação militar já está em pleno\\nandamento desde o ano passado.")
    True
    >>> looks_wrapped("Rua das Flores, 12\\n1000-100 Lisboa")
    False
    >>> looks_wrapped("- primeiro item da lista, bastante longo\\n- segundo item da lista")
    False
    """
    lines = text.split("\n")
    return (
        len(lines) > 1
        and bool(lines[-1].strip())
        and not any(LIST_ITEM.match(line) for line in lines)
        and all(len(line.strip()) >= WRAPPED_LINE_MIN_CHARS for line in lines[:-1])
    )


def unwrap(text: str, lang: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Join a hard-wrapped paragraph into one line; also return each join made.

    Each join is ``(kind, before, after)``: kind ``hyphenation`` when a line-break
    hyphen was dropped, ``unwrap`` otherwise. Blocks that do not look wrapped
    (:func:`looks_wrapped`) come back unchanged.

    >>> text, joins = unwrap("O líder norte-coreano pediu uma coope-\\n"
    ...                      "ração mais intensa com a Rússia e com\\n"
    ...                      "o Irã.", "pt")
    >>> text
    'O líder norte-coreano pediu uma cooperação mais intensa com a Rússia e com o Irã.'
    >>> joins
    [('hyphenation', 'coope-\\nração', 'cooperação'), ('unwrap', 'com\\no', 'com o')]
    """
    if not looks_wrapped(text):
        return text, []
    lines = text.split("\n")
    joined, joins = lines[0].rstrip(), []
    for line in lines[1:]:
        line = line.strip()
        left = joined.rpartition(" ")[2]
        right = line.partition(" ")[0]
        glued = join_at_break(left, right, lang)
        kind = "hyphenation" if glued == left[:-1] + right else "unwrap"
        joins.append((kind, f"{left}\n{right}", glued))
        joined = joined[: len(joined) - len(left)] + glued + line[len(right) :]
    return joined, joins


def split_compounds(line: str, lang: str) -> str:
    """Rejoin compounds split by a space next to their hyphen.

    >>> split_compounds("a agência norte -coreana e o Estado -Maior; especula -se", "pt")
    'a agência norte-coreana e o Estado-Maior; especula-se'
    >>> split_compounds("Nord- Korea, der Nord- Süd- Dialog, aber Nord- und Südkorea", "de")
    'Nord-Korea, der Nord-Süd-Dialog, aber Nord- und Südkorea'
    >>> split_compounds("Pyongyang - hoje -5 °C, placar 1-0, x = -1", "pt")
    'Pyongyang - hoje -5 °C, placar 1-0, x = -1'
    """
    line = SPACE_BEFORE_HYPHEN.sub("-", line)
    return SPACE_AFTER_HYPHEN.sub(partial(_join_split_compound, lang=lang), line)


def _join_split_compound(match: re.Match[str], lang: str) -> str:
    """The replacement of a SPACE_AFTER_HYPHEN match: the join without its right part."""
    glued = join_at_break(match["left"], match["right"], lang)
    return glued[: len(glued) - len(match["right"])]


def remove_space_before_punct(line: str) -> str:
    """Remove spaces before a comma, a final period, a closing bracket or ”.

    >>> remove_space_before_punct("palavra , outra (assim ) e “isso ” .")
    'palavra, outra (assim) e “isso”.'
    >>> remove_space_before_punct("Quoi ? « Oui » : ( sic ) ... . . .")
    'Quoi ? « Oui » : ( sic ) ... . . .'
    """
    line = SPACE_BEFORE_COMMA_OR_PERIOD.sub("", line)
    if not PADDED_OPENING_BRACKET.search(line):
        line = SPACE_BEFORE_CLOSING_BRACKET.sub("", line)
    return SPACE_BEFORE_CLOSING_QUOTE.sub("", line)


def same_text(first: str, second: str) -> bool:
    """True when two blocks hold the same words, whatever the whitespace between them.

    >>> same_text("Coreia do Norte\\ne Rússia", "Coreia  do Norte e Rússia")
    True
    """
    return first.split() == second.split()


def block_kind(text: str, first: bool) -> str:
    """``title``, ``heading`` or ``paragraph`` for a block's text.

    >>> block_kind("Coreia do Norte e Rússia: uma aliança!", first=True)
    'title'
    >>> block_kind("Apoio militar e parceria estratégica", first=False)
    'heading'
    >>> block_kind("O encontro ocorreu ontem.", first=False)
    'paragraph'
    """
    words = len(text.split())
    if "\n" in text or not any(char.isalpha() for char in text):
        return "paragraph"
    if first and words <= TITLE_MAX_WORDS and not text.endswith(TITLE_REJECTED_ENDINGS):
        return "title"
    if not first and words <= HEADING_MAX_WORDS and not text.endswith(SENTENCE_ENDINGS):
        return "heading"
    return "paragraph"


class Repair(Stage):
    """Undo layout and word artefacts in the blocks, drop repeated blocks, set kinds.

    ``languages`` are the wordfreq languages a block may be in (for the hyphenation
    decisions). Fix kinds: ``unwrap``, ``hyphenation``, ``split_compound``,
    ``space_before_punct``, ``duplicate_headline``, ``duplicate_paragraph`` (the last
    two also recorded in ``doc.removed``). Only blocks of kind ``paragraph`` are
    re-kinded; kinds set by an earlier stage are kept.
    """

    name = "repair"

    def __init__(self, languages: Sequence[str] = CANDIDATE_LANGUAGES) -> None:
        missing = sorted(set(languages) - set(available_languages()))
        if not languages or missing:
            raise ValueError(
                f"wordfreq has no word list for {missing or 'an empty list'}; choose the "
                f"repair languages among {', '.join(sorted(available_languages()))}"
            )
        self.languages = tuple(languages)

    def process(self, doc: Document) -> Document:
        self._drop_repeated_blocks(doc)
        for block in doc.blocks:
            # the language is only guessed (costly) when a hyphen decision needs it
            lang = (
                guess_language(block.text, self.languages)
                if DICTIONARY_DECISION.search(block.text)
                else ""
            )
            text, joins = unwrap(block.text, lang)
            for kind, before, after in joins:
                doc.fix(self.name, kind, before, after)
            text = self._repair_lines(
                doc, "split_compound", text, partial(split_compounds, lang=lang)
            )
            block.text = self._repair_lines(
                doc, "space_before_punct", text, remove_space_before_punct
            )
        for number, block in enumerate(doc.blocks):
            if block.kind == "paragraph":
                block.kind = block_kind(block.text, first=number == 0)
        return doc

    def _repair_lines(
        self, doc: Document, kind: str, text: str, repair: Callable[[str], str]
    ) -> str:
        repaired = "\n".join(repair(line) for line in text.split("\n"))
        if repaired != text:
            record_line_changes(doc, self.name, kind, text, repaired)
        return repaired

    def _drop_repeated_blocks(self, doc: Document) -> None:
        kept: list[Block] = []
        for block in doc.blocks:
            if kept and same_text(kept[-1].text, block.text):
                reason = "duplicate headline" if len(kept) == 1 else "duplicate paragraph"
                doc.removed.append(Removed(block.text, reason))
                doc.fix(self.name, reason.replace(" ", "_"), block.text, "")
            else:
                kept.append(block)
        doc.blocks = kept
