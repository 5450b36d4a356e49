"""Every package kind argostranslate 1.11 installs, plain CTranslate2 directories, and
`pipeline models` as a package manager: genuine packages built on the fly, offline."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import argostranslate.package as argos_package
import pytest

from pipeline import cli
from pipeline.engines import ModelError, argos
from pipeline.engines.argos import ArgosEngine
from pipeline.testing.argos_package import build_ct2_dir, build_package, install_package

REPO = Path(__file__).resolve().parents[1]
TEXTS = ["Olá mundo, isto é um teste.", "", "Uma frase com o número 2024 e «aspas»!"]
PREFIXES = {"de": "__de__", "fr": "__fr__", "pt": "__pt__"}


@dataclass(frozen=True)
class Kinds:
    packages_dir: Path
    files: dict[str, Path]


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kinds]:
    """One package of each kind, installed in a temporary ARGOS_PACKAGES_DIR: pt->en BPE,
    en,de -> de,fr,pt multilingual (one model), es->en carrying a stanza model, and a
    plain CTranslate2 directory registered as it->en."""
    root = tmp_path_factory.mktemp("kinds")
    packages_dir = root / "packages"
    files = {
        "bpe": build_package(root / "built", "pt", "en", seed=11, tokenizer="bpe"),
        "multilingual": build_package(root / "built", "en", "de", seed=12,
                                      target_prefixes=PREFIXES, from_codes=["en", "de"]),
        "stanza": build_package(root / "built", "es", "en", seed=13, sentence_model="stanza"),
    }
    ct2 = build_ct2_dir(root / "opus-mt-it-en", seed=14)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
        for path in files.values():
            assert cli.main(["models", "install", str(path)]) == 0
        assert cli.main(["models", "install", str(ct2), "--from", "it", "--to", "en"]) == 0
        yield Kinds(packages_dir, {**files, "ct2": ct2})


def test_each_kind_is_read_as_argostranslate_reads_it(kinds: Kinds) -> None:
    found = {(p.from_code, p.to_code): p for p in argos.installed_packages()}
    assert found["pt", "en"].tokenizer == "bpe" and found["pt", "en"].kind == "bpe"
    assert found["es", "en"].sentence_model == "stanza"
    assert found["it", "en"].kind == "ct2-dir sentencepiece"
    multilingual = {pair: p for pair, p in found.items() if p.path == found["en", "de"].path}
    assert set(multilingual) == {("en", "de"), ("en", "fr"), ("en", "pt"), ("de", "fr"),
                                 ("de", "pt")}
    assert {p.target_prefix for p in multilingual.values()} == set(PREFIXES.values())
    assert found["de", "fr"].kind == "multilingual sentencepiece"
    # argostranslate itself reads every one of them, with the tokenizer we use.
    theirs = {(p.from_code, p.to_code): p
              for p in argos_package.get_installed_packages([kinds.packages_dir])}
    assert type(theirs["pt", "en"].tokenizer).__name__ == "BPETokenizer"
    assert theirs["es", "en"].packaged_sbd_path.name == "stanza"
    assert theirs["en", "de"].target_prefix == "__de__"
    assert ("it", "en") in theirs


def test_bpe_tokens_are_argostranslate_s(kinds: Kinds) -> None:
    from argostranslate.tokenizer import BPETokenizer

    package = next(p for p in argos.installed_packages() if p.tokenizer == "bpe")
    theirs = BPETokenizer(package.path / "bpe.model", "pt", "en")
    ours = argos._MosesBPETokenizer(package.path / "bpe.model", "pt", "en")
    texts = [t for t in TEXTS if t]
    encoded = ours.encode(texts)
    assert encoded == [theirs.encode(text) for text in texts]
    assert any("@@" in token for tokens in encoded for token in tokens)  # really BPE
    assert [ours.decode(tokens) for tokens in encoded] == [theirs.decode(t) for t in encoded]


@pytest.mark.parametrize("pair", [("pt", "en"), ("en", "de"), ("de", "fr"), ("en", "pt"),
                                  ("es", "en"), ("it", "en"), ("it", "de")])
def test_each_kind_translates_aligned(kinds: Kinds, pair: tuple[str, str]) -> None:
    engine = ArgosEngine(beam_size=1, max_decoding_ratio=1.0, max_decoding_extra=2)
    outputs = engine.translate(TEXTS, *pair)
    assert len(outputs) == len(TEXTS) and outputs[1] == ""
    assert all(outputs[i].strip() for i in (0, 2))
    assert not any(token in out for out in outputs for token in PREFIXES.values())
    assert engine.translate(TEXTS, *pair) == outputs  # deterministic


def test_one_multilingual_model_serves_its_pairs_with_each_target_token(kinds: Kinds) -> None:
    engine = ArgosEngine(beam_size=1, max_decoding_ratio=1.0, max_decoding_extra=2)
    outputs = {tgt: engine.translate(TEXTS[:1], "en", tgt)[0] for tgt in ("de", "fr", "pt")}
    assert len(set(outputs.values())) > 1  # the target token steers the one model
    # Each is the model's output after that language's token, the token removed.
    import ctranslate2
    import sentencepiece as spm

    path = engine.route("en", "de")[0].path
    tokenizer = spm.SentencePieceProcessor(model_file=str(path / "sentencepiece.model"))
    translator = ctranslate2.Translator(str(path / "model"), compute_type="int8")
    tokens = tokenizer.encode(TEXTS[:1], out_type=str)
    top = argos.padded_length(len(tokens[0]))  # the batch is padded to its bucket's top
    if len(tokens[0]) < top:
        tokens.append([argos.STAND_IN_TOKEN] * top)
    for tgt, output in outputs.items():
        result = translator.translate_batch(
            tokens, target_prefix=[[PREFIXES[tgt]]] * len(tokens), beam_size=1,
            length_penalty=0.2, replace_unknowns=True, max_decoding_length=engine._cap(top) + 1)
        assert result[0].hypotheses[0][0] == PREFIXES[tgt]
        assert tokenizer.decode(result[0].hypotheses[0][1:]) == output
    loaded = {key[0] for key in argos._LOADED if key[0] == engine.route("en", "de")[0].path}
    assert len(loaded) == 1
    ids = {tgt: engine.fingerprint("en", tgt) for tgt in ("de", "fr")}
    assert ids["de"] != ids["fr"]
    assert ids["de"].split("@")[1].split(";")[0] == ids["fr"].split("@")[1].split(";")[0]


def test_the_sentence_model_is_never_loaded(kinds: Kinds) -> None:
    code = (
        "import sys\n"
        "from pipeline.engines.argos import ArgosEngine\n"
        "e = ArgosEngine(beam_size=1, max_decoding_ratio=1.0)\n"
        "assert e.translate(['Hola mundo.'], 'es', 'en')[0]\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('stanza', 'torch',"
        " 'spacy', 'minisbd', 'argostranslate.translate')))\n"
    )
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(kinds.packages_dir), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True, timeout=300)
    assert done.stdout.strip() == "[]"


def test_models_list_names_the_directory_kind_and_device(
    kinds: Kinds, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(kinds.packages_dir.parent)  # no pipeline.toml here
    assert cli.main(["models", "list", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert f"models in {kinds.packages_dir} (ARGOS_PACKAGES_DIR" in out
    rows = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert "bpe" in rows["pt-en"] and "cpu int8" in rows["pt-en"]
    assert "multilingual sentencepiece" in rows["de-fr"]
    assert "carries a stanza sentence model, not used" in rows["es-en"]
    assert "ct2-dir sentencepiece" in rows["it-en"]
    assert all("cpu int8" in row for row in rows.values())


def test_registered_ct2_dir_is_fingerprinted_and_replaced(kinds: Kinds, tmp_path: Path) -> None:
    engine = ArgosEngine(beam_size=1)
    before = engine.fingerprint("it", "en")
    metadata = json.loads(
        (engine.route("it", "en")[0].path / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["ct2_source"] == str(kinds.files["ct2"].resolve())
    other = build_ct2_dir(tmp_path / "opus-mt-it-en", seed=15)
    shutil.copytree(other, tmp_path / "packages-copy")  # the directory may go afterwards
    argos.install_ct2_dir(tmp_path / "packages-copy", ["it"], ["en"],
                          packages_dir=tmp_path / "other")
    try:
        assert ArgosEngine(packages_dir=tmp_path / "other").fingerprint("it", "en") != before
    finally:
        shutil.rmtree(tmp_path / "other")


def test_multilingual_ct2_dir_takes_a_target_token_per_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = build_ct2_dir(tmp_path / "m2m", seed=16, tokenizer="bpe",
                          target_tokens=["__de__", "__fr__"])
    packages = tmp_path / "packages"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages))
        code = cli.main(["models", "install", str(model), "--from", "en", "--to", "de,fr",
                         "--target-prefix", "de=__de__,fr=__fr__"])
        assert code == 0, capsys.readouterr().err
        engine = ArgosEngine(beam_size=1, max_decoding_ratio=1.0)
        assert engine.pairs() == [("en", "de"), ("en", "fr")]
        de, fr = (engine.translate(["Hello world."], "en", tgt)[0] for tgt in ("de", "fr"))
        assert de and fr and de != fr
        # A multilingual model without a token for each target is refused, naming it.
        code = cli.main(["models", "install", str(model), "--from", "en", "--to", "de,fr",
                         "--target-prefix", "de=__de__"])
        assert code == 2
        assert "missing: fr" in capsys.readouterr().err


def test_ct2_dir_without_model_or_tokenizer_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = build_ct2_dir(tmp_path / "model", seed=17)
    (model / "source.spm").unlink()
    packages = tmp_path / "packages"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages))
        assert cli.main(["models", "install", str(model), "--from", "it", "--to", "en"]) == 2
        assert "no tokenizer file" in capsys.readouterr().err
        assert cli.main(["models", "install", str(tmp_path), "--from", "it", "--to", "en"]) == 2
        assert "no model.bin" in capsys.readouterr().err
        assert cli.main(["models", "install", str(model)]) == 2
        assert "--from SRC --to TGT" in capsys.readouterr().err
    assert not packages.exists() or not any(packages.iterdir())


def _truncated(good: Path, dest: Path) -> Path:
    """``good`` with its model.bin cut to half: a zip that validates, a model that does not."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("model/model.bin"):
                data = data[: len(data) // 2]
            out.writestr(info, data)
    return dest


def test_truncated_model_is_refused_at_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = build_package(tmp_path / "built", "pt", "en", seed=18)
    bad = _truncated(good, tmp_path / "translate-pt_en-1_0-truncated.argosmodel")
    packages = tmp_path / "packages"
    with pytest.raises(ModelError, match=r"cannot be loaded .*damaged or incomplete"):
        argos.install_file(bad, packages)
    assert list(packages.iterdir()) == []  # nothing half-installed
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages))
        # Several files: each on its own; the good one is installed, the run says which not.
        assert cli.main(["models", "install", str(bad), str(good)]) == 2
        captured = capsys.readouterr()
        assert "refusing to install" in captured.err and str(bad) in captured.err
        assert "1 of 2 files not installed" in captured.err
        assert "installed pt-en 1.0" in captured.out
    assert [p.from_code for p in argos.installed_packages(packages)] == ["pt"]


