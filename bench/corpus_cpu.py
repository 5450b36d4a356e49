"""A big corpus's CPU and memory without translation models: where a scheduled run goes.

Builds two corpora in a temporary folder (skipped with a message, exit 0, when
``../shared/data`` is absent):

- ``text``: ``--docs`` ``.txt`` articles (default 5,000) of the real sentences of
  ``../shared/data/lingua_langid/sentences``: 85% in the default candidate languages
  (pt de en es fr it nl, in turn), the rest in the other 68 languages (drawn); a title
  line (a sentence without its final mark), then two to four paragraphs of two to six
  sentences, drawn with a fixed seed;
- ``html``: the 91 real pages of ``../shared/data/article_extraction`` (``.html.gz``),
  copied ``--copies`` times (default 20) under different names.

Then, for the baseline (``--rev REV``: that commit, extracted with ``git archive``,
default HEAD) and this tree, alternately (``--repeat`` times), ``pipeline run CORPUS
--out OUT --workers 1 --force`` with no model installed (the run's own process does
the work): documents/s, CPU seconds (user and system of the run and the children it
waited for) and peak RSS (``ru_maxrss``), with the ratio ours/baseline, and whether
the data files of both sides are identical (report.json, report.html and the run
state aside: they hold timings). The word-list cache is built once before anything is
timed. The machine's load is printed: CPU seconds move less with load than wall time.

    .venv/bin/python bench/corpus_cpu.py --rev main
    .venv/bin/python bench/corpus_cpu.py --rev main --docs 1000 --copies 5 --repeat 2
    .venv/bin/python bench/corpus_cpu.py --build /tmp/corpora   # the corpora only
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import revision  # bench/revision.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SENTENCES = DATA / "lingua_langid" / "sentences"
PAGES = DATA / "article_extraction" / "pages"
CANDIDATES = ("pt", "de", "en", "es", "fr", "it", "nl")
OTHERS_SHARE = 0.15  # documents in a language off the candidate list
SEED = 9
# A sentence's final mark, taken off a title line (the scripts' own marks included).
FINAL_MARK = re.compile(r"[.!?…。！？।॥۔։።]+$")
UNSPACED = {"zh", "ja"}  # sentences joined without a space


def make_text_corpus(root: Path, docs: int) -> Path:
    """``docs`` articles (see the module's docstring) under ``root``; returns it."""
    lines = {p.stem: [s for s in p.read_text(encoding="utf-8").splitlines() if s.strip()]
             for p in sorted(SENTENCES.glob("*.txt"))}
    others = sorted(set(lines) - set(CANDIDATES))
    rng = random.Random(SEED)
    for i in range(docs):
        if rng.random() < OTHERS_SHARE:
            lang = rng.choice(others)
        else:
            lang = CANDIDATES[i % len(CANDIDATES)]
        found = lines[lang]
        title = FINAL_MARK.sub("", rng.choice(found)).strip()
        joiner = "" if lang in UNSPACED else " "
        paragraphs = [joiner.join(rng.choice(found) for _ in range(rng.randint(2, 6)))
                      for _ in range(rng.randint(2, 4))]
        path = root / f"{i // 500:02d}" / f"article-{i:05d}-{lang}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join([title, *paragraphs]) + "\n", encoding="utf-8")
    return root


def make_html_corpus(root: Path, copies: int) -> Path:
    """Every page of PAGES copied ``copies`` times under ``root``; returns it."""
    pages = sorted(PAGES.glob("*.html.gz"))
    for k in range(copies):
        folder = root / f"copy-{k:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copyfile(page, folder / f"{k:02d}-{page.name[:16]}.html.gz")
    return root


def timed_run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, int]:
    """Wall s, CPU s (the run and its children), peak RSS MiB (largest process), exit."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    return (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status))


def data_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in ("report.json", "report.html")
            and ".pipeline" not in p.parts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD", help="the baseline: this git revision")
    parser.add_argument("--docs", type=int, default=5000, help="text articles (5000)")
    parser.add_argument("--copies", type=int, default=20, help="copies of the 91 pages (20)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side and corpus")
    parser.add_argument("--corpora", default="text,html", help="text,html (both)")
    parser.add_argument("--build", type=Path, help="only build the corpora into this folder")
    args = parser.parse_args()
    if not SENTENCES.is_dir() or not PAGES.is_dir():
        print(f"skipped: {SENTENCES} or {PAGES} is absent")
        return 0
    wanted = [c for c in args.corpora.split(",") if c]
    if args.build:
        if "text" in wanted:
            make_text_corpus(args.build / "text", args.docs)
        if "html" in wanted:
            make_html_corpus(args.build / "html", args.copies)
        print(f"built {', '.join(wanted)} under {args.build}")
        return 0
    load = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench-corpus-cpu-"))
    try:
        return compare(args, wanted, tmp, load)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compare(args: argparse.Namespace, wanted: list[str], tmp: Path,
            load: tuple[float, float, float]) -> int:
    sides, cwd = revision.sides(args.rev, tmp)
    corpora = {}
    if "text" in wanted:
        corpora["text"] = make_text_corpus(tmp / "corpus-text", args.docs)
    if "html" in wanted:
        corpora["html"] = make_html_corpus(tmp / "corpus-html", args.copies)
    counts = {name: sum(1 for p in corpus.rglob("*") if p.is_file())
              for name, corpus in corpora.items()}
    print("corpora: " + ", ".join(f"{name} {n} documents" for name, n in counts.items()))

    def argv(source: Path, out: Path) -> list[str]:
        return [sys.executable, "-m", "pipeline", "run", str(source), "--out", str(out),
                "--workers", "1", "--force"]

    first = next(iter(sides.values()))  # the word-list cache, built once (untimed)
    timed_run(argv(ROOT / "corpus", tmp / "out-build"), first, cwd)
    results: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
    outputs: dict[str, dict[str, dict[str, bytes]]] = {name: {} for name in corpora}
    for _ in range(args.repeat):
        for corpus_name, corpus in corpora.items():
            for name, env in sides.items():
                out = tmp / f"out-{corpus_name}-{name.split()[0]}"
                shutil.rmtree(out, ignore_errors=True)
                wall, cpu, rss, code = timed_run(argv(corpus, out), env, cwd)
                if code not in (0, 3):  # 3: no translation model (expected)
                    print(f"{name}: pipeline run on {corpus_name} exited {code}")
                    return 1
                measures = results[name]
                measures.setdefault(f"{corpus_name}: documents/s", []).append(
                    counts[corpus_name] / wall)
                measures.setdefault(f"{corpus_name}: CPU (s)", []).append(cpu)
                measures.setdefault(f"{corpus_name}: peak RSS (MiB)", []).append(rss)
                outputs[corpus_name].setdefault(name, data_files(out))
    after = os.getloadavg()
    for corpus_name, found in outputs.items():
        same = len({tuple(sorted(o.items())) for o in found.values()}) == 1
        files = len(next(iter(found.values())))
        print(f"{corpus_name}: data files identical between the sides: "
              f"{'yes' if same else 'NO'} ({files} files)")
    revision.print_medians({name: results[name] for name in sides})
    print(f"\nload average (1 min): before {load[0]:.2f}, after {after[0]:.2f}; "
          f"{os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
