"""The pipeline as a scheduled job in a hostile world (ops9): a corpus a scraper writes
into, an OUT a second program reads, a disk that fills up. Each event gives a clear
message and a documented exit code, and costs no work already done."""

import errno
import json
import os
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.runner import RunOptions, run
from tests.conftest import TaggingEngine

PT = ("O porto de Lisboa reabriu ontem depois de três semanas de obras. "
      "Os pescadores voltaram ao trabalho e a cidade celebrou.\n")
PT2 = "A câmara aprovou ontem o orçamento da cidade para o próximo ano.\n"


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _run(corpus: Path, out: Path, **options):
    return run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True, **options),
               engine=TaggingEngine())


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
