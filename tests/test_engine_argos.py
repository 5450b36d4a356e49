"""The Argos engine and model management, with genuine packages built on the fly (offline)."""

from __future__ import annotations

import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import argostranslate.package as argos_package
import ctranslate2
import pytest
import sentencepiece as spm

from pipeline.engines import argos
from pipeline.engines.argos import ArgosEngine, ModelError, install_file
from pipeline.testing.argos_package import build_package, install_package, synthetic_lines

PT = ["Olá mundo.", "", "Uma frase um pouco mais longa, com vírgulas e o número 2024.", "Sim!"]


@dataclass(frozen=True)
class Installed:
    packages_dir: Path
    files: dict[tuple[str, str], Path]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """pt->en, en->de and en->fr (with a target prefix), in a temporary ARGOS_PACKAGES_DIR."""
    root = tmp_path_factory.mktemp("argos")
    packages_dir = root / "packages"
    files = {
        ("pt", "en"): build_package(root / "built", "pt", "en", seed=1),
        ("en", "de"): build_package(root / "built", "en", "de", seed=2),
        ("en", "fr"): build_package(root / "built", "en", "fr", seed=3, target_prefix="__fr__"),
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
        for path in files.values():
            install_package(path, packages_dir)
        yield Installed(packages_dir, files)


@pytest.fixture
def engine(installed: Installed) -> ArgosEngine:
    return ArgosEngine(beam_size=2)


def test_installed_packages_are_argostranslate_packages(installed: Installed) -> None:
    found = {(p.from_code, p.to_code): p for p in argos.installed_packages()}  # from the env
    assert set(found) == set(installed.files)
    assert found["pt", "en"].package_id == "translate-pt_en-1.0"
    assert found["en", "fr"].target_prefix == "__fr__"
    theirs = argos_package.get_installed_packages([installed.packages_dir])
    assert {(p.from_code, p.to_code) for p in theirs} == set(installed.files)
    assert all(p.packaged_sbd_path is None for p in theirs)  # no stanza/ to fetch resources for


def test_route_direct_pivot_and_missing(installed: Installed, engine: ArgosEngine) -> None:
    packages = {(p.from_code, p.to_code): p for p in argos.installed_packages()}
    assert engine.route("pt", "en") == [packages["pt", "en"]]
    assert engine.route("pt", "de") == [packages["pt", "en"], packages["en", "de"]]
    assert engine.route("pt", "pt") == []
    assert engine.route("de", "pt") is None
    pairs = [("pt", "de"), ("de", "pt"), ("en", "de"), ("de", "pt")]
    assert engine.missing_pairs(pairs) == [("de", "pt")]
    with pytest.raises(ModelError, match="pipeline models install de pt"):
        engine.translate(["Hallo"], "de", "pt")


def test_translate_is_aligned_capped_and_batch_independent(installed: Installed) -> None:
    engine = ArgosEngine(beam_size=2, max_decoding_ratio=1.0, max_decoding_extra=2)
    out = engine.translate(PT, "pt", "en")
    assert len(out) == len(PT)
    assert out[1] == ""
    assert all(out[i] for i in (0, 2, 3))
    source = spm.SentencePieceProcessor(
        model_file=str(engine.route("pt", "en")[0].path / "sentencepiece.model")
    )
    for text, translation in zip(PT, out, strict=True):
        # Each generated piece holds at most one word.
        assert len(translation.split()) <= len(source.encode(text)) + 2
    # Each output belongs to its input, whatever else is in the batch.
    assert [engine.translate([text], "pt", "en")[0] for text in PT] == out
    assert engine.translate(PT[::-1], "pt", "en") == out[::-1]



def test_default_batches_hold_512_source_tokens_at_beam_4(
    installed: Installed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches hold one bucket of source lengths, so few segments share one: the default of
    # 2,048 tokens at beam 1 (512 at beam 4) makes fewer, fuller batches than 1,024 did
    # (bench/translate.py (h), one length a batch then: 97 batches instead of 146, 12% less
    # CPU). The text is its bucket's top length, so the batch needs no stand-in row.
    from pipeline.config import Config
    from pipeline.engines.base import make_engine

    sizes: list[int] = []
    load = argos._load

    class Spy:
        def __init__(self, translator: object) -> None:
            self.translator = translator

        def translate_batch(self, tokens: list[list[str]], **options: object) -> object:
            sizes.append(len(tokens))
            return self.translator.translate_batch(tokens, **options)

    def spying_load(*args: object) -> argos._LoadedModel:
        model = load(*args)
        return argos._LoadedModel(Spy(model.translator), model.tokenizer)  # type: ignore[arg-type]

    monkeypatch.setattr(argos, "_load", spying_load)
    config = Config(targets=["en"])
    config.translate.beam_size, config.translate.threads = 4, 1
    engine = make_engine(config)
    text = next(line for line in synthetic_lines(6, 300, 400)
                if 256 // 12 < engine.count_tokens([line], "pt", "en")[0] <= 512 // 12
                and argos.padded_length(engine.count_tokens([line], "pt", "en")[0])
                == engine.count_tokens([line], "pt", "en")[0])
    engine.translate([text] * 12, "pt", "en")
    assert sizes == [12]  # 1,024 at beam 4: two batches of 6

def test_no_output_depends_on_the_other_segments_of_its_batch(installed: Installed) -> None:
    # Sentences of many lengths, several of each: padding would make some depend on others.
    texts = synthetic_lines(5, 300, 150)
    engine = ArgosEngine(beam_size=2, max_decoding_ratio=1.0)
    together = engine.translate(texts, "pt", "en")
    assert [engine.translate([text], "pt", "en")[0] for text in texts] == together
    one_thread = ArgosEngine(beam_size=2, max_decoding_ratio=1.0, threads=1, max_batch_tokens=64)
    assert one_thread.translate(texts[::-1], "pt", "en") == together[::-1]


class RowSpy:
    """Stands in for a CTranslate2 translator: records each batch's rows and options and
    each row's best hypothesis with its score (asked for), by its source tokens."""

    def __init__(self, translator: object) -> None:
        self.translator = translator
        self.batches: list[tuple[list[list[str]], dict]] = []
        self.scored: dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]] = {}

    def translate_batch(self, tokens: list[list[str]], **options: object) -> object:
        self.batches.append((tokens, options))
        results = self.translator.translate_batch(tokens, **{**options,
                                                             "asynchronous": False,
                                                             "return_scores": True})
        for row, result in zip(tokens, results, strict=True):
            self.scored.setdefault(tuple(row), []).append(
                (tuple(result.hypotheses[0]), result.scores[0]))
        return [Done(result) for result in results]


