"""Text of a legacy code page read as Windows-1252 or Latin-1, then saved as UTF-8.

A scraper that takes a page without a charset for ISO-8859-1 (Python requests' default)
turns "Северная Корея" into "Ñåâåðíàÿ Êîðåÿ". This builds such lines from the real
sentences of ``../shared/data/lingua_langid`` (Cyrillic, Greek, Hebrew and Arabic
languages, each saved in its Windows code page or KOI8-R, then read both ways) and
prints, per language and code page, the share the normalize stage gives back exactly,
beside ftfy alone (``ftfy.fix_text``) on the same lines in the same run. Controls: the
sentences of all 75 languages as they are, and ftfy's own test cases, must come back
unchanged from the repair (:func:`pipeline.stages.normalize.fix_codepage_misread`).
Documents (through the normalize stage): a heading of one or two words of a misread
sentence over a misread paragraph, read again in the paragraph's code page; controls,
a correctly read word or word pair of ``single-words`` and ``word-pairs`` over a
misread Russian paragraph, unchanged.

With ``--read REV``, instead: files saved in a legacy encoding (documents of three
sentences of each set above and of :data:`READ_SETS`), decoded by the read stage at
``REV`` (loaded from git) and now, in the same run: the share decoded back exactly.

Halves: lines 1-500 of each file (``--split dev``, used to set the rule's thresholds)
and 501-1000 (``--split test``, held out). Skips with a message when the data is absent.

Usage::

    .venv/bin/python bench/codepage.py [--split dev|test] [--read REV]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.stages.normalize import fix_codepage_misread  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTENCES = DATA / "lingua_langid" / "sentences"
FTFY_CASES = DATA / "ftfy_testcases"
# (language, code page it was written in): every language of the lingua data whose
# script one of the rule's code pages encodes.
SETS = [("ru", "cp1251"), ("uk", "cp1251"), ("bg", "cp1251"), ("mk", "cp1251"),
        ("sr", "cp1251"), ("be", "cp1251"), ("ru", "koi8_r"), ("el", "cp1253"),
        ("he", "cp1255"), ("ar", "cp1256"), ("fa", "cp1256")]
READ_AS = ("sloppy-windows-1252", "latin-1")
# More files for --read: the other legacy encodings browsers offer for these languages.
READ_SETS = [("tr", "cp1254"), ("pl", "cp1250"), ("pt", "cp1252"), ("th", "cp874"),
             ("ja", "shift_jis"), ("ja", "euc_jp"), ("zh", "gbk"), ("zh", "big5"),
             ("ko", "euc_kr")]
# Documents per set for --read.
READ_DOCS = 60


def read_stage(rev: str, split: str) -> None:
    """Files in a legacy encoding through the read stage's ``decode_bytes`` at ``rev``
    and now: per set, the documents decoded back exactly by each."""
    import importlib.util
    import subprocess
    import tempfile

    from pipeline.stages.read import decode_bytes

    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(["git", "show", f"{rev}:pipeline/stages/read.py"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "read_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("read_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    contenders = {rev: module.decode_bytes, "now": decode_bytes}
    print(f"{split} half; files decoded back exactly by the read stage, of {READ_DOCS} "
          "(documents of 3 sentences)")
    print(f"{'language':9} {'encoding':10} {'docs':>5}" + "".join(f" {c:>8}" for c in contenders))
    totals = dict.fromkeys(contenders, 0)
    docs_total = 0
    for lang, page in [*SETS, *READ_SETS]:
        lines = half(SENTENCES / f"{lang}.txt", split)
        texts = [" ".join(lines[i:i + 3]) for i in range(0, len(lines) - 2, 3)]
        files = []
        for text in texts:
            try:
                data = text.encode(page)
            except UnicodeEncodeError:
                continue
            if not data.isascii():
                files.append((text, data))
        files = files[:READ_DOCS]
        right = {}
        for name, decode in contenders.items():
            right[name] = 0
            for text, data in files:
                try:
                    right[name] += decode(data)[0] == text
                except ValueError:
                    pass
            totals[name] += right[name]
        docs_total += len(files)
        print(f"{lang:9} {page:10} {len(files):5}" + "".join(f" {right[c]:8}" for c in contenders))
    print(f"{'all':20} {docs_total:5}" + "".join(f" {totals[c]:8}" for c in contenders))


def half(path: Path, split: str) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return lines[:500] if split == "dev" else lines[500:1000]


def documents(split: str) -> None:
    """Two-line documents through the normalize stage: a heading (the first word, then
    the first two words, of one sentence) over a paragraph (the next sentence), both
    misread; the heading is too short to be read again alone. Controls: a misread
    paragraph under a correctly read single word or word pair of another language
    (``single-words``, ``word-pairs``: a page mixing the two cannot come from one
    misreading, so these must stay as they are)."""
    from pipeline.document import Document
    from pipeline.stages.normalize import Normalize

    stage = Normalize()

    def clean(text: str) -> str:
        return stage.process(Document("bench.txt", text=text)).text

    for words in (1, 2):
        done = n = 0
        for lang, page in SETS:
            lines = []
            for line in half(SENTENCES / f"{lang}.txt", split):
                try:
                    lines.append(line.encode(page).decode("latin-1"))
                except UnicodeEncodeError:
                    continue
            for first, second in zip(lines[::2], lines[1::2], strict=False):
                heading = " ".join(first.split()[:words])
                if heading.isascii() or fix_codepage_misread(second)[0] == second:
                    continue  # nothing to read again, or the paragraph is not read again
                n += 1
                want = heading.encode("latin-1").decode(page)
                done += clean(f"{heading}\n\n{second}\n").split("\n")[0] == want
        print(f"documents: a heading of {words} word(s) read again with its paragraph: "
              f"{done} of {n} ({100 * done / max(n, 1):.2f}%)")
    paragraph = next(line.encode("cp1251").decode("latin-1")
                     for line in half(SENTENCES / "ru.txt", split)
                     if fix_codepage_misread(line.encode("cp1251").decode("latin-1"))[1])
    kept = total = 0
    for folder in ("single-words", "word-pairs"):
        for path in sorted((SENTENCES.parent / folder).glob("*.txt")):
            for line in half(path, split):
                if line.isascii():
                    continue
                total += 1
                kept += clean(f"{line}\n\n{paragraph}\n").split("\n")[0] == line
    print(f"documents, controls: {kept} of {total} non-ASCII words and word pairs of "
          f"{len(list((SENTENCES.parent / 'single-words').glob('*.txt')))} languages "
          "unchanged above a misread Russian paragraph")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--read", metavar="REV",
                        help="measure the read stage on legacy-encoded files, against REV")
    args = parser.parse_args()
    if not SENTENCES.is_dir():
        print(f"skipped: evaluation data not found in {SENTENCES}")
        return 0
    if args.read:
        read_stage(args.read, args.split)
        return 0
    print(f"{args.split} half; restored exactly, % (lines encodable in the code page)")
    print(f"{'language':9} {'page':7} {'read as':20} {'lines':>6} {'ours':>7} {'ftfy':>7}")
    total = ours_total = 0
    for lang, page in SETS:
        lines = []
        for line in half(SENTENCES / f"{lang}.txt", args.split):
            try:
                lines.append((line, line.encode(page)))
            except UnicodeEncodeError:
                continue
        for read_as in READ_AS:
            misread = [(line, raw.decode(read_as, errors="replace")) for line, raw in lines]
            ours = sum(fix_codepage_misread(bad)[0] == line for line, bad in misread)
            theirs = sum(ftfy.fix_text(bad) == line for line, bad in misread)
            n = len(misread) or 1
            total, ours_total = total + len(misread), ours_total + ours
            print(f"{lang:9} {page:7} {read_as:20} {len(misread):6} {100 * ours / n:7.2f} "
                  f"{100 * theirs / n:7.2f}")
    print(f"all: {ours_total} of {total} ({100 * ours_total / max(total, 1):.2f}%)")
    controls = changed = 0
    started = time.perf_counter()
    for path in sorted(SENTENCES.glob("*.txt")):
        for line in half(path, args.split):
            controls += 1
            changed += fix_codepage_misread(line)[1] != ""
    seconds = time.perf_counter() - started
    print(f"controls: {controls - changed} of {controls} sentences of "
          f"{len(list(SENTENCES.glob('*.txt')))} languages unchanged "
          f"({controls / seconds:,.0f} lines/s)")
    documents(args.split)
    if FTFY_CASES.is_dir():
        cases = [case["original"] for file in sorted(FTFY_CASES.glob("*.json"))
                 for case in json.loads(file.read_text(encoding="utf-8")) if "original" in case]
        touched = [c for c in cases if fix_codepage_misread(c)[1]]
        print(f"ftfy's test cases: {len(cases) - len(touched)} of {len(cases)} unchanged")
        for case in touched[:5]:
            print(f"  changed: {case[:60]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
