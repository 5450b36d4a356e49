"""Config file: defaults, overrides, and errors that name the key."""

import re

import pytest

from pipeline.config import COMPUTE_TYPES, Config, ConfigError, load_config, parse_langs


def test_defaults_translate_into_english():
    config = load_config(None)
    assert config.targets == ["en"]
    assert config.translate.beam_size >= 1


def test_file_overrides_defaults(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('targets = ["en", "de"]\n[translate]\nbeam_size = 1\n')
    config = load_config(path)
    assert config.targets == ["en", "de"]
    assert config.translate.beam_size == 1


@pytest.mark.parametrize(
    "body, message",
    [
        ('targts = ["en"]', "unknown config key 'targts'"),
        ("[translate]\nbeam_size = 'four'", "'translate.beam_size' must be int"),
        ("[translate]\nbeam_size = 0", "translate.beam_size = 0: must be 1 or more"),
        ("targets = [", "not valid TOML"),
        ('targets = ["english"]', "targets: 'english' is not a language code"),
        ('[translate]\ncompute_type = "float128"',
         "translate.compute_type = 'float128' is not a CTranslate2 compute type; use one of "
         "default, auto, int8, "),
        ("max_file_bytes = -5", "max_file_bytes = -5: must be a whole number of bytes above 0"),
        ("max_file_bytes = 0", "max_file_bytes = 0: must be"),
        ("document_timeout_s = 0", "document_timeout_s = 0.0: must be a number of seconds"),
        ("document_timeout_s = -1.5", "document_timeout_s = -1.5: must be"),
        ("document_timeout_s = nan", "document_timeout_s = nan: must be"),
        ("document_timeout_s = inf", "document_timeout_s = inf: must be"),
        ("[translate]\nmax_batch_tokens = 0", "translate.max_batch_tokens = 0: must be 1 or more"),
        ("[translate]\nthreads = -1", "translate.threads = -1: must be 0"),
        ("[translate]\nmax_decoding_ratio = 0", "translate.max_decoding_ratio = 0.0: must be"),
        ("[translate]\nshard_timeout_s = 0", "translate.shard_timeout_s = 0.0: must be a number"),
        ("[translate]\nbeam_size = -3", "translate.beam_size = -3: must be 1 or more"),
        ("targets = [1]", "targets must be a list of non-empty strings, got 1"),
        ('[translate]\nterms = ["Kim", ""]', "translate.terms must be a list of non-empty"),
        ('[detect]\ncandidates = ["pt", 2]', "detect.candidates must be a list of non-empty"),
        ('targets = ["en", "id"]', "targets: target language 'id' cannot be written"),
        ('[labels.fields.location]\nvalue = "("\nde = ["Ort"]', r"\[labels\]: "),
        ('[labels.widget]\nde = ["Jetzt"]', r"\[labels\]: unknown label section"),
    ],
)
def test_bad_config_names_the_file_and_the_problem(tmp_path, body, message):
    path = tmp_path / "p.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=re.escape(f"config file {path}")) as caught:
        load_config(path)
    assert re.search(message, str(caught.value)), str(caught.value)


def test_every_ctranslate2_compute_type_is_accepted(tmp_path):
    path = tmp_path / "p.toml"
    for compute_type in COMPUTE_TYPES:
        path.write_text(f'[translate]\ncompute_type = "{compute_type}"\n')
        assert load_config(path).translate.compute_type == compute_type
    assert "float128" not in COMPUTE_TYPES and "int8" in COMPUTE_TYPES


def test_values_given_in_code_are_checked_by_the_runner_too(tmp_path, corpus_copy):
    from pipeline.runner import run

    config = Config(document_timeout_s=0)
    with pytest.raises(ConfigError, match="document_timeout_s = 0: must be"):
        run(corpus_copy, tmp_path / "out", config)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "body, key",
    [
        ('[translate]\ncompute_type = "float128"\n', "translate.compute_type"),
        ("max_file_bytes = -5\n", "max_file_bytes"),
        ("document_timeout_s = 0\n", "document_timeout_s"),
        ("beam = 2\n", "unknown config key 'beam'"),
    ],
)
def test_an_error_in_the_implicit_pipeline_toml_names_it_and_exits_2_before_any_work(
    tmp_path, monkeypatch, capsys, corpus_copy, body, key
):
    from pipeline.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    (tmp_path / "pipeline.toml").write_text(body)
    out = tmp_path / "out"
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "config file pipeline.toml (read from the current directory" in err, err
    assert key in err
    assert not out.exists()


@pytest.mark.parametrize("kind", ["folder", "broken link"])
def test_a_pipeline_toml_that_is_no_file_is_an_error_not_the_defaults(
    tmp_path, monkeypatch, capsys, corpus_copy, kind
):
    """A folder (or a link to nothing) named pipeline.toml was silently ignored."""
    from pipeline.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    if kind == "folder":
        (tmp_path / "pipeline.toml").mkdir()
    else:
        (tmp_path / "pipeline.toml").symlink_to(tmp_path / "gone.toml")
    out = tmp_path / "out"
    assert main(["run", str(corpus_copy), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "config file pipeline.toml (read from the current directory" in err, err
    assert ("is a folder, not a TOML file" if kind == "folder" else "does not exist") in err
    assert not out.exists()


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_candidates_include_targets():
    config = Config(targets=["ja"])
    assert config.candidates()[-1] == "ja"
    assert parse_langs("EN, de") == ["en", "de"]


def test_a_target_named_like_a_segment_record_key_is_refused_before_any_work(
    corpus_copy, tmp_path, capsys
):
    from pipeline.cli import main

    out = tmp_path / "out"
    assert main(["run", str(corpus_copy), "--out", str(out), "--to", "en,id"]) == 2
    err = capsys.readouterr().err
    assert "'id'" in err and "segments.jsonl" in err and "Choose other targets" in err
    assert not out.exists()


def test_the_refused_target_codes_are_exactly_the_segment_record_keys():
    from pipeline.document import Block, Document, Segment
    from pipeline.writers.jsonl import RECORD_KEYS, segment_records

    seg = Segment("a.txt#1.1", "Olá", lang="pt", translations={"en": "Hello"})
    doc = Document("a.txt", blocks=[Block("title", "Olá", segments=[seg])])
    [record] = segment_records(doc, ["en"])
    assert set(record) - {"en"} == set(RECORD_KEYS)


@pytest.mark.parametrize(
    "body, hint",
    [
        ('[run]\ntargets = ["en"]\n', "did you mean 'targets' (at the top, before any [table])?"),
        ("beam_size = 2\n", "did you mean 'beam_size' in [translate]?"),
        ("[translate]\nbeam = 2\n", "did you mean 'beam_size' in [translate]?"),
    ],
)
def test_an_unknown_key_names_the_key_meant(tmp_path, body, hint):
    # a key put in the wrong table, or misspelt: the message says where it belongs
    path = tmp_path / "p.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).endswith(hint), caught.value
