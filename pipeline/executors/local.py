"""Local executor: in this process (one worker) or a pool of worker processes.

Each worker process builds one :class:`~pipeline.shard.ShardProcessor`, so each
loads its translation models once. Workers ignore SIGINT, SIGTERM and SIGHUP (a
Ctrl-C, a closed terminal reach the whole process group): the parent decides when to stop, and then
kills them (:meth:`LocalExecutor.abandon`) rather than wait for their shards.
Workers write no output.

Only this process opens the translation memory. With a memory, a worker process
runs each shard in two halves (:meth:`ShardProcessor.prepare` and ``finish``):
between them this process looks up the texts the shard needs and sends the hits
back; it stores what the worker translated. The shard running here (one worker)
uses the memory directly.

Shards run here are overlapped: while a thread translates one (CTranslate2 works
without the interpreter lock), the main thread cleans and analyses the next, where
each document's time limit (SIGALRM) can reach it. The first shard is not cut into
a small first piece (``FIRST_PIECE``: its small batches cost more than an earlier
start saved). Translation runs one piece (a shard) at a time, in order, so the memory
sees what an earlier piece translated; the documents and their outputs are those of
one piece after another in one thread (a segment's translation depends on neither
its batch nor the piece). A piece whose translation has ended is handed to the runner (which commits
it) before the next document is cleaned, not once the whole next piece is. When the
run stops, the translation under way is cancelled: no new batch starts, and what it
translated is already in the memory.

Once a cleaned document shows a language pair no earlier one did, the thread loads
that pair's models (the engine's ``prepare``: CTranslate2 model, tokenizer, package
hash) while the main thread cleans the rest, instead of after the whole first shard's
cleanup: the cleanup holds one core, the load runs on the other (CTranslate2 and
hashlib release the interpreter lock). Outputs are unchanged.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)

from pipeline.config import Config, available_cpus, process_running
from pipeline.executors import ensure_fork_server, ignore_stop_signals
from pipeline.memory import look_up, store
from pipeline.readers import Item, as_item
from pipeline.shard import Memory, PendingShard, ShardProcessor, ShardResult, outputs_of, sources_of

# The first shard run here may be cut after this fraction of its bytes (one document at
# least), so that its translation starts while the rest is being cleaned; 0: not cut.
# Not cut: a small piece translates in small batches (the engine then batched segments
# of one length: 25 segments of 22 lengths made 23 batches, about twice the CPU time a
# segment costs in the full shard's; its buckets of lengths since are as thin for up to
# 31 tokens, and add stand-in rows above), and its thread waits for the interpreter lock
# that the cleanup of the rest holds. With a first piece of a 32nd, a whole run of 600
# sentences (one shard) took more CPU time than one that cleaned its shard first, in
# every bench run of docs/scale.md (bench/translate.py --only h --cut measures both).
# Since a piece is committed as soon as its translation ends, an early commit no longer
# needs the cut.
FIRST_PIECE = 0.0

_processor: ShardProcessor | None = None


def _init_worker(config: Config, threads: int, environment: dict[str, str],
                 gpus: int = 0, started=None, run: int = 0) -> None:
    global _processor
    if run:
        end_with(run)
    # A worker forked from the fork server has the server's environment, that of the
    # run that started it: this run's (ARGOS_PACKAGES_DIR, XDG_* ...) is what counts.
    os.environ.clear()
    os.environ.update(environment)
    ignore_stop_signals()
    config.translate.threads = threads
    if gpus and started is not None:  # worker N translates on GPU N modulo the GPUs
        from pipeline.engines.base import set_device_index

        with started.get_lock():
            number, started.value = started.value, started.value + 1
        set_device_index(number % gpus)
    _processor = ShardProcessor(config)
    atexit.register(_exit_now)


def end_with(run: int) -> None:
    """End this worker when the process ``run`` (the run that started it) ends.

    A run killed with SIGKILL (the OOM killer, a scheduler's last resort) ran no
    code to stop its workers, which then waited forever: each holds a copy of the
    fork server's lifeline, and the pool's pipes whose other ends its siblings hold,
    so neither they nor the fork server ever saw the run gone (three processes and
    0.95 GB resident left by every such run, with --workers 2 on the sample's
    languages). A thread waits on the run's pid file descriptor (Linux 5.3+; else it
    looks every second) and ends the worker, which lets the fork server end too.
    """
    def watch() -> None:
        try:
            import select

            handle = os.pidfd_open(run)
        except (AttributeError, OSError):  # no pidfd here: look every second
            while process_running(run):
                threading.Event().wait(1.0)
        else:
            poll = select.poll()
            poll.register(handle, select.POLLIN)
            while not poll.poll():
                pass
        os._exit(1)

    threading.Thread(target=watch, name="end-with-run", daemon=True).start()


def _exit_now() -> None:
    """End the worker without tearing its interpreter down.

    Freeing millions of word-list entries one by one took each worker about a
    second after its last shard, which the run waited for. Its results are all
    sent, and it holds no file open (the parent alone has the translation memory),
    so nothing is lost.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _run_shard(shard: list[tuple[str, bytes]], prepare: bool) -> ShardResult | PendingShard:
    assert _processor is not None
    return _processor.prepare(shard) if prepare else _processor(shard)


