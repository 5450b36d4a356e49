"""Review of round 8's cleanup rules: what they must not undo in candidate languages."""

from __future__ import annotations

from pipeline.document import Document, Stage
from pipeline.stages.boilerplate import Boilerplate
from pipeline.stages.normalize import Normalize
from pipeline.stages.repair import Repair

BODY = ("A cooperação militar já está em pleno andamento: mais de 10.000 soldados apóiam a "
        "Rússia no conflito da Ucrânia e já participaram da luta na região de Kursk. Esse "
        "desenvolvimento foi referido pelo chefe da OTAN como uma escalada significativa.")


def clean(text: str) -> Document:
    doc = Document("article.txt", text=text)
    stages: tuple[Stage, ...] = (Normalize(), Boilerplate(), Repair())
    for stage in stages:
        doc = stage.process(doc)
    return doc


def test_a_listed_label_after_a_long_line_that_ends_no_sentence_still_goes():
    # a headline or a byline of 30+ characters, then the lexicon's widget and date lines
    # in the same block: the long line wraps nothing, the labels go and their facts stay
    doc = clean("Coreia do Norte\n\nCoreia do Norte e Rússia assinam acordo militar histórico\n"
                "Kommentare (0)\nCompartilhar\n\n" + BODY + "\n\n"
                "Por João da Silva, correspondente em Pyongyang\n"
                "Publicado em 12 de maio de 2024\n")
    lines = doc.clean_text().splitlines()
    assert "Coreia do Norte e Rússia assinam acordo militar histórico" in lines
    assert "Por João da Silva, correspondente em Pyongyang" in lines
    assert not any("Kommentare" in x or "Compartilhar" in x or "Publicado" in x for x in lines)
    assert doc.metadata["comments"] == "0"
