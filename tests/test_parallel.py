"""OUT/parallel: Moses, TSV and TMX files that agree segment for segment, read back.

The sample corpus goes through the real stages; translations come from a fake
engine (the text tagged with its target), so no model is needed. A generated
corpus of 1,000 documents, with mixed languages, missing translations and every
character the formats have to escape, checks the alignment at scale.
"""

from __future__ import annotations

import copy
import io
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from translate.storage.tmx import tmxfile

from pipeline.document import Block, Document, Segment
from pipeline.stages.translate import translated_document
from pipeline.writers.jsonl import segment_records
from pipeline.writers.parallel import LINE_BREAKS, tsv_unescape, write_parallel
from tests.conftest import SEED

TARGETS = ["en", "de"]
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# The elements of the TMX 1.4b DTD (LISA OSCAR, tmx14.dtd) that these files use.
TMX14_DTD = """
<!ENTITY % segtypes "block|paragraph|sentence|phrase" >
<!ELEMENT tmx (header, body) >
<!ATTLIST tmx version CDATA #FIXED "1.4" >
<!ELEMENT header (note|prop|ude)* >
<!ATTLIST header creationtool CDATA #REQUIRED creationtoolversion CDATA #REQUIRED
  segtype (%segtypes;) #REQUIRED o-tmf CDATA #REQUIRED adminlang CDATA #REQUIRED
  srclang CDATA #REQUIRED datatype CDATA #REQUIRED creationdate CDATA #IMPLIED >
<!ELEMENT body (tu*) >
<!ELEMENT note (#PCDATA) >
<!ELEMENT ude (map+) >
<!ELEMENT map EMPTY >
<!ELEMENT prop (#PCDATA) >
<!ATTLIST prop type CDATA #REQUIRED xml:lang CDATA #IMPLIED >
<!ELEMENT tu ((note|prop)*, tuv+) >
<!ATTLIST tu tuid CDATA #IMPLIED srclang CDATA #IMPLIED >
<!ELEMENT tuv ((note|prop)*, seg) >
<!ATTLIST tuv xml:lang CDATA #REQUIRED >
<!ELEMENT seg (#PCDATA) >
"""
TMX14 = etree.DTD(io.StringIO(TMX14_DTD))


# -- reading the files back, each format on its own --------------------------------------

Row = tuple[str, str, str, str]  # doc, segment id, source, target


def read_moses(pair_dir: Path, src: str, tgt: str) -> list[tuple[str, str]]:
    sources = (pair_dir / f"corpus.{src}").read_text(encoding="utf-8").splitlines()
    targets = (pair_dir / f"corpus.{tgt}").read_text(encoding="utf-8").splitlines()
    assert len(sources) == len(targets), pair_dir
    return list(zip(sources, targets, strict=True))


