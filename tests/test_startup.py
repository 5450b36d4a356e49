"""Start-up and the unchanged rerun: what is imported, read and written when nothing changed."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline.runner as runner
from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
# What a rerun with nothing to process, and `pipeline --help`, must not import: the
# stages (and ftfy, the word lists, lingua under them), the translation stack. (The
# detect stage's module is imported for the candidates, which are in the fingerprint,
# but it imports none of these.)
STAGES = {"pipeline.shard", "pipeline.stages.boilerplate", "pipeline.stages.normalize",
          "pipeline.stages.repair"}
HEAVY = {"ftfy", "wordfreq", "lingua", "argostranslate", "ctranslate2", "sentencepiece",
         "torch", "stanza"}


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def _run(corpus: Path, out: Path, *extra: str) -> dict:
    main(["run", str(corpus), "--out", str(out), *extra])
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _modules_after(code: str) -> set[str]:
    """Every module a fresh interpreter holds after running ``code``."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print('MODULES', *sys.modules)"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


def _top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_imports_no_stage():
    code = "from pipeline.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    loaded = _modules_after(code)
    assert loaded & (STAGES | {"pipeline.stages.detect"}) == set()
    assert _top(loaded) & HEAVY == set()


def test_unchanged_rerun_imports_no_stage_nor_lingua(corpus_copy, tmp_path):
    code = "from pipeline.cli import main\nmain(['run', {!r}, '--out', {!r}])"
    first = _modules_after(code.format(str(corpus_copy), str(tmp_path / "out")))
    assert STAGES <= first and "lingua" in _top(first)  # the first run processes the corpus
    again = _modules_after(code.format(str(corpus_copy), str(tmp_path / "out")))
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert (report["processed"], report["unchanged"]) == (0, 5)
    assert again & STAGES == set() and _top(again) & HEAVY == set()


def test_unchanged_rerun_reports_what_the_first_run_reported(corpus_copy, tmp_path):
    """The rerun's report states the candidates the first run's stages were built
    with (stored with the fingerprint), and the same totals."""
    first = _run(corpus_copy, tmp_path / "out")
    again = _run(corpus_copy, tmp_path / "out")
    assert again["processed"] == 0
    for key in ("config", "languages", "fixes_by_kind", "segments", "missing_models", "ok"):
        assert again[key] == first[key], key
    for key in ("pairs", "copied", "flags"):  # the rest counts what the run itself did
        assert again["translation"][key] == first["translation"][key], key


def _count_reads(monkeypatch) -> list[int]:
    """Sizes of the files read from now on, one per read."""
    reads: list[int] = []
    read = runner._read_at_most

    def counted(handle, limit):
        data = read(handle, limit)
        reads.append(len(data))
        return data

    monkeypatch.setattr(runner, "_read_at_most", counted)
    return reads


def _mtimes(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in out.rglob("*") if p.is_file() and ".pipeline" not in p.parts
            and not p.relative_to(out).as_posix().startswith("report")}


def test_unchanged_rerun_reads_no_file_and_writes_no_output(corpus_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "STAT_TRUST_NS", 0)  # files just written may be trusted
    out = tmp_path / "out"
    _run(corpus_copy, out)
    before = _mtimes(out)
    reads = _count_reads(monkeypatch)
    report = _run(corpus_copy, out)
    assert (report["processed"], report["unchanged"], reads) == (0, 5, [])
    assert _mtimes(out) == before


def test_touched_file_is_hashed_once_then_trusted(corpus_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "STAT_TRUST_NS", 0)
    out = tmp_path / "out"
    _run(corpus_copy, out)
    path = corpus_copy / "en" / "library-reopens.txt"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    reads = _count_reads(monkeypatch)
    assert _run(corpus_copy, out)["processed"] == 0
    assert reads == [path.stat().st_size]  # that file alone; the same bytes: not processed
    reads.clear()
    assert _run(corpus_copy, out)["processed"] == 0
    assert reads == []  # its new stat was recorded with the same hash


def test_content_changed_with_its_mtime_restored_is_processed(corpus_copy, tmp_path,
                                                                 monkeypatch):
    """Same size, modification time set back: the change time (which no program can
    set back) still tells the file was rewritten."""
    monkeypatch.setattr(runner, "STAT_TRUST_NS", 0)
    out = tmp_path / "out"
    _run(corpus_copy, out)
    path = corpus_copy / "en" / "library-reopens.txt"
    old = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace("library", "LIBRARY", 1)
    assert changed != text and len(changed.encode()) == old.st_size
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (old.st_size, old.st_mtime_ns)
    report = _run(corpus_copy, out)
    assert (report["processed"], report["unchanged"]) == (1, 4)
    assert "LIBRARY" in (out / "clean" / "en" / "library-reopens.txt").read_text()


