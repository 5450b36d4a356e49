"""The test session's throw-away home (tests/conftest.py) does not outlive the session."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_test_session_removes_its_throw_away_home(tmp_path):
    # Each session left its directory (~200 MB: the word-list cache, test packages) in
    # /tmp: 814 of them, 57 GB, filled this machine's disk.
    probe = tmp_path / "test_probe.py"
    seen = tmp_path / "home.txt"
    probe.write_text("import os\n\n\ndef test_probe():\n"
                     f"    open({str(seen)!r}, 'w').write(os.environ['XDG_CACHE_HOME'])\n",
                     encoding="utf-8")
    # The session's conftest is this project's, loaded as a module of another name.
    ours = str(REPO / "tests" / "conftest.py")
    (tmp_path / "conftest.py").write_text(
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('ours', {ours!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "--basetemp", str(tmp_path / "pt"), str(probe)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    home = Path(seen.read_text(encoding="utf-8")).parent
    assert home.name.startswith("pipeline-tests-")
    assert not home.exists()
