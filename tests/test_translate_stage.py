"""The translate stage: languages per segment, protected spans, QA flags, memory, stats."""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from pipeline.document import Block, Document, Segment
from pipeline.engines import ModelError
from pipeline.engines.argos import ArgosEngine
from pipeline.memory import TranslationMemory
from pipeline.stages.translate import (
    FLAGS,
    Translate,
    estimate_tokens,
    qa_flags,
    split_for_translation,
)
from pipeline.testing.argos_package import build_package, install_package


class FakeEngine:
    """An engine for the pairs given; ``output(text, src, tgt)`` makes each translation."""

    def __init__(
        self,
        pairs: set[tuple[str, str]],
        output: Callable[[str, str, str], str] = lambda text, src, tgt: f"[{src}>{tgt}] {text}",
    ) -> None:
        self.pairs = pairs
        self.output = output
        self.calls: list[tuple[list[str], str, str]] = []

    def route(self, src: str, tgt: str) -> list[str] | None:
        if src == tgt:
            return []
        return [f"{src}-{tgt}"] if (src, tgt) in self.pairs else None

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        self.calls.append((list(texts), src, tgt))
        return [self.output(text, src, tgt) for text in texts]

    def model_id(self, src: str, tgt: str) -> str:
        return f"fake {src}-{tgt} v1"


def doc(name: str, lang: str, *segments: tuple[str, str]) -> Document:
    """A document of one paragraph holding ``(text, lang)`` segments."""
    segs = [Segment(f"{name}#1.{i}", text, lang=sl) for i, (text, sl) in enumerate(segments, 1)]
    block = Block("paragraph", " ".join(text for text, _ in segments), lang=lang, segments=segs)
    return Document(doc=name, lang=lang, blocks=[block])


def translations(docs: list[Document], tgt: str) -> list[str | None]:
    return [seg.translations.get(tgt) for d in docs for seg in d.segments()]


def test_each_segment_is_translated_from_its_own_language() -> None:
    engine = FakeEngine({("pt", "en"), ("de", "en")})
    docs = [
        doc(
            "mixed.txt",
            "pt",
            ("Olá mundo.", "pt"),
            ("Ortsteil Nordkorea.", "de"),
            ("Already English.", "en"),
            ("Hola amigos.", "es"),  # no es->en model: from the document's language
            ("Sem idioma.", ""),
        )
    ]
    Translate(engine, ["en"]).process_batch(docs)
    assert translations(docs, "en") == [
        "[pt>en] Olá mundo.",
        "[de>en] Ortsteil Nordkorea.",
        "Already English.",
        "[pt>en] Hola amigos.",
        "[pt>en] Sem idioma.",
    ]
    sent = [text for texts, _, _ in engine.calls for text in texts]
    assert "Already English." not in sent  # copied, never translated


def test_missing_pairs_are_recorded_and_left_untranslated() -> None:
    engine = FakeEngine({("pt", "en")})
    docs = [doc("a.txt", "pt", ("Olá.", "pt")), doc("b.txt", "fr", ("Bonjour.", "fr"))]
    stage = Translate(engine, ["en", "de"])
    stage.process_batch(docs)
    assert stage.missing == {("fr", "en"), ("pt", "de"), ("fr", "de")}
    assert translations(docs, "en") == ["[pt>en] Olá.", None]
    assert translations(docs, "de") == [None, None]


def test_protected_spans_come_back_where_the_model_puts_their_placeholders() -> None:
    engine = FakeEngine({("pt", "en")})
    text = "Veja https://example.org/a?b=1, escreva a ana@example.org ou pague R$ 20."
    docs = [doc("a.txt", "pt", (text, "pt"))]
    Translate(engine, ["en"]).process_batch(docs)
    assert engine.calls == [(["Veja ZZB, escreva a ZZC ou pague ZZD."], "pt", "en")]
    assert translations(docs, "en") == [f"[pt>en] {text}"]
    assert docs[0].segments()[0].flags == {}


def test_configured_terms_are_protected() -> None:
    engine = FakeEngine({("pt", "en")})
    docs = [doc("a.txt", "pt", ("A Petrobras e a Vale S.A. cresceram.", "pt"))]
    Translate(engine, ["en"], terms=["Petrobras", "Vale S.A."]).process_batch(docs)
    assert engine.calls[0][0] == ["A ZZB e a ZZC cresceram."]
    assert translations(docs, "en") == ["[pt>en] A Petrobras e a Vale S.A. cresceram."]


