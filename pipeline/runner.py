"""The runner: reads the corpus, runs the stages, hands results to the writers.

Stages never touch files; everything that reads, writes, locks or times lives
here. One failing document never stops the others: it is recorded with its error
and the run finishes with exit code 3.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.config import Config, ConfigError
from pipeline.document import Document, Stage
from pipeline.stages.boilerplate import Boilerplate
from pipeline.stages.detect import Detect
from pipeline.stages.normalize import Normalize
from pipeline.stages.read import Read
from pipeline.stages.repair import Repair
from pipeline.stages.segment import Segmenter
from pipeline.stages.translate import Translate
from pipeline.writers import atomic_write
from pipeline.writers.jsonl import write_documents, write_segments
from pipeline.writers.text import write_clean, write_translations

# Files the pipeline reads as documents; everything else is listed as skipped.
DOCUMENT_SUFFIXES = (".txt", ".md")

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3  # failed documents or missing translation models
EXIT_LOCKED = 75  # another run holds OUT's lock (EX_TEMPFAIL: try again later)


class UsageError(Exception):
    """Bad arguments or configuration: the message says what to do (exit 2)."""


class LockedError(Exception):
    """Another run is writing to the same output directory (exit 75)."""


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class RunResult:
    docs: list[Document]
    skipped: list[Skipped]
    missing: list[tuple[str, str]]
    report: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        failed = any(d.status != "ok" for d in self.docs)
        return EXIT_INCOMPLETE if failed or self.missing else EXIT_OK


def discover(corpus: Path) -> tuple[list[Path], list[Skipped]]:
    """Documents under ``corpus`` in a stable order, and what was skipped with why."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    root = corpus.resolve()
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus).as_posix()
        if path.is_dir():
            continue
        if not path.resolve().is_relative_to(root):
            skipped.append(Skipped(rel, "symbolic link pointing outside the corpus"))
        elif not path.is_file():
            skipped.append(Skipped(rel, "not a regular file"))
        elif path.suffix.lower() not in DOCUMENT_SUFFIXES:
            skipped.append(Skipped(rel, "not a .txt or .md file"))
        else:
            files.append(path)
    return files, skipped


def build_stages(config: Config) -> list[Stage]:
    """The per-document stages, in order (translation runs later, in batch).

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
    """Run every stage on one document; an error marks it failed instead of raising."""
    for stage in stages:
        try:
            doc = stage.process(doc)
        except Exception as exc:  # one bad document must not stop the corpus
            doc.status = "failed"
            doc.errors.append(f"{stage.name}: {type(exc).__name__}: {exc}")
            doc.blocks = []
            break
    doc.raw = b""
    return doc


def make_engine(config: Config):
    from pipeline.engines.argos import ArgosEngine

    t = config.translate
    return ArgosEngine(
        beam_size=t.beam_size,
        compute_type=t.compute_type,
        threads=t.threads or None,
        max_batch_tokens=t.max_batch_tokens,
        max_decoding_ratio=t.max_decoding_ratio,
    )


def run(
    corpus: Path,
    out: Path,
    config: Config,
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr),
    engine=None,
) -> RunResult:
    """Process ``corpus`` into ``out``; see the output contract in README.md."""
    if not corpus.is_dir():
        raise UsageError(f"corpus directory {corpus} does not exist or is not a directory")
    if out.resolve().is_relative_to(corpus.resolve()):
        raise UsageError(f"output directory {out} is inside the corpus; choose --out elsewhere")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create output directory {out}: {exc.strerror}") from None
    lock = FileLock(str(out / ".pipeline.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise LockedError(f"another pipeline run is writing to {out}; try again later") from None
    try:
        return _run_locked(corpus, out, config, log, engine)
    finally:
        lock.release()


def _run_locked(corpus, out, config, log, engine) -> RunResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    files, skipped = discover(corpus)
    log(f"{len(files)} documents in {corpus} ({len(skipped)} other files skipped)")

    stages = build_stages(config)
    docs = []
    for path in files:
        doc = Document(doc=path.relative_to(corpus).as_posix())
        try:
            if path.stat().st_size > config.max_file_bytes:
                limit = config.max_file_bytes
                skipped.append(Skipped(doc.doc, f"larger than max_file_bytes ({limit})"))
                continue
            doc.raw = path.read_bytes()
        except OSError as exc:
            doc.status, doc.errors = "failed", [f"read: {exc.strerror}"]
        docs.append(process_document(doc, stages) if doc.status == "ok" else doc)
    timings["cleanup_and_detect"] = time.perf_counter() - started

    t0 = time.perf_counter()
    translate = Translate(engine or make_engine(config), config.targets)
    translate.process_batch([d for d in docs if d.status == "ok"])
    missing = sorted(translate.missing)
    timings["translate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    written: Counter[str] = Counter()
    for doc in docs:
        if doc.status == "ok":
            write_clean(out, doc)
            written.update(write_translations(out, doc, config.targets))
    write_documents(out / "documents.jsonl", docs)
    write_segments(out / "segments.jsonl", [d for d in docs if d.status == "ok"], config.targets)
    timings["write"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started

    result = RunResult(docs, skipped, missing)
    result.report = build_report(result, config, written, timings)
    report_text = json.dumps(result.report, ensure_ascii=False, indent=2) + "\n"
    atomic_write(out / "report.json", report_text)
    return result


def build_report(result: RunResult, config: Config, written: Counter, timings: dict) -> dict:
    from pipeline.engines.argos import install_command

    docs = result.docs
    fixes = Counter(f.kind for d in docs for f in d.fixes)
    return {
        "documents": len(docs),
        "ok": sum(d.status == "ok" for d in docs),
        "failed": [{"doc": d.doc, "errors": d.errors} for d in docs if d.status != "ok"],
        "skipped": [vars(s) for s in result.skipped],
        "languages": dict(sorted(Counter(d.lang for d in docs if d.lang).items())),
        "segments": sum(len(d.segments()) for d in docs),
        "fixes_by_kind": dict(sorted(fixes.items())),
        "removed": sum(len(d.removed) for d in docs),
        "targets": config.targets,
        "translated_documents": {t: written.get(t, 0) for t in config.targets},
        "missing_models": [
            {"pair": f"{s}-{t}", "install": install_command(s, t)} for s, t in result.missing
        ],
        "config": config.fingerprint(),
        "exit_code": result.exit_code,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
