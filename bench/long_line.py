"""A 3,000-word line with no full stop beside 10 normal documents, base-size model (issue 16).

Builds a genuine transformer-base Argos package (pt->en, int8, random weights, tokenizer
trained on synthetic text plus the benchmark sentences) in a temporary
``ARGOS_PACKAGES_DIR``, writes a corpus of 10 normal documents (25 real Portuguese
sentences each, UD PUD, in paragraphs of 5) and ``long.txt``: one line of ``--words`` words
made of the following PUD sentences with every full stop, question and exclamation mark
removed (commas, colons and quotes stay, as in a run-on text), and runs ``pipeline run`` on
it in a new process, as a user would, with the config's defaults and
``[translate] shard_timeout_s = --budget``. It prints the wall time, what ``report.json``
says of each document and which translations were written; when a document failed, a
second run shows its retry (the pieces already translated come from the memory).

Random weights never emit end-of-sentence, so every decode runs to its length cap
(``max_decoding_ratio`` x input tokens + 10): the worst case of a real model, which stops
earlier. ``--bare`` also removes commas, colons and semicolons (only spaces are left to cut
at).

Baseline (``--baseline-limit S``, 0 to skip): the long line translated as one segment, as
the stage did before long segments were split (the engine's decoding cap then grows with
the whole input), in a child process stopped after S seconds.

Usage::

    .venv/bin/python bench/long_line.py [--words 3000] [--budget 600] [--baseline-limit 120]

Needs ../shared/data/ud_pud/pud.pt.txt (exits 0 with a message when it is absent).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SENTENCES = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud_pud" / "pud.pt.txt"
DOCS, DOC_SENTENCES, PARAGRAPH_SENTENCES = 10, 25, 5
SEED = 7


def write_corpus(corpus: Path, sentences: list[str], words: int, bare: bool) -> str:
    """The 10 documents and ``long.txt``; returns the long line."""
    corpus.mkdir(parents=True)
    for d in range(DOCS):
        chunk = sentences[d * DOC_SENTENCES : (d + 1) * DOC_SENTENCES]
        paragraphs = [" ".join(chunk[p : p + PARAGRAPH_SENTENCES])
                      for p in range(0, len(chunk), PARAGRAPH_SENTENCES)]
        (corpus / f"doc-{d:02d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    marks = r"[.!?…;:,]" if bare else r"[.!?…]"
    pool: list[str] = []
    rest = sentences[DOCS * DOC_SENTENCES :]
    while len(pool) < words:
        for sentence in rest:
            pool += re.sub(marks, "", sentence).split()
    line = " ".join(pool[:words])
    (corpus / "long.txt").write_text(line + "\n", encoding="utf-8")
    return line


def baseline(line: str, packages: Path, limit: float) -> str:
    """The long line as one segment with the engine's old, unbounded cap; stopped at ``limit``."""
    code = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
        "from pipeline.engines.argos import ArgosEngine\n"
        # max_input_tokens beyond the line: no bound on the decoding cap, as before.
        "engine = ArgosEngine(beam_size=2, compute_type='int8', max_input_tokens=10**9)\n"
        f"print(engine.count_tokens([{line!r}], 'pt', 'en')[0], flush=True)\n"
        f"engine.translate([{line!r}], 'pt', 'en')\n"
    )
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages))
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired as stopped:
        out = stopped.stdout.decode() if isinstance(stopped.stdout, bytes) else stopped.stdout
        return f"not finished after {limit:g} s (stopped); {(out or '?').strip()} input tokens"
    seconds = time.perf_counter() - started
    return f"finished in {seconds:.1f} s (exit {done.returncode}); {done.stdout.strip()} tokens"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--budget", type=float, default=600.0, help="shard_timeout_s")
    parser.add_argument("--baseline-limit", type=float, default=120.0)
    parser.add_argument("--bare", action="store_true", help="no clause marks in the line")
    args = parser.parse_args()
    if not SENTENCES.is_file():
        print(f"{SENTENCES} is missing; nothing to measure")
        return 0
    sys.path.insert(0, str(REPO))
    from pipeline.testing.argos_package import build_package, install_package

    text = SENTENCES.read_text(encoding="utf-8")
    sentences = [line for line in text.splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-long-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        archive = build_package(root / "built", "pt", "en", size="base", seed=SEED,
                                training_text=text)
        packages = root / "packages"
        install_package(archive, packages)
        print(f"built and installed the base package in {time.perf_counter() - started:.1f} s")
        line = write_corpus(root / "corpus", sentences, args.words, args.bare)
        print(f"corpus: {DOCS} documents of {DOC_SENTENCES} sentences, and long.txt:"
              f" {len(line.split())} words, {len(line)} characters, no full stop"
              f"{', no clause mark' if args.bare else ''}")
        config = root / "pipeline.toml"
        config.write_text(f"targets = [\"en\"]\n\n[translate]\nshard_timeout_s = {args.budget}\n",
                          encoding="utf-8")
        out = root / "out"
        env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages), PYTHONPATH=str(REPO))
        for attempt in (1, 2):  # the second run retries what the first left failed
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "pipeline", "run", str(root / "corpus"), "--out",
                 str(out), "--config", str(config)],
                env=env, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            report = json.loads((out / "report.json").read_text(encoding="utf-8"))
            written = sorted(p.name for p in (out / "translations" / "en").glob("*"))
            normal = [f"doc-{d:02d}.txt" for d in range(DOCS)]
            split = sum(
                "split_for_translation" in json.loads(r).get("flags", {}).get("en", [])
                for r in (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()
            )
            print(f"pipeline run {attempt} (shard_timeout_s = {args.budget:g}): exit"
                  f" {done.returncode}, wall {wall:.1f} s (report.json total"
                  f" {report['timings_s'].get('total')} s); processed {report['processed']},"
                  f" unchanged {report['unchanged']}")
            print(f"  translations written: {len(written)} ({', '.join(written)})")
            print(f"  the 10 normal documents translated: {all(d in written for d in normal)}")
            print(f"  failed: {report['failed'] or 'none'}")
            print(f"  segments flagged split_for_translation: {split}")
            print(f"  translation stats: {report['translation'].get('pairs')}")
            if not report["failed"]:
                break
        if args.baseline_limit > 0:
            print("baseline, the long line as one segment (before the change): "
                  + baseline(line, packages, args.baseline_limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
