"""Found by trying the product as a stranger (session 15): links that lead nowhere, a
HOME that cannot be written, and other things a newsroom's corpus or cron job holds."""

import json
import warnings
from pathlib import Path

import pytest

from tests.test_stranger3 import TEXT, _no_models, _report, _run  # noqa: F401 - the fixture


def test_a_loop_of_links_costs_only_itself(tmp_path, capsys):
    """Two links named like text files pointing at each other stopped the whole run
    with 'internal error: RuntimeError: Symlink loop' (exit 70), before any document."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "l1.txt").symlink_to("l2.txt")
    (corpus / "l2.txt").symlink_to("l1.txt")
    (corpus / "self.md").symlink_to("self.md")
    assert _run(corpus, out) == 3
    report = _report(out)
    assert report["ok"] == 1 and (out / "clean" / "a.txt").is_file()
    reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == {"l1.txt", "l2.txt", "self.md"}
    assert all(r.startswith("symbolic link loop") for r in reasons.values()), reasons
    assert "internal error" not in capsys.readouterr().err
    assert _run(corpus, out, "--dry-run") == 0


def test_a_link_to_a_missing_file_says_so(tmp_path):
    """A link whose target was deleted was quarantined as 'not a regular file', which
    sent the user looking for a device or a FIFO."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "b.txt").symlink_to("gone.txt")
    assert _run(corpus, out) == 3
    reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
    gone = corpus.resolve() / "gone.txt"
    assert reasons == {"b.txt": f"broken symbolic link: its target {gone} does not exist"}


def test_argostranslates_stand_in_home_does_not_take_the_word_list_cache(
    tmp_path, monkeypatch, recwarn
):
    """Where HOME cannot be written (cron, systemd), argostranslate's folders go to a
    temporary folder through XDG_CACHE_HOME, and the word-list cache followed them
    there: every run rebuilt the lists (8.4 s of CPU against 2.4 on the sample corpus,
    552 MB against 298 MB at peak), left them in /tmp when killed, and never said so,
    although the README promises a warning where the cache cannot be written."""
    from pipeline import wordfreq_store
    from pipeline.engines import argos

    home = tmp_path / "home-is-a-file"  # unwritable even for root
    home.write_text("")
    monkeypatch.setenv("HOME", str(home))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                     wordfreq_store.USER_CACHE_ENV):
        monkeypatch.setenv(variable, "")  # restored after the test
        monkeypatch.delenv(variable)
    monkeypatch.setattr(argos, "_STAND_IN_HOME", [])
    argos.argostranslate_folders()
    stand_in = argos._STAND_IN_HOME[0]
    assert Path(argos.os.environ["XDG_CACHE_HOME"]).is_relative_to(stand_in)  # argos's
    assert wordfreq_store.cache_root() == home / ".cache" / "newsclean-pipeline"
    with pytest.warns(wordfreq_store.WordfreqCacheWarning, match="built in memory") as shown:
        wordfreq_store._load("nl", "best")
    assert "XDG_CACHE_HOME" in str(shown[0].message)
    # Said once a process, not once per language: a run loads 27 of them (54 lines).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wordfreq_store._load("it", "best")
    assert not [w for w in caught if w.category is wordfreq_store.WordfreqCacheWarning]


def test_a_users_own_cache_folder_stays_the_word_lists_when_argos_needs_a_stand_in(
    tmp_path, monkeypatch
):
    from pipeline import wordfreq_store
    from pipeline.engines import argos

    home = tmp_path / "home-is-a-file"
    home.write_text("")
    monkeypatch.setenv("HOME", str(home))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", wordfreq_store.USER_CACHE_ENV):
        monkeypatch.setenv(variable, "")
        monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "sub"))  # not writable either
    monkeypatch.setattr(argos, "_STAND_IN_HOME", [])
    argos.argostranslate_folders()
    assert wordfreq_store.cache_root() == home / "sub" / "newsclean-pipeline"


def test_a_config_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad saves UTF-8 with a byte-order mark: 'not valid TOML: Invalid statement (at
    line 1, column 1)', and the run refused, for a file that reads right in any editor."""
    from pipeline.config import ConfigError, load_config

    path = tmp_path / "pipeline.toml"
    path.write_bytes(b'\xef\xbb\xbftargets = ["de"]\n')
    assert load_config(path).targets == ["de"]
    path.write_bytes('targets = ["de"]\n'.encode("utf-16"))  # PowerShell 5's `>`
    with pytest.raises(ConfigError, match=r"pipeline.toml is saved as UTF-16; save it as UTF-8"):
        load_config(path)


