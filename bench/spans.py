"""Foreign pieces in mixed documents: span precision and recall of the detect stage.

Usage::

    .venv/bin/python bench/spans.py [--split dev|test] [--set SPAN_SWITCH=2.5 ...]

Documents are built from real sentences in ../shared/data (skipped with a message,
exit 0, when absent):

- hosts: UD PUD sentences (pud.<lang>.txt) for pt de en es fr, six consecutive rows
  per document in two paragraphs; and, for the test split, the real Portuguese
  newspaper extracts of UD Bosque (news_sentences/pt_bosque_test_documents.jsonl);
- into each document goes one foreign *phrase* (2-5 consecutive words of a PUD
  sentence in another of the five languages, at least two of them lower-case words,
  edge punctuation stripped) at a random word boundary of a random sentence,
  sometimes in quotes; and into every other document one foreign *sentence*,
  between two sentences of a paragraph.

Each document goes through the segment and detect stages as in a run. A predicted
piece is a span, or a whole segment whose language is not the document's. A gold
piece counts as found when at least half its characters are covered by predicted
pieces of its language; a predicted piece is correct when at least half of its
characters lie in gold pieces of its language. Character-level precision and
recall (letters only) are printed beside. PUD rows 1-500 make the dev split (used
to tune the thresholds in pipeline/stages/detect.py), rows 501-1000 the test split.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.document import Block, Document
from pipeline.stages import detect as detect_module
from pipeline.stages.detect import Detect
from pipeline.stages.segment import Segmenter

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LANGS = ("pt", "de", "en", "es", "fr")
ROWS = {"dev": range(0, 500), "test": range(500, 1000)}
SENTENCES_PER_DOC = 6
EDGE_PUNCTUATION = ".,;:!?\"'“”„«»()[]‘’—–-"
LOWER_WORD = re.compile(r"[^\W\d_A-Z]+")


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


def insert_phrase(rng: random.Random, sentence: str, phrase: str) -> tuple[str, int, int]:
    """``sentence`` with ``phrase`` at a word boundary; the phrase's offsets in it."""
    gaps = [m.start() for m in re.finditer(r" ", sentence)]
    at = rng.choice(gaps) if gaps else len(sentence)
    quoted = rng.random() < 1 / 3
    before = sentence[:at] + (' "' if quoted else " ")
    text = before + phrase + ('"' if quoted else "") + sentence[at:]
    return text, len(before), len(before) + len(phrase)


def build_document(
    rng: random.Random, host: str, paragraphs: list[list[str]], foreign: dict[str, list[str]],
    with_sentence: bool,
) -> tuple[list[str], list[Piece]]:
    """Paragraph texts with one foreign phrase (and maybe a sentence) inserted, and gold."""
    others = [lang for lang in LANGS if lang != host]
    paragraphs = [list(p) for p in paragraphs]
    gold_phrase: tuple[int, int, int, int, str] | None = None
    while gold_phrase is None:
        lang = rng.choice(others)
        phrase = pick_phrase(rng, rng.choice(foreign[lang]))
        if phrase:
            b = rng.randrange(len(paragraphs))
            s = rng.randrange(len(paragraphs[b]))
            paragraphs[b][s], start, end = insert_phrase(rng, paragraphs[b][s], phrase)
            gold_phrase = (b, s, start, end, lang)
    gold_sentence: tuple[int, int, str] | None = None
    if with_sentence:
        lang = rng.choice(others)
        b = rng.randrange(len(paragraphs))
        s = rng.randint(0, len(paragraphs[b]))
        paragraphs[b].insert(s, rng.choice(foreign[lang]))
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
    return texts, gold