def test_recently_changed_files_are_hashed_again(corpus_copy, tmp_path, monkeypatch):
    """A file changed less than STAT_TRUST_NS before it was read may change again
    within the same tick of the file system's clock: its stat is not recorded."""
    monkeypatch.setattr(runner, "STAT_TRUST_NS", 10**18)  # every file is "recent"
    out = tmp_path / "out"
    _run(corpus_copy, out)
    with sqlite3.connect(out / ".pipeline" / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM file_stats").fetchone() == (0,)
    reads = _count_reads(monkeypatch)
    assert _run(corpus_copy, out)["processed"] == 0
    assert len(reads) == 5


def test_new_file_after_an_unchanged_run_gets_the_stages(corpus_copy, tmp_path, data_files):
    """Stages deferred by a rerun are built when a document turns up: the outputs are
    those of a run from scratch."""
    out = tmp_path / "out"
    extra = corpus_copy.parent / "extra.txt"
    extra.write_text("A Coreia do Norte lançou um míssil de curto alcance.\n", encoding="utf-8")
    _run(corpus_copy, out)
    (corpus_copy / "en" / "new.txt").write_bytes(extra.read_bytes())
    report = _run(corpus_copy, out)
    assert (report["processed"], report["unchanged"]) == (1, 5)
    _run(corpus_copy, tmp_path / "fresh")
    assert data_files(out) == data_files(tmp_path / "fresh")


def test_detect_of_a_line_its_words_settle_imports_no_cleanup_stage_nor_the_factory():
    # `pipeline detect` reads the label lexicon (boilerplate) and the candidates
    # (config): neither imports repair, normalize and ftfy, nor the run's factory.
    code = ("import io, sys\nsys.stdin = io.TextIOWrapper(io.BytesIO(b'Mehr zum Thema\\n'))\n"
            "from pipeline.cli import main\nmain(['detect'])")
    _modules_after(code)  # builds the word-list cache if missing (wordfreq, ftfy)
    loaded = _modules_after(code)
    assert {"pipeline.stages.detect", "pipeline.stages.boilerplate"} <= loaded
    assert loaded & {"pipeline.factory", "pipeline.shard", "pipeline.stages.repair",
                     "pipeline.stages.normalize"} == set()
    assert _top(loaded) & (HEAVY - {"lingua"}) == set()


def test_boilerplate_candidates_are_repairs():
    # boilerplate names them without importing repair (see its lazy import)
    from pipeline.stages import boilerplate, repair

    assert boilerplate.CANDIDATE_LANGUAGES == repair.CANDIDATE_LANGUAGES


def test_the_fork_server_loads_lingua_on_every_core_then_scores_one_text_at_a_time(
        monkeypatch):
    # The fork server (pipeline.executors.preload) loads the candidates' models and
    # the open-set check's low-accuracy ones on lingua's thread pool; then it scores
    # its sample texts one at a time, as the workers forked from it will.
    import importlib

    from pipeline.config import DEFAULT_CANDIDATES
    from pipeline.stages import detect

    loaded = []
    monkeypatch.setattr(detect, "_load_on_every_core", lambda langs, low_accuracy, one_arena=False:
                        loaded.append((list(langs), low_accuracy)))
    monkeypatch.setattr(detect, "_loaded", set())
    monkeypatch.setattr(detect, "_to_load", {})
    monkeypatch.setattr(detect, "_in_forked_child", False)
    detect._lingua_detector.cache_clear()
    try:
        preload = importlib.import_module("pipeline.executors.preload")
        loaded.clear()  # in case the import ran it
        monkeypatch.setattr(detect, "_loaded", set())
        monkeypatch.setattr(detect, "_to_load", {})
        monkeypatch.setattr(detect, "_in_forked_child", False)
        detect._lingua_detector.cache_clear()
        preload.preload()
        assert detect._in_forked_child is True
    finally:
        detect._lingua_detector.cache_clear()
    candidates = detect.LanguageScorer(DEFAULT_CANDIDATES).candidates
    assert loaded == [(list(candidates), False),
                      (sorted(detect.SCRIPT_LANGUAGES["Latin"]), True)]


def test_the_fork_server_sets_malloc_to_keep_then_give_back_what_lingua_frees(monkeypatch):
    # While lingua loads the candidates' models, glibc's malloc keeps what lingua frees
    # (large buffers from the heap, a large top pad); the low-accuracy models load with
    # the top pad and trim threshold back at glibc's defaults, so the kept tops go back;
    # the workers then run with set thresholds (see pipeline.executors.preload).
    import importlib

    from pipeline.stages import detect

    preload = importlib.import_module("pipeline.executors.preload")
    state: dict[int, int] = {}

    class FakeLibc:
        def mallopt(self, parameter, value):
            state[parameter] = value
            return 1

    seen = []
    monkeypatch.setattr(detect, "_libc", lambda: FakeLibc())
    monkeypatch.setattr(detect, "_load_on_every_core", lambda langs, low_accuracy, one_arena=False:
                        seen.append((low_accuracy, dict(state))))
    monkeypatch.setattr(detect, "_loaded", set())
    monkeypatch.setattr(detect, "_to_load", {})
    monkeypatch.setattr(detect, "_in_forked_child", False)
    detect._lingua_detector.cache_clear()
    try:
        preload.preload()
    finally:
        detect._lingua_detector.cache_clear()
    mmap, pad, trim = preload.M_MMAP_THRESHOLD, preload.M_TOP_PAD, preload.M_TRIM_THRESHOLD
    assert (mmap, pad, trim) == (-3, -2, -1)  # malloc.h
    assert seen == [(False, {mmap: 32 << 20, pad: 64 << 20}),
                    (True, {mmap: 32 << 20, pad: 128 << 10, trim: 128 << 10})]
    assert state == {mmap: 32 << 20, pad: 128 << 10, trim: 64 << 20}


def test_the_stages_import_charset_normalizer_only_for_a_file_that_is_not_utf8():
    # Most corpora are UTF-8: neither the fork server nor a run imports the legacy
    # encodings' guesser before a file needs it.
    code = ("import sys, pipeline.shard\nfrom pipeline.stages.read import decode_bytes\n"
            "decode_bytes('Coréia'.encode('utf-8'))\n"
            "assert 'charset_normalizer' not in sys.modules\n"
            "print(decode_bytes('Coréia do Norte, tensões, ação'.encode('cp1252')))")
    assert "charset_normalizer" in _top(_modules_after(code))
