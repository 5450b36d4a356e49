"""The pipeline as a scheduled job against a folder a scraper writes into (ops10): a
reader's lock taken before the first run, files still being written, a subfolder whose
mount failed. Each event gives a clear message and a documented exit code, and costs
no work already done."""

import errno
import fcntl
import json
import os
import time
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.cli import main
from pipeline.config import Config, ConfigError, load_config
from pipeline.runner import RunOptions, run
from tests.conftest import TaggingEngine
from tests.test_stranger_inputs import _no_models, _run  # noqa: F401 - its fixture too

PT = ("O porto de Lisboa reabriu ontem depois de três semanas de obras. "
      "Os pescadores voltaram ao trabalho e a cidade celebrou.\n")
PT2 = "A câmara aprovou ontem o orçamento da cidade para o próximo ano.\n"


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_a_lock_file_another_user_created_does_not_stop_the_run(tmp_path, monkeypatch):
    """A reader's ``flock -s OUT/.pipeline/lock`` (docs/scheduling.md) run before the
    first run, as another user, creates the lock file read-only for the run's user:
    every run exited 74 ("cannot lock out: Permission denied") as long as it stayed. A
    lock needs only a descriptor open to read. (The other user is played by an open
    that refuses to write the file, as the system does; checked by hand with setpriv.)"""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    lock = out / ".pipeline" / "lock"
    lock.parent.mkdir(parents=True)
    lock.touch(mode=0o644)
    real_open = os.open

    def as_another_user(path, flags, *args, **kwargs):
        if os.fspath(path) == str(lock) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", as_another_user)
    assert _run(corpus, out).exit_code == 0
    assert (out / "clean" / "a.txt").is_file()
    # ... and the lock still excludes: a reader's shared lock makes a run exit 75.
    with open(lock, "rb") as reader:
        fcntl.flock(reader, fcntl.LOCK_SH)
        try:
            _run(corpus, out)
        except runner.LockedError:
            pass
        else:
            raise AssertionError("a run went on while a reader held the lock")


class _Clock:
    """The time module, its wall clock stopped at ``now_ns``: what a run takes for
    "now" is set by the test, never by how fast the machine is."""

    def __init__(self, now_ns: int):
        self.now_ns = now_ns

    def time_ns(self) -> int:
        return self.now_ns

    def time(self) -> float:
        return self.now_ns / 1e9

    def __getattr__(self, name):
        return getattr(time, name)


S = 10**9  # nanoseconds a second


def _aged(path: Path, text: str, modified_ns: int) -> None:
    """``path`` written with ``text`` and its modification time set to ``modified_ns``."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(modified_ns, modified_ns))


def _run_at(now_ns: int, corpus: Path, out: Path, monkeypatch, min_age_s: float = 60,
            **options):
    monkeypatch.setattr(runner, "time", _Clock(now_ns))
    config = Config(targets=["en"])
    config.run.min_age_s = min_age_s
    return run(corpus, out, config, RunOptions(no_cache=True, **options),
               engine=TaggingEngine())


def test_a_file_still_being_written_waits_for_the_next_run_and_says_so(tmp_path,
                                                                        monkeypatch, capsys):
    """A scraper's half-written file was processed as if complete: its half copy was
    committed and translated, until the next run found it changed. With a minimum age
    it is left for the next run, in the log and in report.json, never silently."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    now = time.time_ns()
    _aged(corpus / "old.txt", PT, now - 3600 * S)
    _aged(corpus / "new.txt", PT2[:20], now - 5 * S)  # the scraper is still writing it
    result = _run_at(now, corpus, out, monkeypatch)
    assert result.exit_code == 0
    report = _report(out)
    assert report["deferred"] == [{
        "doc": "new.txt", "age_s": 5.0,
        "reason": "modified 5 s ago, less than the minimum age (60 s): left for the next "
                  "run (a file still being written is never read half); its earlier "
                  "outputs are kept"}]
    assert report["documents"] == report["processed"] == 1
    assert (out / "clean" / "old.txt").is_file()
    assert not (out / "clean" / "new.txt").exists()
    assert "deferred: new.txt: modified 5 s ago" in capsys.readouterr().err
    # The scraper finishes; the next tick reads the whole file.
    _aged(corpus / "new.txt", PT2, now + 10 * S)
    result = _run_at(now + 120 * S, corpus, out, monkeypatch)
    assert result.exit_code == 0
    assert _report(out)["deferred"] == []
    assert result.report["processed"] == 1 and result.report["unchanged"] == 1
    assert "orçamento da cidade para o próximo ano" in (
        out / "clean" / "new.txt").read_text(encoding="utf-8")


