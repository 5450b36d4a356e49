"""End to end: `pipeline run` on the sample corpus, with and without translation models."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.testing.argos_package import build_package, install_package


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def argos_packages(tmp_path_factory):
    """pt->en and de->en tiny genuine Argos packages in a private packages directory."""
    root = tmp_path_factory.mktemp("argos")
    packages = root / "packages"
    for seed, (src, tgt) in enumerate([("pt", "en"), ("de", "en"), ("fr", "en")], start=1):
        install_package(build_package(root / "built", src, tgt, seed=seed), packages)
    return packages


@pytest.fixture(scope="module")
def no_models_run(tmp_path_factory):
    """One run on the sample corpus with no model installed (shared by several tests)."""
    import shutil

    from tests.conftest import SEED

    root = tmp_path_factory.mktemp("nomodels")
    shutil.copytree(SEED, root / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARGOS_PACKAGES_DIR", str(root / "empty"))
        code = main(["run", str(root / "corpus"), "--out", str(root / "out"), "--to", "en"])
    return code, root / "out"


def test_seed_article_is_cleaned(no_models_run):
    _, out = no_models_run
    clean = (out / "clean" / "article-pt.txt").read_text(encoding="utf-8")
    headline = "Coréia do Norte e Rússia: a nova aliança militar garante alarme!"
    assert clean.count(headline) == 1
    assert clean.startswith(headline + "\n\n")
    assert "norte-coreana" in clean and "norte -coreana" not in clean
    assert "Estado-Maior" in clean and "Estado -Maior" not in clean
    lines = clean.splitlines()
    for gone in ("Details", "Kommentare (0)", "OrtPyongyang, Nordkorea"):
        assert gone not in lines
    assert "Pyongyang, Nordkorea - As tensões" in clean  # the dash is real, not a compound
    assert clean.endswith("permanecem incertas.\n")


def test_seed_document_record(no_models_run):
    _, out = no_models_run
    record = next(r for r in _records(out / "documents.jsonl") if r["doc"] == "article-pt.txt")
    assert record["lang"] == "pt"
    assert record["metadata"]["location"] == "Pyongyang, Nordkorea"
    assert {"text": "Nordkorea", "lang": "de"}.items() <= record["spans"][0].items()
    span = record["spans"][0]
    segments = {s["id"]: s for s in _records(out / "segments.jsonl")}
    segment_text = segments[span["segment"]]["text"]
    assert segment_text.startswith("Pyongyang, Nordkorea - As tensões")
    assert segment_text[span["start"] : span["end"]] == "Nordkorea"
    kinds = {f["kind"] for f in record["fixes"]}
    assert {"split_compound", "duplicate_headline"} <= kinds
    assert record["status"] == "ok"


def test_segments_are_sentences_in_reading_order_with_stable_ids(no_models_run):
    _, out = no_models_run
    segments = [s for s in _records(out / "segments.jsonl") if s["doc"] == "article-pt.txt"]
    assert segments[0]["text"] == "Coréia do Norte e Rússia: a nova aliança militar garante alarme!"
    assert segments[0]["kind"] == "title" and segments[0]["id"] == "article-pt.txt#1.1"
    assert segments[1]["text"] == "Pyongyang, Nordkorea - As tensões na política mundial aumentam!"
    assert segments[2]["text"].startswith("O líder da Coréia do Norte, Kim Jong Un")
    clean = (out / "clean" / "article-pt.txt").read_text(encoding="utf-8")
    positions = [clean.index(s["text"]) for s in segments]
    assert positions == sorted(positions)
    assert len({s["id"] for s in segments}) == len(segments)
    assert all(s["en"] is None for s in segments if s["lang"] != "en")


def test_missing_models_exit_3_and_name_the_install_command(no_models_run):
    code, out = no_models_run
    assert code == 3
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    pairs = {m["pair"]: m["install"] for m in report["missing_models"]}
    assert pairs["pt-en"].startswith("pipeline models install pt en")
    assert report["ok"] == report["documents"] == 5
    assert not (out / "translations" / "en" / "article-pt.txt").exists()
    # The English article needs no model: its "translation" is the clean copy.
    assert (out / "translations" / "en" / "en" / "library-reopens.txt").read_text() == (
        out / "clean" / "en" / "library-reopens.txt"
    ).read_text()


def test_other_corpus_files_are_listed_as_skipped(corpus_copy, tmp_path, monkeypatch):
    (corpus_copy / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "empty"))
    main(["run", str(corpus_copy), "--out", str(tmp_path / "out")])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    skipped = {item["path"]: item for item in report["skipped"]}
    assert skipped["photo.jpg"]["suffix"] == ".jpg"
    assert skipped["photo.jpg"]["reason"].startswith("not a format the pipeline reads (.txt")


def test_legacy_encoding_and_mojibake_are_repaired(no_models_run):
    _, out = no_models_run
    fr = (out / "clean" / "fr" / "pain-lyon-cp1252.txt").read_text(encoding="utf-8")
    assert "« Nous n’avons pas le choix »" in fr
    pt = (out / "clean" / "pt" / "chuvas-santos-mojibake.txt").read_text(encoding="utf-8")
    assert "Segundo o órgão, a previsão é de mais chuva até o fim da semana." in pt


def test_translation_run_is_complete_aligned_and_offline(
    corpus_copy, tmp_path, monkeypatch, argos_packages
):
    def refuse(*args, **kwargs):
        raise OSError("network access during a run")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(argos_packages))
    out = tmp_path / "out"
    code = main(["run", str(corpus_copy), "--out", str(out), "--to", "en", "--beam-size", "1"])
    assert code == 0
    segments = [s for s in _records(out / "segments.jsonl") if s["doc"] == "article-pt.txt"]
    assert all(isinstance(s["en"], str) and s["en"] for s in segments)
    translated = (out / "translations" / "en" / "article-pt.txt").read_text(encoding="utf-8")
    clean = (out / "clean" / "article-pt.txt").read_text(encoding="utf-8")
    paragraphs = translated.rstrip("\n").split("\n\n")
    assert len(paragraphs) == len(clean.rstrip("\n").split("\n\n"))
    by_block: dict[int, list[str]] = {}
    for s in segments:
        by_block.setdefault(s["block"], []).append(s["en"])
    assert paragraphs == [" ".join(by_block[b]) for b in sorted(by_block)]
    report = json.loads((out / "report.json").read_text())
    assert report["missing_models"] == [] and report["translated_documents"]["en"] == 5


def test_same_input_gives_byte_identical_outputs(
    corpus_copy, tmp_path, monkeypatch, argos_packages, data_files
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(argos_packages))
    for name in ("a", "b"):
        main(["run", str(corpus_copy), "--out", str(tmp_path / name), "--beam-size", "1"])
    first = data_files(tmp_path / "a")
    assert len(first) >= 16
    assert data_files(tmp_path / "b") == first
    # Both were first runs over the same input: the run summaries match too, but timings.
    html = [(tmp_path / n / "report.html").read_bytes() for n in ("a", "b")]
    assert html[0] == html[1]


def test_python_dash_m_pipeline_shows_help():
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, check=True
    )
    assert "pipeline run" in done.stdout and "exit codes" in done.stdout


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "does-not-exist"], "does not exist"),
        (["run", "--to", "english"], "not a language code"),
        (["run", "--beam-size", "0"], "--beam-size must be 1 or more"),
    ],
)
def test_usage_errors_exit_2_with_a_message(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_models_install_and_list(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "pk"))
    archive = build_package(tmp_path / "built", "es", "en", seed=5)
    assert main(["models", "install", str(archive)]) == 0
    assert main(["models", "list"]) == 0
    assert "es-en" in capsys.readouterr().out
    assert main(["models", "install", str(tmp_path / "missing.argosmodel")]) == 2
    assert "missing.argosmodel" in capsys.readouterr().err


def test_bad_label_config_is_a_usage_error_before_any_work(tmp_path, capsys, corpus_copy):
    config = tmp_path / "p.toml"
    config.write_text('[labels.widget]\nde = ["Jetzt abonnieren"]\n')
    out = tmp_path / "out"
    assert main(["run", str(corpus_copy), "--out", str(out), "--config", str(config)]) == 2
    assert "widgets" in capsys.readouterr().err
    assert not (out / "documents.jsonl").exists()


def test_user_labels_extend_the_lexicon(tmp_path, corpus_copy, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "empty"))
    (corpus_copy / "extra.txt").write_text("Uma notícia curta sobre o tempo.\n\nAssine já\n")
    config = tmp_path / "p.toml"
    config.write_text('[labels.widgets]\npt = ["Assine já"]\n')
    main(["run", str(corpus_copy), "--out", str(tmp_path / "out"), "--config", str(config)])
    clean = (tmp_path / "out" / "clean" / "extra.txt").read_text()
    assert clean == "Uma notícia curta sobre o tempo.\n"


def test_translation_memory_serves_a_forced_rerun_and_no_cache_bypasses_it(
    corpus_copy, tmp_path, monkeypatch, argos_packages, data_files
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(argos_packages))
    out = tmp_path / "out"
    args = ["run", str(corpus_copy), "--out", str(out), "--beam-size", "1"]
    assert main(args) == 0
    first = data_files(out)
    cold = json.loads((out / "report.json").read_text())["translation"]["pairs"]["pt-en"]
    assert cold["translated"] == cold["unique"] > 0 and cold["hits"] == 0
    assert main([*args, "--force"]) == 0
    warm = json.loads((out / "report.json").read_text())["translation"]["pairs"]["pt-en"]
    assert warm["hits"] == cold["unique"] and warm["translated"] == 0
    assert data_files(out) == first
    assert main([*args, "--force", "--no-cache"]) == 0
    bypass = json.loads((out / "report.json").read_text())["translation"]["pairs"]["pt-en"]
    assert bypass["hits"] == 0 and bypass["translated"] == cold["unique"]


def test_documents_hit_by_a_failing_model_are_retried_next_run(corpus_copy, tmp_path):
    from pipeline.config import Config
    from pipeline.log import RunLog
    from pipeline.runner import run

    class Engine:
        broken = True

        def route(self, src, tgt):
            return [] if src == tgt else [f"{src}-{tgt}"]

        def model_id(self, src, tgt):
            return f"{src}-{tgt}"

        def translate(self, texts, src, tgt):
            if self.broken and src == "pt":
                from pipeline.engines import ModelError

                raise ModelError("Unable to open file 'model.bin'")
            return [f"<{t}>" for t in texts]

    engine, quiet = Engine(), RunLog(stream=open(os.devnull, "w"))
    out = tmp_path / "out"
    first = run(corpus_copy, out, Config(), log=quiet, engine=engine)
    assert first.exit_code == 3
    assert "model.bin" in first.report["translation"]["failed_models"]["pt-en"]
    assert not (out / "translations" / "en" / "article-pt.txt").exists()
    engine.broken = False
    second = run(corpus_copy, out, Config(), log=quiet, engine=engine)
    assert second.exit_code == 0
    assert second.report["processed"] == 2  # the two Portuguese articles, nothing else
    assert (out / "translations" / "en" / "article-pt.txt").exists()


class _EchoEngine:
    """Every pair has a model; pt->en gives the text back (QA flag 'untranslated')."""

    def route(self, src, tgt):
        return [] if src == tgt else [f"{src}-{tgt}"]

    def model_id(self, src, tgt):
        return f"echo-{src}-{tgt}"

    def translate(self, texts, src, tgt):
        return list(texts) if src == "pt" else [f"<{t}>" for t in texts]


def _quiet():
    from pipeline.log import RunLog

    return RunLog(stream=open(os.devnull, "w"))


def test_an_unchanged_rerun_reports_the_translation_totals_of_the_run_before(
    corpus_copy, tmp_path
):
    from pipeline.config import Config
    from pipeline.runner import run

    out = tmp_path / "out"
    first = run(corpus_copy, out, Config(), log=_quiet(), engine=_EchoEngine()).report
    totals = first["translation"]
    assert totals["pairs"]["pt-en"]["segments"] > 0 and totals["copied"]["en"] > 0
    assert totals["flags"]["en"]["untranslated"] > 0
    assert totals["pairs"]["pt-en"]["translated"] > 0
    again = run(corpus_copy, out, Config(), log=_quiet(), engine=_EchoEngine()).report
    assert (again["processed"], again["unchanged"]) == (0, 5)
    for key in ("copied", "flags", "failed_models"):
        assert again["translation"][key] == totals[key], key
    for pair, counts in totals["pairs"].items():
        # The same segments; this run's own work (memory, engine) was nothing.
        assert again["translation"]["pairs"][pair] == {
            **counts, "unique": 0, "hits": 0, "misses": 0, "translated": 0
        }
    # A rerun of one changed document still reports the totals of the whole corpus.
    path = corpus_copy / "de" / "hafen-hamburg.txt"
    path.write_bytes(path.read_bytes() + b"\n")
    third = run(corpus_copy, out, Config(), log=_quiet(), engine=_EchoEngine()).report
    assert third["processed"] == 1
    assert third["translation"]["flags"] == totals["flags"]
    assert {p: c["segments"] for p, c in third["translation"]["pairs"].items()} == {
        p: c["segments"] for p, c in totals["pairs"].items()
    }


def test_counts_say_what_happened_to_a_deleted_source_and_its_pruning(
    corpus_copy, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "empty"))
    out = tmp_path / "out"
    args = ["run", str(corpus_copy), "--out", str(out)]
    main(args)
    (corpus_copy / "en" / "library-reopens.txt").unlink()
    capsys.readouterr()
    main(args)
    printed = capsys.readouterr().out
    assert f"4/4 documents clean in {out}/clean/ (0 processed, 4 unchanged; 1 source " \
        "deleted, outputs kept)" in printed
    report = json.loads((out / "report.json").read_text())
    assert (report["documents"], report["ok"], report["unchanged"]) == (4, 4, 4)
    assert (report["deleted"], report["deleted_sources"], report["pruned"]) == (
        1, ["en/library-reopens.txt"], 0)
    assert (out / "clean" / "en" / "library-reopens.txt").exists()
    main([*args, "--prune"])
    captured = capsys.readouterr()
    assert "pruned: en/library-reopens.txt (2 output files removed)" in captured.err
    assert "(0 processed, 4 unchanged; 1 deleted source pruned)" in captured.out
    report = json.loads((out / "report.json").read_text())
    assert (report["documents"], report["deleted"], report["pruned"]) == (4, 0, 1)
    assert report["pruned_sources"] == ["en/library-reopens.txt"]
    # The folders the pruned document alone filled are gone; the others stay.
    assert not (out / "clean" / "en").exists()
    # (without models translations/en held only that English copy)
    assert not (out / "translations" / "en").exists() and (out / "translations").is_dir()
    assert (out / "clean" / "de" / "hafen-hamburg.txt").is_file()


def test_counts_of_a_run_stopped_early_include_the_documents_not_reached(
    corpus_copy, tmp_path, monkeypatch
):
    import signal

    from pipeline.config import Config
    from pipeline.runner import Runner, RunOptions

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "empty"))

    class StopAfterOneShard(Runner):
        def _commit(self, result, fp, state):
            super()._commit(result, fp, state)
            self.stop_signal = signal.SIGTERM  # as the handler does on SIGTERM

    options = RunOptions(shard_docs=2)
    runner = StopAfterOneShard(corpus_copy, tmp_path / "out", Config(), options, _quiet())
    result = runner.run()
    report = result.report
    assert result.exit_code == 143 and report["interrupted"] is True
    # The stop comes after the first shard's commit (2 documents).
    assert (report["documents"], report["processed"], report["not_reached"]) == (5, 2, 3)
    assert report["ok"] == 2
    from pipeline.cli import summary_line

    assert summary_line(report, Path("out")).startswith(
        "2/5 documents clean in out/clean/ (2 processed, 0 unchanged, 3 not reached")
