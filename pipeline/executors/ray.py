"""Ray executor: the same shard function on Ray Data, with an actor pool.

Each actor builds one :class:`~pipeline.shard.ShardProcessor`, so it loads its
translation models once, with CTranslate2 threads set from the CPUs the actor
was given. Shards go through ``map_batches`` one at a time with the order of the
input kept, so the results, and therefore every output file, are the same as the
local executor's.

Ray is an optional extra (``pip install .[ray]``), imported only here. Shards are
sent in windows of ``WINDOW_SHARDS_PER_WORKER * workers`` so that the driver never
holds the whole corpus; each window starts a fresh actor pool.
"""

from __future__ import annotations

import logging
import os
import pickle
import warnings
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from pipeline.config import Config, ConfigError, available_cpus
from pipeline.shard import ShardProcessor, ShardResult

WINDOW_SHARDS_PER_WORKER = 16
INSTALL_HINT = "Ray is not installed: pip install '.[ray]' (or pip install 'ray[data]')"


class _ShardActor:
    """A Ray Data actor: one ShardProcessor, models loaded once."""

    def __init__(self, config: Config, threads: int, memory_path: Path | None):
        config.translate.threads = threads
        self.processor = ShardProcessor(config, memory_path=memory_path)

    def __call__(self, batch: dict) -> dict:
        results = [pickle.dumps(self.processor(pickle.loads(s))) for s in batch["shard"]]
        return {"result": results}


class RayExecutor:
    """Runs shards on a local Ray (started here) or an existing cluster."""

    def __init__(self, config: Config, workers: int = 1, address: str | None = None,
                 memory_path: Path | None = None):
        try:
            import ray
        except ImportError:
            raise ConfigError(INSTALL_HINT) from None
        self.ray = ray
        self.config = config
        self.memory_path = memory_path
        self.workers = max(1, workers)
        self.started_here = not ray.is_initialized()
        if self.started_here:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            os.environ.setdefault("RAY_DATA_LOG_LEVEL", "WARNING")
            quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
            if address:
                ray.init(address=address, **quiet)
            else:
                ray.init(num_cpus=max(self.workers, available_cpus()),
                         include_dashboard=False, **quiet)
        logging.getLogger("ray").setLevel(logging.WARNING)
        # Ray Data warns when a window holds fewer shards than actors: harmless here.
        warnings.filterwarnings("ignore", message=".*minimum number of concurrent actors.*")
        cpus = int(ray.available_resources().get("CPU", 1)) or 1
        self.cpus_per_actor = max(1, cpus // self.workers)
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        context.print_on_execution_start = False

    def map(self, shards: Iterable[list[tuple[str, bytes]]]) -> Iterator[ShardResult]:
        iterator = iter(shards)
        window = WINDOW_SHARDS_PER_WORKER * self.workers
        while batch := list(islice(iterator, window)):
            ds = self.ray.data.from_items(
                [{"shard": pickle.dumps(s)} for s in batch], override_num_blocks=len(batch)
            )
            ds = ds.map_batches(
                _ShardActor,
                fn_constructor_kwargs={"config": self.config, "threads": self.cpus_per_actor,
                                       "memory_path": self.memory_path},
                batch_size=1,
                compute=self.ray.data.ActorPoolStrategy(size=self.workers),
                num_cpus=self.cpus_per_actor,
            )
            for row in ds.iter_rows():
                yield pickle.loads(row["result"])

    def close(self) -> None:
        if self.started_here:
            self.ray.shutdown()
