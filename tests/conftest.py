"""Test isolation: argostranslate and our engine never see the user's own directories.

argostranslate reads its settings from environment variables at import time and
creates its config, data and cache folders then, so they are pointed at a
throw-away directory before anything imports it.
"""

import os
import tempfile
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="pipeline-tests-"))
for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = str(_HOME / var.lower())
os.environ["ARGOS_PACKAGES_DIR"] = str(_HOME / "argos-packages")

SEED = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the sample corpus."""
    import shutil

    dest = tmp_path / "corpus"
    shutil.copytree(SEED, dest)
    return dest
