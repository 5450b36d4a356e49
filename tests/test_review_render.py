"""Shortcuts in rendering a document's section: each gives what the longer way gives."""

from __future__ import annotations

import random

import pytest

from pipeline.writers.review import docpage

PIECES = ["a", "b", "ab", "Um", " ", "  ", "-", ".", ",", "\t", "\r", "x", "ç", "_", "<",
          "&", "1", "\n", "é", "«", "»", "Σ"]


def _line(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(size))


def _edited(rng: random.Random, text: str) -> str:
    """``text`` with a few pieces removed, added or replaced."""
    chars = list(text)
    for _ in range(rng.randint(0, 3)):
        at = rng.randint(0, len(chars))
        kind = rng.random()
        if kind < 0.4 and chars:
            at = min(at, len(chars) - 1)
            del chars[at:at + rng.randint(1, 4)]
        elif kind < 0.8:
            chars[at:at] = list(_line(rng, rng.randint(1, 4)))
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice(PIECES)
    return "".join(chars)


def _pairs(seed: int, count: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pairs = [("norte -coreano em 2025. A escola", "norte-coreano em 2025. A escola"),
             ("um dois três", "um três"), ("a-b", "a -b"), ("q .x.", "q."), ("a x x", "a x"),
             ("a <b>", "a <b>"), ("", "x"), ("x", ""), ("a b ", "a "), ("x .", "x . . .")]
    for _ in range(count):
        a = _line(rng, rng.randint(0, 30))
        b = _edited(rng, a) if rng.random() < 0.9 else _line(rng, rng.randint(0, 30))
        pairs.append((a, b) if rng.random() < 0.5 else (b, a))
    return pairs


def test_a_one_sided_change_is_marked_as_the_token_diff_marks_it(monkeypatch):
    """docpage._words_diff marks a line that only lost (or only gained) text in one place
    without token_diff (docpage._one_sided): the same HTML as token_diff's runs give,
    including where token_diff finds the texts agreeing again inside the removed text,
    where the common end is spaces only, and the same line twice."""
    pairs = _pairs(22, 20_000)
    quick = [docpage._words_diff(a, b) for a, b in pairs]
    taken = []

    def one_sided(*args: object) -> str | None:
        taken.append(args)
        return None  # the token diff, always

    monkeypatch.setattr(docpage, "_one_sided", one_sided)
    slow = [docpage._words_diff(a, b) for a, b in pairs]
    assert len(taken) > 5_000  # the shortcut is asked for often
    for (a, b), fast, full in zip(pairs, quick, slow, strict=True):
        assert fast == full, (a, b)


@pytest.mark.parametrize("a,b,alike", [
    ("norte -coreano em 2025.", "norte-coreano em 2025", True),  # the same chunks
    ("«»", "«»", False),  # the same chunks, no word in them
    ("«kcna»", "kcna", True),
    ("um dois três quatro", "um dois", False),
    ("", "", False),
])
def test_lines_of_the_same_chunks_are_alike_as_their_word_sets_say(a, b, alike):
    assert docpage._alike(a, b) is alike
    docpage._word_sets.clear()
    docpage._chunk_lists.clear()


def test_alike_by_chunks_agrees_with_the_word_sets():
    """docpage._alike takes two lines of the same chunks (docpage._chunks) as alike where
    they hold a word, without making their word sets: as the rule on the word sets says."""
    for a, b in _pairs(7, 5_000):
        x, y = docpage.word_set(a.lower()), docpage.word_set(b.lower())
        expected = bool(x or y) and len(x & y) >= docpage.PAIR_RATIO * max(len(x), len(y))
        assert docpage._alike(a, b) is expected, (a, b)
        docpage._word_sets.clear()
        docpage._chunk_lists.clear()
