"""Ray executor: the same shard function on a pool of Ray actors, one pool per run.

Each actor builds one :class:`~pipeline.shard.ShardProcessor`, so it loads its
translation models once per run, with CTranslate2 threads set from the CPUs the
actor was given. The pool is made once, when the first shard arrives, and serves
every shard of the run.

- **Order and memory.** At most ``IN_FLIGHT_PER_ACTOR`` shards per actor are in
  flight; each goes to the least busy actor, and results are handed on in shard
  order, so the outputs are those of the local executor and the driver holds a
  bounded number of shards and results, whatever the corpus size.
- **No shared disk.** Actors never open the translation memory (nor anything else
  under OUT or CORPUS): with a memory, a shard runs in two halves. ``prepare``
  cleans and analyses it and returns the texts its translation looks up (the
  cleaned documents stay in the object store); the driver looks them up and sends
  the hits with ``finish``, which translates the rest and returns what it
  translated, which the driver stores. The driver is the memory's only reader and
  writer, so nodes need neither OUT nor SQLite over a network file system.
- **The per-document time budget.** :func:`pipeline.shard.deadline` uses SIGALRM,
  which interrupts Python code and the ``re`` engine alike; Python runs signal
  handlers in the main thread only. A plain synchronous Ray actor (the default
  ``max_concurrency=1``, no ``async`` method) runs its constructor and every method
  in its worker process's main thread, one at a time, so a hostile document is
  quarantined exactly as locally. (Ray Data's actor pools, used before, call the
  function from another thread, where the budget could not hold.) The actor checks
  this when it starts, and fails loudly rather than run documents unbounded. A
  watchdog thread raising an asynchronous exception was rejected: it cannot stop a
  regular expression running in C; a child process per document would cost a
  model load or a pickle of every document.
- **Failures.** An actor that dies is restarted (``MAX_RETRIES`` times) and its
  tasks are retried; a shard that still fails ends the run with Ray's error, and
  documents already committed are kept, as after any interruption.

Ray is an optional extra (``pip install .[ray]``), imported only here.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.config import Config, ConfigError, available_cpus
from pipeline.executors import ClusterUnreachable
from pipeline.memory import look_up, store
from pipeline.shard import Memory, PendingShard, ShardProcessor, ShardResult

IN_FLIGHT_PER_ACTOR = 2
MAX_RETRIES = 2
INSTALL_HINT = "Ray is not installed: pip install '.[ray]' (or pip install 'ray[data]')"
# How long the check that a cluster's address answers waits for a connection: Ray itself
# goes on retrying an address where nothing listens for minutes before it gives up.
CONNECT_TIMEOUT_S = 10.0
ADDRESS_HINT = ("--ray-address takes the head node's host:port (port 6379 unless `ray start "
                "--head --port` chose another), ray://host:port or auto")


def cluster_endpoint(address: str) -> tuple[str, int] | None:
    """The host and port that ``--ray-address`` names; None for ``auto`` and ``local``,
    whose cluster Ray finds itself. Raises ConfigError when it names none.

    >>> cluster_endpoint("10.0.0.5:6379"), cluster_endpoint("ray://head.example:10001")
    (('10.0.0.5', 6379), ('head.example', 10001))
    >>> cluster_endpoint("[::1]:6379"), cluster_endpoint("auto")
    (('::1', 6379), None)
    """
    rest = address.removeprefix("ray://")
    if rest in ("auto", "local"):
        return None
    host, colon, port = rest.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not (colon and host and port.isdigit() and 0 < int(port) < 65536):
        raise ConfigError(f"--ray-address '{address}' is not an address: {ADDRESS_HINT}")
    return host, int(port)


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise ClusterUnreachable, saying what to do, when nothing accepts a connection at
    the cluster address within ``timeout`` seconds (ConfigError when it is no address)."""
    endpoint = cluster_endpoint(address)
    if endpoint is None:
        return
    try:
        with socket.create_connection(endpoint, timeout=timeout):
            pass
    except OSError as exc:
        raise ClusterUnreachable(
            f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}): is it "
            "running (`ray status` on its head node)? Start it with `ray start --head` or "
            f"correct the address ({ADDRESS_HINT}); without --ray-address the run starts "
            "a Ray of its own on this machine"
        ) from None


