"""The start line and --min-age, as a scheduled run meets them (ops11)."""

from __future__ import annotations

import json
import time

from pipeline.cli import main


def test_start_line_says_the_files_quarantined_before_reading(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text("The harbour reopened on Monday after the storm.\n" * 40)
    config = tmp_path / "small.toml"
    config.write_text("max_file_bytes = 1000\n")
    code = main(["run", str(corpus), "--out", str(tmp_path / "out"), "--config", str(config),
                 "--log-format", "json"])
    assert code == 3
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    start = next(event for event in events if event["event"] == "start")
    # It said "0 documents in CORPUS", then "0/1 documents clean".
    assert start["message"] == f"0 documents in {corpus} (1 quarantined)"
    assert (start["documents"], start["quarantined"]) == (0, 1)


def test_a_young_file_unchanged_since_the_last_run_is_unchanged_not_deferred(
        tmp_path, monkeypatch, capsys):
    """--min-age set (or raised) after a run read a file: the file, modified 5 s before
    that run and not since, was listed as deferred, 'left for the next run', while the
    state held it as it is. It counts as unchanged; a file written since still waits."""
    from pipeline import runner
    from pipeline.config import Config
    from pipeline.runner import RunOptions, run
    from tests.conftest import TaggingEngine
    from tests.test_ops10 import S, _aged, _Clock

    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    now = time.time_ns()
    _aged(corpus / "a.txt", "The harbour reopened on Monday after the storm.\n", now - 5 * S)
    _aged(corpus / "b.txt", "Bread prices rose again this week in the capital.\n", now - 5 * S)

    def run_at(now_ns: int, min_age_s: float, **options):
        monkeypatch.setattr(runner, "time", _Clock(now_ns))
        config = Config(targets=["en"])
        config.run.min_age_s = min_age_s
        return run(corpus, out, config, RunOptions(no_cache=True, **options),
                   engine=TaggingEngine())

    # Read 10 s after its last change: its stat is recorded with its hash.
    assert run_at(now + 10 * S, 0).report["processed"] == 2
    _aged(corpus / "b.txt", "Bread prices rose again this week in the capital city.\n",
          now + 11 * S)  # written since: this one waits
    capsys.readouterr()
    assert run_at(now + 12 * S, 60, dry_run=True).exit_code == 0
    plan = capsys.readouterr().out
    assert "unchanged: a.txt" in plan and "wait: b.txt" in plan and "wait: a.txt" not in plan
    report = run_at(now + 12 * S, 60).report
    assert [item["doc"] for item in report["deferred"]] == ["b.txt"]
    assert (report["unchanged"], report["processed"]) == (1, 0)