def test_a_file_named_like_a_record_of_a_record_file_beside_it_costs_only_itself(tmp_path):
    """'x.jsonl#1.txt' beside x.jsonl, whose record '1.txt' is the document
    'x.jsonl#1.txt' too: every run stopped with 'internal error: KeyError' (exit 70)."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "x.jsonl").write_text(json.dumps({"id": "1.txt", "text": TEXT}) + "\n")
    (corpus / "x.jsonl#1.txt").write_text("The library opens again on Monday morning.\n")
    (corpus / "x.jsonl#notes").mkdir()
    (corpus / "x.jsonl#notes" / "a.md").write_text(TEXT)
    (corpus / "y.txt").write_text(TEXT)
    for _ in range(2):
        assert _run(corpus, out) == 3
        report = _report(out)
        reasons = {q["doc"]: q["reason"] for q in report["quarantined"]}
        assert set(reasons) == {"x.jsonl#1.txt", "x.jsonl#notes/a.md"}
        assert reasons["x.jsonl#1.txt"] == (
            "its name reads as a record of x.jsonl (x.jsonl#<id>); rename it")
        assert report["ok"] == 2
    records = (out / "clean" / "x.jsonl").read_text().splitlines()
    assert [json.loads(line)["text"] for line in records] == [TEXT.strip()]
    assert not (out / "clean" / "x.jsonl#1.txt").exists()


def test_a_record_id_that_is_the_name_of_another_records_quarantine_costs_only_itself(
    tmp_path
):
    """A quarantined record is named '<file>#line-N' (or '<file>#<id>@line-N' for a
    duplicate id); a record whose own id is such a name ('line-4', '1@line-2') made two
    documents of one name, and every run stopped with 'internal error: KeyError'."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    lines = [
        json.dumps({"id": "line-3", "text": "The first record, named like line 3."}),
        json.dumps({"id": 1, "text": TEXT}),
        "not json",
        json.dumps({"id": 1, "text": "A duplicate of record 1."}),
        json.dumps({"id": "1@line-4", "text": "A record named like the duplicate."}),
        json.dumps({"id": "line-3@line-3", "text": "And one named like both."}),
    ]
    (corpus / "x.jsonl").write_text("\n".join(lines) + "\n")
    assert _run(corpus, out) == 3
    docs = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    status = {doc["doc"]: doc["status"] for doc in docs}
    assert status == {
        "x.jsonl#line-3": "ok",  # the record's own id, first come
        "x.jsonl#1": "ok",
        "x.jsonl#line-3@line-3": "quarantined",  # the line that is no JSON
        "x.jsonl#1@line-4": "quarantined",  # the duplicate id
        "x.jsonl#1@line-4@line-5": "quarantined",  # id '1@line-4', already a name
        "x.jsonl#line-3@line-3@line-6": "quarantined",
    }
    reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
    assert reasons["x.jsonl#1@line-4@line-5"].startswith(
        "duplicate id '1@line-4' in field 'id' (line 5; first on line 4)")
    assert _run(corpus, out) == 3 and _report(out)["processed"] == 0


def test_a_line_without_words_is_copied_not_sent_to_the_model(tmp_path, monkeypatch):
    """Inside a document a segment without words ("* * *", "2024", "12:30", a link
    alone) takes the document's language, so it went to the model, which can only
    garble it (the comment said such a text is copied; only one read on its own, 'und',
    was)."""
    from pipeline.testing.argos_package import build_package, install_package

    packages = tmp_path / "packages"
    install_package(build_package(tmp_path / "built", "pt", "en", seed=1), packages)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    bare = ["* * *", "2024", "12:30", "https://example.org/noticia", "---"]
    (corpus / "a.txt").write_text(
        "As chuvas que atingiram a cidade deixaram vários bairros alagados.\n\n"
        + "\n\n".join(bare) + "\n\nO porto interrompeu as operações por duas horas.\n")
    assert _run(corpus, out, "--to", "en") == 0
    segments = [json.loads(s) for s in (out / "segments.jsonl").read_text().splitlines()]
    by_text = {s["text"]: s for s in segments}
    for text in bare:
        assert by_text[text]["en"] == text and by_text[text]["flags"] == {}, by_text[text]
    assert sum(s["en"] == s["text"] for s in segments) == len(bare)  # the others: the model
    report = _report(out)
    assert report["translation"]["copied"] == {"en": len(bare)}
    assert report["translation"]["pairs"]["pt-en"]["segments"] == 2


def test_a_copied_line_without_words_is_no_parallel_data(tmp_path, monkeypatch):
    """Once copied, a link alone in a German document (no de-en model) made a parallel
    corpus de-en of the link and itself, beside a missing de-en model."""
    from pipeline.testing.argos_package import build_package, install_package

    packages = tmp_path / "packages"
    install_package(build_package(tmp_path / "built", "pt", "en", seed=1), packages)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "As chuvas que atingiram a cidade deixaram vários bairros alagados.\n\n* * *\n")
    (corpus / "b.txt").write_text(
        "Die Regierung hat neue Maßnahmen angekündigt.\n\nhttps://example.org/x\n")
    assert _run(corpus, out, "--to", "en") == 3  # de-en is missing
    assert sorted(p.name for p in (out / "parallel").iterdir()) == ["pt-en"]
    assert len((out / "parallel" / "pt-en" / "corpus.pt").read_text().splitlines()) == 1
    assert _report(out)["parallel_segments"] == {"pt-en": 1}