class Done:
    """An asynchronous result that is already there."""

    def __init__(self, result: object) -> None:
        self._result = result

    def done(self) -> bool:
        return True

    def result(self) -> object:
        return self._result


def spy_rows(monkeypatch: pytest.MonkeyPatch) -> RowSpy:
    spy = RowSpy(None)
    load = argos._load

    def spying_load(*args: object) -> argos._LoadedModel:
        model = load(*args)
        spy.translator = model.translator
        return argos._LoadedModel(spy, model.tokenizer)  # type: ignore[arg-type]

    monkeypatch.setattr(argos, "_load", spying_load)
    return spy


def test_a_batch_holds_one_bucket_of_lengths_padded_to_its_top(
    installed: Installed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Padding to a longer neighbour changes results in the last bits (seen with the base
    # model: 1 sentence in 1,000 flipped), so every batch is padded to its bucket's top
    # length, never to whatever its longest segment happens to be.
    spy = spy_rows(monkeypatch)
    texts = synthetic_lines(5, 300, 150)
    engine = ArgosEngine(beam_size=2, max_batch_tokens=1024)
    lengths = set(engine.count_tokens(texts, "pt", "en"))
    engine.translate(texts, "pt", "en")
    stand_ins = [rows for rows, _ in spy.batches if [argos.STAND_IN_TOKEN] * len(rows[-1])
                 == rows[-1]]
    assert sum(len(rows) for rows, _ in spy.batches) == len(texts) + len(stand_ins)
    assert len(spy.batches) < len(lengths)  # one length a batch made one batch a length
    for rows, options in spy.batches:
        top = max(len(row) for row in rows)
        assert {argos.padded_length(len(row)) for row in rows} == {top}
        assert len(rows) * top <= max(1024 // 2, 2 * top)  # two rows at least
        assert options["max_decoding_length"] == 2 * top + 10
    assert any(len({len(row) for row in rows}) > 1 for rows, _ in spy.batches)


@pytest.mark.parametrize("beam", [1, 4])
def test_a_segment_s_scores_do_not_depend_on_its_batch_mates(
    installed: Installed, monkeypatch: pytest.MonkeyPatch, beam: int
) -> None:
    # Each text among shuffled mates, in batches of other sizes, on one thread or two: its
    # best hypothesis and its score (a float, which the last bits of padding would change)
    # are the same every time. The control at the end shows that the scores would notice.
    spy = spy_rows(monkeypatch)
    texts = synthetic_lines(8, 300, 120)
    order = list(range(len(texts)))
    rng = random.Random(3)
    outputs = []
    for max_batch_tokens, threads in ((2048, 2), (256, 1), (96, 2), (512, 1)):
        rng.shuffle(order)
        engine = ArgosEngine(beam_size=beam, max_batch_tokens=max_batch_tokens, threads=threads,
                             max_decoding_ratio=0.5, max_decoding_extra=2)
        shuffled = engine.translate([texts[i] for i in order], "pt", "en")
        outputs.append([shuffled[order.index(i)] for i in range(len(texts))])
    assert all(output == outputs[0] for output in outputs)
    rows = [row for row in spy.scored if row != (argos.STAND_IN_TOKEN,) * len(row)]
    assert len(rows) > 50
    assert all(len(set(spy.scored[row])) == 1 for row in rows)
    assert any(len({len(r) for r in batch}) > 1 for batch, _ in spy.batches)
    # Control: the same rows padded to their batch's longest segment, whatever it is. How
    # often that moves an int8 score depends on the CPU's kernels (on an AVX-512 machine 2
    # rows in 60, none of these rows), so the same model in float32 is asked too: its sums
    # change with the padding on any CPU, which shows that the scores compared carry the
    # last bits.
    mixed = [list(row) for row in sorted(rows, key=len)]
    mixed = mixed[::2] + mixed[1::2]
    model = next(installed.packages_dir.glob("*pt_en*/model"))
    options = {"beam_size": beam, "return_scores": True, "max_decoding_length": 4,
               "min_decoding_length": 1}
    differ = 0
    for translator in (spy.translator,
                       ctranslate2.Translator(str(model), compute_type="float32")):
        results = translator.translate_batch(mixed, **options)  # type: ignore[attr-defined]
        alone = [translator.translate_batch([row], **options)[0]  # type: ignore[attr-defined]
                 for row in mixed]
        differ += sum(a.scores[0] != b.scores[0] for a, b in zip(results, alone, strict=True))
    assert differ > 0


def test_the_fingerprint_names_the_padding_rule(
    engine: ArgosEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outputs made under another padding rule differ in the last bits: a translation
    # memory filled under it must not be reused.
    now = engine.fingerprint("pt", "en")
    assert f";pad={argos.PAD_BITS};" in now
    monkeypatch.setattr(argos, "PAD_BITS", 64)
    assert engine.fingerprint("pt", "en") != now


def test_translate_is_deterministic(engine: ArgosEngine) -> None:
    first = engine.translate(PT, "pt", "en")
    assert ArgosEngine(beam_size=2).translate(PT, "pt", "en") == first
    assert engine.model_id("pt", "en") == ArgosEngine(beam_size=2).model_id("pt", "en")


def test_threads_never_exceed_the_cpus_this_process_may_use(installed: Installed) -> None:
    cpus = argos.available_cpus()
    assert ArgosEngine().threads == cpus
    assert ArgosEngine(threads=10 * cpus).threads == cpus
    assert ArgosEngine(threads=1).threads == 1


def _translate_in_child(texts: list[str]) -> list[str]:
    return ArgosEngine(beam_size=2).translate(texts, "pt", "en")


def test_a_forked_worker_loads_its_own_model(engine: ArgosEngine) -> None:
    # The parent's loaded model is unusable in a forked child (its CTranslate2 threads are
    # gone): reusing or freeing it there waits forever.
    expected = engine.translate(PT, "pt", "en")
    with multiprocessing.get_context("fork").Pool(2) as pool:
        # 600 s: a hang, not a busy machine
        results = pool.map_async(_translate_in_child, [PT, PT[::-1]]).get(timeout=600)
    assert results == [expected, expected[::-1]]


def test_pivot_goes_through_english(engine: ArgosEngine) -> None:
    english = engine.translate(PT, "pt", "en")
    assert engine.translate(PT, "pt", "de") == engine.translate(english, "en", "de")
    model_id = engine.model_id("pt", "de")
    assert "translate-pt_en-1.0@" in model_id and "translate-en_de-1.0@" in model_id
    assert model_id != engine.model_id("pt", "en")


def test_target_prefix_is_forced_and_removed(engine: ArgosEngine) -> None:
    out = engine.translate(["Hello world.", "Yes."], "en", "fr")
    assert all(out) and not any("__fr__" in text for text in out)


def test_translate_never_touches_the_network(
    installed: Installed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    install_file(installed.files["pt", "en"], packages_dir=tmp_path)
    engine = ArgosEngine(threads=1, packages_dir=tmp_path)  # a fresh model load, too
    assert len(engine.translate(PT, "pt", "en")) == len(PT)


Change = Callable[[str, bytes], tuple[str, bytes] | None]


def _copy(good: Path, dest: Path, change: Change = lambda name, data: (name, data)) -> Path:
    """Copy an .argosmodel, letting ``change`` rename, rewrite or (None) drop members."""
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(dest, "w") as new:
        for name in old.namelist():
            changed = change(name, old.read(name))
            if changed is not None:
                new.writestr(*changed)
    return dest


def _adding(name: str) -> Callable[[Path, Path], Path]:
    def make(good: Path, dest: Path) -> Path:
        _copy(good, dest)
        with zipfile.ZipFile(dest, "a") as archive:
            archive.writestr(name, b"{}")
        return dest

    return make


def _changing_metadata(data: bytes | None) -> Callable[[Path, Path], Path]:
    def change(name: str, old: bytes) -> tuple[str, bytes] | None:
        if not name.endswith("/metadata.json"):
            return name, old
        return None if data is None else (name, data)

    return lambda good, dest: _copy(good, dest, change)


def _without_model(good: Path, dest: Path) -> Path:
    return _copy(good, dest, lambda name, data: None if "/model/" in name else (name, data))


def _not_a_zip(good: Path, dest: Path) -> Path:
    dest.write_bytes(b"PK but not really")
    return dest


BAD_PACKAGES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "two top-level directories": (
        _adding("other/metadata.json"),
        "exactly one top-level directory, this one holds 2",
    ),
    "member escaping with ..": (
        _adding("translate-pt_en-1_0/../../evil.txt"),
        "outside the package directory",
    ),
    "absolute member": (_adding("/tmp/evil.txt"), "outside the package directory"),
    "missing metadata.json": (_changing_metadata(None), "metadata.json is missing"),
    "unparseable metadata.json": (_changing_metadata(b"{oops"), "not valid JSON"),
    "metadata without codes": (_changing_metadata(b"{}"), "has no 'from_code'"),
    "no model": (_without_model, "model/model.bin is missing"),
    "not a zip": (_not_a_zip, "not a zip archive"),
}


@pytest.mark.parametrize("case", sorted(BAD_PACKAGES))
def test_install_refuses_malformed_packages(
    installed: Installed, tmp_path: Path, case: str
) -> None:
    make, message = BAD_PACKAGES[case]
    bad = make(installed.files["pt", "en"], tmp_path / "bad.argosmodel")
    packages_dir = tmp_path / "install" / "packages"
    with pytest.raises(ModelError, match=message):
        install_file(bad, packages_dir=packages_dir)
    assert not (tmp_path / "install").exists()  # nothing written, not even the directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.argosmodel"]


def test_symlink_member_is_refused(installed: Installed, tmp_path: Path) -> None:
    bad = _copy(installed.files["pt", "en"], tmp_path / "bad.argosmodel")
    link = zipfile.ZipInfo("translate-pt_en-1_0/link")
    link.external_attr = 0o120777 << 16
    with zipfile.ZipFile(bad, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ModelError, match="symbolic link"):
        install_file(bad, packages_dir=tmp_path / "packages")
    assert not (tmp_path / "packages").exists()


def test_reinstall_replaces_and_remove_uninstalls(installed: Installed, tmp_path: Path) -> None:
    for _ in range(2):
        info = install_file(installed.files["pt", "en"], packages_dir=tmp_path)
    assert [p.path for p in argos.installed_packages(tmp_path)] == [info.path]
    assert argos.remove("pt", "en", packages_dir=tmp_path) == [info]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ModelError, match="no installed package translates pt -> en"):
        argos.remove("pt", "en", packages_dir=tmp_path)


def test_broken_package_directory_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "half-extracted").mkdir()
    listing = argos.list_packages(tmp_path)
    assert listing.packages == ()
    assert "half-extracted" in listing.problems[0] and "remove" in listing.problems[0]
    with pytest.raises(FileNotFoundError):  # what argostranslate itself does with it
        argos_package.get_installed_packages([tmp_path])


def test_install_from_index_offline_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: object, **kwargs: object) -> socket.socket:
        raise OSError("Network is unreachable")

    def must_not_run() -> None:
        raise AssertionError("argostranslate's index code must not run offline")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    monkeypatch.setattr(argos_package, "update_package_index", must_not_run)
    started = time.monotonic()
    with pytest.raises(ModelError, match="cannot reach the Argos package index") as error:
        argos.install_from_index("pt", "en")
    assert time.monotonic() - started < 10  # argostranslate's own retries take ~30 s
    assert "pipeline models install FILE" in str(error.value)


def test_install_from_index_bounds_a_hanging_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*args: object, **kwargs: object) -> socket.socket:
        time.sleep(120)  # in a daemon thread, left behind
        raise OSError("too late")

    monkeypatch.setattr(socket, "create_connection", hang)
    monkeypatch.setattr(argos, "INDEX_TIMEOUT_S", 0.2)
    started = time.monotonic()
    with pytest.raises(ModelError, match="no answer in 0.2 s"):
        argos.install_from_index("pt", "en")
    assert time.monotonic() - started < 60  # not the lookup's 120 s, however busy the machine


