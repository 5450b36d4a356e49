"""Translate stage: every segment into every target language, in batches across documents.

Each segment is translated from its own detected language when a model (direct or
through English) exists for that pair, else from the document's language; a
segment already in the target language is copied. Texts are normalised
(:func:`pipeline.memory.normalize_text`), their protected spans (URLs, e-mail
addresses, numbers with units, configured terms) replaced by placeholders
(:mod:`pipeline.protect`), de-duplicated, looked up in the translation memory, and
what is left is handed to the engine in batched calls per language pair: a text is
never translated twice.

A text longer than the engine's useful input (``max_input_tokens``, 200 subword tokens)
is cut by :func:`split_for_translation` (at sentence and clause marks, else spaces, else
characters); its pieces are translated like any text and rejoined by :func:`join_pieces`,
so a segment still gets one translation, flagged ``split_for_translation``. The memory
holds pieces, so a long text interrupted halfway resumes where it stopped.

CTranslate2 cannot be interrupted inside a batch (it is C++ and never checks for Python
signals), so the time budget is kept between batches: documents go to the engine
smallest first, in calls of about ``chunk_tokens`` source tokens, and the budget is
checked before each call and, by an engine whose ``translate`` takes ``stop`` (as
``ArgosEngine``'s does), before each of its batches. A long document therefore cannot
starve the others, and an overrun lasts as long as the batches under way.

Every translation is checked; the segment's ``flags[target]`` lists what looks wrong:

- ``untranslated``: the output is the input (the model copied it);
- ``repetition``: the output loops (a word repeated 4 times running, or a group of 2 to
  4 words 3 times), and the input does not;
- ``number_mismatch``: the output's numbers differ from the input's (thousands and
  decimal separators ignored; numbers inside protected spans are not compared);
- ``protected_missing``: a protected span's placeholder did not come back, so the span
  is missing from the translation.
- ``split_for_translation``: the text was too long for the model and was translated in
  pieces (see above).

The stage never fails a run for a missing model: it records the missing pair, and
the runner reports it with the command that installs it. Only a
:class:`~pipeline.engines.ModelError` (a model that cannot be loaded or run) counts
against a pair; any other error (the translation memory, a bug) fails the documents it
concerns, with its class and message.
"""

from __future__ import annotations

import inspect
import math
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from pipeline.document import Block, Document, Segment, Span
from pipeline.engines import ModelError
from pipeline.languages import same_script
from pipeline.lazy import lazy_module
from pipeline.memory import TranslationMemory, normalize_text
from pipeline.protect import Protector, copied_as_is, restore, strip_placeholders

# The leftover repairs, imported when a document is translated: the report's FLAGS
# alone (a rerun with nothing to process) need neither them nor ftfy.
repair = lazy_module("pipeline.stages.repair")
# A Markdown document's segments carry their inline markers through translation.
markdown = lazy_module("pipeline.readers.markdown")

FLAGS = ("untranslated", "repetition", "number_mismatch", "protected_missing",
         "split_for_translation")

# Longest model input, in subword tokens: Argos models are trained on sentences, and a
# longer input costs time that grows faster than its length for a worse translation.
MAX_INPUT_TOKENS = 200
# Source tokens per engine call: the time budget is checked between calls.
CHUNK_TOKENS = 4096
# Rounds of re-splitting the pieces that still hold more than MAX_INPUT_TOKENS tokens.
SPLIT_ROUNDS = 3

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Scripts written without spaces between words (CJK, kana, Thai, Lao, Myanmar, Khmer).
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3000-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
# Where a piece may end, best first: after a sentence or clause mark, after a comma or
# dash, after a space. Latin-script marks count only before a space ("3,5" and "U.S" are
# no cuts); full-width CJK marks need none.
_CUTS = (
    re.compile(r"[.!?;:\u2026](?=\s)\s*|[\u3002\uff01\uff1f\uff1b\uff1a]\s*"),
    re.compile(r"[,\u2014\u2013)\]\u00bb\u201d\u060c\u061b](?=\s)\s*|[\uff0c\u3001]\s*"),
)
_SPACE = re.compile(r"\s+")
_PLACEHOLDER_AT = re.compile(r"ZZ[A-Z]*$")
_WORD_CHAR = re.compile(r"\w")


