"""Review of round 8: what its cleanup rules must not undo or cost, and its CLI messages."""

from __future__ import annotations

import pytest

from pipeline.cli import main
from pipeline.stages import repair
from tests.test_cleanup import clean

BODY = ("A cooperação militar já está em pleno andamento: mais de 10.000 soldados apóiam a "
        "Rússia no conflito da Ucrânia e já participaram da luta na região de Kursk. Esse "
        "desenvolvimento foi referido pelo chefe da OTAN como uma escalada significativa.")


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



def test_a_long_wrapped_line_that_starts_like_a_label_continues_its_paragraph():
    # hard-wrapped at 72 columns: a middle line may start with a listed label ("Foto:"),
    # and is text; only a short line after a long one can be the lexicon's widget
    text = ("Exposição em São Paulo\n\nA mostra reúne retratos históricos e abre no sábado, "
            "com o título\nFoto: Estúdio Monteiro Filho, Avenida Paulista, número 1500, conforme\n"
            "o catálogo distribuído pela organização.\n")
    doc = clean(text)
    assert "Foto: Estúdio Monteiro Filho" in doc.clean_text()
    assert not doc.removed and "photo" not in doc.metadata


def test_an_article_whose_first_sixty_words_are_names_is_still_in_its_language():
    # a cast list of 24 names before a Portuguese article: the document is judged on more
    # words than its first 60, so its split compound is rejoined and its interface lines
    # go, as before round 8 (with 30 names, guess_language's 60 words are all names)
    cast = ", ".join(f"{first} {last}" for first, last in zip(
        "Kathy Marcello Sophia Anouk Alain Romy Klaus Isabelle Gérard Catherine Jeanne "
        "Michel Bruno Hanna Fernando Francisco Ángela Carmen Victoria Antonio Penélope "
        "Javier Sergio Giulia".split(),
        "Baker Mastroianni Loren Aimée Delon Schneider Kinski Huppert Depardieu Deneuve "
        "Moreau Piccoli Ganz Schygulla Rey Rabal Molina Maura Abril Banderas Cruz Bardem "
        "Castellitto Lazzarini".split(), strict=True))
    doc = clean(f"Elenco\n\n{cast}\n\n{BODY}\n\nCom Jean- Pierre Cassel\n\n"
                "Lesezeit: 3 Min.\n\nZum Inhalt springen\n")
    text = doc.clean_text()
    assert "Com Jean-Pierre Cassel" in text.splitlines()
    assert "Lesezeit" not in text and "Zum Inhalt" not in text


class _Once:
    """A pattern that counts the calls of its ``finditer``."""

    def __init__(self, pattern) -> None:
        self.pattern, self.calls = pattern, 0

    def finditer(self, *args):
        self.calls += 1
        return self.pattern.finditer(*args)


def test_the_quotes_of_a_long_line_without_an_opening_mark_are_counted_once(monkeypatch):
    # a ” before a space and a word may open a quote: which one does is told by the
    # quotes before it, followed once along the line, not from its start each time
    # (a 640 kB line of them took 9 s of CPU)
    marks = _Once(repair.QUOTE_MARKS)
    monkeypatch.setattr(repair, "QUOTE_MARKS", marks)
    # the first, third... ” open a quote, spaced inside on both sides: every space
    # stays (harm14: "” X ”" had become "” X”")
    line = "ab ” cd " * 2000
    assert repair.unless_opening(line) == line
    assert marks.calls == 1
    # opened without a space after it: the space before the closing ” goes
    assert repair.unless_opening("ab ”cd ef ” gh " * 1000) == "ab ”cd ef” gh " * 1000
    assert marks.calls == 2


def test_a_long_chinese_paragraph_is_unwrapped_without_copying_itself_at_each_join():
    # Chinese lines are joined without a space, so the paragraph becomes one word: each
    # join used to reread and record all of it (10,000 lines: 6 GB; 20,000: killed)
    lines = [f"第{n:04d}行，北京市政府宣布，全市公共交通将全面推行电子支付" for n in range(1000)]
    text, joins = repair.unwrap("\n".join(lines), "pt")
    assert text == "".join(lines)
    assert len(joins) == 999 and all(kind == "unwrap" for kind, _, _ in joins)
    assert all(before.endswith("\n" + line)
               for (_, before, _), line in zip(joins, lines[1:], strict=True))
    assert sum(len(before) + len(after) for _, before, after in joins) < 1000 * 5000


def test_a_stray_word_beside_an_abbreviated_out_gets_no_hint_to_use_out(capsys):
    # argparse takes --ou for --out: "pipeline run corpus extra --ou out" named --out
    # already, and was told to name its output folder with --out (as 'extra')
    with pytest.raises(SystemExit) as ended:
        main(["run", "corpus", "extra", "--ou", "out"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: extra" in err
    assert "--out extra" not in err
