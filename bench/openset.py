"""Open-set language detection: sentences in languages outside the candidates.

Usage::

    .venv/bin/python bench/openset.py [--split dev|test] [--limit N]
        [--candidates pt,de,en,es,fr,it,nl] [--systems pipeline,lingua,langdetect]

Data: ``../shared/data/lingua_langid/sentences/<lang>.txt``, 1000 Leipzig news
sentences in each of the 75 languages lingua knows (not part of the project: the
benchmark says so and exits 0 when it is absent). Split on "\\n" only.

The split is fixed here, before any tuning (and the same as bench/detect.py's):
lines 1-500 of each file are the *dev* half, lines 501-1000 the *test* (held-out)
half (ja.txt has only 412 lines, all dev; zh.txt 729). Thresholds are tuned on dev
only; test figures are reported after that.

Every language outside the candidates is off-list; the candidates' own sentences
are the controls. Printed per system, on the chosen half:

- adoption: off-list sentences labelled with a candidate language (%);
- own code: off-list sentences labelled with their own language (%);
- control accuracy: candidate-language sentences labelled correctly (%);
- lines/s over all the sentences scored (models loaded beforehand).

Systems:

- pipeline: ``pipeline.stages.detect.Detect`` with the candidates (open-set);
- lingua: lingua-language-detector with all its languages, best confidence;
- langdetect: langdetect with all its profiles, seeded (its codes mapped through
  ``pipeline.languages``: "zh-cn" is zh, "no" is nb).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import DEFAULT_CANDIDATES  # noqa: E402
from pipeline.languages import UNDETERMINED, UnknownLanguage, canonical  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lingua_langid" / "sentences"
DEV_LINES = 500  # lines 1-500 of each file: dev; lines 501-1000: held-out test
SYSTEMS = ("pipeline", "lingua", "langdetect")

Detector = Callable[[Sequence[str]], list[str]]


def read_lines(path: Path) -> list[str]:
    """The lines of a data file, split on "\\n" only."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def half(lines: list[str], split: str) -> list[str]:
    """The dev (lines 1-500) or test (501-1000) half of a file's lines.

    >>> half([str(i) for i in range(1000)], "test")[:2]
    ['500', '501']
    """
    return lines[:DEV_LINES] if split == "dev" else lines[DEV_LINES:]


def load_items(split: str, limit: int = 0) -> list[tuple[str, str]]:
    """(language, sentence) for every file of the data folder, on one half."""
    items = []
    for path in sorted(DATA.glob("*.txt")):
        lines = half(read_lines(path), split)
        items.extend((path.stem, line) for line in (lines[:limit] if limit else lines))
    return items


def code(answer: str) -> str:
    """A detector's answer as a table code ("" and unknown codes: "und").

    >>> code("zh-cn"), code("no"), code(""), code("xx")
    ('zh', 'nb', 'und', 'und')
    """
    try:
        return canonical(answer) if answer else UNDETERMINED
    except UnknownLanguage:
        return UNDETERMINED