def test_install_command_names_both_ways() -> None:
    command = argos.install_command("pt", "de")
    assert command.startswith("pipeline models install pt de")
    assert "pipeline models install FILE" in command and "pt->en" in command


def test_decoding_of_a_long_input_is_capped_by_max_input_tokens(installed: Installed) -> None:
    # The random model never emits end-of-sentence: every decode runs to its cap.
    text = " ".join(synthetic_lines(9, 300, 40))
    engine = ArgosEngine(beam_size=1, max_decoding_ratio=1.0, max_input_tokens=20)
    (tokens,) = engine.count_tokens([text], "pt", "en")
    assert tokens > 100
    package = engine.route("pt", "en")[0]
    target = spm.SentencePieceProcessor(model_file=str(package.path / "sentencepiece.model"))
    (output,) = engine.translate([text], "pt", "en")
    assert len(target.encode(output)) <= 1.0 * 20 + 10 + 2  # re-encoding may differ by a piece
    assert "<=30;" in engine.model_id("pt", "en")


def test_count_tokens_counts_the_first_model_s_tokens(installed: Installed) -> None:
    engine = ArgosEngine(beam_size=1)
    package = engine.route("pt", "en")[0]
    source = spm.SentencePieceProcessor(model_file=str(package.path / "sentencepiece.model"))
    assert engine.count_tokens(PT, "pt", "de") == [len(source.encode(t)) for t in PT]
    assert engine.count_tokens(PT, "pt", "pt") == [0] * len(PT)


