"""Output files and folders get the modes ``open()`` and ``mkdir`` would give them."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modes(out: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Permission bits of every output file and folder, the run state left out."""
    files, folders = {}, {}
    for path in out.rglob("*"):
        rel = path.relative_to(out)
        if rel.parts[0] == ".pipeline":
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        (folders if path.is_dir() else files)[rel.as_posix()] = mode
    return files, folders


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask-022", "umask-027"])
def test_outputs_follow_the_umask(corpus_copy, tmp_path, umask):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "ARGOS_PACKAGES_DIR": str(tmp_path / "no-models")}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(corpus_copy), "--out", str(out)],
        env=env, capture_output=True, text=True, umask=umask,
    )
    assert done.returncode == 3, done.stderr  # missing models: everything else written
    files, folders = _modes(out)
    assert {"report.json", "report.html", "documents.jsonl", "segments.jsonl",
            "clean/article-pt.txt"} <= set(files)
    assert "clean/en" in folders
    assert files == dict.fromkeys(files, 0o666 & ~umask)
    assert folders == dict.fromkeys(folders, 0o777 & ~umask)
