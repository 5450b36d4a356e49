"""Foreign leftovers replaced by their translation in the clean copy (issue 19)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.document import Block, Document, Segment, Span
from pipeline.stages.repair import strong_leftover
from pipeline.stages.translate import Translate
from pipeline.testing.argos_package import build_package, install_package
from tests.test_translate_stage import FakeEngine

SENTENCE = "Pyongyang, Nordkorea - As tensões na política mundial aumentam!"


def seed_like() -> Document:
    seg = Segment("a.txt#1.1", SENTENCE, lang="pt")
    block = Block("paragraph", SENTENCE + " Fim.", lang="pt",
                  segments=[seg, Segment("a.txt#1.2", "Fim.", lang="pt")])
    span = Span("Nordkorea", "de", 11, 20, "a.txt#1.1")
    return Document("a.txt", lang="pt", blocks=[block], spans=[span])


def test_a_strong_leftover_is_replaced_by_its_translation_and_recorded():
    engine = FakeEngine({("de", "pt"), ("pt", "en")}, lambda t, s, g: f"<{s}{g} {t}>")
    doc = seed_like()
    stage = Translate(engine, ["en"], leftovers="translate")
    stage.process_batch([doc])
    assert doc.blocks[0].text == "Pyongyang, <dept Nordkorea> - As tensões na política " \
        "mundial aumentam! Fim."
    fix = doc.fixes[0]
    assert (fix.stage, fix.kind, fix.before, fix.after, fix.lang) == (
        "repair", "foreign_leftover", "Nordkorea", "<dept Nordkorea>", "de")
    assert doc.spans == []
    # the segment's translation reads the repaired text
    assert doc.segments()[0].translations["en"].startswith("<pten Pyongyang, <dept Nordkorea>")
    assert stage.stats["leftovers"] == {"replaced": 1, "kept": 0, "missing": {}}


def test_a_leftover_without_a_model_is_kept_and_its_pair_listed():
    doc = seed_like()
    stage = Translate(FakeEngine({("pt", "en")}), ["en"], leftovers="translate")
    stage.process_batch([doc])
    assert doc.blocks[0].text.startswith(SENTENCE)
    assert stage.stats["leftovers"] == {"replaced": 0, "kept": 1, "missing": {"de-pt": 1}}
    assert not [f for f in doc.fixes if f.kind == "foreign_leftover"]


def test_keep_leaves_the_span_and_names_are_never_replaced():
    doc = seed_like()
    Translate(FakeEngine({("de", "pt"), ("pt", "en")}), ["en"], leftovers="keep"
              ).process_batch([doc])
    assert doc.blocks[0].text.startswith(SENTENCE) and doc.fixes == []
    named = seed_like()
    named.spans = [Span("Pyongyang", "ko", 0, 9, "a.txt#1.1")]
    Translate(FakeEngine({("ko", "pt"), ("pt", "en")}), ["en"], leftovers="translate"
              ).process_batch([named])
    assert named.fixes == []


def test_a_one_word_span_that_is_a_misspelt_host_word_is_kept():
    # "pasando" is Spanish, but in Portuguese text it is "passando" with an "s" lost
    text = "O ônibus vinha pasando pela avenida principal da cidade."
    seg = Segment("b.txt#1.1", text, lang="pt")
    doc = Document("b.txt", lang="pt", blocks=[Block("paragraph", text, lang="pt",
                                                     segments=[seg])],
                   spans=[Span("pasando", "es", 14, 21, "b.txt#1.1")])
    stage = Translate(FakeEngine({("es", "pt"), ("pt", "en")}), ["en"], leftovers="translate")
    stage.process_batch([doc])
    assert doc.blocks[0].text == text and doc.fixes == []
    assert stage.stats["leftovers"]["replaced"] == 0


@pytest.mark.parametrize(
    ("span", "lang", "doc_lang"),
    [
        ("pasando", "es", "pt"),  # "passando" with a letter lost
        ("presidencias", "es", "pt"),  # "presidências" with its accent lost
        ("extrem", "de", "es"),  # "extremo" with its last letter lost
    ],
)
def test_strong_leftover_rejects_one_word_misspellings_of_the_document_language(
    span, lang, doc_lang
):
    assert not strong_leftover(span, lang, doc_lang)


def test_strong_leftover_wants_a_common_word_when_the_span_is_one_word():
    # a rare Portuguese word in German text: one word is weak evidence
    assert not strong_leftover("chacina", "pt", "de")
    # common words of their language still are leftovers, and the seed's one
    assert strong_leftover("crianças", "pt", "de")
    assert strong_leftover("Nordkorea", "de", "pt")


@pytest.mark.parametrize("word", ["Autobahn", "Essen", "Polizei"])
def test_strong_leftover_keeps_one_capitalised_word_that_other_languages_write(word):
    # a loan, a city, a word other languages write: translations from German keep them
    assert not strong_leftover(word, "de", "pt")


def test_strong_leftover_still_replaces_a_capitalised_word_only_german_writes():
    assert strong_leftover("Nordkorea", "de", "pt")
    assert strong_leftover("Bundeskanzlerin", "de", "pt")


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """pt->en, de->en, de->pt and en->pt tiny genuine Argos packages."""
    root = tmp_path_factory.mktemp("argos")
    packages = root / "packages"
    pairs = [("pt", "en"), ("de", "en"), ("de", "pt"), ("en", "pt")]
    for seed, (src, tgt) in enumerate(pairs, start=11):
        install_package(build_package(root / "built", src, tgt, seed=seed), packages)
    return packages


def test_the_seed_leftover_is_translated_into_portuguese_in_the_clean_copy(
        packages, tmp_path, monkeypatch):
    from tests.conftest import SEED

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(Path(SEED) / "article-pt.txt", corpus / "article-pt.txt")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    code = main(["run", str(corpus), "--out", str(tmp_path / "out"), "--to", "en"])
    assert code == 0
    record = json.loads((tmp_path / "out" / "documents.jsonl").read_text().splitlines()[0])
    fixes = [f for f in record["fixes"] if f["kind"] == "foreign_leftover"]
    assert [(f["stage"], f["before"], f["lang"]) for f in fixes] == [
        ("repair", "Nordkorea", "de")]
    clean = (tmp_path / "out" / "clean" / "article-pt.txt").read_text(encoding="utf-8")
    assert "Pyongyang, Nordkorea -" not in clean
    assert f"Pyongyang, {fixes[0]['after']} -" in clean
    assert record["metadata"]["location"] == "Pyongyang, Nordkorea"  # raw text kept
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["translation"]["leftovers"]["replaced"] == 1


# --- mixed sentences routed when leftovers are kept ---------------------------------------


def test_a_kept_span_is_translated_on_its_own_and_spliced_into_the_segment():
    engine = FakeEngine({("pt", "en"), ("de", "en")}, lambda t, s, g: f"<{s}{g} {t}>")
    doc = seed_like()
    Translate(engine, ["en"], leftovers="keep").process_batch([doc])
    seg = doc.segments()[0]
    assert seg.translations["en"] == (
        "<pten Pyongyang, <deen Nordkorea> - As tensões na política mundial aumentam!>")
    assert doc.spans[0].translations == {"en": "<deen Nordkorea>"}
    # the model saw a placeholder, not the German word
    sent = [text for texts, s, _ in engine.calls if s == "pt" for text in texts]
    assert sent == ["Fim.", "Pyongyang, ZZB - As tensões na política mundial aumentam!"]


def test_a_span_without_its_own_model_is_left_in_the_segment_and_listed_with_null():
    from pipeline.writers.jsonl import segment_records

    doc = seed_like()
    Translate(FakeEngine({("pt", "en")}), ["en"], leftovers="keep").process_batch([doc])
    assert doc.segments()[0].translations["en"] == f"[pt>en] {SENTENCE}"
    record = next(segment_records(doc, ["en"]))
    assert record["spans"] == [
        {"text": "Nordkorea", "lang": "de", "start": 11, "end": 20, "en": None}]


def test_qa_flags_apply_to_a_spliced_segment():
    engine = FakeEngine({("pt", "en"), ("de", "en")},
                        lambda t, s, g: "lost it" if s == "pt" else "North Korea")
    doc = seed_like()
    Translate(engine, ["en"], leftovers="keep").process_batch([doc])
    assert "protected_missing" in doc.segments()[0].flags["en"]


class _CopyingPortuguese:
    """The genuine engine, but pt->en returns its input, as a model that copies the
    placeholder would (tiny random-weight models never do): de->en is the real model."""

    def __init__(self, engine) -> None:
        self.engine = engine

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def translate(self, texts, src, tgt):
        if src == "pt":
            return list(texts)
        return self.engine.translate(texts, src, tgt)


def test_with_keep_the_span_s_own_de_en_translation_stands_in_the_segment_s_english(packages):
    from pipeline.engines.argos import ArgosEngine

    engine = ArgosEngine(packages_dir=packages)
    own = engine.translate(["Nordkorea"], "de", "en")[0]
    doc = seed_like()
    Translate(_CopyingPortuguese(engine), ["en"], leftovers="keep").process_batch([doc])
    assert doc.segments()[0].translations["en"] == SENTENCE.replace("Nordkorea", own)
    assert doc.spans[0].translations == {"en": own}


def test_with_keep_a_run_lists_the_span_and_its_own_translation_in_segments_jsonl(
        packages, tmp_path, monkeypatch):
    from tests.conftest import SEED

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(Path(SEED) / "article-pt.txt", corpus / "article-pt.txt")
    config = tmp_path / "pipeline.toml"
    config.write_text('[repair]\nleftovers = "keep"\n')
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--to", "en",
                 "--config", str(config)]) == 0
    records = [json.loads(line) for line in (out / "segments.jsonl").read_text().splitlines()]
    spans = [(r["text"], span) for r in records for span in r["spans"]]
    nordkorea = [(text, span) for text, span in spans if span["text"] == "Nordkorea"]
    assert len(nordkorea) == 1
    text, span = nordkorea[0]
    assert text[span["start"]:span["end"]] == "Nordkorea" and span["lang"] == "de"
    assert isinstance(span["en"], str) and span["en"]
    clean = (out / "clean" / "article-pt.txt").read_text(encoding="utf-8")
    assert "Pyongyang, Nordkorea - As tensões" in clean


def test_an_unknown_leftovers_policy_is_a_configuration_error(tmp_path, capsys):
    config = tmp_path / "pipeline.toml"
    config.write_text('[repair]\nleftovers = "drop"\n')
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    assert main(["run", str(corpus), "--out", str(tmp_path / "out"),
                 "--config", str(config)]) == 2
    assert "repair.leftovers = 'drop'" in capsys.readouterr().err


class _TaggingEngine:
    """Every pair has a route; a translation is the text tagged with its pair."""

    def route(self, src, tgt):
        return (src, tgt)

    def model_id(self, src, tgt):
        return f"tag {src}-{tgt}"

    def translate(self, texts, src, tgt):
        return [f"[{src}>{tgt}] {text}" for text in texts]


@pytest.mark.parametrize("policy", ["translate", "keep"])
def test_a_worker_s_two_halves_give_the_leftovers_of_a_run_with_the_memory_at_hand(
        policy, tmp_path):
    """The Ray and worker path (prepare: a probing pass; finish: the driver's hits)
    repairs and splices leftovers as the driver's own run does."""
    from pipeline.config import Config
    from pipeline.memory import TranslationMemory, look_up
    from pipeline.shard import PendingShard, ShardProcessor
    from tests.conftest import SEED

    shard = [("article-pt.txt", (Path(SEED) / "article-pt.txt").read_bytes())]
    config = Config(targets=["en", "pt"])
    config.repair.leftovers = policy
    with TranslationMemory(tmp_path / "here.sqlite") as here_memory:
        here = ShardProcessor(config, engine=_TaggingEngine(), memory=here_memory)(shard)
    worker = ShardProcessor(config, engine=_TaggingEngine())
    pending = worker.prepare(shard)
    assert isinstance(pending, PendingShard)
    with TranslationMemory(tmp_path / "driver.sqlite") as driver:
        there = worker.finish(pending.docs, look_up(driver, pending.wanted))
    assert there.docs == here.docs and there.missing == here.missing
    clean = here.docs[0].files["clean/article-pt.txt"]
    if policy == "translate":
        assert "Pyongyang, [de>pt] Nordkorea - As tensões" in clean
    else:
        assert "Pyongyang, Nordkorea - As tensões" in clean
        assert "Pyongyang, [de>en] Nordkorea - As tensões" in here.docs[0].segments
