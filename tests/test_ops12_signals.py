"""Stops at awkward moments (ops12): a signal sent by the process to itself at a fixed
point through a hook set before the command starts, never after a sleep."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.test_executors import _session_processes
from tests.test_ops11_signals import ROOT, RUN_HOOK, _command, _corpus, _report


def test_a_stop_while_the_corpus_is_listed_is_said_in_the_log(tmp_path):
    # The run stopped (report.json said interrupted, exit 143) but its log never said it
    # had received the signal: only a stop during a shard was logged.
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    done = _command(tmp_path, RUN_HOOK, ["run", str(corpus), "--out", str(out)],
                    SIG=signal.SIGTERM)
    assert done.returncode == 143, done.stderr
    assert "received SIGTERM" in done.stderr
    assert _report(out)["interrupted"] is True
    # Stopped before the listing gave a file: not a corpus that holds none.
    assert "holds no file at all" not in done.stdout + done.stderr
    done = _command(tmp_path, RUN_HOOK, ["run", str(corpus), "--out", str(tmp_path / "o2"),
                                         "--log-format", "json"], SIG=signal.SIGINT)
    assert done.returncode == 130, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines()]
    stopping = [e for e in events if e["event"] == "stopping"]
    assert len(stopping) == 1 and stopping[0]["signal"] == signal.SIGINT
    assert "received SIGINT" in stopping[0]["message"]
    assert events[-1]["event"] == "done" and events[-1]["exit_code"] == 130


# Sends SIGTERM to this process while `ray.init` starts the run's local Ray: after Ray's
# servers have started, as its driver connects (its own SIGTERM handlers set by then),
# and says so in the file FIRED.
WHILE_RAY_STARTS = """
import os, signal
import ray._private.worker as worker
connect = worker.connect
def connecting(*args, **kwargs):
    open(FIRED, "w").close()
    os.kill(os.getpid(), signal.SIGTERM)
    return connect(*args, **kwargs)
worker.connect = connecting
"""


def _not_ending(pids: list[int], bound_s: float = 120.0) -> list[int]:
    """Those of ``pids`` that do not end. Ray's servers, told to stop by the run's
    shutdown, may still be ending when the run has exited (on a loaded machine they were:
    2 left at load 7): each is waited for until it ends (its pidfd becomes readable: no
    polling), ``bound_s`` being a failure bound only. A zombie has ended."""
    import select

    left = []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            if not select.select([fd], [], [], bound_s)[0]:
                left.append(pid)
        finally:
            os.close(fd)
    return left


@pytest.mark.ray
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs pip install '.[ray]'")
def test_a_sigterm_while_ray_starts_stops_the_run_as_at_any_other_moment(tmp_path):
    # Ray's own handler (sys.exit, set while it starts) ended the run with exit 15 and
    # no report: a systemd stop or a pod's end at that moment looked like a crash.
    corpus, out, fired = _corpus(tmp_path), tmp_path / "out", tmp_path / "fired"
    script = (f"FIRED = {str(fired)!r}\n" + WHILE_RAY_STARTS + textwrap.dedent(f"""
        import sys
        from pipeline.cli import main
        sys.argv = ["pipeline", "run", {str(corpus)!r}, "--out", {str(out)!r},
                    "--executor", "ray"]
        sys.exit(main())
        """))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(tmp_path / "none"),
           "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    # In a session of its own: Ray's processes are in it, and must end with the run.
    child = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = child.communicate(timeout=300)
    finally:
        left = _not_ending(_session_processes(child.pid))
        for pid in _session_processes(child.pid):
            os.kill(pid, signal.SIGKILL)
    assert fired.exists()  # the signal was sent while Ray started
    assert child.returncode == 143, stderr
    assert "received SIGTERM" in stderr
    assert _report(out)["interrupted"] is True and _report(out)["exit_code"] == 143
    assert left == []


# Sends SIGHUP to the run's whole process group once its first shard is committed, as a
# shell does to its jobs when its terminal closes.
HANG_UP_THE_GROUP = """
import os, signal
from pipeline.runner import Runner
commit = Runner._commit
def first_commit(self, *args, **kwargs):
    done = commit(self, *args, **kwargs)
    Runner._commit = commit
    os.killpg(os.getpgid(0), signal.SIGHUP)
    return done
