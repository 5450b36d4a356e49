"""The core function every executor runs: one shard of documents, read to translated.

A shard is a list of :class:`~pipeline.readers.Item` (documents as a reader found
them; a plain ``(doc id, raw bytes)`` pair is a text file). :class:`ShardProcessor` runs the
per-document stages on each document, then translates the whole shard in one
batch per language pair. It builds its stages once and its translation engine
only when a shard needs one, so a worker process (or Ray actor) that keeps one
ShardProcessor loads each model once.

Executors differ only in where this runs; the function and its results are the
same, which is why outputs are identical whichever executor ran.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import signal
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config, ConfigError
from pipeline.document import Document, Stage
from pipeline.languages import UNDETERMINED
from pipeline.log import debug_enabled, warn
from pipeline.memory import Key, OnFirstUse, PrefetchedMemory, TranslationMemory
from pipeline.protect import copied_as_is
from pipeline.readers import Item, as_item
from pipeline.stages.boilerplate import Boilerplate
from pipeline.stages.detect import Detect, preload_language_models
from pipeline.stages.normalize import Normalize
from pipeline.stages.read import DecodeError, Read, decode_bytes
from pipeline.stages.repair import Repair
from pipeline.stages.segment import Segmenter
from pipeline.stages.translate import Translate
from pipeline.state import digest
from pipeline.writers import json_line
from pipeline.writers.jsonl import document_line, segment_lines, segment_records
from pipeline.writers.review import Rendered, processed_source, render_section
from pipeline.writers.text import document_files

# What a shard translates with: the driver's file, or a worker's prefetched hits.
Memory = TranslationMemory | OnFirstUse | PrefetchedMemory

# A few lines in several languages: analysing them loads every detector and the
# detection word lists.
WARM_UP_TEXT = (
    "Notícia\n\nA Coréia do Norte e a Rússia: tensões.\nNordkorea und Südkorea. "
    "The port reopened. Le prix du pain augmente. El precio sube.\n"
).encode()
# Legacy-encoded bytes: decoding them loads the word lists of the dozen languages
# that judge an encoding (read.PLAUSIBILITY_LANGS, seconds of loading). Only done
# once a file that is not UTF-8 shows up: most corpora never need them.
LEGACY_WARM_UP = "Coréia do Norte, tensões; Südkorea; ¿qué?".encode("cp1252")


def is_utf8(data: bytes) -> bool:
    """True when ``data`` decodes as UTF-8 (with or without BOM).

    >>> is_utf8("Coréia".encode("utf-8")), is_utf8("Coréia".encode("cp1252"))
    (True, False)
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class DocumentOutput:
    """A processed document, serialised by the worker: all the runner has to write.

    Rendering here, in the worker, rather than in the runner keeps the one process
    that writes files doing little more than writing them.
    """

    doc: str
    status: str
    errors: list[str]
    files: dict[str, str]  # path relative to OUT -> text (clean and translated copies)
    record: str  # its documents.jsonl line
    # Its segments.jsonl lines and the whole Document as JSON (Document.to_json): text,
    # or for a document read from UTF8_BYTES or more, that text's UTF-8 (as_utf8), which
    # the state stores as the same text
    segments: str | bytearray
    document: str | bytearray
    section: Rendered | None = None  # its section of the review report, when rendered here
    # The sha256 of ``document`` (pipeline.state.digest): the state's summary and the
    # report's key of the section both need it, computed once here.
    json_digest: str = ""

    @classmethod
    def of(cls, doc: Document, targets: list[str], output: str = "") -> DocumentOutput:
        """``output``: the path of its copies under clean/ and translations/<lang>/
        (default: its id)."""
        ok = doc.status == "ok"
        # The largest first (the Document's JSON, then its digest), while nothing
        # else of the output is held yet.
        big = doc.source.size >= UTF8_BYTES
        document = as_utf8(doc) if big else doc.to_json()
        json_digest = digest_in_pieces(document)
        segments = (segment_utf8(doc, targets) if big else segment_lines(doc, targets)
                    ) if ok else ""
        return cls(doc.doc, doc.status, list(doc.errors),
                   document_files(doc, targets, output or doc.doc) if ok else {},
                   document_line(doc), segments, document, json_digest=json_digest)


# A document read from this many bytes or more has its JSON and its segments.jsonl lines
# made as UTF-8 (DocumentOutput.of): a 19 MB book's JSON is 72 M characters, 144 MB as
# a str with one curly quote in it, 74 MB as UTF-8; handing a str to SQLite adds its
# UTF-8 besides (cached on the string as long as it lives).
UTF8_BYTES = 1_000_000


