"""Protected spans: text that must come out of translation exactly as it went in.

URLs, e-mail addresses, numbers with a unit or currency ("3,5 km", "R$ 20", "12%") and
configured terms (names, brands) are replaced by placeholders before a segment is
translated, and put back afterwards. A placeholder is ``ZZ`` plus one or more letters
(``ZZB``, ``ZZC``, ...): plain ASCII capitals, which every SentencePiece vocabulary of a
Latin-script model holds, so a placeholder survives tokenisation unchanged and reads to a
model like an acronym, which models copy. Restoring tolerates what a model may do to it
(spaces inside, lower case) and reports the placeholders that did not come back.

>>> protected = protect("Veja https://example.org/a?b=1 ou escreva a ana@example.org.")
>>> protected.text
'Veja ZZB ou escreva a ZZC.'
>>> restore("See ZZB or write to zz c.", protected.spans)
('See https://example.org/a?b=1 or write to ana@example.org.', [])
>>> restore("See it.", protected.spans)
('See it.', [0, 1])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.languages import UNDETERMINED

__all__ = [
    "CODE_STAND_INS", "EMAIL_PATTERN", "URL_PATTERN", "Protected", "Protector", "copied_as_is",
    "nothing_to_translate", "placeholder", "protect", "restore", "strip_placeholders",
]

# The characters that stand for a web page's inline code in the text the cleanup stages
# read (pipeline.readers.html), one for each distinct code of the page: the
# Supplementary Private Use Area-B, which no word rule takes (no letter, no space, no
# punctuation) and no text the pipeline reads writes. A regular expression's class.
CODE_STAND_INS = "\U00100000-\U0010fffd"

# Letters that code a placeholder's number (base 16): consonants only, so no code spells a word.
_DIGITS = "BCDFGHKLMNPRSTVW"
_PLACEHOLDER = re.compile(rf"(?<!\w)Z\s?Z\s?((?:[{_DIGITS}]\s?)*[{_DIGITS}])(?!\w)", re.IGNORECASE)
_SPACE = re.compile(r"\s")

URL_PATTERN = r"(?:https?://|www\.)[^\s<>\"«»“”]+"
# An e-mail address starts where a run of its characters starts: a match may not
# begin inside "a.b.c...", which would rescan the run from every position.
EMAIL_PATTERN = r"(?<![\w.+@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_NUMBER = r"\d+(?:[.,\u00a0\u202f]\d{3})*(?:[.,]\d+)?"
_CURRENCIES = r"US\$|R\$|A\$|C\$|\$|€|£|¥|CHF|EUR|USD|BRL"
# Units written after a number; words that are also common words ("in") are left out.
_UNITS = (
    r"%|‰|°C|°F|°|km/h|km²|km2|m²|m³|km|cm|mm|m|kg|mg|g|t|ml|l|kWh|MWh|GWh|kW|MW|GW|W|"
    r"GHz|MHz|kHz|Hz|TB|GB|MB|KB|kB|ms|min|h|s|V|mph|ft|lb|oz"
)
_PATTERNS = (
    URL_PATTERN,
    EMAIL_PATTERN,
    rf"(?:{_CURRENCIES})\s?{_NUMBER}",
    # An amount may also end in its currency: "20 €", "5 USD".
    rf"{_NUMBER}\s?(?:{_UNITS}|{_CURRENCIES})(?![\w$])",
)
_SPANS = re.compile("|".join(f"(?<![\\w@]){pattern}" for pattern in _PATTERNS))
# What may end a URL as written but is the sentence's punctuation.
_URL_TAIL = ".,;:!?'\"’)]}"


@dataclass(frozen=True)
class Protected:
    """A text with placeholders and the spans they stand for: placeholder ``i`` is ``spans[i]``."""

    text: str
    spans: tuple[str, ...] = ()
    # the placeholders that stand for ranges the caller gave (not shown when none)
    extra: tuple[int, ...] = field(default=(), repr=False)


def placeholder(index: int) -> str:
    """The placeholder for span number ``index``.

    >>> [placeholder(i) for i in (0, 1, 15, 16)]
    ['ZZB', 'ZZC', 'ZZW', 'ZZCB']
    """
    code = ""
    while True:
        index, digit = divmod(index, len(_DIGITS))
        code = _DIGITS[digit] + code
        if not index:
            return "ZZ" + code


def _index(code: str) -> int:
    value = 0
    for letter in re.sub(r"\s", "", code).upper():
        value = value * len(_DIGITS) + _DIGITS.index(letter)
    return value


def _trim_url(url: str) -> str:
    """Drop sentence punctuation glued to a URL's end (a closing bracket only if unmatched).

    >>> _trim_url("https://en.wikipedia.org/wiki/Seoul_(city)).")
    'https://en.wikipedia.org/wiki/Seoul_(city)'
    """
    while url and url[-1] in _URL_TAIL:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({term.strip() for term in terms if term.strip()}, key=lambda t: (-len(t), t))
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")


def _spans(text: str, terms: re.Pattern[str] | None,
           extra: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Protected (start, end) ranges, in order, without overlaps (the ``extra`` ranges
    win, then terms, then the longest)."""
    found: list[tuple[int, int]] = [(start, end) for start, end in extra]
    taken = [(start, end) for start, end in extra]
    if terms is not None:
        found += [match.span() for match in terms.finditer(text)]
    for match in _SPANS.finditer(text):
        start, end = match.span()
        if text[start:end].lower().startswith(("http", "www.")):
            end = start + len(_trim_url(text[start:end]))
        found.append((start, end))
    found = [span for span in found if span in taken or not any(
        span[0] < end and start < span[1] for start, end in taken)]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: (span[0], -span[1])):
        if end > start and (not kept or start >= kept[-1][1]):
            kept.append((start, end))
    return kept


