"""Simplified <-> Traditional Chinese is converted by OpenCC, not translated through
English: no model needed, segments stay one to one, the converter's version is in the
fingerprints, and without opencc the pair falls back to the English pivot."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config
from pipeline.engines import argos, base, convert
from pipeline.runner import fingerprint

# Texts written for these tests, with the characters expected of each script.
SIMPLIFIED = ("这是中国的新闻。经济发展很快，城市的学校今天开门。\n\n"
              "记者说，电力和交通已经恢复。\n")
TRADITIONAL = ("這是中國的新聞。經濟發展很快，城市的學校今天開門。\n\n"
               "記者說，電力和交通已經恢復。\n")
SIMPLIFIED_SENTENCES = ["这是中国的新闻。", "经济发展很快，城市的学校今天开门。",
                        "记者说，电力和交通已经恢复。"]
TRADITIONAL_SENTENCES = ["這是中國的新聞。", "經濟發展很快，城市的學校今天開門。",
                         "記者說，電力和交通已經恢復。"]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def no_models(tmp_path, monkeypatch):
    packages = tmp_path / "no-packages"
    packages.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    return packages


def _corpus(tmp_path: Path, name: str, text: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def test_simplified_into_traditional_needs_no_model(tmp_path, no_models):
    corpus = _corpus(tmp_path, "jianti.txt", SIMPLIFIED)
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--to", "zh-TW"]) == 0
    copy = out / "translations" / "zh-Hant" / "jianti.txt"
    assert copy.read_text(encoding="utf-8") == TRADITIONAL
    segments = _records(out / "segments.jsonl")
    assert [s["text"] for s in segments] == SIMPLIFIED_SENTENCES
    assert [s["zh-Hant"] for s in segments] == TRADITIONAL_SENTENCES
    pair = out / "parallel" / "zh-zh-Hant"
    assert (pair / "corpus.zh").read_text(encoding="utf-8").splitlines() == SIMPLIFIED_SENTENCES
    assert (pair / "corpus.zh-Hant").read_text(
        encoding="utf-8").splitlines() == TRADITIONAL_SENTENCES
    tmx = (pair / "corpus.tmx").read_text(encoding="utf-8")
    assert tmx.count('<tuv xml:lang="zh-Hant">') == 3
    assert "<seg>記者說，電力和交通已經恢復。</seg>" in tmx
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["missing_models"] == []
    translation = report["translation"]
    # converted, not translated by a model
    assert translation["pairs"]["zh-zh-Hant"]["translated"] == 0
    assert translation["converted"] == {
        "zh-zh-Hant": {"by": f"opencc {convert.version()} s2t", "inputs": 3}}


def test_traditional_into_simplified_needs_no_model(tmp_path, no_models):
    corpus = _corpus(tmp_path, "fanti.txt", TRADITIONAL)
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--to", "zh"]) == 0
    assert (out / "translations" / "zh" / "fanti.txt").read_text(
        encoding="utf-8") == SIMPLIFIED
    assert [s["zh"] for s in _records(out / "segments.jsonl")] == SIMPLIFIED_SENTENCES
    assert (out / "parallel" / "zh-Hant-zh" / "corpus.zh").read_text(
        encoding="utf-8").splitlines() == SIMPLIFIED_SENTENCES


def test_taiwan_forms_convert_to_simplified():
    """著 of 著急 is Taiwan's form of 着; 著 of 著作 stays."""
    step = convert.conversion("zh-Hant", "zh")
    assert step.convert(["他很著急。", "他的著作很多。"]) == ["他很着急。", "他的著作很多。"]


def test_the_converter_version_is_in_both_fingerprints(no_models, monkeypatch):
    engine = argos.ArgosEngine(packages_dir=no_models)
    before = engine.fingerprint("zh", "zh-Hant")
    into_chinese, into_english = Config(targets=["en", "zh-Hant"]), Config(targets=["en"])
    run_before = fingerprint(into_chinese), fingerprint(into_english)
    assert before == f"opencc@{convert.version()}:s2t"
    monkeypatch.setattr(convert, "version", lambda: "99.1")
    after = argos.ArgosEngine(packages_dir=no_models).fingerprint("zh", "zh-Hant")
    assert after == "opencc@99.1:s2t"
    assert "opencc@99.1" in base.installed_models(no_models, targets=["zh-Hant"])
    # An upgrade processes again a corpus run into a language the converter writes, and
    # only such a corpus: a run into English never uses the converter.
    assert "opencc@99.1" not in base.installed_models(no_models, targets=["en", "de"])
    assert fingerprint(into_chinese) != run_before[0]
    assert fingerprint(into_english) == run_before[1]


def test_without_opencc_the_pair_is_translated_through_english(
    tmp_path, no_models, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "opencc", None)  # import opencc raises ImportError
    monkeypatch.setattr(convert, "_CONVERTERS", {})
    monkeypatch.setattr(convert, "_UNAVAILABLE", [])
    corpus = _corpus(tmp_path, "jianti.txt", SIMPLIFIED)
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--to", "zh-Hant"]) == 3
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    missing = {m["pair"]: m["install"] for m in report["missing_models"]}
    assert list(missing) == ["zh-zh-Hant"] and "zh->en and en->zt" in missing["zh-zh-Hant"]
    err = capsys.readouterr().err
    assert "opencc cannot be used" in err and "pip install 'opencc>=1.1'" in err
    assert convert.version() is None


def test_a_run_without_chinese_never_imports_opencc(tmp_path, no_models):
    corpus = _corpus(tmp_path, "english.txt",
                     "The port reopened on Monday after the storm, officials said.\n")
    script = ("import sys\nfrom pipeline.cli import main\n"
              f"code = main(['run', {str(corpus)!r}, '--out', {str(tmp_path / 'out')!r},"
              " '--to', 'en'])\n"
              "print(code, 'opencc' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.split()[-2:] == ["0", "False"], done.stderr


def test_a_traditional_sentence_in_a_simplified_document_is_converted(tmp_path, no_models):
    """The route decides per sentence: a quoted Traditional sentence in a Simplified
    document is converted into the Simplified target; the others are copied."""
    corpus = _corpus(tmp_path, "mixed.txt", "".join(SIMPLIFIED_SENTENCES)
                     + "他说：「這個城市的電力已經恢復了。」\n")
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--to", "zh"]) == 0
    segments = _records(out / "segments.jsonl")
    assert [s["lang"] for s in segments] == ["zh", "zh", "zh", "zh-Hant"]
    assert [s["zh"] for s in segments] == [*SIMPLIFIED_SENTENCES,
                                           "他说：「这个城市的电力已经恢复了。」"]
