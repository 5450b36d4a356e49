"""Protected spans: what is protected, how placeholders come back, and that they survive
the package's SentencePiece tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest
import sentencepiece as spm

from pipeline.protect import Protected, placeholder, protect, restore
from pipeline.testing.argos_package import build_package, install_package


@pytest.mark.parametrize(
    "text, spans",
    [
        ("Veja https://example.org/a?b=1.", ["https://example.org/a?b=1"]),
        ("(em www.gov.br/saude).", ["www.gov.br/saude"]),
        ("Ver https://w.org/wiki/Seoul_(city)!", ["https://w.org/wiki/Seoul_(city)"]),
        ("Escreva a a.b+c@x-y.co.uk.", ["a.b+c@x-y.co.uk"]),
        ("Subiu 3,5% e 12 %, a 38,5 °C.", ["3,5%", "12 %", "38,5 °C"]),
        ("Custa R$ 1.200,50 ou US$ 300 ou 20 €.", ["R$ 1.200,50", "US$ 300", "20 €"]),
        ("A 100 km/h por 2,5 km e 10 kg.", ["100 km/h", "2,5 km", "10 kg"]),
        ("Em 2024, 15 pessoas e 3 mil casas.", []),  # numbers alone are translated
        ("5 in total and 4 in the morning.", []),  # "in" is a word here, not inches
    ],
)
def test_what_is_protected(text: str, spans: list[str]) -> None:
    protected = protect(text)
    assert list(protected.spans) == spans
    for index, span in enumerate(spans):
        assert span not in protected.text and placeholder(index) in protected.text
    assert restore(protected.text, protected.spans) == (text, [])


def test_terms_are_protected_whole_longest_first() -> None:
    terms = ["Kim", "Kim Jong Un", "ONU"]
    protected = protect("Kim Jong Un e Kimberly falaram na ONU; Kim riu.", terms)
    assert protected == Protected("ZZB e Kimberly falaram na ZZC; ZZD riu.",
                                  ("Kim Jong Un", "ONU", "Kim"))


def test_a_term_inside_a_url_stays_part_of_the_url() -> None:
    protected = protect("Veja https://onu.org/ONU/relatorio hoje.", ["ONU"])
    assert protected.spans == ("https://onu.org/ONU/relatorio",)


def test_text_that_reads_as_a_placeholder_is_not_touched() -> None:
    assert protect("O código ZZB vale 3 km.") == Protected("O código ZZB vale 3 km.")


def test_restore_tolerates_what_a_model_does_to_placeholders() -> None:
    spans = ("https://a.org", "b@c.org", "5 km")
    assert restore("zz b, ZZ C and Zzd; ZZB again.", spans) == (
        "https://a.org, b@c.org and 5 km; https://a.org again.",
        [],
    )
    assert restore("Only ZZC and ZZF (no such span).", spans) == (
        "Only b@c.org and ZZF (no such span).",
        [0, 2],
    )
    assert restore("Nothing protected.", ()) == ("Nothing protected.", [])


def test_a_one_letter_word_after_a_placeholder_is_not_read_as_part_of_it() -> None:
    # Czech, Slovak and Polish have one-letter words (v, k, s, w, z) whose letters are
    # placeholder letters: "ZZB v Praze" was read as ZZBV, which names no span, so the
    # URL was lost and "ZZB" stayed in the translation.
    protected = protect("Veja https://x.cz/a v Praze e escreva a ana@x.pl w sobota.")
    assert restore("See ZZB v Prague and write to ZZC w Saturday.", protected.spans) == (
        "See https://x.cz/a v Prague and write to ana@x.pl w Saturday.", [])
    # A code split by the model's spacing still reads whole where that names a span.
    many = tuple(f"{n} km" for n in range(20))
    assert restore("ZZC B.", many) == ("16 km.", list(range(16)) + list(range(17, 20)))


def test_many_placeholders_are_numbered_apart() -> None:
    text = " ".join(f"{n} km" for n in range(40))
    protected = protect(text)
    assert len(set(placeholder(i) for i in range(40))) == 40
    assert restore(protected.text, protected.spans) == (text, [])


def test_placeholders_survive_the_packages_tokenizer(tmp_path: Path) -> None:
    archive = build_package(tmp_path / "built", "pt", "en", seed=1)
    package = install_package(archive, tmp_path / "packages")
    tokenizer = spm.SentencePieceProcessor(model_file=str(package.path / "sentencepiece.model"))
    protected = protect("Leia https://example.org e escreva a a@b.org, 3 km e 5%.")
    decoded = tokenizer.decode(tokenizer.encode(protected.text))
    for index in range(len(protected.spans)):
        ids = tokenizer.encode(placeholder(index))
        assert tokenizer.unk_id() not in ids
        assert placeholder(index) in decoded
