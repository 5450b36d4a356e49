"""HTML main-text extraction quality on real article pages, beside trafilatura alone.

Data: ``../shared/data/article_extraction/`` (91 real English news and blog pages with
a hand-made article body each: the development half of the Zyte/Scrapinghub
article-extraction-benchmark). Skipped, with a message and exit 0, when it is absent.

Metric: the benchmark's own (its ``evaluate.py``). Per page, the extracted text and the
gold body are tokenised with ``\\w+`` (case kept), cut into 4-token shingles counted as
multisets; TP, FP and FN are normalised to sum to 1 on each page (a long page weighs no
more than a short one). Precision is the mean of per-page precisions over the pages
where anything was extracted, recall the mean of per-page recalls over the pages with a
gold body; F1 is the harmonic mean of those two means (not a mean of per-page F1s).

Split, fixed before any tuning: the pages in sorted id order, even positions are the
dev half (46 pages) and odd positions the held-out half (45 pages). Tuning looks at
``--split dev`` only; the held-out figure is the one to report.

Three systems in the same run, on the same pages:

- ``trafilatura``: ``trafilatura.extract(html, include_comments=False)``, as the
  benchmark runs it;
- ``ours``: :func:`pipeline.extract_html.extract` and then the pipeline's real cleanup
  stages (:func:`pipeline.shard.build_stages`, :func:`pipeline.shard.process_document`):
  UI labels and label/value lines, the duplicated headline, repairs. The scored text
  is ``Document.clean_text()`` without the page's headline block, since the gold
  bodies hold no headline (``Page.headline``; trafilatura alone keeps an ``<h1>`` it
  finds in the article as text);
- ``extract()``: the blocks of :func:`pipeline.extract_html.extract` without the
  headline, before the stages: what the stages add is the difference to ``ours``.

Usage: ``.venv/bin/python bench/html_pages.py [--split dev|held-out|all] [--show N]``
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where this file's name
# would hide the standard library's ``html`` package: put the repository there instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "article_extraction"

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def split_of(ids: list[str]) -> dict[str, str]:
    """The fixed dev/held-out split: even positions in sorted id order are dev.

    >>> split_of(["b", "a", "c"])
    {'a': 'dev', 'b': 'held-out', 'c': 'dev'}
    """
    return {page: ("dev" if i % 2 == 0 else "held-out") for i, page in enumerate(sorted(ids))}


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of ``n``-token shingles of ``text`` (the benchmark's tokeniser).

    A text shorter than ``n`` tokens is one shingle; an empty text has none.

    >>> sorted(shingles("a b c d e").values()), len(shingles("a b", 4)), len(shingles(""))
    ([1, 1], 1, 0)
    """
    tokens = _TOKEN_RE.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Shingle TP, FP, FN of one page, normalised to sum to 1 (as the benchmark does).

    >>> tp_fp_fn("a b c d e", "a b c d")
    (0.5, 0.0, 0.5)
    """
    gold, got = shingles(true), shingles(pred)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    """Mean precision, mean recall and the F1 of the two means (the benchmark's metric).

    >>> scores([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)])
    {'precision': 0.75, 'recall': 1.0, 'f1': 0.8571428571428571}
    """

    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean([precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    r = statistics.mean([recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def load_pages() -> tuple[dict[str, bytes], dict[str, str]]:
    """Page bytes and gold bodies by page id."""
    gold = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for page in sorted(gold):
        pages[page] = gzip.decompress((DATA / "pages" / f"{page}.html.gz").read_bytes())
    return pages, {page: gold[page].get("articleBody", "") for page in gold}


def trafilatura_alone(data: bytes) -> str:
    """The benchmark's trafilatura run: ``extract(html, include_comments=False)``."""
    import trafilatura

    return trafilatura.extract(data, include_comments=False) or ""


def ours(stages: bool = True) -> Callable[[bytes], str]:
    """extract() then (with ``stages``) the pipeline's cleanup stages; the body without
    the headline block."""
    from pipeline.config import Config
    from pipeline.document import Document
    from pipeline.extract_html import NoText, extract
    from pipeline.shard import build_stages, process_document

    built = build_stages(Config()) if stages else []

    def run(data: bytes) -> str:
        try:
            page = extract(data)
        except NoText:
            return ""
        if not built:
            return "\n\n".join(page.blocks[1:] if page.headline else page.blocks)
        text = "\n\n".join(page.blocks)
        doc = Document("page.html", raw=text.encode("utf-8"), metadata=dict(page.metadata))
        doc = process_document(doc, built)
        blocks = [block.text for block in doc.blocks]
        if blocks and page.headline and _TOKEN_RE.findall(blocks[0]) == _TOKEN_RE.findall(
            page.headline
        ):
            blocks = blocks[1:]  # the headline: the gold bodies have none
        return "\n\n".join(blocks)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "held-out", "all"), default="all",
                        help="which pages to score (tune on dev only; default: both halves)")
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="print the N dev pages where ours loses most F1 (dev only: "
                             "held-out pages are never shown)")
    args = parser.parse_args(argv)
    if not (DATA / "ground-truth.json").is_file():
        print(f"skipped: {DATA} is absent (the benchmark needs ../shared/data)")
        return 0
    pages, gold = load_pages()
    split = split_of(list(pages))
    systems = {"trafilatura": trafilatura_alone, "extract()": ours(stages=False),
               "ours": ours()}
    counts: dict[str, dict[str, tuple[float, float, float]]] = {name: {} for name in systems}
    for page, data in pages.items():
        if args.split != "all" and split[page] != args.split:
            continue
        for name, system in systems.items():
            counts[name][page] = tp_fp_fn(gold[page], system(data))
    halves = ("dev", "held-out") if args.split == "all" else (args.split,)
    print(f"{'split':<9} {'pages':>5}  {'system':<12} {'precision':>9} {'recall':>7} {'F1':>7}")
    for half in halves:
        members = [page for page in counts["ours"] if split[page] == half]
        for name in systems:
            s = scores([counts[name][page] for page in members])
            print(f"{half:<9} {len(members):>5}  {name:<12} "
                  f"{s['precision']:>9.4f} {s['recall']:>7.4f} {s['f1']:>7.4f}")
    if args.show:
        def f1(c: tuple[float, float, float]) -> float:
            return 2 * c[0] / (2 * c[0] + c[1] + c[2]) if any(c) else 1.0

        dev = [page for page in counts["ours"] if split[page] == "dev"]
        worst = sorted(dev, key=lambda page: f1(counts["ours"][page]))[: args.show]
        for page in worst:
            tp, fp, fn = counts["ours"][page]
            print(f"{split[page]:<9} {page[:16]} ours tp={tp:.3f} fp={fp:.3f} fn={fn:.3f} "
                  f"trafilatura fp={counts['trafilatura'][page][1]:.3f} "
                  f"fn={counts['trafilatura'][page][2]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
