"""What a stranger's corpus and machine do to a run (second pass): each bad input
costs only itself, with a clear reason, and never costs work already done."""

import errno
import json
import os
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.runner import RunOptions, UsageError, run
from tests.conftest import TaggingEngine
from tests.test_stranger_inputs import _no_models, _run  # noqa: F401 - the same set-up

PT = ("O porto de Lisboa reabriu ontem depois de três semanas de obras. "
      "Os pescadores voltaram ao trabalho e a cidade celebrou.\n")


def _unlistable(monkeypatch, *folders: Path) -> None:
    """Make ``folders`` fail to list as a folder without read permission does (the
    tests may run as root, whom permissions do not stop)."""
    scandir = os.scandir
    refused = {str(folder) for folder in folders}

    def guarded(path="."):
        if os.fspath(path) in refused:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)


def test_a_folder_that_cannot_be_read_is_quarantined_and_its_outputs_kept(
        tmp_path, monkeypatch):
    # os.walk drops a folder it cannot list without a word: its documents vanished from
    # the run, and --prune deleted their outputs as if their files were deleted.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    (corpus / "locked" / "b.txt").write_text(PT, encoding="utf-8")
    (corpus / "locked" / "r.jsonl").write_text(json.dumps({"text": PT}) + "\n")
    assert _run(corpus, out).report["ok"] == 3
    _unlistable(monkeypatch, corpus / "locked")
    result = _run(corpus, out, prune=True)
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert reasons["locked"].startswith("folder cannot be read (Permission denied)")
    assert "give this user read access" in reasons["locked"]
    assert result.report["pruned"] == 0 and result.report["deleted"] == 0
    assert (out / "clean" / "locked" / "b.txt").read_text(encoding="utf-8") == PT
    assert (out / "clean" / "locked" / "r.jsonl").exists()


def test_a_corpus_that_cannot_be_read_is_a_usage_error(tmp_path, monkeypatch):
    # It was "0/0 documents clean", exit 0.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != corpus)
    with pytest.raises(UsageError, match="cannot be read"):
        _run(corpus, out)


