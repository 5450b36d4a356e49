"""Sentence segmentation and language detection on document, segment and span level."""

from pipeline.document import Block, Document
from pipeline.stages.detect import Detect
from pipeline.stages.segment import Segmenter, split_sentences

CANDIDATES = ["pt", "de", "en", "es", "fr", "it", "nl"]
DATELINE = (
    "Pyongyang, Nordkorea - As tensões na política mundial aumentam! O líder da Coréia do "
    "Norte, Kim Jong Un, se reuniu com o Ministro dos Recursos Naturais da Rússia."
)


def _doc(*paragraphs: str) -> Document:
    doc = Document(doc="x/a.txt", blocks=[Block("paragraph", p) for p in paragraphs])
    return Detect(CANDIDATES).process(Segmenter().process(doc))


def test_segments_have_stable_ids_in_reading_order():
    doc = _doc(DATELINE, "Apoio militar e parceria estratégica")
    assert [s.id for s in doc.segments()] == ["x/a.txt#1.1", "x/a.txt#1.2", "x/a.txt#2.1"]
    assert doc.segments()[1].text.startswith("O líder")


def test_lines_of_a_block_are_never_joined_into_one_sentence():
    assert Segmenter().process(Document("d", blocks=[Block("p", "Eins\nZwei")])).blocks[
        0
    ].segments[1].text == "Zwei"


def test_numbers_and_abbreviations_do_not_end_sentences():
    assert split_sentences("Mais de 10.000 soldados chegaram. O Dr. Silva falou.") == [
        "Mais de 10.000 soldados chegaram.",
        "O Dr. Silva falou.",
    ]


def test_an_era_after_a_year_and_a_sum_of_money_start_and_end_sentences():
    # "a.C." / "B.C." ended in a one-letter "initial" and glued two sentences together;
    # a sentence opening with "$" was never split off.
    assert split_sentences(
        "A cidade foi destruída por volta de 1600 a.C. A nova muralha veio depois."
    ) == ["A cidade foi destruída por volta de 1600 a.C.", "A nova muralha veio depois."]
    assert split_sentences("Rome was small in 700 B.C. It grew fast.") == [
        "Rome was small in 700 B.C.",
        "It grew fast.",
    ]
    assert split_sentences("Foi um abuso. $5,000 por pessoa. €20 por criança.") == [
        "Foi um abuso.",
        "$5,000 por pessoa.",
        "€20 por criança.",
    ]
    # not after a place: "D.C." and "B.C." without a year before them go on
    places = "Talks in Washington D.C. Mayor Bowser and Vancouver, B.C. Premier Eby."
    assert split_sentences(places) == [places]


def test_document_language_and_german_span_in_portuguese_dateline():
    doc = _doc(DATELINE)
    assert doc.lang == "pt"
    assert all(s.lang == "pt" for s in doc.segments())
    spans = [(s.text, s.lang, s.start, s.end, s.segment) for s in doc.spans]
    assert ("Nordkorea", "de", 11, 20, "x/a.txt#1.1") in spans
    assert [s.text for s in doc.spans] == ["Nordkorea"]


def test_foreign_sentence_gets_its_own_language():
    doc = _doc(
        DATELINE + " The port authority declined to comment on the environmental report."
    )
    assert [s.lang for s in doc.segments()] == ["pt", "pt", "en"]


def test_short_label_keeps_the_document_language_when_words_allow_it():
    doc = _doc(DATELINE, "Apoio militar")
    assert doc.segments()[-1].lang == "pt"


def test_short_foreign_label_is_recognised_by_word_frequencies():
    doc = _doc(DATELINE, "Mehr zum Thema")
    assert doc.segments()[-1].lang == "de"


def test_detection_is_deterministic_across_instances():
    text = "Kim expressou gratidão pela cooperação"
    answers = {Detect(CANDIDATES).segment_language(text, "") for _ in range(5)}
    assert len(answers) == 1
