"""Executors: where shards run. They know nothing about text.

An executor takes an iterable of shards and yields one
:class:`~pipeline.shard.ShardResult` per shard, in the order of the shards,
with a bounded number of shards in flight (so memory does not grow with the
corpus). ``close()`` releases workers.

The translation memory stays in the process that runs them (the driver): a
worker elsewhere gets the hits for its shard and returns what it translated
(:meth:`~pipeline.shard.ShardProcessor.prepare`, ``finish``), so workers need
neither OUT nor any other shared disk.
"""

from __future__ import annotations

import signal

from pipeline.config import ConfigError


class ClusterUnreachable(Exception):
    """The Ray cluster at ``--ray-address`` does not answer: a service that is down, not a
    configuration to change (exit 69, as an unreachable package index: retry later)."""


def ensure_fork_server() -> None:
    """Start the fork server (once) with SIGINT and SIGHUP blocked, as multiprocessing
    starts its resource tracker: a Ctrl-C reaches the whole process group, and the
    server takes SIGINT as a KeyboardInterrupt until it has preloaded (seconds), which
    ended it with a traceback after the run's own message; a closed terminal's SIGHUP
    reaches it too. Its workers inherit the mask: one forked
    but not yet set up (``_init_worker``) is not stopped by it either. The run itself
    stops them (:meth:`LocalExecutor.abandon`). Every process pool forked from the
    server starts it here: the local workers' and the review report's render processes
    (a run with --workers 1 started it there, unmasked)."""
    from multiprocessing import forkserver, resource_tracker

    # Started first: starting it unblocks SIGINT (after masking it for its own start). It
    # ignores SIGINT and SIGTERM, not SIGHUP: a closed terminal's ended it, and the run
    # started another, warning 'resource_tracker: process died unexpectedly... Some
    # resources might leak'. Started with SIGHUP blocked, which it keeps.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
    try:
        resource_tracker.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGHUP})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def ignore_stop_signals() -> None:
    """A pool process's initializer: SIGINT, SIGTERM and SIGHUP ignored. They reach the
    whole process group (a Ctrl-C, ``systemctl stop``, a closed terminal), and the run
    alone decides what a stop does to the work its processes hold."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


def make_executor(name: str, config, workers: int, ray_address: str | None = None,
                  engine=None, memory=None, stages=None):
    """The executor called ``name`` ("local" or "ray").

    ``engine`` (tests only) replaces the translation engine of an in-process worker;
    ``memory`` is the driver's translation memory (:class:`~pipeline.memory.OnFirstUse`; None:
    no memory); the executor alone uses it, from the thread that calls ``map``;
    ``stages``, already built by the caller, serve an in-process worker.
    """
    if name == "local":
        from pipeline.executors.local import LocalExecutor

        return LocalExecutor(config, workers, engine, memory, stages)
    if name == "ray":
        from pipeline.executors.ray import RayExecutor

        return RayExecutor(config, workers, ray_address, memory)
    raise ConfigError(f"unknown executor '{name}'; use local or ray")


def start_early(name: str, workers: int) -> None:
    """Let executor ``name`` start what it can before its first shard (local workers:
    the fork server, whose preloading then overlaps the run's own start)."""
    if name == "local":
        from pipeline.executors.local import start_early as start_local

        start_local(workers)


def gpus_per_worker(device: str, gpus: int, workers: int) -> float:
    """The GPU share each worker or actor gets (Ray's ``num_gpus``): none on CPU, else the
    ``gpus`` there are split between the ``workers`` (a whole one at most each).
    ``device`` is ``cpu``, ``cuda`` or ``auto``; cuda without a GPU is a ConfigError.

    >>> gpus_per_worker("cpu", 2, 2), gpus_per_worker("auto", 0, 2)
    (0.0, 0.0)
    >>> gpus_per_worker("cuda", 1, 4), gpus_per_worker("auto", 2, 2), gpus_per_worker("cuda", 4, 2)
    (0.25, 1.0, 1.0)
    """
    if device == "cpu" or (device == "auto" and gpus == 0):
        return 0.0
    if gpus == 0:
        raise ConfigError(
            "translate.device = cuda but the executor has no GPU; use --device cpu (or auto)"
        )
    return min(1.0, gpus / max(1, workers))
