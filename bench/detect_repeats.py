"""`pipeline detect` on input whose lines come back (pipeline/detect_cli.py, KNOWN_LINES):
each distinct line is detected once. Runs the code of --rev (git archive) and of the
working tree on the same inputs, one after the other, --repeat times, and prints the CPU
seconds of each, their ratio, and whether the outputs are byte-identical.

The inputs: `yes`-like lines ("y" --lines times); the lines of lingua's test data in
../shared/data/lingua_langid (every single word and word pair, and the first
--sentences sentences of each language), once each (nothing repeats: the cost of
keeping the answers), and the same lines three times in a shuffled order.

    .venv/bin/python bench/detect_repeats.py --rev HEAD~1
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from detect_settled import DATA, lines_of  # noqa: E402 - the same lines as that bench


def detect(code: Path, data: bytes, *options: str) -> tuple[bytes, float]:
    """The output of `pipeline detect` run from ``code``, and its CPU seconds."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = os.times()
    done = subprocess.run([sys.executable, "-m", "pipeline", "detect", *options],
                          input=data, capture_output=True, env=env, cwd=code, check=True)
    after = os.times()
    return done.stdout, (after.children_user + after.children_system
                         - before.children_user - before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD~1", help="the baseline (default HEAD~1)")
    parser.add_argument("--lines", type=int, default=200_000, help="lines of 'y'")
    parser.add_argument("--sentences", type=int, default=30,
                        help="sentences per language (default 30)")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    inputs = {"y": "y\n" * args.lines}
    if DATA.is_dir():
        lines = lines_of(args.sentences)
        thrice = lines * 3
        random.Random(0).shuffle(thrice)
        inputs["lingua, once"] = "\n".join(lines) + "\n"
        inputs["lingua, 3x shuffled"] = "\n".join(thrice) + "\n"
    else:
        print(f"{DATA} is absent: the 'y' input only")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.rev, "pipeline"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        for name, text in inputs.items():
            data = text.encode("utf-8")
            for options in ((), ("--scores",)):
                cpu: dict[str, list[float]] = {"base": [], "new": []}
                same = True
                for _ in range(args.repeat):
                    out_base, t_base = detect(base, data, *options)
                    out_new, t_new = detect(ROOT, data, *options)
                    cpu["base"].append(t_base)
                    cpu["new"].append(t_new)
                    same = same and out_base == out_new
                b, n = min(cpu["base"]), min(cpu["new"])
                print(f"{name} ({text.count(chr(10)):,} lines) {' '.join(options) or '(plain)'}:"
                      f" {args.rev} {b:.2f} CPU s, new {n:.2f} CPU s, ratio {n / b:.3f}; "
                      f"outputs {'identical' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
