"""Test isolation: argostranslate and our engine never see the user's own directories.

argostranslate reads its settings from environment variables at import time and
creates its config, data and cache folders then, so they are pointed at a
throw-away directory before anything imports it.
"""

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="pipeline-tests-"))
_PID = os.getpid()


def _remove_home() -> None:
    """Remove the throw-away directory when the test session's process exits (a forked
    child exiting leaves it to the session): each session left its ~200 MB behind
    (word-list cache, test packages), and hundreds of runs filled the disk."""
    if os.getpid() == _PID:
        shutil.rmtree(_HOME, ignore_errors=True)


atexit.register(_remove_home)
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


@pytest.fixture
def pt_en_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A genuine tiny pt->en Argos package (seed 7), installed in a folder of its own
    that this test's runs read (ARGOS_PACKAGES_DIR)."""
    from pipeline.testing.argos_package import build_package, install_package

    packages = tmp_path / "packages"
    install_package(build_package(tmp_path / "built", "pt", "en", seed=7), packages)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    return packages


# Run summaries: they describe one run (counts of processed and unchanged
# documents, timings), so they differ between a first run and a rerun. A large
# corpus's review report is the folder OUT/report/ (its index counts the run too).
RUN_SUMMARIES = ("report.json", "report.html")
REPORT_FOLDER = "report"


def _data_files(out: Path) -> dict[str, bytes]:
    """Every data file under ``out``: what identical input must reproduce byte for byte."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in RUN_SUMMARIES and ".pipeline" not in p.parts
        and p.relative_to(out).parts[0] != REPORT_FOLDER
    }


@pytest.fixture
def data_files():
    return _data_files


class TaggingEngine:
    """A route for every pair but ``missing``; a translation is the text tagged with its target."""

    def __init__(self, missing: frozenset[tuple[str, str]] = frozenset()):
        self.missing = missing

    def route(self, src: str, tgt: str) -> object | None:
        return None if (src, tgt) in self.missing else (src, tgt)

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        return [f"[{tgt}] {text}" for text in texts]


def _process_corpus(corpus: Path, targets: list[str], missing=frozenset()) -> list:
    """Every document of ``corpus`` through the real stages, then a tagging translation."""
    from pipeline.config import Config
    from pipeline.document import Document
    from pipeline.shard import build_stages, process_document
    from pipeline.stages.translate import Translate

    stages = build_stages(Config())
    docs = [
        process_document(Document(doc=p.relative_to(corpus).as_posix(), raw=p.read_bytes()), stages)
        for p in sorted(corpus.rglob("*.txt"))
    ]
    Translate(TaggingEngine(missing), targets).process_batch(docs)
    return docs


@pytest.fixture(scope="session")
def process_corpus():
    return _process_corpus


def load_bench(name: str) -> ModuleType:
    """The script bench/<name>.py as the module ``bench_<name>`` (bench/ is no package).
    Registered in sys.modules first: its dataclasses look their module up by name."""
    path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"bench_{name}"] = module
    spec.loader.exec_module(module)
    return module


# Debian's system Chromium, which the review report's browser tests drive through
# Playwright (a test extra; .ci/run installs the package: no browser download).
BROWSER = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for a test module's pages (the module skips without it)."""
    from playwright.sync_api import sync_playwright  # a test extra (pyproject.toml)

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=BROWSER, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()
