"""Found by trying the product as a stranger (session 22)."""

from tests.test_stranger3 import TEXT, _no_models, _report, _run  # noqa: F401 - the fixture


def test_an_earlier_runs_output_folder_inside_the_corpus_is_not_read(tmp_path, capsys):
    """An OUT moved (or written by another command) into the corpus folder was read as
    documents: its clean copies, translations, documents.jsonl and report.json became
    new documents (translations of translations, records of records)."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    assert _run(corpus, tmp_path / "old") in (0, 3)
    (tmp_path / "old").rename(corpus / "old")
    (corpus / "notes" / ".pipeline").mkdir(parents=True)  # a folder merely named so
    (corpus / "notes" / "b.txt").write_text(TEXT)
    assert _run(corpus, out) in (0, 3)
    report = _report(out)
    assert [(s["path"], s["suffix"]) for s in report["skipped"]] == [
        ("old", "(pipeline outputs)")]
    assert report["documents"] == 2 and not (out / "clean" / "old").exists()
    assert sorted(p.relative_to(out / "clean").as_posix()
                  for p in (out / "clean").rglob("*") if p.is_file()) == ["a.txt", "notes/b.txt"]
    said = capsys.readouterr().out
    assert "skipped 1 output folder: the output folder (OUT) of an earlier run" in said
