"""What a scheduled run's log and report.json say (session 2026-12-08, ops13)."""

import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("O governo anunciou hoje novas medidas para a economia.\n")
    (corpus / "b.txt").write_text("Die Regierung hat heute neue Maßnahmen angekündigt.\n")
    return corpus


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "ARGOS_PACKAGES_DIR": str(cwd / "no-models")}
    return subprocess.run([sys.executable, "-m", "pipeline", "run", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_a_run_from_another_folder_says_why_it_redoes_every_document(tmp_path):
    # A cron job started in another folder than the interactive runs reads another
    # pipeline.toml (or none): every document was processed again, each time the two
    # alternated, and the log never said why (only --dry-run's "config or models").
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    here, there = tmp_path / "interactive", tmp_path / "cron"
    here.mkdir()
    there.mkdir()
    (here / "pipeline.toml").write_text('targets = ["en", "de"]\n')
    assert _run(here, str(corpus), "--out", str(out)).returncode == 3  # no models
    done = _run(there, str(corpus), "--out", str(out))
    assert done.returncode == 3, done.stderr
    lines = [line for line in done.stderr.splitlines() if "processed again" in line]
    assert lines == [
        "2 unchanged documents processed again: the configuration changed: targets "
        "['en', 'de'] -> ['en'] (read from: no config file (the defaults: no "
        f"pipeline.toml in {there}); before: {here / 'pipeline.toml'})"], done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["processed"] == 2
    assert [(r["documents"], r["changed"]) for r in report["redone"]] == [(2, ["targets"])]
    # the same folder again: nothing redone, nothing said
    again = _run(there, str(corpus), "--out", str(out))
    assert "processed again" not in again.stderr
    assert json.loads((out / "report.json").read_text())["redone"] == []


def test_the_command_line_override_is_named_with_the_config_file(tmp_path):
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    (tmp_path / "pipeline.toml").write_text('targets = ["en"]\n')
    assert _run(tmp_path, str(corpus), "--out", str(out)).returncode == 3
    done = _run(tmp_path, str(corpus), "--out", str(out), "--to", "de",
                "--log-format", "json")
    events = [json.loads(line) for line in done.stderr.splitlines()]
    redone = [e for e in events if e["event"] == "redone"]
    assert [(e["documents"], e["changed"], e["config_file"]) for e in redone] == [
        (2, ["targets"], f"{tmp_path / 'pipeline.toml'}, with --to")], done.stderr


def test_report_json_says_a_stop_ended_the_listing(tmp_path):
    # report.json's documents and not_reached counted only what was listed before the
    # stop, and no key said the listing had been cut: a scheduler read "2 documents,
    # 0 not reached" for a corpus of thousands.
    from tests.test_ops11_signals import _command, _report
    from tests.test_ops12_signals import DURING_THE_LISTING

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    for folder in ("a", "b", "c"):
        (corpus / folder).mkdir(parents=True)
        for n in range(2):
            (corpus / folder / f"{n}.txt").write_text(f"The harbour {folder}{n} reopened.\n")
    done = _command(tmp_path, DURING_THE_LISTING, ["run", str(corpus), "--out", str(out)],
                    SIG=15, PULLED=str(tmp_path / "pulled"))
    assert done.returncode == 143, done.stderr
    report = _report(out)
    assert report["interrupted"] is True and report["listing_cut"] is True
    assert "of those listed: the stop ended the listing" in done.stdout + done.stderr
    assert _command(tmp_path, "", ["run", str(corpus), "--out", str(out)]).returncode == 0
    assert _report(out)["listing_cut"] is False


def test_the_runner_s_errors_show_a_path_s_line_end_escaped(tmp_path, capsys, monkeypatch):
    # "corpus directory X does not exist" printed X as it was: a line end in the path
    # split the error in two lines of the log (a JSON log's event stays one line, but
    # its message did not match the human one), where every other line escapes it.
    from pipeline.cli import main

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "news\nfeed"
    assert main(["run", str(missing), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == (f"pipeline: error: corpus directory {tmp_path}/news\\nfeed does not "
                   "exist or is not a directory\n")
    afile = tmp_path / "article\r.txt"
    afile.write_text("The harbour reopened.\n")
    assert main(["run", str(afile), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\r" not in err and "article\\r.txt" in err, err


needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="needs pip install '.[ray]'")


@pytest.mark.ray
@needs_ray
def test_a_local_ray_run_logs_no_token_authentication_warning(tmp_path):
    # Every run with --executor ray logged Ray's "WARNING ... Token authentication is
    # enabled for this Ray cluster" (its local cluster turns it on by itself): an hourly
    # job's log carried the same warning each hour, about nothing to act on.
    corpus, out = _corpus(tmp_path), tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}
    env.update(PYTHONPATH=str(ROOT), ARGOS_PACKAGES_DIR=str(tmp_path / "no-models"),
               HOME=str(tmp_path), RAY_USAGE_STATS_ENABLED="0")
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", str(corpus), "--out",
                           str(out), "--executor", "ray"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 3, done.stderr  # no models
    assert "Token authentication" not in done.stderr, done.stderr
    assert json.loads((out / "report.json").read_text())["processed"] == 2


@needs_ray
def test_only_ray_s_chatter_is_dropped():
    from ray._private.authentication import authentication_token_setup as setup

    from pipeline.executors.ray import quiet_ray_chatter

    class Kept(logging.Handler):
        def __init__(self):
            super().__init__(logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    logger, kept = logging.getLogger(setup.__name__), Kept()
    quiet_ray_chatter()
    logger.addHandler(kept)
    try:
        setup._warn_token_auth_enabled()
        setup._warn_token_auth_disabled()  # a cluster open to anyone: still said
        logger.error("Token authentication is enabled for this Ray cluster. (an error)")
    finally:
        logger.removeHandler(kept)
    assert [m.split(".")[0] for m in kept.messages] == [
        "Token authentication is disabled for this Ray cluster",
        "Token authentication is enabled for this Ray cluster"]