def test_a_deferred_file_keeps_its_outputs_even_with_prune(tmp_path, monkeypatch):
    """A file (or record file) being rewritten when the run comes is not taken for
    deleted: its outputs stay, --prune keeps them, it counts as the corpus's."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    now = time.time_ns()
    _aged(corpus / "a.txt", PT, now - 3600 * S)
    _aged(corpus / "b.txt", PT2, now - 3600 * S)
    _aged(corpus / "feed.jsonl", json.dumps({"id": 1, "text": PT2}) + "\n", now - 3600 * S)
    assert _run_at(now, corpus, out, monkeypatch).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()
              and p.parent.name in ("clean", "en")}
    assert len(before) == 6
    _aged(corpus / "b.txt", PT2[:10], now + 55 * S)  # being rewritten
    _aged(corpus / "feed.jsonl", json.dumps({"id": 1, "text": PT2})[:15], now + 58 * S)
    result = _run_at(now + 60 * S, corpus, out, monkeypatch, prune=True)
    assert result.exit_code == 0
    report = _report(out)
    assert [d["doc"] for d in report["deferred"]] == ["b.txt", "feed.jsonl"]
    assert report["pruned_sources"] == [] and report["deleted_sources"] == []
    assert report["documents"] == report["ok"] == 3
    assert {p: p.read_bytes() for p in before} == before
    docs = [json.loads(line)["doc"] for line in (out / "documents.jsonl").read_text().split(
        "\n") if line]
    assert docs == ["a.txt", "b.txt", "feed.jsonl#1"]


def test_a_modification_time_in_the_future_does_not_hold_a_file_back(tmp_path, monkeypatch):
    """curl -R keeps a server's Last-Modified, ahead of this clock when the server's is:
    such a file waits for the minimum age after it was saved (its change time), not
    until the server's time has come."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    _aged(corpus / "a.txt", PT, time.time_ns() + 86400 * S)
    saved = os.stat(corpus / "a.txt").st_ctime_ns
    assert _run_at(saved + 10 * S, corpus, out, monkeypatch).report["deferred"][0][
        "doc"] == "a.txt"
    result = _run_at(saved + 61 * S, corpus, out, monkeypatch)
    assert result.report["deferred"] == [] and result.report["processed"] == 1


