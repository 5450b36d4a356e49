"""The shard processor every executor runs: what it loads, and what it returns."""

from __future__ import annotations

import json

from pipeline.config import Config
from pipeline.shard import ShardProcessor


def _processor() -> ShardProcessor:
    return ShardProcessor(Config(targets=["en"]))


def test_legacy_word_lists_load_only_when_a_file_is_not_utf8():
    processor = _processor()
    utf8 = "Título\n\nA Coréia do Norte anunciou tensões com a Rússia.\n".encode()
    processor([("a.txt", utf8)])
    assert processor.warmed == {"analysis"}
    legacy = "Título\n\nO preço do pão subiu em São Paulo, disse a associação.\n"
    result = processor([("b.txt", utf8), ("c.txt", legacy.encode("cp1252"))])
    assert processor.warmed == {"analysis", "legacy"}
    record = json.loads(result.docs[1].record)
    assert record["source"]["encoding"] == "cp1252"
    assert result.docs[1].files["clean/c.txt"] == legacy


def test_outputs_are_rendered_in_the_worker_in_input_order():
    processor = _processor()
    texts = {f"{n}.txt": f"Notícia {n}\n\nO porto reabriu na segunda-feira.\n" for n in "abc"}
    result = processor([(doc, text.encode()) for doc, text in texts.items()])
    assert [out.doc for out in result.docs] == list(texts)
    for out in result.docs:
        assert out.status == "ok" and out.files == {f"clean/{out.doc}": texts[out.doc]}
        assert json.loads(out.record)["doc"] == out.doc
        assert [json.loads(line)["doc"] for line in out.segments.splitlines()] == [out.doc] * 2
        assert json.loads(out.document)["doc"] == out.doc
    # No model for pt-en here: each document lists the pair it lacks.
    assert result.missing == {doc: ["pt-en"] for doc in texts}


class _Engine:
    """Offers ``pairs`` only: what the warm-up asks."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def pairs(self) -> list[tuple[str, str]]:
        return self._pairs


def test_the_warm_up_loads_detection_models_on_every_core_only_in_a_run_that_translates(
        monkeypatch):
    import pipeline.shard as shard

    loaded: list[tuple[str, ...]] = []
    monkeypatch.setattr(shard, "preload_language_models",
                        lambda candidates: loaded.append(tuple(candidates)) or [])
    config = Config(targets=["en"])
    cases = [([("pt", "en")], True), ([("en", "pt")], False), ([], False),
             ([("pt", "de"), ("de", "en")], True)]
    for pairs, preloads in cases:
        loaded.clear()
        processor = ShardProcessor(config, engine=_Engine(pairs))
        assert processor.translates() is preloads
        processor.warm_up([("a.txt", b"x")])
        assert processor.warmed == {"analysis"}
        # the languages the detection stage asks lingua about, before the warm-up text
        detect = processor.stages[-1]
        assert loaded == ([tuple(detect.scorer.candidates)] if preloads else [])
    # an engine that does not say its pairs (a test's stand-in): loaded as before
    assert not ShardProcessor(config, engine=object()).translates()

    class Listed:
        pairs = {("pt", "en")}  # an attribute, not the engine's method

    assert not ShardProcessor(config, engine=Listed()).translates()


def test_an_engine_that_cannot_be_made_is_left_to_the_translation_to_report(monkeypatch):
    import pipeline.shard as shard

    def broken(config, packages_dir=None):
        raise OSError("packages folder unreadable")

    monkeypatch.setattr(shard, "make_engine", broken)
    processor = ShardProcessor(Config(targets=["en"]))
    assert processor.translates() is False  # no preload; the warm-up goes on
    processor.warm_up([("a.txt", b"x")])
    assert processor.warmed == {"analysis"}
