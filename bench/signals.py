"""How long a run takes to stop on SIGTERM, with the shard in flight slow.

Cleanup (the default): a generated corpus of 32 short articles (the first shard,
committed quickly), then long lines without a full stop, whose cleanup takes
seconds per 100 KB (a real slow input, not an injected delay).

Translation (``--translate``): 160 short articles and a Transformer-base pt-en
package built on the fly (``pipeline.testing.argos_package``, random weights,
the CPU cost of a real model): the next shards are in translation.

Each run is sent SIGTERM one second after the first shard is committed, with the
next one in flight; the time from the signal to the process's exit is measured,
with the exit code and the documents committed. The baseline is the same code
before the change (``--baseline REV``, extracted with ``git archive``), run in the
same session; it stops only once the shard in flight ends, and is given at most
``--patience`` seconds.

    .venv/bin/python bench/signals.py                 # workers 1 and 2, ours and baseline
    .venv/bin/python bench/signals.py --translate --workers 1
    .venv/bin/python bench/signals.py --no-baseline --workers 2
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "bbbdf6f"  # the branch point of the signal work
SHORT = ("Notícia {i}\n\nNotícia {i}\n\nA cidade número {i} anunciou hoje um novo plano de "
         "transporte norte -americano. O prefeito disse que as obras começam em março.\n\n"
         "Compartilhar\n")
SLOW = "Palavra norte -coreana , outra sem ponto " * 40_000  # about 13 s of cleanup each


def make_corpus(root: Path, short: int, slow: int) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(short):
        (corpus / f"a{i:03d}.txt").write_text(SHORT.format(i=i), encoding="utf-8")
    for i in range(slow):
        (corpus / f"z{i:03d}.txt").write_text(SLOW, encoding="utf-8")
    return corpus


def build_model(root: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from pipeline.testing.argos_package import build_package, install_package

    packages = root / "packages"
    install_package(build_package(root, "pt", "en", seed=1, size="base"), packages)
    return packages


def committed(out: Path) -> int:
    path = out / ".pipeline" / "state.sqlite"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def stop_time(code: Path, corpus: Path, out: Path, workers: int, patience: float,
              packages: Path | None) -> dict:
    config = out.parent / f"{out.name}.toml"
    config.write_text("document_timeout_s = 3600\n")
    env = {**os.environ, "PYTHONPATH": str(code),
           "ARGOS_PACKAGES_DIR": str(packages or out.parent / "no-models")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out), "--config",
         str(config), "--workers", str(workers), "--no-cache"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=code,  # python -m puts the current folder first on the path
    )
    started = time.monotonic()
    while committed(out) == 0 and proc.poll() is None and time.monotonic() - started < 600:
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the slow shards
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code_ = proc.wait(timeout=patience)
        stopped = round(time.monotonic() - sent, 2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code_, stopped = None, None
    return {"exit": code_, "stop_s": stopped, "committed": committed(out)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--slow", type=int, default=6,
                        help="slow documents in the cleanup case (default 6)")
    parser.add_argument("--translate", action="store_true",
                        help="the shard in flight is in translation (base-size model)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the baseline")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--patience", type=float, default=300.0,
                        help="seconds a run is given to stop (default 300)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-signals-") as tmp:
        root = Path(tmp)
        packages = build_model(root) if args.translate else None
        corpus = make_corpus(root, 160, 0) if args.translate else make_corpus(root, 32, args.slow)
        codes = {"ours": ROOT}
        if not args.no_baseline:
            base = root / "baseline"
            base.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline,
                                      "pipeline"], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
            codes["baseline"] = base
        flight = "the next shards in translation" if args.translate else (
            f"{args.slow} slow documents in cleanup")
        print(f"SIGTERM 1 s after the first shard (32 documents) is committed; {flight}")
        print(f"{'workers':>7}  {'code':<8}  {'exit':>4}  {'stop s':>7}  committed")
        for workers in args.workers:
            times = {}
            for name, code in codes.items():
                result = stop_time(code, corpus, root / f"out-{name}-{workers}", workers,
                                   args.patience, packages)
                times[name] = result["stop_s"]
                stop = "n/a" if result["stop_s"] is None else f"{result['stop_s']:.2f}"
                print(f"{workers:>7}  {name:<8}  {result['exit']!s:>4}  {stop:>7}  "
                      f"{result['committed']}", flush=True)
            if times.get("baseline") and times.get("ours"):
                print(f"{'':>7}  baseline / ours: {times['baseline'] / times['ours']:.1f}x")
            elif "baseline" in times and times.get("ours"):
                print(f"{'':>7}  baseline / ours: more than "
                      f"{args.patience / times['ours']:.0f}x (no stop within {args.patience:g} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
