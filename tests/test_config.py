"""Config file: defaults, overrides, and errors that name the key."""

import pytest

from pipeline.config import Config, ConfigError, load_config, parse_langs


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
        ("[translate]\nbeam_size = 0", "beam_size must be 1 or more"),
        ("targets = [", "not valid TOML"),
        ('targets = ["english"]', "'english' is not a language code"),
    ],
)
def test_bad_config_names_the_problem(tmp_path, body, message):
    path = tmp_path / "p.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


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