@pytest.mark.parametrize(
    "source, output, flags",
    [
        ("O governo anunciou medidas.", "O governo anunciou medidas.", ["untranslated"]),
        ("O governo anunciou medidas.", "The the the the government.", ["repetition"]),
        ("Em 2024, 1.500 casas.", "In 2023, 1,500 houses.", ["number_mismatch"]),
        ("Veja https://example.org agora.", "See now.", ["protected_missing"]),
        ("Em 2024, 1.500 casas.", "In 2024, 1,500 houses.", []),
    ],
)
def test_qa_flags_go_into_the_segment(source: str, output: str, flags: list[str]) -> None:
    engine = FakeEngine({("pt", "en")}, lambda text, src, tgt: output)
    docs = [doc("a.txt", "pt", (source, "pt"))]
    stage = Translate(engine, ["en"])
    stage.process_batch(docs)
    seg = docs[0].segments()[0]
    assert seg.flags == ({"en": flags} if flags else {})
    assert stage.stats["flags"]["en"] == {flag: int(flag in flags) for flag in FLAGS}


def test_qa_flags_leave_short_and_looping_sources_alone() -> None:
    assert qa_flags("Kim Jong Un", "Kim Jong Un") == ["untranslated"]
    assert qa_flags("Seul.", "Seul.") == []  # one word: a name is its own translation
    assert qa_flags("Ha ha ha ha!", "Ha ha ha ha!") == ["untranslated"]  # the loop was there
    assert qa_flags("ZZB ZZC", "ZZB ZZC") == []  # only placeholders
    assert qa_flags("Custa 3,5 mil.", "It costs 3.5 thousand.") == []


def test_segments_are_translated_once_and_the_memory_serves_reruns(tmp_path: Path) -> None:
    def corpus() -> list[Document]:
        return [
            doc("a.txt", "pt", ("Bom dia.", "pt"), ("Boa noite.", "pt")),
            doc("b.txt", "pt", ("Bom  dia.", "pt"), ("Até logo.", "pt"), ("Good.", "en")),
        ]

    first_engine = FakeEngine({("pt", "en")})
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        first = Translate(first_engine, ["en"], memory)
        cold = corpus()
        first.process_batch(cold)
    assert first_engine.calls == [(["Até logo.", "Boa noite.", "Bom dia."], "pt", "en")]
    assert first.stats == {
        "pairs": {"pt-en": {"segments": 4, "unique": 3, "hits": 0, "misses": 3, "translated": 3}},
        "copied": {"en": 1},
        "flags": {"en": dict.fromkeys(FLAGS, 0)},
        "failed_models": {},
    }

    second_engine = FakeEngine({("pt", "en")}, lambda text, src, tgt: "never used")
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        second = Translate(second_engine, ["en"], memory)
        warm = corpus()
        second.process_batch(warm)
    assert second_engine.calls == []
    assert translations(warm, "en") == translations(cold, "en")
    assert second.stats["pairs"]["pt-en"] == {
        "segments": 4, "unique": 3, "hits": 3, "misses": 0, "translated": 0
    }


def test_without_memory_stats_count_no_lookups() -> None:
    stage = Translate(FakeEngine({("pt", "en")}), ["en"])
    stage.process_batch([doc("a.txt", "pt", ("Sim.", "pt"), ("Sim.", "pt"))])
    assert stage.stats["pairs"] == {
        "pt-en": {"segments": 2, "unique": 1, "hits": 0, "misses": 0, "translated": 1}
    }


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("argos")
    for seed, src in enumerate(("pt", "de"), start=1):
        install_package(build_package(root / "built", src, "en", seed=seed), root / "packages")
    return root / "packages"


SENTENCES = [
    ("A cidade abriu uma biblioteca nova em 2024.", "pt"),
    ("Die Stadt hat eine neue Bibliothek.", "de"),
    ("O prefeito falou ontem, veja https://example.org/noticia.", "pt"),
    ("The mayor spoke.", "en"),
    ("A cidade abriu uma biblioteca nova em 2024.", "pt"),
    ("Mais uma frase, um pouco mais longa, com vírgulas e números: 3,5 km.", "pt"),
]


