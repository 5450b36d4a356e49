"""Found by trying the product as a stranger (session 15): links that lead nowhere, a
HOME that cannot be written, and other things a newsroom's corpus or cron job holds."""

import json
from pathlib import Path

import pytest

from pipeline.cli import main

TEXT = "The bridge over the river was closed for repairs last week.\n"


def _run(corpus: Path, out: Path, *extra: str) -> int:
    return main(["run", str(corpus), "--out", str(out), *extra])


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def test_a_loop_of_links_costs_only_itself(tmp_path, capsys):
    """Two links named like text files pointing at each other stopped the whole run
    with 'internal error: RuntimeError: Symlink loop' (exit 70), before any document."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "l1.txt").symlink_to("l2.txt")
    (corpus / "l2.txt").symlink_to("l1.txt")
    (corpus / "self.md").symlink_to("self.md")
    assert _run(corpus, out) == 3
    report = _report(out)
    assert report["ok"] == 1 and (out / "clean" / "a.txt").is_file()
    reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == {"l1.txt", "l2.txt", "self.md"}
    assert all(r.startswith("symbolic link loop") for r in reasons.values()), reasons
    assert "internal error" not in capsys.readouterr().err
    assert _run(corpus, out, "--dry-run") == 0


def test_a_link_to_a_missing_file_says_so(tmp_path):
    """A link whose target was deleted was quarantined as 'not a regular file', which
    sent the user looking for a device or a FIFO."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "b.txt").symlink_to("gone.txt")
    assert _run(corpus, out) == 3
    reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
    gone = corpus.resolve() / "gone.txt"
    assert reasons == {"b.txt": f"broken symbolic link: its target {gone} does not exist"}