def test_a_gzip_file_cut_short_while_copied_in_loses_no_record_to_prune(tmp_path):
    """A .jsonl.gz caught half-copied by a cron run with --prune: the records after the
    cut, unknown, were taken for deleted and pruned (28 of 40 in the trial), so their
    rows left documents.jsonl and the next run processed them all again."""
    import gzip
    import random

    rng = random.Random(5)
    words = ["river", "bridge", "council", "harbour", "school", "market", "storm", "road"]
    lines = [json.dumps({"id": i, "text": " ".join(rng.choices(words, k=12)).capitalize()
                         + f", said report number {i}."}) for i in range(40)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "r.jsonl.gz").write_bytes(whole)
    assert _run(corpus, out) == 0
    (corpus / "r.jsonl.gz").write_bytes(whole[: len(whole) // 2])  # being copied in
    assert _run(corpus, out, "--prune") == 3
    report = _report(out)
    cut = [q for q in report["quarantined"] if "truncated gzip file" in q["reason"]]
    assert len(cut) == 1 and report["pruned"] == 0 and report["pruned_sources"] == []
    stored = (out / "documents.jsonl").read_text().splitlines()
    assert sum(json.loads(line)["status"] == "ok" for line in stored) == 40
    (corpus / "r.jsonl.gz").write_bytes(whole)  # the copy ends
    assert _run(corpus, out, "--prune") == 0
    report = _report(out)
    assert report["processed"] == 0 and report["unchanged"] == 40 and report["pruned"] == 1


def test_macos_metadata_and_version_control_folders_are_not_documents(tmp_path, capsys):
    """A corpus copied from a Mac to a shared drive holds a '._name' file beside each
    file (AppleDouble): each was quarantined as binary, so every run ended with exit 3.
    A corpus kept in git had every file of .git listed as skipped, hooks by suffix,
    and walked on every run."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    (corpus / ".git" / "objects" / "ab").mkdir(parents=True)
    (corpus / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (corpus / ".git" / "objects" / "ab" / "cdef").write_bytes(b"x\x9c\x00")
    (corpus / ".git" / "notes.txt").write_text(TEXT)  # never read, whatever its suffix
    (corpus / "sub" / ".svn").mkdir(parents=True)
    (corpus / "sub" / "b.txt").write_text(TEXT)
    (corpus / "a.txt").write_text(TEXT)
    (corpus / "._a.txt").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    (corpus / "._notes.txt").write_text(TEXT)  # a document that only looks like one: read
    assert _run(corpus, out) == 0
    report = _report(out)
    assert report["quarantined"] == [] and report["ok"] == 3
    assert sorted(s["path"] for s in report["skipped"]) == sorted([".git", "._a.txt", "sub/.svn"])
    assert {k: v["files"] for k, v in report["skipped_by_suffix"].items()} == {
        "(version control)": 2, "(macOS metadata)": 1}
    said = capsys.readouterr().out
    assert "skipped 2 version control folders: " in said
    assert "skipped 1 (macOS metadata) file: " in said


def test_a_page_of_frames_says_where_its_text_is(tmp_path):
    """A frameset page was quarantined as having 'no visible text outside scripts',
    though it holds no script: its text is in the pages it frames."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "index.html").write_text(
        "<html><frameset cols='20%,80%'><frame src='menu.html'>"
        "<frame src='story-1.html'></frameset></html>")
    assert _run(corpus, out) == 3
    reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
    assert reasons == {"index.html": (
        "no article text found in the page (a page of frames: its text is in the pages it "
        "frames (menu.html, story-1.html); put those in the corpus)")}


def test_a_worker_says_the_word_list_cache_is_unusable_in_the_runs_json_log(
    tmp_path, monkeypatch, capsys
):
    """A worker of a JSON run (no run log of its own, PIPELINE_LOG_FORMAT=json) printed
    the warning as Python does, two lines that are no JSON, on the run's stderr."""
    from pipeline import wordfreq_store

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setenv(wordfreq_store.USER_CACHE_ENV, str(blocker))
    monkeypatch.setenv("PIPELINE_LOG_FORMAT", "json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Python warning at all
        wordfreq_store._load("nl", "best")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["event"] == "wordfreq_cache" and "built in memory" in event["message"]


def test_a_records_id_that_is_the_name_of_the_cut_costs_nothing(tmp_path):
    """The quarantine that stands for the records lost in a truncated .gz is named
    '<file>#line-N'; a record with that id made two documents of one name (exit 70)."""
    import gzip

    lines = [json.dumps({"id": "line-4", "text": TEXT})] + [
        json.dumps({"id": i, "text": f"Report number {i} on the harbour and the river."})
        for i in range(1, 200)]
    import io

    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed:
        for number, line in enumerate(lines, start=1):
            packed.write(line.encode() + b"\n")
            packed.flush()  # every line decodable on its own
            if number == 3:
                three = buffer.tell()
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "r.jsonl.gz").write_bytes(buffer.getvalue()[: three + 4])  # cut in line 4
    assert _run(corpus, out) == 3
    reasons = {q["doc"]: q["reason"] for q in _report(out)["quarantined"]}
    (cut,) = reasons  # the record 'line-4' keeps its name
    assert cut == "r.jsonl.gz#line-4@line-4" and "after line 3 are lost" in reasons[cut]
