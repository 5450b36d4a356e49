"""Scheduled runs: incremental, one at a time, crash-safe, honest exit codes."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _run(corpus: Path, out: Path, *extra: str) -> int:
    return main(["run", str(corpus), "--out", str(out), *extra])


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def test_unchanged_rerun_processes_nothing_and_keeps_outputs(corpus_copy, tmp_path, data_files):
    out = tmp_path / "out"
    _run(corpus_copy, out)
    first = data_files(out)
    assert _report(out)["processed"] == 5
    _run(corpus_copy, out)
    assert _report(out)["processed"] == 0 and _report(out)["unchanged"] == 5
    assert data_files(out) == first


def test_changed_document_alone_is_reprocessed(corpus_copy, tmp_path):
    out = tmp_path / "out"
    _run(corpus_copy, out)
    path = corpus_copy / "en" / "library-reopens.txt"
    path.write_text(path.read_text() + "\nThe café in the lobby opens next month.\n")
    _run(corpus_copy, out)
    report = _report(out)
    assert (report["processed"], report["unchanged"]) == (1, 4)
    assert "café in the lobby" in (out / "clean" / "en" / "library-reopens.txt").read_text()
    records = (out / "documents.jsonl").read_text().splitlines()
    assert len(records) == 5


def test_force_reprocesses_everything(corpus_copy, tmp_path):
    out = tmp_path / "out"
    _run(corpus_copy, out)
    _run(corpus_copy, out, "--force")
    assert _report(out)["processed"] == 5


def test_changed_configuration_reprocesses_everything(corpus_copy, tmp_path):
    out = tmp_path / "out"
    _run(corpus_copy, out, "--to", "en")
    _run(corpus_copy, out, "--to", "en,de")
    assert _report(out)["processed"] == 5
    assert '"de":' in (out / "segments.jsonl").read_text()


def test_deleted_source_is_reported_then_pruned(corpus_copy, tmp_path):
    out = tmp_path / "out"
    _run(corpus_copy, out)
    (corpus_copy / "en" / "library-reopens.txt").unlink()
    _run(corpus_copy, out)
    assert _report(out)["deleted_sources"] == ["en/library-reopens.txt"]
    assert (out / "clean" / "en" / "library-reopens.txt").exists()
    _run(corpus_copy, out, "--prune")
    assert _report(out)["pruned"] == 1 and _report(out)["deleted_sources"] == []
    assert not (out / "clean" / "en" / "library-reopens.txt").exists()
    assert "library-reopens" not in (out / "documents.jsonl").read_text()


def test_dry_run_prints_the_plan_and_writes_nothing(corpus_copy, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(corpus_copy, out, "--dry-run") == 0
    printed = capsys.readouterr().out
    assert "process (new): article-pt.txt" in printed
    assert not out.exists()
    _run(corpus_copy, out)
    (corpus_copy / "article-pt.txt").write_text("Texto novo.\n")
    capsys.readouterr()
    _run(corpus_copy, out, "--dry-run")
    printed = capsys.readouterr().out
    assert "process (changed): article-pt.txt" in printed
    assert "unchanged: en/library-reopens.txt" in printed


def test_bad_inputs_are_quarantined_and_the_rest_processed(corpus_copy, tmp_path, data_files):
    bad = corpus_copy / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "noise.txt").write_bytes(bytes((i * 73 + 41) % 255 + 1 for i in range(3000)))
    (bad / "big.txt").write_text("x" * 5000)
    os.mkfifo(bad / "pipe.txt")
    (bad / "outside.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("secret")
    (bad / os.fsdecode(b"caf\xe9.txt")).write_text("Um texto.")
    config = tmp_path / "p.toml"
    config.write_text("max_file_bytes = 4000\n")
    out = tmp_path / "out"
    assert _run(corpus_copy, out, "--config", str(config)) == 3
    report = _report(out)
    reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
    assert "binary" in reasons["bad/binary.txt"]
    assert reasons["bad/empty.txt"] == "empty file"
    assert "undecodable" in reasons["bad/noise.txt"]
    assert "larger than max_file_bytes" in reasons["bad/big.txt"]
    assert reasons["bad/pipe.txt"] == ("not a regular file but a FIFO (named pipe): only files "
                                       "are read; save its content as a file")
    assert "outside the corpus" in reasons["bad/outside.txt"]
    assert "copy the file into the corpus" in reasons["bad/outside.txt"]  # what to do
    assert any("not valid UTF-8" in r for r in reasons.values())
    assert report["ok"] == 5
    assert not any("secret" in p for p in data_files(out))


def _hold_lock(out: Path) -> subprocess.Popen:
    code = (
        "import sys, time; from filelock import FileLock; "
        f"l = FileLock({str(out / '.pipeline' / 'lock')!r}); l.acquire(); "
        "print('held', flush=True); time.sleep(60)"
    )
    (out / ".pipeline").mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_second_run_exits_75_naming_the_holder(corpus_copy, tmp_path, capsys):
    out = tmp_path / "out"
    (out / ".pipeline").mkdir(parents=True)
    (out / ".pipeline" / "lock.json").write_text('{"pid": 4242, "host": "cron-box"}')
    holder = _hold_lock(out)
    try:
        assert _run(corpus_copy, out) == 75
        assert "pid 4242 on cron-box" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_run_does_not_block(corpus_copy, tmp_path):
    out = tmp_path / "out"
    holder = _hold_lock(out)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert _run(corpus_copy, out) == 3  # missing models, but it ran


def _big_corpus(root: Path, n: int) -> Path:
    corpus = root / "big"
    for i in range(n):
        path = corpus / f"d{i // 10}" / f"doc{i:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"Notícia {i}\n\nNotícia {i}\n\nA cidade número {i} anunciou hoje um novo "
            "plano de transporte norte -americano. O prefeito disse que as obras começam "
            f"em {i % 28 + 1} de março.\n\nCompartilhar\n"
        )
    return corpus


def _subprocess_run(corpus: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out), *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def test_sigkill_at_any_point_then_rerun_gives_identical_outputs(tmp_path, data_files):
    corpus = _big_corpus(tmp_path, 120)
    reference = tmp_path / "reference"
    started = time.monotonic()
    assert _subprocess_run(corpus, reference).wait() == 3
    duration = time.monotonic() - started
    expected = data_files(reference)
    assert len(expected) == 122
    for fraction in (0.3, 0.55, 0.7, 0.85, 0.95):
        out = tmp_path / f"killed-{fraction}"
        proc = _subprocess_run(corpus, out)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _subprocess_run(corpus, out).wait() == 3
        assert data_files(out) == expected, fraction
        assert not list(out.rglob("*.tmp"))


# A real slow input: one long line without a full stop takes seconds of cleanup per
# 100 KB (about 13 s for this one on a quiet machine, more on a busy one).
SLOW_TEXT = "Palavra norte -coreana , outra sem ponto " * 40_000


def _corpus_with_a_slow_shard(root: Path) -> Path:
    """32 short articles (the first shard, committed in seconds), then a shard of 3
    slow documents: a signal sent once the first shard is committed finds the
    second one in flight, on any machine, by half a minute or more."""
    corpus = _big_corpus(root, 32)
    (corpus / "zz").mkdir()  # read last: the corpus is read folder by folder, sorted
    for i in range(3):
        (corpus / "zz" / f"slow-{i}.txt").write_text(SLOW_TEXT)
    return corpus


def _committed(out: Path) -> set[str]:
    path = out / ".pipeline" / "state.sqlite"
    if not path.exists():
        return set()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return {doc for (doc,) in db.execute("SELECT doc FROM documents")}
        finally:
            db.close()
    except sqlite3.Error:
        return set()


def _wait_for_a_commit(out: Path, proc: subprocess.Popen | None = None) -> set[str]:
    # Bounded: the first shard takes seconds; the limit only stops a broken run hanging.
    for _ in range(6000):
        if (done := _committed(out)) or (proc is not None and proc.poll() is not None):
            return done
        time.sleep(0.05)
    return set()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_abandons_the_shard_in_flight_and_the_next_run_does_it(tmp_path, workers):
    corpus = _corpus_with_a_slow_shard(tmp_path)
    out = tmp_path / "out"
    patient, strict = tmp_path / "patient.toml", tmp_path / "strict.toml"
    patient.write_text("document_timeout_s = 3600\n")  # the slow shard would run its course
    strict.write_text("document_timeout_s = 1\n")  # not in the fingerprint: changes nothing else
    proc = _subprocess_run(corpus, out, "--config", str(patient), "--workers", workers)
    first = _wait_for_a_commit(out, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=300) == 143  # a bound against a hang, not a timing claim
    # Run here (one worker), the first shard is committed as soon as its translation
    # ends, before the next document of the slow shard is cleaned
    # (pipeline.executors.local); the slow shard never is.
    done = _committed(out)
    assert first and first <= done and len(done) <= 32
    assert not any(doc.startswith("zz/") for doc in done)  # the slow shard was abandoned
    report = _report(out)
    assert report["interrupted"] is True and report["processed"] == len(done)
    assert len((out / "documents.jsonl").read_text().splitlines()) == len(done)
    assert not (out / "clean" / "zz").exists() and not list(out.rglob("*.tmp"))
    assert _subprocess_run(corpus, out, "--config", str(strict)).wait(timeout=300) == 3
    assert (_report(out)["processed"], _report(out)["unchanged"]) == (35 - len(done), len(done))


def test_interrupted_workers_leave_the_fork_server_usable(tmp_path, monkeypatch):
    """In this process, so that the next run forks its workers from the same server."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    corpus = _corpus_with_a_slow_shard(tmp_path)
    config = tmp_path / "patient.toml"
    config.write_text("document_timeout_s = 3600\n")
    out = tmp_path / "out"
    sender = threading.Thread(target=lambda: _wait_for_a_commit(out) and
                              os.kill(os.getpid(), signal.SIGTERM))
    sender.start()
    try:
        assert _run(corpus, out, "--workers", "2", "--config", str(config)) == 143
    finally:
        sender.join()
    assert len(_committed(out)) == 32
    again = _big_corpus(tmp_path / "again", 40)  # two shards: a new pool
    assert _run(again, tmp_path / "out-again", "--workers", "2") == 3  # missing models only
    assert _report(tmp_path / "out-again")["processed"] == 40


