"""Found by trying the product as a stranger (session 22)."""

import shutil
from pathlib import Path

import pytest

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


# The run as its own process (the command's exit path), a SIGINT arriving while the
# review pages are written: every document is done by then.
SIGNAL_DURING_THE_REPORT = """
import os, signal, sys
import pipeline.runner as runner
from pipeline.cli import main
real = runner.write_report
def write_report(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    return real(*args, **kwargs)
runner.write_report = write_report
sys.argv = ["pipeline", "run", *sys.argv[1:]]
main()
"""


def test_ctrl_c_while_the_review_pages_are_written_stops_the_run(tmp_path):
    """A stop signal while the review pages were written was taken in silence: the run
    went on writing them (minutes for 50,000 documents) and ended with the exit code
    decided before, report.json saying it was not interrupted."""
    import os
    import subprocess
    import sys

    from tests.test_incremental import ROOT

    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SIGNAL_DURING_THE_REPORT, str(corpus),
                           "--out", str(out)], env=env, capture_output=True, text=True,
                          timeout=300)  # a bound against a hang only
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1].startswith(
        "received SIGINT while the review pages were written: every document is done"), (
        done.stderr)
    report = _report(out)
    assert report["interrupted"] is True and report["exit_code"] == 130
    assert report["ok"] == 1 and (out / "clean" / "a.txt").is_file()
    # The next run writes the pages it left, and nothing else.
    assert _run(corpus, out) == 0
    assert _report(out)["unchanged"] == 1 and (out / "report.html").is_file()


FORK_SERVER_OF_THE_RENDER_PROCESSES = """
import signal, sys
from multiprocessing import forkserver
from pipeline.writers import review
review._pool_context()
pid = forkserver._forkserver._forkserver_pid
status = open(f"/proc/{pid}/status").read()
print(int(status.split("SigBlk:")[1].split()[0], 16) >> (signal.SIGINT - 1) & 1)
"""