def test_a_model_that_cannot_be_loaded_raises_model_error(
    installed: Installed, tmp_path: Path
) -> None:
    packages_dir = tmp_path / "packages"
    install_package(installed.files["pt", "en"], packages_dir)
    (next(packages_dir.iterdir()) / "model" / "model.bin").write_bytes(b"not a model")
    engine = ArgosEngine(beam_size=1, packages_dir=packages_dir)
    with pytest.raises(ModelError, match="cannot load the model of translate-pt_en-1.0"):
        engine.translate(["Olá."], "pt", "en")


def test_stop_leaves_the_batches_not_started_untranslated(installed: Installed) -> None:
    texts = ["", *synthetic_lines(5, 300, 40)]
    engine = ArgosEngine(beam_size=1, max_decoding_ratio=1.0, threads=1, max_batch_tokens=64)
    for tgt in ("en", "de"):  # direct, and through the English pivot
        full = engine.translate(texts, "pt", tgt)
        answers = iter([False, False, True])  # asked before batches 2, 3 and 4
        part = engine.translate(texts, "pt", tgt, stop=lambda: next(answers))  # noqa: B023
        done = [i for i, output in enumerate(part) if output is not None]
        assert 1 < len(done) < len(texts) and part[0] == ""
        assert [part[i] for i in done] == [full[i] for i in done]
        assert engine.translate(texts, "pt", tgt, stop=lambda: False) == full
        # The first batch always runs: a shard over its budget still makes progress.
        first = engine.translate(texts, "pt", tgt, stop=lambda: True)
        assert 1 < sum(output is not None for output in first) < len(done)