Runner._commit = first_commit
"""


def test_a_closed_terminal_leaves_the_worker_pools_resource_tracker_running(tmp_path):
    # multiprocessing's resource tracker ignores SIGINT and SIGTERM, not SIGHUP: it died
    # with the terminal, and the stop warned 'resource_tracker: process died
    # unexpectedly, relaunching.  Some resources might leak.'
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    for n in range(70):  # three shards: two worker processes start
        (corpus / f"{n:02d}.txt").write_text(f"The harbour {n} reopened on Monday.\n")
    script = HANG_UP_THE_GROUP + textwrap.dedent(f"""
        import sys
        from pipeline.cli import main
        sys.argv = ["pipeline", "run", {str(corpus)!r}, "--out", {str(out)!r},
                    "--workers", "2"]
        sys.exit(main())
        """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(tmp_path / "none")}
    child = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = child.communicate(timeout=300)
    finally:
        for pid in _session_processes(child.pid):
            os.kill(pid, signal.SIGKILL)
    assert child.returncode == 129, stderr
    assert "received SIGHUP" in stderr
    assert "resource_tracker" not in stderr and "leak" not in stderr, stderr
    report = _report(out)
    assert report["interrupted"] is True and report["processed"] == 32


# Sends SIG once the listing of the corpus has given its first entry, and writes how many
# entries the run took from the listing to the file PULLED.
DURING_THE_LISTING = """
import os
from pipeline.runner import Runner
listed = Runner._sort_entries
def sort_entries(self, entries):
    pulled = 0
    def counted():
        nonlocal pulled
        for entry in entries:
            pulled += 1
            if pulled == 1:
                os.kill(os.getpid(), SIG)
            yield entry
    try:
        return listed(self, counted())
    finally:
        open(PULLED, "w").write(str(pulled))
Runner._sort_entries = sort_entries
"""


def test_a_stop_during_the_listing_ends_it_and_keeps_every_stored_document(tmp_path):
    # The listing went on to its end before the run stopped (a million files, a slow
    # share: minutes, past a scheduler's grace period). Cut short, what it did not list
    # must not be taken for deleted, even under --prune.
    corpus, out, pulled = tmp_path / "corpus", tmp_path / "out", tmp_path / "pulled"
    for folder in ("a", "b", "c"):
        (corpus / folder).mkdir(parents=True)
        for n in range(2):
            (corpus / folder / f"{n}.txt").write_text(f"The harbour {folder}{n} reopened.\n")
    assert _command(tmp_path, "", ["run", str(corpus), "--out", str(out)]).returncode == 0
    stored = sorted(p.relative_to(out).as_posix() for p in (out / "clean").rglob("*.txt"))
    records = (out / "documents.jsonl").read_text()
    assert len(stored) == 6 and records.count("\n") == 6
    (corpus / "c" / "1.txt").write_text("The harbour c1 reopened, and changed.\n")
    done = _command(tmp_path, DURING_THE_LISTING, ["run", str(corpus), "--out", str(out),
                                                   "--prune"],
                    SIG=signal.SIGTERM, PULLED=str(pulled))
    assert done.returncode == 143, done.stderr
    assert int(pulled.read_text()) < 6  # the listing stopped
    assert "stopped the listing" in done.stderr and "received SIGTERM" in done.stderr
    report = _report(out)
    assert report["interrupted"] is True
    assert report["pruned_sources"] == [] and report["deleted_sources"] == []
    assert sorted(p.relative_to(out).as_posix()
                  for p in (out / "clean").rglob("*.txt")) == stored
    assert (out / "documents.jsonl").read_text() == records
    rerun = _command(tmp_path, "", ["run", str(corpus), "--out", str(out), "--prune"])
    assert rerun.returncode == 0, rerun.stderr
    assert _report(out)["processed"] == 1 and _report(out)["unchanged"] == 5