JA = ("東京で昨日、書籍展示会が開かれ、数千人の来場者が訪れた。"
      "主催者によると、参加者は昨年より多かった。\n")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_text_not_a_binary_file(codec):
    # Quarantined as "binary file (NUL bytes)": every other byte of it is NUL.
    from pipeline.stages.read import decode_bytes

    assert decode_bytes(PT.encode(codec)) == (PT, codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_of_ascii_letters_without_a_bom_is_not_read_as_utf8(codec):
    # It is valid UTF-8 (NUL is a character): it was read so, every other character
    # a NUL that the cleanup then removed as thousands of fixes, the encoding "utf-8".
    from pipeline.stages.read import decode_bytes

    text = "The port of Lisbon reopened today.\nFishermen went back to work.\n"
    assert decode_bytes(text.encode(codec)) == (text, codec)


def test_utf32_with_its_bom_is_not_read_as_utf16():
    # Its little-endian BOM starts with UTF-16's: it was read as UTF-16, a NUL after
    # every letter, and reported as "utf-16".
    from pipeline.stages.read import decode_bytes

    assert decode_bytes(PT.encode("utf-32")) == (PT, "utf-32")


@pytest.mark.parametrize("codec", ["shift_jis", "euc_jp"])
def test_japanese_legacy_encodings_are_not_read_as_korean_or_chinese(codec):
    # Shift-JIS came back as cp949 (Hangul garble), EUC-JP as big5: the right decoding
    # lost for its ideographic comma and full stop, counted as unlikely punctuation.
    from pipeline.stages.read import decode_bytes

    assert decode_bytes(JA.encode(codec))[0] == JA


def test_a_utf16_file_without_a_bom_is_cleaned(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "notepad.txt").write_bytes(PT.encode("utf-16-le"))
    result = _run(corpus, out)
    assert result.report["quarantined"] == []
    assert (out / "clean" / "notepad.txt").read_text(encoding="utf-8") == PT


@pytest.mark.parametrize("sentences", [
    ["Wczoraj w Krakowie otwarto targi.", "Łódź będzie następna."],  # Ł: not A-Z, À-Þ
    ["Ярмарку посетили тысячи человек.", "Организаторы довольны."],  # Cyrillic
    ["Η έκθεση άνοιξε χθες.", "Ήρθαν χιλιάδες επισκέπτες."],  # Greek
    ["북핵외교를 준비하고 있다.", "그 직후 회의가 열렸다."],  # a script without case
    ["東京で昨日、書籍展示会が開かれ、数千人の来場者が訪れた。",  # 。 and no space
     "主催者によると、参加者は昨年より多かった。"],
])
def test_sentences_end_in_every_script(tmp_path, sentences):
    # Only A-Z and À-Þ counted as a capital after a full stop, so a Russian, Greek,
    # Korean or Japanese paragraph (and a Polish sentence opening with "Ł") was one
    # segment, for detection and translation alike.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    gap = "" if sentences[0].endswith("。") else " "
    (corpus / "a.txt").write_text(PT + "\n" + gap.join(sentences) + "\n", encoding="utf-8")
    _run(corpus, out)
    segments = [json.loads(line) for line in (out / "segments.jsonl").open(encoding="utf-8")]
    assert [s["text"] for s in segments if s["block"] == 2] == sentences


def test_a_chinese_paragraph_is_not_a_title(tmp_path):
    # A paragraph of Chinese is one "word" to split(), and 。 did not count as a
    # sentence's end: every first paragraph was a title, and any later one a heading.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    zh = "北京昨天举办了图书展览会，数千名游客前来参观。组织者说，参加人数比去年多。"
    (corpus / "zh.txt").write_text(f"{zh}\n\n{zh[:-1]}！\n", encoding="utf-8")
    _run(corpus, out)
    kinds = {json.loads(line)["kind"] for line in (out / "segments.jsonl").open()}
    assert kinds == {"paragraph"}


def test_a_record_file_without_records_is_quarantined_and_costs_nothing(tmp_path):
    # An empty .jsonl, blank lines, a CSV header without rows: no document and no word
    # (an empty .txt is quarantined). A file truncated to nothing by a crash then took
    # its records for deleted.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "blank.jsonl").write_text("\n  \n", encoding="utf-8")
    (corpus / "header.csv").write_text("id,text\n", encoding="utf-8")
    (corpus / "d.jsonl").write_text(json.dumps({"id": 1, "text": PT}) + "\n")
    assert _run(corpus, out).report["ok"] == 1
    (corpus / "d.jsonl").write_bytes(b"")
    result = _run(corpus, out, prune=True)
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert set(reasons) == {"blank.jsonl", "header.csv", "d.jsonl"}
    assert all(reason.startswith("holds no record") for reason in reasons.values())
    assert result.exit_code == 3 and result.report["pruned"] == 0
    assert json.loads((out / "clean" / "d.jsonl").read_text())["text"] == PT.rstrip("\n")


def test_a_plain_jsonl_file_named_gz_says_to_rename_it(tmp_path):
    # It said "records after line 0 are lost; copy the file again".
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "d.jsonl.gz").write_text(json.dumps({"id": 1, "text": PT}) + "\n")
    reasons = [q["reason"] for q in _run(corpus, out).report["quarantined"]]
    assert len(reasons) == 1 and reasons[0].startswith("not a gzip file")
    assert "name it .jsonl" in reasons[0] and "line 0" not in reasons[0]


def test_a_chinese_sentence_standing_twice_is_not_an_interface_line(tmp_path):
    # A sentence ending in 。 is one "word" to split() and ended like no sentence, so
    # standing twice it was a share line: both copies were removed ("ui string:
    # repeated"); a Portuguese sentence standing twice stays.
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    zh = "北京昨天举办了图书展览会，数千名游客前来参观。"
    (corpus / "zh.txt").write_text(f"北京图书展\n\n{zh}\n\n组织者说，参加人数比去年多。\n\n{zh}\n",
                                   encoding="utf-8")
    _run(corpus, out)
    assert (out / "clean" / "zh.txt").read_text(encoding="utf-8").count(zh) == 2


