"""The compact word-list store: same values as wordfreq, built once, rebuilt when bad.

Every test works in its own cache directory (``XDG_CACHE_HOME`` under ``tmp_path``),
except those marked as using the session's cache, which conftest points at a
throw-away folder: a list built there is reused by the rest of the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import wordfreq
from filelock import FileLock

from pipeline import wordfreq_store as store
from pipeline.wordfreq_store import WordfreqCacheWarning, WordList

ROOT = Path(__file__).resolve().parents[1]
# The smallest list: Turkish has only wordfreq's "small" list (63k words).
SMALL = "tr"


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch):
    """Each test opens its lists itself, in the default (mapped) mode."""
    monkeypatch.delenv(store.ENV_MODE, raising=False)
    store.forget()
    yield
    store.forget()


@pytest.fixture
def own_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_every_value_and_the_order_equal_wordfreqs_dict():
    table = store.word_list("pt")
    expected = wordfreq.get_frequency_dict("pt")
    assert isinstance(table, WordList)
    assert len(table) == len(expected)
    assert list(table) == list(expected)
    assert all(table[word] == freq for word, freq in expected.items())
    assert "xq-not-a-word" not in table and table.get("xq-not-a-word") is None
    assert "\ud800" not in table  # a lone surrogate is a key no list has, as in a dict
    with pytest.raises(KeyError):
        table["xq-not-a-word"]


def test_a_word_longer_than_any_record_is_absent_not_an_error():
    """A 1 MB line without spaces is one word: its 2-byte length field overflowed."""
    table = store.word_list(SMALL)
    for word in ("a" * 0xFFFF, "a" * 0x10000, "a" * 1_000_000):
        assert word not in table and table.get(word, 0.5) == 0.5


WORDS = ["Cooperação", "coreia", "Nordkorea", "zusammen-arbeit", "l'école", "it’s", "2024",
         "1,5", "3rd", "abc123", "tensőes", "São Paulo", "e-mail", "", "  ", "!!",
         "STRASSE", "Straße", "\ud800x", "Iğdır"]


@pytest.mark.parametrize("lang", ["pt", "de", SMALL])
def test_zipf_frequency_and_top_n_list_equal_wordfreqs(lang):
    sample = [*WORDS, *wordfreq.top_n_list(lang, 2000)[::7]]
    assert [store.zipf_frequency(w, lang) for w in sample] == [
        wordfreq.zipf_frequency(w, lang) for w in sample
    ]
    assert store.top_n_list(lang, 300) == wordfreq.top_n_list(lang, 300)
    assert store.top_n_list(lang, 50, ascii_only=True) == wordfreq.top_n_list(
        lang, 50, ascii_only=True)


def test_available_languages_equal_wordfreqs():
    for wordlist in ("best", "large", "small"):
        assert store.available_languages(wordlist) == wordfreq.available_languages(wordlist)


def test_a_list_is_built_once_into_the_cache_then_mapped(own_cache, monkeypatch):
    table = store.word_list(SMALL)
    path = store.cache_path(SMALL)
    assert path.is_file() and path.is_relative_to(own_cache / "newsclean-pipeline")
    assert path.parent.name == f"wordfreq-{store.wordfreq_version()}"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    store.forget()

    def no_build(*args):
        raise AssertionError("rebuilt a valid cache file")

    monkeypatch.setattr(store, "build_bytes", no_build)
    again = store.word_list(SMALL)
    assert again is not table and dict(again) == dict(table)


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    """A valid file of another language under this one's name."""
    path.write_bytes(store.build_bytes("pt"))


def _old_wordfreq(path: Path) -> None:
    """A well-formed file built for another wordfreq version (checksum right)."""
    data = store.build_bytes(SMALL)
    length = store._PREFIX.unpack_from(data)[1]
    start = store._PREFIX.size
    header = json.loads(data[start : start + length])
    header["wordfreq"] = "0.0.1"
    text = json.dumps(header, sort_keys=True).encode().ljust(length)
    body = text + data[start + length :]
    path.write_bytes(store._PREFIX.pack(store.MAGIC, length, store.zlib.crc32(body)) + body)