def as_utf8(doc: Document) -> str | bytearray:
    """``doc``'s JSON as UTF-8 (:meth:`~pipeline.document.Document.json_utf8`), or as
    text where it cannot be encoded strictly (a lone surrogate: then SQLite refuses it,
    as it always did, in the runner)."""
    try:
        return doc.json_utf8()
    except UnicodeEncodeError:
        return doc.to_json()


def segment_utf8(doc: Document, targets: list[str]) -> str | bytearray:
    """:func:`~pipeline.writers.jsonl.segment_lines` as UTF-8, made a line at a time
    into one buffer (the text where it cannot be encoded strictly, see :func:`as_utf8`).

    >>> from pipeline.document import Block, Segment
    >>> seg = Segment("a.txt#1.1", "“Olá”")
    >>> d = Document("a.txt", blocks=[Block("title", "“Olá”", segments=[seg])])
    >>> segment_utf8(d, ["en"]) == segment_lines(d, ["en"]).encode()
    True
    """
    lines = bytearray()
    try:
        for record in segment_records(doc, targets):
            lines += json_line(record).encode()
    except UnicodeEncodeError:
        return segment_lines(doc, targets)
    return lines


# Characters of a Document's JSON encoded at a time for its digest.
DIGEST_PIECE = 1 << 20


def digest_in_pieces(document: str | bytearray) -> str:
    r""":func:`pipeline.state.digest` of ``document``, encoding a megabyte of characters
    at a time: encoding the whole JSON of a 19 MB book at once reserves three bytes a
    character for a moment (a 40 MB JSON: 120 MB), at the run's peak.

    >>> text = "“Olá”, \udc80 e " * 100_000
    >>> digest_in_pieces(text) == digest(text)
    True
    """
    if not isinstance(document, str) or len(document) <= DIGEST_PIECE:
        return digest(document)
    sha = hashlib.sha256()
    for start in range(0, len(document), DIGEST_PIECE):
        # surrogatepass encodes each code point alone: pieces encode as the whole does
        sha.update(document[start:start + DIGEST_PIECE].encode("utf-8", "surrogatepass"))
    return sha.hexdigest()


@dataclass
class ShardResult:
    """A processed shard: its documents, in input order, and what translation lacked."""

    docs: list[DocumentOutput]
    missing: dict[str, list[str]] = field(default_factory=dict)  # doc -> ["pt-en", ...]
    stats: dict = field(default_factory=dict)  # Translate.stats of this shard, timings
    counts: dict[str, dict] = field(default_factory=dict)  # doc -> translation_counts
    retry: list[str] = field(default_factory=list)  # failed in translation: retry next run
    # Translations made by a worker without the memory, for the driver to store.
    learned: dict[Key, dict[str, str]] = field(default_factory=dict)


@dataclass
class PendingShard:
    """A cleaned shard waiting for its memory hits (see :meth:`ShardProcessor.prepare`)."""

    wanted: dict[Key, list[str]]  # texts translation looks up, per (model, src, tgt)
    docs: bytes  # the cleaned documents, pickled: :meth:`ShardProcessor.finish` takes them


def build_stages(config: Config, candidates: list[str] | None = None) -> list[Stage]:
    """The per-document stages, in order (translation runs per shard, in batch).

    ``candidates``: the detection candidates (default: computed the one way,
    :func:`pipeline.factory.detection_candidates`). Each stage checks its options
    when built, so a bad config fails here, before any document is read.
    """
    if candidates is None:
        from pipeline.factory import detection_candidates

        candidates = detection_candidates(config)
    try:
        return [
            Read(),
            Normalize(),
            Boilerplate(extra_labels=config.labels or None),
            Repair(),
            Segmenter(),
            Detect(candidates, labels=config.labels or None),
        ]
    except ValueError as exc:
        raise ConfigError(f"configuration: {exc}") from None


class DocumentTimeout(Exception):
    """A document took longer than ``document_timeout_s``."""


# A document that does not compute (blocked on a read, say) is stopped after this many
# budgets of wall-clock time instead, not counting the time it waited for a processor.
BLOCKED_BUDGETS = 10
# Linux: this thread's nanoseconds on a processor, waiting for one, and its time slices.
SCHEDSTAT = "/proc/thread-self/schedstat"


