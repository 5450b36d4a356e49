"""What a run prints on Python 3.12 and 3.13 that it did not on 3.11 (py313).

Python 3.12 warns when a multi-threaded process forks ("This process ... is
multi-threaded, use of fork() may lead to deadlocks in the child"), a DeprecationWarning:
hidden by default, shown under ``PYTHONWARNINGS=default`` or ``python -X dev``. On
Python 3.11 there is no such warning, and these tests pass there too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Imported by every Python process of the run (the fork server too, started with the
# same PYTHONPATH): each forked child appends its pid to FORKED, so the test knows
# that workers were forked at all.
SITECUSTOMIZE = """
import os
def _forked():
    with open({forked!r}, "a") as handle:
        handle.write(f"{{os.getpid()}}\\n")
os.register_at_fork(after_in_child=_forked)
"""


def _corpus(tmp_path: Path, documents: int) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(documents):
        (corpus / f"n{number}.txt").write_text(
            f"Report {number}\n\nThe harbour reopened on Monday after the storm, "
            f"the port authority said.\n\nBread prices rose again in week {number}.\n")
    return corpus


def test_a_run_with_workers_warns_of_no_fork_under_pythonwarnings_default(tmp_path):
    # The fork server keeps lingua's idle pool threads (pipeline/executors/preload.py,
    # by design: the workers never use the pool): forking each worker printed Python
    # 3.12's warning that a multi-threaded process forks, under PYTHONWARNINGS=default.
    site, forked = tmp_path / "site", tmp_path / "forked"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE.format(forked=str(forked)))
    corpus, out = _corpus(tmp_path, 40), tmp_path / "out"  # shards of 32
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]),
           "PYTHONWARNINGS": "default", "ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
         "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # English documents, target en
    assert forked.is_file() and forked.read_text().split(), "no worker was forked"
    assert "multi-threaded" not in done.stderr, done.stderr
    assert "Warning" not in done.stderr, done.stderr
