"""Translate stage: every segment into every target language, in batches across documents.

Each segment is translated from its own detected language when a model (direct or
through English) exists for that pair, else from the document's language; a
segment already in the target language is copied. Texts are de-duplicated and
handed to the engine in one batch per language pair, so a whole corpus costs one
large batched call per pair, not one per sentence.

The stage never fails a run for a missing model: it records the missing pair, and
the runner reports it with the command that installs it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from pipeline.document import Block, Document


class Engine(Protocol):
    def route(self, src: str, tgt: str) -> object | None: ...

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]: ...


class Translate:
    """Batch stage: ``process_batch(docs)`` fills ``segment.translations``."""

    name = "translate"

    def __init__(self, engine: Engine, targets: list[str]):
        self.engine = engine
        self.targets = targets
        self.missing: set[tuple[str, str]] = set()
        self._routes: dict[tuple[str, str], bool] = {}

    def has_route(self, src: str, tgt: str) -> bool:
        if (src, tgt) not in self._routes:
            self._routes[src, tgt] = bool(src) and self.engine.route(src, tgt) is not None
        return self._routes[src, tgt]

    def source_language(self, seg_lang: str, doc_lang: str, tgt: str) -> str | None:
        """The language to translate a segment from, or None when no model can."""
        for lang in dict.fromkeys((seg_lang, doc_lang)):
            if lang and self.has_route(lang, tgt):
                return lang
        for lang in (seg_lang, doc_lang):
            if lang and lang != tgt:
                self.missing.add((lang, tgt))
        return None

    def process_batch(self, docs: list[Document]) -> list[Document]:
        for tgt in self.targets:
            pending: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
            for doc in docs:
                for seg in doc.segments():
                    if seg.lang == tgt:
                        seg.translations[tgt] = seg.text
                        continue
                    src = self.source_language(seg.lang, doc.lang, tgt)
                    if src is not None:
                        pending[src][seg.text].append(seg)
            for src in sorted(pending):
                texts = sorted(pending[src])
                for text, output in zip(texts, self.engine.translate(texts, src, tgt), strict=True):
                    for seg in pending[src][text]:
                        seg.translations[tgt] = output
        return docs


def translated_block(block: Block, tgt: str) -> str | None:
    """The block with each segment replaced by its translation, whitespace kept.

    None when a segment has no translation into ``tgt``.

    >>> from pipeline.document import Segment
    >>> b = Block("paragraph", "Olá. Tudo bem?", segments=[
    ...     Segment("d#1.1", "Olá.", translations={"en": "Hello."}),
    ...     Segment("d#1.2", "Tudo bem?", translations={"en": "All good?"})])
    >>> translated_block(b, "en")
    'Hello. All good?'
    """
    pieces: list[str] = []
    pos = 0
    for seg in block.segments:
        if tgt not in seg.translations:
            return None
        start = block.text.index(seg.text, pos)
        pieces += [block.text[pos:start], seg.translations[tgt]]
        pos = start + len(seg.text)
    pieces.append(block.text[pos:])
    return "".join(pieces)


def translated_document(doc: Document, tgt: str) -> str | None:
    """The translated copy: the clean copy's blocks, each translated; None if incomplete."""
    blocks = [translated_block(block, tgt) for block in doc.blocks]
    if not blocks or any(b is None for b in blocks):
        return None
    return "\n\n".join(blocks) + "\n"  # type: ignore[arg-type]
