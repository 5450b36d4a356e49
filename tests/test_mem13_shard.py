"""One big document's output made in the worker (brief mem13): the digest of its JSON
and the order its outputs are made in. tracemalloc, no timing; the document is
that of tests/test_mem13_document.py."""

from __future__ import annotations

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
