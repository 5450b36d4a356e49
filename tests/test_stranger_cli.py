"""Command-line misuse as a stranger makes it: a usage error is exit 2 with a message."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("O porto de Lisboa reabriu ontem.\n",
                                               encoding="utf-8")


def test_models_without_an_action_is_a_usage_error(capsys):
    # It printed the help and exited 0, as if something had been done.
    assert main(["models"]) == 2
    assert "list" in capsys.readouterr().err


# A word argparse could not place printed the top-level usage and "unrecognized
# arguments: out", naming neither the command nor what the word usually meant.
@pytest.mark.parametrize(("argv", "usage", "said"), [
    (["run", "corpus", "out"], "pipeline run", "e.g. pipeline run corpus --out out"),
    (["detect", "lines.txt"], "pipeline detect", "pipeline detect < lines.txt"),
    (["run", "corpus", "--out", "out", "--fast"], "pipeline run",
     "pipeline run: error: unrecognized arguments: --fast"),
    (["models", "list", "x"], "pipeline models list",
     "pipeline models list: error: unrecognized arguments: x"),
])
def test_a_stray_word_is_named_on_its_commands_usage_line(argv, usage, said, tmp_path,
                                                          capsys):
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {usage} ")
    assert said in err
    assert not (tmp_path / "out").exists()


def test_an_empty_to_is_refused_not_replaced_by_the_default(tmp_path, capsys):
    # `--to ""` (an unset shell variable, say) translated into the config's targets
    # or English without a word.
    assert main(["run", "corpus", "--out", "out", "--to", ""]) == 2
    assert "--to '' names no language" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_empty_targets_in_the_config_file_name_the_file_and_the_key(tmp_path, capsys):
    (tmp_path / "news.toml").write_text("targets = []\n", encoding="utf-8")
    assert main(["run", "corpus", "--out", "out", "--config", "news.toml"]) == 2
    assert "config file news.toml: targets = []" in capsys.readouterr().err
    assert main(["run", "corpus", "--out", "out", "--config", "news.toml", "--to", "en",
                 "--dry-run"]) == 0


@pytest.mark.parametrize("argv", [
    ["run", "corpus", "--out", ""],
    ["run", "", "--out", "out"],
    ["run", "corpus", "--out", "out", "--config", ""],
    ["explain", "a.txt", "--out", ""],
])
def test_an_empty_path_is_refused_not_taken_for_the_current_directory(argv, tmp_path, capsys):
    # `--out "$OUT"` with OUT unset wrote clean/, translations/, report.json... into
    # the current directory.
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "empty path" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]


@pytest.mark.parametrize("inside", ["clean", "translations/en", ".pipeline"])
def test_a_corpus_inside_a_folder_the_run_writes_is_refused(inside, tmp_path, capsys):
    # `pipeline run out/clean --out out` replaced each source with its clean copy.
    corpus = tmp_path / "out" / inside
    corpus.mkdir(parents=True)
    source = "Título\n\nO presidente   visitou a cidade ontem.\nKommentare (0)\n"
    (corpus / "a.txt").write_text(source, encoding="utf-8")
    assert main(["run", str(corpus), "--out", "out"]) == 2
    assert f"is inside out/{inside.split('/')[0]}, which the run writes" in capsys.readouterr().err
    assert (corpus / "a.txt").read_text(encoding="utf-8") == source


def test_a_corpus_beside_the_outputs_inside_out_is_still_read(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "corpus").rename(tmp_path / "project" / "corpus")
    assert main(["run", "project/corpus", "--out", "project", "--dry-run"]) == 0


def _detect(stdout, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline", "detect", "--candidates", "de,pt"],
                          input=b"Das ist ein Haus\n" * 50, stdout=stdout,
                          stderr=subprocess.PIPE, cwd=tmp_path, env=env, check=False)


def test_detect_into_a_closed_pipe_ends_quietly_as_cat_does(tmp_path):
    # `pipeline detect < lines.txt | head -1` printed a BrokenPipeError traceback.
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line is written
    try:
        done = _detect(write, tmp_path)
    finally:
        os.close(write)
    assert done.returncode == -signal.SIGPIPE
    assert done.stderr == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_detect_into_a_full_disk_says_so_with_exit_74(tmp_path):
    # It printed an OSError traceback and exited 1.
    with open("/dev/full", "wb") as full:
        done = _detect(full, tmp_path)
    assert done.returncode == 74
    assert done.stderr.decode() == ("pipeline detect: error: cannot write the output: "
                                    "No space left on device\n")


def _pipeline(argv: list[str], stdout, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(cwd / "none")}
    return subprocess.run([sys.executable, "-m", "pipeline", *argv], stdout=stdout,
                          stderr=subprocess.PIPE, cwd=cwd, env=env, check=False)


def test_a_run_whose_summary_reader_went_away_keeps_its_exit_code(tmp_path):
    # `pipeline run | true` reported "internal error: BrokenPipeError (a bug)", exit 70,
    # after every output was written.
    read, write = os.pipe()
    os.close(read)
    try:
        done = _pipeline(["run", "corpus", "--out", "out", "--to", "en"], write, tmp_path)
    finally:
        os.close(write)
    assert done.returncode == 3  # finished; the Portuguese to English model is missing
    assert b"internal error" not in done.stderr
    assert (tmp_path / "out" / "clean" / "a.txt").is_file()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_run_whose_summary_cannot_be_written_exits_74(tmp_path):
    with open("/dev/full", "wb") as full:
        done = _pipeline(["run", "corpus", "--out", "out", "--to", "en"], full, tmp_path)
    assert done.returncode == 74
    assert done.stderr.decode().endswith(
        "pipeline run: error: cannot write the output: No space left on device\n")
    assert (tmp_path / "out" / "report.json").is_file()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_models_list_into_a_full_disk_says_so_with_exit_74(tmp_path):
    # It was reported as an internal error (exit 70, "a bug: please report it").
    with open("/dev/full", "wb") as full:
        done = _pipeline(["models", "list"], full, tmp_path)
    assert done.returncode == 74
    assert done.stderr.decode() == ("pipeline models list: error: cannot write the output: "
                                    "No space left on device\n")


def test_a_packages_directory_that_is_a_file_is_said_to_be_one(tmp_path, monkeypatch,
                                                                capsys):
    # `models list` said "no translation models installed", as for an empty folder.
    (tmp_path / "models").write_text("not a folder\n", encoding="utf-8")
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "models"))
    assert main(["models", "list"]) == 3
    assert (f"problem: the packages directory {tmp_path / 'models'} is not a directory: "
            "point ARGOS_PACKAGES_DIR at a folder") in capsys.readouterr().out


def test_a_beam_wider_than_any_use_is_refused_before_any_work(tmp_path, capsys):
    # --beam-size 100000000000 ran, failed in mkl_malloc, and the pair was reported
    # as a missing model with the command that installs it (it was installed).
    assert main(["run", "corpus", "--out", "out", "--beam-size", "100000000000"]) == 2
    assert "--beam-size 100000000000: at most 64" in capsys.readouterr().err
    (tmp_path / "wide.toml").write_text("[translate]\nbeam_size = 65\n", encoding="utf-8")
    assert main(["run", "corpus", "--out", "out", "--config", "wide.toml"]) == 2
    assert "translate.beam_size = 65: at most 64" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_detect_reads_stdin_exits_130_without_a_traceback(monkeypatch, capsys):
    class Interrupted:
        def __iter__(self):
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": Interrupted()})())
    assert main(["detect", "--candidates", "de,pt"]) == 130
    assert "Traceback" not in capsys.readouterr().err
