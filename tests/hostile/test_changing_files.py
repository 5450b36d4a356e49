"""Source files that change between discovery and reading, or while they are read.

Each change is made by a deterministic hook (after discovery, or around the read
itself), never by racing a second process. The run reports the file, never
crashes or blocks, records no hash for bytes it did not process, and the next
run picks the file up as it then is.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import runner
from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOC = "en/library-reopens.txt"


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _reasons(out: Path) -> dict[str, str]:
    return {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}


def _records(out: Path) -> dict[str, dict]:
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["doc"]: r for r in map(json.loads, lines)}


def _after_discovery(monkeypatch, change) -> None:
    """Call ``change()`` once discovery has listed every file, before any is read."""
    discover = runner.discover

    def discover_then_change(corpus, max_bytes):
        yield from discover(corpus, max_bytes)
        change()

    monkeypatch.setattr(runner, "discover", discover_then_change)


def _run(corpus: Path, out: Path, *extra: str) -> int:
    return main(["run", str(corpus), "--out", str(out), *extra])


def test_file_deleted_after_discovery_is_reported_then_gone(corpus_copy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _after_discovery(monkeypatch, (corpus_copy / DOC).unlink)
    assert _run(corpus_copy, out) == 3
    assert _reasons(out)[DOC] == "deleted during the run, before it was read"
    assert DOC not in _records(out) and _report(out)["ok"] == 4
    monkeypatch.undo()
    _run(corpus_copy, out)
    assert DOC not in _reasons(out) and _report(out)["unchanged"] == 4


def test_file_grown_past_the_limit_after_discovery_is_not_read(corpus_copy, tmp_path,
                                                               monkeypatch):
    config = tmp_path / "p.toml"
    config.write_text("max_file_bytes = 4000\n")
    out, path = tmp_path / "out", corpus_copy / DOC

    def grow():
        with path.open("a") as handle:
            handle.write("The library's café opens next month.\n" * 200)

    _after_discovery(monkeypatch, grow)
    assert _run(corpus_copy, out, "--config", str(config)) == 3
    assert _reasons(out)[DOC].startswith("larger than max_file_bytes")
    assert DOC not in _records(out)
    monkeypatch.undo()
    _run(corpus_copy, out, "--config", str(config))
    assert _reasons(out)[DOC].startswith("larger than max_file_bytes")


def test_file_replaced_by_a_fifo_after_discovery_does_not_block(corpus_copy, tmp_path):
    # In a subprocess: a run that blocks on the FIFO must fail the test, not hang it.
    script = (
        "import os, sys\n"
        "from pipeline import runner\n"
        "from pipeline.cli import main\n"
        "discover = runner.discover\n"
        "def changed(corpus, max_bytes):\n"
        "    yield from discover(corpus, max_bytes)\n"
        f"    os.unlink({str(corpus_copy / DOC)!r})\n"
        f"    os.mkfifo({str(corpus_copy / DOC)!r})\n"
        "runner.discover = changed\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, "run", str(corpus_copy), "--out",
                           str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert _reasons(out)[DOC] == ("not a regular file but a FIFO (named pipe): only files are "
                                  "read; save its content as a file")
    assert _report(out)["ok"] == 4


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _rewrite(path: Path) -> None:
    with path.open("r+b") as handle:  # in place, as a non-atomic writer does
        handle.truncate(0)
        handle.write(b"Library closes for the summer.\n\nThe doors open again in September.\n")


@pytest.mark.parametrize("change", [_truncate, _rewrite], ids=["truncated", "rewritten"])
def test_file_changed_while_read_is_left_for_the_next_run(corpus_copy, tmp_path, monkeypatch,
                                                          change):
    out, path = tmp_path / "out", corpus_copy / DOC
    read = runner._read_at_most

    def read_then_change(handle, limit):
        data = read(handle, limit)
        if os.fstat(handle.fileno()).st_ino == path.stat().st_ino:
            change(path)
        return data

    monkeypatch.setattr(runner, "_read_at_most", read_then_change)
    assert _run(corpus_copy, out) == 3
    assert _reasons(out)[DOC] == "changed while it was being read; the next run processes it"
    assert DOC not in _records(out) and not (out / "clean" / DOC).exists()
    monkeypatch.undo()
    _run(corpus_copy, out)
    assert DOC not in _reasons(out)
    report = _report(out)
    assert (report["processed"], report["unchanged"]) == (1, 4)
    final = path.read_bytes()
    assert _records(out)[DOC]["source"]["sha256"] == hashlib.sha256(final).hexdigest()
    last_line = final.decode().strip().splitlines()[-1].split()[-1]
    assert last_line in (out / "clean" / DOC).read_text()