def _finish_shard(docs: bytes, hits: dict) -> ShardResult:
    assert _processor is not None
    return _processor.finish(docs, hits)


def local_gpus(device: str) -> int:
    """The GPUs local workers share (each worker one, in turn): none on CPU."""
    if device == "cpu":
        return 0
    from pipeline.engines.base import cuda_devices
    from pipeline.executors import gpus_per_worker

    gpus = cuda_devices()
    return gpus if gpus_per_worker(device, gpus, 1) else 0


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
        ensure_fork_server()


class LocalExecutor:
    """Runs shards here (``workers == 1``) or in ``workers`` processes.

    The processes start only once there is a second shard to run: a run with one
    shard of work (a nightly rerun with a few changed documents, a small corpus)
    gains nothing from them and would wait seconds for their start. That shard
    runs here, with the same stages and the same results.
    """

    # Shards run here: translate one in a thread while the next is cleaned (see the
    # module's docstring). False: one after the other, all in this thread.
    overlap = True

    def __init__(self, config: Config, workers: int = 1, engine=None,
                 memory: Memory | None = None, stages: list | None = None):
        self.workers = max(1, workers)
        self.config, self.engine, self.memory, self.stages = config, engine, memory, stages
        self.pool: ProcessPoolExecutor | None = None
        self.processor: ShardProcessor | None = None
        self.cancelled = threading.Event()  # stops the translation thread's batches
        # The GPUs the workers share, asked now (it imports CTranslate2), before a stop
        # signal may abandon the work: an extension module's import cut by the signal's
        # exception fails as ImportError('initialization failed') (pybind11), which
        # ended a stopped run with an internal error (exit 70) instead of 130.
        self.gpus = local_gpus(config.translate.device) if self.workers > 1 else 0

    def _here(self) -> ShardProcessor:
        if self.processor is None:
            self.processor = ShardProcessor(self.config, self.engine, self.memory, self.stages)
        return self.processor

    def _start_pool(self) -> ProcessPoolExecutor:
        cpus = available_cpus()
        # Translation threads split between workers: never more threads than cores.
        threads = max(1, (self.config.translate.threads or cpus) // self.workers)
        context = _context()
        if context.get_start_method() == "forkserver":
            ensure_fork_server()  # else the pool's first worker starts it, unmasked
        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_worker,
            initargs=(self.config, threads, dict(os.environ), self.gpus, context.Value("i", 0),
                      os.getpid()),
        )
        return self.pool

    def map(self, shards: Iterable[list[tuple[str, bytes]]]) -> Iterator[ShardResult]:
        iterator = iter(shards)
        first = next(iterator, None)
        second = next(iterator, None) if first is not None and self.workers > 1 else None
        if second is None:
            here = itertools.chain(() if first is None else (first,), iterator)
            if self.overlap:
                yield from self._overlapped(here)
            else:
                yield from map(self._here(), here)
            return
        pool = self._start_pool()
        in_flight: deque[list[Future]] = deque()  # per shard, in order: its current task
        for shard in itertools.chain((first, second), iterator):
            in_flight.append([_submit(pool, _run_shard, shard, self.memory is not None)])
            if len(in_flight) >= 2 * self.workers:
                yield self._next(pool, in_flight)
        while in_flight:
            yield self._next(pool, in_flight)

    def _overlapped(self, shards: Iterable[Sequence[Item | tuple[str, bytes]]]
                    ) -> Iterator[ShardResult]:
        """The shards run here, each piece's translation (in a thread of its own)
        overlapping the cleanup of the next (here, in the main thread); results in order.

        A piece whose translation has ended is yielded (and committed by the runner)
        before the next document is cleaned: its commit waits for one document's cleanup
        at most, never for the whole next piece's, so a stop then finds it committed. At
        most one piece waits cleaned for the thread. However this generator
        ends (its last result, an error, a signal's exception, ``close``), the
        translation under way is cancelled and waited for (the batches under way:
        seconds), the pieces not started are dropped, and the thread is gone.
        """
        processor = self._here()
        thread = ThreadPoolExecutor(1, thread_name_prefix="pipeline-translate")
        waiting: deque[Future] = deque()  # pieces handed to the thread, in order
        try:
            for piece in _pieces(shards, FIRST_PIECE):
                processor.warm_up(piece)
                docs = []
                for item in piece:
                    # A piece translated meanwhile is committed before the next document.
                    while waiting and waiting[0].done():
                        yield waiting.popleft().result()
                    docs.append(processor.clean_document(item))
                    # The models its translation needs load meanwhile, in the thread.
                    for pair in processor.pairs_to_prepare(docs[-1]):
                        thread.submit(processor.engine.prepare, *pair)
                waiting.append(thread.submit(processor.translate, docs, self.memory,
                                             outputs_of(piece), self.cancelled.is_set,
                                             sources_of(piece, docs)))
                if len(waiting) > 1:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
        finally:
            self.cancelled.set()
            for future in waiting:
                future.cancel()
            thread.shutdown(wait=True, cancel_futures=True)
            self.cancelled.clear()

    def _next(self, pool: ProcessPoolExecutor, in_flight: deque[list[Future]]) -> ShardResult:
        """The first shard's result; meanwhile, every shard whose first half is done
        gets its memory hits and goes on to its second half."""
        while True:
            for task in in_flight:
                done = task[0].done() and task[0].exception() is None
                if done and isinstance(pending := task[0].result(), PendingShard):
                    assert self.memory is not None
                    hits = look_up(self.memory, pending.wanted)
                    task[0] = _submit(pool, _finish_shard, pending.docs, hits)
            head = in_flight[0][0]  # done since the loop above, maybe: checked again
            if head.done() and (head.exception() or isinstance(head.result(), ShardResult)):
                result = in_flight.popleft()[0].result()
                if self.memory is not None:
                    store(self.memory, result.learned)
                return result
            wait([task[0] for task in in_flight if not task[0].done()],
                 return_when=FIRST_COMPLETED)

    def abandon(self) -> None:
        """Stop now: shards not started are cancelled, the workers are killed
        without waiting for the shards they run (those are redone by the next run).

        The pool's own thread then sees its workers gone and ends; the fork server
        only forked them and serves the next pool as before. The translation thread
        of the shards run here starts no more batches.
        """
        self.cancelled.set()
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


