"""A git revision's code beside this tree's, and their medians side by side, for the
benchmarks that run both as programs (``bench/corpus_cpu.py``, ``bench/languages_memory.py``)."""

from __future__ import annotations

import os
import shutil
import statistics
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


def print_medians(results: dict[str, dict[str, list[float]]]) -> None:
    """Each measure's median on both sides (the baseline first) and their ratio; a
    measure the baseline lacks is nan."""
    names = list(results)
    width = max(len(m) for m in results[names[1]]) + 2
    print(f"\n{'measure (median)':<{width}}{names[0]:>22}{names[1]:>10}{'ratio':>8}")
    for measure, values in results[names[1]].items():
        theirs = statistics.median(results[names[0]].get(measure, [float("nan")]))
        mine = statistics.median(values)
        print(f"{measure:<{width}}{theirs:>22.1f}{mine:>10.1f}{mine / theirs:>8.2f}")
