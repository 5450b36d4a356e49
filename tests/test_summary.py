"""The run's summary lines say what was done, not more."""

from pipeline.cli import main


def test_a_copy_already_in_the_target_is_not_called_a_translation(tmp_path, monkeypatch, capsys):
    # An English document's English copy was summed up as "1 translated into en",
    # although the pt-en model was missing and nothing had been translated.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "pt.txt").write_text("O porto de Lisboa reabriu ontem depois das obras.\n",
                                   encoding="utf-8")
    (corpus / "en.txt").write_text("The port of Lisbon reopened yesterday after the works.\n",
                                   encoding="utf-8")
    assert main(["run", "corpus", "--out", "out", "--to", "en"]) == 3  # a model missing
    lines = capsys.readouterr().out.splitlines()
    assert "1 document in en -> out/translations/en/ (0 sentences translated, 1 copied: " \
           "already in en or in no language)" in lines
    assert not any("translated into" in line for line in lines)


def test_counts_of_one_are_singular(tmp_path, monkeypatch, capsys):
    # "1 documents in corpus" (the start line), "1 languages" (the review page).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "en.txt").write_text("The port of Lisbon reopened yesterday.\n",
                                                encoding="utf-8")
    assert main(["run", "corpus", "--out", "out", "--to", "en"]) == 0
    assert "1 document in corpus" in capsys.readouterr().err
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<b>1</b> document in the corpus" in page
    assert " 1 language, 1 sentence, 0 fixes, 0 removed lines; targets: en." in page


def test_a_long_list_of_quarantined_files_is_cut_in_the_summary(tmp_path, monkeypatch, capsys):
    # 6,732 redirect pages of a documentation site printed 6,732 summary lines.
    from pipeline.cli import LISTED_AT_MOST

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    (tmp_path / "corpus").mkdir()
    for i in range(LISTED_AT_MOST + 3):
        (tmp_path / "corpus" / f"empty-{i:02}.txt").write_bytes(b"")
    assert main(["run", "corpus", "--out", "out", "--to", "en"]) == 3
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("quarantined: ") for line in out) == LISTED_AT_MOST
    assert "... and 3 more quarantined documents: out/report.json lists them all" in out
