"""Pathological text: every document finishes within a bounded time, or is quarantined."""

import json
import time
import unicodedata

import pytest

from pipeline.cli import main
from pipeline.config import Config
from pipeline.document import Document
from pipeline.shard import build_stages, process_document

# Generous per-document budget on a shared 2-core machine; the point is "bounded",
# not fast: catastrophic backtracking takes minutes to hours on these inputs.
BUDGET_S = 20.0


def _every_category() -> str:
    chars = []
    for code in range(0x20, 0x3000, 7):
        char = chr(code)
        if unicodedata.category(char) not in ("Cs",):
            chars.append(char)
    return "".join(chars)


CASES = {
    "single 5 MB line": ("Palavra norte -coreana , outra. " * 170_000)[:5_000_000],
    "100,000 ' -'": "a" + " -" * 100_000,
    "nested brackets": "(" * 50_000 + "texto" + ")" * 50_000,
    "every category": _every_category() * 20,
    "control characters": "".join(chr(c) for c in range(1, 32)) * 2000 + "fim",
    "hyphen storm": "coope-\nração " * 20_000,
    "label storm": "\n".join(["Details", "OrtPyongyang", "Kommentare (0)"] * 20_000),
}


@pytest.fixture(scope="module")
def stages():
    return build_stages(Config())


@pytest.mark.parametrize("name", sorted(CASES))
def test_pathological_document_finishes_in_bounded_time(name, stages):
    started = time.perf_counter()
    doc = process_document(Document("x.txt", raw=CASES[name].encode("utf-8")), stages, BUDGET_S)
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_S + 2, f"{name}: {elapsed:.1f} s"
    assert doc.status in ("ok", "quarantined"), doc.errors


def test_document_over_its_time_budget_is_quarantined_and_the_run_goes_on(
    corpus_copy, tmp_path, monkeypatch
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    (corpus_copy / "huge.txt").write_text("Uma frase norte -coreana. " * 200_000)
    config = tmp_path / "p.toml"
    config.write_text("document_timeout_s = 2.0\n")
    out = tmp_path / "out"
    assert main(["run", str(corpus_copy), "--out", str(out), "--config", str(config)]) == 3
    report = json.loads((out / "report.json").read_text())
    reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
    assert "took longer than 2 s" in reasons["huge.txt"]
    assert report["ok"] == 5
