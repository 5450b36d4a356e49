"""The scoring rules of bench/spans.py, on texts written here (no ../shared/data).

The span bench's figures are the evidence for the foreign-span target, so the rules
that turn predicted and gold pieces into those figures are pinned down: the
half-the-letters rule, don't-care zones, names kept out of gold pieces, zone offsets
after an insertion, and hand marks placed in joined extracts.
"""

from __future__ import annotations

import random

import pytest

from pipeline.document import Document, Span
from tests.conftest import load_bench

spans = load_bench("spans")
Piece = spans.Piece

TIE_BREAK = (
    "O tenista perdeu o tie-break no terceiro set, disse o treinador ao jornal da "
    "cidade. A equipa chegou ontem a Lisboa depois de uma longa viagem de autocarro."
)
QUOTED = (
    "O governo anunciou hoje novas medidas para a economia do país. O ministro falou "
    'com os jornalistas "the government said" no fim da reunião de ontem.'
)


def _piece(text: str, part: str, lang: str, block: int = 0, kind: str = "") -> Piece:
    start = text.index(part)
    return Piece(block, start, start + len(part), lang, kind)


def test_a_predicted_piece_is_right_with_half_its_letters_in_gold():
    gold = [_piece(QUOTED, "the government said", "en")]  # 17 letters
    # 11 + 17 letters: 17/28 inside gold
    near = _piece(QUOTED, 'jornalistas "the government said', "en")
    assert spans.covered(near, gold, QUOTED) == pytest.approx(17 / 28)
    # 5 + 3 + 2 + 11 letters before it: 17/38, under half
    wide = _piece(QUOTED, 'falou com os jornalistas "the government said', "en")
    assert spans.covered(wide, gold, QUOTED) == pytest.approx(17 / 38)
    # the right place in the wrong language covers nothing
    assert spans.covered(_piece(QUOTED, "the government said", "de"), gold, QUOTED) == 0.0


def test_zones_count_only_letters_outside_gold():
    zone = [_piece(TIE_BREAK, "tie-break no terceiro", "")]
    gold = [_piece(TIE_BREAK, "no terceiro", "es")]
    # "tie-break": 8 letters, all zoned and none in gold
    assert spans.in_zones(_piece(TIE_BREAK, "tie-break", "en"), zone, gold, TIE_BREAK) == 1.0
    # "tie-break no": the 2 letters of "no" are gold, so 8 of 10 are zoned
    piece = _piece(TIE_BREAK, "tie-break no", "en")
    assert spans.in_zones(piece, zone, gold, TIE_BREAK) == pytest.approx(8 / 10)


class _Marks:
    """A stand-in for the detect stage: a Portuguese document, with English spans on
    the given stretches (the scoring is tested, not the detector)."""

    def __init__(self, *parts: str):
        self.parts = parts

    def process(self, doc: Document) -> Document:
        doc.lang = "pt"
        for seg in doc.segments():
            seg.lang = "pt"
            for part in self.parts:
                if part in seg.text:
                    start = seg.text.index(part)
                    doc.spans.append(Span(part, "en", start, start + len(part), seg.id))
        return doc


BOTH = _Marks("tie-break", "the government said")


def _document(zones: list[Piece]) -> tuple[str, str, list[str], list[Piece], list[Piece]]:
    gold = [_piece(QUOTED, "the government said", "en", block=1, kind="phrase")]
    return ("doc", "pt", [TIE_BREAK, QUOTED], gold, zones)


def test_a_wrong_piece_in_a_zone_is_excused_not_counted():
    # Both English pieces are marked; only the quoted one is gold.
    figures = ("predicted", "excused_by_zones", "precision_zones", "precision_all", "recall")
    zoned = spans.evaluate(BOTH, [_document([_piece(TIE_BREAK, "tie-break", "", 0, "zone")])])
    assert [zoned[f] for f in figures] == [2, 1, 100.0, 50.0, 100.0]
    bare = spans.evaluate(BOTH, [_document([])])
    assert [bare[f] for f in figures] == [2, 0, 50.0, 50.0, 100.0]
    assert bare["recall_sentences"] is None  # no inserted sentence: no figure, no crash


