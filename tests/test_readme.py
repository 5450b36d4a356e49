"""The README stays true: its config example loads, its commands exist."""

import argparse
import re
import shlex
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


def _parsers(parser):
    """``parser`` and every sub-parser below it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _commands(text):
    """The ``pipeline ...`` command lines of a help text's or the README's examples: what
    follows ``pipeline`` up to a comment, a redirection, a pipe or a gap of two spaces.

    >>> _commands("examples:\\n  pipeline run x  # why\\n  echo a | pipeline detect < f\\n")
    [['run', 'x'], ['detect']]
    """
    found = []
    for line in text.splitlines():
        match = re.search(r"(?:^\s*|\|\s*|/bin/)pipeline (.*)", line)
        if match:
            command = re.split(r"\s+#|\s{2,}|\s[<>|]", match.group(1))[0]
            found.append(shlex.split(command))
    return found


COMMANDS = {"run", "models", "detect", "explain"}


def test_every_example_in_the_help_and_the_readme_parses():
    # Each example of `pipeline ... --help` and of the README's sh blocks is a command line
    # the parser accepts: no renamed flag, no missing argument, no unknown subcommand.
    parser = build_parser()
    helps = [p.format_help() for p in _parsers(parser)]
    examples = [c for text in helps if "examples:" in text
                for c in _commands(text.split("examples:", 1)[1])]
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    readme = [c for block in blocks for c in _commands(block)  # not the usage lines
              if c and c[0] in COMMANDS and not any("[" in a for a in c)]
    assert len(examples) >= 20 and len(readme) >= 8
    for argv in examples + readme:
        try:
            parser.parse_args(argv)
        except SystemExit as stop:
            raise AssertionError(f"pipeline {shlex.join(argv)}: not accepted") from stop
