"""The pipeline as a scheduled job in a hostile world (ops9): a corpus a scraper writes
into, an OUT a second program reads, a disk that fills up. Each event gives a clear
message and a documented exit code, and costs no work already done."""

import errno
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.config import Config
from tests.test_stranger_inputs import _no_models, _run  # noqa: F401 - its fixture too

PT = ("O porto de Lisboa reabriu ontem depois de três semanas de obras. "
      "Os pescadores voltaram ao trabalho e a cidade celebrou.\n")
PT2 = "A câmara aprovou ontem o orçamento da cidade para o próximo ano.\n"


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _reasons(out: Path) -> dict[str, str]:
    return {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}


def test_a_folder_link_whose_name_is_not_utf8_is_quarantined_not_a_crash(tmp_path):
    """A folder link (into the corpus or out of it) named in bytes that are no UTF-8
    kept its name as read: report.json could not be written, and every run ended with
    an internal error (exit 70) once its documents were done."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / "2024").mkdir(parents=True)
    (corpus / "2024" / "a.txt").write_text(PT, encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink("2024", os.path.join(os.fsencode(corpus), b"latest-\xff"))
    os.symlink(outside, os.path.join(os.fsencode(corpus), b"away-\xfe"))
    result = _run(corpus, out)
    assert result.exit_code == 3
    reasons = _reasons(out)
    assert reasons == {"away-\ufffd": "link name is not valid UTF-8; rename it",
                       "latest-\ufffd": "link name is not valid UTF-8; rename it"}
    assert result.report["ok"] == 1
    assert _report(out)["exit_code"] == 3  # the report is written
    assert (out / "clean" / "2024" / "a.txt").is_file()


def test_a_folder_whose_name_is_not_utf8_and_cannot_be_listed_is_reported(tmp_path,
                                                                           monkeypatch):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    locked = os.path.join(os.fsencode(corpus), b"dir-\xfd")
    os.mkdir(locked)
    scandir = os.scandir

    def guarded(path="."):
        if os.fsencode(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(locked))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    assert _run(corpus, out).exit_code == 3
    assert _reasons(out)["dir-\ufffd"].startswith("folder cannot be read (Permission denied)")


def test_a_record_files_copy_blocked_by_a_folder_in_out_costs_only_that_file(tmp_path):
    """A folder of the corpus replaced by a record file of its name (a Spark-style
    ``feed.jsonl/`` of parts, then one ``feed.jsonl``): the deleted folder's kept
    copies stood where the file's copy goes, and every run stopped with exit 74 ("free
    space or fix permissions"), report and aggregates never written. A text file in
    that place is quarantined alone (tests/test_stranger3.py); so is the record file."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / "feed.jsonl").mkdir(parents=True)
    (corpus / "feed.jsonl" / "part-0.txt").write_text(PT, encoding="utf-8")
    (corpus / "b.txt").write_text(PT2, encoding="utf-8")
    assert _run(corpus, out).exit_code == 0
    (corpus / "feed.jsonl" / "part-0.txt").unlink()
    (corpus / "feed.jsonl").rmdir()
    (corpus / "feed.jsonl").write_text(json.dumps({"id": 1, "text": PT2}) + "\n")
    result = _run(corpus, out)
    assert result.exit_code == 3
    reason = _reasons(out)["feed.jsonl"]
    assert reason.startswith("its copy OUT/clean/feed.jsonl cannot be written: Is a directory")
    assert "run with --prune" in reason
    records = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    assert [r["doc"] for r in records] == ["b.txt", "feed.jsonl#1", "feed.jsonl/part-0.txt"]
    # --prune removes the deleted folder's copies first: the file's copies take their place.
    result = _run(corpus, out, prune=True)
    assert result.exit_code == 0, _report(out)["quarantined"]
    assert result.report["processed"] == 0  # its record was done by the run before
    copy = json.loads((out / "clean" / "feed.jsonl").read_text())
    assert copy == {"id": 1, "text": PT2.strip()}
    assert json.loads((out / "translations" / "en" / "feed.jsonl").read_text())["text"] == (
        "[en] " + PT2.strip())