def test_first_signal_stops_after_the_commit_second_stops_at_once(tmp_path):
    from pipeline.config import Config
    from pipeline.runner import Interrupted, Runner

    runner = Runner(tmp_path, tmp_path / "out", Config())
    runner._on_signal(signal.SIGTERM, None)  # during a commit: noted, the commit goes on
    assert runner.stop_signal == signal.SIGTERM
    with pytest.raises(Interrupted) as second:
        runner._on_signal(signal.SIGINT, None)
    assert second.value.signum == signal.SIGTERM  # exit 143, as the first signal said
    waiting = Runner(tmp_path, tmp_path / "out", Config())
    waiting._abandonable = True  # waiting for a shard: the first signal abandons it
    with pytest.raises(Interrupted):
        waiting._on_signal(signal.SIGINT, None)


def test_json_logs_are_one_object_per_line(corpus_copy, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus_copy), "--out",
         str(tmp_path / "out"), "--log-format", "json"],
        env=env, capture_output=True, text=True,
    )
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert events[0]["event"] == "start" and events[0]["documents"] == 5


def test_run_stopped_before_its_aggregates_leaves_them_to_the_next_run(corpus_copy, tmp_path,
                                                                       monkeypatch):
    from pipeline.runner import Interrupted, Runner

    out = tmp_path / "out"
    _run(corpus_copy, out)
    path = corpus_copy / "en" / "library-reopens.txt"
    path.write_text(path.read_text() + "\nThe café in the lobby opens next month.\n")

    def second_signal(self, state):  # as a second SIGTERM there would
        raise Interrupted(signal.SIGTERM)

    with monkeypatch.context() as patch:
        patch.setattr(Runner, "_write_aggregates", second_signal)
        assert _run(corpus_copy, out) == 143
    assert "café in the lobby" not in (out / "segments.jsonl").read_text()
    _run(corpus_copy, out)  # nothing left to process, but the aggregates lag the state
    assert _report(out)["processed"] == 0
    assert "café in the lobby" in (out / "segments.jsonl").read_text()
