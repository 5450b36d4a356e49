"""Segment stage: split each block into sentences, the unit of detection and translation.

A rule-based splitter: a sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any
closing quotes or brackets) followed by whitespace and a letter that is not lower case
(in any script), digit, currency sign or opening quote, or at Chinese and Japanese
``。！？``, except after an abbreviation or an initial (an era
written after a year, "a.C.", "B.C.", "J.-C.", ends a sentence when one follows). Each line of a
block is split on its own, so lists and headings are never glued together.
Joining a block's segments with the whitespace between them gives the block back.
"""

from __future__ import annotations

import re

from pipeline.document import Document, Segment, Stage

# Abbreviations that end with a period but do not end a sentence, lower-cased and
# without the period, across the languages we see most (pt, de, en, es, fr, it, nl).
ABBREVIATIONS = frozenset(
    """
    sr sra srs dr dra drs prof profa eng gen cel cap ten sgt min dep gov pres av
    mr mrs ms jr st vs etc approx dept est inc ltd co corp no nos fig
    hr fr frau nr bzw ca usw vgl z b d h u a s o ggf evtl inkl
    mme mlle mm cf env p ex
    sig sres ud uds
    """.split()
)

# Eras written after a year, whose last letter would otherwise pass for an initial:
# "700 a.C. No final..." (pt, es, it: antes/después/dopo Cristo), "300 B.C. The..."
# (en), "52 av. J.-C. La..." (fr). After a year and before a capital they end the
# sentence far more often than a name follows them inside one. Only after a number:
# "Washington D.C. Mayor..." and "Vancouver, B.C. Premier..." go on.
ERA_END = re.compile(
    r"\d[ \u00a0]+(?:[ad]\.[ \u00a0]?C|B\.[ \u00a0]?C|(?:av|apr)\.[ \u00a0]?J\.-C)\."
    r"[\"'”’»)\]]{0,3}$"
)

# End of a sentence: terminal punctuation (possibly repeated; the Arabic question
# mark and the Devanagari danda too) and closing quotes or brackets, then whitespace,
# then what can start a sentence: a letter that is not lower case (upper case in
# every cased script, "Ł", "Č", "Д", "Ω"; any letter of a script without case), a digit
# or a currency sign ("inacreditável. $5,000 por pessoa"). Chinese and Japanese
# sentences end at 。！？, with or without a space after, unless a closing bracket
# follows (a quotation goes on: 「本当？」と彼は言った。).
SENTENCE_END = re.compile(
    r"""(?<=[.!?…؟।])["'”’»)\]]{0,3}(?P<gap>[ \t]+)(?=["'“‘«(\[¿¡]?(?P<next>[^\W_]|[$€£¥]))"""
    r"""|(?<=[。！？])(?P<cjk>[ \t]*)(?=[^\s。！？」』）〉》”’"'])"""
)
# The word before a period, to tell abbreviations and initials from sentence ends.
LAST_WORD = re.compile(r"(\w+)\.[\"'”’»)\]]{0,3}$")


def split_sentences(line: str) -> list[str]:
    """Split one line into sentences.

    >>> split_sentences("O líder chegou. Ele falou com o Sr. Kozlov em 6 de nov. de 2024!")
    ['O líder chegou.', 'Ele falou com o Sr. Kozlov em 6 de nov. de 2024!']
    >>> split_sentences('Mais de 10.000 soldados. "Escalada", disse Mark Rutte.')
    ['Mais de 10.000 soldados.', '"Escalada", disse Mark Rutte.']
    >>> split_sentences("Kim Jong Un met J. Smith. Then he left.")
    ['Kim Jong Un met J. Smith.', 'Then he left.']
    >>> split_sentences("Foi erguido por volta de 1900 a.C. No final do século, caiu.")
    ['Foi erguido por volta de 1900 a.C.', 'No final do século, caiu.']
    >>> split_sentences("He lives in Washington D.C. Mayor Bowser came by.")
    ['He lives in Washington D.C. Mayor Bowser came by.']
    >>> split_sentences("É inacreditável. $5,000 por pessoa, o máximo.")
    ['É inacreditável.', '$5,000 por pessoa, o máximo.']
    >>> split_sentences("Spotkanie odbyło się w Krakowie. Łódź była następna.")
    ['Spotkanie odbyło się w Krakowie.', 'Łódź była następna.']
    >>> split_sentences("Ярмарку посетили тысячи человек. Организаторы довольны.")
    ['Ярмарку посетили тысячи человек.', 'Организаторы довольны.']
    >>> split_sentences("東京で展示会が開かれた。参加者は多かった！「本当？」と彼は言った。")
    ['東京で展示会が開かれた。', '参加者は多かった！', '「本当？」と彼は言った。']
    >>> split_sentences("Details")
    ['Details']
    """
    sentences: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(line):
        gap = "gap" if match.group("cjk") is None else "cjk"
        if gap == "gap" and match.group("next").islower():
            continue
        candidate = line[start : match.start(gap)]
        last = LAST_WORD.search(candidate)
        if (
            gap == "gap"
            and last
            and (last.group(1).lower() in ABBREVIATIONS or len(last.group(1)) == 1)
            and not ERA_END.search(candidate)
        ):
            continue
        sentences.append(candidate)
        start = match.end(gap)
    if line[start:].strip():
        sentences.append(line[start:])
    return sentences


class Segmenter(Stage):
    """Fill ``block.segments`` with one Segment per sentence, with stable ids.

    Ids are ``<doc>#<block>.<sentence>``, both counted from 1 in reading order.
    """

    name = "segment"

    def process(self, doc: Document) -> Document:
        for b, block in enumerate(doc.blocks, start=1):
            texts = [s.strip() for line in block.text.split("\n") for s in split_sentences(line)]
            block.segments = [
                Segment(id=f"{doc.doc}#{b}.{n}", text=text)
                for n, text in enumerate((t for t in texts if t), start=1)
            ]
        return doc
