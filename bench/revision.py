"""A git revision's code beside this tree's, for the benchmarks that run both as
programs (``bench/corpus_cpu.py``, ``bench/languages_memory.py``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sides(rev: str, tmp: Path) -> tuple[dict[str, dict[str, str]], Path]:
    """The environments of two runs, ``rev``'s code (unpacked from git under ``tmp``)
    and this tree's, both without translation models and with a word-list cache of
    their own; and the folder to run them in (the repository's pipeline.toml, no
    pipeline/ package)."""
    common = {**os.environ, "ARGOS_PACKAGES_DIR": str(tmp / "no-models"),
              "XDG_CACHE_HOME": str(tmp / "cache")}
    common.pop("PIPELINE_WORDFREQ", None)
    base = tmp / "baseline"
    base.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    cwd = tmp / "cwd"
    cwd.mkdir()
    shutil.copy(ROOT / "pipeline.toml", cwd / "pipeline.toml")
    return ({f"baseline {rev}": {**common, "PYTHONPATH": str(base)},
             "ours": {**common, "PYTHONPATH": str(ROOT)}}, cwd)
