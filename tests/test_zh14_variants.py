"""Traditional Chinese (Argos "zt", zh-TW, zh-HK, zh-Hant) is a language of its own,
"zh-Hant": a target of its own, routed to its own models, told from Simplified Chinese
by its characters, and labelled so in every output. Simplified stays "zh"."""

import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import Config
from pipeline.document import Document
from pipeline.engines import argos, convert
from pipeline.languages import canonical
from pipeline.shard import build_stages, process_document
from pipeline.testing.argos_package import build_package, install_package
from pipeline.writers.parallel import write_parallel

# Texts written for these tests: one news paragraph pair in each script.
SIMPLIFIED = ("台风过后，这个城市的学校今天重新开放。\n\n"
              "市政府说，电力和交通已经恢复，居民可以正常出门。"
              "当地的商店也开门了，很多人去买东西。\n")
TRADITIONAL = ("颱風過後，這個城市的學校今天重新開放。\n\n"
               "市政府說，電力和交通已經恢復，居民可以正常出門。"
               "當地的商店也開門了，很多人去買東西。\n")
ENGLISH = ("The port reopened on Monday after the storm, officials said.\n\n"
           "Ships returned to the harbour and workers cleared the roads near the coast.\n")


@pytest.fixture(scope="module")
def chinese_packages(tmp_path_factory):
    """Tiny genuine packages en->zh, en->zt (Traditional), zh->en; with their archives."""
    root = tmp_path_factory.mktemp("zh14")
    packages = root / "packages"
    archives = {}
    for seed, (src, tgt) in enumerate([("en", "zh"), ("en", "zt"), ("zh", "en")], start=1):
        archives[src, tgt] = build_package(root / "built", src, tgt, seed=seed)
        install_package(archives[src, tgt], packages)
    return packages, archives


