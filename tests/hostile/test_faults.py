"""Faults: a full disk, a read-only OUT and a corrupted state database lose nothing."""

import errno
import json
from pathlib import Path

import pytest

import pipeline.writers as writers
from pipeline.cli import main


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.mark.parametrize("code, name", [(errno.ENOSPC, "No space left"),
                                        (errno.EROFS, "Read-only file system")])
def test_write_failure_is_a_clear_error_and_previous_outputs_stay(
    corpus_copy, tmp_path, monkeypatch, capsys, code, name
):
    out = tmp_path / "out"
    main(["run", str(corpus_copy), "--out", str(out)])
    before = _snapshot(out)
    path = corpus_copy / "en" / "library-reopens.txt"
    path.write_text(path.read_text() + "\nA new closing line.\n")
    real_open = writers.atomic_open

    def failing_open(target, durable=True):
        raise OSError(code, __import__("os").strerror(code), str(target))

    monkeypatch.setattr(writers, "atomic_open", failing_open)
    capsys.readouterr()
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 74
    err = capsys.readouterr().err
    assert name in err and "intact" in err
    after = {k: v for k, v in _snapshot(out).items() if not k.startswith(".pipeline/")}
    assert after == {k: v for k, v in before.items() if not k.startswith(".pipeline/")}
    # Once the disk is fine again, the change goes through.
    monkeypatch.setattr(writers, "atomic_open", real_open)
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 3
    assert "A new closing line." in (out / "clean" / "en" / "library-reopens.txt").read_text()
    report = json.loads((out / "report.json").read_text())
    assert report["processed"] == 1


def test_corrupted_state_is_moved_aside_and_rebuilt(corpus_copy, tmp_path, capsys):
    out = tmp_path / "out"
    main(["run", str(corpus_copy), "--out", str(out)])
    before = {k: v for k, v in _snapshot(out).items() if not k.startswith(".pipeline/")}
    state = out / ".pipeline" / "state.sqlite"
    for extra in (Path(f"{state}-wal"), Path(f"{state}-shm")):
        extra.unlink(missing_ok=True)
    state.write_bytes(b"this is not a database" * 100)
    capsys.readouterr()
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 3
    assert (out / ".pipeline" / "state.sqlite.corrupt-1").exists()
    report = json.loads((out / "report.json").read_text())
    assert report["processed"] == 5
    after = {k: v for k, v in _snapshot(out).items() if not k.startswith(".pipeline/")}
    assert {k: v for k, v in after.items() if k != "report.json"} == {
        k: v for k, v in before.items() if k != "report.json"
    }


def test_corrupted_translation_memory_is_moved_aside_and_rebuilt(
    corpus_copy, tmp_path, monkeypatch, data_files, capsys
):
    from pipeline.testing.argos_package import build_package, install_package

    packages = tmp_path / "pk"
    install_package(build_package(tmp_path / "built", "pt", "en", seed=3), packages)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    out = tmp_path / "out"
    args = ["run", str(corpus_copy), "--out", str(out), "--beam-size", "1", "--force"]
    main(args)
    before = data_files(out)
    cold = json.loads((out / "report.json").read_text())
    assert cold["translation"]["pairs"]["pt-en"]["translated"] > 0, cold["translation"]
    memory = out / ".pipeline" / "memory.sqlite"
    for extra in (Path(f"{memory}-wal"), Path(f"{memory}-shm")):
        extra.unlink(missing_ok=True)
    memory.write_bytes(b"\x00garbage" * 1000)
    capsys.readouterr()
    main(args)
    err = capsys.readouterr().err
    assert "translation memory was unusable: moved to" in err and "corrupt-1" in err
    assert (out / ".pipeline" / "memory.sqlite.corrupt-1").exists()
    assert data_files(out) == before
    report = json.loads((out / "report.json").read_text())
    assert report["translation"]["pairs"]["pt-en"]["hits"] == 0
    # The report says where the unusable file went.
    assert report["translation"]["memory_moved_aside"] == str(memory) + ".corrupt-1"
