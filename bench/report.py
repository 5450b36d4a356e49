"""Report page and whole-run times: the writers stay linear, the run stays bounded.

Three measures, each beside its baseline where one can run:

``page``
    ``OUT/report.html`` for one document with 1k, 10k and 100k fixes, written by the
    page writer before this change (``pipeline/writers/html.py`` at commit
    :data:`BASELINE`, loaded from git into this process) and by ours. Two shapes of
    document: the issue's article (every sentence "Uma frase norte -coreana.", so
    every fix has the same text) and one whose fixes all differ. The baseline runs in
    a child process stopped after ``--limit`` seconds; once it overruns, larger
    sizes are not tried (it grew faster than the square of the fixes).
``article``
    ``pipeline run`` end to end, as a user runs it, on a corpus holding one
    Portuguese article of ``--sentences`` sentences (default 8,000; the issue: 424 s
    before, target 10 s), and the baseline code at ``--baseline-sentences`` (default
    2,000: the issue measured 47 s; 0 skips it). Prints the wall time beside
    report.json's ``timings_s.total`` (target: within 10%).
``hostile``
    ``pipeline run`` on the hostile corpus (target: 60 s on 2 cores): the cases of
    ``tests/hostile/test_pathological_text.py`` (a 5 MB line, 200 KB of " -", deep
    brackets, every Unicode category, control characters, hyphen and label storms)
    plus binary bytes, an empty file, a link out of the corpus and one inside it.

Run from the repository root (needs git for the baseline)::

    .venv/bin/python bench/report.py                  # all three
    .venv/bin/python bench/report.py page --limit 60
    .venv/bin/python bench/report.py article --sentences 8000 --baseline-sentences 0
    .venv/bin/python bench/report.py hostile --workers 2

No model is installed for these runs (an empty ``ARGOS_PACKAGES_DIR``): every run
ends with exit 3, "missing translation models", and writes everything else.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.document import Block, Document, Fix, Segment, Source  # noqa: E402
from pipeline.writers import html  # noqa: E402

BASELINE = "bbbdf6f"  # the commit before the page writer became linear
SIZES = (1_000, 10_000, 100_000)
SENTENCE = "Uma frase norte -coreana."


def git_file(commit: str, path: str) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:{path}"],
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def baseline_html() -> ModuleType | None:
    """The page writer at BASELINE, as a module of this process (None without git)."""
    source = git_file(BASELINE, "pipeline/writers/html.py")
    if source is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location("baseline_html", handle.name)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_html"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    os.unlink(handle.name)
    return module


def document(fixes: int, same: bool) -> tuple[Document, str]:
    """One document of ``fixes`` sentences, one fix each, as the stages leave it, and
    its source text. ``same``: every fix is "norte -coreana" -> "norte-coreana", as in
    the issue's article; else each fix has a text of its own."""
    def words(i: int) -> tuple[str, str]:
        return ("norte -coreana", "norte-coreana") if same else (f"nort{i} -cor{i}",
                                                                 f"nort{i}-cor{i}")

    sentences = [f"Uma frase {words(i)[0]}." for i in range(fixes)]
    clean = [f"Uma frase {words(i)[1]}." for i in range(fixes)]
    segments = [Segment(f"a.txt#1.{i + 1}", text, "pt", 1.0) for i, text in enumerate(clean)]
    doc = Document(
        "a.txt", text=" ".join(sentences), source=Source("0" * 64, "utf-8", 0), lang="pt",
        lang_score=1.0, blocks=[Block("paragraph", " ".join(clean), "pt", segments)],
        fixes=[Fix("repair", "split_compound", *words(i)) for i in range(fixes)],
    )
    return doc, " ".join(sentences) + "\n"


def page_seconds(module: ModuleType, fixes: int, same: bool, out: Path) -> tuple[float, str]:
    doc, source = document(fixes, same)
    report = {"documents": 1, "targets": ["en"]}
    started = time.perf_counter()
    module.write_html(out, [doc], report, lambda _: source)
    return time.perf_counter() - started, (out / "report.html").read_text(encoding="utf-8")


def _child(connection, fixes: int, same: bool, out: str) -> None:
    module = baseline_html()
    assert module is not None
    connection.send(page_seconds(module, fixes, same, Path(out))[0])


