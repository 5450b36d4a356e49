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

# Around a widget label, arrows, bullets and dots are decoration: "Leia mais »",
# "Read more…", "› Teilen".
WIDGET_DECORATION = " .:…»›→>|·•*-–—"

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

# In the space form, a value never starts with an article or a question word: those
# start headings ("By The Numbers", "Von Der Leyen bis ...", "Por Que ...").
VALUE_STOPWORDS = frozenset(
    """a an as das dem den der des die ein eine el ella how la las le les los o os que
    qué the um uma un una une was what why wie""".split()
)

# The lexicon's sections (see labels.toml).
SECTIONS = ("widgets", "counters", "fields")

# Where the lexicon lives, inside the package.
LEXICON_FILE = files("pipeline") / "data" / "labels.toml"


@dataclass(frozen=True)
class Label:
    """What a line turned out to be: a fix kind, the removal reason, metadata found."""

    kind: str  # the fix kind: "widget_label" or "metadata"
    reason: str  # the Removed reason: "widget label" or "metadata: KEY"
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Lexicon:
    """The label lexicon, compiled for matching lines."""

    widgets: frozenset[str]  # casefolded widget labels
    counters: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]  # (key, one per form)
    fields: tuple[tuple[str, str, re.Pattern[str] | None], ...]  # (label, key, value rule)

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
            rule = table.get("value")
            if rule is not None and not isinstance(rule, str):
                raise ValueError(f"fields.{key}.value must be a regular expression string")
            languages = {lang: labels for lang, labels in table.items() if lang != "value"}
            value_rule = re.compile(rule) if rule else None
            fields.extend((label, key, value_rule) for label in _labels(languages, f"fields.{key}"))
        fields.sort(key=lambda item: -len(item[0]))
        return cls(frozenset(widgets), tuple(counters), tuple(fields))


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

    >>> looks_like_value("Max Muster")
    True
    >>> looks_like_value("12 de novembro de 2024")
    True
    >>> looks_like_value("Bären und Menschen")
    False
    >>> looks_like_value("The Numbers")
    False
    """
    words = value.split()
    if not words or words[0].casefold() in VALUE_STOPWORDS:
        return False
    if not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    if any(char.isdigit() for char in value):
        return True
    return all(
        word[0].isupper() or not word[0].isalpha() or word.casefold() in NAME_PARTICLES
        for word in words
    )


def label_value(line: str, label: str) -> str | None:
    """The value of a label/value line, or None when the line is not ``label`` + value.

    Three forms: ``Label: value``; ``Label Value`` (the value must read like a name,
    place or date, and the line must not be all capitals); the glued ``LabelValue``
    (the label ends lower-case and the value starts upper-case, or the value starts
    with a digit).

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
    >>> label_value("Von der Leyen", "Von") is None
    True
    >>> label_value("DATENSCHUTZ", "Date") is None
    True
    """
    written, rest = line[: len(label)], line[len(label) :]
    if written.casefold() != label.casefold() or not rest.strip():
        return None
    if rest.lstrip().startswith(":"):
        return rest.lstrip()[1:].strip() or None
    if rest[0].isspace():
        value = rest.strip()
        return value if looks_like_value(value) and not line.isupper() else None
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
    for label, key, value_rule in lexicon.fields:
        value = label_value(text, label)
        if value is not None and (value_rule is None or value_rule.search(value)):
            return Label("metadata", f"metadata: {key}", {key: value})
    return None


class Boilerplate(Stage):
    """Remove widget lines and label/value lines from the blocks; keep their facts.

    ``extra_labels`` extends the shipped lexicon; it has the shape of ``labels.toml``,
    e.g. ``{"widgets": {"it": ["Condividi"]}, "fields": {"author": {"it": ["Di"]}}}``.
    A removed line is recorded in ``doc.removed`` and as a fix (kind ``widget_label``
    or ``metadata``). Metadata keeps the first value found for a key. Blocks left
    empty are dropped.
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
            for line in block.text.split("\n"):
                label = classify_line(line, self.lexicon)
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