def build(system: str, candidates: Sequence[str]) -> Detector:
    """A function from texts to language codes for ``system``."""
    if system == "pipeline":
        from pipeline.stages.detect import Detect

        detect = Detect(candidates)
        return lambda texts: [code(lang) for lang, _ in detect.languages(texts)]
    if system == "lingua":
        from lingua import LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_all_languages().build()

        def lingua(texts: Sequence[str]) -> list[str]:
            found = detector.detect_languages_in_parallel_of(list(texts))
            return [code(f.iso_code_639_1.name.lower()) if f else UNDETERMINED for f in found]

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
            detector.append(text)
            try:
                return code(detector.detect())
            except LangDetectException:
                return UNDETERMINED

        return lambda texts: [one(t) for t in texts]
    raise SystemExit(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")


def score(
    items: Sequence[tuple[str, str]], answers: Sequence[str], candidates: Sequence[str]
) -> dict[str, float]:
    """Adoption, own-code and control accuracy (%) of ``answers``.

    >>> items = [("ru", "x"), ("pl", "y"), ("pt", "z"), ("en", "w")]
    >>> score(items, ["ru", "en", "pt", "de"], ["pt", "en"])
    {'adoption': 50.0, 'own_code': 50.0, 'control_accuracy': 50.0}
    """
    off = [(lang, a) for (lang, _), a in zip(items, answers, strict=True) if lang not in candidates]
    on = [(lang, a) for (lang, _), a in zip(items, answers, strict=True) if lang in candidates]

    def pct(hits: int, total: int) -> float:
        return round(100 * hits / total, 2) if total else float("nan")

    return {
        "adoption": pct(sum(a in candidates for _, a in off), len(off)),
        "own_code": pct(sum(a == lang for lang, a in off), len(off)),
        "control_accuracy": pct(sum(a == lang for lang, a in on), len(on)),
    }


def confusions(
    items: Sequence[tuple[str, str]], answers: Sequence[str], top: int = 25
) -> list[tuple[tuple[str, str], int]]:
    """The most frequent (language, wrong answer) pairs."""
    wrong = Counter(
        (lang, a) for (lang, _), a in zip(items, answers, strict=True) if a != lang
    )
    return wrong.most_common(top)


def throughput(candidates: Sequence[str], texts: Sequence[str], rounds: int = 3) -> dict:
    """``pipeline detect`` lines/s in process (detect_lines over BATCH_LINES batches),
    closed set (``open_set=False``: every answer a candidate, as before open-set
    detection) beside open set, alternated ``rounds`` times; best round of each."""
    from pipeline.detect_cli import batches, detect_lines
    from pipeline.stages.detect import Detect

    systems = {"closed": Detect(candidates, open_set=False), "open": Detect(candidates)}
    for detect in systems.values():  # models loaded beforehand
        detect_lines(detect, list(texts[:: max(1, len(texts) // 300)]), scores=False)
    best = dict.fromkeys(systems, 0.0)
    for _ in range(rounds):
        for name, detect in systems.items():
            started = time.perf_counter()
            for batch in batches(texts):
                detect_lines(detect, batch, scores=False)
            best[name] = max(best[name], len(texts) / (time.perf_counter() - started))
    ratio = round(best["open"] / best["closed"], 2)
    return {**{k: round(v) for k, v in best.items()}, "ratio": ratio}


def detect_bench_lines(split: str) -> list[str]:
    """The lines bench/detect.py scores (pt de en es fr: sentences, word pairs, single
    words, PUD sentences), on one half: a mix of short and long lines."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from detect import BUCKETS, EVALUATED  # noqa: PLC0415
    from detect import DATA as DETECT_DATA

    lines = []
    for _, folder, pattern in BUCKETS:
        for lang in EVALUATED:
            lines.extend(half(read_lines(DETECT_DATA / folder / pattern.format(lang=lang)), split))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev",
                        help="dev: lines 1-500 of each file (tuning); test: 501-1000 (held out)")
    parser.add_argument("--limit", type=int, default=0, help="lines per language (default: all)")
    parser.add_argument("--candidates", default=",".join(DEFAULT_CANDIDATES))
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated, from {','.join(SYSTEMS)}")
    parser.add_argument("--errors", action="store_true",
                        help="list the most frequent confusions of each system")
    parser.add_argument("--throughput", action="store_true",
                        help="only `pipeline detect` lines/s, closed set beside open set, on "
                        "bench/detect.py's lines (pt de en es fr, 5 candidates) and on these")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: evaluation data not found in {DATA}")
        return 0
    candidates = [canonical(c) for c in args.candidates.split(",") if c.strip()]
    if args.throughput:
        mix = detect_bench_lines(args.split)
        print("pipeline detect lines/s, best of 3 (closed = before open-set detection)")
        print(f"bench/detect.py lines ({len(mix)}), 5 candidates: "
              f"{throughput(['pt', 'de', 'en', 'es', 'fr'], mix)}")
        texts = [text for _, text in load_items(args.split, args.limit)]
        print(f"lingua sentences, 75 languages ({len(texts)}), {len(candidates)} candidates: "
              f"{throughput(candidates, texts)}")
        return 0
    items = load_items(args.split, args.limit)
    texts = [text for _, text in items]
    off = sum(lang not in candidates for lang, _ in items)
    print(f"{args.split} half: {len(items)} sentences, {off} off-list "
          f"({len({lang for lang, _ in items} - set(candidates))} languages), "
          f"controls {','.join(candidates)}")
    print(f"{'system':<11}{'adoption %':>11}{'own code %':>11}{'control %':>10}{'lines/s':>9}")
    for system in args.systems.split(","):
        detector = build(system, candidates)
        detector(texts[:: max(1, len(texts) // 300)])  # loads the models it uses
        started = time.perf_counter()
        answers = detector(texts)
        seconds = time.perf_counter() - started
        found = score(items, answers, candidates)
        print(f"{system:<11}{found['adoption']:>11.2f}{found['own_code']:>11.2f}"
              f"{found['control_accuracy']:>10.2f}{len(texts) / seconds:>9.0f}")
        if args.errors:
            for (lang, answer), n in confusions(items, answers):
                print(f"    {lang} -> {answer}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
