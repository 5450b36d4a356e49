"""The translate stage calls the engine with the engine's own call size (call_tokens)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.document import Block, Document, Segment
from pipeline.engines.argos import ArgosEngine
from pipeline.stages.translate import CHUNK_TOKENS, Translate

WORDS = " ".join(f"palavra{i}" for i in range(40)) + "."


class Recorder:
    """An engine that copies its input and records each call's size."""

    def __init__(self, call_tokens: int | None = None) -> None:
        if call_tokens is not None:
            self.call_tokens = call_tokens
        self.calls: list[int] = []

    def route(self, src: str, tgt: str) -> list[str] | None:
        return [] if src == tgt else [f"{src}-{tgt}"]

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        self.calls.append(len(texts))
        return [f"en: {text}" for text in texts]

    def model_id(self, src: str, tgt: str) -> str:
        return "recorder"


def _docs(count: int) -> list[Document]:
    docs = []
    for d in range(count):
        segs = [Segment(f"d{d}#1.{i}", f"{WORDS} {d} {i}", lang="pt") for i in range(5)]
        docs.append(Document(doc=f"d{d}.txt", lang="pt",
                             blocks=[Block("paragraph", "", lang="pt", segments=segs)]))
    return docs


def test_the_stage_calls_with_the_engine_s_call_size() -> None:
    # About 100 estimated tokens a segment, 5 segments a document: 40 documents hold
    # ~20,000 tokens, five calls at the stage's former 4,096.
    former, ours = Recorder(), Recorder(call_tokens=10 * CHUNK_TOKENS)
    Translate(former, ["en"], budget_s=10**9).process_batch(_docs(40))
    Translate(ours, ["en"], budget_s=10**9).process_batch(_docs(40))
    assert len(former.calls) > 3
    assert ours.calls == [200]
    # A size given to the stage still wins (the budget tests use small ones).
    given = Recorder(call_tokens=10 * CHUNK_TOKENS)
    Translate(given, ["en"], budget_s=10**9, chunk_tokens=1000).process_batch(_docs(4))
    assert len(given.calls) > 1


def test_argos_engine_asks_for_128_full_batches_a_call() -> None:
    assert ArgosEngine(beam_size=4, max_batch_tokens=1024).call_tokens == 128 * 256
    assert ArgosEngine(beam_size=2, max_batch_tokens=1024).call_tokens == 128 * 512
    assert ArgosEngine(beam_size=4, max_batch_tokens=1024).call_tokens > CHUNK_TOKENS
