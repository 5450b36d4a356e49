"""One big text file: the peak memory and CPU of ``pipeline run`` on it, baseline and ours.

Builds, in a temporary folder, a Portuguese book of ``--mb`` megabytes (default 19, just
under the default ``max_file_bytes``) from the UD PUD sentences
(``../shared/data/ud_pud/pud.pt.txt``; skipped when absent): paragraphs of 2 to 5
sentences drawn at random (seeded), one blank line apart. ``--files N`` makes N such
books (different seeds) and runs with ``--workers N``. No translation model is
installed; ``document_timeout_s`` is raised so that the book is not quarantined, and
``max_file_bytes`` where the book is over its default (``--mb 60``).

Then, alternately (``--repeat`` times), the baseline (``--rev REV``: that commit,
extracted with ``git archive``) and this tree run ``pipeline run --force`` on it. For
each run: the peak resident memory of the run's largest process (``ru_maxrss`` from
``wait4``: the run's own process, or with ``--workers`` the largest of it and its
workers) and the CPU seconds (user + system) of the whole tree. It prints the medians,
their ratio, and whether every output file of both sides is byte-identical (the run's
state and report.json, which holds timings, aside).

    .venv/bin/python bench/big_document.py --rev HEAD~2
    .venv/bin/python bench/big_document.py --rev HEAD~2 --mb 8 --files 2 --repeat 2
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import revision  # bench/revision.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
PUD = Path("shared") / "data" / "ud_pud" / "pud.pt.txt"


def sentences_file() -> Path:
    """``../shared/data/ud_pud/pud.pt.txt`` beside this checkout, else beside the main
    checkout of a git worktree (whose ``../shared`` is elsewhere)."""
    here = ROOT.parent / PUD
    if here.is_file():
        return here
    common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-common-dir"],
                            capture_output=True, text=True).stdout.strip()
    main = (ROOT / common).resolve().parent.parent / PUD if common else here
    return main if main.is_file() else here


SENTENCES = sentences_file()
CONFIG = "document_timeout_s = 3000\n"
DEFAULT_MAX_FILE_BYTES = 20_000_000  # pipeline.config.Config.max_file_bytes


def config(size: int) -> str:
    """The runs' configuration: ``max_file_bytes`` raised where a book of ``size`` bytes
    is over the default (which would quarantine it unread).

    >>> config(19_000_000) == CONFIG, config(60_000_000).splitlines()[1]
    (True, 'max_file_bytes = 61000000')
    """
    if size < DEFAULT_MAX_FILE_BYTES:
        return CONFIG
    return f"{CONFIG}max_file_bytes = {size + 1_000_000}\n"


def build_book(path: Path, size: int, seed: int) -> None:
    """``size`` bytes (about) of paragraphs of 2 to 5 PUD sentences."""
    sentences = SENTENCES.read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    paragraphs, total = [], 0
    while total < size:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        total += len(paragraph.encode()) + 2
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def run_once(env: dict[str, str], cwd: Path, corpus: Path, out: Path, workers: int
             ) -> dict[str, float]:
    """One ``pipeline run``: its largest process's peak RSS (MiB), CPU and wall seconds."""
    argv = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
            "--config", str(cwd / "big.toml"), "--force"]
    if workers > 1:
        argv += ["--workers", str(workers)]
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):  # 3: translation models missing, as expected here
        sys.exit(f"pipeline run failed ({code}): {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    # Linux: wait4's usage is the run's and that of the workers it reaped (ru_maxrss:
    # the largest of them, in KiB).
    return {"peak RSS MiB": usage.ru_maxrss / 1024,
            "CPU s (user+sys)": usage.ru_utime + usage.ru_stime, "wall s": wall}


def same_outputs(one: Path, two: Path) -> list[str]:
    """The files that differ or exist on one side only (the state and report.json aside)."""
    differ: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        differ.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files,
                                               shallow=False)
        differ.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(one, two, ignore=[".pipeline", "report.json"]), "")
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rev", default="HEAD", help="the baseline commit (default HEAD)")
    parser.add_argument("--mb", type=float, default=19, help="megabytes a book (default 19)")
    parser.add_argument("--files", type=int, default=1, help="books, run with --workers N")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not SENTENCES.is_file():
        print(f"skipped: {SENTENCES} is absent")
        return
    with tempfile.TemporaryDirectory(prefix="big-document-") as name:
        tmp = Path(name)
        envs, cwd = revision.sides(args.rev, tmp)
        (cwd / "big.toml").write_text(config(int(args.mb * 1e6)), encoding="utf-8")
        corpus = tmp / "corpus"
        corpus.mkdir()
        for i in range(args.files):
            build_book(corpus / f"book{i}.txt", int(args.mb * 1e6), seed=13 + i)
        print(f"{args.files} book(s) of {args.mb:g} MB; load average "
              f"{os.getloadavg()[0]:.2f} at the start")
        results: dict[str, dict[str, list[float]]] = {side: {} for side in envs}
        for round_ in range(args.repeat):
            for side, env in envs.items():
                measures = run_once(env, cwd, corpus, tmp / f"out-{list(envs).index(side)}",
                                    args.files)
                print(f"round {round_ + 1} {side}: " + ", ".join(
                    f"{k} {v:.1f}" for k, v in measures.items()), flush=True)
                for key, value in measures.items():
                    results[side].setdefault(key, []).append(value)
        revision.print_medians(results)
        differ = same_outputs(tmp / "out-0", tmp / "out-1")
        print("outputs byte-identical" if not differ else f"outputs DIFFER: {differ[:10]}")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