class Protector:
    """Protection with a fixed list of configured terms (compiled once)."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._terms = _terms_pattern(terms)

    def protect(self, text: str, extra: Sequence[tuple[int, int]] = ()) -> Protected:
        """Replace protected spans by placeholders.

        ``extra`` are more (start, end) ranges of ``text`` to protect (a foreign span
        translated on its own); ``Protected.extra`` gives their placeholders' numbers, in
        the order given (-1 for a range that overlaps an earlier one).
        A text that already contains something that reads as a placeholder is left as it
        is (nothing protected), so restoring can never replace the text's own words.

        >>> p = Protector().protect("Em Nordkorea, veja www.a.org", [(3, 12)])
        >>> p.text, p.spans, p.extra
        ('Em ZZB, veja ZZC', ('Nordkorea', 'www.a.org'), (0,))
        """
        if _PLACEHOLDER.search(text):
            return Protected(text)
        pieces: list[str] = []
        spans: list[str] = []
        numbers: dict[tuple[int, int], int] = {}
        position = 0
        for start, end in _spans(text, self._terms, extra):
            numbers[start, end] = len(spans)
            pieces += [text[position:start], placeholder(len(spans))]
            spans.append(text[start:end])
            position = end
        pieces.append(text[position:])
        marked = tuple(numbers.get((start, end), -1) for start, end in extra)
        return Protected("".join(pieces), tuple(spans), marked)


def protect(text: str, terms: Iterable[str] = ()) -> Protected:
    """Replace URLs, e-mail addresses, numbers with units and ``terms`` by placeholders.

    >>> protect("O PIB cresceu 3,5% e a Petrobras investiu R$ 20 bilhões.", ["Petrobras"])
    Protected(text='O PIB cresceu ZZB e a ZZC investiu ZZD bilhões.', spans=('3,5%', \
'Petrobras', 'R$ 20'))
    """
    return Protector(terms).protect(text)


def restore(output: str, spans: Sequence[str]) -> tuple[str, list[int]]:
    """Put the spans back in place of their placeholders in a translation.

    Returns the restored text and the numbers of the placeholders missing from ``output``
    (their spans are lost; the caller flags the segment). Something that reads as a
    placeholder but has no span is left as it is.

    >>> restore("See ZZB v Prague, zz c w Warsaw.", ["https://x.cz/a", "ana@x.pl"])
    ('See https://x.cz/a v Prague, ana@x.pl w Warsaw.', [])
    """
    if not spans:
        return output, []
    seen: set[int] = set()

    def put_back(match: re.Match[str]) -> str:
        code = match.group(1)
        # A code read across a space is cut back to its longest part that names a span:
        # "ZZB v Praze" is ZZB and the Czech word "v" (which reads as a letter of it).
        for end in (len(code), *(m.start() for m in reversed(list(_SPACE.finditer(code))))):
            index = _index(code[:end])
            if index < len(spans):
                seen.add(index)
                return spans[index] + match.group(0)[match.start(1) - match.start() + end:]
        return match.group(0)

    restored = _PLACEHOLDER.sub(put_back, output)
    return restored, [index for index in range(len(spans)) if index not in seen]


def nothing_to_translate(text: str) -> bool:
    """Whether ``text`` holds no letter outside what protection passes through as it is
    (URLs, e-mail addresses, amounts): a separator, a date, a time or a link alone,
    which a model can only garble; such a segment is copied.

    >>> [nothing_to_translate(t) for t in ("* * *", "12:30", "2024", "https://example.org/a")]
    [True, True, True, True]
    >>> [nothing_to_translate(t) for t in ("3,5 km", "Brasil", "12:30 GMT", "東京")]
    [True, False, False, False]
    """
    return not any(c.isalpha() for c in _SPANS.sub(" ", text))


def copied_as_is(lang: str, text: str, tgt: str) -> bool:
    """Whether a segment in ``lang`` goes into ``tgt`` as it is, untranslated and not
    parallel data: already in that language, or a text without words ("und": numbers,
    an address), also where it took its document's language ("* * *", "12:30", a link
    alone), which a model could only garble. The translate stage, report.json's counts
    and the parallel corpora decide it here.

    >>> copied_as_is("en", "Hello.", "en"), copied_as_is("pt", "12:30", "en")
    (True, True)
    >>> copied_as_is("und", "2024", "en"), copied_as_is("pt", "Olá.", "en")
    (True, False)
    """
    return lang in (tgt, UNDETERMINED) or nothing_to_translate(text)


def strip_placeholders(text: str) -> str:
    """The text without its placeholders (for checks that must not count them as words).

    >>> strip_placeholders("Veja ZZB ou zz c.")
    'Veja  ou .'
    """
    return _PLACEHOLDER.sub("", text)
