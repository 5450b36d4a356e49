"""The command line in a shell, as a stranger types it: locales, pipes, odd input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _pipeline(argv: list[str], cwd: Path, stdin: bytes = b"", **env: str):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(cwd / "none"),
           **env}
    return subprocess.run([sys.executable, "-m", "pipeline", *argv], input=stdin,
                          capture_output=True, cwd=cwd, env=env, check=False)


def _documents(out: Path, *records: dict) -> None:
    out.mkdir()
    (out / "documents.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_explain_of_a_name_its_locale_cannot_write_escapes_it(tmp_path, encoding):
    # A locale that is not UTF-8 (LANG=de_DE.ISO-8859-1, PYTHONIOENCODING=ascii): a
    # UnicodeEncodeError traceback, exit 1.
    _documents(tmp_path / "out", {"doc": "café نص.txt", "status": "ok"})
    done = _pipeline(["explain", "café نص.txt", "--out", "out"], tmp_path,
                     PYTHONIOENCODING=encoding)
    assert done.returncode == 0, done.stderr.decode()
    first = done.stdout.decode(encoding).splitlines()[0]
    name = "café" if encoding == "latin-1" else "caf\\xe9"
    assert first.startswith(f"{name} \\u0646\\u0635.txt: 0 fixes")


def test_a_dry_run_naming_a_document_its_locale_cannot_write_escapes_it(tmp_path):
    # It ended with "internal error: UnicodeEncodeError", exit 70.
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "café.txt").write_text("O porto de Lisboa reabriu ontem.\n",
                                                  encoding="utf-8")
    done = _pipeline(["run", "corpus", "--out", "out", "--dry-run"], tmp_path,
                     PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr.decode()
    assert "process (new): caf\\xe9.txt\n" in done.stdout.decode("ascii")


@pytest.mark.parametrize("argv, broken", [
    (["explain", "a.txt", "--out", "out"], "pipeline.explain.explain"),
    (["detect", "--candidates", "pt,de"], "pipeline.detect_cli.detect_lines"),
])
def test_an_error_detect_or_explain_did_not_expect_is_exit_70_in_one_line(
        argv, broken, tmp_path, monkeypatch, capsys):
    # It was a traceback and exit 1, which the README's table of exit codes does not list.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PIPELINE_DEBUG", raising=False)
    _documents(tmp_path / "out", {"doc": "a.txt", "status": "ok"})
    (tmp_path / "lines.txt").write_text("Mehr zum Thema\n", encoding="utf-8")

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(broken, boom)
    with open(tmp_path / "lines.txt", "rb") as lines:
        monkeypatch.setattr("sys.stdin", type("In", (), {"buffer": lines})())
        assert main(argv) == 70
    assert capsys.readouterr().err == (
        f"pipeline {argv[0]}: internal error: RuntimeError: boom (a bug: please report it; "
        f"rerun as `pipeline --debug {argv[0]} ...` to see the traceback)\n")


def test_an_internal_error_of_models_names_a_debug_option_that_exists(tmp_path, monkeypatch,
                                                                      capsys):
    # It said "rerun with --debug", which `pipeline models list --debug` refuses.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PIPELINE_DEBUG", raising=False)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "models"))

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("pipeline.engines.argos.list_packages", boom)
    assert main(["models", "list"]) == 70
    err = capsys.readouterr().err
    assert err.endswith("pipeline: internal error: RuntimeError: boom (a bug: please report "
                        "it; rerun as `pipeline --debug models list ...` to see the "
                        "traceback)\n")
    assert main(["--debug", "models", "list"]) == 70  # the rerun it names
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_explain_of_a_documents_file_that_is_not_utf8_names_the_line(tmp_path, capsys):
    # A UnicodeDecodeError traceback (a damaged file, or one an editor saved as Latin-1).
    out = tmp_path / "out"
    _documents(out, {"doc": "a.txt", "status": "ok"})
    with open(out / "documents.jsonl", "ab") as documents:
        documents.write('{"doc": "café.txt", "status": "ok"}\n'.encode("latin-1"))
    assert main(["explain", "café.txt", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"pipeline explain: error: {out}/documents.jsonl, line 2: not UTF-8; delete the file "
        "and run `pipeline run` again, which rebuilds it\n")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_detect_reads_utf16_and_utf32_input_by_its_byte_order_mark(encoding, capsys):
    # PowerShell's `>` (and Notepad's "Unicode") writes UTF-16 with its mark: each line was
    # read as UTF-8, split inside its characters, and answered "it", "und"...
    import argparse
    import io

    from pipeline.detect_cli import run_detect

    text = "\ufeffMehr zum Thema\r\nLeia mais\r\n" if encoding == "utf-16-be" else (
        "Mehr zum Thema\r\nLeia mais\r\n")
    out = io.StringIO()
    args = argparse.Namespace(candidates="pt,de,en", scores=False)
    assert run_detect(args, io.BytesIO(text.encode(encoding)), out) == 0
    assert out.getvalue() == "de\npt\n"


def _detect_here(tmp_path, monkeypatch) -> int:
    import argparse
    import io

    from pipeline.detect_cli import run_detect

    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(candidates=None, scores=False)
    return run_detect(args, io.BytesIO(b"Mehr zum Thema\n"), io.StringIO())


def test_detect_with_a_folder_named_pipeline_toml_says_so(tmp_path, monkeypatch, capsys):
    # It took the built-in candidates without a word, where `pipeline run` refuses.
    (tmp_path / "pipeline.toml").mkdir()
    assert _detect_here(tmp_path, monkeypatch) == 2
    assert capsys.readouterr().err == (
        "pipeline detect: error: pipeline.toml in the current directory is a folder, not a "
        "TOML file: rename it, or name the candidates with --candidates LANGS\n")


def test_detect_with_a_broken_pipeline_toml_says_where_it_was_read_and_the_way_around(
        tmp_path, monkeypatch, capsys):
    # "pipeline detect: config file pipeline.toml is not valid TOML: ...": which file,
    # for a command that names none, and what to do without editing it?
    (tmp_path / "pipeline.toml").write_text("targets = [\n", encoding="utf-8")
    assert _detect_here(tmp_path, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("pipeline detect: error: config file pipeline.toml is not valid TOML")
    assert err.endswith(" (read from the current directory for its candidates; --candidates "
                        "LANGS names them instead)\n")


@pytest.mark.parametrize(("argv", "said"), [
    (["detect", "-"], "unexpected argument '-': it reads standard input already; drop the -"),
    (["detect", "a.txt", "b.txt"], "unexpected arguments 'a.txt', 'b.txt': it reads the "
     "lines of standard input, e.g. cat a.txt b.txt | pipeline detect"),
])
def test_detect_given_files_or_a_dash_says_it_reads_standard_input(argv, said, capsys):
    # "unrecognized arguments: -" (or: a.txt b.txt), with nothing on what to do.
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 2
    assert capsys.readouterr().err.endswith(f"pipeline detect: error: {said}\n")


def test_explain_keeps_one_record_in_memory_not_the_whole_documents_file(tmp_path):
    # Every record was kept: a documents.jsonl of 200,000 documents (156 MB) took 1 GB.
    import tracemalloc

    from pipeline.explain import find_record

    fix = {"stage": "repair", "kind": "split_compound", "before": "a -b " * 20, "after": "x"}
    _documents(tmp_path / "out", *({"doc": f"d/{i}.txt", "status": "ok", "fixes": [fix] * 50}
                                   for i in range(600)))
    size = (tmp_path / "out" / "documents.jsonl").stat().st_size
    for doc in ("d/599.txt", "599.txt"):  # the id as given; the file name alone
        tracemalloc.start()
        try:
            record = find_record(tmp_path / "out", doc)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert record["doc"] == "d/599.txt"
        assert peak < size / 10, (peak, size)


def test_to_and_candidates_given_twice_add_up_not_replace(tmp_path, monkeypatch):
    # `--to en --to de` translated into German alone: the first --to was dropped unsaid.
    from pipeline.cli import _config_for, build_parser
    from pipeline.detect_cli import candidates_for

    monkeypatch.chdir(tmp_path)
    parser = build_parser()
    args = parser.parse_args(["run", "--to", "en", "--to", "de,fr"])
    assert _config_for(args).targets == ["en", "de", "fr"]
    args = parser.parse_args(["detect", "--candidates", "pt", "--candidates", "es"])
    assert candidates_for(args.candidates) == ["pt", "es"]


def test_detect_answers_each_distinct_line_once(monkeypatch):
    # `yes | head -c 10M | pipeline detect` detected "y" 5.2 million times: 178 CPU s.
    import argparse
    import io

    from pipeline import detect_cli

    asked: list[str] = []
    detect_lines = detect_cli.detect_lines

    def counted_lines(detect, lines, scores):
        asked.extend(lines)
        return detect_lines(detect, lines, scores)

    monkeypatch.setattr(detect_cli, "detect_lines", counted_lines)
    out = io.StringIO()
    args = argparse.Namespace(candidates="pt,de,en", scores=False)
    lines = b"Mehr zum Thema\nLeia mais\n" * 3_000  # over batches of 2,048 lines
    assert detect_cli.run_detect(args, io.BytesIO(lines), out) == 0
    assert out.getvalue() == "de\npt\n" * 3_000
    assert sorted(asked) == ["Leia mais", "Mehr zum Thema"]


def test_detect_answers_stay_right_when_the_lines_kept_are_forgotten(monkeypatch):
    import argparse
    import io

    from pipeline import detect_cli

    monkeypatch.setattr(detect_cli, "KNOWN_LINES", 2)
    monkeypatch.setattr(detect_cli, "BATCH_LINES", 3)
    out = io.StringIO()
    args = argparse.Namespace(candidates="pt,de,en", scores=False)
    lines = "Mehr zum Thema\n\nLeia mais\nЭто тест.\n" * 5
    assert detect_cli.run_detect(args, io.BytesIO(lines.encode()), out) == 0
    assert out.getvalue() == "de\nund\npt\nru\n" * 5