def _init_keeping_sigterm(ray: Any, **options: Any) -> None:
    """``ray.init(**options)``, the process's SIGTERM handler left as it is.

    While it starts, Ray sets a SIGTERM handler of its own in the driver (``sys.exit``,
    and its node's: stop its processes, exit 1): a run stopped then (systemd, a
    Kubernetes pod's end) exited 15 or 1 without its report. The run's handler, kept,
    stops it as at any other moment (143, the report written); the Ray started here is
    shut down with the executor. (Ray sets it through ``set_sigterm_handler``, looked up
    at each call: made a no-op meanwhile.)
    """
    utils = getattr(getattr(ray, "_private", None), "utils", None)
    own = getattr(utils, "set_sigterm_handler", None)
    if own is None:
        ray.init(**options)
        return
    utils.set_sigterm_handler = lambda handler: None
    try:
        ray.init(**options)
    finally:
        utils.set_sigterm_handler = own


# Ray's own log records that say nothing to act on, dropped where they are logged (a
# run's log, scheduled every hour, carried them each time). Only these exact messages:
# every other record, and every error, passes. A local Ray the run starts turns token
# authentication on by itself (Ray >= 2.5x) and says so at WARNING on each start.
RAY_CHATTER = {
    "ray._private.authentication.authentication_token_setup": (
        "Token authentication is enabled for this Ray cluster.",
    ),
}


class _DropChatter(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]):
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: not ours to judge
            return True
        return not message.startswith(self.prefixes)


def quiet_ray_chatter() -> None:
    """Drop :data:`RAY_CHATTER` from Ray's loggers (once per process)."""
    for name, prefixes in RAY_CHATTER.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropChatter) for f in logger.filters):
            logger.addFilter(_DropChatter(prefixes))


class ShardActor:
    """One ShardProcessor per actor, models loaded once; no file of the run is opened."""

    def __init__(self, config: Config, threads: int):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError(
                "this Ray actor does not run in its process's main thread, where the "
                "per-document time budget (SIGALRM) works: run it as a synchronous actor"
            )
        config.translate.threads = threads
        self.processor = ShardProcessor(config)

    def run(self, shard: list[tuple[str, bytes]]) -> ShardResult:
        """A whole shard, without a translation memory (``--no-cache``)."""
        return self.processor(shard)

    def prepare(self, shard: list[tuple[str, bytes]]) -> tuple[Any, bytes | None]:
        """(result, None) when the shard needs no memory look-up, else (the texts to
        look up, the cleaned documents): two objects, so that the documents go from
        object store to actor without passing through the driver."""
        out = self.processor.prepare(shard)
        if isinstance(out, PendingShard):
            return out.wanted, out.docs
        return out, None

    def finish(self, docs: bytes, hits: dict) -> ShardResult:
        return self.processor.finish(docs, hits)


@dataclass
class _Task:
    """A shard in flight: the task it waits for, and on which actor."""

    ref: Any  # ObjectRef of the task's (first) result; None once ``result`` is in
    actor: int
    docs: Any = None  # ObjectRef of the cleaned documents, between the halves
    result: ShardResult | None = None


