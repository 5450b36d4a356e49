"""Command-line misuse as a stranger makes it: a usage error is exit 2 with a message."""

import pytest

from pipeline.cli import main


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("O porto de Lisboa reabriu ontem.\n",
                                               encoding="utf-8")


def test_models_without_an_action_is_a_usage_error(capsys):
    # It printed the help and exited 0, as if something had been done.
    assert main(["models"]) == 2
    assert "list" in capsys.readouterr().err