class Engine(Protocol):
    """What the stage needs from a translation engine: the part of
    :class:`pipeline.engines.base.Engine` (the interface every engine offers, e.g.
    ``ArgosEngine``) it calls. ``model_id`` is the engine's per-pair ``fingerprint``
    (models, decoding options, device and compute type): the translation memory's key.

    An engine raises :class:`~pipeline.engines.ModelError` when a model cannot be loaded or
    run; any other exception is a bug, and fails the documents it concerns. An engine may
    also offer ``count_tokens(texts, src, tgt) -> list[int]`` (the model's input tokens of
    each text), ``max_input_tokens`` and ``call_tokens`` (the source tokens per call
    that fill its batches): without them, :func:`estimate_tokens`,
    :data:`MAX_INPUT_TOKENS` and :data:`CHUNK_TOKENS` are used.
    """

    def route(self, src: str, tgt: str) -> object | None: ...

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]: ...

    def model_id(self, src: str, tgt: str) -> str: ...


class Translate:
    """Batch stage: ``process_batch(docs)`` fills ``segment.translations`` and ``flags``.

    ``memory`` (optional) is consulted before the engine and receives what the engine
    translates. ``terms`` are protected from translation, like URLs. After a batch,
    ``missing`` holds the uncovered (source, target) pairs and :attr:`stats` the counts.

    ``budget_s`` (0: none) bounds the batch's translation time, read from ``clock``: it is
    checked before each engine call (of about ``chunk_tokens`` source tokens) but the first,
    and passed to the engine as ``stop`` where it takes one. Documents are translated
    smallest first, so one long document cannot hold back the others; the documents left
    unfinished when the budget runs out are marked failed (their finished pieces are in
    the memory). Every shard makes progress: its first engine batch always runs.

    ``cancel`` (optional) is asked at the same points: once it answers True, no engine
    call starts (not even the batch's first) and the call under way starts no other
    batch; the batches under way finish and the documents left unfinished are marked
    failed as over the budget. The local executor cancels the translation it runs in a
    thread when the run stops.
    """

    name = "translate"

    def __init__(
        self,
        engine: Engine,
        targets: list[str],
        memory: TranslationMemory | None = None,
        terms: Iterable[str] = (),
        *,
        budget_s: float = 0,
        clock: Callable[[], float] = time.monotonic,
        chunk_tokens: int | None = None,
        leftovers: str = "keep",
        cancel: Callable[[], bool] | None = None,
    ) -> None:
        self.engine = engine
        self.cancel = cancel
        self.leftovers = leftovers  # "translate": foreign leftovers replaced, see below
        self._leftovers: Counter[str] = Counter()  # "replaced", "kept"
        self._leftovers_missing: Counter[str] = Counter()  # "de-pt" -> spans kept for it
        self._span_pairs: dict[str, Counter[str]] = defaultdict(Counter)  # spans' own counts
        self.targets = targets
        self.memory = memory
        self.budget_s = budget_s
        self.clock = clock
        # The engine's own call size (``Engine.call_tokens``) unless one is given.
        self.chunk_tokens = chunk_tokens or getattr(engine, "call_tokens", CHUNK_TOKENS)
        self.max_input_tokens: int = getattr(engine, "max_input_tokens", MAX_INPUT_TOKENS)
        self.missing: set[tuple[str, str]] = set()
        self.failed: dict[tuple[str, str], str] = {}  # pairs whose model failed, with why
        self.timed_out: list[str] = []  # documents left unfinished by the budget
        self._protector = Protector(terms)
        self._routes: dict[tuple[str, str], bool] = {}
        self._pairs: dict[str, Counter[str]] = defaultdict(Counter)
        self._copied: Counter[str] = Counter()
        self._converted: dict[str, list] = {}  # "zh-zh-Hant" -> [converter, inputs]
        self._flags: dict[str, Counter[str]] = defaultdict(Counter)

    @property
    def stats(self) -> dict[str, Any]:
        """Counts for the report, JSON-ready; keys sorted, zero counts included.

        ``pairs``: per ``"src-tgt"``, ``segments`` translated, ``unique`` model inputs among
        them (a segment split for translation gives several), memory ``hits`` and ``misses``
        (both 0 without a memory) and inputs ``translated`` by the engine's models.
        ``converted`` (where this run converted any): per pair whose script the engine
        converts instead of translating (Simplified <-> Traditional Chinese), ``by`` what
        and the ``inputs`` it converted (not counted as ``translated``). ``copied``: per
        target, segments already in that language. ``flags``: per target, segments with
        each QA flag.
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
            **({"converted": {pair: {"by": by, "inputs": inputs}
                              for pair, (by, inputs) in sorted(self._converted.items())}}
               if self._converted else {}),
            **({"spans": {
                pair: {key: counts[key] for key in ("unique", "hits", "misses", "translated")}
                for pair, counts in sorted(self._span_pairs.items())
            }} if self._span_pairs else {}),
            **({"leftovers": {
                "replaced": self._leftovers["replaced"], "kept": self._leftovers["kept"],
                "missing": dict(sorted(self._leftovers_missing.items())),
            }} if self.leftovers == "translate" else {}),
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
        """Translate every segment of ``docs`` into every target language.

        A document whose translation raised an error other than a model's, or that the
        budget left unfinished, ends ``failed`` with the reason in its errors.
        """
        started = self.clock()
        errors: dict[int, str] = {}  # document index -> why its translation failed
        if self.leftovers == "translate":
            self.repair_leftovers(docs, errors)
        self.route_spans(docs, errors)
        # (src, tgt) -> model input -> the segments (document index, spans) it stands for
        pending: dict[Pair, dict[str, list[Use]]] = defaultdict(lambda: defaultdict(list))
        for tgt in self.targets:
            for d, doc in enumerate(docs):
                spans = _spans_by_segment(doc)
                marks = markdown.segment_marks(doc) if doc.markdown is not None else {}
                for seg in doc.segments():
                    src = (tgt if copied_as_is(seg.lang, seg.text, tgt)
                           else self.source_language(seg.lang, doc.lang, tgt))
                    if src == tgt:
                        seg.translations[tgt] = seg.text
                        self._copied[tgt] += 1
                    elif src is not None and seg.id in marks:  # Markdown inline markers
                        marked = markdown.Marked(doc, seg, marks[seg.id])
                        text = marked.protect(self._protector, normalize_text)
                        pending[src, tgt][text].append((d, seg, marked))  # type: ignore[arg-type]
                    elif src is not None:
                        own = [span for span in spans.get(seg.id, ())
                               if span.translations.get(tgt) is not None and src == doc.lang]
                        text, restored = self._protect(seg, own, tgt,
                                                       doc.protected.get(seg.id, ()))
                        pending[src, tgt][text].append((d, seg, restored))
        pairs = sorted(pending, key=lambda pair: (self.targets.index(pair[1]), pair[0]))
        plans: dict[Pair, _Plan] = {}
        for pair in pairs:
            users = {d for uses in pending[pair].values() for d, _, _ in uses}
            try:
                plans[pair] = self._plan(pair, sorted(pending[pair]))
            except Exception as exc:
                self._fail(pair, exc, users, errors)
        self._run(docs, pending, plans, started, errors)
        for pair, plan in plans.items():
            self._assemble(pair, pending[pair], plan)
        for d, why in sorted(errors.items()):
            docs[d].status = "failed"
            docs[d].errors.append(f"translate: {why}")
            docs[d].blocks = []
        return docs

    def _protect(self, seg: Segment, own: list[Span], tgt: str,
                 code: Sequence[Sequence[int]] = ()) -> tuple[str, Any]:
        """A segment's model input (the memory's text form, placeholders in) and what
        restores its translation: the spans of its placeholders (:func:`restore`), or a
        :class:`_Code` where it holds ``code``. ``code``: ranges of ``seg.text`` kept as
        they are (a page's inline code, ``Document.protected``), each one placeholder,
        restored byte for byte; ``own``: foreign spans translated on their own, each a
        placeholder restored with its own translation into ``tgt`` (spliced); then URLs,
        numbers... (:class:`~pipeline.protect.Protector`). A text that already reads as
        holding placeholders protects nothing, its code included."""
        raw = seg.text
        glued: list[tuple[bool, bool]] = []  # per code: a word right before it, after it
        if code:  # each code one sentinel while the text is normalised (as Markdown's),
            pieces, at = [], 0  # a word of its own (a space where the text has none)
            for number, (start, end) in enumerate(code):
                glued.append((bool(_WORD_CHAR.match(raw, max(start - 1, 0), start)),
                              bool(_WORD_CHAR.match(raw, end))))
                pieces += [raw[at:start], " " * glued[-1][0],
                           chr(markdown.SENTINEL_BASE + number), " " * glued[-1][1]]
                at = end
            raw = "".join(pieces) + raw[at:]
        text = normalize_text(raw)
        sentinels = ([(n, n + 1) for n, char in enumerate(text)
                      if ord(char) >= markdown.SENTINEL_BASE] if code else [])
        located = [(span, at) for span in own
                   if (at := _locate(text, seg.text, span)) is not None]
        protected = self._protector.protect(text, [
            *sentinels, *((at, at + len(normalize_text(span.text))) for span, at in located)])
        if sentinels and not protected.spans:  # as if it had no code
            return self._protect(seg, own, tgt)
        restored = list(protected.spans)
        for index, (span, _) in zip(protected.extra[len(sentinels):], located, strict=False):
            if index >= 0:
                restored[index] = span.translations[tgt] or span.text
        if not code:
            return protected.text, tuple(restored)
        return protected.text, _Code(tuple(restored),
                                     [seg.text[start:end] for start, end in code], glued)

    def repair_leftovers(self, docs: list[Document], errors: dict[int, str]) -> None:
        """Replace each strong foreign span (:func:`strong_leftover`) inside a segment of
        its document's language by its translation into that language, where a model
        (or the English pivot) has the pair; each replacement is a fix (stage
        ``repair``, kind ``foreign_leftover``, with the span's language). Spans without
        a model are kept and their pair counted in ``stats["leftovers"]["missing"]``.

        Done here, in the translate phase, because it needs the engine, and before the
        segments are translated, so that their translations read the repaired text.
        The texts go through the memory like any other (a probing pass asks for them
        too): the local and Ray executors give the same outputs.
        """
        wanted: dict[Pair, dict[str, list[tuple[int, Span]]]] = defaultdict(dict)
        for d, doc, span in _strong_spans(docs):
            if span.lang == doc.lang or not self.has_route(span.lang, doc.lang):
                self._leftovers["kept"] += 1
                self._leftovers_missing[f"{span.lang}-{doc.lang}"] += 1
                continue
            wanted[span.lang, doc.lang].setdefault(span.text, []).append((d, span))
        for pair in sorted(wanted):
            texts = sorted(wanted[pair])
            try:
                found = self._translate_texts(pair, texts)
            except Exception as exc:
                users = {d for uses in wanted[pair].values() for d, _ in uses}
                self._fail(pair, exc, users, errors)
                self._leftovers["kept"] += sum(map(len, wanted[pair].values()))
                continue
            for text in texts:
                for d, span in wanted[pair][text]:
                    after = found.get(text, "").strip()
                    if after and after != text:
                        _replace_leftover(docs[d], span, after)
                        self._leftovers["replaced"] += 1
                    else:
                        self._leftovers["kept"] += 1

    def route_spans(self, docs: list[Document], errors: dict[int, str]) -> int:
        """Translate the strong foreign spans left in segments of their document's
        language on their own, into each target (``span.translations``): a span already
        in the target stands as it is, a span without a model gets ``None``. The
        segment's translation then carries the span's own (see :meth:`process_batch`).
        Returns how many span translations were made."""
        wanted: dict[Pair, dict[str, list[tuple[int, Span]]]] = defaultdict(dict)
        for d, doc, span in _strong_spans(docs):
            for tgt in self.targets:
                if span.lang == tgt:
                    span.translations[tgt] = span.text
                elif span.lang != doc.lang and self.has_route(span.lang, tgt):
                    wanted[span.lang, tgt].setdefault(span.text, []).append((d, span))
                else:
                    span.translations[tgt] = None
        made = 0
        for pair in sorted(wanted):
            try:
                found = self._translate_texts(pair, sorted(wanted[pair]))
            except Exception as exc:
                users = {d for uses in wanted[pair].values() for d, _ in uses}
                self._fail(pair, exc, users, errors)
                found = {}
            for text, uses in wanted[pair].items():
                for _, span in uses:
                    span.translations[pair[1]] = found.get(text)
                    made += text in found
        return made

    def _translate_texts(self, pair: Pair, texts: list[str]) -> dict[str, str]:
        """Plain texts (spans) translated for ``pair`` through the memory and the engine.

        Their counts go to ``stats["spans"]``, not to the segments' ``pairs``: those are
        totals of the stored documents, which a rerun reports without translating."""
        key = f"{pair[0]}-{pair[1]}"
        before = self._pairs.pop(key, None)
        try:
            plan = self._plan(pair, texts)
            inputs = sorted({p.strip() for t in texts for p in plan.pieces[t]}
                            - plan.done.keys())
            for chunk in _chunks(inputs, plan.tokens, self.chunk_tokens):
                self._translate(pair, plan, chunk, {})
        finally:
            self._span_pairs[key].update(self._pairs.pop(key, Counter()))
            if before is not None:
                self._pairs[key] = before
        return {t: join_pieces(plan.pieces[t], [plan.done[p.strip()] for p in plan.pieces[t]])
                for t in texts if all(p.strip() in plan.done for p in plan.pieces[t])}

    def _fail(self, pair: Pair, exc: Exception, users: Iterable[int],
              errors: dict[int, str]) -> None:
        """Record an error: a model's costs its pair, any other its documents."""
        why = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, ModelError):  # a broken model costs its own pair, nothing else
            self.failed[pair] = why
            self.missing.add(pair)
        else:
            for d in users:
                errors.setdefault(d, why)

    def _count(self, texts: list[str], src: str, tgt: str) -> list[int]:
        count = getattr(self.engine, "count_tokens", None)
        if count is None:
            return [estimate_tokens(text) for text in texts]
        return list(count(texts, src, tgt))

    def _plan(self, pair: Pair, texts: list[str]) -> _Plan:
        """Split the long ``texts`` into pieces, and look the pieces up in the memory."""
        src, tgt = pair
        limit = self.max_input_tokens
        tokens: dict[str, int] = {}  # model input -> its tokens

        def count(inputs: Iterable[str]) -> None:
            unknown = sorted(set(inputs) - tokens.keys())
            if unknown:
                tokens.update(zip(unknown, self._count(unknown, src, tgt), strict=True))

        def split(piece: str) -> list[str]:
            n = tokens[piece.strip()]
            return [piece] if n <= limit else split_for_translation(piece, _chars(piece, n, limit))

        count(texts)
        pieces = {text: split(text) for text in texts}
        for _ in range(SPLIT_ROUNDS):  # the token density varies along a text
            count(p.strip() for parts in pieces.values() for p in parts)
            over = [text for text, parts in pieces.items()
                    if any(tokens[p.strip()] > limit for p in parts)]
            if not over:
                break
            for text in over:
                pieces[text] = [q for p in pieces[text] for q in split(p)]
        count(p.strip() for parts in pieces.values() for p in parts)
        inputs = sorted({p.strip() for parts in pieces.values() for p in parts})
        stats = self._pairs[f"{src}-{tgt}"]
        stats["unique"] += len(inputs)
        conversion = getattr(self.engine, "conversion", None)
        by = conversion(src, tgt) if conversion is not None else None
        if by is not None:  # the pair is converted, its texts found in the memory or not
            self._converted.setdefault(f"{src}-{tgt}", [by, 0])
        done = {"": ""} if "" in inputs else {}  # a piece of only spaces
        model = ""
        if self.memory is not None:
            model = self.engine.model_id(src, tgt)
            asked = [p for p in inputs if p]
            found = self.memory.get_many(model, src, tgt, asked)
            stats["hits"] += len(found)
            stats["misses"] += len(asked) - len(found)
            done.update(found)
        return _Plan(pieces, {p: tokens[p] for p in inputs}, done, model)

    def _run(self, docs: list[Document], pending: dict[Pair, dict[str, list[Use]]],
             plans: dict[Pair, _Plan], started: float, errors: dict[int, str]) -> None:
        """Send the pieces not in the memory to the engine, smallest documents first."""
        # document -> pair -> its model inputs still to translate, in order
        todo: list[dict[Pair, dict[str, None]]] = [defaultdict(dict) for _ in docs]
        for pair, plan in plans.items():
            for text, uses in pending[pair].items():
                for p in plan.pieces[text]:
                    if p.strip() not in plan.done:
                        for d, _, _ in uses:
                            todo[d][pair][p.strip()] = None
        weight = [sum(plans[pair].tokens[p] for pair, ps in todo[d].items() for p in ps)
                  for d in range(len(docs))]
        order = sorted(range(len(docs)), key=lambda d: (weight[d], d))
        # Consecutive documents of about chunk_tokens tokens, each translated before the next.
        groups: list[list[int]] = [[]]
        size = 0
        for d in order:
            if not weight[d]:
                continue
            if size and size + weight[d] > self.chunk_tokens:
                groups.append([])
                size = 0
            groups[-1].append(d)
            size += weight[d]
        cancel = self.cancel or (lambda: False)

        def over() -> bool:
            return (bool(self.budget_s) and self.clock() - started >= self.budget_s
                    or cancel())

        # An engine that takes ``stop`` also checks the budget between its own batches.
        stop = ({"stop": over} if (self.budget_s or self.cancel) and _takes_stop(self.engine)
                else {})
        calls = 0
        for group in groups:
            for pair in plans:
                plan = plans[pair]
                inputs = [p for d in group if d not in errors for p in todo[d].get(pair, ())]
                for chunk in _chunks(list(dict.fromkeys(
                        p for p in inputs if p not in plan.done)), plan.tokens, self.chunk_tokens):
                    if pair in self.failed:  # its model failed in an earlier chunk
                        break
                    if calls and over() or cancel():
                        self._expire(docs, todo, plans, errors)
                        return
                    calls += 1
                    sent = set(chunk)
                    users = [d for d in group if any(p in sent for p in todo[d].get(pair, ()))]
                    try:
                        finished = self._translate(pair, plan, chunk, stop)
                    except Exception as exc:
                        self._fail(pair, exc, users, errors)
                        continue
                    if not finished:  # the engine stopped on the budget
                        self._expire(docs, todo, plans, errors)
                        return

    def _translate(self, pair: Pair, plan: _Plan, chunk: list[str],
                   stop: dict[str, Callable[[], bool]]) -> bool:
        """Translate ``chunk`` into ``plan.done`` and the memory; False if the engine stopped."""
        src, tgt = pair
        chunk = sorted(chunk)
        outputs = self.engine.translate(chunk, src, tgt, **stop)
        fresh = {text: out for text, out in zip(chunk, outputs, strict=True) if out is not None}
        converted = self._converted.get(f"{src}-{tgt}")  # known since its plan (_plan)
        if converted is None:
            self._pairs[f"{src}-{tgt}"]["translated"] += len(fresh)
        else:  # a script converted, by no model
            converted[1] += len(fresh)
        if self.memory is not None and fresh:
            self.memory.put_many(plan.model, src, tgt, fresh)
        plan.done.update(fresh)
        return len(fresh) == len(chunk)

    def _expire(self, docs: list[Document], todo: list[dict[Pair, dict[str, None]]],
                plans: dict[Pair, _Plan], errors: dict[int, str]) -> None:
        why = (f"not translated within translate.shard_timeout_s ({self.budget_s:g} s for its "
               "shard); retried on the next run")
        for d in range(len(docs)):
            left = any(p not in plans[pair].done for pair, ps in todo[d].items()
                       if pair not in self.failed for p in ps)
            if left and d not in errors:
                errors[d] = why
                self.timed_out.append(docs[d].doc)

    def _assemble(self, pair: Pair, pending: dict[str, list[Use]], plan: _Plan) -> None:
        """Join each text's translated pieces and put them, restored, in its segments."""
        src, tgt = pair
        for text, uses in pending.items():
            parts = plan.pieces[text]
            if any(p.strip() not in plan.done for p in parts):
                continue
            output = join_pieces(parts, [plan.done[p.strip()] for p in parts])
            for _, seg, spans in uses:
                restored, lost = (spans.restore(output, tgt) if hasattr(spans, "restore")
                                  else restore(output, spans))
                seg.translations[tgt] = restored
                flags = qa_flags(text, output, lost)
                if len(parts) > 1:
                    flags.append("split_for_translation")
                if flags:
                    seg.flags[tgt] = flags
                self._flags[tgt].update(flags)
            self._pairs[f"{src}-{tgt}"]["segments"] += len(uses)


def _spans_by_segment(doc: Document) -> dict[str, list[Span]]:
    found: dict[str, list[Span]] = {}
    for span in doc.spans:
        if span.translations:
            found.setdefault(span.segment, []).append(span)
    return found


def _locate(text: str, raw: str, span: Span) -> int | None:
    """Where ``span`` (offsets into ``raw``) starts in ``text``, ``raw`` normalised
    (:func:`normalize_text` only removes characters, so it starts at most that many
    characters earlier); None when it is not found.

    >>> _locate("Em Nordkorea hoje", " Em  Nordkorea hoje", Span("Nordkorea", "de", 5, 14))
    3
    """
    wanted = normalize_text(span.text)
    at = text.find(wanted, max(0, span.start - (len(raw) - len(text))))
    return None if at < 0 or not wanted else at


def _strong_spans(docs: list[Document]) -> Iterator[tuple[int, Document, Span]]:
    """Each document's strong foreign spans (:func:`~pipeline.stages.repair.strong_leftover`)
    inside a segment of the document's own language, with the document and its index:
    the spans that leftovers repair and span routing act on."""
    for d, doc in enumerate(docs):
        if not doc.lang:
            continue
        segments = {seg.id: seg for seg in doc.segments()}
        for span in doc.spans:
            seg = segments.get(span.segment)
            if (seg is not None and seg.lang == doc.lang
                    and repair.strong_leftover(span.text, span.lang, doc.lang,
                                               repair.quoted_at(seg.text, span.start))):
                yield d, doc, span


def _replace_leftover(doc: Document, span: Span, after: str) -> None:
    """Put ``after`` in place of ``span`` in its segment and block; record the fix; move
    the offsets of the segment's later spans, and drop ``span`` from ``doc.spans``."""
    for block in doc.blocks:
        for seg in block.segments:
            if seg.id != span.segment or seg.text[span.start : span.end] != span.text:
                continue
            at = block.text.find(seg.text)
            new_text = repair.replace_span(seg.text, span.start, span.end, after)
            if at >= 0:
                block.text = block.text[:at] + new_text + block.text[at + len(seg.text):]
            seg.text = new_text
            shift = len(after) - len(span.text)
            for other in doc.spans:
                if other.segment == seg.id and other.start >= span.end:
                    other.start += shift
                    other.end += shift
            for code in doc.protected.get(seg.id, ()):  # a page's inline code after it
                if code[0] >= span.end:
                    code[0] += shift
                    code[1] += shift
            doc.spans.remove(span)
            doc.fix("repair", "foreign_leftover", span.text, after, span.lang)
            return


Pair = tuple[str, str]
Use = tuple[int, Segment, tuple[str, ...]]  # document index, segment, protected spans


class _Code:
    """How a translation of a segment holding inline code is restored: its placeholders
    (``spans``, where code number ``n`` is the sentinel ``SENTINEL_BASE + n``), then each
    code put in place of its sentinel, without the space its model input had where the
    code is glued to a word ("`struct`s": "ZZB s").

    >>> _Code(("\U000f0000",), ["struct"], [(False, True)]).restore("tuple ZZB s.", "en")
    ('tuple structs.', [])
    """

    def __init__(self, spans: tuple[str, ...], codes: list[str],
                 glued: list[tuple[bool, bool]]) -> None:
        self.spans, self.codes, self.glued = spans, codes, glued

    def restore(self, output: str, tgt: str) -> tuple[str, list[int]]:
        text, lost = restore(output, self.spans)
        text = markdown.close_up(text, [(not before, not after) for before, after in self.glued])
        for number, code in enumerate(self.codes):
            text = text.replace(chr(markdown.SENTINEL_BASE + number), code)
        return text, lost


class _Plan:
    """One pair's work: each text's pieces, each input's tokens, and the outputs known."""

    def __init__(self, pieces: dict[str, list[str]], tokens: dict[str, int],
                 done: dict[str, str], model: str) -> None:
        self.pieces = pieces
        self.tokens = tokens
        self.done = done
        self.model = model


def _takes_stop(engine: Engine) -> bool:
    """Whether ``engine.translate`` takes a ``stop`` callback (see ``ArgosEngine``)."""
    try:
        return "stop" in inspect.signature(engine.translate).parameters
    except (TypeError, ValueError):
        return False


def _chunks(inputs: list[str], tokens: dict[str, int], limit: int) -> Iterable[list[str]]:
    """Consecutive runs of ``inputs`` of at most ``limit`` tokens (one input at least).

    >>> list(_chunks(["a", "b", "c"], {"a": 3, "b": 2, "c": 4}, 5))
    [['a', 'b'], ['c']]
    """
    chunk: list[str] = []
    size = 0
    for text in inputs:
        if chunk and size + tokens[text] > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(text)
        size += tokens[text]
    if chunk:
        yield chunk


def estimate_tokens(text: str) -> int:
    """Subword tokens of ``text``, estimated from its characters when no tokenizer is at hand.

    SentencePiece vocabularies of 8k to 32k pieces cut news text in spaced scripts into
    about one token per 4 characters; a character of a script without spaces (CJK, Thai)
    is about a token of its own.

    >>> estimate_tokens("O porto reabriu na segunda-feira."), estimate_tokens("港口周一重新开放。")
    (9, 9)
    """
    unspaced = len(_UNSPACED.findall(text))
    return math.ceil((len(text) - unspaced) / 4) + unspaced


def _chars(text: str, tokens: int, limit: int) -> int:
    """Characters of ``text`` that hold about ``limit`` of its ``tokens``."""
    return max(1, len(text) * limit // max(1, tokens))


def split_for_translation(text: str, max_chars: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_chars`` characters; they join to ``text``.

    Each piece ends at the last sentence or clause mark (. ; : ! ? and their full-width
    forms) in its reach that leaves it a third of ``max_chars`` at least, else at the
    last comma or dash, else after the last space, else (a script without spaces, or
    one long token) after ``max_chars`` characters. Linear in the text's length.

    >>> split_for_translation("Um, dois; três e quatro, cinco seis sete.", 20)
    ['Um, dois; ', 'três e quatro, ', 'cinco seis sete.']
    >>> split_for_translation("um dois três quatro cinco", 10)
    ['um dois ', 'três ', 'quatro ', 'cinco']
    >>> split_for_translation("港口周一重新开放，船只开始进港。", 6)
    ['港口周一重新', '开放，', '船只开始进港', '。']
    >>> split_for_translation("short", 10)
    ['short']
    """
    pieces = []
    start = 0
    while len(text) - start > max_chars:
        end = start + max_chars
        cut = 0
        for pattern in _CUTS:
            cut = _last_end(pattern, text, start + max(1, max_chars // 3), end)
            if cut:
                break
        else:
            cut = _last_end(_SPACE, text, start + 1, end) or _hard_cut(text, start, end)
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _last_end(pattern: re.Pattern[str], text: str, low: int, high: int) -> int:
    """The last end in ``[low, high]`` of a match of ``pattern`` in ``text[:high]``; 0 if none.

    Scans ``text[low - 1:high]`` only: a cut moves the next window on by a third of it at
    least, so splitting a text reads each character a few times, whatever its length.
    """
    best = 0
    for match in pattern.finditer(text, max(0, low - 1), high):
        if match.end() >= low:
            best = match.end()
    return best


def _hard_cut(text: str, start: int, end: int) -> int:
    """``end``, moved back off a combining mark or out of a placeholder where it can be.

    >>> split_for_translation("abcdZZBC", 6), split_for_translation("abcdef\u0301gh", 6)
    (['abcd', 'ZZBC'], ['abcde', 'f\u0301gh'])
    """
    cut = end
    while cut > start + 1 and unicodedata.combining(text[cut]):
        cut -= 1
    inside = _PLACEHOLDER_AT.search(text, max(start, cut - 8), cut)
    if inside and inside.start() > start and cut < len(text) and text[cut].isupper():
        cut = inside.start()
    return cut


def join_pieces(pieces: Sequence[str], outputs: Sequence[str]) -> str:
    """The translations of ``pieces`` as one text: a space where the source had one, or
    where either side is a script written with spaces.

    >>> join_pieces(["Um, dois; ", "três."], ["One, two;", "three."])
    'One, two; three.'
    >>> join_pieces(["港口周一重新", "开放。"], ["港口周一重新", "开放。"])
    '港口周一重新开放。'
    >>> join_pieces(["港口周一重新", "开放。"], ["The port on Monday", "reopened."])
    'The port on Monday reopened.'
    """
    text = outputs[0]
    for piece, output in zip(pieces, outputs[1:], strict=False):
        if text and output and (piece[-1:].isspace() or not (
                _UNSPACED.match(text[-1]) and _UNSPACED.match(output[0]))):
            text += " "
        text += output
    return text


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
        gap, output = block.text[pos:start], seg.translations[tgt]
        if pieces and "\n" not in gap:
            gap = sentence_gap(pieces[-1], gap, output)
        pieces += [gap, output]
        pos = start + len(seg.text)
    pieces.append(block.text[pos:])
    return "".join(pieces)


_CLOSERS = "\"'\u201d\u2019\u300d\u300f\uff09)\u00bb\u300b"
# Chinese and Japanese (Han, kana, CJK and full-width punctuation): their sentences
# follow each other without a space. Thai, Lao, Myanmar and Khmer put one between.
_CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def sentence_gap(before: str, gap: str, after: str) -> str:
    """The space between two translated sentences of a line, the source's ``gap``
    unless the scripts differ in spacing: sentences of Chinese or Japanese, which
    follow each other without a space, get one in a target that writes spaces, and a
    Chinese or Japanese target loses the source's (Thai keeps it: a space ends its
    sentences).

    >>> sentence_gap("It opened.", "", "Will it work?"), sentence_gap("開いた。", " ", "本当？")
    (' ', '')
    >>> sentence_gap("It opened.", "  ", "Then."), sentence_gap("开了。", "", "是吗？")
    ('  ', '')
    >>> sentence_gap("ท่าเรือเปิดแล้ว", " ", "คนงานกลับมา")
    ' '
    """
    last = before.rstrip(_CLOSERS)[-1:]
    unspaced = bool(last and after and _CJK.match(last) and _CJK.match(after[0]))
    if unspaced:
        return ""
    return gap or (" " if before and after else "")


def translated_document(doc: Document, tgt: str) -> str | None:
    """The translated copy: the clean copy's blocks, each translated; None if incomplete."""
    blocks = [translated_block(block, tgt) for block in doc.blocks]
    if not blocks or any(b is None for b in blocks):
        return None
    return "\n\n".join(blocks) + "\n"  # type: ignore[arg-type]