class RayExecutor:
    """Runs shards on a local Ray (started here) or an existing cluster."""

    def __init__(self, config: Config, workers: int = 1, address: str | None = None,
                 memory: Memory | None = None):
        try:
            import ray
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        self.ray = ray
        self.config = config
        self.memory = memory
        self.workers = max(1, workers)
        self.started_here = not ray.is_initialized()
        if self.started_here:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            quiet_ray_chatter()
            quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
            if address:
                check_reachable(address)
                try:
                    _init_keeping_sigterm(ray, address=address, **quiet)
                except ConnectionError as exc:  # no cluster answers there
                    raise ClusterUnreachable(f"cannot connect to the Ray cluster at "
                                             f"{address}: {exc} ({ADDRESS_HINT})") from None
                except ValueError as exc:  # an address Ray cannot use
                    raise ConfigError(f"cannot connect to the Ray cluster at {address}: "
                                      f"{exc} ({ADDRESS_HINT})") from None
            else:
                _init_keeping_sigterm(ray, num_cpus=max(self.workers, available_cpus()),
                                      include_dashboard=False, **quiet)
        logging.getLogger("ray").setLevel(logging.WARNING)
        cpus = int(ray.available_resources().get("CPU", 1)) or 1
        self.cpus_per_actor = max(1, cpus // self.workers)
        self.actors: list = []
        self.load: list[int] = []  # tasks queued or running, per actor

    def _start_actors(self) -> None:
        from pipeline.executors import gpus_per_worker

        # Each actor its share of the cluster's GPUs when translating on CUDA (Ray then
        # shows the actor only its own GPU, as device 0).
        gpus = int(self.ray.cluster_resources().get("GPU", 0))
        num_gpus = gpus_per_worker(self.config.translate.device, gpus, self.workers)
        remote = self.ray.remote(
            num_cpus=self.cpus_per_actor, num_gpus=num_gpus, max_restarts=MAX_RETRIES,
            max_task_retries=MAX_RETRIES,
        )(ShardActor)
        self.actors = [remote.remote(self.config, self.cpus_per_actor)
                       for _ in range(self.workers)]
        self.load = [0] * self.workers

    def _submit(self, half: str, *args, prefer: int = -1) -> _Task:
        """Send ``half`` to the least busy actor (``prefer`` wins a tie)."""
        index = min(range(len(self.actors)), key=lambda i: (self.load[i], i != prefer))
        self.load[index] += 1
        method = getattr(self.actors[index], half)
        if half == "prepare":
            ref, docs = method.options(num_returns=2).remote(*args)
            return _Task(ref, index, docs)
        return _Task(method.remote(*args), index)

    def map(self, shards: Iterable[list[tuple[str, bytes]]]) -> Iterator[ShardResult]:
        in_flight: deque[_Task] = deque()
        limit = IN_FLIGHT_PER_ACTOR * self.workers
        for shard in shards:
            if not self.actors:
                self._start_actors()
            in_flight.append(self._submit("run" if self.memory is None else "prepare", shard))
            if len(in_flight) >= limit:
                yield self._next(in_flight)
        while in_flight:
            yield self._next(in_flight)

    def _next(self, in_flight: deque[_Task]) -> ShardResult:
        """The first shard's result; meanwhile, every shard whose first half is done
        gets its memory hits and goes on to its second half."""
        ray = self.ray
        while True:
            waiting = {task.ref: task for task in in_flight if task.result is None}
            done, _ = ray.wait(list(waiting), num_returns=len(waiting), timeout=0)
            for ref in done:
                task = waiting[ref]
                self.load[task.actor] -= 1
                value = ray.get(ref)
                if isinstance(value, ShardResult):
                    task.ref, task.docs, task.result = None, None, value
                    continue
                assert self.memory is not None
                hits = look_up(self.memory, value)
                second = self._submit("finish", task.docs, hits, prefer=task.actor)
                task.ref, task.actor, task.docs = second.ref, second.actor, None
            head = in_flight[0]
            if head.result is not None:
                in_flight.popleft()
                if self.memory is not None:
                    store(self.memory, head.result.learned)
                return head.result
            ray.wait([task.ref for task in in_flight if task.result is None], num_returns=1)

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
        if self.started_here:
            self.ray.shutdown()
