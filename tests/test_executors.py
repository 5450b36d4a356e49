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
        [alone] = list(one.map([shard]))
        assert one.pool is None
    finally:
        one.close()
    two = LocalExecutor(Config(), workers=2)
    try:
        first, second = list(two.map([shard, shard]))
        assert two.pool is not None
    finally:
        two.close()
    assert first.docs == second.docs == alone.docs
