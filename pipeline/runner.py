"""The runner: reads the corpus, schedules shards, writes outputs, keeps state.

Stages never touch files; everything that reads, writes, locks or times lives
here. A run:

1. takes OUT's lock (a second run exits 75) and removes temporary files a killed
   run left behind;
2. walks CORPUS in a stable order; a document whose bytes and configuration
   fingerprint match the state store is skipped, bad inputs are quarantined;
3. sends the rest in shards to the executor (clean, analyse, translate), writes
   each document's own files and then commits its state row;
4. rebuilds the aggregate files (documents.jsonl, segments.jsonl, parallel/...)
   from the state store, never by re-translating, and writes report.json.

SIGINT and SIGTERM stop the scheduling of new shards: the shards in flight are
finished and written, then the aggregates and report, and the run exits 130/143.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline import __version__
from pipeline.config import Config, ConfigError
from pipeline.document import Document
from pipeline.executors import make_executor, start_early
from pipeline.log import RunLog
from pipeline.memory import OnFirstUse
from pipeline.shard import ShardResult, build_stages
from pipeline.state import StateStore, StoredDocument
from pipeline.writers import atomic_open, atomic_write, sweep_temporary, sync_to_disk
from pipeline.writers.html import corpus_sources, write_html
from pipeline.writers.jsonl import check_targets
from pipeline.writers.parallel import write_parallel
from pipeline.writers.text import write_files

# Files the pipeline reads as documents; everything else is listed as skipped.
DOCUMENT_SUFFIXES = (".txt", ".md")
STATE_DIR = ".pipeline"

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3  # failed or quarantined documents, or missing translation models
EXIT_OUTPUT = 74  # OUT cannot be written: disk full, read-only... (EX_IOERR)
EXIT_LOCKED = 75  # another run holds OUT's lock (EX_TEMPFAIL: try again later)
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


class UsageError(Exception):
    """Bad arguments: the message says what to do (exit 2)."""


class LockedError(Exception):
    """Another run is writing to the same output directory (exit 75)."""


class OutputError(Exception):
    """OUT cannot be written (exit 74); what was there before is left as it was."""


@dataclass
class RunOptions:
    force: bool = False  # reprocess every document
    prune: bool = False  # remove outputs of documents deleted from the corpus
    dry_run: bool = False  # say what would happen, write nothing
    executor: str = "local"
    workers: int = 1
    ray_address: str | None = None
    shard_docs: int = 32  # documents per shard
    no_cache: bool = False  # bypass the translation memory


@dataclass
class Entry:
    """One file found in the corpus: a document to read, or a reason it is not."""

    doc: str
    path: Path
    problem: str = ""  # quarantine reason
    skip: str = ""  # not a document (other file type)


@dataclass
class RunResult:
    report: dict = field(default_factory=dict)
    exit_code: int = EXIT_OK


def discover(corpus: Path, max_bytes: int) -> Iterator[Entry]:
    """Every file under ``corpus`` in a stable order, with what to do with it.

    Never follows a link out of the corpus, never reads a file over ``max_bytes``.
    """
    root = corpus.resolve()
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        base = Path(dirpath)
        for name in dirnames:
            if (base / name).is_symlink() and not (base / name).resolve().is_relative_to(root):
                rel = (base / name).relative_to(corpus).as_posix()
                yield Entry(rel, base / name, problem="symbolic link pointing outside the corpus")
        dirnames[:] = [
            n for n in dirnames if not (base / n).is_symlink() or
            (base / n).resolve().is_relative_to(root)
        ]
        for name in sorted(filenames):
            path = base / name
            rel = path.relative_to(corpus).as_posix()
            yield _classify(Entry(rel, path), root, max_bytes)


def _classify(entry: Entry, root: Path, max_bytes: int) -> Entry:
    path = entry.path
    try:
        entry.doc.encode("utf-8")
    except UnicodeEncodeError:
        entry.doc = entry.doc.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        entry.problem = "file name is not valid UTF-8; rename it"
        return entry
    if path.suffix.lower() not in DOCUMENT_SUFFIXES:
        entry.skip = "not a .txt or .md file"
    elif path.is_symlink() and not path.resolve().is_relative_to(root):
        entry.problem = "symbolic link pointing outside the corpus"
    elif not path.is_file():
        entry.problem = "not a regular file"
    else:
        try:
            size = path.stat().st_size
        except OSError as exc:
            entry.problem = f"cannot read: {exc.strerror}"
        else:
            if size > max_bytes:
                entry.problem = f"larger than max_file_bytes ({size} > {max_bytes})"
    return entry


def fingerprint(config: Config) -> str:
    """What decides a document's outputs besides its bytes: config, models, version."""
    from pipeline.engines.argos import installed_packages

    models = sorted(f"{p.package_id}@{p.path.name}" for p in installed_packages())
    blob = json.dumps([__version__, config.fingerprint(), models], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Runner:
    """One run of the pipeline over ``corpus`` into ``out``."""

    def __init__(self, corpus: Path, out: Path, config: Config, options: RunOptions | None = None,
                 log: RunLog | None = None, engine=None):
        self.corpus, self.out, self.config = corpus, out, config
        self.options = options or RunOptions()
        self.log = log or RunLog()
        self.engine = engine  # injected by tests; otherwise each worker makes its own
        self.stop_signal: int | None = None
        self.quarantined: list[dict] = []
        self.skipped: list[dict] = []
        self.counts: Counter[str] = Counter()
        self._hashes: dict[str, str] = {}
        self.translation: dict = {}  # this run's translation counts, summed over shards
        self.stages: list = []  # built by run(), before any work

    # -- entry point -------------------------------------------------------------
    def run(self) -> RunResult:
        if not self.corpus.is_dir():
            raise UsageError(f"corpus directory {self.corpus} does not exist or is not a directory")
        if self.out.resolve().is_relative_to(self.corpus.resolve()):
            raise UsageError(f"output directory {self.out} is inside the corpus; "
                             "choose --out elsewhere")
        # Configuration errors before any work; an in-process worker reuses these stages.
        try:
            check_targets(self.config.targets)
        except ValueError as exc:
            raise ConfigError(f"configuration: {exc}") from None
        self.stages = build_stages(self.config)
        if self.options.dry_run:
            return self._dry_run()
        try:
            (self.out / STATE_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create output directory {self.out}: {exc.strerror}") from None
        lock = FileLock(str(self.out / STATE_DIR / "lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise LockedError(f"another pipeline run ({self._holder()}) is writing to "
                              f"{self.out}; try again when it has finished") from None
        except OSError as exc:
            raise OutputError(f"cannot lock {self.out}: {exc.strerror or exc}") from None
        try:
            atomic_write(self.out / STATE_DIR / "lock.json", json.dumps(
                {"pid": os.getpid(), "host": socket.gethostname()}) + "\n")
            return self._run_locked()
        except (OSError, sqlite3.OperationalError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise OutputError(
                f"cannot write to {self.out}: {reason}. Outputs and state from earlier runs "
                "are intact (files are replaced only when complete); free space or fix "
                "permissions and run again: documents already committed are not redone"
            ) from None
        finally:
            lock.release()

    def _holder(self) -> str:
        try:
            info = json.loads((self.out / STATE_DIR / "lock.json").read_text())
            return f"pid {info['pid']} on {info['host']}"
        except (OSError, ValueError, KeyError):
            return "holder unknown"

    # -- the run -----------------------------------------------------------------
    def _run_locked(self) -> RunResult:
        started = time.perf_counter()
        sweep_temporary(self.out)
        state = StateStore(self.out / STATE_DIR / "state.sqlite")
        try:
            known = state.known()
            todo = self._sort_entries(discover(self.corpus, self.config.max_file_bytes))
            new = len(todo) if self.options.force else sum(e.doc not in known for e in todo)
            if new > self.options.shard_docs:  # several shards of work for sure
                start_early(self.options.executor, self.options.workers)
            fp = fingerprint(self.config)
            self.log.event("start", f"{len(todo)} documents in {self.corpus}",
                           documents=len(todo), out=str(self.out))
            self._process(todo, known, fp, state)
            deleted = sorted(set(known) - {e.doc for e in todo})
            if self.options.prune:
                for doc in deleted:
                    self._remove_outputs(state.outputs(doc))
                    state.delete(doc)
                self.counts["pruned"] = len(deleted)
            if self.counts["processed"] or self.counts["pruned"] or not self._aggregates_exist():
                self._write_aggregates(state)
            timings = {"total": round(time.perf_counter() - started, 3)}
            return self._report(state, [] if self.options.prune else deleted, timings)
        finally:
            state.close()

    def _on_signal(self, signum: int, frame) -> None:
        if self.stop_signal is None:
            self.log.event("stopping", f"received {signal.Signals(signum).name}: finishing the "
                           "documents in progress, then writing the report", signal=signum)
        self.stop_signal = signum

    def _sort_entries(self, entries: Iterable[Entry]) -> list[Entry]:
        """Documents to consider; other files go to ``skipped``, bad ones to ``quarantined``."""
        todo = []
        for entry in entries:
            if entry.skip:
                self.skipped.append({"path": entry.doc, "reason": entry.skip})
            elif entry.problem:
                self.quarantined.append({"doc": entry.doc, "reason": entry.problem})
            else:
                todo.append(entry)
        return todo

    def _shards(self, todo: list[Entry], known: dict, fp: str) -> Iterator[list[tuple[str, bytes]]]:
        """New and changed documents, read, in shards; stops early on a signal."""
        shard: list[tuple[str, bytes]] = []
        for entry in todo:
            if self.stop_signal is not None:
                return
            try:
                data = entry.path.read_bytes()
            except OSError as exc:
                reason = f"cannot read: {exc.strerror}"
                self.quarantined.append({"doc": entry.doc, "reason": reason})
                continue
            sha = hashlib.sha256(data).hexdigest()
            if not self.options.force and known.get(entry.doc, ("",))[:2] == (sha, fp):
                self.counts["unchanged"] += 1
                self.log.advance()
                continue
            self._hashes[entry.doc] = sha
            shard.append((entry.doc, data))
            if len(shard) >= self.options.shard_docs:
                yield shard
                shard = []
        if shard:
            yield shard

    def _process(self, todo: list[Entry], known: dict, fp: str, state: StateStore) -> None:
        self.log.start_progress(len(todo))
        # The driver alone opens the translation memory: executors look hits up for
        # their workers and store what comes back (workers need no shared disk).
        memory = None
        if not self.options.no_cache:
            memory = OnFirstUse(self.out / STATE_DIR / "memory.sqlite")
        executor = make_executor(self.options.executor, self.config, self.options.workers,
                                 self.options.ray_address, engine=self.engine, stages=self.stages,
                                 memory=memory)
        # Installed after the executor starts (Ray installs handlers of its own).
        previous = {sig: signal.signal(sig, self._on_signal) for sig in EXIT_SIGNAL}
        try:
            for result in executor.map(self._shards(todo, known, fp)):
                merge_counts(self.translation, result.stats)
                self._memory_recovered(memory)
                self._commit(result, fp, state)
                self.log.advance(len(result.docs))
            self._memory_recovered(memory)
        finally:
            self.log.end_progress()
            executor.close()
            if memory is not None:
                memory.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _memory_recovered(self, memory: OnFirstUse | None) -> None:
        """Report a translation memory that was found unusable and moved aside (once)."""
        if memory is not None and memory.recovered is not None:
            aside = str(memory.recovered)
            memory.recovered = None
            self.translation["memory_moved_aside"] = aside
            self.log.event("memory", f"the translation memory was unusable: moved to "
                           f"{aside}, a new one was started", moved_to=aside)

    def _commit(self, result: ShardResult, fp: str, state: StateStore) -> None:
        """Write a shard's files, drop files its documents no longer own, sync once,
        then commit their state rows in one transaction: a row always follows its
        document's files to disk."""
        written = {}
        for doc in result.docs:
            written[doc.doc] = write_files(self.out, doc.files, durable=False)
            self._remove_outputs(set(state.outputs(doc.doc)) - set(written[doc.doc]))
        sync_to_disk()
        broken = set(result.stats.get("failed_models", {}))
        with state.transaction():
            for doc in result.docs:
                missing = result.missing.get(doc.doc, [])
                # A model that failed may work next time: such documents are retried.
                retry = bool(broken.intersection(missing))
                state.put(StoredDocument(
                    doc.doc, self._hashes.pop(doc.doc), f"retry:{fp}" if retry else fp,
                    doc.status, written[doc.doc], doc.record, doc.segments, doc.document,
                    missing,
                ))
        for doc in result.docs:
            self.counts["processed"] += 1
            if doc.status != "ok":
                self.log.event(doc.status, f"{doc.status}: {doc.doc}: {'; '.join(doc.errors)}",
                               doc=doc.doc, errors=doc.errors)

    def _remove_outputs(self, outputs: Iterable[str]) -> None:
        for rel in outputs:
            (self.out / rel).unlink(missing_ok=True)

    # -- aggregates and report ---------------------------------------------------
    AGGREGATES = ("documents.jsonl", "segments.jsonl")

    def _aggregates_exist(self) -> bool:
        return all((self.out / name).is_file() for name in self.AGGREGATES)

    def _write_aggregates(self, state: StateStore) -> None:
        """Rebuild every aggregate file from the state store, streaming."""
        for name, column in zip(self.AGGREGATES, ("record", "segments"), strict=True):
            with atomic_open(self.out / name) as handle:
                handle.writelines(state.column(column))
        counts = write_parallel(self.out, self._stored_documents(state), self.config.targets)
        state.set_meta("parallel", json.dumps(counts))

    @staticmethod
    def _stored_documents(state: StateStore) -> Iterator[Document]:
        return (Document.from_json(text) for text in state.column("document"))

    def _report(self, state: StateStore, deleted: list[str], timings: dict) -> RunResult:
        from pipeline.engines.argos import install_command

        statuses: Counter[str] = Counter()
        languages: Counter[str] = Counter()
        fixes: Counter[str] = Counter()
        translated: Counter[str] = Counter()
        missing: set[str] = set()
        failed, quarantined = [], list(self.quarantined)
        segments = removed = 0
        for record, outputs, gaps, seg_count in state.summaries():
            statuses[record["status"]] += 1
            if record["status"] == "failed":
                failed.append({"doc": record["doc"], "errors": record["errors"]})
            elif record["status"] == "quarantined":
                quarantined.append({"doc": record["doc"], "reason": "; ".join(record["errors"])})
            languages.update([record["lang"]] if record["lang"] else [])
            fixes.update(f["kind"] for f in record["fixes"])
            translated.update(o.split("/")[1] for o in outputs if o.startswith("translations/"))
            missing.update(gaps)
            segments += seg_count
            removed += len(record["removed"])
        pairs = sorted(tuple(p.split("-", 1)) for p in missing)
        report = {
            "documents": sum(statuses.values()),
            "ok": statuses["ok"],
            "processed": self.counts["processed"],
            "unchanged": self.counts["unchanged"],
            "failed": failed,
            "quarantined": sorted(quarantined, key=lambda q: q["doc"]),
            "skipped": self.skipped,
            "deleted_sources": deleted,
            "pruned": self.counts["pruned"],
            "languages": dict(sorted(languages.items())),
            "segments": segments,
            "fixes_by_kind": dict(sorted(fixes.items())),
            "removed": removed,
            "targets": self.config.targets,
            "translated_documents": {t: translated[t] for t in self.config.targets},
            "missing_models": [
                {"pair": f"{s}-{t}", "install": install_command(s, t)} for s, t in pairs
            ],
            "parallel_segments": json.loads(state.get_meta("parallel", "{}")),
            "translation": self.translation,
            "config": self.config.fingerprint(),
            "interrupted": self.stop_signal is not None,
            "timings_s": timings,
        }
        if self.stop_signal is not None:
            code = EXIT_SIGNAL[self.stop_signal]
        elif failed or quarantined or pairs:
            code = EXIT_INCOMPLETE
        else:
            code = EXIT_OK
        report["exit_code"] = code
        atomic_write(self.out / "report.json",
                     json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        write_html(self.out, self._stored_documents(state), report, corpus_sources(self.corpus))
        return RunResult(report, code)

    # -- dry run -----------------------------------------------------------------
    def _dry_run(self) -> RunResult:
        """Print what a run would process, skip, quarantine and prune; write nothing."""
        path = self.out / STATE_DIR / "state.sqlite"
        known = StateStore.read_only(path) if path.is_file() else {}
        fp = fingerprint(self.config)
        todo = self._sort_entries(discover(self.corpus, self.config.max_file_bytes))
        plan: Counter[str] = Counter()
        for entry in todo:
            sha = hashlib.sha256(entry.path.read_bytes()).hexdigest()
            stored = known.get(entry.doc)
            if stored is None:
                action = "process (new)"
            elif self.options.force or stored[:2] != (sha, fp):
                action = "process (changed)" if stored[0] != sha else "process (config or models)"
            else:
                action = "unchanged"
            plan[action.split(" ")[0]] += 1
            print(f"{action}: {entry.doc}")
        for item in self.quarantined:
            print(f"quarantine: {item['doc']}: {item['reason']}")
        for item in self.skipped:
            print(f"skip: {item['path']}: {item['reason']}")
        for doc in sorted(set(known) - {e.doc for e in todo}):
            print(f"{'prune' if self.options.prune else 'deleted source'}: {doc}")
            plan["deleted"] += 1
        return RunResult({"plan": dict(plan)}, EXIT_OK)


def merge_counts(total: dict, part: dict) -> None:
    """Add the nested counts of ``part`` into ``total`` (texts are kept, numbers summed).

    >>> t = {"pairs": {"pt-en": {"hits": 1}}}
    >>> merge_counts(t, {"pairs": {"pt-en": {"hits": 2}, "de-en": {"hits": 1}}})
    >>> t
    {'pairs': {'pt-en': {'hits': 3}, 'de-en': {'hits': 1}}}
    """
    for key, value in part.items():
        if isinstance(value, dict):
            merge_counts(total.setdefault(key, {}), value)
        elif isinstance(value, int | float):
            total[key] = total.get(key, 0) + value
        else:
            total[key] = value


def run(corpus: Path, out: Path, config: Config, options: RunOptions | None = None,
        log: RunLog | None = None, engine=None) -> RunResult:
    """Process ``corpus`` into ``out``; see the output contract in README.md."""
    return Runner(corpus, out, config, options, log, engine).run()