def queued_seconds() -> float | None:
    """How long this thread has waited for a processor, ready to run (Linux's
    schedstat), in seconds; None where the system does not say.

    >>> queued = queued_seconds()
    >>> queued is None or queued >= 0
    True
    """
    try:
        with open(SCHEDSTAT, "rb") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`DocumentTimeout` in this block once it has used ``seconds`` of this
    thread's processor time (main thread only), or waited ``BLOCKED_BUDGETS`` times as
    long on the clock.

    Processor time, not the clock: whether a document is quarantined must not depend on
    how busy the machine is (a 17-processor-second document was quarantined under a
    60 s clock budget at load 13). An alarm set on the clock for what is left of the
    budget checks the thread's processor time when it rings, and sets itself again for
    the rest: the clock never runs slower than the thread, so it never rings early.
    SIGALRM interrupts Python code and regular expressions alike (the ``re`` engine
    checks for signals), so no pathological input can hold a worker. The clock's
    limit leaves out the time the thread was ready to run but waited for a processor
    (:func:`queued_seconds`, Linux): on a machine loaded past ``BLOCKED_BUDGETS``
    runnable threads a core, a document that computes is still judged by its
    processor time, never taken for a blocked one. Every executor
    runs shards in its process's main thread: this process, a local worker process,
    or a synchronous Ray actor (which checks it when it starts, see
    :mod:`pipeline.executors.ray`). Elsewhere than the main thread, where Python
    runs no signal handler, the block runs unbounded.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    started_cpu, started = time.thread_time(), time.monotonic()
    started_queued = queued_seconds()
    limit = BLOCKED_BUDGETS * seconds

    def expire(signum, frame):
        used, waited = time.thread_time() - started_cpu, time.monotonic() - started
        queued = queued_seconds()
        if queued is not None and started_queued is not None:
            waited -= queued - started_queued  # the machine's load, not the document
        if used < seconds and waited < limit:
            # At least a hundredth of the budget: a blocked thread rings it at most
            # 100 x BLOCKED_BUDGETS times.
            signal.setitimer(signal.ITIMER_REAL,
                             max(min(seconds - used, limit - waited), seconds / 100))
            return
        taken = (f"took more than {seconds:g} s of processor time" if used >= seconds
                 else f"waited more than {limit:g} s without finishing")
        raise DocumentTimeout(f"{taken} (document_timeout_s): "
                              "split the file, or raise document_timeout_s in the config")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_document(doc: Document, stages: list[Stage], timeout_s: float = 0) -> Document:
    """Run every stage on one document; an error marks it instead of raising.

    Bytes that are no text (binary, undecodable, empty) and documents over the time
    budget are quarantined; any other error marks the document failed. Either way
    the other documents go on.
    """
    if doc.status == "ok" and not doc.raw.strip():
        doc.status, doc.errors = "quarantined", ["empty file"]
    raw = doc.raw
    try:
        with deadline(timeout_s):
            doc = _run_stages(doc, stages)
    except DocumentTimeout as exc:
        doc.status, doc.errors = "quarantined", [str(exc)]
        doc.blocks = []
    if doc.status == "ok" and not doc.has_text() and not _markup_only(doc):
        doc.status, doc.errors = "quarantined", [nothing_left(raw)]
        doc.blocks = []
    doc.raw = b""
    return doc


def _markup_only(doc: Document) -> bool:
    """Whether ``doc`` is a Markdown file with no text but something else to copy (code,
    front matter, a table of numbers): its copies are that, as it is, not a quarantine."""
    if doc.markdown is None:
        return False
    from pipeline.readers.markdown import clean_copy

    return bool(clean_copy(doc).strip())


def nothing_left(raw: bytes) -> str:
    r"""The reason a document whose cleanup removed every character is quarantined,
    with what it held (its first characters, escaped).

    >>> nothing_left("\u200b\u200b\n".encode()).split(" (")[0]
    "no text left after cleanup: it held 7 bytes, '\\u200b\\u200b\\n'"
    """
    text = raw.decode("utf-8", "replace")
    shown = ascii(text[:40]) + ("..." if len(text) > 40 else "")
    return (f"no text left after cleanup: it held {len(raw)} bytes, {shown} (only what "
            "cleanup removes: invisible characters, interface lines); check its source")


# A document that failed for want of memory is not stored as done: the next run, given
# more memory or fewer workers, tries it again (as a translation that failed).
OUT_OF_MEMORY = "out of memory (MemoryError): the next run tries it again"