def test_the_translation_waits_for_its_batches_without_polling(
    installed: Installed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches go to CTranslate2 a few at a time (``stop`` given, as in a run); the engine
    # learns that one ended from a thread blocked on its results, not by waking every few
    # milliseconds to ask (which cost CPU and left CTranslate2's thread idle meanwhile).
    texts = synthetic_lines(6, 300, 40)
    engine = ArgosEngine(beam_size=2, threads=2, max_batch_tokens=128, max_decoding_extra=12,
                         min_decoding_length=12)
    full = engine.translate(texts, "pt", "en")
    sleeps: list[float] = []
    sleep = time.sleep

    def counted(seconds: float) -> None:
        sleeps.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(argos.time, "sleep", counted)
    assert engine.translate(texts, "pt", "en", stop=lambda: False) == full
    assert sleeps == []


def test_a_batch_that_ended_is_decoded_after_the_next_is_handed_over(
    installed: Installed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CTranslate2's thread that ran a batch gets the next before the outputs of the one it
    # ran are decoded, so it does not wait for the decoding.
    texts = synthetic_lines(7, 300, 30)
    full = ArgosEngine(beam_size=1, threads=1, max_batch_tokens=64).translate(texts, "pt", "en")
    spy = spy_rows(monkeypatch)
    events: list[str] = []
    load = argos._load

    class Decoder:
        def __init__(self, tokenizer: object) -> None:
            self.tokenizer = tokenizer

        def __getattr__(self, name: str) -> object:
            return getattr(self.tokenizer, name)

        def decode(self, tokens: list[str]) -> str:
            events.append(f"decode after {len(spy.batches)}")
            return self.tokenizer.decode(tokens)  # type: ignore[attr-defined]

    def decoding_load(*args: object) -> argos._LoadedModel:
        model = load(*args)
        return argos._LoadedModel(model.translator, Decoder(model.tokenizer))  # type: ignore[arg-type]

    monkeypatch.setattr(argos, "_load", decoding_load)
    engine = ArgosEngine(beam_size=1, threads=1, max_batch_tokens=64)
    assert engine.translate(texts, "pt", "en", stop=lambda: False) == full
    assert len(spy.batches) > 3
    # One batch at a time: the first batch's outputs are decoded once the second is there.
    assert events[0] == "decode after 2"


def test_prepare_loads_the_route_s_models_and_leaves_errors_to_translate(
    installed: Installed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``prepare`` loads each model of the route once, so that the translation that
    follows loads none; a model that cannot load raises nothing there, and translate
    still reports it."""
    loads: list[Path] = []
    new = argos._new_translator

    def counted(model_dir: Path, *args):
        loads.append(model_dir)
        return new(model_dir, *args)

    monkeypatch.setattr(argos, "_new_translator", counted)
    monkeypatch.setattr(argos, "_LOADED", {})  # no model loaded yet in this process
    engine = ArgosEngine(beam_size=1, threads=1, max_decoding_extra=3)
    engine.prepare("pt", "de")  # through English: two models
    assert [path.parent.name for path in loads] == ["translate-pt_en-1_0", "translate-en_de-1_0"]
    assert engine.translate(PT, "pt", "de") == ArgosEngine(
        beam_size=1, threads=1, max_decoding_extra=3).translate(PT, "pt", "de")
    assert len(loads) == 2  # translate loaded nothing more
    engine.prepare("xx", "en")  # no route: nothing to load
    assert len(loads) == 2

    packages_dir = tmp_path / "packages"
    install_package(installed.files["pt", "en"], packages_dir)
    (next(packages_dir.iterdir()) / "model" / "model.bin").write_bytes(b"not a model")
    broken = ArgosEngine(beam_size=1, packages_dir=packages_dir)
    broken.prepare("pt", "en")
    with pytest.raises(ModelError, match="cannot load the model of translate-pt_en-1.0"):
        broken.translate(["Olá."], "pt", "en")


def test_a_package_s_content_hash_covers_each_file_s_bytes_and_path(tmp_path: Path) -> None:
    """The hash a fingerprint carries: each file's path and bytes in path order (empty
    files included), the README and a sentence model left out; however it reads them."""
    import hashlib

    package = tmp_path / "translate-pt_en-1_0"
    files = {"metadata.json": b'{"from_code": "pt"}', "model/model.bin": bytes(range(256)) * 9000,
             "model/empty.txt": b"", "sentencepiece.model": b"spm"}
    for name, data in {**files, "README.md": b"read me", "stanza/pt/tokenize.pt": b"x"}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(data)
    expected = hashlib.blake2b(digest_size=8)
    for name in sorted(files):
        expected.update(name.encode() + b"\0" + files[name])
    argos._forget(package)
    assert argos._digest(package) == expected.hexdigest()


def _pipeline_without_home(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``pipeline ARGS`` as a cron job or systemd unit whose HOME cannot hold
    argostranslate's folders (under a file: not even root can create them)."""
    (tmp_path / "a-file").write_text("")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "a-file" / "home"),
           "PYTHONPATH": str(Path(__file__).parents[1]), "TMPDIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_home_that_cannot_hold_argostranslate_s_folders_runs_as_without_models(
    tmp_path: Path,
) -> None:
    """argostranslate creates folders under HOME when imported, and raised
    FileNotFoundError there: the run ended as an internal error (exit 70)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Uma notícia sobre o porto de Lisboa, que reabriu hoje.\n")
    done = _pipeline_without_home(tmp_path, "run", str(corpus), "--out", str(tmp_path / "out"))
    assert done.returncode == 3, done.stderr  # missing models, everything else written
    assert "argostranslate cannot create its folders in" in done.stderr
    assert "ARGOS_PACKAGES_DIR" in done.stderr and "internal error" not in done.stderr
    assert "pt-en: pipeline models install pt en" in done.stdout + done.stderr
    assert (tmp_path / "out" / "clean" / "a.txt").is_file()
    assert not list(tmp_path.glob("pipeline-argos-*"))  # the stand-in folder is removed


def test_nothing_is_installed_into_the_stand_in_for_a_missing_home(
    installed: Installed, tmp_path: Path
) -> None:
    done = _pipeline_without_home(tmp_path, "models", "install",
                                  str(installed.files["pt", "en"]))
    assert done.returncode == 2, done.stderr
    assert "nowhere to install models" in done.stderr and "ARGOS_PACKAGES_DIR" in done.stderr
    assert not list(tmp_path.glob("pipeline-argos-*"))