def _submit(pool: ProcessPoolExecutor, fn, *args) -> Future:
    """``pool.submit(fn, *args)``, with the stop signals handled once it returns.

    A submit may start a worker, and then waits for the fork server to fork it (seconds
    while the server preloads). A stop signal's exception there left the fork under way
    with no process object here to kill: the run exited meanwhile, and the worker then
    failed on the run's semaphores, gone (a traceback after the run's own message), or
    the resource tracker warned of leaked semaphores. Here the signals received meanwhile
    are noted, then raised again in order once the worker is known, and killed with the
    others (:meth:`LocalExecutor.abandon`). Python runs signal handlers in the main
    thread only, so the handlers are swapped there (elsewhere the submit runs as it is).
    """
    if threading.current_thread() is not threading.main_thread():
        return pool.submit(fn, *args)
    received: list[int] = []
    held = {sig: signal.signal(sig, lambda signum, frame: received.append(signum))
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
            # None: a handler not set from Python; an ignored signal stays ignored
            if signal.getsignal(sig) not in (None, signal.SIG_IGN)}
    try:
        return pool.submit(fn, *args)
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
        _raise_each(received[:2])  # a first and a second signal: the run's handler decides


def _raise_each(signals: list[int]) -> None:
    """Send each signal to this process, in order, even when a handler raises."""
    if signals:
        try:
            signal.raise_signal(signals[0])
        finally:
            _raise_each(signals[1:])


def _pieces(shards: Iterable[Sequence[Item | tuple[str, bytes]]], fraction: float
            ) -> Iterator[Sequence[Item | tuple[str, bytes]]]:
    """The shards, the first cut after ``fraction`` of its bytes (one document at least;
    not cut when it has one document, nor when ``fraction`` is 0).

    >>> shard = [(f"{n}.txt", b"x" * size) for n, size in enumerate([1, 3, 90, 6])]
    >>> [[doc for doc, _ in piece] for piece in _pieces([shard, shard[:1]], 1 / 32)]
    [['0.txt', '1.txt'], ['2.txt', '3.txt'], ['0.txt']]
    >>> [len(piece) for piece in _pieces([shard, shard[:1]], 0)]
    [4, 1]
    """
    iterator = iter(shards)
    first = next(iterator, None)
    if first is None:
        return
    sizes = [len(as_item(item).raw) for item in first]
    cut, seen = 1, sizes[0] if sizes else 0
    while cut < len(first) and seen < fraction * sum(sizes):
        seen += sizes[cut]
        cut += 1
    if fraction > 0 and cut < len(first):
        yield first[:cut]
        yield first[cut:]
    else:
        yield first
    yield from iterator
