"""Faults: a full disk, a read-only OUT, a corrupted or locked state database lose
nothing; errors say what they are (--debug shows the traceback), and JSON logs hold
every line."""

import errno
import json
import os
import sqlite3
import subprocess
import sys
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


def _rows(state: Path) -> list[tuple]:
    db = sqlite3.connect(state)
    try:
        return db.execute("SELECT doc, sha256, fingerprint, status FROM documents").fetchall()
    finally:
        db.close()


def test_a_locked_state_is_left_as_it_is_and_the_run_exits_75(
    corpus_copy, tmp_path, monkeypatch, capsys
):
    import pipeline.state

    out = tmp_path / "out"
    main(["run", str(corpus_copy), "--out", str(out)])
    state = out / ".pipeline" / "state.sqlite"
    rows = _rows(state)
    path = corpus_copy / "en" / "library-reopens.txt"
    path.write_text(path.read_text() + "\nA new closing line.\n")
    monkeypatch.setattr(pipeline.state, "BUSY_TIMEOUT_S", 0.0)
    other = sqlite3.connect(state, isolation_level=None)  # another program writing to it
    other.execute("BEGIN IMMEDIATE")
    try:
        capsys.readouterr()
        assert main(["run", str(corpus_copy), "--out", str(out)]) == 75
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert "state database" in err and "locked by another program" in err, err
    assert not list(state.parent.glob("state.sqlite.corrupt-*"))
    assert _rows(state) == rows
    # Once the other program is done, only the changed document is processed.
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 3
    report = json.loads((out / "report.json").read_text())
    assert (report["processed"], report["unchanged"]) == (1, 4)


def test_a_disk_error_on_the_state_is_no_corruption_exit_74_and_nothing_moved(
    corpus_copy, tmp_path, monkeypatch, capsys
):
    import pipeline.state

    out = tmp_path / "out"
    main(["run", str(corpus_copy), "--out", str(out)])
    state = out / ".pipeline" / "state.sqlite"
    before = state.read_bytes()
    real_connect = sqlite3.connect

    def failing_connect(path, *args, **kwargs):
        if Path(str(path)).name == "state.sqlite":
            exc = sqlite3.OperationalError("disk I/O error")
            exc.sqlite_errorcode = 10  # SQLITE_IOERR
            raise exc
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(pipeline.state.sqlite3, "connect", failing_connect)
    capsys.readouterr()
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 74
    err = capsys.readouterr().err
    assert "disk I/O error" in err and "left as it is" in err, err
    assert "Traceback" not in err
    assert not list(state.parent.glob("state.sqlite.corrupt-*"))
    assert state.read_bytes() == before
    monkeypatch.setattr(pipeline.state.sqlite3, "connect", real_connect)
    main(["run", str(corpus_copy), "--out", str(out)])
    assert json.loads((out / "report.json").read_text())["unchanged"] == 5


@pytest.mark.parametrize("how", ["flag", "env", "none"])
def test_debug_shows_the_traceback_of_an_unexpected_error(
    corpus_copy, tmp_path, monkeypatch, capsys, how
):
    import pipeline.runner

    def broken(*args, **kwargs):
        raise RuntimeError("boom in discover")

    monkeypatch.setattr(pipeline.runner, "discover", broken)
    monkeypatch.delenv("PIPELINE_DEBUG", raising=False)
    argv = ["run", str(corpus_copy), "--out", str(tmp_path / "out")]
    if how == "flag":
        argv.append("--debug")
    elif how == "env":
        monkeypatch.setenv("PIPELINE_DEBUG", "1")
    assert main(argv) == 70
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom in discover" in err
    if how == "none":
        assert "Traceback" not in err and "rerun with --debug" in err
    else:
        assert "Traceback (most recent call last)" in err and "def broken" not in err
        assert 'raise RuntimeError("boom in discover")' in err


def _json_run(corpus: Path, out: Path, env: dict, *extra: str) -> tuple[str, list[dict]]:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
         "--log-format", "json", *extra],
        env={**os.environ, **env, "PYTHONPATH": str(root)}, capture_output=True, text=True,
    )
    events = []
    for line in done.stderr.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not JSON on stderr: {line!r}") from None
    assert events and events[-1]["event"] == "done", events
    assert events[-1]["exit_code"] == done.returncode
    return done.stdout, events