@pytest.fixture(scope="module")
def chinese_corpus(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("zh14corpus")
    for name, text in (("jianti.txt", SIMPLIFIED), ("fanti.txt", TRADITIONAL),
                       ("english.txt", ENGLISH)):
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("code", ["zt", "zh-TW", "zh_tw", "zh-HK", "zh-Hant", "ZH-HANT-TW"])
def test_traditional_chinese_codes_name_zh_hant(code):
    assert canonical(code) == "zh-Hant"


@pytest.mark.parametrize("code", ["zh", "zh-CN", "zh-Hans", "zh-Hans-HK", "zho"])
def test_simplified_chinese_codes_stay_zh(code):
    assert canonical(code) == "zh"


def test_detection_tells_traditional_from_simplified():
    stages = build_stages(Config())
    docs = {name: process_document(Document(doc=name, raw=text.encode()), stages)
            for name, text in (("s.txt", SIMPLIFIED), ("t.txt", TRADITIONAL))}
    assert docs["s.txt"].lang == "zh"
    assert {seg.lang for seg in docs["s.txt"].segments()} == {"zh"}
    assert docs["t.txt"].lang == "zh-Hant"
    assert {seg.lang for seg in docs["t.txt"].segments()} == {"zh-Hant"}
    assert [b.lang for b in docs["t.txt"].blocks] == ["zh-Hant", "zh-Hant"]


def test_a_line_without_telling_characters_takes_its_documents_script():
    from pipeline.languages import chinese_variant

    assert chinese_variant("中午。", "zh-Hant") == "zh-Hant"
    assert chinese_variant("中午。") == "zh"


def test_each_script_routes_to_its_own_package(chinese_packages):
    packages, _ = chinese_packages
    engine = argos.ArgosEngine(packages_dir=packages)
    assert ("en", "zh") in engine.pairs() and ("en", "zh-Hant") in engine.pairs()

    def route(src, tgt):
        found = engine.route(src, tgt)
        return None if found is None else [
            (p.from_code, p.to_code) if isinstance(p, argos.PackageInfo) else p.package_id
            for p in found]

    assert route("en", "zh-Hant") == [("en", "zt")]
    assert route("en", "zh") == [("en", "zh")]
    # one script into the other is converted (OpenCC, not the models: test_zhconv14_*),
    # never copied as it is
    assert route("zh", "zh-Hant") == [f"opencc@{convert.version()}:s2t"]
    assert route("zh-Hant", "zh") == [f"opencc@{convert.version()}:tw2s"]
    # Traditional text is read by the zh->en model where no zt->en is installed
    assert route("zh-Hant", "en") == [("zh", "en")]


def test_removing_zh_leaves_the_traditional_package(chinese_packages, tmp_path):
    packages = tmp_path / "packages"
    shutil.copytree(chinese_packages[0], packages)
    removed = argos.remove("en", "zh", packages)
    assert [(p.from_code, p.to_code) for p in removed] == [("en", "zh")]
    left = {(p.from_code, p.to_code) for p in argos.installed_packages(packages)}
    assert ("en", "zt") in left


def test_a_traditional_target_translates_simplified_text_and_says_zh_hant_everywhere(
    chinese_packages, chinese_corpus, tmp_path, monkeypatch
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(chinese_packages[0]))
    out = tmp_path / "out"
    code = main(["run", str(chinese_corpus), "--out", str(out), "--to", "zh-TW",
                 "--beam-size", "1"])
    assert code == 0
    documents = {d["doc"]: d["lang"] for d in _records(out / "documents.jsonl")}
    assert documents == {"jianti.txt": "zh", "fanti.txt": "zh-Hant", "english.txt": "en"}
    segments = _records(out / "segments.jsonl")
    for seg in segments:
        assert seg["zh-Hant"]
        if seg["doc"] == "fanti.txt":  # already Traditional: copied
            assert seg["zh-Hant"] == seg["text"]
        else:  # Simplified or English: translated, not copied
            assert seg["zh-Hant"] != seg["text"]
    assert sorted(p.name for p in (out / "translations").iterdir()) == ["zh-Hant"]
    assert sorted(p.name for p in (out / "parallel").iterdir()) == ["en-zh-Hant", "zh-zh-Hant"]
    pair = out / "parallel" / "zh-zh-Hant"
    assert sorted(p.name for p in pair.iterdir()) == [
        "corpus.tmx", "corpus.tsv", "corpus.zh", "corpus.zh-Hant"]
    tmx = (pair / "corpus.tmx").read_text(encoding="utf-8")
    assert tmx.count('<tuv xml:lang="zh-Hant">') == 3 and tmx.count('<tuv xml:lang="zh">') == 3
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["targets"] == ["zh-Hant"] and report["missing_models"] == []


def test_a_simplified_target_does_not_copy_traditional_text(
    chinese_packages, chinese_corpus, tmp_path, monkeypatch
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(chinese_packages[0]))
    out = tmp_path / "out"
    assert main(["run", str(chinese_corpus), "--out", str(out), "--to", "zh",
                 "--beam-size", "1"]) == 0
    for seg in _records(out / "segments.jsonl"):
        if seg["doc"] == "jianti.txt":
            assert seg["zh"] == seg["text"]
        else:
            assert seg["zh"] and seg["zh"] != seg["text"]
    assert sorted(p.name for p in (out / "parallel").iterdir()) == ["en-zh", "zh-Hant-zh"]


def test_a_pair_folder_of_a_dropped_traditional_target_is_removed(tmp_path):
    for name in ("zh-Hant-en", "en-zh-Hant"):
        folder = tmp_path / "parallel" / name
        folder.mkdir(parents=True)
        for file in ("corpus.zh-Hant", "corpus.en", "corpus.tsv", "corpus.tmx"):
            (folder / file).write_text("x\n", encoding="utf-8")
    write_parallel(tmp_path, [], ["en"])
    assert list((tmp_path / "parallel").iterdir()) == []


def test_models_install_from_the_index_takes_the_traditional_package(
    chinese_packages, tmp_path, monkeypatch, capsys
):
    _, archives = chinese_packages
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "pk"))
    index = tmp_path / "index.json"
    index.write_text("[]", encoding="utf-8")

    class Offered:
        type = "translate"

        def __init__(self, src, tgt):
            self.from_code, self.to_code = src, tgt

        def download(self):
            copy = tmp_path / f"download-{self.from_code}_{self.to_code}.argosmodel"
            shutil.copyfile(archives[self.from_code, self.to_code], copy)
            return copy

    monkeypatch.setattr(argos, "_check_index_reachable", lambda: None)
    monkeypatch.setattr(argos.argos_package, "update_package_index", lambda: None)
    monkeypatch.setattr(argos.argos_settings, "local_package_index", index)
    monkeypatch.setattr(argos.argos_package, "get_available_packages",
                        lambda: [Offered("en", "zt"), Offered("en", "zh")])
    assert main(["models", "install", "en", "zh-TW"]) == 0
    assert "installed en-zt" in capsys.readouterr().out
    assert main(["models", "install", "en", "zh"]) == 0
    assert "installed en-zh" in capsys.readouterr().out
    assert main(["models", "list"]) == 0
    listed = capsys.readouterr().out
    assert "en-zt" in listed and "en-zh" in listed and "not used" not in listed


def test_a_missing_traditional_model_names_the_argos_file_to_fetch(
    chinese_corpus, tmp_path, monkeypatch
):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    out = tmp_path / "out"
    assert main(["run", str(chinese_corpus), "--out", str(out), "--to", "zt"]) == 3
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    pairs = {m["pair"]: m["install"] for m in report["missing_models"]}
    # zh-zh-Hant is converted, no model needed (tests/test_zhconv14_convert.py)
    assert set(pairs) == {"en-zh-Hant"}
    assert pairs["en-zh-Hant"].startswith("pipeline models install en zh-Hant ")
    assert "the en->zt .argosmodel" in pairs["en-zh-Hant"]
    # the Traditional document needs no model: its copy is the clean text
    assert (out / "translations" / "zh-Hant" / "fanti.txt").read_text(encoding="utf-8") == (
        out / "clean" / "fanti.txt").read_text(encoding="utf-8")