def real_corpus() -> list[Document]:
    return [doc(f"d{i}.txt", "pt", *SENTENCES[i : i + 2]) for i in range(0, len(SENTENCES), 2)]


def test_a_real_translation_is_offline_complete_and_batch_independent(
    packages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access during translation")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    engine = ArgosEngine(beam_size=2, max_decoding_ratio=1.0, packages_dir=packages)

    together = real_corpus()
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        stage = Translate(engine, ["en"], memory)
        stage.process_batch(together)
    outputs = translations(together, "en")
    assert all(isinstance(text, str) and text for text in outputs)
    assert outputs[3] == "The mayor spoke." and outputs[0] == outputs[4]
    assert stage.stats["pairs"]["de-en"]["translated"] == 1
    for seg in (s for d in together for s in d.segments()):
        assert set(seg.flags.get("en", [])) <= set(FLAGS)

    # One document per call (as shards or workers see them), no memory: the same bytes.
    fresh = ArgosEngine(beam_size=2, max_decoding_ratio=1.0, threads=1, packages_dir=packages)
    apart = real_corpus()
    for document in apart:
        Translate(fresh, ["en"]).process_batch([document])
    assert translations(apart, "en") == outputs
    assert [s.flags for d in apart for s in d.segments()] == [
        s.flags for d in together for s in d.segments()
    ]


def test_a_model_that_fails_costs_only_its_own_pair() -> None:
    class BrokenGerman(FakeEngine):
        def translate(self, texts, src, tgt):
            if src == "de":
                raise ModelError("Unable to open file 'model.bin'")
            return super().translate(texts, src, tgt)

    docs = [doc("a.txt", "pt", ("Bom dia.", "pt")), doc("b.txt", "de", ("Guten Tag.", "de"))]
    stage = Translate(BrokenGerman({("pt", "en"), ("de", "en")}), ["en"])
    stage.process_batch(docs)
    assert docs[0].segments()[0].translations["en"]
    assert "en" not in docs[1].segments()[0].translations
    assert ("de", "en") in stage.missing
    assert "model.bin" in stage.stats["failed_models"]["de-en"]


def test_foreign_segment_is_never_copied_as_a_target_language_translation() -> None:
    docs = [doc("a.txt", "de", ("Guten Tag.", "de"), ("The port reopened.", "en"))]
    stage = Translate(FakeEngine(set()), ["de"])
    stage.process_batch(docs)
    german, english = docs[0].segments()
    assert german.translations["de"] == "Guten Tag."
    assert "de" not in english.translations
    assert ("en", "de") in stage.missing


# -- long segments, the time budget, errors that are not a model's (issue 16) ----------


def _long_line(words: int) -> str:
    """A line of ``words`` words with commas every 7 words and no full stop."""
    return " ".join(f"palavra{i}," if i % 7 == 6 else f"palavra{i}" for i in range(words))


def test_split_for_translation_keeps_the_text_and_bounds_every_piece() -> None:
    text = _long_line(3000)
    pieces = split_for_translation(text, 400)
    assert "".join(pieces) == text
    assert all(len(piece) <= 400 for piece in pieces)
    # Every piece but the last ends at a comma: clause marks come before spaces.
    assert all(piece.endswith(", ") for piece in pieces[:-1])
    spaced = split_for_translation("palavra " * 200, 50)
    assert all(piece.endswith(" ") and len(piece) <= 50 for piece in spaced)
    unspaced = "港口周一重新开放船只开始进港" * 40  # no mark, no space: characters
    assert [len(p) for p in split_for_translation(unspaced, 100)] == [100] * 5 + [60]


class SplitEngine(FakeEngine):
    max_input_tokens = 20  # estimate_tokens: about 80 characters


def test_a_long_segment_is_split_translated_in_pieces_and_rejoined() -> None:
    engine = SplitEngine({("pt", "en")})
    long = _long_line(60)  # about 570 characters: 8 pieces of at most 20 estimated tokens
    docs = [doc("a.txt", "pt", (long, "pt"), ("Bom dia.", "pt"))]
    stage = Translate(engine, ["en"])
    stage.process_batch(docs)
    sent = [text for texts, _, _ in engine.calls for text in texts]
    assert len(sent) > 2 and all(estimate_tokens(text) <= 20 for text in sent)
    split, short = docs[0].segments()
    # One segment, one translation: the pieces' translations in order, spaced as the source.
    pieces = split.translations["en"].split("[pt>en] ")
    assert pieces[0] == "" and all(p.endswith(", ") for p in pieces[1:-1])
    assert "".join(pieces) == long
    assert sorted(sent) == sorted([*(p.strip() for p in pieces[1:]), "Bom dia."])
    assert split.flags == {"en": ["split_for_translation"]}
    assert short.translations["en"] == "[pt>en] Bom dia." and short.flags == {}
    assert stage.stats["flags"]["en"]["split_for_translation"] == 1
    assert stage.stats["pairs"]["pt-en"]["segments"] == 2


class ClockEngine(FakeEngine):
    """Each call to translate takes one second of a fake clock."""

    def __init__(self, pairs: set[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        self.now += 1.0
        return super().translate(texts, src, tgt)


def _budget_corpus() -> list[Document]:
    small = [doc(f"s{i}.txt", "pt", (f"Frase curta número {i}.", "pt")) for i in range(3)]
    return [doc("long.txt", "pt", (_long_line(300), "pt")), *small]


def test_over_the_budget_only_the_unfinished_documents_fail(tmp_path: Path) -> None:
    engine = ClockEngine({("pt", "en")})
    docs = _budget_corpus()
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        stage = Translate(engine, ["en"], memory, budget_s=2.5, clock=engine.clock,
                          chunk_tokens=200)
        stage.process_batch(docs)
    # The small documents go first (one call), then 2 calls of the long one's pieces.
    assert len(engine.calls) == 3
    assert engine.calls[0][0] == sorted(f"Frase curta número {i}." for i in range(3))
    long, *small = docs
    assert [d.status for d in small] == ["ok"] * 3
    assert all(d.segments()[0].translations["en"] for d in small)
    assert long.status == "failed" and long.blocks == []
    assert long.errors == ["translate: not translated within translate.shard_timeout_s (2.5 s "
                           "for its shard); retried on the next run"]
    assert stage.timed_out == ["long.txt"] and stage.stats["failed_models"] == {}

    # The next run translates only the pieces the first left undone.
    done = {text for texts, _, _ in engine.calls[1:] for text in texts}
    again = ClockEngine({("pt", "en")})
    retried = _budget_corpus()[:1]
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        Translate(again, ["en"], memory, chunk_tokens=200).process_batch(retried)
    sent = {text for texts, _, _ in again.calls for text in texts}
    assert sent and not sent & done
    assert retried[0].status == "ok"
    assert retried[0].segments()[0].flags == {"en": ["split_for_translation"]}


def test_without_a_budget_every_document_is_translated() -> None:
    engine = ClockEngine({("pt", "en")})
    docs = _budget_corpus()
    Translate(engine, ["en"], clock=engine.clock, chunk_tokens=200).process_batch(docs)
    assert [d.status for d in docs] == ["ok"] * 4 and engine.now > 2.5


def test_errors_other_than_a_model_s_fail_their_documents(tmp_path: Path) -> None:
    class LockedMemory(TranslationMemory):
        def get_many(self, model, src, tgt, texts):
            if src == "de":
                raise sqlite3.OperationalError("database is locked")
            return super().get_many(model, src, tgt, texts)

    class BuggyEngine(FakeEngine):
        def translate(self, texts, src, tgt):
            if tgt == "fr":
                raise KeyError("a bug")
            return super().translate(texts, src, tgt)

    docs = [doc("pt.txt", "pt", ("Bom dia.", "pt")), doc("de.txt", "de", ("Guten Tag.", "de"))]
    with LockedMemory(tmp_path / "memory.sqlite") as memory:
        stage = Translate(BuggyEngine({("pt", "en"), ("de", "en")}), ["en"], memory)
        stage.process_batch(docs)
    assert docs[0].status == "ok" and docs[0].segments()[0].translations["en"]
    assert docs[1].status == "failed"
    assert docs[1].errors == ["translate: OperationalError: database is locked"]
    assert stage.stats["failed_models"] == {} and stage.missing == set()

    docs = [doc("pt.txt", "pt", ("Bom dia.", "pt"))]
    stage = Translate(BuggyEngine({("pt", "en"), ("pt", "fr")}), ["en", "fr"])
    stage.process_batch(docs)
    assert docs[0].status == "failed" and docs[0].errors == ["translate: KeyError: 'a bug'"]
    assert stage.stats["failed_models"] == {}


def test_a_real_long_line_is_split_by_the_model_s_tokens(packages: Path) -> None:
    engine = ArgosEngine(beam_size=1, max_decoding_ratio=1.0, max_input_tokens=30,
                         packages_dir=packages)
    long = _long_line(120)
    docs = [doc("a.txt", "pt", (long, "pt"))]
    calls: list[list[str]] = []
    translate = engine.translate

    def spy(texts: Sequence[str], src: str, tgt: str) -> list[str]:
        calls.append(list(texts))
        return translate(texts, src, tgt)

    engine.translate = spy  # type: ignore[method-assign]
    Translate(engine, ["en"]).process_batch(docs)
    sent = [text for texts in calls for text in texts]
    assert len(sent) > 1 and all(text in long for text in sent)
    assert sorted(word for text in sent for word in text.split()) == sorted(long.split())
    assert max(engine.count_tokens(sent, "pt", "en")) <= 30
    seg = docs[0].segments()[0]
    assert seg.translations["en"] and "split_for_translation" in seg.flags["en"]


def test_a_run_writes_the_documents_beside_one_over_the_translation_budget(
    tmp_path: Path,
) -> None:
    from pipeline.config import Config, TranslateConfig
    from pipeline.log import RunLog
    from pipeline.runner import run

    class SlowEngine(FakeEngine):
        """Each call takes 50 ms, longer than the 10 ms budget: the first call always runs,
        none after it (so the outcome does not depend on the machine's speed or load)."""

        def translate(self, texts, src, tgt):
            time.sleep(0.05)
            return super().translate(texts, src, tgt)

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"short{i}.txt").write_text(
            f"Notícia {i}\n\nO porto da cidade reabriu na segunda-feira, disse o prefeito.\n",
            encoding="utf-8")
    (corpus / "long.txt").write_text(_long_line(3000) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    quiet = RunLog(stream=open(os.devnull, "w"))  # noqa: SIM115
    config = Config(translate=TranslateConfig(shard_timeout_s=0.01))
    engine = SlowEngine({("pt", "en")})
    first = run(corpus, out, config, log=quiet, engine=engine)
    assert first.exit_code == 3
    assert [f["doc"] for f in first.report["failed"]] == ["long.txt"]
    assert "translate.shard_timeout_s" in first.report["failed"][0]["errors"][0]
    assert first.report["missing_models"] == []
    for i in range(3):
        assert (out / "translations" / "en" / f"short{i}.txt").is_file()
    assert not (out / "clean" / "long.txt").exists()

    # Retried on the next run (the others are unchanged), and finished without a budget.
    config.translate.shard_timeout_s = 3600.0
    second = run(corpus, out, config, log=quiet, engine=FakeEngine({("pt", "en")}))
    assert second.exit_code == 0
    assert (second.report["processed"], second.report["unchanged"]) == (1, 3)
    assert (out / "translations" / "en" / "long.txt").is_file()


class StoppableEngine(ClockEngine):
    """Translates one text at a time, asking ``stop`` before each but the first, as
    ``ArgosEngine`` does before each batch."""

    def translate(self, texts, src, tgt, stop=None):
        outputs: list[str | None] = []
        for number, text in enumerate(texts):
            if number and stop is not None and stop():
                outputs += [None] * (len(texts) - number)
                break
            outputs += super().translate([text], src, tgt)
        return outputs


def test_an_engine_that_takes_stop_is_stopped_inside_a_call(tmp_path: Path) -> None:
    engine = StoppableEngine({("pt", "en")})
    docs = _budget_corpus()
    with TranslationMemory(tmp_path / "memory.sqlite") as memory:
        stage = Translate(engine, ["en"], memory, budget_s=5.5, clock=engine.clock)
        stage.process_batch(docs)  # one call for the small documents, one for the long one
        kept = len(memory)
    # 3 small texts, then 3 pieces of the long one: 6 seconds, then the engine stopped.
    assert len(engine.calls) == 6 and kept == 6
    long, *small = docs
    assert [d.status for d in small] == ["ok"] * 3
    assert long.status == "failed" and "shard_timeout_s" in long.errors[0]
    assert stage.stats["pairs"]["pt-en"]["translated"] == 6
