"""Shards run here overlap: one is translated in a thread while the next is cleaned
(pipeline.executors.local). The outputs are those of one shard after another, and a
run that stops or fails midway keeps what was finished."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.executors.local import LocalExecutor
from pipeline.memory import TranslationMemory
from pipeline.shard import ShardProcessor
from pipeline.testing.argos_package import build_package, install_package

# Bounds a wait for work the other thread is sure to do: against a hang, not a timing.
BOUND_S = 120

PT = [
    "O porto da cidade reabriu ontem depois de uma semana fechado.",
    "A câmara municipal aprovou o orçamento para o próximo ano.",
    "Os pescadores voltaram ao mar logo de manhã.",
    "O preço do pão subiu pela terceira vez este ano.",
    "A biblioteca nova abre as portas no sábado.",
    "Choveu muito durante a noite no norte do país.",
]
DE = [
    "Der Hafen der Stadt wurde gestern nach einer Woche wieder geöffnet.",
    "Der Stadtrat hat den Haushalt für das nächste Jahr beschlossen.",
    "Die Fischer sind am frühen Morgen wieder aufs Meer gefahren.",
]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("argos")
    for seed, src in enumerate(["pt", "de"], start=1):
        install_package(build_package(root / "built", src, "en", seed=seed), root / "pk")
    return root / "pk"


def _corpus(root: Path) -> Path:
    """Nine articles (six Portuguese, three German), each of two paragraphs."""
    corpus = root / "corpus"
    corpus.mkdir()
    for n, (lang, lines) in enumerate([("pt", PT)] * 6 + [("de", DE)] * 3):
        first, second = lines[n % len(lines)], lines[(n + 1) % len(lines)]
        body = f"{first} {second}\n\n{lines[(n + 2) % len(lines)]}\n"
        (corpus / f"{n:02d}-{lang}.txt").write_text(f"Notícia {n}\n\n{body}", encoding="utf-8")
    return corpus


def _run(corpus: Path, out: Path) -> int:
    from pipeline.log import RunLog
    from pipeline.runner import RunOptions, run

    config = Config(targets=["en"])
    config.translate.beam_size = 1
    log = RunLog(stream=io.StringIO())
    return run(corpus, out, config, RunOptions(shard_docs=3), log).exit_code


def test_an_overlapped_run_writes_the_bytes_of_shards_run_one_after_another(
    tmp_path, monkeypatch, packages, data_files
):
    """Genuine models: a run whose translation overlaps the next shard's cleanup (the
    default) writes the same files as one that cleans and translates each shard in turn.
    The overlap is checked, not assumed: the first translation waits until the next
    piece's cleanup has begun, which only an overlapped run can give it."""
    from pipeline.engines.argos import ArgosEngine

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    corpus = _corpus(tmp_path)
    cleaning = threading.Event()  # a second piece is being cleaned
    threads: list[str] = []
    overlapped: list[bool] = []
    warm_up, translate = ShardProcessor.warm_up, ArgosEngine.translate
    cleaned = []

    def watched_clean(self, shard):  # the executor warms up before each piece's cleanup
        cleaned.append(len(shard))
        if len(cleaned) > 1:
            cleaning.set()
        return warm_up(self, shard)

    def watched_translate(self, texts, src, tgt, **kwargs):
        threads.append(threading.current_thread().name)
        if not overlapped:
            overlapped.append(cleaning.wait(BOUND_S))
        return translate(self, texts, src, tgt, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(ShardProcessor, "warm_up", watched_clean)
        patch.setattr(ArgosEngine, "translate", watched_translate)
        assert _run(corpus, tmp_path / "overlapped") == 0
    monkeypatch.setattr(LocalExecutor, "overlap", False)
    assert _run(corpus, tmp_path / "in-turn") == 0

    assert overlapped == [True]
    assert threads and all(name.startswith("pipeline-translate") for name in threads)
    # shards of 3 documents, the first not cut (pipeline.executors.local.FIRST_PIECE)
    assert cleaned == [3, 3, 3]
    files = data_files(tmp_path / "overlapped")
    assert len([f for f in files if f.startswith("translations/en/")]) == 9
    assert files == data_files(tmp_path / "in-turn")


class _Batches:
    """An engine that translates one text per batch, asking ``stop`` before each but
    the first (as ArgosEngine does). In the call for ``hold``, after its first batch
    it waits until the executor is cancelled."""

    def __init__(self, executor: LocalExecutor, hold: str):
        self.executor, self.hold = executor, hold
        self.holding = threading.Event()
        self.asked: list[str] = []

    def route(self, src, tgt):
        return (src, tgt)

    def model_id(self, src, tgt):
        return f"batches {src}-{tgt}"

    def translate(self, texts, src, tgt, *, stop=None):
        outputs: list[str | None] = [None] * len(texts)
        for i, text in enumerate(texts):
            if i and stop is not None and stop():
                break
            self.asked.append(text)
            outputs[i] = f"[{tgt}] {text}"
            if self.hold in texts and i == 0:
                self.holding.set()
                self.executor.cancelled.wait(BOUND_S)
        return outputs


def _shard(names: str) -> list[tuple[str, bytes]]:
    return [(f"{n}.txt", f"Notícia {n}\n\nO porto {n} reabriu ontem. A cidade {n} abriu uma "
                         f"biblioteca nova.\n".encode()) for n in names]


def test_a_run_stopped_while_a_shard_is_translated_keeps_what_was_finished(tmp_path):
    """A signal stops the run while the next shard is cleaned (the runner's Interrupted,
    raised in the main thread): the translation under way starts no other batch, and the
    batch it finished is in the memory (opened in this thread, used in the translation
    thread). Results already out are not lost."""
    from pipeline.document import Stage
    from pipeline.shard import build_stages

    class Stop(BaseException):  # as pipeline.runner.Interrupted
        pass

    class Signal(Stage):
        """The cleanup of "e" is where the signal comes: once "cd" is being translated."""

        name = "signal"

        def process(self, doc):
            if doc.doc == "e.txt":
                assert engine.holding.wait(BOUND_S)  # "cd": one batch done, the thread waits
                raise Stop
            return doc

    memory = TranslationMemory(tmp_path / "memory.sqlite")
    config = Config(targets=["en"])
    config.document_timeout_s = 3600  # the wait above is no document's own time
    executor = LocalExecutor(config, memory=memory, stages=[*build_stages(config), Signal()])
    engine = _Batches(executor, hold="O porto c reabriu ontem.")
    executor.engine = engine
    done = []
    try:
        with pytest.raises(Stop):
            for result in executor.map([_shard("ab"), _shard("cd"), _shard("ef")]):
                done.extend(doc.doc for doc in result.docs)
        assert done == ["a.txt", "b.txt"]  # the first shard, translated
        assert executor.cancelled.is_set() is False  # cleared: the thread has ended
        stored = memory.get_many("batches pt-en", "pt", "en", engine.asked)
        assert len(stored) == len(engine.asked)  # every finished batch is kept
        # cd's call asked its first text, then stop() said no more
        texts = {f"O porto {n} reabriu ontem." for n in "cd"} | {
            f"A cidade {n} abriu uma biblioteca nova." for n in "cd"}
        assert len(texts & set(engine.asked)) == 1
    finally:
        executor.close()
        memory.close()


def test_an_error_in_the_translation_thread_reaches_the_run_after_the_results_before(
    monkeypatch,
):
    """A shard whose translation raises: the shards before it come out, then the error
    (as when everything ran in one thread); the thread does not outlive it."""
    from tests.conftest import TaggingEngine

    translate = ShardProcessor.translate
    threads = []

    def failing(self, docs, memory, outputs=None, cancel=None, sources=None):
        threads.append(threading.current_thread().name)
        if any(doc.doc == "c.txt" for doc in docs):
            raise RuntimeError("disk full")
        return translate(self, docs, memory, outputs, cancel, sources)

    monkeypatch.setattr(ShardProcessor, "translate", failing)
    executor = LocalExecutor(Config(targets=["en"]), engine=TaggingEngine())
    got = []
    with pytest.raises(RuntimeError, match="disk full"):
        for result in executor.map([_shard("ab"), _shard("cd"), _shard("ef")]):
            got.extend(doc.doc for doc in result.docs)
    assert got == ["a.txt", "b.txt"]
    assert threads and all(name.startswith("pipeline-translate") for name in threads)
    assert not [t for t in threading.enumerate() if t.name.startswith("pipeline-translate")]


def test_a_translated_piece_is_committed_before_the_next_piece_is_cleaned(monkeypatch):
    """A piece whose translation has ended comes out before the next document is cleaned,
    not once the whole next piece is: a slow next shard no longer holds back a commit
    (nor does a stop in the meantime drop it). Stand-in stages: the cleanup of "b1"
    waits until the first piece's translation has ended."""
    import concurrent.futures

    from pipeline.document import Stage
    from pipeline.executors import local
    from tests.conftest import TaggingEngine

    futures: list[concurrent.futures.Future] = []

    class Recording(concurrent.futures.ThreadPoolExecutor):
        def submit(self, *args, **kwargs):
            futures.append(super().submit(*args, **kwargs))
            return futures[-1]

    events: list[str] = []

    class Watch(Stage):
        name = "watch"

        def process(self, doc):
            if doc.doc == "b1.txt":  # the first piece is handed over: wait for its end
                assert concurrent.futures.wait(futures[:1], BOUND_S).done
            events.append(f"clean {doc.doc}")
            return doc

    monkeypatch.setattr(local, "ThreadPoolExecutor", Recording)
    executor = LocalExecutor(Config(targets=["en"]), engine=TaggingEngine(), stages=[Watch()])
    shards = [_shard("a"), [(f"b{n}.txt", b"O porto reabriu.\n") for n in range(1, 4)]]
    try:
        for result in executor.map(shards):
            events.append("commit " + ",".join(doc.doc for doc in result.docs))
    finally:
        executor.close()
    assert events.index("commit a.txt") < events.index("clean b2.txt")
    assert events[-1] == "commit b1.txt,b2.txt,b3.txt"
    assert [e for e in events if e.startswith("clean")] == [
        "clean warm-up", "clean a.txt", "clean b1.txt", "clean b2.txt", "clean b3.txt"]


def test_a_pair_s_models_load_in_the_translation_thread_once_a_document_shows_it():
    """Once a cleaned document shows a language pair, the translation thread loads its
    models (the engine's ``prepare``) while the rest is cleaned: each pair once, before
    the translation that needs it, never for a document in the target language, nor for
    a pair no model covers. Stand-in stages set each document's language."""
    from pipeline.document import Block, Segment, Stage
    from tests.conftest import TaggingEngine

    events: list[tuple[str, str]] = []  # (thread, what)

    def note(what: str) -> None:
        events.append((threading.current_thread().name, what))

    class Language(Stage):
        name = "language"

        def process(self, doc):
            doc.lang = doc.doc[0:2]
            segment = Segment(f"{doc.doc}#1", "Texto.", lang=doc.lang, score=1.0)
            doc.blocks = [Block("paragraph", "Texto.", lang=doc.lang, segments=[segment])]
            note(f"clean {doc.doc}")
            return doc

    class Preparing(TaggingEngine):
        def prepare(self, src: str, tgt: str) -> None:
            note(f"prepare {src}-{tgt}")

        def translate(self, texts, src, tgt):
            note(f"translate {src}-{tgt}")
            return super().translate(texts, src, tgt)

    engine = Preparing(missing=frozenset({("xx", "en")}))
    executor = LocalExecutor(Config(targets=["en"]), engine=engine, stages=[Language()])
    shards = [[(f"{name}.txt", b"Texto.\n") for name in names]
              for names in (["pt1", "en1", "pt2", "de1"], ["xx1", "de2", "pt3"])]
    try:
        done = [doc.doc for result in executor.map(shards) for doc in result.docs]
    finally:
        executor.close()
    assert done == ["pt1.txt", "en1.txt", "pt2.txt", "de1.txt", "xx1.txt", "de2.txt", "pt3.txt"]
    thread = [what for name, what in events if name.startswith("pipeline-translate")]
    assert thread == ["prepare pt-en", "prepare de-en", "translate de-en", "translate pt-en",
                      "translate de-en", "translate pt-en"]
    assert all(name == "MainThread" for name, what in events if what.startswith("clean"))