def read_tsv(pair_dir: Path, src: str, tgt: str) -> list[Row]:
    lines = (pair_dir / "corpus.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"doc\tid\t{src}\t{tgt}"
    rows = [tuple(map(tsv_unescape, line.split("\t"))) for line in lines[1:]]
    assert all(len(row) == 4 for row in rows)
    return rows  # type: ignore[return-value]


def read_tmx(pair_dir: Path, src: str, tgt: str) -> list[Row]:
    """The pairs as translate-toolkit reads them; doc and segment from the <prop>s."""
    path = pair_dir / "corpus.tmx"
    with path.open("rb") as handle:
        store = tmxfile(handle, targetlanguage=tgt)
    assert store.sourcelanguage == src
    tree = etree.parse(str(path))
    assert TMX14.validate(tree), (pair_dir, TMX14.error_log)
    props = [
        {p.get("type"): p.text or "" for p in tu.findall("prop")} for tu in tree.iter("tu")
    ]
    assert len(props) == len(store.units)
    rows = []
    for unit, prop in zip(store.units, props, strict=True):
        assert unit.getid() == prop["x-segment"]
        rows.append((prop["x-doc"], prop["x-segment"], unit.source, unit.target))
    return rows


def expected_rows(docs: list[Document], targets: list[str]) -> dict[str, list[Row]]:
    """From segments.jsonl's records: each translated segment under its own pair (one
    without a letter is copied, not translated: no parallel data)."""
    pairs: dict[str, list[Row]] = {}
    for doc in docs:
        if doc.status != "ok":  # segments.jsonl holds the segments of ok documents only
            continue
        for record in segment_records(doc, targets):
            src = record["lang"] or doc.lang
            if not any(c.isalpha() for c in record["text"]):  # copied as it is ("2024.")
                continue
            for tgt in targets:
                if record[tgt] is not None and src != tgt:
                    row = (record["doc"], record["id"], record["text"], record[tgt])
                    pairs.setdefault(f"{src}-{tgt}", []).append(row)
    return pairs


def misaligned(out: Path, docs: list[Document], targets: list[str]) -> int:
    """Expected segments that some format lacks, misplaces or alters, plus extra ones."""
    expected = expected_rows(docs, targets)
    root = out / "parallel"
    written = {p.name for p in root.iterdir()} if root.is_dir() else set()
    count = len(written - set(expected))
    for pair, rows in expected.items():
        pair_dir = root / pair
        if not pair_dir.is_dir():
            count += len(rows)
            continue
        src, tgt = pair.split("-")
        moses = read_moses(pair_dir, src, tgt)
        tsv = read_tsv(pair_dir, src, tgt)
        tmx = read_tmx(pair_dir, src, tgt)
        lengths = (len(moses), len(tsv), len(tmx), len(rows))
        count += max(lengths) - min(lengths)  # rows that some format lacks or has in excess
        for i, row in enumerate(rows[: min(lengths)]):
            ok = (
                moses[i] == (moses_text(row[2]), moses_text(row[3]))
                and tsv[i] == row
                and tmx[i] == tuple(NOT_XML_CHAR.sub("\ufffd", field) for field in row)
            )
            count += not ok
    return count


def moses_text(text: str) -> str:
    return "".join(" " if c in "\t" + LINE_BREAKS else c for c in text)


def rebuilt_translation(doc: Document, tgt: str, rows: dict[str, str]) -> str | None:
    """The translated copy rebuilt from the parallel rows (segment id -> translation).

    Segments already in ``tgt``, or without a letter, are not parallel data: the
    translate stage copies them.
    """
    rebuilt = copy.deepcopy(doc)
    for seg in rebuilt.segments():
        seg.translations = {}
        if (seg.lang or doc.lang) == tgt or not any(c.isalpha() for c in seg.text):
            seg.translations[tgt] = seg.text
        elif seg.id in rows:
            seg.translations[tgt] = rows[seg.id]
    return translated_document(rebuilt, tgt)


# -- the sample corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory, process_corpus) -> tuple[Path, list[Document], dict[str, int]]:
    """The sample corpus into en and de, with no fr->de model."""
    docs = process_corpus(SEED, TARGETS, frozenset({("fr", "de")}))
    docs[0].segments()[1].flags["en"] = ["length_ratio"]
    out = tmp_path_factory.mktemp("parallel")
    counts = write_parallel(out, iter(docs), TARGETS)
    return out, docs, counts


def test_sample_corpus_has_zero_misaligned_segments_in_every_format(sample):
    out, docs, counts = sample
    assert misaligned(out, docs, TARGETS) == 0
    expected = expected_rows(docs, TARGETS)
    assert counts == {pair: len(rows) for pair, rows in sorted(expected.items())}
    assert "fr-de" not in counts and counts["fr-en"] > 0  # no model: no pair
    assert counts["en-de"] > 0 and "en-en" not in counts


def test_mixed_document_sends_each_segment_to_its_own_language_pair(sample):
    out, docs, _ = sample
    mixed = next(d for d in docs if d.doc == "de/hafen-hamburg.txt")
    english = [s.id for s in mixed.segments() if s.lang == "en"]
    assert english  # the German article quotes an English sentence
    for seg_id in english:
        assert seg_id in {r[1] for r in read_tsv(out / "parallel" / "en-de", "en", "de")}
        assert seg_id not in {r[1] for r in read_tsv(out / "parallel" / "de-en", "de", "en")}


def test_every_segment_of_segments_jsonl_appears_exactly_once(sample):
    out, docs, _ = sample
    seen: Counter[tuple[str, str]] = Counter()
    for pair_dir in (out / "parallel").iterdir():
        src, tgt = pair_dir.name.split("-")
        seen.update((row[1], tgt) for row in read_tsv(pair_dir, src, tgt))
    wanted = {
        (record["id"], tgt)
        for doc in docs
        if doc.status == "ok"
        for record in segment_records(doc, TARGETS)
        for tgt in TARGETS
        if record[tgt] is not None and (record["lang"] or doc.lang) != tgt
    }
    assert set(seen) == wanted and set(seen.values()) == {1}
    not_parallel = [r for d in docs for r in segment_records(d, TARGETS) if r["lang"] == "en"]
    assert not_parallel and all((r["id"], "en") not in seen for r in not_parallel)


def test_translate_toolkit_reads_the_tmx_back_with_the_same_pairs(sample):
    out, docs, _ = sample
    for pair, rows in expected_rows(docs, TARGETS).items():
        src, tgt = pair.split("-")
        assert read_tmx(out / "parallel" / pair, src, tgt) == rows
    tmx = (out / "parallel" / "pt-en" / "corpus.tmx").read_text(encoding="utf-8")
    assert "creationdate" not in tmx
    assert '<tuv xml:lang="en"><prop type="x-qa-flag">length_ratio</prop><seg>' in tmx


def test_joining_aligned_segments_reproduces_each_translated_copy(sample):
    out, docs, _ = sample
    checked = 0
    for tgt in TARGETS:
        pair_dirs = [p for p in (out / "parallel").iterdir() if p.name.endswith(f"-{tgt}")]
        for reader in (read_tsv, read_tmx):
            rows = {
                row[1]: row[3]
                for pair_dir in pair_dirs
                for row in reader(pair_dir, pair_dir.name.split("-")[0], tgt)
            }
            for doc in docs:
                translated = translated_document(doc, tgt)
                if translated is not None:
                    assert rebuilt_translation(doc, tgt, rows) == translated, (doc.doc, tgt)
                    checked += 1
    assert checked == 2 * (5 + 4)  # fr has no de copy (no fr->de model)


def test_moses_files_of_a_pair_have_the_same_line_count(sample):
    out, _, counts = sample
    for pair, n in counts.items():
        src, tgt = pair.split("-")
        for name in (f"corpus.{src}", f"corpus.{tgt}"):
            text = (out / "parallel" / pair / name).read_text(encoding="utf-8")
            assert len(text.splitlines()) == text.count("\n") == n, (pair, name)
        assert len((out / "parallel" / pair / "corpus.tsv").read_bytes().splitlines()) == n + 1


def test_same_documents_give_byte_identical_files_and_dropped_targets_go(sample, tmp_path):
    out, docs, counts = sample
    write_parallel(tmp_path, docs, TARGETS)
    for pair in counts:
        for path in (out / "parallel" / pair).iterdir():
            assert path.read_bytes() == (tmp_path / "parallel" / pair / path.name).read_bytes()
    assert write_parallel(tmp_path, docs, ["en"]) == {p: n for p, n in counts.items() if "-en" in p}
    assert sorted(p.name for p in (tmp_path / "parallel").iterdir()) == ["de-en", "fr-en", "pt-en"]


# -- escaping ------------------------------------------------------------------------------

AWKWARD = [
    "tab\there",
    "line\nfeed",
    "carriage\rreturn",
    "windows\r\nline",
    "line\u2028separator and next\x85line",
    "back\\slash \\n \\t \\u2028",
    'markup <b>&amp;</b> "quoted" \'single\'',
    "control \x00 \x0b \x0c \x1c char",
    "astral 😀 and ﬁ ligature",
    "  spaces  kept  ",
]


def awkward_document() -> Document:
    segments = [
        Segment(f"weird\tdoc\n.txt#{i}.1", text, "pt", translations={"en": f"<{text}>"})
        for i, text in enumerate(AWKWARD, start=1)
    ]
    blocks = [Block("paragraph", seg.text, "pt", [seg]) for seg in segments]
    return Document("weird\tdoc\n.txt", lang="pt", blocks=blocks)


def test_tabs_and_line_breaks_never_split_a_line_and_tsv_round_trips(tmp_path):
    doc = awkward_document()
    assert write_parallel(tmp_path, [doc], ["en"]) == {"pt-en": len(AWKWARD)}
    pair_dir = tmp_path / "parallel" / "pt-en"
    assert misaligned(tmp_path, [doc], ["en"]) == 0
    assert [r[2] for r in read_tsv(pair_dir, "pt", "en")] == AWKWARD
    moses = (pair_dir / "corpus.pt").read_text(encoding="utf-8")
    assert "\t" not in moses and len(moses.splitlines()) == len(AWKWARD)
    tmx = {r[2] for r in read_tmx(pair_dir, "pt", "en")}
    assert "carriage\rreturn" in tmx and "  spaces  kept  " in tmx
    assert "control \ufffd \ufffd \ufffd \ufffd char" in tmx


# -- a generated corpus of 1,000 documents ---------------------------------------------------

LANGS = ["pt", "de", "fr", "en", "es"]
WORDS = ["casa", "Haus", "maison", "house", "río", "über", "l’été", "news", "2024", "São"]
ODD = ["\t", "\n", "\r", "\u2028", "\\", "<b>", "&amp;", '"', "\x00", "😀", "\\t"]


def generated_corpus(n: int, seed: int = 6) -> Iterator[Document]:
    """``n`` documents: mixed languages, missing translations, awkward characters, failures."""
    rng = random.Random(seed)
    for d in range(n):
        doc = Document(f"gen/{d:04d}.txt", lang=rng.choice(LANGS))
        if rng.random() < 0.02:
            doc.status, doc.errors = "failed", ["translate: synthetic failure"]
        for b in range(1, rng.randint(1, 5) + 1):
            block = Block(rng.choice(["title", "paragraph", "heading"]), "", doc.lang)
            for s in range(1, rng.randint(1, 5) + 1):
                words = rng.choices(WORDS, k=rng.randint(1, 8))
                if rng.random() < 0.2:
                    words.insert(rng.randrange(len(words) + 1), rng.choice(ODD))
                lang = doc.lang if rng.random() < 0.85 else rng.choice(LANGS)
                seg = Segment(f"{doc.doc}#{b}.{s}", " ".join(words) + ".", lang)
                for tgt in TARGETS:
                    if lang == tgt or not any(c.isalpha() for c in seg.text):  # copied
                        seg.translations[tgt] = seg.text
                    elif rng.random() < 0.95:
                        seg.translations[tgt] = f"[{tgt}] {seg.text[::-1]}"
                        if rng.random() < 0.05:
                            seg.flags[tgt] = ["length_ratio"]
                block.segments.append(seg)
            block.text = " ".join(seg.text for seg in block.segments)
            doc.blocks.append(block)
        yield doc


def test_generated_corpus_of_1000_documents_has_zero_misaligned_segments(tmp_path):
    counts = write_parallel(tmp_path, generated_corpus(1000), TARGETS)
    docs = list(generated_corpus(1000))
    assert sum(counts.values()) > 10_000 and len(counts) == 8
    assert any(d.status == "failed" and d.blocks for d in docs)  # left out, as in segments.jsonl
    assert misaligned(tmp_path, docs, TARGETS) == 0
    for tgt in TARGETS:
        rows = {
            row[1]: row[3]
            for pair_dir in (tmp_path / "parallel").iterdir()
            if pair_dir.name.endswith(f"-{tgt}")
            for row in read_tsv(pair_dir, pair_dir.name.split("-")[0], tgt)
        }
        for doc in (d for d in docs if d.status == "ok"):
            assert rebuilt_translation(doc, tgt, rows) == translated_document(doc, tgt)