DAMAGES = {
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "one byte changed": _flip_byte,
    "other format": lambda p: p.write_bytes(b"NCWFREQ\x00" + p.read_bytes()[8:]),
    "not ours": lambda p: p.write_text("hello"),
    "another language": _foreign,
    "another wordfreq version": _old_wordfreq,
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_corrupt_or_foreign_cache_file_is_rebuilt(own_cache, damage, recwarn):
    expected = dict(store.word_list(SMALL))
    path = store.cache_path(SMALL)
    DAMAGES[damage](path)
    with pytest.raises(store.CacheInvalid):
        store._map(path, store._expected(SMALL, "best"))
    store.forget()
    assert dict(store.word_list(SMALL)) == expected
    assert isinstance(store._map(path, store._expected(SMALL, "best")), WordList)
    assert not [w for w in recwarn if issubclass(w.category, WordfreqCacheWarning)]


def test_an_unwritable_cache_falls_back_to_memory_with_a_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # mkdir under a file fails
    with pytest.warns(WordfreqCacheWarning, match="built in memory"):
        table = store.word_list(SMALL)
    assert dict(table) == wordfreq.get_frequency_dict(SMALL)
    assert not (blocker.parent / "newsclean-pipeline").exists()


def test_a_mapping_refused_for_want_of_memory_is_out_of_memory_not_a_cache_problem(
        own_cache, monkeypatch, recwarn):
    # Under a memory limit (ulimit -v) mmap fails with ENOMEM: the list was built again in
    # memory with a warning to set XDG_CACHE_HOME elsewhere, which no folder cures.
    import errno

    store.word_list(SMALL)  # built into the cache
    store.forget()

    def refused(path, expected):
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(store, "_map", refused)
    with pytest.raises(MemoryError, match="Cannot allocate memory"):
        store.word_list(SMALL)
    assert not [w for w in recwarn if issubclass(w.category, WordfreqCacheWarning)]


def test_no_home_directory_falls_back_to_memory_with_a_warning(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    with pytest.warns(WordfreqCacheWarning, match="no cache directory"):
        table = store.word_list(SMALL)
    assert table["bir"] == wordfreq.get_frequency_dict(SMALL)["bir"]


def test_a_process_waits_for_the_builder_holding_the_lock(own_cache, monkeypatch):
    path = store.cache_path(SMALL)
    path.parent.mkdir(parents=True)
    built = []
    real_build = store.build_bytes
    monkeypatch.setattr(store, "build_bytes", lambda *a: built.append(a) or real_build(*a))
    results = []
    with FileLock(str(path) + ".lock"):
        waiter = threading.Thread(target=lambda: results.append(store._load(SMALL, "best")))
        waiter.start()
        path.write_bytes(real_build(SMALL))  # what the lock holder builds
    waiter.join()
    assert built == [] and dict(results[0]) == dict(store._map(path, store._expected(SMALL,
                                                                                      "best")))


def test_a_lock_held_too_long_falls_back_to_memory(own_cache, monkeypatch):
    path = store.cache_path(SMALL)
    path.parent.mkdir(parents=True)
    monkeypatch.setattr(store, "LOCK_TIMEOUT_S", 0.01)
    with FileLock(str(path) + ".lock"), pytest.warns(WordfreqCacheWarning):
        table = store._load(SMALL, "best")
    assert not path.exists() and table["bir"] == wordfreq.get_frequency_dict(SMALL)["bir"]


def test_dict_mode_uses_wordfreqs_own_dicts(monkeypatch):
    monkeypatch.setenv(store.ENV_MODE, "dict")
    assert store.word_list("pt") is wordfreq.get_frequency_dict("pt", "best")
    monkeypatch.setenv(store.ENV_MODE, "dicts")
    with pytest.warns(WordfreqCacheWarning, match="not mmap or dict"):
        assert isinstance(store.word_list(SMALL), WordList)


def _modules_after(code: str, stdin: str = "", env: dict[str, str] | None = None) -> set[str]:
    """The top-level modules a fresh interpreter holds after running ``code``."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print('MODULES', *sys.modules)"],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=600, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES "))
    return {name.split(".")[0] for name in line.split()[1:]}


HEAVY = {"wordfreq", "lingua", "argostranslate", "ctranslate2", "sentencepiece", "torch",
         "stanza", "spacy", "langcodes", "regex"}


def test_pipeline_help_imports_nothing_heavy():
    code = ("from pipeline.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert _modules_after(code) & HEAVY == set()


def test_detecting_one_line_imports_neither_wordfreq_nor_translation():
    code = "from pipeline.cli import main\nmain(['detect'])"
    line = "A Coreia do Norte lançou um míssil.\n"
    _modules_after(code, stdin=line)  # builds the lists into the cache if not there yet
    loaded = _modules_after(code, stdin=line)
    assert "lingua" in loaded  # a short text: lingua is consulted
    assert loaded & (HEAVY - {"lingua"}) == set()


def test_a_run_gives_the_same_bytes_with_wordfreqs_dicts_and_imports_no_translation(
        corpus_copy, tmp_path, data_files):
    """The sample corpus (mojibake, cp1252, hyphenation, foreign spans) through both
    word-list modes: byte-identical data files. No model is installed: nothing is
    translated, so nothing of the translation stack is imported."""
    code = "from pipeline.cli import main\nmain(['run', {!r}, '--out', {!r}])"
    mapped = _modules_after(code.format(str(corpus_copy), str(tmp_path / "mapped")))
    _modules_after(code.format(str(corpus_copy), str(tmp_path / "dicts")),
                   env={store.ENV_MODE: "dict"})
    assert data_files(tmp_path / "mapped") == data_files(tmp_path / "dicts")
    assert mapped & {"ctranslate2", "sentencepiece", "torch", "stanza", "spacy"} == set()


def test_outside_a_run_the_cache_warning_is_one_plain_line(tmp_path):
    # `pipeline detect` from cron with a cache it cannot use: one line saying what to do,
    # not Python's warning with this package's file, line number and statement.
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "detect"], input="A Coreia do Norte anunciou\n",
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(blocked)},
    )
    assert result.stdout == "pt\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pipeline: warning: word-list cache ")
    assert "set XDG_CACHE_HOME" in lines[0]


@pytest.mark.parametrize("lang, word", [("zh", "中文"), ("ja", "日本語"), ("ko", "한국어")])
def test_a_word_of_a_language_whose_tokenizer_is_missing_raises_nothing(monkeypatch, lang, word):
    """wordfreq cuts Chinese with jieba, Japanese and Korean with MeCab (optional
    packages): without them a Chinese span in an English README raised
    ModuleNotFoundError and stopped the whole run (pipeline: internal error)."""
    from pipeline.stages.repair import strong_leftover

    monkeypatch.setitem(sys.modules, "jieba", None)  # import fails, installed or not
    monkeypatch.setitem(sys.modules, "MeCab", None)
    monkeypatch.setitem(sys.modules, "wordfreq.chinese", None)
    monkeypatch.setitem(sys.modules, "wordfreq.mecab", None)
    # cut by wordfreq's regular expression instead: a common word is found whole, a run
    # no list holds is unknown
    assert store.zipf_frequency(word, lang) > 3.0
    assert store.zipf_frequency(word * 7, lang, minimum=1.5) == 1.5
    assert strong_leftover(word + "字", lang, "en") is False