def test_min_age_from_the_command_and_the_config(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")  # just written: an hour is more
    monkeypatch.chdir(tmp_path)
    assert main(["run", "c", "--out", "out", "--min-age", "1h", "--dry-run"]) == 0
    plan = capsys.readouterr().out.splitlines()
    assert plan[0].startswith("wait: a.txt: modified ") and "minimum age (3600 s)" in plan[0]
    assert main(["run", "c", "--out", "out", "--min-age", "soon", "--dry-run"]) == 2
    toml = tmp_path / "p.toml"
    toml.write_text("[run]\nmin_age_s = 90\n")
    assert load_config(toml).run.min_age_s == 90.0
    toml.write_text("[run]\nmin_age_s = -1\n")
    with pytest.raises(ConfigError, match="run.min_age_s = -1.0: must be a number of seconds"):
        load_config(toml)
    # Off by default: a file just written is read.
    assert main(["run", "c", "--out", "out", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "process (new): a.txt"


def _read_from_another_file_system(out: Path, folder: str) -> None:
    """Make the state say what a run over a share mounted at ``folder`` leaves: the
    files under it read from another device than CORPUS's (without mounting one)."""
    import sqlite3

    db = sqlite3.connect(out / ".pipeline" / "state.sqlite")
    with db:
        rows = db.execute("SELECT doc, stat FROM file_stats WHERE doc LIKE ?",
                          (folder + "/%",)).fetchall()
        assert rows
        for doc, key in rows:
            *rest, device = key.split(":")
            db.execute("UPDATE file_stats SET stat=? WHERE doc=?",
                       (":".join([*rest, str(int(device) + 1)]), doc))
    db.close()


def test_prune_keeps_the_outputs_of_a_folder_whose_share_is_not_mounted(tmp_path, capsys,
                                                                        monkeypatch):
    """A network share mounted under CORPUS whose mount failed leaves its mount point,
    an empty folder: --prune removed the outputs of every document under it, translated
    at a cost. They are kept and the folder is quarantined saying so (exit 3); once the
    folder is removed, --prune removes them. A folder emptied by deleting its files (a
    retention job, on CORPUS's own file system) is pruned as before."""
    import shutil

    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / "share" / "2024").mkdir(parents=True)
    (corpus / "local").mkdir()
    (corpus / "old").mkdir()
    (corpus / "never-used").mkdir()  # empty, and never held a document: nothing said
    (corpus / "local" / "a.txt").write_text(PT, encoding="utf-8")
    (corpus / "old" / "d.txt").write_text(PT, encoding="utf-8")
    (corpus / "share" / "2024" / "b.txt").write_text(PT2, encoding="utf-8")
    (corpus / "share" / "c.txt").write_text(PT2, encoding="utf-8")
    # Read 10 s after they were written: their stat (with its device) is recorded.
    assert _run_at(time.time_ns() + 10 * S, corpus, out, monkeypatch, min_age_s=0
                   ).exit_code == 0
    monkeypatch.setattr(runner, "time", time)
    _read_from_another_file_system(out, "share")
    shutil.rmtree(corpus / "share")
    (corpus / "share").mkdir()  # the mount point, the share not mounted on it
    (corpus / "old" / "d.txt").unlink()  # a retention job: old/ is left empty
    capsys.readouterr()
    assert _run(corpus, out, prune=True, dry_run=True).exit_code == 0
    plan = capsys.readouterr().out.splitlines()
    assert "prune: old/d.txt" in plan
    assert not any(line.startswith("prune: share/") for line in plan)
    assert "quarantine: share: empty folder, while the 2 documents OUT holds from it were " \
        "read from another file system mounted there (a share that is not mounted?): " \
        "their outputs are kept as they were, never pruned; mount it again, or, if it is " \
        "gone for good, remove the folder, and --prune removes them" in plan
    result = _run(corpus, out, prune=True)
    assert result.exit_code == 3
    report = _report(out)
    assert report["pruned_sources"] == ["old/d.txt"] and report["deleted_sources"] == []
    assert [q["doc"] for q in report["quarantined"]] == ["share"]
    assert (out / "clean" / "share" / "2024" / "b.txt").is_file()
    assert (out / "clean" / "share" / "c.txt").is_file()
    (corpus / "share").rmdir()  # the share is gone for good
    result = _run(corpus, out, prune=True)
    assert result.exit_code == 0
    assert _report(out)["pruned_sources"] == ["share/2024/b.txt", "share/c.txt"]
    assert not (out / "clean" / "share").exists()
    assert (out / "clean" / "local" / "a.txt").is_file()


def test_running_out_of_memory_under_a_limit_is_not_called_a_bug(tmp_path, monkeypatch,
                                                                 capsys):
    """Under ``ulimit -v`` (a cron job's, ``systemd-run -p LimitAS``) a run that ran out of
    memory said "internal error: MemoryError: (a bug: please report it...)": the limit
    is named instead, and what to do."""
    import resource

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    limits = {resource.RLIMIT_AS: (450 << 20, 450 << 20)}
    monkeypatch.setattr(resource, "getrlimit",
                        lambda which: limits.get(which, (resource.RLIM_INFINITY,) * 2))

    def refused(self):
        raise MemoryError

    monkeypatch.setattr(runner.Runner, "_run_locked", refused)
    assert main(["run", str(corpus), "--out", str(tmp_path / "out")]) == 70
    err = capsys.readouterr().err
    assert "pipeline: error: out of memory (this process's limits: its address space to " \
        "450 MiB (ulimit -v); raise them); documents already committed are kept" in err
    assert "bug" not in err