def test_dry_run_reads_the_state_of_an_out_whose_path_holds_a_hash(tmp_path, capsys):
    # The state was opened as the URI "file:<path>?mode=ro": "#" cut the path, and the
    # plan said every document would be processed anew.
    corpus, out = tmp_path / "corpus", tmp_path / "out#1?"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    _run(corpus, out)
    capsys.readouterr()
    _run(corpus, out, dry_run=True)
    assert capsys.readouterr().out.splitlines() == ["unchanged: a.txt"]


def test_dry_run_works_on_an_out_another_user_cannot_write(tmp_path):
    # Opening the WAL state read-only writes its -shm index beside it: in a read-only
    # folder that failed, exit 74, although --dry-run writes nothing.
    import shutil
    import subprocess
    import sys

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    _run(corpus, out)
    drop = []
    if os.geteuid() == 0:  # root reads and writes anything: drop those capabilities
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot make OUT read-only")
        drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"]
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        done = subprocess.run(
            [*drop, sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
             "--dry-run", "--to", "en"],
            capture_output=True, text=True, cwd=Path(__file__).parents[1],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}, timeout=300)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 unchanged"


def test_an_empty_candidates_list_in_the_config_is_refused(tmp_path):
    # `pipeline detect --candidates ''` and `targets = []` are refused, but
    # `candidates = []` silently meant the default candidates.
    from pipeline.config import ConfigError, load_config

    path = tmp_path / "pipeline.toml"
    path.write_text("[detect]\ncandidates = []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"detect.candidates = \[\]: no candidate language"):
        load_config(path)


def test_form_feeds_and_vertical_tabs_are_line_breaks(tmp_path):
    # pdftotext (which the summary suggests for PDF files) starts each page with a form
    # feed: it stood in the clean copy between two sentences. A vertical tab was
    # removed, gluing the words on either side ("obras.Os").
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    first, second = PT.rstrip("\n").split(" Os ")
    (corpus / "pages.txt").write_text(f"{first}\n\fOs {second}\n\n{first}\vOs {second}\n",
                                      encoding="utf-8")
    _run(corpus, out)
    clean = (out / "clean" / "pages.txt").read_text(encoding="utf-8")
    assert "\f" not in clean and "\v" not in clean
    assert clean == f"{first}\n\nOs {second}\n\n{first} Os {second}\n"


def test_detect_typed_at_a_terminal_answers_each_line_at_once(capsys):
    # It waited, silent, for a batch of lines (or Ctrl-D) before answering any.
    import argparse
    import io

    from pipeline.detect_cli import run_detect

    class Typed(io.BytesIO):
        def isatty(self):
            return True

        def __iter__(self):  # the answer to a line comes before the next is typed
            for line in self.getvalue().splitlines(keepends=True):
                yield line
                answers.append(out.getvalue().count("\n"))

    answers: list[int] = []
    out = io.StringIO()
    args = argparse.Namespace(candidates="pt,de,en", scores=False)
    assert run_detect(args, Typed(b"Mehr zum Thema\nLeia mais\n"), out) == 0
    assert out.getvalue() == "de\npt\n" and answers == [1, 2]  # answered before the next
    assert "Ctrl-D" in capsys.readouterr().err


def test_a_transaction_that_sqlite_rolled_back_raises_its_own_error(tmp_path):
    # On a full disk SQLite rolls the transaction back itself; the ROLLBACK after it
    # failed, and "cannot rollback - no transaction is active" replaced "database or
    # disk is full" in the message of exit 74.
    from pipeline.state import StateStore

    store = StateStore(tmp_path / "state.sqlite")
    with pytest.raises(OSError, match="disk is full"):
        with store.transaction():
            store.set_meta("a", "b")
            store.db.execute("ROLLBACK")  # what SQLITE_FULL does
            raise OSError(errno.ENOSPC, "disk is full")
    with store.transaction():  # and the store is usable again
        store.set_meta("a", "c")
    assert store.get_meta("a") == "c"
    store.close()


def test_a_memory_transaction_that_sqlite_rolled_back_raises_its_own_error(tmp_path):
    # The translation memory's transactions had the same ROLLBACK after SQLite's own.
    import sqlite3

    from pipeline.memory import _transaction

    db = sqlite3.connect(tmp_path / "m.sqlite", isolation_level=None)
    db.execute("CREATE TABLE t (x)")
    with pytest.raises(OSError, match="disk is full"):
        with _transaction(db):
            db.execute("INSERT INTO t VALUES (1)")
            db.execute("ROLLBACK")  # what SQLITE_FULL does
            raise OSError(errno.ENOSPC, "disk is full")
    assert not db.in_transaction and db.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_a_json_line_longer_than_any_record_is_quarantined_unread(tmp_path):
    # A JSON array exported on one line, or a gzip file that unpacks to gigabytes with
    # no newline, was read into memory whole (a 60 MB line took 425 MB).
    from pipeline.readers.records import RecordsReader

    reader = RecordsReader(max_bytes=1000)
    limit = 6 * 1000 + 2**20  # a text of max_file_bytes characters, each \uXXXX, + 1 MiB
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    array = json.dumps([{"id": n, "text": PT} for n in range(limit // len(PT) + 10)])
    assert len(array) > limit
    (corpus / "d.jsonl").write_text(array + "\n" + json.dumps({"id": 7, "text": PT}) + "\n")
    rows = list(reader.rows("d.jsonl", corpus / "d.jsonl"))
    assert [(row.number, row.fields is None) for row in rows] == [(1, True), (2, False)]
    assert rows[0].problem.startswith(f"line 1 is longer than {limit:,} bytes")
    result = run(corpus, out, Config(targets=["en"], max_file_bytes=1000),
                 RunOptions(no_cache=True), engine=TaggingEngine())
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert list(reasons) == ["d.jsonl#line-1"] and result.report["ok"] == 1


def test_run_help_names_every_suffix_a_reader_takes(capsys):
    # .ndjson and .htm.gz were read but not named in `pipeline run --help`.
    from pipeline.cli import main
    from pipeline.factory import READERS

    with pytest.raises(SystemExit):
        main(["run", "--help"])
    words = set(capsys.readouterr().out.replace(";", " ").replace(",", " ").split())
    suffixes = {suffix for reader in READERS.values() for suffix in reader.suffixes}
    assert suffixes - words == set()


def test_dry_run_counts_every_quarantine_and_keeps_stdout_clean_in_json(tmp_path, capsys):
    # Files quarantined when found (a FIFO, a link out of the corpus) were listed but
    # left out of the plan's count; those found when read were printed on stdout even
    # with --log-format json, where nothing goes to stdout.
    from pipeline.cli import main

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    os.mkfifo(corpus / "fifo.txt")
    (corpus / "huge.txt").write_text(PT * 20, encoding="utf-8")
    (corpus / "blank.jsonl").write_text("\n", encoding="utf-8")  # quarantined when read
    config = tmp_path / "p.toml"
    config.write_text("max_file_bytes = 1000\n", encoding="utf-8")
    base = ["run", str(corpus), "--out", str(out), "--to", "en", "--dry-run",
            "--config", str(config)]
    assert main(base) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 to process, 3 to quarantine"
    assert main([*base, "--log-format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    plan = [json.loads(line) for line in captured.err.splitlines()]
    assert sorted(e["doc"] for e in plan if e.get("action") == "quarantine") == [
        "blank.jsonl", "fifo.txt", "huge.txt"]


def test_pipeline_version_prints_the_version(capsys):
    # `pipeline --version` was "unrecognized arguments", exit 2.
    from pipeline import __version__
    from pipeline.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"pipeline {__version__}\n"


def test_an_out_the_disk_refuses_to_create_is_exit_74_like_a_read_only_one(
        tmp_path, monkeypatch):
    # A read-only OUT exits 74, but an OUT that could not be created for the same reason
    # (permission denied, a read-only mount) exited 2, as a usage error.
    from pipeline.runner import OutputError

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PT, encoding="utf-8")
    mkdir = Path.mkdir

    def refused(self, *args, **kwargs):
        if "out" in self.parts:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refused)
    with pytest.raises(OutputError, match="cannot create output directory .*Permission denied"):
        _run(corpus, tmp_path / "out")
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(UsageError, match="cannot create output directory"):
        _run(corpus, tmp_path / "file" / "out")