def test_a_disk_full_while_the_aggregates_are_written_leaves_them_a_matching_pair(
        tmp_path, monkeypatch):
    """documents.jsonl was renamed into place before segments.jsonl was written: a
    disk that filled up in between left a new documents.jsonl beside the old
    segments.jsonl (a document's record saying one thing, its sentences another) until
    a later run. Now both are renamed into place once both are written."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    assert _run(corpus, out).exit_code == 0
    before = {name: (out / name).read_bytes() for name in ("documents.jsonl", "segments.jsonl")}
    (corpus / "a.txt").write_text(PT2, encoding="utf-8")
    real = runner.atomic_open

    @contextmanager
    def full_disk(path, durable=True):
        with real(path, durable) as handle:
            if path.name == "segments.jsonl":
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            yield handle

    monkeypatch.setattr(runner, "atomic_open", full_disk)
    with pytest.raises(runner.OutputError, match="No space left on device"):
        _run(corpus, out)
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not list(out.glob(".tmp-*"))
    monkeypatch.undo()
    result = _run(corpus, out)  # space freed: the pair is rebuilt, nothing processed again
    assert (result.exit_code, result.report["processed"]) == (0, 0)
    records = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    segments = [json.loads(line) for line in (out / "segments.jsonl").read_text().splitlines()]
    assert records[0]["source"]["size"] == len(PT2.encode())
    assert " ".join(s["text"] for s in segments) == PT2.strip()


def test_an_out_whose_path_is_not_utf8_is_read_by_a_dry_run_and_a_rerun(tmp_path, capsys):
    """The state's read-only URI was made of the path as text: a dry run into such an
    OUT ended with an internal error (exit 70), and a rerun never found the stages of
    the run before (it built them again although nothing had changed)."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    out = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"out-\xfe")))
    assert _run(corpus, out).exit_code == 0
    capsys.readouterr()
    assert _run(corpus, out, dry_run=True).exit_code == 0
    assert capsys.readouterr().out.splitlines() == ["unchanged: a.txt"]
    state = out / ".pipeline" / "state.sqlite"
    stages = json.loads(runner.StateStore.read_only_meta(state, runner.STAGES_META))
    assert stages["fingerprint"] == runner.fingerprint(Config(targets=["en"]))


