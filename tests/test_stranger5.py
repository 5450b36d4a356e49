"""Found by trying the product as a stranger (session 16): Ctrl-C while workers start,
`models list` problems, link loops without a suffix, cut record files, and what a cron
job or a second user meets."""

import gzip
import json
import os
import signal
from pathlib import Path

import pytest

from tests.test_incremental import _big_corpus
from tests.test_stranger3 import TEXT, _no_models, _report, _run  # noqa: F401 - the fixture


def _fork_server_pid() -> int:
    from multiprocessing import forkserver

    return forkserver._forkserver._forkserver_pid


needs_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc")


@needs_proc
def test_the_fork_server_starts_with_ctrl_c_blocked(tmp_path):
    """A Ctrl-C reaches the whole process group: the fork server, still preloading (it
    ignores SIGINT only after that), died of it with a KeyboardInterrupt traceback
    after the run's own "received SIGINT" line."""
    from pipeline.executors.local import start_early

    start_early(2)
    status = Path(f"/proc/{_fork_server_pid()}/status").read_text()
    blocked = int(status.split("SigBlk:")[1].split()[0], 16)
    assert blocked & (1 << (signal.SIGINT - 1))
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, set()) & {signal.SIGINT}  # ours again


# The run as its own process (the command's exit path), with a stop signal sent to it
# while it waits for the fork server to fork a worker.
SIGNAL_DURING_A_WORKER_START = """
import os, signal, sys
from multiprocessing import forkserver
from pipeline.cli import main
real = forkserver.read_signed
sent = []
def read_signed(fd):
    if not sent:
        sent.append(1)
        os.kill(os.getpid(), signal.SIGINT)
    return real(fd)
forkserver.read_signed = read_signed
sys.argv = ["pipeline", "run", *sys.argv[1:]]
main()
"""


