"""The start line counts the files quarantined before they were read (ops11)."""

from __future__ import annotations

import json

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
