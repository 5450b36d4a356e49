"""One big document's output made in the worker (brief mem13): the digest of its JSON
and the order its outputs are made in. tracemalloc, no timing; the document is
that of tests/test_mem13_document.py."""

from __future__ import annotations

import json
import sys

from pipeline.shard import DocumentOutput, digest_in_pieces
from pipeline.state import digest
from tests.test_mem13_document import big_document, peak_of


def test_the_digest_is_taken_a_megabyte_at_a_time():
    text = "“Olá”, disse ela. " * 300_000  # 5.4 M characters, two bytes each
    assert digest_in_pieces(text) == digest(text)
    _, peak, _ = peak_of(lambda: digest_in_pieces(text))
    # Encoding the whole reserves three bytes a character (1.5 times the string).
    assert peak < 0.5 * sys.getsizeof(text), (peak, sys.getsizeof(text))


def test_a_document_output_holds_little_more_than_what_it_keeps():
    doc = big_document(blocks=1500)
    out, peak, kept = peak_of(lambda: DocumentOutput.of(doc, ["en"]))
    assert out.json_digest == digest(out.document)
    assert kept > 2_000_000
    # Before: the digest of the whole JSON (three bytes a character) came last, on top
    # of everything else (1.8 times what it keeps); now at most one piece's worth.
    assert peak < 1.4 * kept, (peak, kept)


def test_translate_lets_go_of_the_documents_once_their_outputs_are_made():
    import gc
    import weakref

    from pipeline.config import Config
    from pipeline.shard import ShardProcessor

    processor = ShardProcessor(Config(targets=["en"]))
    shard = [(f"{n}.txt", f"Notícia {n}\n\nO porto reabriu na segunda-feira.\n".encode())
             for n in "ab"]
    docs = processor.clean(shard)
    alive = [weakref.ref(doc) for doc in docs]
    result = processor.translate(docs, None)
    # The caller's list (the local executor keeps its piece's until the next piece)
    # no longer holds them, nor does anything else: the commit runs without them.
    assert docs == []
    gc.collect()
    assert [ref() for ref in alive] == [None, None]
    assert [json.loads(out.document)["doc"] for out in result.docs] == ["a.txt", "b.txt"]


def test_freed_memory_is_given_back_only_after_a_big_shard(monkeypatch):
    import pipeline.shard as shard_module
    from pipeline.config import Config
    from pipeline.document import Source

    calls = []
    monkeypatch.setattr(shard_module, "release_freed_memory", lambda: calls.append(1))
    processor = shard_module.ShardProcessor(Config(targets=["en"]))
    small = big_document(blocks=3)
    processor.translate([small], None)
    assert calls == []
    big = big_document(blocks=3)
    big.source = Source("0" * 64, "utf-8", shard_module.TRIM_BYTES)
    processor.translate([big], None)
    assert calls == [1]
