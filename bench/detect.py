"""Language detection accuracy per length bucket, and speed, for three systems.

Usage::

    .venv/bin/python bench/detect.py [--limit N] [--systems pipeline,lingua,langdetect]

Reads the evaluation data in ../shared/data (it is not part of the project; the
benchmark says so and exits 0 when it is absent):

- lingua_langid/{sentences,word-pairs,single-words}/<lang>.txt: 1000 lines each
  (Leipzig corpora via lingua-py). Split on "\\n" only: some lines hold U+0085.
- ud_pud/pud.<lang>.txt: the same 1000 news/Wikipedia sentences per language.

Items are in pt de en es fr, scored with those 5 candidates, then again with it
nl ca added as distractors (8 candidates). Systems, all restricted to the
candidates:

- pipeline: ``pipeline.stages.detect.Detect`` (word frequencies + lingua), no prior;
- lingua: lingua-language-detector alone, candidate models only, best confidence;
- langdetect: langdetect alone, seeded, restricted by its prior map.

The pipeline's weights and thresholds were tuned on the *dev* half (lines 1-500 of
each file); the *test* half (lines 501-1000) was not looked at while tuning. Both
halves are reported, and accuracy on all lines. Speed is lines per second over the
whole run of a system (models loaded beforehand); load time and peak memory are
measured in a fresh process per system.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
EVALUATED = ("pt", "de", "en", "es", "fr")
DISTRACTORS = ("it", "nl", "ca")
# (bucket name, folder, file name pattern)
BUCKETS = (
    ("sentences", "lingua_langid/sentences", "{lang}.txt"),
    ("word pairs", "lingua_langid/word-pairs", "{lang}.txt"),
    ("single words", "lingua_langid/single-words", "{lang}.txt"),
    ("PUD sentences", "ud_pud", "pud.{lang}.txt"),
)
DEV_LINES = 500  # lines 1-500 of each file: dev; the rest: held-out test
SYSTEMS = ("pipeline", "lingua", "langdetect")

Detector = Callable[[Sequence[str]], list[str]]


def read_lines(path: Path) -> list[str]:
    """The lines of a data file, split on "\\n" only."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def build(system: str, candidates: Sequence[str]) -> Detector:
    """A function from texts to language codes for ``system``."""
    if system == "pipeline":
        from pipeline.stages.detect import Detect

        detect = Detect(candidates)
        return lambda texts: [lang for lang, _ in detect.languages(texts)]
    if system == "lingua":
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_languages(
            *[Language.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in candidates]
        ).build()

        def lingua(texts: Sequence[str]) -> list[str]:
            found = detector.compute_language_confidence_values_in_parallel(list(texts))
            answers = []
            for values in found:
                conf = {v.language.iso_code_639_1.name.lower(): v.value for v in values}
                answers.append(min(conf, key=lambda c: (-conf[c], c)) if any(conf.values()) else "")
            return answers

        return lingua
    if system == "langdetect":
        from langdetect import DetectorFactory
        from langdetect.detector_factory import PROFILES_DIRECTORY
        from langdetect.lang_detect_exception import LangDetectException

        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(0)

        def one(text: str) -> str:
            detector = factory.create()
            detector.set_prior_map({c: 1.0 for c in candidates})
            detector.append(text)
            try:
                found = [p for p in detector.get_probabilities() if p.lang in candidates]
            except LangDetectException:
                return ""
            return found[0].lang if found else ""

        return lambda texts: [one(t) for t in texts]
    raise SystemExit(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")


def load_items(limit: int) -> list[tuple[str, str, int, str]]:
    """(bucket, language, line number from 0, text) for every evaluated line."""
    items = []
    for bucket, folder, pattern in BUCKETS:
        for lang in EVALUATED:
            lines = read_lines(DATA / folder / pattern.format(lang=lang))
            picked = range(len(lines)) if not limit else sorted(
                {*range(min(limit, DEV_LINES)), *range(DEV_LINES, DEV_LINES + limit)}
            )
            items.extend((bucket, lang, i, lines[i]) for i in picked if i < len(lines))
    return items


def accuracy_table(items, answers) -> dict[str, dict[str, float]]:
    """Accuracy (%) per bucket and split ("dev", "test", "all")."""
    table: dict[str, dict[str, float]] = {}
    for bucket, _, _ in BUCKETS:
        row = {}
        for split in ("dev", "test", "all"):
            hits = [
                answer == lang
                for (b, lang, i, _), answer in zip(items, answers, strict=True)
                if b == bucket and (split == "all" or (i < DEV_LINES) == (split == "dev"))
            ]
            row[split] = round(100 * sum(hits) / len(hits), 2) if hits else float("nan")
        table[bucket] = row
    return table


def load_cost(system: str, candidates: Sequence[str]) -> dict[str, float]:
    """Seconds to load and first answer, and peak memory (MiB), in a fresh process."""
    code = (
        "import re, sys, time; sys.path.insert(0, sys.argv[1]);"
        "from bench.detect import build; t = time.perf_counter();"
        "d = build(sys.argv[2], sys.argv[3].split(',')); d(['Mehr zum Thema', 'guerra']);"
        "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read());"
        "print(time.perf_counter() - t, peak.group(1) if peak else 0)"
    )
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", code, root, system, ",".join(candidates)],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return {"load_s": round(float(out[0]), 2), "peak_mib": round(int(out[1]) / 1024)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0,
                        help="lines per file and split (default: all 500 + 500)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated, from {','.join(SYSTEMS)}")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not (DATA / "lingua_langid").is_dir() or not (DATA / "ud_pud").is_dir():
        print(f"skipped: evaluation data not found in {DATA}")
        return 0
    items = load_items(args.limit)
    texts = [text for *_, text in items]
    results = []
    for candidates in (EVALUATED, EVALUATED + DISTRACTORS):
        for system in args.systems.split(","):
            detector = build(system, candidates)
            detector(texts[:: max(1, len(texts) // 200)])  # loads every model it uses
            started = time.perf_counter()
            answers = detector(texts)
            seconds = time.perf_counter() - started
            results.append({
                "candidates": len(candidates),
                "system": system,
                "accuracy": accuracy_table(items, answers),
                "lines_per_s": round(len(texts) / seconds),
                **load_cost(system, candidates),
            })
    if args.json:
        print(json.dumps({"items": len(items), "results": results}, indent=1))
        return 0
    print(f"{len(items)} lines; accuracy % as dev / test (held out) / all")
    header = "".join(f"{b:>24}" for b, _, _ in BUCKETS)
    print(f"{'cand':>4} {'system':<11}{header}{'lines/s':>9}{'load s':>8}{'MiB':>6}")
    for r in results:
        cells = "".join(
            f"{'{dev:.2f}/{test:.2f}/{all:.2f}'.format(**r['accuracy'][b]):>24}"
            for b, _, _ in BUCKETS
        )
        print(f"{r['candidates']:>4} {r['system']:<11}{cells}{r['lines_per_s']:>9}"
              f"{r['load_s']:>8}{r['peak_mib']:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