def _run_stages(doc: Document, stages: list[Stage]) -> Document:
    for stage in stages if doc.status == "ok" else []:
        try:
            doc = stage.process(doc)
        except DecodeError as exc:
            doc.status, doc.errors = "quarantined", [str(exc)]
        except DocumentTimeout:
            raise
        except MemoryError:  # the machine's memory or a limit, not the document's fault
            doc.status = "failed"
            doc.errors.append(f"{stage.name}: {OUT_OF_MEMORY}")
        except Exception as exc:  # one bad document must not stop the corpus
            doc.status = "failed"
            doc.errors.append(f"{stage.name}: {type(exc).__name__}: {exc}")
            if debug_enabled():
                warn("traceback", f"{doc.doc}: {stage.name}: {traceback.format_exc()}",
                     doc=doc.doc, stage=stage.name)
        if doc.status != "ok":
            doc.blocks = []
            break
    return doc


def make_engine(config: Config, packages_dir: Path | None = None):
    from pipeline.engines.base import make_engine as engine_for

    return engine_for(config, packages_dir)


class ShardProcessor:
    """Cleans, analyses and translates shards; keep one per worker.

    ``memory`` is the translation memory when this runs in the driver (the local
    executor's single worker). A worker elsewhere never opens the memory: it runs a
    shard in two halves, :meth:`prepare` (cleanup, analysis, and the texts to look
    up) and :meth:`finish` (translation with the hits the driver found), and the
    driver stores the result's ``learned`` translations.
    """

    def __init__(self, config: Config, engine=None, memory: Memory | None = None,
                 stages: list[Stage] | None = None):
        self.config = config
        self.stages = stages if stages is not None else build_stages(config)
        self._engine = engine
        self.memory = memory
        self.warmed: set[str] = set()  # "analysis", "legacy": what warm_up loaded
        self.prepared: set[tuple[str, str]] = set()  # pairs_to_prepare's answers so far

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.config)
        return self._engine

    def warm_up(self, shard: Sequence[Item | tuple[str, bytes]]) -> None:
        """Load word lists and detection models before any document's timer starts.

        The first use of a language's word list or a detector costs seconds; it
        must not count against one document's ``document_timeout_s``. The word
        lists that judge legacy encodings load only once ``shard`` holds a file
        that is not UTF-8.
        """
        if "analysis" not in self.warmed:
            if self.translates():  # it waits for them before its first batch
                for stage in self.stages:
                    if isinstance(stage, Detect):
                        preload_language_models(stage.scorer.candidates)
            process_document(Document(doc="warm-up", raw=WARM_UP_TEXT), self.stages)
            self.warmed.add("analysis")
        if "legacy" not in self.warmed and not all(is_utf8(as_item(i).raw) for i in shard):
            decode_bytes(LEGACY_WARM_UP)
            self.warmed.add("legacy")

    def translates(self) -> bool:
        """Whether an installed model translates into one of the targets: the warm-up then
        loads the detection models on every core (a run without one keeps the lower peak
        memory of loading them one after another)."""
        try:
            engine = self.engine
        except Exception:  # noqa: BLE001 - the translation reports it, as before
            return False
        pairs = getattr(engine, "pairs", None)
        if not callable(pairs):  # an engine that does not say (a test's stand-in)
            return False
        targets = set(self.config.targets)
        return any(tgt in targets for _, tgt in pairs())

    def pairs_to_prepare(self, doc: Document) -> list[tuple[str, str]]:
        """The language pairs a cleaned ``doc`` will be translated in, each returned once
        per processor (in order), when the engine can load a pair ahead
        (``prepare(src, tgt)``, see :meth:`pipeline.engines.argos.ArgosEngine.prepare`)
        and a model covers it; else none. Its own language's and its segments'
        languages, into each target that is not that language."""
        if doc.status != "ok":
            return []
        try:
            engine = self.engine
        except Exception:  # noqa: BLE001 - the translation reports it, as before
            return []
        if not callable(getattr(engine, "prepare", None)):
            return []
        done = self.prepared
        langs = dict.fromkeys([doc.lang, *(seg.lang for seg in doc.segments())])
        pairs = []
        for tgt in self.config.targets:
            for src in langs:
                if src and src not in (tgt, UNDETERMINED) and (src, tgt) not in done:
                    done.add((src, tgt))
                    if engine.route(src, tgt):
                        pairs.append((src, tgt))
        return pairs

    def __call__(self, shard: Sequence[Item | tuple[str, bytes]]) -> ShardResult:
        """The whole shard, with ``self.memory``."""
        docs = self.clean(shard)
        return self.translate(docs, self.memory, outputs_of(shard),
                              sources=sources_of(shard, docs))

    def clean(self, shard: Sequence[Item | tuple[str, bytes]]) -> list[Document]:
        """Every document through the per-document stages, each within its time budget.

        A document its reader quarantined goes through no stage; an HTML page has its
        main text extracted first (:class:`~pipeline.readers.html.ExtractHtml`).
        """
        self.warm_up(shard)
        return [self.clean_document(item) for item in shard]

    def clean_document(self, item: Item | tuple[str, bytes]) -> Document:
        """One document of a shard through the per-document stages (call
        :meth:`warm_up` with its shard first): what :meth:`clean` does to each."""
        item = as_item(item)
        doc = Document(doc=item.doc, raw=item.raw, metadata=dict(item.metadata))
        if item.problem:
            doc.status, doc.errors = "quarantined", [item.problem]
        stages = self.stages
        if item.kind == "html":
            from pipeline.readers.html import html_stages

            stages = html_stages(stages)
        elif item.kind == "markdown":
            from pipeline.readers.markdown import markdown_stages

            stages = markdown_stages(stages)
        return process_document(doc, stages, self.config.document_timeout_s)

    def prepare(self, shard: Sequence[Item | tuple[str, bytes]]) -> ShardResult | PendingShard:
        """The first half, for a worker without the memory: the cleaned shard and the
        texts its translation looks up, or the whole result when it looks up none.

        The texts are found by translating the shard with an engine that translates
        nothing (:class:`_Probe`), into a memory that records what it is asked: the same
        code asks for the same texts in :meth:`finish`.
        """
        docs = self.clean(shard)
        outputs, sources = outputs_of(shard), sources_of(shard, docs)
        ok = [d for d in docs if d.status == "ok"]
        if not ok:
            return self.translate(docs, None, outputs, sources=sources)
        blob = pickle.dumps((docs, outputs, sources), protocol=pickle.HIGHEST_PROTOCOL)
        probe = PrefetchedMemory()
        self._translator(_Probe(self.engine), probe).process_batch(ok)
        if not probe.wanted:  # nothing to translate: copies, or no model
            cleaned, outputs, sources = pickle.loads(blob)
            return self.translate(cleaned, PrefetchedMemory(), outputs, sources=sources)
        return PendingShard(probe.wanted, blob)

    def finish(self, docs: bytes, hits: dict[Key, dict[str, str]]) -> ShardResult:
        """The second half: translate the cleaned shard (``PendingShard.docs``), taking
        the driver's ``hits``; the result's ``learned`` is for the driver to store."""
        memory = PrefetchedMemory(hits)
        cleaned, outputs, sources = pickle.loads(docs)
        result = self.translate(cleaned, memory, outputs, sources=sources)
        result.learned = memory.learned
        return result

    def _translator(self, engine, memory: Memory | None, budget_s: float = 0,
                    cancel: Callable[[], bool] | None = None) -> Translate:
        return Translate(engine, self.config.targets, memory, self.config.translate.terms,
                         budget_s=budget_s, leftovers=self.config.repair.leftovers,
                         cancel=cancel)

    def translate(self, docs: list[Document], memory: Memory | None,
                  outputs: dict[str, str] | None = None,
                  cancel: Callable[[], bool] | None = None,
                  sources: dict[str, bytes | str | None] | None = None) -> ShardResult:
        """Translate the cleaned documents that are ok, in one batch per language pair.

        ``outputs``: the path of each document's copies (default: its id). ``cancel``:
        see :class:`~pipeline.stages.translate.Translate` (once it says so, no more
        engine batches start; the result is then for no one to commit). ``sources``
        (:func:`sources_of`): given, each document's section of the review report is
        rendered here too (its CPU seconds: the stats' ``timings`` ``sections``).

        ``docs`` is emptied once their outputs are made: the result holds all of them
        that is written, and a big document's objects are then not kept through the
        commit by the caller's list.
        """
        size = sum(doc.source.size for doc in docs)
        result = self._translate(docs, memory, outputs, cancel, sources)
        docs.clear()  # the result holds all that is written
        if size >= TRIM_BYTES:
            release_freed_memory()
        return result

    def _translate(self, docs: list[Document], memory: Memory | None,
                   outputs: dict[str, str] | None, cancel: Callable[[], bool] | None,
                   sources: dict[str, bytes | str | None] | None) -> ShardResult:
        ok = [d for d in docs if d.status == "ok"]
        missing: dict[str, list[str]] = {}
        stats: dict = {}
        counts: dict[str, dict] = {}
        retry = [d.doc for d in docs if d.status == "failed"
                 and any(e.endswith(OUT_OF_MEMORY) for e in d.errors)]
        if ok:
            started = time.perf_counter()
            translate = self._translator(self.engine, memory,
                                         self.config.translate.shard_timeout_s, cancel)
            translate.process_batch(ok)
            # A translation that failed (over the budget, or an error) is retried next run.
            retry += [doc.doc for doc in ok if doc.status != "ok"]
            ok = [doc for doc in ok if doc.status == "ok"]
            # "timings" (seconds) is taken out by the runner, not counted with the rest.
            stats = {**translate.stats, "timings": {"translate": time.perf_counter() - started}}
            counts = {doc.doc: translation_counts(doc, translate) for doc in ok}
            for doc in ok:
                gaps = sorted(
                    {f"{s.lang or doc.lang}-{t}" for s in doc.segments() for t in
                     self.config.targets if t not in s.translations}
                )
                if gaps:
                    missing[doc.doc] = gaps
        targets = self.config.targets
        outputs = outputs or {}
        done = [DocumentOutput.of(doc, targets, outputs.get(doc.doc, "")) for doc in docs]
        if sources is not None:
            started = time.thread_time()
            for doc, out in zip(docs, done, strict=True):
                out.section = render_section(doc, out.document, targets, sources.get(doc.doc),
                                             out.json_digest)
            timings = stats.setdefault("timings", {})
            timings["sections"] = time.thread_time() - started
        return ShardResult(done, missing, stats, counts, retry)


