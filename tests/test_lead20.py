"""Messages a stranger met in this round: each says what is wrong and what to do."""

import pytest

from pipeline.cli import main


def test_a_dry_runs_last_line_says_its_counts_in_words(tmp_path, monkeypatch, capsys):
    # It said "1 process, 1 unchanged": a verb where a count of documents was meant.
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text("O porto de Lisboa reabriu ontem depois das obras.\n",
                                  encoding="utf-8")
    assert main(["run", str(corpus), "--out", str(out), "--to", "en", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 to process"


def test_a_file_named_as_the_corpus_is_said_to_be_a_file(tmp_path, capsys):
    # `pipeline run article.txt` said "corpus directory article.txt does not exist or is
    # not a directory" of a file that exists.
    article = tmp_path / "article.txt"
    article.write_text("O porto de Lisboa reabriu ontem.\n", encoding="utf-8")
    assert main(["run", str(article), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{article} is a file, not a folder" in err
    assert "mkdir news && mv" in err


@pytest.mark.parametrize("size", [2_000])
def test_a_file_over_max_file_bytes_says_what_to_do(tmp_path, monkeypatch, capsys, size):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text("O porto reabriu. " * (size // 17 + 1), encoding="utf-8")
    config = tmp_path / "p.toml"
    config.write_text("max_file_bytes = 1000\n", encoding="utf-8")
    assert main(["run", str(corpus), "--out", str(tmp_path / "out"), "--to", "en",
                 "--config", str(config)]) == 3
    assert "split it, or raise max_file_bytes in pipeline.toml" in capsys.readouterr().out


def test_a_document_that_ran_out_of_memory_is_tried_again_by_the_next_run(
        tmp_path, monkeypatch, capsys):
    # A MemoryError in a stage (a memory limit, a loaded machine) failed the document and
    # stored it as done: no later run tried it again, only --force (every document).
    import json

    from pipeline.stages.detect import Detect

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text("O porto de Lisboa reabriu ontem depois das obras.\n",
                                  encoding="utf-8")
    (corpus / "b.txt").write_text("A câmara anunciou um novo plano para o centro.\n",
                                  encoding="utf-8")
    real = Detect.process

    def starved(self, doc):
        if doc.doc == "b.txt":
            raise MemoryError
        return real(self, doc)

    monkeypatch.setattr(Detect, "process", starved)
    run = ["run", str(corpus), "--out", str(out), "--to", "pt"]
    assert main(run) == 3
    assert "failed: b.txt: detect: out of memory (MemoryError): the next run tries it " \
           "again" in capsys.readouterr().out
    monkeypatch.setattr(Detect, "process", real)
    assert main(run) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert (report["processed"], report["unchanged"], report["failed"]) == (1, 1, [])
    assert (out / "clean" / "b.txt").is_file()
