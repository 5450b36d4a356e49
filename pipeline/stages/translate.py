"""Translate stage: every segment into every target language, in batches across documents.

Each segment is translated from its own detected language when a model (direct or
through English) exists for that pair, else from the document's language; a
segment already in the target language is copied. Texts are normalised
(:func:`pipeline.memory.normalize_text`), their protected spans (URLs, e-mail
addresses, numbers with units, configured terms) replaced by placeholders
(:mod:`pipeline.protect`), de-duplicated, looked up in the translation memory, and
what is left is handed to the engine in one batch per language pair: a whole corpus
costs one large batched call per pair, and a text is never translated twice.

Every translation is checked; the segment's ``flags[target]`` lists what looks wrong:

- ``untranslated``: the output is the input (the model copied it);
- ``repetition``: the output loops (a word repeated 4 times running, or a group of 2 to
  4 words 3 times), and the input does not;
- ``number_mismatch``: the output's numbers differ from the input's (thousands and
  decimal separators ignored; numbers inside protected spans are not compared);
- ``protected_missing``: a protected span's placeholder did not come back, so the span
  is missing from the translation.

The stage never fails a run for a missing model: it records the missing pair, and
the runner reports it with the command that installs it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from pipeline.document import Block, Document, Segment
from pipeline.languages import UNDETERMINED, same_script
from pipeline.memory import TranslationMemory, normalize_text
from pipeline.protect import Protector, restore, strip_placeholders

FLAGS = ("untranslated", "repetition", "number_mismatch", "protected_missing")

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]{2,}")


class Engine(Protocol):
    """What the stage needs from a translation engine (see ``ArgosEngine``)."""

    def route(self, src: str, tgt: str) -> object | None: ...

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]: ...

    def model_id(self, src: str, tgt: str) -> str: ...


class Translate:
    """Batch stage: ``process_batch(docs)`` fills ``segment.translations`` and ``flags``.

    ``memory`` (optional) is consulted before the engine and receives what the engine
    translates. ``terms`` are protected from translation, like URLs. After a batch,
    ``missing`` holds the uncovered (source, target) pairs and :attr:`stats` the counts.
    """

    name = "translate"

    def __init__(
        self,
        engine: Engine,
        targets: list[str],
        memory: TranslationMemory | None = None,
        terms: Iterable[str] = (),
    ) -> None:
        self.engine = engine
        self.targets = targets
        self.memory = memory
        self.missing: set[tuple[str, str]] = set()
        self.failed: dict[tuple[str, str], str] = {}  # pairs whose model failed, with why
        self._protector = Protector(terms)
        self._routes: dict[tuple[str, str], bool] = {}
        self._pairs: dict[str, Counter[str]] = defaultdict(Counter)
        self._copied: Counter[str] = Counter()
        self._flags: dict[str, Counter[str]] = defaultdict(Counter)

    @property
    def stats(self) -> dict[str, Any]:
        """Counts for the report, JSON-ready; keys sorted, zero counts included.

        ``pairs``: per ``"src-tgt"``, ``segments`` translated, ``unique`` texts among them,
        memory ``hits`` and ``misses`` (both 0 without a memory) and texts ``translated``
        by the engine. ``copied``: per target, segments already in that language.
        ``flags``: per target, segments with each QA flag.
        """
        keys = ("segments", "unique", "hits", "misses", "translated")
        return {
            "pairs": {
                pair: {key: counts[key] for key in keys}
                for pair, counts in sorted(self._pairs.items())
            },
            "copied": {tgt: self._copied[tgt] for tgt in self.targets},
            "flags": {
                tgt: {flag: self._flags[tgt][flag] for flag in FLAGS} for tgt in self.targets
            },
            "failed_models": {f"{s}-{t}": why for (s, t), why in sorted(self.failed.items())},
        }

    def has_route(self, src: str, tgt: str) -> bool:
        """Whether a model (or the English pivot) translates ``src`` to ``tgt``."""
        if (src, tgt) not in self._routes:
            self._routes[src, tgt] = bool(src) and self.engine.route(src, tgt) is not None
        return self._routes[src, tgt]

    def source_language(self, seg_lang: str, doc_lang: str, tgt: str) -> str | None:
        """The language to translate a segment from, or None when no model can."""
        for lang in dict.fromkeys((seg_lang, doc_lang)):
            # A segment in another language is never "translated" from the target
            # language itself (that would copy it untranslated), nor by the model of a
            # language written in another script (a Russian quote in Portuguese text).
            usable = lang and lang != tgt and (lang, tgt) not in self.failed
            usable = usable and same_script(seg_lang, lang)
            if usable and self.has_route(lang, tgt):
                return lang
        for lang in (seg_lang, doc_lang):
            if lang and lang != tgt:
                self.missing.add((lang, tgt))
        return None

    def process_batch(self, docs: list[Document]) -> list[Document]:
        """Translate every segment of ``docs`` into every target language."""
        for tgt in self.targets:
            # source language -> model input -> the segments (and their spans) it stands for
            pending: dict[str, dict[str, list[tuple[Segment, tuple[str, ...]]]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for doc in docs:
                for seg in doc.segments():
                    # a text without words ("und": numbers, an address) is copied
                    src = (tgt if seg.lang in (tgt, UNDETERMINED)
                           else self.source_language(seg.lang, doc.lang, tgt))
                    if src == tgt:
                        seg.translations[tgt] = seg.text
                        self._copied[tgt] += 1
                    elif src is not None:
                        protected = self._protector.protect(normalize_text(seg.text))
                        pending[src][protected.text].append((seg, protected.spans))
            for src in sorted(pending):
                texts = sorted(pending[src])
                try:
                    outputs = self._translate(texts, src, tgt)
                except Exception as exc:  # a broken model costs its own pair, nothing else
                    self.failed[src, tgt] = f"{type(exc).__name__}: {exc}"
                    self.missing.add((src, tgt))
                    continue
                for text, output in zip(texts, outputs, strict=True):
                    for seg, spans in pending[src][text]:
                        restored, lost = restore(output, spans)
                        seg.translations[tgt] = restored
                        flags = qa_flags(text, output, lost)
                        if flags:
                            seg.flags[tgt] = flags
                        self._flags[tgt].update(flags)
                    self._pairs[f"{src}-{tgt}"]["segments"] += len(pending[src][text])
        return docs

    def _translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """Outputs for distinct ``texts``: from the memory where it has them, else the engine."""
        counts = self._pairs[f"{src}-{tgt}"]
        counts["unique"] += len(texts)
        found: dict[str, str] = {}
        model = self.engine.model_id(src, tgt) if self.memory is not None else ""
        if self.memory is not None:
            found = self.memory.get_many(model, src, tgt, texts)
            counts["hits"] += len(found)
            counts["misses"] += len(texts) - len(found)
        todo = [text for text in texts if text not in found]
        if todo:
            fresh = dict(zip(todo, self.engine.translate(todo, src, tgt), strict=True))
            counts["translated"] += len(todo)
            if self.memory is not None:
                self.memory.put_many(model, src, tgt, fresh)
            found.update(fresh)
        return [found[text] for text in texts]


def _numbers(text: str) -> Counter[str]:
    """Numbers in ``text``, separators dropped ("1.000,5" and "1,000.5" are equal).

    >>> sorted(_numbers("Em 2024, 1.000 casas; in 2024, 1,000 houses.").elements())
    ['1000', '1000', '2024', '2024']
    """
    return Counter(re.sub(r"\D", "", number) for number in _NUMBER.findall(text))


def _loops(text: str) -> bool:
    """Whether a word repeats 4 times running, or a group of 2 to 4 words 3 times.

    >>> _loops("a casa a casa a casa azul"), _loops("a casa a casa azul a casa")
    (True, False)
    >>> _loops("não não não não"), _loops("muito muito muito bom")
    (True, False)
    """
    words = re.findall(r"\w+", text.casefold())
    for size in range(1, 5):
        needed = (4 if size == 1 else 3) - 1  # repeats after the first occurrence
        run = 0  # how many words running equal the word ``size`` places later
        for word, later in zip(words, words[size:], strict=False):
            run = run + 1 if word == later else 0
            if run >= needed * size:
                return True
    return False


def qa_flags(source: str, output: str, lost: Sequence[int] = ()) -> list[str]:
    """QA flags for one translation, in :data:`FLAGS` order.

    ``source`` and ``output`` are the model's input and raw output (placeholders in);
    ``lost`` are the placeholders missing from the output.

    >>> qa_flags("O preço subiu 3,5 por cento em 2024.", "The price rose 3.5 percent in 2023.")
    ['number_mismatch']
    >>> qa_flags("Isto não foi traduzido.", "isto  não foi traduzido.")
    ['untranslated']
    >>> qa_flags("Veja ZZB agora.", "See now now now now.", [0])
    ['repetition', 'protected_missing']
    """
    flags = []
    words = _WORD.findall(strip_placeholders(source))
    if len(words) >= 2 and normalize_text(output).casefold() == normalize_text(source).casefold():
        flags.append("untranslated")
    if _loops(output) and not _loops(source):
        flags.append("repetition")
    if _numbers(strip_placeholders(source)) != _numbers(strip_placeholders(output)):
        flags.append("number_mismatch")
    if lost:
        flags.append("protected_missing")
    return flags


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
