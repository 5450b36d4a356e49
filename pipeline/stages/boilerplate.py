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
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from pipeline.document import Document, Removed, Stage

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


def label_value(line: str, label: str, space_form: bool = True) -> str | None:
    """The value of a label/value line, or None when the line is not ``label`` + value.

    Three forms: ``Label: value``; ``Label Value`` when ``space_form`` (the label
    capitalised as written, the value must read like a name, place or date, and the
    line must not be all capitals); the glued ``LabelValue`` (the label ends lower-case
    and the value starts upper-case, or the value starts with a digit).

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
    if rest[0].isdigit() or (rest[0].isupper() and written[-1].islower()):
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


def classify_line(line: str, lexicon: Lexicon) -> Label | None:
    """What a line is when it is boilerplate; None for a line of text.

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
        value = label_value(text, field_label.label, field_label.space_form)
        rule = field_label.value_rule
        if value is not None and (rule is None or rule.search(value)):
            return Label("metadata", f"metadata: {field_label.key}", {field_label.key: value})
    return None


class Boilerplate(Stage):
    """Remove widget lines and label/value lines from the blocks; keep their facts.

    ``extra_labels`` extends the shipped lexicon; it has the shape of ``labels.toml``,
    e.g. ``{"widgets": {"it": ["Condividi"]}, "fields": {"author": {"it": ["Di"]}}}``.
    A removed line is recorded in ``doc.removed`` and as a fix (kind ``widget_label``
    or ``metadata``). Metadata keeps the first value found for a key. Blocks left
    empty are dropped. A line that continues the sentence of the line before it
    (:data:`SENTENCE_END`) is text, whatever it reads like.
    """

    name = "boilerplate"

    def __init__(self, extra_labels: dict[str, Any] | None = None) -> None:
        self.lexicon = (
            Lexicon.from_data(merge_labels(lexicon_data(), extra_labels))
            if extra_labels
            else default_lexicon()
        )

    def process(self, doc: Document) -> Document:
        for block in doc.blocks:
            kept = []
            previous = ""
            for line in block.text.split("\n"):
                continues = line[:1].islower() and previous and not previous.endswith(SENTENCE_END)
                previous = line.rstrip()
                label = None if continues else classify_line(line, self.lexicon)
                if label is None:
                    kept.append(line)
                    continue
                doc.removed.append(Removed(line.strip(), label.reason))
                doc.fix(self.name, label.kind, line.strip(), "")
                for key, value in label.metadata.items():
                    doc.metadata.setdefault(key, value)
            block.text = "\n".join(kept)
        doc.blocks = [block for block in doc.blocks if block.text.strip()]
        return doc