def test_the_review_reports_render_processes_leave_a_stop_to_the_run(tmp_path, monkeypatch):
    """With --workers 1 the review report's render processes started the fork server
    themselves, without SIGINT masked, and did not ignore stop signals: a Ctrl-C while
    they rendered ended them ('rendering pages in 2 processes failed ... A process in
    the process pool was terminated abruptly'), their pages were rendered again in the
    run's own process, and the fork server printed 'pipeline: stopped by SIGINT'."""
    import subprocess
    import sys

    from pipeline.executors import ignore_stop_signals
    from pipeline.writers import review
    from tests.test_incremental import ROOT

    if not Path("/proc/self/status").exists():
        pytest.skip("Linux /proc")
    masked = subprocess.run([sys.executable, "-c", FORK_SERVER_OF_THE_RENDER_PROCESSES],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert masked.stdout.strip() == "1", masked.stderr
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    for i in range(4):
        (corpus / f"{i}.txt").write_text(f"Story {i}. " + TEXT)
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 1)
    assert _run(corpus, out) == 0
    shutil.rmtree(out / "report")  # its sections are rendered again, not taken as spooled
    made = []

    class Pool:  # records how the writer makes its pool; renders in this process
        def __init__(self, *args, **kwargs):
            made.append(kwargs)

        def map(self, work, jobs, chunksize=1):
            return map(work, jobs)

        def shutdown(self, *args, **kwargs):
            pass

    monkeypatch.setattr(review, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(review, "PARALLEL_AFTER", 1)
    monkeypatch.setattr(review, "render_processes", lambda: 2)
    monkeypatch.setattr(review, "_socket_fits", lambda: True)
    monkeypatch.setattr(review, "_pool_context", lambda: None)
    assert _run(corpus, out) == 0 and (out / "report" / "index.html").is_file()
    assert made and made[0]["initializer"] is ignore_stop_signals


def test_a_dry_run_says_why_unchanged_documents_would_be_processed_again(tmp_path, capsys):
    """The dry run said "process (config or models): a.txt" for each document and not
    what had changed, which the run itself says: before redoing a whole corpus is when a
    user asks."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "b.txt").write_text("Another story. " + TEXT)
    assert _run(corpus, out, "--to", "de") in (0, 3)
    capsys.readouterr()
    assert _run(corpus, out, "--to", "fr", "--dry-run") == 0
    said = capsys.readouterr().out.splitlines()
    assert "process (config or models): a.txt" in said
    assert ("why: 2 unchanged documents to process again: the configuration changed: "
            "targets ['de'] -> ['fr']") in "\n".join(said)
    assert _run(corpus, out, "--to", "de", "--dry-run") == 0  # nothing changed: no why
    assert "why:" not in capsys.readouterr().out


def test_models_list_names_the_code_a_run_uses_for_argos_own_codes(tmp_path, monkeypatch,
                                                                    capsys):
    """`models list` showed 'en-zt' and 'en-pb', codes no --to takes for them (zh-Hant,
    pt), and called one of two packages of equal versions serving one pair 'not used: a
    newer one is'."""
    from pipeline import cli
    from pipeline.testing.argos_package import build_package, install_package

    packages = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.chdir(tmp_path)
    for tgt, seed in (("zt", 0), ("pb", 1), ("pt", 2)):
        install_package(build_package(tmp_path / tgt, "en", tgt, version="1.9", seed=seed),
                        packages)
    assert cli.main(["models", "list", "--device", "cpu"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()
            if line.startswith("en-")}
    assert rows["en-zt"].split()[1] == "(en-zh-Hant)" and "not used" not in rows["en-zt"]
    assert rows["en-pb"].split()[1] == "(en-pt)"
    unused = [pair for pair, line in rows.items() if "not used" in line]
    assert len(unused) == 1 and unused[0] in ("en-pb", "en-pt")
    other = "en-pt" if unused[0] == "en-pb" else "en-pb"
    assert f"(not used: {other} serves en-pt)" in rows[unused[0]]


def test_a_pages_metadata_reads_c1_controls_as_the_page_meant():
    """An og:title holding a Windows-1252 apostrophe as a C1 control (a page's UTF-8
    made from cp1252 bytes read as Latin-1) stayed in documents.jsonl as 'Qu\\x92importe':
    the normalize stage repairs the text, never the metadata."""
    from pipeline.extract_html import extract

    page = ("<html lang='fr'><head><meta charset='utf-8'><title>Pain</title>"
            "<meta property='og:title' content='Qu\x92importe le prix'></head><body><article>"
            "<h1>Le prix du pain augmente</h1><p>Le prix du pain a augmenté à Lyon, dit le "
            "boulanger du quartier.</p><p>Les clients se plaignent depuis des semaines de "
            "cette hausse.</p></article></body></html>").encode()
    assert extract(page).metadata["title"] == "Qu’importe le prix"


def test_the_summary_says_which_sentences_were_converted_not_translated(tmp_path, capsys):
    """Simplified sentences converted into Traditional ones by OpenCC were counted in the
    summary as "translated"; and once found in the translation memory (a rerun with
    --force), report.json no longer said the pair was converted."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text("这是中国的新闻。台风来了，学校关门了。\n", encoding="utf-8")
    for extra in ((), ("--force",)):
        assert _run(corpus, out, "--to", "zh-Hant", *extra) == 0
        said = capsys.readouterr().out
        assert "(0 sentences translated, 2 converted by opencc " in said, said
        assert list(_report(out)["translation"]["converted"]) == ["zh-zh-Hant"]
        page = (out / "report.html").read_text(encoding="utf-8")  # it said "translated"
        assert "zh-zh-Hant (converted by opencc " in page
        assert ("0 sentences translated, 2 converted</td>" in page) == (not extra)  # 2nd: memory
    assert (out / "translations" / "zh-Hant" / "a.txt").read_text(encoding="utf-8") == (
        "這是中國的新聞。颱風來了，學校關門了。\n")


def test_a_traditional_target_without_its_model_is_the_simplified_model_then_converted(
        tmp_path, monkeypatch, capsys):
    """With an en -> zh model and no en -> zt one, a run into zh-Hant said the pair was
    missing (exit 3), though the Simplified model and the converter make Traditional text
    (before Traditional Chinese was its own language, that model served "zt" as "zh")."""
    import opencc

    from pipeline.engines.argos import ArgosEngine
    from pipeline.engines.convert import Conversion
    from pipeline.testing.argos_package import build_package, install_package

    packages = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    install_package(build_package(tmp_path / "zh", "en", "zh", training_text=(
        "这是中国的新闻。台风来了，学校关门了。香港的天气很好。\n" * 20)), packages)
    engine = ArgosEngine(packages_dir=packages)
    route = engine.route("en", "zh-Hant")
    assert [step.package_id if isinstance(step, Conversion) else (step.from_code, step.to_code)
            for step in route][0] == ("en", "zh") and isinstance(route[1], Conversion)
    assert engine.route("en", "zh")[0].to_code == "zh" and len(engine.route("en", "zh")) == 1
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    assert _run(corpus, out, "--to", "zh-Hant") == 0
    assert "translated" in capsys.readouterr().out
    simplified = engine.translate([TEXT.strip()], "en", "zh")[0]
    assert (out / "translations" / "zh-Hant" / "a.txt").read_text(encoding="utf-8") == (
        opencc.OpenCC("s2t").convert(simplified) + "\n")