def test_errors_list_the_wrong_and_the_excused_pieces():
    shown = "pt>en span: O tenista perdeu o [tie-break] no terceiro set, disse o trei"
    errors: list[str] = []
    spans.evaluate(BOTH, [_document([])], errors)
    assert errors == [f"false doc {shown}"]
    errors = []
    spans.evaluate(BOTH, [_document([_piece(TIE_BREAK, "tie-break", "", 0, "zone")])], errors)
    assert errors == [f"zoned doc {shown}"]
    errors = []  # the gold piece not found: a miss, and what was predicted over it
    assert spans.evaluate(_Marks("tie-break"), [_document([])], errors)["recall"] == 0.0
    assert errors[0] == (
        'miss  doc pt>en phrase: tro falou com os jornalistas "[the government said]" '
        "no fim da reunião de ontem.  predicted: []"
    )


def test_gold_leaves_out_host_names_and_refuses_host_phrases():
    vocab = spans.Vocabulary({
        "fr": ["Le port de Hong Kong est fermé.", "Hong Kong a voté.", "de la mer", "de la ville"],
        "es": ["Hong Kong parece estar cerca.", "parece estar", "de la casa", "de la playa"],
    })
    phrase = "Hong Kong parece estar"
    start, end = spans.gold_part(phrase, "fr", "es", vocab)
    assert phrase[start:end] == "parece estar"
    # "de la" is French too (twice in the French text, at a like rate): no foreign text
    assert spans.gold_part("de la", "fr", "es", vocab) is None


def test_zones_come_from_words_shared_with_another_translation():
    vocab = spans.Vocabulary({"fr": ["le film de la semaine"], "en": ["the show of the week"]})
    row = {
        "fr": "Les épisodes sont suivis par un after-show en direct.",
        "en": "The episodes are followed by an after-show live.",
    }
    zones = spans.zones_of("fr", row, vocab)
    assert [row["fr"][a:b] for a, b in zones] == ["after-show"]
    # a shared name alone is no zone
    names = {"fr": "Corrado Passera a parlé.", "en": "Corrado Passera spoke."}
    assert spans.zones_of("fr", names, vocab) == []


def test_zones_move_with_an_insertion():
    # zones at 0-4, 10-20 and 30-35; 6 characters inserted at offset 15
    assert spans.shift_zones([(0, 4), (10, 20), (30, 35)], 15, 6) == [
        (0, 4), (10, 15), (21, 26), (36, 41),
    ]


def test_an_inserted_phrase_sits_at_its_offsets():
    sentence = "O ministro falou ontem com os jornalistas."
    for seed in range(20):
        text, start, end = spans.insert_phrase(random.Random(seed), sentence, "the government said")
        assert text[start:end] == "the government said"
        rest = text[:start] + text[end:]
        assert rest.replace(' ""', "").replace("  ", " ") == sentence


def test_hand_marks_land_on_their_words_in_a_joined_extract():
    sentences = [("s1", "O tenista perdeu o tie-break."), ("s2", "Foi um know-how raro.")]
    marked = {"s1": [(19, 28)], "s2": [(7, 15)]}
    text, zones = spans.joined(sentences, marked)
    assert [text[a:b] for a, b in zones] == ["tie-break", "know-how"]


def test_wilson_interval():
    # by hand: p = 947/998, centre (p + z²/2n) / (1 + z²/n) = 0.94718, half-width
    # z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 0.01374 (z = 1.96)
    assert spans.wilson(947, 998) == [93.34, 96.09]
    assert spans.wilson(0, 10)[0] == 0.0 and spans.wilson(10, 10)[1] == 100.0
    assert spans.wilson(0, 0) is None


def test_clean_text_lists_every_piece_and_every_flipped_document():
    docs = [("c-0", "pt", [TIE_BREAK]), ("c-1", "es", [TIE_BREAK])]
    piece = "pt>en span: O tenista perdeu o [tie-break] no terceiro set, disse o trei"
    assert spans.clean_pieces(_Marks("tie-break"), docs) == [
        f"piece c-0 {piece}", "flip  c-1 es>pt", f"piece c-1 es>en span: {piece[12:]}",
    ]