def baseline_seconds(fixes: int, same: bool, out: Path, limit: float) -> float | None:
    """The baseline's page time, in a child process; None when it overran ``limit``."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, fixes, same, str(out)))
    child.start()
    answer = receive.recv() if receive.poll(limit) else None
    child.kill()
    child.join()
    return answer


def bench_page(limit: float) -> None:
    have_baseline = baseline_html() is not None
    print(f"report.html for one document: seconds to write the page (baseline: html.py at "
          f"{BASELINE}{'' if have_baseline else ', not available: no git'}; "
          f"stopped after {limit:g} s)")
    print(f"{'fixes':>8} {'shape':>9} {'baseline s':>11} {'ours s':>8} {'ours ms/1k fixes':>17} "
          f"{'ratio':>7} {'marks':>6}  note")
    with tempfile.TemporaryDirectory() as tmp:
        for same in (True, False):
            overran = not have_baseline
            for fixes in SIZES:
                out = Path(tmp)
                ours, page = page_seconds(html, fixes, same, out)
                old = None if overran else baseline_seconds(fixes, same, out, limit)
                if old is None:
                    old_text, ratio = (f">{limit:g}" if not overran else "not run"), ""
                    overran = True
                else:
                    old_text, ratio = f"{old:.2f}", f"{old / ours:.0f}x"
                marks = page.count('<mark class="fix" title=')
                note = "capped (said on the page)" if "up to a limit" in page else ""
                print(f"{fixes:>8} {'same' if same else 'distinct':>9} {old_text:>11} "
                      f"{ours:>8.3f} {1000 * ours / fixes * 1000:>17.1f} {ratio:>7} "
                      f"{marks:>6}  {note}")


def pipeline_run(code: Path, corpus: Path, out: Path, *extra: str) -> tuple[float, dict]:
    """``pipeline run`` in a fresh process running ``code``: wall seconds and report.json."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    env["ARGOS_PACKAGES_DIR"] = str(out.parent / "no-models")
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out), *extra]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=out.parent)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return wall, json.loads((out / "report.json").read_text(encoding="utf-8"))


def article(directory: Path, sentences: int) -> Path:
    corpus = directory / f"corpus-{sentences}"
    corpus.mkdir()
    (corpus / "artigo.txt").write_text(" ".join([SENTENCE] * sentences) + "\n",
                                       encoding="utf-8")
    return corpus


def baseline_code(directory: Path) -> Path | None:
    """The pipeline package at BASELINE, extracted from git (None without git)."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE, "pipeline"],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    code = directory / "baseline"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(code, filter="data")
    return code


def bench_article(sentences: int, baseline_sentences: int) -> None:
    print(f"pipeline run, one article of N sentences '{SENTENCE}' (no models: exit 3)")
    print(f"{'code':>9} {'sentences':>10} {'wall s':>8} {'report total s':>15} "
          f"{'gap':>6}  phases (report.json timings_s)")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(ROOT, sentences, "ours")]
        if baseline_sentences:
            code = baseline_code(Path(tmp))
            if code is None:
                print("baseline: not available (no git)")
            else:
                runs = [(code, baseline_sentences, "baseline"), (ROOT, baseline_sentences,
                                                                 "ours"), *runs]
        for n, (code, size, name) in enumerate(runs):
            place = Path(tmp) / str(n)
            place.mkdir()
            wall, report = pipeline_run(code, article(place, size), place / "out")
            timings = report["timings_s"]
            gap = (wall - timings["total"]) / wall
            phases = ", ".join(f"{k} {v}" for k, v in timings.items() if k != "total")
            print(f"{name:>9} {size:>10} {wall:>8.2f} {timings['total']:>15.2f} {gap:>6.1%}  "
                  f"{phases}")


def load_cases() -> dict[str, str]:
    """The pathological texts of the hostile tests (one definition for both)."""
    path = ROOT / "tests" / "hostile" / "test_pathological_text.py"
    spec = importlib.util.spec_from_file_location("pathological_cases", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def hostile_corpus(directory: Path) -> Path:
    corpus = directory / "hostile"
    corpus.mkdir()
    for n, (name, text) in enumerate(sorted(load_cases().items()), start=1):
        slug = "".join(c if c.isalnum() else "-" for c in name)
        (corpus / f"{n:02d}-{slug}.txt").write_text(text, encoding="utf-8")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 400)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "good.txt").write_text("A Coreia do Norte e a Rússia assinaram um acordo.\n",
                                     encoding="utf-8")
    outside = directory / "outside.txt"
    outside.write_text("fora do corpus\n", encoding="utf-8")
    (corpus / "link-out.txt").symlink_to(outside)
    (corpus / "link-in.txt").symlink_to("good.txt")
    return corpus


def bench_hostile(workers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = hostile_corpus(Path(tmp))
        files = sorted(p.name for p in corpus.iterdir())
        wall, report = pipeline_run(ROOT, corpus, Path(tmp) / "out", "--workers", str(workers))
        print(f"pipeline run on the hostile corpus ({len(files)} files, --workers {workers}): "
              f"{wall:.1f} s wall (target 60 s), report total {report['timings_s']['total']} s")
        print(f"  phases: {report['timings_s']}")
        print(f"  ok {report['ok']}, quarantined: " + "; ".join(
            f"{q['doc']} ({q['reason'][:60]})" for q in report["quarantined"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="*", metavar="page|article|hostile",
                        help="which measures (default: all)")
    parser.add_argument("--limit", type=float, default=120,
                        help="seconds the baseline page may take before it is stopped")
    parser.add_argument("--sentences", type=int, default=8_000)
    parser.add_argument("--baseline-sentences", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2, help="for the hostile run")
    args = parser.parse_args()
    what = args.what or ["page", "article", "hostile"]
    if set(what) - {"page", "article", "hostile"}:
        parser.error("measures are page, article and hostile")
    if "page" in what:
        bench_page(args.limit)
    if "article" in what:
        bench_article(args.sentences, args.baseline_sentences)
    if "hostile" in what:
        bench_hostile(args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
