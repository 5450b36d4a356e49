"""Boilerplate stage: interface labels out of the body, label/value facts into metadata.

Two kinds of untranslated interface text survive extraction. Widget text ("Details",
"Teilen", "Kommentare (0)") carries nothing: the line is removed and recorded in
``doc.removed``; a counter's number goes to metadata ("comments": "0"). Label/value
pairs ("Ort: Berlin", "Ort Berlin", the glued "OrtPyongyang, Nordkorea") carry facts:
the raw value goes to ``doc.metadata`` under the label's key and the line is removed.

Only whole lines are judged, and only short ones: a label word inside a sentence
("Details zum Vertrag folgen", "Datenschutz ist wichtig.") is never touched. The
lexicon is data, in ``pipeline/data/labels.toml``; a user's configuration extends it
with the same shape.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from pipeline.config import DEFAULT_CANDIDATES as CANDIDATE_LANGUAGES  # repair's too
from pipeline.document import Document, Removed, Stage
from pipeline.lazy import lazy_module

# Imported at the first line judged (it imports normalize and ftfy, 0.1-0.2 s): the
# detect stage, `pipeline detect` included, reads only the label lexicon here.
repair = lazy_module("pipeline.stages.repair")

# A label line is short: a byline, a dateline, a button. Longer lines are text.
MAX_LABEL_LINE_CHARS = 80
MAX_LABEL_LINE_WORDS = 10

# Around a widget label, arrows, bullets, dots and brackets are decoration:
# "Leia mais »", "Read more…", "› Teilen", "[Drucken]", "▶ Ver mais".
WIDGET_DECORATION = " .:…»›→>|·•*-–—[]()▶►▸⇒↗"

# Share bars put several widgets on one line: "Teilen | Drucken | Kommentare (3)".
WIDGET_SEPARATOR = re.compile(r"\s{1,3}[|·•/]\s{1,3}")

# How a counter widget shows its number; LABELS stands for the alternation of the
# counter's labels. Matched against the whole trimmed line, case-insensitively.
COUNTER_FORMS = (
    r"(?:LABELS)\s{0,3}[(\[]\s{0,3}(?P<count>\d{1,9})\s{0,3}[)\]]",  # Kommentare (3)
    r"(?:LABELS)\s{0,3}:\s{0,3}(?P<count>\d{1,9})",  # Comentários: 2
    r"(?P<count>\d{1,9})\s{1,3}(?:LABELS)",  # 3 Comments
)

# Questions and exclamations are headlines, never label lines ("Por que a Rússia?").
HEADLINE_ENDINGS = ("?", "!")

# In the space form ("Von Max Muster"), lower-case words a name or place may hold.
NAME_PARTICLES = frozenset(
    "da das de del della den der di do dos du el la las le les los van von y zu".split()
)

# In the space form, lower-case words a date may hold besides the particles: months
# and the words around a time ("12 de novembro de 2024", "12 novembre 2024 à 14h30").
DATE_WORDS = frozenset(
    """janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro
    dezembro enero febrero marzo abril mayo junio julio agosto septiembre octubre
    noviembre diciembre janvier février mars avril mai juin juillet août septembre
    octobre novembre décembre um à às a at on of h""".split()
)

# A line that starts with a lower-case letter after a line that does not end a
# sentence continues that sentence (a hard-wrapped paragraph): it is text, even when it
# reads like a label ("... material de\npublicidade.", "... Bericht\nvon Henry ...").
SENTENCE_END = (".", "!", "?", ":", ";", "…", '"', "”", "»", ")")
# So does any line after a kept line this long (repair's WRAPPED_LINE_MIN_CHARS) that does
# not end a sentence, whatever its first letter: scripts without case, a name, a number
# ("... Sky w lipcu\n2006 roku.", "... Mpuma\nKoloni!’"; bench/harm.py: the last line
# of hard-wrapped paragraphs of 24 languages went as interface lines), unless it is short
# (UI_MAX_CHARS) and the lexicon lists it: "... acordo militar histórico\nKommentare (0)"
# is a headline, then a widget.
WRAPPED_LINE_CHARS = 30

# In the space form, a value never starts with an article or a question word: those
# start headings ("By The Numbers", "Von Der Leyen bis ...", "Por Que ...").
VALUE_STOPWORDS = frozenset(
    """a an as das dem den der des die ein eine el ella how la las le les los o os que
    qué the um uma un una une was what why wie""".split()
)

# The lexicon's sections (see labels.toml).
SECTIONS = ("widgets", "platforms", "share", "counters", "fields")

# In a share template, where the platform's name goes ("Auf {platform} teilen").
PLATFORM = "{platform}"

# Keys of a [fields.KEY] table that are options, not language lists.
FIELD_OPTIONS = ("value", "space_form")

# Where the lexicon lives, inside the package.
LEXICON_FILE = files("pipeline") / "data" / "labels.toml"

# --- interface lines that no lexicon lists (see unlisted_ui) ---------------------------
# An unlisted interface line is shorter than a label line may be: a button, a breadcrumb,
# a reading-time or counter line. Longer lines are left to the lexicon.
UI_MAX_WORDS = 6
UI_MAX_CHARS = 50
# It ends with no sentence punctuation (Chinese and Japanese 。！？，； too); an
# abbreviation's period ("Lesezeit: 3 Min.") is not one when a digit comes before it
# on the line.
UI_SENTENCE_ENDINGS = ("!", "?", "…", ",", ";", '"', "”", "»", "。", "！", "？", "，", "；")
# A label and a value with a number: "Lesezeit: 3 Min.", "Views: 1,024", "Vues : 845".
# One to three words before the colon.
UI_LABEL_VALUE = re.compile(r"[^\W\d_][\w'’.-]*(?: [\w'’.-]+){0,2} ?: ?(?P<value>.{1,40})")
# A breadcrumb or a row of buttons: three or more short parts between separators
# ("Startseite › Politik › Ausland", "Home / World / Asia", "Print | Email | Save"), or
# two when one is a widget the lexicon knows ("Drucken | Versenden").
# Without a number, the value of a one-word label must be a list of names: "Themen:
# Nordkorea, Russland", "Tags: Coreia do Norte, Rússia" (a headline's value has words in
# lower case: "Ucrânia: o que se sabe").
UI_NAME_LIST = re.compile(
    r"[A-ZÀ-Ý][\w'’.-]*(?: (?:[a-z]{1,3} )?[A-ZÀ-Ý][\w'’.-]*)*"
    r"(?:, [A-ZÀ-Ý][\w'’.-]*(?: (?:[a-z]{1,3} )?[A-ZÀ-Ý][\w'’.-]*)*)*"
)
# A count and one to three words: "5 min read", "4 Minuten Lesezeit", "12 comentários".
UI_COUNT = re.compile(r"\d{1,6}(?: [^\W\d_][\w.]*){1,3}")
UI_SEPARATOR = re.compile(r"\s{1,3}[|·•/›>»]\s{1,3}")
UI_PART_MAX_WORDS = 3
UI_MIN_PARTS = 3
# A line is in a language foreign to the document when the detect stage's scores give
# the document's language at most UI_FOREIGN_HOME_MAX of the probability, and one of its
# words is at least UI_FOREIGN_WORD_MARGIN (Zipf) more frequent in another candidate
# language ("Teilen" in Portuguese text: 4.9 in de, 0 in pt). Words every language uses
# ("min", "pdf", "home") carry no evidence. Set on bench/ui_strings.py's dev list.
UI_FOREIGN_HOME_MAX = 0.05
# A label/value or a count line goes when the document's language gets at most
# UI_HOME_MIN of its probability (a weaker test: the shape is evidence too).
UI_HOME_MIN = 0.5
# Languages that capitalise their nouns: elsewhere a capital after a line's first word
# starts a name, and a line holding a name is text ("Fonte Nova Arena reabre").
NOUNS_CAPITALISED = frozenset({"de", "lb"})
# Lines of two tokens or more, capitalised at both ends, with at least this share of
# capitalised tokens are names or titles ("A France 2", "On a Wing and a Prayer").
UI_NAME_SHARE = 0.75
# Name particles are no evidence of a language ("de" is Portuguese, Spanish, French...).
UI_EVIDENCE_MIN_CHARS = 2
# A line in another language may be longer than other interface lines.
UI_FOREIGN_MAX_WORDS = 8
UI_FOREIGN_WORD_MARGIN = 1.0
# A short line standing more than once in a document, in blocks that are not next to
# each other, is a navigation or share line printed at the top and the bottom (a
# headline printed twice stands in consecutive blocks: the repair stage drops it).
UI_REPEATS = 2
# Words of two letters or more, for the language of a line.
UI_WORD = re.compile(r"[^\W\d_]{2,}")

# Why the decision is made per document, not from lines recurring across the corpus:
# runs are incremental (only new and changed documents are processed), so a corpus-wide
# count would grow with the corpus, and a line seen once in an early document would
# become boilerplate when later documents repeat it; earlier documents would then have
# to be reprocessed whenever the count crosses the threshold, or keep a decision the
# same corpus processed in another order would not make. A document's own repeats, the
# line's shape and its language against the document's are known from the document
# alone: the same document always gets the same clean copy, in any order, with any
# number of workers.


@dataclass(frozen=True)
class Label:
    """What a line turned out to be: a fix kind, the removal reason, metadata found."""

    kind: str  # the fix kind: "widget_label" or "metadata"
    reason: str  # the Removed reason: "widget label" or "metadata: KEY"
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldLabel:
    """One label of a label/value field."""

    label: str  # as written in the lexicon: "Ort", "Von", "Publicado em"
    key: str  # the metadata key: "location", "author"
    value_rule: re.Pattern[str] | None  # what the value must contain, if anything
    space_form: bool  # whether "Label Value" (no colon, not glued) counts


@dataclass(frozen=True)
class Lexicon:
    """The label lexicon, compiled for matching lines."""

    widgets: frozenset[str]  # casefolded widget labels
    counters: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]  # (key, one per form)
    # field labels, longest first, by their first character casefolded: a line is only
    # tried against the labels it can start with
    fields: dict[str, tuple[FieldLabel, ...]]

    def fields_for(self, line: str) -> tuple[FieldLabel, ...]:
        """The field labels ``line`` may start with, longest first."""
        return self.fields.get(line[:1].casefold(), ())

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Lexicon:
        """Build a lexicon from data shaped like ``labels.toml``; raise ValueError on errors."""
        unknown = sorted(set(data) - set(SECTIONS))
        if unknown:
            raise ValueError(
                f"unknown label section(s) {unknown}; use {', '.join(SECTIONS)} "
                "(see pipeline/data/labels.toml)"
            )
        widgets = {label.casefold() for label in _labels(data.get("widgets", {}), "widgets")}
        platforms = _labels(data.get("platforms", {}), "platforms")
        widgets.update(platform.casefold() for platform in platforms)
        for template in _labels(data.get("share", {}), "share"):
            if PLATFORM not in template:
                raise ValueError(f"share template {template!r} must hold {PLATFORM}")
            widgets.update(template.replace(PLATFORM, name).casefold() for name in platforms)
        counters = []
        for key, table in _keyed(data.get("counters", {}), "counters"):
            labels = _labels(table, f"counters.{key}")
            widgets.update(label.casefold() for label in labels)
            alternation = "|".join(re.escape(label) for label in _longest_first(labels))
            forms = tuple(
                re.compile(form.replace("LABELS", alternation), re.IGNORECASE)
                for form in COUNTER_FORMS
            )
            counters.append((key, forms))
        fields = []
        for key, table in _keyed(data.get("fields", {}), "fields"):
            rule, space_form = table.get("value"), table.get("space_form", False)
            if rule is not None and not isinstance(rule, str):
                raise ValueError(f"fields.{key}.value must be a regular expression string")
            if not isinstance(space_form, bool):
                raise ValueError(f"fields.{key}.space_form must be true or false")
            languages = {k: v for k, v in table.items() if k not in FIELD_OPTIONS}
            value_rule = re.compile(rule) if rule else None
            fields.extend(
                FieldLabel(label, key, value_rule, space_form)
                for label in _labels(languages, f"fields.{key}")
            )
        fields.sort(key=lambda item: -len(item.label))
        by_first: dict[str, list[FieldLabel]] = {}
        for field_label in fields:
            by_first.setdefault(field_label.label[:1].casefold(), []).append(field_label)
        index = {first: tuple(items) for first, items in by_first.items()}
        return cls(frozenset(widgets), tuple(counters), index)


def _keyed(section: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(section, dict) or not all(isinstance(t, dict) for t in section.values()):
        raise ValueError(f"[{where}] must hold tables such as [{where}.KEY] with language lists")
    return list(section.items())


def _labels(table: Any, where: str) -> list[str]:
    if not isinstance(table, dict):
        raise ValueError(f'{where} must be a table of languages, e.g. {{de = ["Teilen"]}}')
    labels = []
    for lang, items in table.items():
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise ValueError(f"{where}.{lang} must be a list of non-empty strings")
        labels.extend(item.strip() for item in items)
    return labels


def _longest_first(labels: list[str]) -> list[str]:
    return sorted(set(labels), key=lambda label: (-len(label), label))


def merge_labels(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Extend lexicon data: tables merge, lists are concatenated, other values replaced.

    >>> merge_labels({"widgets": {"de": ["Teilen"]}}, {"widgets": {"de": ["Senden"], "it": []}})
    {'widgets': {'de': ['Teilen', 'Senden'], 'it': []}}
    """
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key] = merge_labels(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            merged[key] = old + value
        else:
            merged[key] = value
    return merged


@cache
def lexicon_data() -> dict[str, Any]:
    """The lexicon shipped with the package, as read from ``labels.toml``."""
    return tomllib.loads(LEXICON_FILE.read_text(encoding="utf-8"))


@cache
def default_lexicon() -> Lexicon:
    """The compiled lexicon shipped with the package."""
    return Lexicon.from_data(lexicon_data())


def is_label_sized(line: str) -> bool:
    """True when a line is short enough to be a label line, and not a headline's ? or !.

    >>> is_label_sized("OrtPyongyang, Nordkorea")
    True
    >>> is_label_sized("Por que a Rússia precisa da Coreia do Norte?")
    False
    """
    text = line.strip()
    return (
        0 < len(text) <= MAX_LABEL_LINE_CHARS
        and len(text.split()) <= MAX_LABEL_LINE_WORDS
        and not text.endswith(HEADLINE_ENDINGS)
    )


def looks_like_value(value: str) -> bool:
    """True when a value without a colon reads like a name, place or date, not a phrase.

    >>> looks_like_value("Max Muster"), looks_like_value("12 de novembro de 2024")
    (True, True)
    >>> looks_like_value("12.11.2024, 14:30 Uhr"), looks_like_value("Bären und Menschen")
    (True, False)
    >>> looks_like_value("The Numbers"), looks_like_value("1990 bis 2000 stieg die Zahl")
    (False, False)
    """
    words = value.split()
    if not words or words[0].casefold() in VALUE_STOPWORDS:
        return False
    if not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    dated = any(char.isdigit() for char in value)
    return all(
        word[0].isupper()
        or not word[0].isalpha()
        or word.casefold() in NAME_PARTICLES
        or (dated and word.casefold().rstrip(",.") in DATE_WORDS)
        for word in words
    )


def label_value(line: str, label: str, space_form: bool = True, glued: bool = True
                ) -> str | None:
    """The value of a label/value line, or None when the line is not ``label`` + value.

    Three forms: ``Label: value``; ``Label Value`` when ``space_form`` (the label
    capitalised as written, the value must read like a name, place or date, and the
    line must not be all capitals); the glued ``LabelValue`` (the label ends lower-case
    and the value starts upper-case, or the value starts with a digit) unless ``glued``
    is false (text not extracted from HTML: "SourceForge" is a name).

    >>> label_value("OrtPyongyang, Nordkorea", "Ort")
    'Pyongyang, Nordkorea'
    >>> label_value("Autor:Max Muster", "Autor")
    'Max Muster'
    >>> label_value("Datum12.11.2024", "Datum")
    '12.11.2024'
    >>> label_value("Von Max Muster", "Von")
    'Max Muster'
    >>> label_value("Ortschaft Berlin", "Ort") is None
    True
    >>> label_value("Von der Leyen", "Von") is None, label_value("von Max Muster", "Von") is None
    (True, True)
    >>> label_value("DATENSCHUTZ", "Date") is None
    True
    >>> label_value("Image Problems For Biden", "Image", space_form=False) is None
    True
    >>> label_value("SourceForge", "Source", glued=False) is None
    True
    """
    written, rest = line[: len(label)], line[len(label) :]
    if written.casefold() != label.casefold() or not rest.strip():
        return None
    if rest.lstrip().startswith(":"):
        return rest.lstrip()[1:].strip() or None
    if rest[0].isspace():
        value = rest.strip()
        if not space_form or not written[0].isupper() or line.isupper():
            return None
        return value if looks_like_value(value) else None
    if glued and (rest[0].isdigit() or (rest[0].isupper() and written[-1].islower())):
        return rest.strip()
    return None


def _counter(text: str, lexicon: Lexicon) -> dict[str, str] | None:
    for key, forms in lexicon.counters:
        for form in forms:
            match = form.fullmatch(text)
            if match:
                return {key: match["count"]}
    return None


def _widget(text: str, lexicon: Lexicon) -> dict[str, str] | None:
    """Metadata of a widget or counter (empty for a plain widget), None if it is neither."""
    if text.strip(WIDGET_DECORATION).casefold() in lexicon.widgets:
        return {}
    return _counter(text.strip(), lexicon)


def classify_line(line: str, lexicon: Lexicon, glued: bool = True) -> Label | None:
    """What a line is when it is boilerplate; None for a line of text (``glued``: as
    for :func:`label_value`).

    >>> lexicon = default_lexicon()
    >>> classify_line("OrtPyongyang, Nordkorea", lexicon).metadata
    {'location': 'Pyongyang, Nordkorea'}
    >>> classify_line("Kommentare (0)", lexicon)
    Label(kind='widget_label', reason='widget label', metadata={'comments': '0'})
    >>> classify_line("  Leia mais »", lexicon)
    Label(kind='widget_label', reason='widget label', metadata={})
    >>> classify_line("Auf WhatsApp teilen", lexicon).reason
    'widget label'
    >>> classify_line("Details zum Vertrag folgen morgen.", lexicon) is None
    True
    """
    text = line.strip()
    if not is_label_sized(text):
        return None
    found = _widget(text, lexicon)
    if found is None:
        parts = WIDGET_SEPARATOR.split(text)
        found_parts = [_widget(part, lexicon) for part in parts]
        if len(parts) > 1 and None not in found_parts:
            found = {key: value for part in found_parts for key, value in part.items()}
    if found is not None:
        return Label("widget_label", "widget label", found)
    for field_label in lexicon.fields_for(text):
        value = label_value(text, field_label.label, field_label.space_form, glued)
        rule = field_label.value_rule
        if value is not None and (rule is None or rule.search(value)):
            return Label("metadata", f"metadata: {field_label.key}", {field_label.key: value})
    return None


def is_foreign_line(
    line: str, doc_lang: str, probabilities: dict[str, float], names: bool = True
) -> bool:
    """True when a short line is in another language than ``doc_lang``.

    ``probabilities`` are the detect stage's for the line, per candidate language (word
    frequencies and lingua's n-grams). The document's language must get at most
    :data:`UI_FOREIGN_HOME_MAX` of them, and a word of the line must be at least
    :data:`UI_FOREIGN_WORD_MARGIN` (Zipf) more frequent in another candidate, so that
    names, which no language owns, stay ("Kim Jong Un"); so do lines of capitalised
    words, names of people and places ("Rio de Janeiro" in English text), and lines with
    a comma (phrases), unless ``names`` is False (the parts of a row of buttons, "Baixar
    PDF | Ouvir"; a label before its value, "Mots clés : Moscou, Pyongyang").

    >>> is_foreign_line("Audio anhören", "pt", {"pt": 0.0, "de": 1.0})
    True
    >>> is_foreign_line("Ouvir a matéria", "pt", {"pt": 0.99, "de": 0.01})
    False
    >>> is_foreign_line("Kim Jong Un", "pt", {"pt": 0.0, "it": 1.0})
    False
    >>> is_foreign_line("Rio de Janeiro", "en", {"en": 0.0, "pt": 1.0})
    False
    >>> is_foreign_line("Fonte Nova Arena reabre", "en", {"en": 0.0, "pt": 1.0})
    False
    >>> is_foreign_line("Ensemble, de actores para actores", "pt", {"pt": 0.0, "es": 1.0})
    False
    """
    words = UI_WORD.findall(line)
    if not words or probabilities.get(doc_lang, 1.0) > UI_FOREIGN_HOME_MAX:
        return False
    if "," in line and names:
        return False  # a phrase: a subtitle or a quotation ("Ensemble, de actores ...")
    best = max(probabilities, key=lambda lang: probabilities[lang])
    if names and best not in NOUNS_CAPITALISED and (is_name_like(line) or has_name(line)):
        return False  # a name, or one inside: "Fonte Nova Arena reabre"
    others = [lang for lang in probabilities if lang != doc_lang]
    return any(
        max(repair.word_zipf(word, lang) for lang in others) - repair.word_zipf(word, doc_lang)
        >= UI_FOREIGN_WORD_MARGIN
        for word in (w.casefold() for w in words)
        if len(word) >= UI_EVIDENCE_MIN_CHARS and word not in NAME_PARTICLES
    )


def has_name(line: str) -> bool:
    """True when two capitalised tokens follow each other, or a name particle stands
    between them: outside the languages that capitalise nouns, a name ("Fonte Nova
    Arena reabre", "Barón de Claret, l'unico"); one capitalised word after the first is
    a section's name ("Mais notícias de Política", "More from World").

    >>> has_name("Fonte Nova Arena reabre"), has_name("Barón de Claret, l'unico")
    (True, True)
    >>> has_name("Mais notícias de Política"), has_name("Plus d'actualités Monde")
    (False, False)
    """
    tokens = line.split()
    capital = [t[0].isupper() for t in tokens]
    return any(
        capital[i] and (capital[i + 1] or (
            tokens[i + 1] in NAME_PARTICLES and i + 2 < len(tokens) and capital[i + 2]))
        for i in range(len(tokens) - 1)
    )


def is_name_like(line: str) -> bool:
    """True when a line of two tokens or more reads as a name or a title: its first and
    last tokens are not in lower case, and :data:`UI_NAME_SHARE` of its other tokens
    are not either (particles and short words such as "a", "and" left out).

    >>> [is_name_like(x) for x in ("Kim Jong Un", "A France 2", "On a Wing and a Prayer")]
    [True, True, True]
    >>> [is_name_like(x) for x in ("Zum Inhalt springen", "Main menu", "Details")]
    [False, False, False]
    """
    tokens = line.split()
    if len(tokens) < 2 or tokens[0][0].islower() or tokens[-1][0].islower():
        return False
    counted = [t for t in tokens if not (t in NAME_PARTICLES or (t.islower() and len(t) <= 3))]
    return sum(1 for t in counted if not t[0].islower()) >= UI_NAME_SHARE * len(counted)


def ui_shaped(line: str, max_words: int = UI_MAX_WORDS) -> bool:
    """True when a line is short and ends like no sentence (:data:`UI_MAX_WORDS`).

    >>> ui_shaped("Lesezeit: 3 Min."), ui_shaped("Ele disse que sim."), ui_shaped("Por quê?")
    (True, False, False)
    >>> ui_shaped("主催者によると、参加者は昨年より多かった。"), ui_shaped("シェアする")
    (False, True)
    """
    text = line.strip()
    if not text or len(text) > UI_MAX_CHARS or len(text.split()) > max_words:
        return False
    if text.endswith(UI_SENTENCE_ENDINGS):
        return False
    return not text.endswith(".") or bool(re.search(r"\d.{0,12}\.$", text))


def unlisted_ui(
    line: str, doc_lang: str, probabilities: dict[str, float], lexicon: Lexicon,
    repeated: bool,
) -> str | None:
    """Why a line is an interface line no lexicon lists, or None when it is text.

    Reasons: ``label/value`` (a label and a value with a number, or a one-word label and
    a list of names), ``count`` (a number and up to three words), ``navigation`` (a
    breadcrumb or a row of buttons), ``foreign`` (a short line in another language than
    the document's, :func:`is_foreign_line`), ``repeated`` (``repeated``: the line
    stands elsewhere in the document too, not in the next block). Only lines that are
    :func:`ui_shaped` are judged; ``probabilities`` are the line's languages, as for
    :func:`is_foreign_line`.

    >>> lex, de = default_lexicon(), {"pt": 0.0, "de": 1.0}
    >>> [unlisted_ui(x, "pt", de, lex, False) for x in
    ...  ("Lesezeit: 3 Min.", "Home / World / Asia", "Zum Inhalt springen")]
    ['label/value', 'navigation', 'foreign']
    >>> unlisted_ui("Preço: US$ 74,71.", "pt", {"pt": 1.0}, lex, False) is None
    True
    >>> unlisted_ui("Apoio militar e parceria estratégica", "pt", {"pt": 1.0}, lex, False)
    >>> unlisted_ui("Apoio militar e parceria estratégica", "pt", {"pt": 1.0}, lex, True)
    'repeated'

    ``doc_lang`` "": the document is in none of the candidate languages, so a line's
    language tells nothing (a Latin article's "Oxoniae: Oxford University Press, 1969.").

    >>> [unlisted_ui(x, "", de, lex, False) for x in
    ...  ("Lesezeit: 3 Min.", "Home / World / Asia", "Zum Inhalt springen")]
    [None, 'navigation', None]
    """
    text = line.strip()
    if not ui_shaped(text, UI_FOREIGN_MAX_WORDS):
        return None
    if not ui_shaped(text):  # longer: only a line in another language goes
        return "foreign" if is_foreign_line(text, doc_lang, probabilities) else None
    # a label/value or count line in the document's own language may be a fact of the
    # article ("Preço: US$ 74,71."): only one that does not read as that language goes
    home = probabilities.get(doc_lang, 1.0) > UI_HOME_MIN
    match = UI_LABEL_VALUE.fullmatch(text)
    if match and not home and (
        any(char.isdigit() for char in match["value"])
        or (" " not in match[0][: match.start("value")].strip(" :")
            and UI_NAME_LIST.fullmatch(match["value"]))
        or is_foreign_line(text, doc_lang, probabilities, names=False)
    ):
        return "label/value"
    if not home and UI_COUNT.fullmatch(text):
        return "count"
    parts = UI_SEPARATOR.split(text)
    row = len(parts) > 1 and all(
        part and len(part.split()) <= UI_PART_MAX_WORDS and part[0].isalnum() for part in parts
    )
    if row and (len(parts) >= UI_MIN_PARTS or any(_widget(p, lexicon) is not None for p in parts)):
        return "navigation"
    if is_foreign_line(text, doc_lang, probabilities, names=not row):
        return "foreign"
    if repeated:
        return "repeated"
    return None


class Boilerplate(Stage):
    """Remove widget lines and label/value lines from the blocks; keep their facts.

    ``extra_labels`` extends the shipped lexicon; it has the shape of ``labels.toml``,
    e.g. ``{"widgets": {"it": ["Condividi"]}, "fields": {"author": {"it": ["Di"]}}}``.
    A removed line is recorded in ``doc.removed`` and as a fix (kind ``widget_label``
    or ``metadata``). Metadata keeps the first value found for a key. Blocks left
    empty are dropped. A line that continues the sentence of the line before it
    (:data:`SENTENCE_END`) is text, whatever it reads like.

    Interface lines the lexicon does not list (:func:`unlisted_ui`) are removed too,
    outside the first block (the headline) and outside Markdown files, with reason
    ``ui string: WHY`` and fix kind ``ui_string``; ``languages`` are the candidates
    for the document's language and a line's (wordfreq codes). ``unlisted = False`` turns this off.
    """

    name = "boilerplate"

    def __init__(self, extra_labels: dict[str, Any] | None = None,
                 languages: Sequence[str] = CANDIDATE_LANGUAGES, unlisted: bool = True) -> None:
        self.lexicon = (
            Lexicon.from_data(merge_labels(lexicon_data(), extra_labels))
            if extra_labels
            else default_lexicon()
        )
        self.languages = tuple(languages)
        self.unlisted = unlisted
        self._scorer: Any = None  # the detect stage's LanguageScorer, built at first use

    def process(self, doc: Document) -> Document:
        where: dict[str, list[int]] = {}  # a short line -> the blocks it stands in
        for number, block in enumerate(doc.blocks):
            for line in block.text.split("\n"):
                if ui_shaped(line):
                    where.setdefault(line.strip(), []).append(number)
        doc_lang: list[str] = []  # guessed once, when a line needs it
        for number, block in enumerate(doc.blocks):
            kept = []
            previous = ""
            wrapped = False  # the line before is one of a hard-wrapped paragraph's
            # a Markdown paragraph's lines are one paragraph (soft breaks): judged whole
            lines = block.text.split("\n") if doc.markdown is None else [block.text]
            for at, line in enumerate(lines):
                unfinished = bool(previous) and not previous.endswith(SENTENCE_END)
                continues = unfinished and line[:1].islower()
                # after a long line, only a short listed label goes ("... histórico\n
                # Kommentare (0)"); a long one is the wrapped line of a paragraph ("...\n
                # Foto: Pop tv Komentiranje je preprosto, vendar pa zaradi spodbujanja")
                continues_wrapped = unfinished and wrapped
                previous = line.rstrip()
                length = len(previous.strip())
                wrapped = length >= WRAPPED_LINE_CHARS  # (unless it goes)
                # a label glued to its value is an artifact of text taken from HTML
                label = None if continues or (continues_wrapped and length > UI_MAX_CHARS) else (
                    classify_line(line, self.lexicon, glued=doc.markdown is None))
                # a line the next one continues starts a sentence: never an interface line
                continued = at + 1 < len(lines) and lines[at + 1][:1].islower() and not (
                    previous.endswith(SENTENCE_END))
                # a Markdown file's headings and list items are its author's structure:
                # only listed widgets go there (API docs repeat "Returns: {number}")
                if (label is None and not (continues or continues_wrapped or continued)
                        and number and self.unlisted
                        and doc.markdown is None):
                    label = self._unlisted(doc, line, where, doc_lang)
                if label is None:
                    kept.append(line)
                    continue
                wrapped = False  # a label line ("Publicado em 12 de maio de 2024") wraps nothing
                doc.removed.append(Removed(line.strip(), label.reason))
                doc.fix(self.name, label.kind, line.strip(), "")
                for key, value in label.metadata.items():
                    doc.metadata.setdefault(key, value)
            block.text = "\n".join(kept)
        doc.blocks = [block for block in doc.blocks if block.text.strip()]
        return doc

    def _unlisted(self, doc: Document, line: str, where: dict[str, list[int]],
                  doc_lang: list[str]) -> Label | None:
        text = line.strip()
        if not ui_shaped(text, UI_FOREIGN_MAX_WORDS):
            return None
        if not doc_lang:  # the language of the document's sentences (short lines left out)
            body = "\n".join(x for b in doc.blocks for x in b.text.split("\n") if not ui_shaped(x))
            body = body or doc.clean_text()
            # "" when they read as none of the candidates (a Welsh or Russian article):
            # then no line can be told to be in another language than the document's
            known = repair.in_candidate_language(
                body, self.languages, repair.KNOWN_DOCUMENT_WORDS)
            doc_lang.append(repair.guess_language(body, self.languages) if known else "")
        blocks = where.get(text, [])
        repeated = len(blocks) >= UI_REPEATS and max(blocks) - min(blocks) > 1
        why = unlisted_ui(text, doc_lang[0], self._probabilities(text), self.lexicon, repeated)
        return None if why is None else Label("ui_string", f"ui string: {why}")

    def _probabilities(self, text: str) -> dict[str, float]:
        from pipeline.stages.detect import LanguageScorer, posterior  # detect imports this

        if self._scorer is None:
            self._scorer = LanguageScorer(self.languages)
        scores = self._scorer.scores(text)
        return posterior(scores) if scores else {}
