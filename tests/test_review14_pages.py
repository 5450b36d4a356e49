"""A document's section as a stranger reads it: a long paragraph after a short headline."""

from __future__ import annotations

from pipeline.writers.review import DETAIL_CHARS, render_document


def test_a_long_paragraph_after_its_headline_shows_its_first_sentences(tmp_path,
                                                                       process_corpus):
    # Before: the paragraph (over DETAIL_CHARS) was left out of the clean column whole,
    # and its source paragraph shown as "removed: ... not in the clean copy".
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = " ".join(f"A frase número {n} fala do porto de Lisboa." for n in range(1600))
    assert len(body) > DETAIL_CHARS
    raw = f"Muitas frases\n\n{body}\n".encode()
    (corpus / "longo.txt").write_bytes(raw)
    (doc,) = process_corpus(corpus, ["en"])
    assert [len(b.text) > DETAIL_CHARS for b in doc.blocks] == [False, True]
    html = render_document(doc, ["en"], raw, "d-x")
    assert 'class="gone"' not in html and "not in the clean copy" not in html
    assert "A frase número 0 fala do porto de Lisboa.</td>" in html
    assert "[en] A frase número 0 fala do porto de Lisboa.</td>" in html
    assert "more characters of the clean copy are not shown" in html
