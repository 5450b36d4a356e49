"""`pipeline detect` without --scores leaves lingua out where a line's words settle its
answer (pipeline/detect_cli.py, SETTLED_MARGIN): check on many lines that its answers
are those of --scores (which reads every short line with lingua), and count the lines
lingua was spared.

The lines: lingua's test data in ../shared/data/lingua_langid (every single word and
word pair, and the first --sentences sentences of each of the 75 languages). Rerun it
after any change to the detect stage's decision rules: the shortcut holds as long as
they read a line's scores only through its best candidate and decide_language's
rounded probabilities.

    .venv/bin/python bench/detect_settled.py                  # about 37,000 lines
    .venv/bin/python bench/detect_settled.py --sentences 20   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "lingua_langid"


def lines_of(sentences: int) -> list[str]:
    found: list[str] = []
    for kind in ("single-words", "word-pairs"):
        for path in sorted((DATA / kind).glob("*.txt")):
            found += path.read_text(encoding="utf-8").split("\n")
    for path in sorted((DATA / "sentences").glob("*.txt")):
        found += path.read_text(encoding="utf-8").split("\n")[:sentences]
    return [line for line in found if line]


def detect(lines: list[str], *options: str) -> tuple[list[str], float]:
    """The output lines, and the CPU time of this process's children so far."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pipeline", "detect", *options],
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          env=env, cwd=ROOT, check=True)
    used = os.times()
    return done.stdout.splitlines(), used.children_user + used.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=150,
                        help="sentences per language (default 150)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to check (see /work/shared/data/README.md)")
        return
    sys.path.insert(0, str(ROOT))
    from pipeline.detect_cli import SETTLED_MARGIN, candidates_for, settled
    from pipeline.stages.detect import LINGUA_MAX_WORDS, LINGUA_SPAN, Detect, words

    lines = lines_of(args.sentences)
    plain, cpu_plain = detect(lines)
    full, cpu_both = detect(lines, "--scores")
    answers = [json.loads(line)["lang"] for line in full]
    differ = [(line, a, b) for line, a, b in zip(lines, plain, answers, strict=True) if a != b]
    stage = Detect(candidates_for(None))
    scores = stage.scorer.scores_many(lines, lingua=False)
    short = [i for i, line in enumerate(lines) if 0 < len(words(line)) <= LINGUA_MAX_WORDS]
    spared = [i for i in short if settled(
        scores[i], stage.labels.get(" ".join(words(lines[i])), frozenset()),
        LINGUA_SPAN + SETTLED_MARGIN)]
    print(f"{len(lines)} lines, {len(short)} short enough for lingua; its n-grams were "
          f"left out for {len(spared)} of them (their words settle the answer)")
    print(f"CPU: without --scores {cpu_plain:.1f} s, with {cpu_both - cpu_plain:.1f} s")
    print(f"answers differing from --scores: {len(differ)}")
    for line, a, b in differ[:20]:
        print(f"  {line!r}: {a} (--scores: {b})")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