def test_ctrl_c_while_a_worker_starts_leaves_no_worker_behind(tmp_path):
    """A stop signal that arrived while the run waited for the fork server to fork a
    worker interrupted the start: the worker was forked all the same, with no process
    object to kill. It outlived the run, then failed on the run's semaphores, gone
    (FileNotFoundError), or on its closed queue (EOFError), with a traceback after the
    run's own message; or the resource tracker warned of leaked semaphores."""
    import subprocess
    import sys

    from tests.test_incremental import ROOT

    corpus = _big_corpus(tmp_path, 40)  # two shards: a pool of two workers
    done = subprocess.run(
        [sys.executable, "-c", SIGNAL_DURING_A_WORKER_START, str(corpus), "--out",
         str(tmp_path / "out"), "--workers", "2"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300,  # a bound against a hang; stderr is read until the workers end
    )
    assert done.returncode == 130
    lines = done.stderr.splitlines()
    assert lines[-1].startswith("received SIGINT: the documents in progress are left"), lines
    assert _report(tmp_path / "out")["interrupted"] is True


def test_models_list_exits_3_when_it_lists_a_problem(tmp_path, monkeypatch, capsys):
    """`models list` printed "problem: ..." lines for a damaged package and exited 0: a
    script (or a check before a cron job) could not tell a sound folder from a broken
    one without parsing the text."""
    from pipeline.cli import main
    from pipeline.testing.argos_package import build_package, install_package

    packages = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.chdir(tmp_path)
    install_package(build_package(tmp_path / "built", "pt", "en"), packages)
    assert main(["models", "list", "--device", "cpu"]) == 0  # sound: nothing to say
    assert "problem:" not in capsys.readouterr().out
    (packages / "copied-in-half").mkdir()  # a package folder without its metadata
    assert main(["models", "list", "--device", "cpu"]) == 3
    out = capsys.readouterr().out
    assert "pt-en" in out  # the sound package is still listed
    problems = [line for line in out.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 1 and "copied-in-half" in problems[0], out


def test_a_link_loop_without_a_suffix_read_is_said_to_be_a_loop(tmp_path):
    """A loop of links named like no format the pipeline reads ("loop", "x.pdf") was
    counted among the skipped "(no suffix) files" (or .pdf files), with the advice to
    convert it to .txt; one named like a text file was quarantined as a link loop."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "README").write_text("Read me.\n")  # a real file without a suffix read
    (corpus / "loop").symlink_to("loop")
    (corpus / "m1").symlink_to("m2")
    (corpus / "m2").symlink_to("m1")
    (corpus / "x.pdf").symlink_to("x.pdf")
    (corpus / "gone").symlink_to("nowhere")  # broken, no loop: skipped as before
    assert _run(corpus, out) == 3
    report = _report(out)
    reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == {"loop", "m1", "m2", "x.pdf"}
    assert all(r.startswith("symbolic link loop") for r in reasons.values()), reasons
    assert sorted(s["path"] for s in report["skipped"]) == ["README", "gone"]
    assert report["ok"] == 1


def _records(n: int) -> str:
    return "".join(json.dumps({"id": i, "text": f"The bridge number {i} over the river was "
                                                "closed for repairs last week."}) + "\n"
                   for i in range(1, n + 1))


def test_a_record_file_cut_mid_line_keeps_its_records_and_counts_them(tmp_path):
    """A .jsonl cut inside a line (copied in half, or still being written) took the
    records after the cut for deleted (`--prune` removed them); and after a cut that
    keeps them (a truncated .gz), report.json's documents and ok counted only what
    was read while its totals (languages, segments, translated documents) counted
    the kept records too."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    path = corpus / "d.jsonl"
    path.write_text(_records(5))
    assert _run(corpus, out) == 0
    whole = path.read_text()
    path.write_text(whole[:whole.index('"id": 4') + 20])  # line 4 cut, line 5 gone
    assert _run(corpus, out, "--prune") == 3
    report = _report(out)
    assert report["deleted_sources"] == [] and report["pruned_sources"] == []
    assert [q["doc"] for q in report["quarantined"]] == ["d.jsonl#line-4"]
    assert "cut" in report["quarantined"][0]["reason"]
    kept = [json.loads(line)["doc"] for line in (out / "documents.jsonl").open()]
    assert kept == [*(f"d.jsonl#{i}" for i in range(1, 6)), "d.jsonl#line-4"]
    # 3 records read, the quarantined line, 2 kept; every ok one is in the totals.
    assert (report["documents"], report["ok"], report["not_reached"]) == (6, 5, 0)
    assert sum(report["languages"].values()) == report["ok"] == 5
    assert report["translated_documents"] == {"en": 5}


def test_a_cut_gzip_file_counts_the_records_it_keeps(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    path = corpus / "d.jsonl.gz"
    path.write_bytes(gzip.compress(_records(40).encode(), mtime=0))
    assert _run(corpus, out) == 0
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    assert _run(corpus, out) == 3
    report = _report(out)
    read = report["documents"] - report["ok"]  # the quarantined cut: one
    assert read == 1 and report["ok"] == sum(report["languages"].values()) == 40


# The run as its own process, stopped by SIGTERM at its first commit, with the worker
# pool's thread stuck as it ends (as behind a full pipe that no killed worker reads).
STOPPED_WITH_A_STUCK_POOL_THREAD = """
import os, signal, sys, time
from concurrent.futures import process
from pipeline.cli import main
from pipeline.runner import Runner
process._ExecutorManagerThread.join_executor_internals = lambda self: time.sleep(600)
commit = Runner._commit
def stop_at_the_first_commit(self, *args):
    os.kill(os.getpid(), signal.SIGTERM)
    return commit(self, *args)
Runner._commit = stop_at_the_first_commit
sys.argv = ["pipeline", "run", *sys.argv[1:]]
main()
"""


def test_a_stopped_run_leaves_no_semaphore_to_the_resource_tracker(tmp_path):
    """A stopped run ends without its exit handlers (the translation models' teardown
    takes tens of seconds), multiprocessing's among them: when the abandoned pool's
    thread still held its queues (stuck behind a full pipe, about 1 Ctrl-C in 20-50 at
    2 s into a run of 3,000 documents with --workers 2), the resource tracker warned
    of 5 leaked semaphores after the run's own message."""
    import subprocess
    import sys

    from tests.test_incremental import ROOT

    corpus = _big_corpus(tmp_path, 40)  # two shards: a pool of two workers
    done = subprocess.run(
        [sys.executable, "-c", STOPPED_WITH_A_STUCK_POOL_THREAD, str(corpus), "--out",
         str(tmp_path / "out"), "--workers", "2"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300,  # a bound against a hang
    )
    assert done.returncode == 143
    lines = done.stderr.splitlines()
    assert lines[-1].startswith("received SIGTERM: the documents in progress are left"), lines
    assert _report(tmp_path / "out")["interrupted"] is True


@pytest.mark.parametrize("line, says", [
    ("max_file_bytes = 100000000000000000000", "max_file_bytes = 100000000000000000000: at most"),
    ("document_timeout_s = 1e300", "document_timeout_s = 1e+300: at most a year"),
])
def test_a_setting_past_any_use_is_refused_with_exit_2(tmp_path, capsys, line, says):
    """Both stopped the run with an internal error (exit 70, "a bug: please report it"):
    OverflowError, a line length past an index, a timer past time_t."""
    corpus, config = tmp_path / "c", tmp_path / "pipeline.toml"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    config.write_text(line + "\n")
    assert _run(corpus, tmp_path / "out", "--config", str(config)) == 2
    assert says in capsys.readouterr().err


def test_the_largest_max_file_bytes_reads_small_files(tmp_path):
    """Each file was read into a buffer of max_file_bytes: 1 TiB, the largest setting
    taken, failed with MemoryError (exit 70) before the first document."""
    corpus, config = tmp_path / "c", tmp_path / "pipeline.toml"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    config.write_text("max_file_bytes = 1099511627776\n")
    assert _run(corpus, tmp_path / "out", "--config", str(config)) == 0
    assert (tmp_path / "out" / "clean" / "a.txt").read_text() == TEXT


def _closed(*fds: int):
    return lambda: [os.close(fd) for fd in fds]  # in the child, before the command


@pytest.mark.parametrize("fds", [(1,), (2,), (0, 1, 2)])
def test_a_run_with_closed_standard_streams_ends_with_its_own_exit_code(tmp_path, fds):
    """A cron job's `>&-` (or `2>&-`): Python leaves sys.stdout (sys.stderr) None, and
    a run that had written every output ended with 'internal error: AttributeError'
    (exit 70). The run's summary goes nowhere; its outputs and exit code are its own."""
    import subprocess
    import sys

    from tests.test_incremental import ROOT

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "c", "--out", "out"], cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=_closed(*fds),
        stdin=subprocess.DEVNULL if 0 not in fds else None,
        stdout=subprocess.DEVNULL if 1 not in fds else None,
        stderr=subprocess.PIPE if 2 not in fds else None, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "clean" / "a.txt").read_text() == TEXT
    assert _report(tmp_path / "out")["ok"] == 1


def test_a_command_whose_work_is_printing_says_stdout_is_closed(tmp_path):
    """`pipeline detect >&-` ended with a traceback (exit 1) and `models list >&-` with
    an internal error (exit 70); `detect <&-` with a traceback too. As cat does: an
    error (74, "standard output cannot be written" in --help); no input is no line."""
    import subprocess
    import sys

    from tests.test_incremental import ROOT

    def pipeline(*argv, closed):
        return subprocess.run(
            [sys.executable, "-m", "pipeline", *argv], cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=_closed(closed),
            stdin=subprocess.DEVNULL if closed != 0 else None,
            stdout=subprocess.PIPE if closed != 1 else None,
            stderr=subprocess.PIPE, text=True, timeout=300)

    for argv, name in ((["detect"], "detect"), (["models", "list"], "models list"),
                       (["explain", "a.txt"], "explain")):
        done = pipeline(*argv, closed=1)
        assert done.returncode == 74, (argv, done.stderr)
        assert done.stderr == (f"pipeline {name}: error: cannot write the output: "
                               "standard output is closed\n")
    done = pipeline("detect", closed=0)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def _nest(root: Path, levels: int) -> str:
    """A text file ``levels`` folders "dd" below ``root`` (by descriptors: deeper than a
    path may name); its document id."""
    fd = os.open(root, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("dd", dir_fd=fd)
        deeper = os.open("dd", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
        f.write(TEXT)
    os.close(fd)
    return "dd/" * levels + "deep.txt"


def _unnest(root: Path) -> None:
    """Remove the folders "dd" under ``root`` without a deep path (pytest's cleanup
    recurses once per level)."""
    top, aside = root / "dd", root / "dd-aside"
    while top.is_dir():
        if (top / "dd").is_dir():
            (top / "dd").rename(aside)
        for path in top.iterdir():
            path.unlink()
        top.rmdir()
        if aside.is_dir():
            aside.rename(top)


def test_a_corpus_nested_deeper_than_pythons_recursion_limit_is_read(tmp_path):
    """Python 3.11's os.walk, Path.mkdir(parents=True) and Path.rglob call themselves
    once per folder level: a corpus 1,100 folders deep (3,300 bytes of path, which the
    system takes) stopped every run with RecursionError (exit 70), and so did its copy's
    folders and the next run's sweep of temporary files. Deeper than a path may name,
    a folder is quarantined with its reason, and the rest is processed."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "b").mkdir()
    try:
        deep = _nest(corpus, 1100)
        assert _run(corpus, out) == 0
        assert _run(corpus, out) == 0  # the rerun sweeps OUT's folders, as deep
        assert _report(out)["unchanged"] == 2
        too_deep = "b/" + _nest(corpus / "b", 1500)
        assert _run(corpus, out) == 3
        reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
        [(folder, reason)] = reasons.items()
        assert too_deep.startswith(folder) and reason.startswith(
            "folder cannot be read (File name too long)"), reasons
        assert "move its files to a folder nearer the corpus" in reason
        assert deep in {json.loads(line)["doc"] for line in (out / "documents.jsonl").open()}
    finally:
        for root in (corpus, corpus / "b", out / "clean", out / "translations" / "en"):
            _unnest(root)


def test_a_stop_while_the_pool_asks_for_gpus_ends_the_run_with_130(tmp_path, monkeypatch):
    """Asking CTranslate2 for the GPUs imports it: a Ctrl-C then (the run waiting for its
    first shard, when a stop abandons the work at once) raised the stop's exception
    inside the extension's initialisation, which pybind11 turns into ImportError
    ('initialization failed'): the stopped run ended with an internal error (exit 70;
    seen once in about 30 Ctrl-C's at 2 s into 3,000 documents with --workers 2)."""
    from pipeline.executors import local

    def local_gpus(device):  # as pybind11 initialises an extension that the signal cuts
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except BaseException:  # noqa: BLE001 - what pybind11 does with it
            raise ImportError("initialization failed") from None
        return 0

    monkeypatch.setattr(local, "local_gpus", local_gpus)
    corpus = _big_corpus(tmp_path, 40)  # two shards: a pool of two workers
    assert _run(corpus, tmp_path / "out", "--workers", "2") == 130
    assert _report(tmp_path / "out")["interrupted"] is True


def test_a_stop_cutting_an_import_in_the_runs_own_process_ends_it_with_130(tmp_path,
                                                                          monkeypatch):
    """With one worker the shard runs here, and its stages and engine import extension
    modules as they need them: a stop's exception cut into one's initialisation came out
    as ImportError ('initialization failed', pybind11), an internal error (exit 70)."""
    from pipeline.shard import ShardProcessor

    def clean_document(self, item):
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except BaseException:  # noqa: BLE001 - what pybind11 does with it
            raise ImportError("initialization failed") from None
        raise AssertionError("the signal's handler did not run")

    monkeypatch.setattr(ShardProcessor, "clean_document", clean_document)
    corpus = _big_corpus(tmp_path, 5)
    assert _run(corpus, tmp_path / "out") == 130
    assert _report(tmp_path / "out")["interrupted"] is True
