"""Devices: --device and [translate] device, compute type per device, GPUs for workers."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import Config, ConfigError, load_config
from pipeline.engines import base
from pipeline.engines.argos import ArgosEngine
from pipeline.executors import local

REPO = Path(__file__).resolve().parents[1]
NO_GPU = pytest.mark.skipif(base.cuda_devices() > 0, reason="this machine has a CUDA GPU")


def _pipeline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@NO_GPU
def test_device_cuda_without_a_gpu_exits_2_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Olá mundo.\n", encoding="utf-8")
    done = _pipeline("run", "corpus", "--out", "out", "--device", "cuda", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "pipeline: error: device cuda: CTranslate2 sees no CUDA GPU on this machine; use"
        " --device cpu (or auto)"
    ]
    assert not (tmp_path / "out").exists()  # checked before any work
    (tmp_path / "pipeline.toml").write_text('[translate]\ndevice = "cuda"\n', encoding="utf-8")
    done = _pipeline("run", "corpus", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
    # The command line wins over the config.
    assert _pipeline("models", "list", "--device", "cpu", cwd=tmp_path).returncode == 0


def test_auto_picks_cuda_when_ctranslate2_sees_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    assert base.resolve_device("auto") == "cuda"
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    assert base.resolve_device("auto") == "cpu"


def test_compute_type_follows_the_device_and_is_fingerprinted() -> None:
    cpu = ArgosEngine(device="cpu")
    assert (cpu.device, cpu.compute_type) == ("cpu", "int8")
    assert ArgosEngine(device="cpu", compute_type="float32").compute_type == "float32"
    on_a_gpu = base.resolve_compute_type("auto", "cuda", lambda device: {"int8_float16"})
    assert on_a_gpu == "int8_float16"
    # A CPU without int8: CTranslate2's own choice, not a load error.
    assert base.resolve_compute_type("auto", "cpu", lambda device: {"float32"}) == "auto"


def test_one_set_of_defaults() -> None:
    config = Config().translate
    engine = ArgosEngine()
    assert config.beam_size == engine.beam_size == base.BEAM_SIZE
    assert config.compute_type == base.COMPUTE_TYPE and config.device == base.DEVICE
    assert engine.compute_type == base.resolve_compute_type(base.COMPUTE_TYPE, engine.device)


def test_config_device_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.toml"
    path.write_text('[translate]\ndevice = "gpu"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"translate.device = 'gpu': use one of cpu, cuda"):
        load_config(path)
    path.write_text('[translate]\ndevice = "cpu"\n', encoding="utf-8")
    assert load_config(path).translate.device == "cpu"


def test_local_workers_take_the_gpus_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    chosen: list[int] = []
    monkeypatch.setattr(base, "set_device_index", chosen.append)
    monkeypatch.setattr(local, "ShardProcessor", lambda config: None)
    monkeypatch.setattr(local.signal, "signal", lambda *args: None)
    monkeypatch.setattr(local.atexit, "register", lambda *args: None)
    started = multiprocessing.get_context("spawn").Value("i", 0)
    for _ in range(3):
        local._init_worker(Config(), 1, dict(os.environ), gpus=2, started=started)
    assert chosen == [0, 1, 0]
    local._init_worker(Config(), 1, dict(os.environ), gpus=0, started=started)
    assert chosen == [0, 1, 0]  # on CPU, no GPU is chosen


def test_ray_actors_ask_for_their_gpu_share() -> None:
    from pipeline.executors import gpus_per_worker
    from pipeline.executors.ray import RayExecutor

    asked: list[dict] = []

    class FakeRay:
        def cluster_resources(self) -> dict[str, float]:
            return {"CPU": 4.0, "GPU": 1.0}

        def remote(self, **options):
            asked.append(options)
            return lambda cls: type("Remote", (), {"remote": staticmethod(lambda *a: None)})

    executor = object.__new__(RayExecutor)
    executor.ray, executor.workers, executor.cpus_per_actor = FakeRay(), 2, 2
    for device, share in (("cuda", 0.5), ("auto", 0.5), ("cpu", 0.0)):
        executor.config = Config()
        executor.config.translate.device = device
        executor._start_actors()
        assert asked[-1]["num_gpus"] == share
    assert gpus_per_worker("cuda", 4, 2) == 1.0  # never more than one GPU per actor
    with pytest.raises(ConfigError, match="no GPU"):
        gpus_per_worker("cuda", 0, 2)
