"""The command line as a stranger types it, second pass (cli11)."""

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

from pipeline.cli import main
from pipeline.detect_cli import run_detect

ROOT = Path(__file__).resolve().parents[1]


def _pipeline(argv: list[str], cwd: Path, stdin: bytes = b"", **env: str):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(cwd / "none"),
           **env}
    return subprocess.run([sys.executable, "-m", "pipeline", *argv], input=stdin,
                          capture_output=True, cwd=cwd, env=env, check=False)


def test_pipeline_without_a_command_is_a_usage_error_on_stderr(capsys):
    # It was a traceback (ValueError from a strict zip over no word) and exit 1; before
    # that, the help on stdout with exit 2, where `pipeline models` wrote it on stderr.
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: pipeline") and "COMMAND" in err
    assert main(["models"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("usage: pipeline models")


def test_an_out_folder_with_a_newline_is_escaped_in_the_summary(tmp_path, capsys,
                                                               monkeypatch):
    # The documents' names were escaped (log.shown), OUT's name printed as it is: a line
    # of the summary was cut in two, the second one looking like a line of its own.
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Mehr zum Thema Nordkorea heute.\n",
                                               encoding="utf-8")
    (tmp_path / "empty").mkdir()
    out = tmp_path / "o\nut"
    main(["run", str(tmp_path / "corpus"), "--out", str(out), "--to", "en"])
    printed = capsys.readouterr().out
    assert "o\\nut/clean/" in printed and "o\\nut/report.json" in printed
    assert not any(line.startswith("ut/") for line in printed.splitlines())
    main(["run", str(tmp_path / "empty"), "--out", str(tmp_path / "x\ny")])
    printed = capsys.readouterr().out
    assert "x\\ny/report.json" in printed and "\ny/" not in printed


def test_codes_separated_by_spaces_are_told_to_use_commas(tmp_path, capsys, monkeypatch):
    # `--to "en de"` was answered "nearest: see `pipeline detect --help` for ISO 639-1
    # codes", a help that lists no code.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    assert main(["run", "--to", "en de", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "--to: 'en de' is not a language code: separate the codes with commas, as en,de" \
        in err
    assert main(["detect", "--candidates", "pt  DE"]) == 2
    assert "as pt,DE" in capsys.readouterr().err
    assert main(["run", "--to", "1234", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "'1234' is not a language code; use ISO 639-1 codes such as en, de, pt" in err
    assert "--help" not in err


def test_a_line_of_one_letter_is_undetermined():
    # `yes | pipeline detect` answered es for each "y"; "a" pt, "e" it, "i" en.
    lines = ["y", "a", "e", "i", " O. ", "я", "Mehr zum Thema", "名"]
    stdin = io.BytesIO("\n".join(lines).encode())
    stdout = io.StringIO()
    args = argparse.Namespace(candidates="pt,de,en,es,it", scores=False)
    assert run_detect(args, stdin, stdout) == 0
    assert stdout.getvalue().split() == ["und"] * 6 + ["de", "zh"]


def test_a_very_long_line_is_detected_from_its_first_characters(monkeypatch):
    # A 50 MB line took 1.5 GB: its words listed twice over while scored (about 22
    # bytes a character). Detection sees at most MAX_LINE_CHARS characters of a line.
    from pipeline import detect_cli

    seen: list[str] = []

    def recording(detect, lines, scores):
        seen.extend(lines)
        return ["de"] * len(lines)

    monkeypatch.setattr(detect_cli, "detect_lines", recording)
    long_line = "Mehr zum Thema " * (detect_cli.MAX_LINE_CHARS // 5)
    stdin = io.BytesIO(f"{long_line}\nkurz\n".encode())
    stdout = io.StringIO()
    args = argparse.Namespace(candidates="de,en", scores=False)
    assert run_detect(args, stdin, stdout) == 0
    assert stdout.getvalue() == "de\nde\n"  # one answer a line still
    cut = len(seen[0])
    assert detect_cli.MAX_LINE_CHARS - 20 < cut <= detect_cli.MAX_LINE_CHARS
    assert long_line.startswith(seen[0]) and long_line[cut] == " "  # cut at a space
    assert seen[1] == "kurz"


def test_names_read_as_ascii_are_warned_of(tmp_path):
    # PYTHONUTF8=0 in a C locale: file names are decoded as ASCII (surrogate escapes),
    # and café.txt was quarantined as "file name is not valid UTF-8" without a word why.
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "café.txt").write_text("Mehr zum Thema.\n", encoding="utf-8")
    done = _pipeline(["run", "corpus", "--out", "out", "--dry-run"], tmp_path,
                     PYTHONCOERCECLOCALE="0", PYTHONUTF8="0", LC_ALL="C")
    err = done.stderr.decode("ascii", "replace")
    assert "file names are read as ascii, not UTF-8" in err and "PYTHONUTF8=1" in err
    done = _pipeline(["run", "corpus", "--out", "out", "--dry-run"], tmp_path,
                     PYTHONUTF8="1", LC_ALL="C")
    assert b"file names are read as" not in done.stderr
    assert done.returncode == 0, done.stderr.decode()
