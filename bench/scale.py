"""Executor throughput: 1 and 2 local workers, and a local Ray, on the same corpus.

A cleanup-heavy generated corpus (no translation model installed, so every
document is read, repaired, segmented and analysed), processed from scratch by
each executor in turn; prints documents/s and the ratio to one local worker, and
checks that every executor wrote the same bytes. Each run is a new ``pipeline run``
process, as a user or cron starts it; the local settings alternate ``--repeat`` times
and the medians are compared. Then the Ray overhead on the
small sample corpus (corpus/): wall time of a local run against a Ray run.

    .venv/bin/python bench/scale.py                  # 5,000 documents (about 6 minutes)
    .venv/bin/python bench/scale.py --docs 600 --no-ray
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rerun import make_corpus  # noqa: E402  (same generated articles as bench/rerun.py)


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "report.json" and ".pipeline" not in p.parts
    }


def timed(corpus: Path, out: Path, executor: str, workers: int) -> float:
    """Wall time of ``pipeline run`` in a new process, as a user (or cron) runs it."""
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
               "--executor", executor, "--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):  # 3: no translation model installed (expected here)
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=5000,
                        help="documents in the generated corpus (default 5000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each local setting, alternating (median; default 3)")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    has_ray = importlib.util.find_spec("ray") is not None and not args.no_ray
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "no-models")
    try:
        corpus = make_corpus(tmp, args.docs)
        settings = [("local", 1), ("local", 2)]
        times: dict[tuple[str, int], list[float]] = {s: [] for s in settings}
        reference = None
        for run in range(args.repeat):
            for executor, workers in settings:  # alternating: drifts of a shared machine hit both
                out = tmp / f"out-{executor}-{workers}-{run}"
                times[executor, workers].append(timed(corpus, out, executor, workers))
                reference = check_same(out, reference)
        if has_ray:
            times["ray", 2] = [timed(corpus, tmp / "out-ray", "ray", 2)]
            reference = check_same(tmp / "out-ray", reference)
        base = statistics.median(times["local", 1])
        for (executor, workers), runs in times.items():
            median = statistics.median(runs)
            print(f"{executor:5s} workers={workers}  {median:7.2f} s  "
                  f"{args.docs / median:7.1f} docs/s  x{base / median:.2f} vs 1 local worker"
                  f"  (median of {len(runs)}: {', '.join(f'{t:.1f}' for t in runs)} s)")
        print("outputs: identical across every run and executor")
        if has_ray:
            sample = ROOT / "corpus"
            local = timed(sample, tmp / "sample-local", "local", 1)
            ray = timed(sample, tmp / "sample-ray", "ray", 2)
            print(f"sample corpus (5 documents): local {local:.2f} s, ray {ray:.2f} s: "
                  f"Ray start-up and scheduling add {ray - local:.1f} s")
        print(f"cores: {os.cpu_count()}, load average (1 min): {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_same(out: Path, reference: dict[str, bytes] | None) -> dict[str, bytes]:
    """The outputs of ``out``; raises if they differ from ``reference``."""
    produced = outputs(out)
    if reference is not None and produced != reference:
        raise SystemExit(f"DIFFERENT OUTPUTS in {out}")
    return produced


if __name__ == "__main__":
    main()
