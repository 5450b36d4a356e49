"""Local executor: in this process (one worker) or a pool of worker processes.

Each worker process builds one :class:`~pipeline.shard.ShardProcessor`, so each
loads its translation models once. Workers ignore SIGINT and SIGTERM (a Ctrl-C
reaches the whole process group): the parent decides when to stop, and then
kills them (:meth:`LocalExecutor.abandon`) rather than wait for their shards.
Workers write no output, and the translation memory they write is an SQLite
database, safe against a killed writer.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from pipeline.config import Config, available_cpus
from pipeline.shard import ShardProcessor, ShardResult

_processor: ShardProcessor | None = None


def _init_worker(config: Config, threads: int, memory_path: Path | None,
                 environment: dict[str, str]) -> None:
    global _processor
    # A worker forked from the fork server has the server's environment, that of the
    # run that started it: this run's (ARGOS_PACKAGES_DIR, XDG_* ...) is what counts.
    os.environ.clear()
    os.environ.update(environment)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    config.translate.threads = threads
    _processor = ShardProcessor(config, memory_path=memory_path)
    atexit.register(_exit_now)


def _exit_now() -> None:
    """End the worker without tearing its interpreter down.

    Freeing millions of word-list entries one by one took each worker about a
    second after its last shard, which the run waited for. Its results are all
    sent; the translation memory is closed first, so nothing is lost.
    """
    if _processor is not None:
        _processor.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _run_shard(shard: list[tuple[str, bytes]]) -> ShardResult:
    assert _processor is not None
    return _processor(shard)


def _context() -> multiprocessing.context.BaseContext:
    """Where workers come from: forked from a fork server that has loaded what they
    need (:mod:`pipeline.executors.preload`), else spawned (where there is no fork).

    Never forked from this process: a forked child of a process that runs threads
    (CTranslate2, lingua, a test runner) can inherit a held lock and hang forever.
    The fork server is a fresh single-threaded process, started once.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.executors.preload"])
    return context


def start_early(workers: int) -> None:
    """Start the fork server now, for a run known to have several shards of work:
    its preloading overlaps the run's own start (model fingerprint, hashing)."""
    if workers > 1 and _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class LocalExecutor:
    """Runs shards here (``workers == 1``) or in ``workers`` processes.

    The processes start only once there is a second shard to run: a run with one
    shard of work (a nightly rerun with a few changed documents, a small corpus)
    gains nothing from them and would wait seconds for their start. That shard
    runs here, with the same stages and the same results.
    """

    def __init__(self, config: Config, workers: int = 1, engine=None,
                 memory_path: Path | None = None, stages: list | None = None):
        self.workers = max(1, workers)
        self.config, self.engine, self.memory_path, self.stages = (
            config, engine, memory_path, stages)
        self.pool: ProcessPoolExecutor | None = None
        self.processor: ShardProcessor | None = None

    def _here(self) -> ShardProcessor:
        if self.processor is None:
            self.processor = ShardProcessor(self.config, self.engine, self.memory_path,
                                            self.stages)
        return self.processor

    def _start_pool(self) -> ProcessPoolExecutor:
        cpus = available_cpus()
        # Translation threads split between workers: never more threads than cores.
        threads = max(1, (self.config.translate.threads or cpus) // self.workers)
        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=_context(), initializer=_init_worker,
            initargs=(self.config, threads, self.memory_path, dict(os.environ)),
        )
        return self.pool

    def map(self, shards: Iterable[list[tuple[str, bytes]]]) -> Iterator[ShardResult]:
        iterator = iter(shards)
        first = next(iterator, None)
        second = next(iterator, None) if first is not None and self.workers > 1 else None
        if second is None:
            if first is not None:
                yield self._here()(first)
            yield from map(self._here(), iterator)
            return
        pool = self._start_pool()
        in_flight: deque[Future] = deque()
        for shard in itertools.chain((first, second), iterator):
            in_flight.append(pool.submit(_run_shard, shard))
            if len(in_flight) >= 2 * self.workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()

    def abandon(self) -> None:
        """Stop now: shards not started are cancelled, the workers are killed
        without waiting for the shards they run (those are redone by the next run).

        The pool's own thread then sees its workers gone and ends; the fork server
        only forked them and serves the next pool as before.
        """
        if self.pool is None:
            return
        self.kill_workers()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def kill_workers(self) -> None:
        """Kill the worker processes; takes no lock, so a signal handler may call it."""
        if self.pool is not None:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.kill()  # a no-op on one that has ended

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.processor is not None:
            self.processor.close()
