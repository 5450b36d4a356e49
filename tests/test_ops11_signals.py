"""Signals as a scheduled or background run meets them (ops11).

Each signal is sent by the process to itself at a fixed point (an import, the
listing of the corpus), through a hook set before the command starts: no sleeps, no
timing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Sends SIG to this process when MODULE is first imported (before its code runs).
IMPORT_HOOK = """
import importlib.abc, os, signal, sys
class Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == MODULE:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), SIG)
        return None
sys.meta_path.insert(0, Hook())
"""

# Sends SIG to this process when the run lists the corpus (its handlers are set).
RUN_HOOK = """
import os, signal
from pipeline.runner import Runner
listed = Runner._sort_entries
def sort_entries(self, entries):
    os.kill(os.getpid(), SIG)
    return listed(self, entries)
Runner._sort_entries = sort_entries
"""

COMMAND = """
import sys
from pipeline.cli import main
sys.argv = ["pipeline", *ARGS]
sys.exit(main())
"""


def _command(tmp_path: Path, hook: str, args: list[str], ignored: tuple[int, ...] = (),
             before: str = "", **names) -> subprocess.CompletedProcess:
    """Run ``pipeline ARGS`` in a child with ``hook`` set (``names`` filled in), the
    signals ``ignored`` ignored from its start, as a shell or nohup leaves them."""
    filled = "".join(f"{name} = {value if isinstance(value, int) else repr(value)}\n"
                     for name, value in names.items())
    script = (filled + f"ARGS = {args!r}\n" + textwrap.dedent(before) + hook + COMMAND)
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}

    def start() -> None:
        for sig in ignored:
            signal.signal(sig, signal.SIG_IGN)

    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=300, preexec_fn=start)


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The harbour reopened on Monday after the storm.\n")
    (corpus / "b.txt").write_text("Bread prices rose again this week in the capital.\n")
    return corpus


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("module", ["pipeline.config", "pipeline.runner"])
def test_ctrl_c_while_the_command_loads_is_one_line_and_130(tmp_path, module):
    # pipeline.config: while pipeline.cli itself is imported; pipeline.runner: while
    # the run's modules load, before the run handles SIGINT. Both were a traceback.
    corpus = _corpus(tmp_path)
    done = _command(tmp_path, IMPORT_HOOK, ["run", str(corpus), "--out", str(tmp_path / "out")],
                    MODULE=module, SIG=signal.SIGINT)
    assert done.returncode == 130
    assert done.stderr == "pipeline: stopped by SIGINT (Ctrl-C)\n"
    assert not (tmp_path / "out" / "report.json").exists()


def test_ctrl_c_while_loading_with_a_json_log_is_one_json_event(tmp_path):
    corpus = _corpus(tmp_path)
    done = _command(tmp_path, IMPORT_HOOK, ["run", str(corpus), "--out", str(tmp_path / "out"),
                                            "--log-format", "json"],
                    MODULE="pipeline.runner", SIG=signal.SIGINT)
    assert done.returncode == 130
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert [event["event"] for event in events] == ["error", "done"]
    assert events[-1]["exit_code"] == 130


def test_sigint_ignored_at_start_stays_ignored(tmp_path):
    # `pipeline run &` in a script: the shell ignores SIGINT in the job; a Ctrl-C meant
    # for the script reached the run, which had handled it again, and stopped it.
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    done = _command(tmp_path, RUN_HOOK, ["run", str(corpus), "--out", str(out)],
                    ignored=(signal.SIGINT,), SIG=signal.SIGINT)
    assert done.returncode == 0, done.stderr
    assert _report(out)["interrupted"] is False and _report(out)["processed"] == 2


def test_sighup_stops_the_run_as_sigterm_does(tmp_path):
    # A closed terminal, a dropped ssh session: it killed the run with no report.
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    done = _command(tmp_path, RUN_HOOK, ["run", str(corpus), "--out", str(out)],
                    SIG=signal.SIGHUP)
    assert done.returncode == 129, done.stderr
    report = _report(out)
    assert report["interrupted"] is True and report["exit_code"] == 129
    rerun = _command(tmp_path, "", ["run", str(corpus), "--out", str(out)])
    assert rerun.returncode == 0 and _report(out)["processed"] == 2


def test_sighup_ignored_at_start_stays_ignored(tmp_path):
    corpus, out = _corpus(tmp_path), tmp_path / "out"  # nohup pipeline run ...
    done = _command(tmp_path, RUN_HOOK, ["run", str(corpus), "--out", str(out)],
                    ignored=(signal.SIGHUP,), SIG=signal.SIGHUP)
    assert done.returncode == 0, done.stderr
    assert _report(out)["interrupted"] is False and _report(out)["processed"] == 2


# The run's stdout and stderr are a terminal, which hangs up (its master closed) just
# before the SIGHUP comes, as when a terminal window is closed.
ON_A_TERMINAL = """
import os
master, slave = os.openpty()
os.dup2(slave, 1)
os.dup2(slave, 2)
"""

HANG_UP = """
import os, signal
from pipeline.runner import Runner
listed = Runner._sort_entries
def sort_entries(self, entries):
    os.close(master)
    os.kill(os.getpid(), signal.SIGHUP)
    return listed(self, entries)
Runner._sort_entries = sort_entries
"""


def test_sighup_of_a_closed_terminal_still_writes_the_report(tmp_path):
    # Every write to the hung-up terminal fails (EIO): the stop's own message would
    # end the run with an error instead of writing the report.
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    done = _command(tmp_path, HANG_UP, ["run", str(corpus), "--out", str(out)],
                    before=ON_A_TERMINAL)
    assert done.returncode == 129
    report = _report(out)
    assert report["interrupted"] is True and report["exit_code"] == 129