def _hold_lock(out: Path, shared: bool) -> subprocess.Popen:
    """A process holding OUT's lock as a run does (exclusive), or as a reader does with
    ``flock -s OUT/.pipeline/lock`` (shared)."""
    lock = out / ".pipeline" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    mode = "LOCK_SH" if shared else "LOCK_EX"
    code = (f"import fcntl, time; f = open({str(lock)!r}, 'a'); "
            f"fcntl.flock(f, fcntl.{mode}); print('held', flush=True); time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_run_refused_by_a_run_that_hangs_says_for_how_long_it_has_run(tmp_path):
    """A hung run makes every later one exit 75 ("the next tick runs"): the message
    said only its pid, not that it had been running for hours."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    holder = _hold_lock(out, shared=False)
    try:
        (out / ".pipeline" / "lock.json").write_text(json.dumps(
            {"pid": holder.pid, "host": os.uname().nodename,
             "started": int(time.time()) - 3 * 3600 - 12 * 60}))
        with pytest.raises(runner.LockedError) as refused:
            _run(corpus, out)
    finally:
        holder.kill()
        holder.wait()
    assert f"another pipeline run (pid {holder.pid} on {os.uname().nodename}, running for " \
        "3 h 12 min)" in str(refused.value)


def test_a_run_refused_by_a_reader_holding_the_lock_does_not_blame_the_last_run(tmp_path):
    """A reader holding the lock while it reads the outputs (docs/scheduling.md) was
    named as the last run, long ended ("another pipeline run (pid N) is writing")."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    assert _run(corpus, out).exit_code == 0
    last = json.loads((out / ".pipeline" / "lock.json").read_text())
    assert last["pid"] == os.getpid() and isinstance(last["started"], int)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    last["pid"] = int(ended.stdout)  # a run that has ended
    (out / ".pipeline" / "lock.json").write_text(json.dumps(last))
    reader = _hold_lock(out, shared=True)
    try:
        with pytest.raises(runner.LockedError) as refused:
            _run(corpus, out)
    finally:
        reader.kill()
        reader.wait()
    message = str(refused.value)
    assert message.startswith(f"another program (the last run, pid {last['pid']}, has ended; "
                              "a reader holding "), message
    assert "pipeline run" not in message
    assert _run(corpus, out).exit_code == 0  # once the reader is done


@pytest.mark.parametrize("gone", [FileNotFoundError(errno.ENOENT, "No such file or directory"),
                                  NotADirectoryError(errno.ENOTDIR, "Not a directory")],
                         ids=["deleted", "replaced-by-a-file"])
def test_a_folder_gone_while_the_corpus_is_listed_is_not_said_to_need_permissions(
        tmp_path, monkeypatch, gone):
    """A scraper's folder deleted (or replaced by a file) between the listing of its
    parent and its own: the run said "give this user read access to it"."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / "batch-7").mkdir(parents=True)
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    (corpus / "batch-7" / "b.txt").write_text(PT2, encoding="utf-8")
    assert _run(corpus, out).report["ok"] == 2
    scandir = os.scandir

    def listing(path="."):
        if Path(path) == corpus / "batch-7":  # listed by its parent, gone since
            gone.filename = os.fspath(path)
            raise gone
        return scandir(path)

    monkeypatch.setattr(os, "scandir", listing)
    result = _run(corpus, out, prune=True)
    assert result.exit_code == 3
    assert _reasons(out) == {"batch-7": "folder deleted or replaced while the corpus was "
                             "listed: its documents are left as they were; the next run "
                             "reads it as it then is"}
    assert result.report["pruned"] == 0
    assert (out / "clean" / "batch-7" / "b.txt").is_file()


class _Later:
    """The time module, its wall clock ten seconds ahead: the files just written are
    then older than STAT_TRUST_NS, as a scraper's files are by the next run."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def time_ns() -> int:
        return time.time_ns() + 10 * 10**9


def test_a_file_with_a_modification_time_in_the_future_is_not_read_by_every_rerun(
        tmp_path, monkeypatch):
    """A scraper that keeps the server's Last-Modified (curl -R, wget -N) can give a
    file a modification time in the future. Only the change time (set by the kernel on
    every write) tells whether a file changed just before it was read: with the
    modification time in the test, such a file was read and hashed again by every
    rerun, until that date."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(PT, encoding="utf-8")
    year_2099 = 4_070_908_800
    os.utime(corpus / "b.txt", (year_2099, year_2099))
    monkeypatch.setattr(runner, "time", _Later())
    assert _run(corpus, out).report["processed"] == 2
    read = runner.read_source
    reads: list[str] = []

    def counted(entry, max_bytes, stats=None):
        reads.append(entry.doc)
        return read(entry, max_bytes, stats)

    monkeypatch.setattr(runner, "read_source", counted)
    assert _run(corpus, out).report["unchanged"] == 2
    assert reads == []
    (corpus / "b.txt").write_text(PT2, encoding="utf-8")  # a change is still found
    os.utime(corpus / "b.txt", (year_2099, year_2099))
    assert _run(corpus, out).report["processed"] == 1
    assert reads == ["b.txt"]


def test_only_the_change_time_decides_whether_a_stat_is_trusted():
    from types import SimpleNamespace as Stat

    future = Stat(st_size=12, st_mtime_ns=4 * 10**18, st_ctime_ns=10**9, st_ino=7, st_dev=1)
    assert runner.trusted_stat_key(future, 4 * 10**9) == runner.stat_key(future)
    recent = Stat(st_size=12, st_mtime_ns=10**9, st_ctime_ns=3 * 10**9, st_ino=7, st_dev=1)
    assert runner.trusted_stat_key(recent, 4 * 10**9) == ""


def _python(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            text=True)


def test_a_worker_ends_when_the_run_that_started_it_is_killed():
    run_ = _python("import time; print('up', flush=True); time.sleep(600)")
    worker = _python("from pipeline.executors.local import end_with; import time; "
                     f"end_with({run_.pid}); print('up', flush=True); time.sleep(600)")
    try:
        assert run_.stdout.readline() == worker.stdout.readline() == "up\n"
        run_.kill()
        run_.wait()
        assert worker.wait(timeout=120) == 1
    finally:
        for process in (run_, worker):
            process.kill()
            process.wait()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, ValueError):
            continue
        if entry.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_run_killed_with_sigkill_leaves_no_worker_or_fork_server_behind(tmp_path):
    """Every run killed with SIGKILL left its fork server and workers waiting forever
    (3 processes, 0.9 GB with --workers 2), the next runs beside them."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    slow = "Palavra norte -coreana , outra sem ponto " * 40_000  # seconds of cleanup
    for i in range(70):  # three shards: the pool starts for the second
        (corpus / f"d{i:03d}.txt").write_text(slow if i in (3, 40, 66) else PT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    main = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(corpus), "--out",
                             str(out), "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    left: set[int] = set()
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and main.poll() is None:
            servers = _children(main.pid)
            workers = set().union(*map(_children, servers)) if servers else set()
            if len(workers) >= 2:  # the fork server's workers are up
                left = servers | workers
                break
            time.sleep(0.2)
        assert left, "the run's workers were never seen"
        main.kill()
        main.wait()
        deadline = time.monotonic() + 120
        while left and time.monotonic() < deadline:
            left = {pid for pid in left if Path(f"/proc/{pid}").exists()
                    and "zombie" not in Path(f"/proc/{pid}/status").read_text()}
            time.sleep(0.2)
        assert not left, f"left behind: {sorted(left)}"
    finally:
        main.kill()
        main.wait()
        for pid in left:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


def test_a_file_size_limit_is_named_when_it_stops_a_run(tmp_path):
    """Under a file size limit (``ulimit -f`` in a cron job's shell, systemd's
    LimitFSIZE) SQLite says "disk I/O error" and the run said to free space or fix
    permissions; the limit is now named, and the rerun under no limit finishes."""
    import resource

    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    for i in range(6):
        (corpus / f"a{i}.txt").write_text(f"{i}. {PT}" * 40, encoding="utf-8")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_384, 16_384))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", str(corpus), "--out",
                           str(out)], env=env, preexec_fn=limited, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 74, done.stderr
    assert "files of at most 16384 bytes (ulimit -f)" in done.stderr, done.stderr
    again = subprocess.run([sys.executable, "-m", "pipeline", "run", str(corpus), "--out",
                            str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 3, again.stderr  # the missing model only
    assert _report(out)["ok"] == 6


def _has_syncfs() -> bool:
    import ctypes

    try:
        return hasattr(ctypes.CDLL(None), "syncfs")
    except OSError:
        return False


@pytest.mark.skipif(not _has_syncfs(), reason="no syncfs(2) here: the run uses sync(2)")
def test_a_commit_flushes_the_file_system_of_out_not_every_file_system(tmp_path, monkeypatch):
    """Each shard's commit called sync(2), which flushes every file system of the
    machine: a hung network mount anywhere hung the run (holding OUT's lock, so every
    later tick exited 75), and each commit waited for other programs' unwritten data
    (0.23 s for 0.5 GB of another program's dirty pages on this test's machine)."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")

    def hung() -> None:
        raise AssertionError("sync(2) waits for every file system of the machine")

    monkeypatch.setattr(os, "sync", hung)
    assert _run(corpus, out).exit_code == 0
    assert (out / "clean" / "a.txt").read_text(encoding="utf-8") == PT


def test_a_record_file_changed_during_the_run_is_named_in_the_report(tmp_path, monkeypatch):
    """A record file a crawler appends to during the run gets no new copies (they would
    not match the records processed): report.json says so, not only the log."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    feed = corpus / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "text": PT.strip()}) + "\n", encoding="utf-8")
    write_copies = runner.Runner._write_record_copies

    def appended_first(self, state):  # the crawler writes between reading and copying
        with feed.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"id": "b", "text": PT2.strip()}) + "\n")
        return write_copies(self, state)

    monkeypatch.setattr(runner.Runner, "_write_record_copies", appended_first)
    _run(corpus, out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [entry] = report["copies_not_rebuilt"]
    assert entry["doc"] == "feed.jsonl" and "changed during the run" in entry["reason"]
    assert not (out / "clean" / "feed.jsonl").exists()