# A shard whose documents read this many bytes or more gives the memory their objects
# held back to the system once they are done with (see release_freed_memory).
TRIM_BYTES = 4_000_000


def release_freed_memory() -> None:
    """Give the free memory of the C library's heap back to the system (glibc's
    ``malloc_trim``; elsewhere nothing): a big book's many small objects, freed, leave
    holes the next large allocations (the commit's) do not fill. A 19 MB book's run
    peaked 65 MB lower with it.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def sources_of(shard: Sequence[Item | tuple[str, bytes]], docs: Sequence[Document]
               ) -> dict[str, bytes | str | None]:
    """Each cleaned document's source as the review report shows it
    (:func:`~pipeline.writers.review.processed_source`), from the shard's bytes."""
    items = {item.doc: item for item in map(as_item, shard)}
    return {doc.doc: processed_source(item.raw, item.record, item.kind, doc)
            for doc in docs if (item := items.get(doc.doc)) is not None}


def outputs_of(shard: Sequence[Item | tuple[str, bytes]]) -> dict[str, str]:
    """Each document's copy path, where it is not its id (an HTML page, a record).

    >>> outputs_of([("a.txt", b"x"), Item("b.html", b"", kind="html", output="b.html.txt")])
    {'b.html': 'b.html.txt'}
    """
    items = map(as_item, shard)
    return {item.doc: item.output for item in items if item.output and item.output != item.doc}


