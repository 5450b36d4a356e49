"""The core function every executor runs: one shard of documents, read to translated.

A shard is a list of ``(doc id, raw bytes)``. :class:`ShardProcessor` runs the
per-document stages on each document, then translates the whole shard in one
batch per language pair. It builds its stages once and its translation engine
only when a shard needs one, so a worker process (or Ray actor) that keeps one
ShardProcessor loads each model once.

Executors differ only in where this runs; the function and its results are the
same, which is why outputs are identical whichever executor ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config, ConfigError
from pipeline.document import Document, Stage
from pipeline.stages.boilerplate import Boilerplate
from pipeline.stages.detect import Detect
from pipeline.stages.normalize import Normalize
from pipeline.stages.read import DecodeError, Read
from pipeline.stages.repair import Repair
from pipeline.stages.segment import Segmenter
from pipeline.stages.translate import Translate


@dataclass
class ShardResult:
    """A processed shard: its documents, in input order, and what translation lacked."""

    docs: list[Document]
    missing: dict[str, list[str]] = field(default_factory=dict)  # doc -> ["pt-en", ...]


def build_stages(config: Config) -> list[Stage]:
    """The per-document stages, in order (translation runs per shard, in batch).

    Each stage checks its options when built, so a bad config fails here, before
    any document is read.
    """
    try:
        return [
            Read(),
            Normalize(),
            Boilerplate(extra_labels=config.labels or None),
            Repair(),
            Segmenter(),
            Detect(config.candidates()),
        ]
    except ValueError as exc:
        raise ConfigError(f"configuration: {exc}") from None


def process_document(doc: Document, stages: list[Stage]) -> Document:
    """Run every stage on one document; an error marks it instead of raising.

    Bytes that are no text (binary, undecodable, empty) quarantine the document;
    any other error marks it failed. Either way the other documents go on.
    """
    if not doc.raw.strip():
        doc.status, doc.errors = "quarantined", ["empty file"]
    for stage in stages if doc.status == "ok" else []:
        try:
            doc = stage.process(doc)
        except DecodeError as exc:
            doc.status, doc.errors = "quarantined", [str(exc)]
        except Exception as exc:  # one bad document must not stop the corpus
            doc.status = "failed"
            doc.errors.append(f"{stage.name}: {type(exc).__name__}: {exc}")
        if doc.status != "ok":
            doc.blocks = []
            break
    doc.raw = b""
    return doc


def make_engine(config: Config, packages_dir: Path | None = None):
    from pipeline.engines.argos import ArgosEngine

    t = config.translate
    return ArgosEngine(
        beam_size=t.beam_size,
        compute_type=t.compute_type,
        threads=t.threads or None,
        max_batch_tokens=t.max_batch_tokens,
        max_decoding_ratio=t.max_decoding_ratio,
        packages_dir=packages_dir,
    )


class ShardProcessor:
    """Cleans, analyses and translates shards; keep one per worker."""

    def __init__(self, config: Config, engine=None):
        self.config = config
        self.stages = build_stages(config)
        self._engine = engine

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.config)
        return self._engine

    def __call__(self, shard: list[tuple[str, bytes]]) -> ShardResult:
        docs = [process_document(Document(doc=d, raw=raw), self.stages) for d, raw in shard]
        ok = [d for d in docs if d.status == "ok"]
        missing: dict[str, list[str]] = {}
        if ok:
            translate = Translate(self.engine, self.config.targets)
            translate.process_batch(ok)
            for doc in ok:
                gaps = sorted(
                    {f"{s.lang or doc.lang}-{t}" for s in doc.segments() for t in
                     self.config.targets if t not in s.translations}
                )
                if gaps:
                    missing[doc.doc] = gaps
        return ShardResult(docs, missing)