def test_json_logs_hold_every_line_warnings_summary_and_a_final_done_event(
    corpus_copy, tmp_path
):
    packages = tmp_path / "packages"
    (packages / "broken-package").mkdir(parents=True)  # no metadata.json: a warning
    env = {"ARGOS_PACKAGES_DIR": str(packages)}
    (corpus_copy / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    out = tmp_path / "out"
    stdout, events = _json_run(corpus_copy, out, env)
    assert stdout == ""
    state = out / ".pipeline" / "state.sqlite"
    for extra in (Path(f"{state}-wal"), Path(f"{state}-shm")):
        extra.unlink(missing_ok=True)
    state.write_bytes(b"this is not a database" * 100)
    (corpus_copy / "article-pt.txt").unlink()
    stdout, events = _json_run(corpus_copy, out, env)
    assert stdout == ""
    by_event: dict[str, list[dict]] = {}
    for event in events:
        by_event.setdefault(event["event"], []).append(event)
    assert "moved to" in by_event["state"][0]["message"]
    assert by_event["state"][0]["level"] == "warning"
    assert "broken-package" in by_event["model_package"][0]["message"]
    assert [e["doc"] for e in by_event["quarantined"]] == ["binary.txt"]  # as it happened
    assert {e["pair"] for e in by_event["missing_model"]} >= {"pt-en", "de-en"}
    [summary] = by_event["summary"]
    assert (summary["documents"], summary["processed"], summary["quarantined"]) == (5, 5, 1)
    assert summary["quarantined_documents"][0]["doc"] == "binary.txt"
    assert by_event["report"][0]["path"].endswith("report.json")
    done = events[-1]
    assert done["exit_code"] == 3 and done["documents"] == 5 and done["ok"] == 4
    assert done["missing_models"] == len(by_event["missing_model"])


def test_json_logs_report_a_configuration_error_as_events(corpus_copy, tmp_path):
    config = tmp_path / "p.toml"
    config.write_text('[translate]\ncompute_type = "float128"\n')
    stdout, events = _json_run(corpus_copy, tmp_path / "out", {}, "--config", str(config))
    assert stdout == ""
    assert [e["event"] for e in events] == ["error", "done"]
    assert "translate.compute_type" in events[0]["message"] and str(config) in events[0]["message"]
    assert events[-1]["exit_code"] == 2


def test_a_database_locked_during_the_run_exits_75_and_keeps_what_was_committed(
    corpus_copy, tmp_path, monkeypatch, capsys
):
    from pipeline.state import StateStore

    out = tmp_path / "out"
    main(["run", str(corpus_copy), "--out", str(out)])
    path = corpus_copy / "en" / "library-reopens.txt"
    path.write_text(path.read_text() + "\nA new closing line.\n")

    def locked(self):
        exc = sqlite3.OperationalError("database is locked")
        exc.sqlite_errorcode = 5  # SQLITE_BUSY: another program holds the write lock
        raise exc

    monkeypatch.setattr(StateStore, "transaction", locked)
    capsys.readouterr()
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 75
    err = capsys.readouterr().err
    assert "was locked by another program" in err and "committed are kept" in err, err
    assert not list((out / ".pipeline").glob("state.sqlite.corrupt-*"))
    monkeypatch.undo()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    main(["run", str(corpus_copy), "--out", str(out)])
    report = json.loads((out / "report.json").read_text())
    assert (report["processed"], report["unchanged"]) == (1, 4)


@pytest.mark.parametrize("debug", [True, False])
def test_debug_shows_the_traceback_of_a_document_that_fails(
    corpus_copy, tmp_path, monkeypatch, capsys, debug
):
    from pipeline.stages.repair import Repair

    def broken(self, doc):
        if doc.doc == "article-pt.txt":
            raise ValueError("a bug in repair")
        return doc

    monkeypatch.setattr(Repair, "process", broken)
    monkeypatch.delenv("PIPELINE_DEBUG", raising=False)
    argv = ["run", str(corpus_copy), "--out", str(tmp_path / "out")]
    assert main([*argv, "--debug"] if debug else argv) == 3
    err = capsys.readouterr().err
    assert "failed: article-pt.txt: repair: ValueError: a bug in repair" in err
    assert ("Traceback (most recent call last)" in err) is debug
    assert ('raise ValueError("a bug in repair")' in err) is debug
