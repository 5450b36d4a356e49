"""The README stays true: its config example loads, its commands exist."""

import re
from pathlib import Path

from pipeline.cli import build_parser
from pipeline.config import load_config

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_config_example_is_a_valid_config(tmp_path):
    example = re.search(r"```toml\n(.*?)```", README, re.S).group(1)
    path = tmp_path / "pipeline.toml"
    path.write_text(example)
    config = load_config(path)
    assert config.targets == ["en", "de"]


def test_every_run_flag_in_the_readme_exists():
    usage = re.search(r"pipeline run \[CORPUS\].*?\n(?:\s+\[.*\n)*", README).group(0)
    flags = set(re.findall(r"--[a-z-]+", usage))
    known = set()
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    for action in run._actions:
        known.update(action.option_strings)
    assert flags and flags <= known, flags - known
