"""Executor throughput: 1 and 2 local workers, and a local Ray, on the same corpus.

A cleanup-heavy generated corpus (no translation model installed, so every
document is read, repaired, segmented and analysed), processed from scratch by
each executor in turn; prints documents/s and the ratio to one local worker, and
checks that every executor wrote the same bytes. Then the Ray overhead on the
small sample corpus (corpus/): wall time of a local run against a Ray run.

    .venv/bin/python bench/scale.py                  # 2,000 documents
    .venv/bin/python bench/scale.py --docs 600 --no-ray
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
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
    from pipeline.config import Config
    from pipeline.log import RunLog
    from pipeline.runner import RunOptions, run

    with open(os.devnull, "w") as devnull:
        started = time.perf_counter()
        run(corpus, out, Config(), RunOptions(executor=executor, workers=workers),
            RunLog(stream=devnull))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=2000,
                        help="documents in the generated corpus (default 2000)")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    has_ray = importlib.util.find_spec("ray") is not None and not args.no_ray
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp / "no-models")
    try:
        corpus = make_corpus(tmp, args.docs)
        runs = [("local", 1), ("local", 2)] + ([("ray", 2)] if has_ray else [])
        times, reference = {}, None
        for executor, workers in runs:
            out = tmp / f"out-{executor}-{workers}"
            times[executor, workers] = timed(corpus, out, executor, workers)
            produced = outputs(out)
            reference = reference or produced
            same = "identical" if produced == reference else "DIFFERENT OUTPUTS"
            base = times["local", 1]
            print(f"{executor:5s} workers={workers}  {times[executor, workers]:7.2f} s  "
                  f"{args.docs / times[executor, workers]:7.1f} docs/s  "
                  f"x{base / times[executor, workers]:.2f} vs 1 local worker  ({same})")
        if has_ray:
            sample = ROOT / "corpus"
            local = timed(sample, tmp / "sample-local", "local", 1)
            ray = timed(sample, tmp / "sample-ray", "ray", 2)
            print(f"sample corpus (5 documents): local {local:.2f} s, ray {ray:.2f} s: "
                  f"Ray start-up and scheduling add {ray - local:.1f} s")
        print(f"cores: {os.cpu_count()}, load average (1 min): {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
