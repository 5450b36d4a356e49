"""Record corpora against text files: documents/s of a JSON Lines file of N records
beside the same N documents as .txt files, in one process.

Generates N Portuguese articles (bench/rerun.py's generator, default 20,000), writes
them once as N .txt files and once as one .jsonl file of N records, then runs, in
this order: a small warm-up run (word lists and detectors loaded before any timing),
the .txt corpus, the .jsonl corpus (first runs, then each unchanged rerun), and the
.jsonl corpus with one record changed. Prints each time, documents/s, and the ratios
the targets are about: JSON Lines first run / text first run (target <= 1.1), an
unchanged rerun / its first run (target <= 0.02), and how many records the run after
one changed record processed (target: 1).

No translation model is installed: cleanup and analysis only, the case where reading
and writing weigh most.

    .venv/bin/python bench/records.py                  # 20,000 documents
    .venv/bin/python bench/records.py --docs 2000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself (Python puts the script's folder first): a bench script named like a
# standard module would hide it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def _generator():
    """bench/rerun.py's article generator (loaded by path: bench/ is no package, and is
    kept off sys.path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_rerun", ROOT / "bench" / "rerun.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.article


article = _generator()


def make_corpora(root: Path, n: int, seed: int = 0) -> tuple[Path, Path, list[dict]]:
    rng = random.Random(seed)
    texts, records = root / "texts", root / "records"
    records.mkdir(parents=True)
    rows = []
    for i in range(n):
        text = article(rng, i)
        path = texts / f"{i // 100:03d}" / f"article-{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        rows.append({"id": f"article-{i:05d}", "text": text, "n": i})
    write_jsonl(records / "articles.jsonl", rows)
    return texts, records, rows


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")


def timed_run(corpus: Path, out: Path) -> tuple[float, dict]:
    from pipeline.config import Config
    from pipeline.log import RunLog
    from pipeline.runner import run

    with open(os.devnull, "w") as devnull:
        started = time.perf_counter()
        result = run(corpus, out, Config(), log=RunLog(stream=devnull))
        return time.perf_counter() - started, result.report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="documents (default 20000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmp:
        root = Path(tmp)
        os.environ["ARGOS_PACKAGES_DIR"] = str(root / "no-models")
        texts, records, rows = make_corpora(root, args.docs)
        warm, _, _ = make_corpora(root / "warm", 20, seed=1)
        timed_run(warm, root / "out-warm")

        times = {}
        times["txt first"], report = timed_run(texts, root / "out-txt")
        assert report["processed"] == args.docs, report["processed"]
        times["jsonl first"], report = timed_run(records, root / "out-jsonl")
        assert report["processed"] == args.docs, report["processed"]
        times["txt rerun"], report = timed_run(texts, root / "out-txt")
        assert report["processed"] == 0
        times["jsonl rerun"], report = timed_run(records, root / "out-jsonl")
        assert report["processed"] == 0
        rows[args.docs // 2]["text"] += "\nO porto reabriu ontem depois das obras.\n"
        write_jsonl(records / "articles.jsonl", rows)
        times["jsonl 1 changed"], report = timed_run(records, root / "out-jsonl")
        changed = report["processed"]

    print(f"{args.docs} generated documents, no translation model (cleanup and analysis)")
    for name, seconds in times.items():
        rate = args.docs / seconds
        print(f"  {name:16} {seconds:8.2f} s  {rate:9.1f} documents/s")
    print(f"jsonl first / txt first:       {times['jsonl first'] / times['txt first']:.3f}"
          "  (target <= 1.1)")
    print(f"jsonl rerun / jsonl first:     {times['jsonl rerun'] / times['jsonl first']:.4f}"
          "  (target <= 0.02)")
    print(f"txt rerun / txt first:         {times['txt rerun'] / times['txt first']:.4f}")
    print(f"records processed after 1 changed record: {changed}  (target 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
