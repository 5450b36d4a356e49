"""Executors: local with 1 or 2 workers and Ray give byte-identical outputs."""

import importlib.util
import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.testing.argos_package import build_package, install_package


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("argos")
    for seed, src in enumerate(["pt", "de", "fr"], start=1):
        install_package(build_package(root / "built", src, "en", seed=seed), root / "pk")
    return root / "pk"




def _run(corpus: Path, out: Path, *extra: str) -> int:
    return main(["run", str(corpus), "--out", str(out), "--beam-size", "1", *extra])


def _grow(corpus: Path) -> None:
    """More documents than one shard holds, so several shards run at once."""
    for i in range(70):
        (corpus / f"extra-{i:02d}.txt").write_text(
            f"Notícia {i}\n\nA cidade {i} abriu uma biblioteca. O prefeito falou ontem.\n"
        )


def test_two_local_workers_match_one(
    corpus_copy, tmp_path, monkeypatch, packages, data_files
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    _grow(corpus_copy)
    assert _run(corpus_copy, tmp_path / "one") == 0
    assert _run(corpus_copy, tmp_path / "two", "--workers", "2") == 0
    one = data_files(tmp_path / "one")
    assert len(one) >= 150
    assert data_files(tmp_path / "two") == one


def test_ray_executor_without_ray_says_how_to_install(corpus_copy, tmp_path, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    assert _run(corpus_copy, tmp_path / "out", "--executor", "ray") == 2
    assert "pip install '.[ray]'" in capsys.readouterr().err


@pytest.mark.ray
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs pip install '.[ray]'")
def test_ray_matches_local_and_keeps_state(
    corpus_copy, tmp_path, monkeypatch, packages, data_files
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    _grow(corpus_copy)
    assert _run(corpus_copy, tmp_path / "local") == 0
    assert _run(corpus_copy, tmp_path / "ray", "--executor", "ray", "--workers", "2") == 0
    assert data_files(tmp_path / "ray") == data_files(tmp_path / "local")
    # Incremental state works under Ray too: a rerun processes nothing.
    assert _run(corpus_copy, tmp_path / "ray", "--executor", "ray", "--workers", "2") == 0
    import json

    report = json.loads((tmp_path / "ray" / "report.json").read_text())
    assert report["processed"] == 0 and report["unchanged"] == 75


def test_worker_processes_leave_their_translations_in_the_memory(
    corpus_copy, tmp_path, monkeypatch, packages
):
    """Workers end without interpreter teardown: what they translated must be kept."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    _grow(corpus_copy)
    out = tmp_path / "out"
    assert _run(corpus_copy, out, "--workers", "2") == 0
    first = json.loads((out / "report.json").read_text())["translation"]["pairs"]
    assert _run(corpus_copy, out, "--workers", "2", "--force") == 0
    second = json.loads((out / "report.json").read_text())["translation"]["pairs"]
    assert set(second) == set(first) and first
    for pair, counts in second.items():
        assert counts["translated"] == 0 and counts["hits"] == first[pair]["unique"] > 0


def test_workers_see_this_runs_environment_not_an_earlier_runs(
    corpus_copy, tmp_path, monkeypatch, packages, data_files
):
    """Workers fork from a server started by the first run in the process: a later
    run with other model folders must still use its own."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    _grow(corpus_copy)
    assert _run(corpus_copy, tmp_path / "none", "--workers", "2") == 3
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    assert _run(corpus_copy, tmp_path / "two", "--workers", "2") == 0
    assert _run(corpus_copy, tmp_path / "one") == 0
    assert data_files(tmp_path / "two") == data_files(tmp_path / "one")


def test_worker_processes_start_only_when_there_is_a_second_shard():
    """One shard of work (a rerun with a few changed documents) runs here: a pool
    would only add its start-up. Two shards start the pool; results are the same."""
    from pipeline.config import Config
    from pipeline.executors.local import LocalExecutor

    shard = [(f"{n}.txt", f"Notícia {n}\n\nO porto reabriu ontem.\n".encode()) for n in "ab"]
    one = LocalExecutor(Config(), workers=2)
    try:
        # run here: its translation in a thread (overlap)
        alone = [doc for piece in one.map([shard]) for doc in piece.docs]
        assert one.pool is None
    finally:
        one.close()
    two = LocalExecutor(Config(), workers=2)
    try:
        first, second = list(two.map([shard, shard]))
        assert two.pool is not None
    finally:
        two.close()
    assert first.docs == second.docs == alone


needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="needs pip install '.[ray]'"
)


@pytest.fixture
def shipped_to_actors():
    """The actors this module defines reach Ray's workers by value: they cannot
    import the test module."""
    import sys

    from ray import cloudpickle

    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    yield
    cloudpickle.unregister_pickle_by_value(module)
# A regular expression whose backtracking never ends in practice (about 2**30 steps:
# minutes), run in C by the ``re`` engine: only a signal stops it.
BOMB_PATTERN, BOMB_TEXT = r"(a+)+$", "a" * 30 + "b"
BUDGET_S = 5.0


def _bomb_stage():
    """A stage that runs the regular expression bomb on documents saying "tick-tock"."""

    class Bomb:
        name = "bomb"

        def process(self, doc):
            import re

            if any("tick-tock" in block.text for block in doc.blocks):
                re.match(BOMB_PATTERN, BOMB_TEXT)
            return doc

    return Bomb()


def _bomb_corpus(corpus: Path, config: Path) -> None:
    (corpus / "bomb.txt").write_text("Notícia\n\nO relógio fez tick-tock a noite toda.\n")
    config.write_text(f"document_timeout_s = {BUDGET_S}\n")


@pytest.mark.ray
@needs_ray
def test_ray_actor_quarantines_a_document_over_its_budget_as_locally(
    corpus_copy, tmp_path, monkeypatch, data_files, shipped_to_actors
):
    """A document stuck in C code (a regular expression) is stopped by its budget in a
    Ray actor exactly as in the local executor: quarantined, the others written."""
    import pipeline.executors.ray as ray_executor
    import pipeline.runner

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    config = tmp_path / "p.toml"
    _bomb_corpus(corpus_copy, config)
    build_stages = pipeline.runner.build_stages
    monkeypatch.setattr(pipeline.runner, "build_stages",
                        lambda c, *more: [*build_stages(c, *more), _bomb_stage()])

    class BombActor(ray_executor.ShardActor):
        def __init__(self, config, threads):
            super().__init__(config, threads)
            self.processor.stages.append(_bomb_stage())

    monkeypatch.setattr(ray_executor, "ShardActor", BombActor)
    outs = {}
    for executor in ("local", "ray"):
        outs[executor] = out = tmp_path / executor
        code = _run(corpus_copy, out, "--config", str(config), "--executor", executor)
        assert code == 3, executor
        report = json.loads((out / "report.json").read_text())
        reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
        assert reasons == {"bomb.txt": f"took more than {BUDGET_S:g} s of processor time "
                           "(document_timeout_s): split the file, or raise document_timeout_s "
                           "in the config"}
        assert report["ok"] == 5
    assert data_files(outs["ray"]) == data_files(outs["local"])


@pytest.mark.ray
@needs_ray
def test_ray_uses_one_actor_pool_per_run_and_bounded_shards_in_flight(
    tmp_path, monkeypatch, shipped_to_actors
):
    """Forty shards, more than the old executor's window of 16 shards per actor: the
    actors start once, and the driver never takes more shards than it has in flight."""
    import pipeline.executors.ray as ray_executor
    from pipeline.config import Config
    from pipeline.memory import OnFirstUse

    starts = tmp_path / "starts"
    starts.mkdir()

    class CountingActor(ray_executor.ShardActor):
        def __init__(self, config, threads):
            import os

            (starts / str(os.getpid())).touch()
            super().__init__(config, threads)

    monkeypatch.setattr(ray_executor, "ShardActor", CountingActor)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    taken = []

    def shards():
        for n in range(40):
            taken.append(n)
            yield [(f"{n}.txt", f"Notícia {n}\n\nO porto reabriu ontem.\n".encode())]

    memory = OnFirstUse(tmp_path / "memory.sqlite")
    executor = ray_executor.RayExecutor(Config(), workers=2, memory=memory)
    try:
        results = []
        for result in executor.map(shards()):
            assert len(taken) - len(results) <= ray_executor.IN_FLIGHT_PER_ACTOR * 2
            results.append(result)
    finally:
        executor.close()
        memory.close()
    assert [r.docs[0].doc for r in results] == [f"{n}.txt" for n in range(40)]
    assert len(list(starts.iterdir())) == 2


def _session_processes(sid: int) -> list[int]:
    """Every process of session ``sid`` (a ``ray start`` this test began in a new session
    and everything it started: Ray's servers, raylet, workers and actors)."""
    import os

    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    found.append(int(entry))
            except OSError:
                pass
    return found


class _Cluster:
    """A Ray head offering no CPUs, and a worker node in its own mount namespace where
    ``hidden`` is an empty tmpfs. Processes are ended by their session, never by name:
    ``ray stop`` would also stop every other Ray on the machine."""

    NODES_TIMEOUT_S = 180  # a failure bound, not a timing assumption

    def __init__(self, hidden: Path):
        import os
        import shutil
        import socket
        import subprocess
        import sys
        import tempfile

        self.temp = Path(tempfile.mkdtemp(prefix="pray", dir="/tmp"))  # short socket paths
        self.hidden = hidden
        self.processes: list[subprocess.Popen] = []
        ray_cli = Path(sys.executable).with_name("ray")
        ray_cli = str(ray_cli) if ray_cli.exists() else shutil.which("ray")

        def port() -> int:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]

        self.port = port()
        self.address = f"127.0.0.1:{self.port}"
        root = str(Path(__file__).resolve().parents[1])
        self.env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0",
                    "PYTHONPATH": os.pathsep.join(
                        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        common = ["--block", "--temp-dir", str(self.temp), "--disable-usage-stats"]
        self._start("head", [ray_cli, "start", "--head", "--num-cpus=0", f"--port={self.port}",
                             "--include-dashboard=false", *common,
                             f"--dashboard-agent-listen-port={port()}"])
        hide = 'mount -t tmpfs pipeline-worker-view "$1" && shift && exec "$@"'
        self.worker = self._start("worker", [
            "unshare", "--mount", "--propagation", "private", "sh", "-c", hide, "sh",
            str(hidden), ray_cli, "start", f"--address={self.address}", "--num-cpus=2",
            *common, f"--dashboard-agent-listen-port={port()}"])

    def _start(self, name: str, command: list[str]):
        import subprocess

        with open(self.temp / f"{name}.log", "wb") as log:
            process = subprocess.Popen(command, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.temp.glob("*.log")))

    def wait_for_nodes(self) -> None:
        """Bounded poll, in a driver process of its own, until both nodes are alive; a
        clear failure otherwise."""
        import subprocess
        import sys

        poll = f"""
import sys, time, ray
give_up = time.monotonic() + {self.NODES_TIMEOUT_S}
error = None
while time.monotonic() < give_up:
    if not ray.is_initialized():
        try:  # the head may not be listening yet
            ray.init(address={self.address!r}, log_to_driver=False)
        except Exception as exc:
            error = exc
    if ray.is_initialized():
        alive = [n for n in ray.nodes() if n["Alive"]]
        if len(alive) == 2 and ray.cluster_resources().get("CPU") == 2:
            sys.exit(0)
    time.sleep(0.5)
sys.exit(f"the two nodes did not come up: last error {{error!r}}")
"""
        try:
            done = subprocess.run([sys.executable, "-c", poll], env=self.env, text=True,
                                  capture_output=True, timeout=self.NODES_TIMEOUT_S + 60)
        except subprocess.TimeoutExpired:
            done = None
        if done is None or done.returncode:
            ended = [p.args[0] for p in self.processes if p.poll() is not None]
            why = "timed out" if done is None else done.stderr[-2000:]
            pytest.fail(f"the two Ray nodes did not come up within {self.NODES_TIMEOUT_S} s"
                        f" (ended: {ended}): {why}\n{self.logs()}")

    def run(self, corpus: Path, out: Path, *extra: str) -> int:
        """``pipeline run --executor ray`` on this cluster, as its own driver process."""
        import subprocess
        import sys

        command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
                   "--beam-size", "1", "--executor", "ray", "--ray-address", self.address,
                   "--workers", "2", *extra]
        # Bounded by the input (75 small documents); the limit is a failure bound.
        done = subprocess.run(command, env=self.env, capture_output=True, text=True,
                              timeout=900)
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-5000:], self.logs())
        return done.returncode

    def worker_sees(self) -> list[str]:
        """What the worker node sees under ``hidden``."""
        import subprocess

        listing = subprocess.run(
            ["nsenter", "-t", str(self.worker.pid), "-m", "find", str(self.hidden)],
            capture_output=True, text=True, check=True, timeout=60)
        return sorted(listing.stdout.splitlines())

    def stop(self) -> None:
        import os
        import shutil
        import signal

        for process in self.processes:
            for pid in _session_processes(process.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.wait(timeout=60)
        shutil.rmtree(self.temp, ignore_errors=True)


def _can_unshare() -> bool:
    import os
    import shutil

    return os.geteuid() == 0 and all(shutil.which(t) for t in ("unshare", "nsenter", "mount"))


@pytest.mark.ray
@needs_ray
@pytest.mark.skipif(not _can_unshare(), reason="needs root, unshare and nsenter (mount namespaces)")
def test_two_node_ray_cluster_needs_no_shared_storage(
    corpus_copy, tmp_path, monkeypatch, packages, data_files
):
    """Every actor runs on a node where neither CORPUS nor OUT exists (a tmpfs over their
    parent), the head offering no CPUs: the outputs are byte-identical to the local
    executor's, the driver's translation memory serves the actors, and nothing is
    written on the worker's side. Each ``pipeline run`` is a driver process of its own,
    as on a cluster (and no Ray state of other tests in this process can interfere)."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    _grow(corpus_copy)
    hidden = corpus_copy.parent
    assert _run(corpus_copy, hidden / "local") == 0
    cluster = _Cluster(hidden)
    try:
        cluster.wait_for_nodes()
        assert cluster.worker_sees() == [str(hidden)]  # the worker node cannot see them
        out = hidden / "ray"
        assert cluster.run(corpus_copy, out) == 0
        assert data_files(out) == data_files(hidden / "local")
        first = json.loads((out / "report.json").read_text())["translation"]["pairs"]
        # Again: every translation comes from the driver's memory, none from a model.
        assert cluster.run(corpus_copy, out, "--force") == 0
        assert data_files(out) == data_files(hidden / "local")
        second = json.loads((out / "report.json").read_text())["translation"]["pairs"]
        assert first and set(second) == set(first)
        for pair, counts in second.items():
            assert counts["translated"] == 0 and counts["hits"] == first[pair]["unique"] > 0
        assert cluster.worker_sees() == [str(hidden)]  # nothing written there
    finally:
        cluster.stop()


class _CountingEngine:
    """Tags each text with its target; counts the texts it was asked to translate."""

    def __init__(self):
        self.asked: list[str] = []

    def route(self, src, tgt):
        return (src, tgt)

    def model_id(self, src, tgt):
        return f"tag {src}-{tgt}"

    def translate(self, texts, src, tgt):
        self.asked += texts
        return [f"[{tgt}] {text}" for text in texts]


def test_a_shard_in_two_halves_equals_one_run_with_the_memory_at_hand(tmp_path):
    """A worker's shard: ``prepare`` names the texts to look up, the driver's hits go
    to ``finish``, which translates only the rest and hands it back to be stored. The
    results are those of the shard run where the memory is (the local executor's
    single worker), and so is the memory afterwards."""
    from pipeline.config import Config
    from pipeline.memory import TranslationMemory, look_up, store
    from pipeline.shard import PendingShard, ShardProcessor

    shard = [(f"{n}.txt", f"Notícia {n}\n\nO porto reabriu ontem. A cidade {n} "
              f"abriu uma biblioteca.\n".encode()) for n in range(3)]
    config = Config(targets=["en", "de"])
    held = {"O porto reabriu ontem.": "(from the memory)"}
    here_engine, there_engine = _CountingEngine(), _CountingEngine()
    memories = {}
    for name in ("here", "driver"):
        memories[name] = TranslationMemory(tmp_path / name / "memory.sqlite")
        memories[name].put_many("tag pt-en", "pt", "en", held)
    try:
        here = ShardProcessor(config, engine=here_engine, memory=memories["here"])(shard)
        worker = ShardProcessor(config, engine=there_engine)
        pending = worker.prepare(shard)
        assert isinstance(pending, PendingShard) and not there_engine.asked
        assert set(pending.wanted) == {("tag pt-en", "pt", "en"), ("tag pt-de", "pt", "de")}
        hits = look_up(memories["driver"], pending.wanted)
        assert hits == {("tag pt-en", "pt", "en"): held}
        there = worker.finish(pending.docs, hits)
        store(memories["driver"], there.learned)
        assert there.docs == here.docs and there.missing == here.missing
        there.stats.pop("timings"), here.stats.pop("timings")  # seconds: never equal
        assert there.stats == here.stats and here.stats["pairs"]["pt-en"]["hits"] == 1
        assert there.counts == here.counts and there.retry == here.retry == []
        assert sorted(there_engine.asked) == sorted(here_engine.asked)
        assert there_engine.asked.count("O porto reabriu ontem.") == 1  # into de only
        for key in pending.wanted:
            texts = pending.wanted[key]
            assert (memories["driver"].get_many(*key, texts)
                    == memories["here"].get_many(*key, texts))
    finally:
        for memory in memories.values():
            memory.close()


def test_a_worker_shard_with_nothing_to_look_up_is_done_in_one_half():
    """No model for any pair: nothing to look up, so no second half."""
    from pipeline.config import Config
    from pipeline.shard import ShardProcessor, ShardResult

    class NoModels(_CountingEngine):
        def route(self, src, tgt):
            return None

    shard = [("a.txt", "Notícia\n\nO porto reabriu ontem.\n".encode())]
    result = ShardProcessor(Config(targets=["en"]), engine=NoModels()).prepare(shard)
    assert isinstance(result, ShardResult)
    assert result.missing == {"a.txt": ["pt-en"]} and result.learned == {}


def _refusing_port():
    """A socket bound to a port of this machine and not listening: a connection to the
    port is refused, and no other program takes the port while the socket is held."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def test_ray_address_check_says_what_to_do():
    import socket

    from pipeline.config import ConfigError
    from pipeline.executors import ClusterUnreachable
    from pipeline.executors.ray import check_reachable

    with socket.create_server(("127.0.0.1", 0)) as server:
        check_reachable(f"127.0.0.1:{server.getsockname()[1]}")  # something listens: fine
    check_reachable("auto")  # Ray finds the cluster itself
    with _refusing_port() as sock:
        address = f"127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(ClusterUnreachable,
                           match=rf"cannot reach the Ray cluster at {address} "
                                              r"\(Connection refused\).*ray start --head"):
            check_reachable(address)
    with pytest.raises(ConfigError, match="'head-node' is not an address: .*host:port"):
        check_reachable("head-node")


@needs_ray
def test_unreachable_ray_address_ends_the_run_at_once(tmp_path):
    """Ray retried an address where nothing listens for minutes (400 s and more): the run
    now stops at once, exit 69 (a service down: retry later), saying which address and
    what to do."""
    import os
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    (tmp_path / "c1").mkdir()
    (tmp_path / "c1" / "a.txt").write_text("Notícia\n\nO porto reabriu ontem.\n")
    with _refusing_port() as sock:
        address = f"127.0.0.1:{sock.getsockname()[1]}"
        command = [sys.executable, "-m", "pipeline", "run", str(tmp_path / "c1"), "--out",
                   str(tmp_path / "out"), "--executor", "ray", "--ray-address", address]
        # A failure bound, not a timing assumption: the check itself takes well under 1 s.
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 69, done.stderr[-3000:]
    assert f"cannot reach the Ray cluster at {address}" in done.stderr
    assert "ray start --head" in done.stderr
