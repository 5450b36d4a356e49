"""Foreign pieces in mixed documents: span precision and recall of the detect stage.

Usage::

    .venv/bin/python bench/spans.py [--split dev|test] [--set SPAN_SWITCH=2.5 ...]
    .venv/bin/python bench/spans.py --split dev --show-errors
    .venv/bin/python bench/spans.py --split dev --draws 5   # five times the pieces
    .venv/bin/python bench/spans.py --split test --draws 5  # held out, pooled over 5 draws
    .venv/bin/python bench/spans.py --split dev --clean     # false alarms on clean text

Documents are built from real sentences in ../shared/data (skipped with a message,
exit 0, when absent):

- hosts: UD PUD sentences (pud.<lang>.txt) for pt de en es fr, six consecutive rows
  per document in two paragraphs; and real newspaper text: for the test split, the
  Portuguese extracts of UD Bosque's test set (news_sentences/
  pt_bosque_test_documents.jsonl, one paragraph each); for the dev split, the same
  kind of host from dev sets (disjoint from the test documents): the sentences of
  each UD Bosque dev extract joined by single spaces, one paragraph per extract
  (news_sentences/pt_bosque_dev_sentences.tsv, 244 documents), and the German news
  sentences of UD GSD dev (news_sentences/de_gsd_dev_sentences.tsv, genre "news",
  1990s Frankfurter Rundschau), six consecutive per document in two paragraphs (50
  documents); figures are printed for all documents and per source (pud,
  bosque-pt, gsd-de);
- into each document goes one foreign *phrase* (2-5 consecutive words of a PUD
  sentence in another of the five languages, at least two of them lower-case words,
  edge punctuation stripped) at a random word boundary of a random sentence,
  sometimes in quotes; and into every other document one foreign *sentence*,
  between two sentences of a paragraph.

The gold piece of a phrase is the part a reader could tell is foreign, judged
against host-language reference text (all PUD rows and the lingua test sentences
of the host language; not the detector's word lists):

- capitalised words at its edges that occur in the host text too are names
  ("Pyongyang", "Hong Kong") and stay outside the gold piece (they stay in the
  text);
- a phrase whose every word is also a host word ("de la" from Spanish in French,
  "no modelo" from Portuguese in Spanish) is not foreign text: another phrase is
  drawn. A host word occurs at least twice in the host text, at a rate of at least
  ``HOST_WORD_SHARE`` of its rate in the phrase's language: "de" in English text
  (names) and "the" in French text (titles) do not make them English or French.

Each document goes through the segment and detect stages as in a run. A predicted
piece is a span, or a whole segment whose language is not the document's. A gold
piece counts as found when at least half its characters are covered by predicted
pieces of its language; a predicted piece is correct when at least half of its
characters lie in gold pieces of its language. Character-level precision and
recall (letters only) are printed beside. PUD rows 1-500 with the Bosque and GSD
dev hosts make the dev split (used to tune the thresholds in
pipeline/stages/detect.py); PUD rows 501-1000 with the Bosque test documents the
test split. Foreign phrases and sentences always come from the split's own PUD rows.

Don't-care zones. Nothing marks foreign material that is already in a host sentence:
titles, names and loanwords the PUD translators copied from the source ("Zettel's
Traum", "photo-offset", "Metropolitan Club"). Such stretches are found from the data
alone (PUD is multi-way parallel, ud_pud/pud_multiway.tsv; the detector and its word
lists play no part): a host token (whitespace-separated, edge punctuation stripped)
is *shared* when it occurs verbatim, case-sensitive, as a token of the same row's
sentence in at least one other PUD language (en de pt es fr it); a zone is a maximal
run of consecutive shared tokens of a host sentence that contains at least one token
that starts with a lower-case letter and is not a host word, by the criterion above,
against some other language whose sentence has it. Names alone make no zone
("Corrado Passera", "Essen"): names are not foreign text, and the detector must
leave them alone. The newspaper hosts (Bosque, GSD) have no aligned versions: their
foreign material was marked by hand instead, in bench/host_foreign.tsv (sentence id
and offsets; the text stays in ../shared/data), by a reader who saw only the
sentences, never the detector or its output, as UD's own annotators mark Foreign=Yes
(absent from ../shared/data): loanwords in foreign spelling ("tie-break"), foreign
phrases and quotations, and foreign titles of works; not names, acronyms or host
words. Rows marked ``unsure`` and stretches without a lower-case word make no zone
(as for PUD). Inserted phrases and sentences are never in a zone (asserted). A
predicted piece that is not correct and has at least half of its letters in zones
(outside gold pieces) is *excused*: left out of precision, neither right nor wrong.
Gold pieces and recall do not change. Both precisions are printed, always:
``precision_all`` on every predicted piece (the figure before zones) and
``precision_zones`` without the excused ones, with their count ``excused_by_zones``.
The rule was fixed on the dev split before any test output; it was made stricter (a
lower-case token is needed) after the test split's excused pieces were read: 13 of
32 were names (test precision with zones 95.66 -> 94.23). The hand marks of the
newspaper hosts were made and committed before their first test run (dev precision
with zones 95.76 -> 97.47, test 94.32 -> 94.89).

``precision_zones_95`` and ``recall_95`` are 95% Wilson intervals: with about a
thousand pieces a split, a figure is known to about +-1.4 points (test precision
94.89: 93.34-96.09). With ``--draws`` the pieces share their hosts, so the true
interval is wider than the printed one. ``--split test --draws 5`` (the same held-out
hosts and phrase sources, new insertions, figures pooled over the 5 draws; no
threshold was set with it) gives precision 94.85 and recall 95.91: that draw 0's
precision (94.89) falls short of 95% is not the luck of its insertions.
QUOTE_CROSS (pipeline/stages/detect.py) was then chosen on dev and committed
before its first test run, with the criterion fixed in advance that the span target
(precision and recall >= 95) counts as met only if both ``--split test`` and
``--split test --draws 5`` reach it: they gave 95.29 / 95.37 and 95.21 / 95.85.
Review then found quotes inside a quotation cut foreign quotations (fixed:
quotation_edges, again committed before its test run): 95.29 / 95.47 and
95.19 / 95.87 (PUD hosts alone 94.71 and 94.86 precision; Bosque 96.33 and 95.77).

``--clean`` runs the detector on text with nothing inserted: the split's half of
the lingua test sentences (Leipzig web and news text; dev lines 1-500, test
501-1000 of each file), six per document. There is no gold: every piece found is
foreign text the sentence really holds ("made in", HTTP headers, "actio in rem") or
a false alarm; the dev listing is for reading them. The Spanish file has lost its
accented letters ("aos" for "años", "ms" for "más"), which makes most of its pieces.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.document import Block, Document
from pipeline.stages import detect as detect_module
from pipeline.stages.detect import Detect
from pipeline.stages.repair import quoted_at, strong_leftover
from pipeline.stages.segment import Segmenter

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# Foreign material already in the newspaper hosts, marked by hand (see the docstring).
HOST_FOREIGN = Path(__file__).resolve().parent / "host_foreign.tsv"
# The files (in news_sentences/) of the sentences it marks.
HOST_FILES = (
    "pt_bosque_dev_sentences.tsv", "pt_bosque_test_sentences.tsv", "de_gsd_dev_sentences.tsv"
)
LANGS = ("pt", "de", "en", "es", "fr")
# The columns of ud_pud/pud_multiway.tsv after sent_id, domain, orig_lang.
PUD_COLUMNS = ("en", "de", "pt", "es", "fr", "it")
ROWS = {"dev": range(0, 500), "test": range(500, 1000)}
SENTENCES_PER_DOC = 6
EDGE_PUNCTUATION = ".,;:!?\"'“”„«»()[]‘’—–-"
LOWER_WORD = re.compile(r"[^\W\d_A-Z]+")
# A word of a phrase is also a host word when its rate in host text is at least
# this share of its rate in text of the phrase's language (see the docstring).
HOST_WORD_SHARE = 0.05


@dataclass(frozen=True)
class Piece:
    """A foreign piece: paragraph index, character offsets in it, language, kind."""

    block: int
    start: int
    end: int
    lang: str
    kind: str = ""


def read_lines(path: Path) -> list[str]:
    """The lines of a data file, split on "\\n" only."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def pick_phrase(rng: random.Random, sentence: str) -> str | None:
    """2-5 consecutive words of ``sentence``, two or more of them lower-case words."""
    tokens = sentence.split()
    size = rng.randint(2, 5)
    if len(tokens) < size:
        return None
    start = rng.randrange(len(tokens) - size + 1)
    phrase = " ".join(tokens[start : start + size]).strip(EDGE_PUNCTUATION + " ")
    lower = [t for t in phrase.split() if LOWER_WORD.fullmatch(t.strip(EDGE_PUNCTUATION))]
    return phrase if len(lower) >= 2 and not any(c.isdigit() for c in phrase) else None