def test_models_install_takes_several_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [build_package(tmp_path / "built", src, "en", seed=19 + i)
             for i, src in enumerate(("pt", "de"))]
    packages = tmp_path / "packages"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages))
        assert cli.main(["models", "install", *map(str, files)]) == 0
    assert "is not a language code" not in capsys.readouterr().err
    assert sorted(p.from_code for p in argos.installed_packages(packages)) == ["de", "pt"]


def test_offline_index_install_exits_with_the_unreachable_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unreachable(*args: object, **kwargs: object) -> socket.socket:
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    assert cli.main(["models", "install", "pt", "en"]) == cli.EXIT_UNREACHABLE == 69
    assert "cannot reach the Argos package index" in capsys.readouterr().err


def test_removing_a_pair_of_a_multilingual_package_names_the_pairs_it_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = build_package(tmp_path / "built", "en", "de", seed=21,
                          target_prefixes={"de": "__de__", "fr": "__fr__"})
    packages = tmp_path / "packages"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages))
        assert cli.main(["models", "install", str(built)]) == 0
        capsys.readouterr()
        assert cli.main(["models", "remove", "en", "fr"]) == 0
        assert "and with its model: en-de" in capsys.readouterr().out
    assert argos.installed_packages(packages) == []


def test_models_list_says_which_of_two_versions_of_a_pair_runs_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Installing 1.9 keeps 1.0 beside it; a run uses the newer one, and the list says so.
    packages = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.chdir(tmp_path)
    for version, seed in (("1.9", 1), ("1.0", 0)):
        install_package(build_package(tmp_path / version, "pt", "en", version=version,
                                      seed=seed), packages)
    assert cli.main(["models", "list", "--device", "cpu"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("pt-en")]
    assert len(rows) == 2
    assert "1.0 (not used: a newer one is)" in rows[0] and "translate-pt_en-1_0" in rows[0]
    assert "not used" not in rows[1] and "translate-pt_en-1_9" in rows[1]
    assert ArgosEngine(beam_size=1).route("pt", "en")[0].version == "1.9"