def documents(split: str) -> list[tuple[str, str, list[str], list[Piece]]]:
    """(name, host language, paragraphs, gold pieces) for every document of a split."""
    pud = {lang: read_lines(DATA / "ud_pud" / f"pud.{lang}.txt") for lang in LANGS}
    rows = list(ROWS[split])
    foreign = {lang: [pud[lang][r] for r in rows] for lang in LANGS}
    docs = []
    for host in LANGS:
        for n, first in enumerate(range(rows[0], rows[-1] + 1, SENTENCES_PER_DOC)):
            sentences = pud[host][first : min(first + SENTENCES_PER_DOC, rows[-1] + 1)]
            half = (len(sentences) + 1) // 2
            rng = random.Random(f"{split}-{host}-{n}")
            paragraphs = [p for p in (sentences[:half], sentences[half:]) if p]
            texts, gold = build_document(rng, host, paragraphs, foreign, n % 2 == 0)
            docs.append((f"pud-{host}-{n}", host, texts, gold))
    bosque = DATA / "news_sentences" / "pt_bosque_test_documents.jsonl"
    if split == "test" and bosque.is_file():
        for n, line in enumerate(bosque.read_text(encoding="utf-8").split("\n")):
            if line.strip():
                text = json.loads(line)["text"]
                rng = random.Random(f"bosque-{n}")
                texts, gold = build_document(rng, "pt", [[text]], foreign, n % 2 == 0)
                docs.append((f"bosque-pt-{n}", "pt", texts, gold))
    return docs


def predicted_pieces(doc: Document) -> list[Piece]:
    """Spans, and segments not in the document's language, as paragraph offsets."""
    pieces = []
    for b, block in enumerate(doc.blocks):
        cursor = 0
        for seg in block.segments:
            at = block.text.index(seg.text, cursor)
            cursor = at + len(seg.text)
            if seg.lang != doc.lang:
                pieces.append(Piece(b, at, cursor, seg.lang, "segment"))
            for span in doc.spans:
                if span.segment == seg.id and span.lang != doc.lang:
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


def evaluate(detect: Detect, docs) -> dict[str, float]:
    """Piece-level and letter-level precision and recall over ``docs``."""
    counts: Counter[str] = Counter()
    for name, host, texts, gold in docs:
        doc = Document(doc=name, blocks=[Block("paragraph", t) for t in texts])
        doc = detect.process(Segmenter().process(doc))
        predicted = predicted_pieces(doc)
        counts["docs"] += 1
        counts["host_ok"] += doc.lang == host
        for piece in gold:
            hit = covered(piece, predicted, texts[piece.block]) >= 0.5
            counts[f"gold_{piece.kind}"] += 1
            counts[f"found_{piece.kind}"] += hit
        for piece in predicted:
            counts["predicted"] += 1
            counts["correct"] += covered(piece, gold, texts[piece.block]) >= 0.5
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
        "document_language": round(100 * counts["host_ok"] / counts["docs"], 2),
        "precision": round(100 * counts["correct"] / max(counts["predicted"], 1), 2),
        "recall": round(100 * found / gold_total, 2),
        "recall_phrases": round(100 * counts["found_phrase"] / counts["gold_phrase"], 2),
        "recall_sentences": round(100 * counts["found_sentence"] / counts["gold_sentence"], 2),
        "predicted": counts["predicted"],
        "gold": gold_total,
        "letter_precision": round(100 * letters_right / max(counts["pred_letters"], 1), 2),
        "letter_recall": round(100 * letters_right / max(counts["gold_letters"], 1), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=sorted(ROWS), default="test")
    parser.add_argument("--candidates", default=",".join(LANGS))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a threshold of pipeline/stages/detect.py (tuning)")
    args = parser.parse_args(argv)
    if not (DATA / "ud_pud").is_dir():
        print(f"skipped: evaluation data not found in {DATA}")
        return 0
    for item in args.set:
        name, _, value = item.partition("=")
        if not isinstance(getattr(detect_module, name, None), float):
            raise SystemExit(f"--set: {name} is not a numeric threshold of the detect stage")
        setattr(detect_module, name, float(value))
    detect = Detect(args.candidates.split(","))
    docs = documents(args.split)
    groups = {"all": docs, "pud": [d for d in docs if d[0].startswith("pud")]}
    if any(d[0].startswith("bosque") for d in docs):
        groups["bosque-pt"] = [d for d in docs if d[0].startswith("bosque")]
    for group, selected in groups.items():
        print(f"{args.split} {group}: {json.dumps(evaluate(detect, selected))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
