"""Hostile corpus paths: links and odd names never lead outside CORPUS and OUT."""

import json
import os
from pathlib import Path

import pytest

from pipeline.cli import main


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_links_and_odd_names_stay_inside_corpus_and_out(tmp_path):
    corpus, out, outside = tmp_path / "corpus", tmp_path / "out", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("Segredo de fora do corpus.")
    before_outside = _files(outside)
    (corpus / "link-file.txt").symlink_to(outside / "secret.txt")
    (corpus / "link-dir").symlink_to(outside, target_is_directory=True)
    (corpus / "inner.txt").write_text("Um texto dentro do corpus.\n")
    (corpus / "link-inside.txt").symlink_to(corpus / "inner.txt")
    (corpus / "with space.txt").write_text("Um texto com espaço no nome.\n")
    (corpus / "new\nline.txt").write_text("Um texto com quebra no nome.\n")
    (corpus / ("n" * 240 + ".txt")).write_text("Um texto com nome longo.\n")
    (corpus / os.fsdecode(b"latin1-\xe9.txt")).write_text("Nome que não é UTF-8.\n")
    (corpus / "..txt").write_text("Nome com pontos.\n")
    code = main(["run", str(corpus), "--out", str(out)])
    assert code == 3  # quarantined entries (and missing models)
    report = json.loads((out / "report.json").read_text())
    reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
    assert "outside the corpus" in reasons["link-file.txt"]
    assert "outside the corpus" in reasons["link-dir"]
    assert any("not valid UTF-8" in r for r in reasons.values())
    clean = _files(out / "clean")
    assert {"inner.txt", "link-inside.txt", "with space.txt", "new\nline.txt", "..txt"} <= clean
    assert "n" * 240 + ".txt" in clean
    assert not any("secret" in name for name in _files(out))
    assert _files(outside) == before_outside
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())


def test_documents_differing_only_by_case_get_separate_outputs(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "Nota.txt").write_text("Primeiro texto sobre o porto.\n")
    (corpus / "nota.txt").write_text("Segundo texto sobre a feira.\n")
    main(["run", str(corpus), "--out", str(out)])
    assert (out / "clean" / "Nota.txt").read_text() == "Primeiro texto sobre o porto.\n"
    assert (out / "clean" / "nota.txt").read_text() == "Segundo texto sobre a feira.\n"


def test_a_link_to_a_folder_of_the_corpus_is_listed_as_skipped_not_passed_over(tmp_path, capsys):
    """os.walk does not follow folder links: such a link was passed over without a word."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    (corpus / "2024").mkdir(parents=True)
    (corpus / "2024" / "a.txt").write_text("Um texto sobre o porto de Lisboa.\n")
    (corpus / "latest").symlink_to(corpus / "2024", target_is_directory=True)
    (corpus / "2024" / "loop").symlink_to(corpus, target_is_directory=True)
    assert main(["run", str(corpus), "--out", str(out)]) == 3  # the missing model only
    report = json.loads((out / "report.json").read_text())
    assert report["quarantined"] == []
    assert [item["path"] for item in report["skipped"]] == ["latest", "2024/loop"]
    assert report["skipped_by_suffix"]["(folder link)"]["files"] == 2
    assert "copy the folder" in report["skipped"][0]["reason"]
    assert "skipped 2 folder links: a link to a folder of the corpus is not followed" in (
        capsys.readouterr().out)
    assert _files(out / "clean") == {"2024/a.txt"}
