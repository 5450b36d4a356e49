"""The scoring rules of bench/cleanup.py's hyphen kinds, on texts written here (no
../shared/data): a word that the undamaged document spells both ways counts as
repaired with either spelling, in both directions; one spelled one way only does not."""

from __future__ import annotations

import random

from tests.conftest import load_bench

cleanup = load_bench("cleanup")

BOTH_WAYS = cleanup.Base(
    "x", "pt", "O filme estreou ontem",
    ["A série é co-protagonizada por dois atores.",
     "A peça, coprotagonizada pela mesma atriz, estreia amanhã."],
)
ONE_WAY = cleanup.Base(
    "y", "pt", "O filme estreou ontem",
    ["A série é co-protagonizada por dois atores.", "A peça estreia amanhã."],
)


def case_of(base: cleanup.Base) -> cleanup.Case:
    data, expected, metadata, variants = cleanup.split_compound_after(base, random.Random(1))
    return cleanup.Case("split_compound_after", base.name, data.encode(), expected, metadata,
                        variants)


def result(text: str) -> cleanup.Result:
    return cleanup.Result(text, {}, True)


def test_a_compound_the_document_spells_both_ways_is_right_either_way():
    case = case_of(BOTH_WAYS)
    assert "co- protagonizada" in case.data.decode()
    closed = case.expected.replace("co-protagonizada", "coprotagonizada")
    assert cleanup.correct(case, result(case.expected))
    assert cleanup.correct(case, result(closed))


def test_a_compound_spelled_one_way_only_keeps_its_spelling():
    case = case_of(ONE_WAY)
    closed = case.expected.replace("co-protagonizada", "coprotagonizada")
    assert cleanup.correct(case, result(case.expected))
    assert not cleanup.correct(case, result(closed))


def test_a_broken_word_the_document_also_hyphenates_is_right_either_way():
    variants = cleanup.established_variants(
        [("co", "autor")], "pt", "o co-autor e o coautor", established=False)
    case = cleanup.Case("flattened_hyphenation", "z", b"", "o co-autor e o coautor\n",
                        {}, variants)
    assert cleanup.correct(case, result("o co-autor e o co-autor\n"))
    assert not cleanup.correct(case, result("o co-autor e o coa-utor\n"))
