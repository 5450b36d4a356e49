"""Found by running the product over a large corpus of saved documentation pages
(session 17): a Japanese word ending the whole run, code blocks cleaned and translated."""

import json
import sys
from pathlib import Path

from tests.test_stranger3 import _no_models, _run  # noqa: F401 - the fixture

EN = ("The harbour reopened on Tuesday after a strike that lasted three weeks and "
      "stopped every ship in the port.")


def _docs(out: Path) -> dict[str, dict]:
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {doc["doc"]: doc for doc in map(json.loads, lines)}


def _segments(out: Path) -> list[dict]:
    lines = (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_japanese_word_in_an_english_text_without_mecab_does_not_end_the_run(
        tmp_path, monkeypatch):
    # wordfreq looks Japanese and Korean words up through MeCab, an optional package;
    # without it, one Japanese word inside an English page ended the run: exit 70,
    # and every rerun again
    monkeypatch.setitem(sys.modules, "MeCab", None)  # import MeCab raises ImportError
    monkeypatch.setitem(sys.modules, "wordfreq.mecab", None)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "port.txt").write_text(
        f"{EN}\n\nThe manager of the port said the delays would last until next week.\n\n"
        "The union wrote このような依存関係は on its banner, and the workers are pleased "
        "with the new contract they signed.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(corpus, out) == 0
    assert _docs(out)["port.txt"]["status"] == "ok"
