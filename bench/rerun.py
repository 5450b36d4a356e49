"""Incremental reruns and memory: what a scheduled run costs when little changed.

Builds a generated corpus of N documents (default 2,000), then, in one process:
first run, unchanged rerun, rerun after changing 1% of the documents. Prints each
time and its ratio to the first run. Then measures peak memory (max RSS) of a first
run over 2,000 and 20,000 documents, each in a fresh subprocess, and their ratio.

No translation model is installed, so the runs are cleanup and analysis only: the
hardest case for the ratios, since translation would make the first run far longer.

    .venv/bin/python bench/rerun.py                 # timings at 2,000 + memory 2k/20k
    .venv/bin/python bench/rerun.py --docs 500 --no-memory
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUBJECTS = ["O governo", "A prefeitura", "O ministro", "A empresa", "O sindicato", "A polícia"]
VERBS = ["anunciou", "confirmou", "criticou", "adiou", "aprovou", "investigou"]
OBJECTS = ["um novo plano de transporte", "o orçamento do próximo ano", "a reforma do porto",
           "as obras na avenida central", "o acordo com os vizinhos", "a venda da estatal"]
PLACES = ["em Lisboa", "no Porto", "em Coimbra", "em Braga", "em Faro", "em Évora"]


def article(rng: random.Random, i: int) -> str:
    """A generated Portuguese article with the artefacts the pipeline repairs."""
    title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({i})"
    paragraphs = [title, title]
    for _ in range(rng.randint(3, 6)):
        sentences = [
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(PLACES)} na {rng.choice(['segunda', 'terça', 'quarta'])}-feira."
            for _ in range(rng.randint(2, 5))
        ]
        if rng.random() < 0.3:
            sentences.append("A decisão norte -americana surpreendeu o Estado -Maior.")
        paragraphs.append(" ".join(sentences))
    paragraphs.append("Compartilhar\nKommentare (3)")
    return "\n\n".join(paragraphs) + "\n"


def make_corpus(root: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    corpus = root / f"corpus-{n}"
    for i in range(n):
        path = corpus / f"{i // 100:03d}" / f"article-{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article(rng, i), encoding="utf-8")
    return corpus


def timed_run(corpus: Path, out: Path) -> tuple[float, dict]:
    from pipeline.config import Config
    from pipeline.log import RunLog
    from pipeline.runner import run

    with open(os.devnull, "w") as devnull:
        started = time.perf_counter()
        result = run(corpus, out, Config(), log=RunLog(stream=devnull))
        return time.perf_counter() - started, result.report


def peak_memory(corpus: Path, out: Path) -> tuple[float, float]:
    """Max RSS in MiB of `pipeline run` in a fresh process, and its wall time."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(corpus), "--out",
                             str(out)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--no-memory", action="store_true", help="skip the 2k/20k memory runs")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "no-models")
    try:
        corpus = make_corpus(tmp, args.docs)
        out = tmp / "out"
        first, report = timed_run(corpus, out)
        assert report["processed"] == args.docs, report["processed"]
        unchanged, report = timed_run(corpus, out)
        assert report["processed"] == 0
        rng = random.Random(1)
        changed = rng.sample(sorted(corpus.rglob("*.txt")), max(1, args.docs // 100))
        for path in changed:
            path.write_text(path.read_text() + "\nUma frase nova foi acrescentada.\n")
        one_percent, report = timed_run(corpus, out)
        assert report["processed"] == len(changed)
        print(f"documents: {args.docs} (cleanup and analysis, no translation model)")
        print(f"first run          {first:8.2f} s   {args.docs / first:7.1f} docs/s")
        print(f"unchanged rerun    {unchanged:8.3f} s   ratio {unchanged / first:6.2%}  "
              "(target <= 2%)")
        print(f"1% changed rerun   {one_percent:8.3f} s   ratio {one_percent / first:6.2%}  "
              f"(target <= 3%; {len(changed)} documents)")
        if not args.no_memory:
            sizes = (2000, 20000)
            peaks = {}
            for n in sizes:
                corpus_n = make_corpus(tmp, n, seed=n)
                peaks[n], wall = peak_memory(corpus_n, tmp / f"out-{n}")
                print(f"peak memory, first run over {n:6d} documents: {peaks[n]:7.1f} MiB "
                      f"({wall:.0f} s wall)")
                shutil.rmtree(corpus_n)
            print(f"memory ratio 20,000 / 2,000: {peaks[20000] / peaks[2000]:.2f}x "
                  "(target <= 1.3x)")
        print(f"load average: {os.getloadavg()[0]:.2f} (1 min), "
              f"{resource.getpagesize()} B pages")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
