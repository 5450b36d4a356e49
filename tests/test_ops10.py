"""The pipeline as a scheduled job against a folder a scraper writes into (ops10): a
reader's lock taken before the first run, files still being written, a subfolder whose
mount failed. Each event gives a clear message and a documented exit code, and costs
no work already done."""

import errno
import fcntl
import json
import os
from pathlib import Path

from pipeline import runner
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
