"""One big document's peak memory while its outputs are made (brief mem13).

Each test builds a document of its own text (Portuguese-like sentences with curly
quotes, so that the JSON and the texts are two bytes a character, as in a real book)
and measures, with tracemalloc, the most Python held at once while one output was
made, against the size of what it made. No timing.
"""

from __future__ import annotations

import sys
import tracemalloc

from pipeline.document import Block, Document, Fix, Segment, Source, Span

SENTENCES = [
    "“Embora a transição seja sem precedentes”, escreveu a assistente, na segunda-feira.",
    "Para aqueles que seguem as redes sociais no Capitólio, esta será um pouco diferente.",
    "O nomeado anunciou que iria permitir “números tremendos” de imigrantes legais.",
]


def big_document(blocks: int = 600, per_block: int = 6) -> Document:
    """An analysed document of ``blocks`` paragraphs of ``per_block`` sentences each."""
    doc = Document("livro.txt", source=Source("0" * 64, "utf-8", 0), lang="pt",
                   lang_score=1.0, status="ok")
    for b in range(blocks):
        segments = [Segment(f"livro.txt#{b + 1}.{s + 1}", f"{SENTENCES[(b + s) % 3]} ({b}.{s})",
                            lang="pt", score=0.98) for s in range(per_block)]
        doc.blocks.append(Block("paragraph", " ".join(s.text for s in segments), "pt", segments))
    doc.text = doc.clean_text()
    doc.spans.append(Span("per capita", "la", 10, 20, "livro.txt#1.1"))
    doc.fixes.append(Fix("repair", "space_before_punct", "a ,", "a,"))
    return doc


def peak_of(make):
    """(what ``make()`` returned, the most it held at once above what was held before,
    what it left held)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = make()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - before, current - before


def test_to_json_holds_its_pieces_and_the_result_not_every_segment_field():
    doc = big_document()
    text, peak, kept = peak_of(doc.to_json)
    size = sys.getsizeof(text)
    assert size > 1_000_000 and kept >= size
    # json.dumps of the whole: the result, a copy of every segment's fields as dicts
    # and a small string for each of their keys and values (2.9 times the result
    # here); in pieces, the result and a piece for each block and its segments (2.1).
    assert peak < 2.5 * size, (peak, size)


def test_to_json_in_pieces_is_json_dumps_of_the_whole():
    import json

    doc = big_document(blocks=20)
    doc.markdown = {"front": "x", "_stage_only": 1}
    doc.protected = {"livro.txt#1.1": [[0, 3]]}
    doc.metadata = {"title": "“Livro”"}
    whole = dict(vars(doc))
    del whole["raw"]
    whole["source"] = vars(doc.source)
    whole["blocks"] = [{**vars(b), "segments": [vars(s) for s in b.segments]} for b in doc.blocks]
    for name in ("removed", "spans", "fixes"):
        whole[name] = [vars(item) for item in whole[name]]
    whole["markdown"] = {"front": "x"}
    expected = json.dumps(whole, ensure_ascii=False, separators=(",", ":"))
    assert doc.to_json() == expected
    assert Document("empty.txt").to_json() == json.dumps(
        {**{k: v for k, v in vars(Document("empty.txt")).items()
            if k not in ("raw", "markdown", "protected")},
         "source": {"sha256": "", "encoding": "", "size": 0}},
        ensure_ascii=False, separators=(",", ":"))


def test_clean_text_is_joined_once():
    doc = big_document(blocks=1500)
    text, peak, _ = peak_of(doc.clean_text)
    assert text.endswith("(1499.5)\n") and "\n\n" in text
    # Joined then copied with the final newline: twice the result at once.
    assert peak < 1.5 * sys.getsizeof(text), (peak, sys.getsizeof(text))


def test_has_text_is_whether_the_clean_text_holds_anything():
    for texts in ([], [" "], ["\n", "\u3000"], ["", "x"], ["\u200b"], [" a "]):
        doc = Document("a.txt", blocks=[Block("paragraph", t) for t in texts])
        assert doc.has_text() == bool(doc.clean_text().strip()), texts