class Vocabulary:
    """Word counts of reference text per language (edge punctuation stripped)."""

    def __init__(self, texts: dict[str, list[str]]):
        self.counts: dict[str, Counter[str]] = {}
        for lang, lines in texts.items():
            counts: Counter[str] = Counter()
            for line in lines:
                counts.update(t for t in (w.strip(EDGE_PUNCTUATION) for w in line.split()) if t)
            self.counts[lang] = counts
        self.totals = {lang: max(sum(c.values()), 1) for lang, c in self.counts.items()}

    def count(self, lang: str, word: str) -> int:
        counts = self.counts[lang]
        return max(counts[word], counts[word.lower()])

    def is_host_word(self, word: str, host: str, lang: str) -> bool:
        """True when ``word`` (from a phrase in ``lang``) is a word of ``host`` too."""
        here = self.count(host, word)
        there = self.count(lang, word)
        rate_here, rate_there = here / self.totals[host], there / self.totals[lang]
        return here >= 2 and rate_here >= HOST_WORD_SHARE * rate_there


def gold_part(phrase: str, host: str, lang: str, vocab: Vocabulary) -> tuple[int, int] | None:
    """Offsets of the foreign part of ``phrase`` (in ``lang``) in ``host`` text, or None.

    Capitalised edge words found in host text (names) are left out; None when every
    other word is a host word too.
    """
    tokens = tokens_of(phrase)
    while tokens and tokens[0][2][0].isupper() and vocab.count(host, tokens[0][2]):
        tokens.pop(0)
    while tokens and tokens[-1][2][0].isupper() and vocab.count(host, tokens[-1][2]):
        tokens.pop()
    if all(vocab.is_host_word(word, host, lang) for *_, word in tokens):
        return None
    return tokens[0][0], tokens[-1][1]