def translation_counts(doc: Document, translate: Translate) -> dict:
    """One document's share of the report's translation totals, kept in the state so
    that a rerun that translates nothing reports the same totals: its segments
    translated per pair, copied per target (already in that language) and QA flags
    per target. Zero counts are left out."""
    pairs: Counter[str] = Counter()
    copied: Counter[str] = Counter()
    flags: dict[str, Counter[str]] = {}
    for seg in doc.segments():
        for tgt in translate.targets:
            if tgt not in seg.translations:
                continue
            if copied_as_is(seg.lang, seg.text, tgt):  # as the stage decided
                copied[tgt] += 1
            else:  # the language it was translated from, as the stage chose it
                pairs[f"{translate.source_language(seg.lang, doc.lang, tgt)}-{tgt}"] += 1
            if seg.flags.get(tgt):
                flags.setdefault(tgt, Counter()).update(seg.flags[tgt])
    return {
        key: value for key, value in (
            ("pairs", dict(sorted(pairs.items()))),
            ("copied", dict(sorted(copied.items()))),
            ("flags", {t: dict(sorted(c.items())) for t, c in sorted(flags.items())}),
        ) if value
    }


class _Probe:
    """An engine that translates nothing (each text comes back as it is); everything
    else, routes and model ids, is the real engine's. See :meth:`ShardProcessor.prepare`."""

    def __init__(self, engine) -> None:
        self._engine = engine

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        return list(texts)
