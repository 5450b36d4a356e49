"""Found by trying the product as a stranger (session 14): a corpus that changes
between runs, and other inputs no test covered."""

import json
from pathlib import Path

import pytest

from pipeline.cli import main

TEXT = "The bridge over the river was closed for repairs last week.\n"


def _run(corpus: Path, out: Path, *extra: str) -> int:
    return main(["run", str(corpus), "--out", str(out), *extra])


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def test_a_file_replaced_by_a_folder_of_its_name_is_processed_by_the_same_prune_run(
    tmp_path, capsys
):
    """The deleted file's kept copy (clean/a.txt) stood in the way of the new folder's
    files (clean/a.txt/b.txt): --prune removed it only after they were quarantined, so
    a third run was needed, and the message did not say that --prune helps."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "z.txt").write_text(TEXT)
    assert _run(corpus, out) == 0
    (corpus / "a.txt").unlink()
    (corpus / "a.txt").mkdir()
    (corpus / "a.txt" / "b.txt").write_text("The library opens again on Monday morning.\n")
    assert _run(corpus, out) == 3  # without --prune the kept copy is in the way
    reason = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}["a.txt/b.txt"]
    assert "run with --prune" in reason, reason
    capsys.readouterr()
    assert _run(corpus, out, "--prune") == 0
    report = _report(out)
    assert report["quarantined"] == [] and report["pruned_sources"] == ["a.txt"]
    assert report["pruned"] == 1 and report["documents"] == report["ok"] == 2
    assert "opens again" in (out / "clean" / "a.txt" / "b.txt").read_text()
    assert "pruned: a.txt (2 output files removed)" in capsys.readouterr().err
    assert _run(corpus, out, "--prune") == 0  # and nothing more to do
    assert _report(out)["processed"] == 0 and _report(out)["pruned"] == 0


def test_a_package_for_a_language_code_runs_never_use_is_said_so(tmp_path, monkeypatch, capsys):
    """A genuine package from 'xx' installed and listed like any other, and runs passed
    it over without a word."""
    from pipeline.testing.argos_package import build_package

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "packages"))
    archive = build_package(tmp_path / "built", "xx", "en")
    assert main(["models", "install", str(archive)]) == 0  # installed, with a warning
    io = capsys.readouterr()
    assert "installed xx-en" in io.out
    assert "warning: xx-en" in io.err and "'xx' is not a language code" in io.err
    assert "runs never use it" in io.err
    assert main(["models", "list", "--device", "cpu"]) == 3  # a problem listed
    problems = [line for line in capsys.readouterr().out.splitlines()
                if line.startswith("problem: ")]
    assert len(problems) == 1 and "xx-en" in problems[0], problems
    assert "`pipeline models remove xx en`" in problems[0]


def test_a_ray_address_without_the_ray_executor_is_refused_not_run_locally(tmp_path, capsys):
    """--ray-address alone ran on the local executor without a word: a user who meant
    the cluster got a local run."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    assert _run(corpus, out, "--ray-address", "10.0.0.5:6379") == 2
    assert "goes with --executor ray" in capsys.readouterr().err
    assert not out.exists()


def test_an_empty_corpus_says_that_nothing_was_read(tmp_path, capsys):
    """An empty folder (a mistyped sub-folder, say) gave '0/0 documents clean', exit 0,
    and nothing more."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / "sub").mkdir(parents=True)
    assert _run(corpus, out) == 0
    said = capsys.readouterr().out
    assert f"{corpus} holds no file at all: nothing was read; check the path" in said
    (corpus / "a.pdf").write_bytes(b"%PDF-1.4")  # a file: its own advice instead
    assert _run(corpus, out) == 0
    said = capsys.readouterr().out
    assert "skipped 1 .pdf file" in said and "holds no file" not in said


@pytest.mark.parametrize("argv", [["run", "--log-format", "json", "--bogus"],
                                  ["run", "--log-format=json", "--workers", "x"]])
def test_a_usage_error_under_a_json_log_is_a_json_event(argv, capsys):
    """argparse printed its usage and error as plain text, although with --log-format
    json every line on stderr is a JSON event (README)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["event"] for e in events] == ["error", "done"]
    assert "error: " in events[0]["message"] and events[1]["exit_code"] == 2


def test_a_file_name_never_sends_control_characters_to_the_terminal(tmp_path, capsys):
    """A name holding an escape sequence (or a CR) reached the terminal as it was in the
    dry run's plan, the quarantine lines and the skipped lines: it could clear the
    screen, recolour it or hide the start of the line."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "q\x1b[2J.txt").write_bytes(b"\0\0")  # quarantined: NUL bytes only
    (corpus / "a\rb.txt").write_text(TEXT)
    assert _run(corpus, out, "--dry-run") == 0
    assert _run(corpus, out) == 3
    assert _run(corpus, out, "--force") == 3
    said = capsys.readouterr()
    text = said.out + said.err
    assert "\x1b" not in text and "\r" not in text
    assert "quarantine: q\\x1b[2J.txt: only NUL bytes" in said.out  # the dry run
    assert "process (new): a\\rb.txt" in said.out
    assert "quarantined: q\\x1b[2J.txt: only NUL bytes" in said.out
    assert "quarantined: q\\x1b[2J.txt: only NUL bytes" in said.err
    report = _report(out)  # the data keep the names as they are
    assert [q["doc"] for q in report["quarantined"]] == ["q\x1b[2J.txt"]


def test_explain_shows_a_names_control_characters_as_escapes(tmp_path, capsys):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a\x1b[2Jb.txt").write_text(TEXT)
    assert _run(corpus, out) == 0
    capsys.readouterr()
    assert main(["explain", "a\x1b[2Jb.txt", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("a\\x1b[2Jb.txt: 0 fixes") and "\x1b" not in said
    assert main(["explain", "nothing.txt", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "documents there: a\\x1b[2Jb.txt" in err and "\x1b" not in err


@pytest.mark.parametrize("line", ['{"doc": 5}', '{"doc": null}', "[1, 2]"])
def test_explain_of_a_documents_file_with_a_record_of_another_shape_says_so(
    tmp_path, capsys, line
):
    """A record whose 'doc' was no string ended explain with a traceback (exit 1)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.jsonl").write_text(line + "\n")
    assert main(["explain", "x.txt", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "line 1: not a document record (no 'doc' name); delete the file" in err, err


def test_local_workers_far_beyond_the_cpus_are_refused_before_any_work(tmp_path, capsys,
                                                                     monkeypatch):
    """--workers 1000 was taken as given: a worker process per shard in flight, up to
    1,000, each holding its own models (about 105 MiB of PSS), far more memory than a
    machine like this one has, and no benefit beyond its CPUs."""
    import pipeline.cli

    monkeypatch.setattr(pipeline.cli, "available_cpus", lambda: 2)
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    assert _run(corpus, out, "--workers", "1000") == 2
    err = capsys.readouterr().err
    assert "--workers 1000" in err and "2 CPUs" in err and "at most 8" in err
    assert not out.exists()


def test_more_local_workers_than_cpus_are_warned_of():
    """Between one and four workers a CPU the run goes on, with a warning."""
    import io

    from pipeline.cli import check_local_workers
    from pipeline.log import RunLog

    stream = io.StringIO()
    check_local_workers(2, 2, RunLog("json", stream))
    assert stream.getvalue() == ""
    check_local_workers(3, 2, RunLog("json", stream))
    event = json.loads(stream.getvalue())
    assert event["level"] == "warning" and event["workers"] == 3 and event["cpus"] == 2
