"""The command line as a stranger types it, second pass (cli11)."""

import os
import subprocess
import sys
from pathlib import Path

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _pipeline(argv: list[str], cwd: Path, stdin: bytes = b"", **env: str):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(cwd / "none"),
           **env}
    return subprocess.run([sys.executable, "-m", "pipeline", *argv], input=stdin,
                          capture_output=True, cwd=cwd, env=env, check=False)


def test_pipeline_without_a_command_is_a_usage_error_on_stderr(capsys):
    # It was a traceback (ValueError from a strict zip over no word) and exit 1; before
    # that, the help on stdout with exit 2, where `pipeline models` wrote it on stderr.
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: pipeline") and "COMMAND" in err
    assert main(["models"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("usage: pipeline models")
