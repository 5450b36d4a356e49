"""ftfy's own test cases run through the normalize stage.

Reads ftfy's case files from ``../shared/data/ftfy_testcases`` (skips with a message
when they are absent): ``in-the-wild`` and ``synthetic`` (mojibake to fix),
``language-names``, ``negative`` (text that looks odd but must stay unchanged) and
``known-failures`` (cases ftfy itself gets wrong). A case passes when the normalize
stage turns ``original`` into ftfy's ``fixed-encoding`` (the encoding repair alone:
normalize keeps curly quotes, ligatures and full-width forms on purpose) or ``fixed``
(what ``ftfy.fix_text`` makes of it, e.g. an HTML entity decoded). It passes "apart
from whitespace" when the only difference is a whitespace repair normalize makes on
purpose: a no-break space before a word turned into a space, doubled spaces collapsed,
trailing whitespace removed. Negative cases also count how many come out unchanged.
``ftfy.fix_encoding`` and ``ftfy.fix_text`` (defaults) are scored the same way.

Usage::

    .venv/bin/python bench/ftfy_cases.py [--show]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import ftfy

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ftfy_testcases"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.document import Document  # noqa: E402
from pipeline.stages.normalize import Normalize  # noqa: E402

# The case files, in the order they are reported; "negative" cases must not change.
CASE_FILES = ("in-the-wild", "synthetic", "language-names", "negative", "known-failures")


def normalize(text: str) -> str:
    """The normalize stage's text (it strips trailing whitespace of each line)."""
    return Normalize().process(Document("case", text=text)).text


# Runs of spaces and no-break spaces, for comparing texts apart from whitespace.
SPACES = re.compile(r"[ \u00a0]+")


def expected(case: dict) -> set[str]:
    """The texts ftfy accepts for a case: its encoding repair and its full repair."""
    return {case.get("fixed-encoding", case["fixed"]), case["fixed"]}


def squeeze(text: str) -> str:
    return "\n".join(SPACES.sub(" ", line).strip() for line in text.split("\n"))


def verdict(got: str, case: dict) -> str:
    """``pass``, ``whitespace`` (passes apart from whitespace) or ``fail``."""
    wanted = expected(case)
    if got in wanted:
        return "pass"
    return "whitespace" if squeeze(got) in {squeeze(text) for text in wanted} else "fail"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--show", action="store_true", help="also print whitespace-only and known failures"
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: ftfy test cases not found in {DATA}")
        return 0
    contenders: dict[str, Callable[[str], str]] = {
        "normalize": normalize,
        "ftfy.fix_encoding": ftfy.fix_encoding,
        "ftfy.fix_text": ftfy.fix_text,
    }
    print(f"ftfy test cases from {DATA}")
    print("passed / passed apart from whitespace / failed; negative: unchanged too")
    print(f"{'file':16}{'cases':>6}" + "".join(f"{name:>24}" for name in contenders))
    failures: dict[str, list[tuple[dict, str]]] = {}
    for name in CASE_FILES:
        path = DATA / f"{name}.json"
        if not path.is_file():
            continue
        cases = json.loads(path.read_text(encoding="utf-8"))
        row = f"{name:16}{len(cases):>6}"
        for contender, fix in contenders.items():
            results = [(case, fix(case["original"])) for case in cases]
            verdicts = [verdict(got, case) for case, got in results]
            cell = "/".join(str(verdicts.count(v)) for v in ("pass", "whitespace", "fail"))
            if name == "negative":
                cell += f" ={sum(got == case['original'] for case, got in results)}"
            row += f"{cell:>24}"
            if contender == "normalize":
                failures[name] = [
                    (case, got) for (case, got), v in zip(results, verdicts, strict=True)
                    if v != "pass" and (args.show or v == "fail")
                ]
        print(row)
    for name, wrong in failures.items():
        if wrong and (args.show or name != "known-failures"):
            print(f"\nnormalize on {name}, not passed:")
            for case, got in wrong:
                print(f"  {case['label']}")
                print(f"    original {case['original']!r}")
                print(f"    expected {case.get('fixed-encoding', case['fixed'])!r}")
                print(f"    got      {got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