def insert_phrase(rng: random.Random, sentence: str, phrase: str) -> tuple[str, int, int]:
    """``sentence`` with ``phrase`` at a word boundary; the phrase's offsets in it.

    The text is inserted at offset ``start - 1`` or ``start - 2`` (before the space
    and the quote): see :func:`shift_zones`.
    """
    gaps = [m.start() for m in re.finditer(r" ", sentence)]
    at = rng.choice(gaps) if gaps else len(sentence)
    quoted = rng.random() < 1 / 3
    before = sentence[:at] + (' "' if quoted else " ")
    text = before + phrase + ('"' if quoted else "") + sentence[at:]
    return text, len(before), len(before) + len(phrase)


def tokens_of(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for each whitespace-separated word, edge punctuation stripped."""
    tokens = []
    for m in re.finditer(r"\S+", text):
        word = m.group().strip(EDGE_PUNCTUATION)
        if word:
            start = m.start() + m.group().index(word)
            tokens.append((start, start + len(word), word))
    return tokens


def zones_of(host: str, row: dict[str, str], vocab: Vocabulary) -> list[tuple[int, int]]:
    """Don't-care zones of ``row[host]`` (offsets in it): see the module docstring."""
    others = {
        lang: {word for *_, word in tokens_of(text)}
        for lang, text in row.items() if lang != host
    }
    zones: list[tuple[int, int]] = []
    run: list[tuple[int, int, bool]] = []
    for start, end, word in [*tokens_of(row[host]), (0, 0, "")]:
        sharing = [lang for lang, words in others.items() if word and word in words]
        if sharing:
            foreign = word[0].islower() and any(
                not vocab.is_host_word(word, host, lang) for lang in sharing
            )
            run.append((start, end, foreign))
            continue
        if any(foreign for *_, foreign in run):
            zones.append((run[0][0], run[-1][1]))
        run = []
    return zones


def shift_zones(zones: list[tuple[int, int]], at: int, added: int) -> list[tuple[int, int]]:
    """Zones of a sentence after ``added`` characters were inserted at offset ``at``."""
    shifted = []
    for start, end in zones:
        if end <= at:
            shifted.append((start, end))
        elif start >= at:
            shifted.append((start + added, end + added))
        else:
            shifted += [(start, at), (at + added, end + added)]
    return shifted


def build_document(
    rng: random.Random, host: str, paragraphs: list[list[str]], foreign: dict[str, list[str]],
    with_sentence: bool, vocab: Vocabulary, zones: list[list[list[tuple[int, int]]]] | None = None,
) -> tuple[list[str], list[Piece], list[Piece]]:
    """Paragraph texts with one foreign phrase (and maybe a sentence) inserted, gold, zones.

    ``zones`` holds the don't-care zones of each host sentence (none when omitted).
    """
    others = [lang for lang in LANGS if lang != host]
    paragraphs = [list(p) for p in paragraphs]
    zones = [list(z) for z in zones] if zones else [[[] for _ in p] for p in paragraphs]
    gold_phrase: tuple[int, int, int, int, str] | None = None
    while gold_phrase is None:
        lang = rng.choice(others)
        phrase = pick_phrase(rng, rng.choice(foreign[lang]))
        part = gold_part(phrase, host, lang, vocab) if phrase else None
        if phrase and part:
            b = rng.randrange(len(paragraphs))
            s = rng.randrange(len(paragraphs[b]))
            sentence = paragraphs[b][s]
            paragraphs[b][s], start, _ = insert_phrase(rng, sentence, phrase)
            added = len(paragraphs[b][s]) - len(sentence)
            at = start - (2 if paragraphs[b][s][start - 1] == '"' else 1)
            assert paragraphs[b][s][:at] + paragraphs[b][s][at + added :] == sentence
            zones[b][s] = shift_zones(zones[b][s], at, added)
            gold_phrase = (b, s, start + part[0], start + part[1], lang)
    gold_sentence: tuple[int, int, str] | None = None
    if with_sentence:
        lang = rng.choice(others)
        b = rng.randrange(len(paragraphs))
        s = rng.randint(0, len(paragraphs[b]))
        paragraphs[b].insert(s, rng.choice(foreign[lang]))
        zones[b].insert(s, [])
        gold_sentence = (b, s, lang)
        if gold_phrase[0] == b and gold_phrase[1] >= s:
            gold_phrase = (b, gold_phrase[1] + 1, *gold_phrase[2:])
    texts = [" ".join(p) for p in paragraphs]
    gold = []
    b, s, start, end, lang = gold_phrase
    offset = sum(len(x) + 1 for x in paragraphs[b][:s])
    gold.append(Piece(b, offset + start, offset + end, lang, "phrase"))
    if gold_sentence:
        b, s, lang = gold_sentence
        offset = sum(len(x) + 1 for x in paragraphs[b][:s])
        gold.append(Piece(b, offset, offset + len(paragraphs[b][s]), lang, "sentence"))
    zone_pieces = []
    for b, paragraph in enumerate(paragraphs):
        offset = 0
        for s, sentence in enumerate(paragraph):
            zone_pieces += [
                Piece(b, offset + start, offset + end, "", "zone") for start, end in zones[b][s]
            ]
            offset += len(sentence) + 1
    for zone in zone_pieces:
        for piece in gold:
            assert zone.block != piece.block or not (
                zone.start < piece.end and piece.start < zone.end
            ), f"a zone overlaps a gold piece: {zone} {piece}"
    return texts, gold, zone_pieces


def read_multiway() -> list[dict[str, str]]:
    """The rows of ud_pud/pud_multiway.tsv as {language: sentence} (empty when absent)."""
    path = DATA / "ud_pud" / "pud_multiway.tsv"
    if not path.is_file():
        return []
    rows = []
    for line in read_lines(path)[1:]:
        fields = line.split("\t")
        rows.append(dict(zip(PUD_COLUMNS, fields[3:], strict=True)))
    return rows


def news_documents(
    foreign: dict[str, list[str]], vocab: Vocabulary,
    marked: dict[str, list[tuple[int, int]]], draw: str = "",
) -> list[tuple[str, str, list[str], list[Piece], list[Piece]]]:
    """Dev-split hosts from newspaper dev sentences (see the module docstring).

    Bosque: the dev sentences of each extract joined by single spaces, one paragraph
    (as the test split's pt_bosque_test_documents.jsonl); GSD: news sentences, six
    consecutive per document in two paragraphs (as PUD hosts). Zones: the foreign
    material marked in HOST_FOREIGN (``marked``: :func:`host_zones`).
    """
    docs = []
    bosque = DATA / "news_sentences" / "pt_bosque_dev_sentences.tsv"
    if bosque.is_file():
        for n, sentences in enumerate(bosque_extracts(bosque).values()):
            rng = random.Random(f"dev-bosque-{n}{draw}")
            text, zones = joined(sentences, marked)
            texts, gold, zone_pieces = build_document(
                rng, "pt", [[text]], foreign, n % 2 == 0, vocab, [[zones]]
            )
            docs.append((f"bosque-pt-{n}{draw}", "pt", texts, gold, zone_pieces))
    gsd = DATA / "news_sentences" / "de_gsd_dev_sentences.tsv"
    if gsd.is_file():
        news = gsd_news(gsd)
        for n, first in enumerate(range(0, len(news), SENTENCES_PER_DOC)):
            part = news[first : first + SENTENCES_PER_DOC]
            paragraphs = two_paragraphs([text for _, text in part])
            ids = two_paragraphs([sent_id for sent_id, _ in part])
            zones = [[marked.get(sent_id, []) for sent_id in p] for p in ids]
            rng = random.Random(f"dev-gsd-{n}{draw}")
            texts, gold, zone_pieces = build_document(
                rng, "de", paragraphs, foreign, n % 2 == 0, vocab, zones
            )
            docs.append((f"gsd-de-{n}{draw}", "de", texts, gold, zone_pieces))
    return docs


def bosque_extracts(path: Path) -> dict[str, list[tuple[str, str]]]:
    """The (sent_id, text) of each UD Bosque extract, in order, by doc_id."""
    extracts: dict[str, list[tuple[str, str]]] = {}
    for line in read_lines(path)[1:]:
        doc_id, sent_id, _, text = line.split("\t")
        extracts.setdefault(doc_id, []).append((sent_id, text))
    return extracts


def gsd_news(path: Path) -> list[tuple[str, str]]:
    """The (sent_id, text) of the news sentences of a UD GSD file, in order."""
    return [
        (fields[0], fields[2])
        for fields in (line.split("\t") for line in read_lines(path)[1:])
        if fields[1] == "news"
    ]


def joined(
    sentences: list[tuple[str, str]], marked: dict[str, list[tuple[int, int]]]
) -> tuple[str, list[tuple[int, int]]]:
    """Sentences joined by single spaces, and their marked zones as offsets in that text."""
    zones = []
    at = 0
    for sent_id, text in sentences:
        zones += [(at + start, at + end) for start, end in marked.get(sent_id, [])]
        at += len(text) + 1
    return " ".join(text for _, text in sentences), zones


def host_sentences() -> dict[str, str]:
    """The newspaper host sentences that HOST_FOREIGN may mark, by sent_id (those found)."""
    sentences: dict[str, str] = {}
    for name in HOST_FILES:
        path = DATA / "news_sentences" / name
        if path.is_file() and name.startswith("de_gsd"):
            sentences.update(gsd_news(path))
        elif path.is_file():
            for extract in bosque_extracts(path).values():
                sentences.update(extract)
    return sentences


def host_marks(path: Path = HOST_FOREIGN) -> list[tuple[str, int, int, str, bool]]:
    """The rows of HOST_FOREIGN as (sent_id, start, end, marked text, is a zone).

    A marked stretch is a zone when it is not ``unsure`` and one of its words starts
    with a lower-case letter (as for PUD zones: names and capitalised titles alone
    make none).
    """
    sentences = host_sentences()
    complete = all((DATA / "news_sentences" / name).is_file() for name in HOST_FILES)
    marks = []
    for line in read_lines(path):
        if not line or line.startswith(("#", "sent_id\t")):
            continue
        sent_id, start, end, _, kind = line.split("\t")
        if sent_id not in sentences and not complete:
            continue  # its data file is absent: no host uses it
        text = sentences[sent_id][int(start) : int(end)]
        assert text and text == text.strip(EDGE_PUNCTUATION + " "), (sent_id, text)
        zone = kind != "unsure" and any(word[0].islower() for *_, word in tokens_of(text))
        marks.append((sent_id, int(start), int(end), text, zone))
    return marks


def host_zones(path: Path = HOST_FOREIGN) -> dict[str, list[tuple[int, int]]]:
    """Zones from the hand-marked foreign material: offsets in each sentence, by sent_id."""
    zones: dict[str, list[tuple[int, int]]] = {}
    for sent_id, start, end, _, zone in host_marks(path):
        if zone:
            zones.setdefault(sent_id, []).append((start, end))
    return zones


def two_paragraphs(sentences: list[str]) -> list[list[str]]:
    """Consecutive sentences as two paragraphs, the first one the longer by one."""
    half = (len(sentences) + 1) // 2
    return [p for p in (sentences[:half], sentences[half:]) if p]


def documents(
    split: str, draws: int = 1
) -> list[tuple[str, str, list[str], list[Piece], list[Piece]]]:
    """(name, host language, paragraphs, gold pieces, zones) for every document of a split.

    With ``draws`` > 1, every host document is built that many times, each with its
    own random insertions: draw 0 is the standard document, draw k is named
    ``<name>~k``; the figures are pooled over all draws. On the test split, draw 0
    alone is the held-out figure; the pooled one shows how much of it was the luck
    of the insertions.
    """
    pud = {lang: read_lines(DATA / "ud_pud" / f"pud.{lang}.txt") for lang in PUD_COLUMNS}
    vocab = Vocabulary({
        lang: pud[lang] + read_lines(DATA / "lingua_langid" / "sentences" / f"{lang}.txt")
        for lang in PUD_COLUMNS
    })
    multiway = read_multiway()
    marked = host_zones()
    return [
        doc for k in range(draws)
        for doc in _documents(split, f"~{k}" if k else "", pud, multiway, vocab, marked)
    ]


def _documents(
    split: str, draw: str, pud: dict[str, list[str]], multiway: list[dict[str, str]],
    vocab: Vocabulary, marked: dict[str, list[tuple[int, int]]],
) -> list[tuple[str, str, list[str], list[Piece], list[Piece]]]:
    rows = list(ROWS[split])
    foreign = {lang: [pud[lang][r] for r in rows] for lang in LANGS}
    docs = []
    for host in LANGS:
        for n, first in enumerate(range(rows[0], rows[-1] + 1, SENTENCES_PER_DOC)):
            sentences = pud[host][first : min(first + SENTENCES_PER_DOC, rows[-1] + 1)]
            rng = random.Random(f"{split}-{host}-{n}{draw}")
            paragraphs = two_paragraphs(sentences)
            zones = []
            at = first
            for part in paragraphs:
                zones.append([
                    zones_of(host, multiway[at + i], vocab) if multiway else []
                    for i in range(len(part))
                ])
                if multiway:
                    assert all(multiway[at + i][host] == x for i, x in enumerate(part))
                at += len(part)
            texts, gold, zone_pieces = build_document(
                rng, host, paragraphs, foreign, n % 2 == 0, vocab, zones
            )
            docs.append((f"pud-{host}-{n}{draw}", host, texts, gold, zone_pieces))
    if split == "dev":
        docs += news_documents(foreign, vocab, marked, draw)
    bosque = DATA / "news_sentences" / "pt_bosque_test_documents.jsonl"
    if split == "test" and bosque.is_file():
        extracts = bosque_extracts(DATA / "news_sentences" / "pt_bosque_test_sentences.tsv")
        for n, line in enumerate(bosque.read_text(encoding="utf-8").split("\n")):
            if line.strip():
                record = json.loads(line)
                text, zones = joined(extracts[record["doc_id"]], marked)
                assert text == record["text"], record["doc_id"]
                rng = random.Random(f"bosque-{n}{draw}")
                texts, gold, zone_pieces = build_document(
                    rng, "pt", [[text]], foreign, n % 2 == 0, vocab, [[zones]]
                )
                docs.append((f"bosque-pt-{n}{draw}", "pt", texts, gold, zone_pieces))
    return docs


def detected(detect: Detect, name: str, texts: list[str]) -> Document:
    """A document of these paragraphs after the segment and detect stages, as in a run."""
    doc = Document(doc=name, blocks=[Block("paragraph", t) for t in texts])
    return detect.process(Segmenter().process(doc))


# --leftovers: only the spans the translate phase would replace by their translation
# (pipeline.stages.repair.strong_leftover, in a segment of the document's language).
ONLY_LEFTOVERS = False


def predicted_pieces(doc: Document) -> list[Piece]:
    """Spans, and segments not in the document's language, as paragraph offsets."""
    pieces = []
    for b, block in enumerate(doc.blocks):
        cursor = 0
        for seg in block.segments:
            at = block.text.index(seg.text, cursor)
            cursor = at + len(seg.text)
            if seg.lang != doc.lang and not ONLY_LEFTOVERS:
                pieces.append(Piece(b, at, cursor, seg.lang, "segment"))
            for span in doc.spans:
                if span.segment == seg.id and span.lang != doc.lang and (
                    not ONLY_LEFTOVERS or (seg.lang == doc.lang
                                           and strong_leftover(span.text, span.lang, doc.lang,
                                                               quoted_at(seg.text, span.start)))
                ):
                    pieces.append(Piece(b, at + span.start, at + span.end, span.lang, "span"))
    return pieces


def letters(text: str, piece: Piece) -> set[int]:
    """Offsets of the letters inside a piece."""
    return {i for i in range(piece.start, piece.end) if text[i].isalpha()}


def covered(piece: Piece, by: list[Piece], text: str) -> float:
    """Share of ``piece``'s letters inside pieces of ``by`` in the same language."""
    own = letters(text, piece)
    other: set[int] = set()
    for p in by:
        if p.block == piece.block and p.lang == piece.lang:
            other |= letters(text, p)
    return len(own & other) / len(own) if own else 0.0


def in_zones(piece: Piece, zones: list[Piece], gold: list[Piece], text: str) -> float:
    """Share of ``piece``'s letters inside don't-care zones and outside gold pieces."""
    own = letters(text, piece)
    zoned: set[int] = set()
    for z in zones:
        if z.block == piece.block:
            zoned |= letters(text, z)
    for g in gold:
        if g.block == piece.block:
            zoned -= letters(text, g)
    return len(own & zoned) / len(own) if own else 0.0


def show(text: str, piece: Piece, margin: int = 30) -> str:
    """A piece in context: ``...before[piece]after...`` on one line."""
    before = text[max(0, piece.start - margin) : piece.start]
    after = text[piece.end : piece.end + margin]
    return f"{before}[{text[piece.start:piece.end]}]{after}".replace("\n", " ")


def evaluate(detect: Detect, docs, errors: list[str] | None = None) -> dict[str, float]:
    """Piece-level and letter-level precision and recall over ``docs``.

    With ``errors``, one line per missed gold piece ("miss"), per wrong predicted
    piece ("false") and per piece excused by a don't-care zone ("zoned") is
    appended to it.
    """
    counts: Counter[str] = Counter()
    for name, host, texts, gold, zones in docs:
        doc = detected(detect, name, texts)
        predicted = predicted_pieces(doc)
        counts["docs"] += 1
        counts["host_ok"] += doc.lang == host
        for piece in gold:
            hit = covered(piece, predicted, texts[piece.block]) >= 0.5
            counts[f"gold_{piece.kind}"] += 1
            counts[f"found_{piece.kind}"] += hit
            if errors is not None and not hit:
                near = [
                    f"{p.lang}:{texts[p.block][p.start:p.end]!r}" for p in predicted
                    if p.block == piece.block and p.start < piece.end and piece.start < p.end
                ]
                errors.append(
                    f"miss  {name} {host}>{piece.lang} {piece.kind}: "
                    f"{show(texts[piece.block], piece)}  predicted: {near}"
                )
        for piece in predicted:
            counts["predicted"] += 1
            right = covered(piece, gold, texts[piece.block]) >= 0.5
            counts["correct"] += right
            if not right and in_zones(piece, zones, gold, texts[piece.block]) >= 0.5:
                counts["excused"] += 1
                if errors is not None:
                    errors.append(
                        f"zoned {name} {host}>{piece.lang} {piece.kind}: "
                        f"{show(texts[piece.block], piece)}"
                    )
                continue
            if errors is not None and not right:
                errors.append(
                    f"false {name} {host}>{piece.lang} {piece.kind}: "
                    f"{show(texts[piece.block], piece)}"
                )
        for b, text in enumerate(texts):
            gold_letters = {(b, i) for p in gold if p.block == b for i in letters(text, p)}
            pred_letters = {(b, i) for p in predicted if p.block == b for i in letters(text, p)}
            gold_lang = {(b, i): p.lang for p in gold if p.block == b for i in letters(text, p)}
            right = sum(
                1 for p in predicted if p.block == b for i in letters(text, p)
                if gold_lang.get((b, i)) == p.lang
            )
            counts["gold_letters"] += len(gold_letters)
            counts["pred_letters"] += len(pred_letters)
            counts["right_letters"] += right
    found = counts["found_phrase"] + counts["found_sentence"]
    letters_right = counts["right_letters"]
    gold_total = counts["gold_phrase"] + counts["gold_sentence"]
    return {
        "documents": counts["docs"],
        "document_language": percent(counts["host_ok"], counts["docs"]),
        "precision_zones": percent(counts["correct"], counts["predicted"] - counts["excused"]),
        "precision_zones_95": wilson(counts["correct"], counts["predicted"] - counts["excused"]),
        "precision_all": percent(counts["correct"], counts["predicted"]),
        "recall": percent(found, gold_total),
        "recall_95": wilson(found, gold_total),
        "recall_phrases": percent(counts["found_phrase"], counts["gold_phrase"]),
        "recall_sentences": percent(counts["found_sentence"], counts["gold_sentence"]),
        "predicted": counts["predicted"],
        "excused_by_zones": counts["excused"],
        "gold": gold_total,
        "letter_precision": percent(letters_right, counts["pred_letters"]),
        "letter_recall": percent(letters_right, counts["gold_letters"]),
    }


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, two decimals; None when there is no whole."""
    return round(100 * part / whole, 2) if whole else None


def wilson(part: int, whole: int, z: float = 1.96) -> list[float] | None:
    """The 95% Wilson score interval of ``part`` / ``whole``, in percent (None: no whole).

    How far a figure may be from the rate on unlimited documents of the same kind,
    if the pieces were independent (with ``--draws`` they are not: hosts repeat).
    """
    if not whole:
        return None
    rate = part / whole
    centre = (rate + z * z / (2 * whole)) / (1 + z * z / whole)
    half = z * math.sqrt(rate * (1 - rate) / whole + z * z / (4 * whole * whole))
    half /= 1 + z * z / whole
    return [round(100 * max(centre - half, 0.0), 2), round(100 * min(centre + half, 1.0), 2)]


def clean_documents(split: str) -> list[tuple[str, str, list[str]]]:
    """(name, language, paragraphs): the split's half of the lingua test sentences of
    each language (dev lines 1-500, test 501-1000), six per document in two paragraphs.
    Monolingual web and news text with nothing inserted (see ``--clean``)."""
    half = slice(0, 500) if split == "dev" else slice(500, 1000)
    docs = []
    for lang in LANGS:
        path = DATA / "lingua_langid" / "sentences" / f"{lang}.txt"
        lines = read_lines(path)[half] if path.is_file() else []
        for n in range(0, len(lines), SENTENCES_PER_DOC):
            paragraphs = two_paragraphs(lines[n : n + SENTENCES_PER_DOC])
            texts = [" ".join(p) for p in paragraphs]
            docs.append((f"clean-{lang}-{n // SENTENCES_PER_DOC}", lang, texts))
    return docs


def clean_pieces(detect: Detect, docs: list[tuple[str, str, list[str]]]) -> list[str]:
    """One line per predicted piece (and per flipped document language) in ``docs``."""
    found = []
    for name, lang, texts in docs:
        doc = detected(detect, name, texts)
        if doc.lang != lang:
            found.append(f"flip  {name} {lang}>{doc.lang}")
        found += [
            f"piece {name} {lang}>{p.lang} {p.kind}: {show(texts[p.block], p)}"
            for p in predicted_pieces(doc)
        ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=sorted(ROWS), default="test")
    parser.add_argument("--candidates", default=",".join(LANGS))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a threshold of pipeline/stages/detect.py (tuning)")
    parser.add_argument("--draws", type=int, default=1, metavar="K",
                        help="build each host document K times, each with its own random "
                        "insertions, and pool the figures (dev: more pieces for tuning; "
                        "test: compare with the held-out K=1 figure)")
    parser.add_argument("--show-errors", action="store_true",
                        help="print every missed and every wrong piece (dev split only)")
    parser.add_argument("--clean", action="store_true",
                        help="detect on monolingual sentences with nothing inserted (the "
                        "split's half of the lingua test sentences) and count the pieces "
                        "found: real foreign text or false alarms (listed on dev only)")
    parser.add_argument("--show-host-foreign", action="store_true",
                        help="print the foreign material marked in the newspaper hosts "
                        "(bench/host_foreign.tsv) and exit")
    parser.add_argument("--leftovers", action="store_true",
                        help="predicted pieces are only the spans that would be replaced "
                        "by their translation (foreign leftovers): their precision")
    args = parser.parse_args(argv)
    global ONLY_LEFTOVERS
    ONLY_LEFTOVERS = args.leftovers
    if not (DATA / "ud_pud").is_dir():
        print(f"skipped: evaluation data not found in {DATA}")
        return 0
    if args.show_host_foreign:
        for sent_id, _, _, text, zone in host_marks():
            print(f"{sent_id}\t{'zone' if zone else 'no zone'}\t{text}")
        return 0
    for item in args.set:
        name, _, value = item.partition("=")
        if not isinstance(getattr(detect_module, name, None), float):
            raise SystemExit(f"--set: {name} is not a numeric threshold of the detect stage")
        setattr(detect_module, name, float(value))
    if args.draws < 1:
        raise SystemExit("--draws: K must be 1 or more")
    detect = Detect(args.candidates.split(","))
    if args.clean:
        docs = clean_documents(args.split)
        found = clean_pieces(detect, docs)
        if args.split == "dev":
            print("\n".join(found))
        counts = {
            lang: sum(line.startswith(f"piece clean-{lang}-") for line in found) for lang in LANGS
        }
        flips = sum(line.startswith("flip") for line in found)
        summary = {"documents": len(docs), "pieces": counts, "language_flips": flips}
        print(f"{args.split} clean: {json.dumps(summary)}")
        return 0
    docs = documents(args.split, args.draws)
    groups = {"all": docs, "pud": [d for d in docs if d[0].startswith("pud")]}
    for prefix, group in (("bosque", "bosque-pt"), ("gsd", "gsd-de")):
        if any(d[0].startswith(prefix) for d in docs):
            groups[group] = [d for d in docs if d[0].startswith(prefix)]
    if args.show_errors and args.split != "dev":
        raise SystemExit("--show-errors: only on the dev split (the test split is held out)")
    errors: list[str] | None = [] if args.show_errors else None
    results = {"all": evaluate(detect, docs, errors)}  # the errors of every document
    if errors is not None:
        print("\n".join(sorted(errors, key=lambda e: e.split()[0])))
    for group, selected in groups.items():
        result = results.get(group) or evaluate(detect, selected)
        print(f"{args.split} {group}: {json.dumps(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
