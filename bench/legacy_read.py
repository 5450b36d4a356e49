"""Legacy-encoded files through the read stage, on text independent of bench/cleanup.py.

Takes the lingua language-ID sentences (``../shared/data/lingua_langid/sentences``,
Leipzig corpora, 75 languages), saves documents of 1 and of 3 sentences in the legacy
code page usual for their language (Windows-1250/1251/1252/1253/1254/1257), and counts
the documents the read stage decodes back exactly, and the CPU time each decoder took
(both run in turn on each document, so load slows them alike). Documents that are pure ASCII (UTF-8
already) or hold characters the code page lacks are left out. A second Windows-1252 set
("cp1252 typographic") writes the same sentences with typographic quotes and
apostrophes (’ “ ” in place of ' and "), as word processors save them: the case where
the only non-ASCII bytes of a file are punctuation.

The baseline is the read stage of ``--rev REV`` (default ``HEAD``: the last commit),
loaded from git into the same process, so both run on the same documents in one run.

Usage::

    .venv/bin/python bench/legacy_read.py [--rev HEAD] [--per-lang 120] [--show 5]

Needs the evaluation data (skips with a message when absent) and git.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "lingua_langid" / "sentences"
sys.path.insert(0, str(ROOT))

from pipeline.stages import read as ours  # noqa: E402

# The legacy code page a file in each language was usually saved in.
CODE_PAGES = {
    "cp1252": "af ca da de en es eu fi fr ga id is it la ms nb nl nn pt sq sv sw tl",
    "cp1250": "bs cs hr hu pl ro sk sl",
    "cp1251": "be bg mk ru sr uk",
    "cp1253": "el",
    "cp1254": "tr",
    "cp1257": "et lt lv",
}


def typographic(text: str) -> str:
    """Straight quotes and apostrophes written as typographic ones.

    >>> typographic('He said "it\\'s fine" today.')
    'He said “it’s fine” today.'
    """
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append("“" if opening else "”")
            opening = not opening
        elif char == "'":
            out.append("’")
        else:
            out.append(char)
    return "".join(out)


def documents(per_lang: int) -> list[tuple[str, str, str]]:
    """(set name, code page, text) of each document."""
    docs = []
    for code_page, langs in CODE_PAGES.items():
        for lang in langs.split():
            path = DATA / f"{lang}.txt"
            if not path.exists():
                continue
            sentences = path.read_text(encoding="utf-8").split("\n")
            sentences = [s for s in sentences if s.strip()]
            for size in (1, 3):
                texts = [" ".join(sentences[i : i + size])
                         for i in range(0, size * per_lang, size)]
                variants = [(code_page, texts)]
                if code_page == "cp1252":
                    variants.append(("cp1252 typographic",
                                     [typographic(t) for t in texts if "'" in t or '"' in t]))
                for name, chosen in variants:
                    for text in chosen:
                        try:
                            data = text.encode(code_page)
                        except UnicodeEncodeError:
                            continue
                        if data.isascii():
                            continue
                        docs.append((f"{name} ({size} sentence{'s' * (size > 1)})", lang, text))
    return docs


def baseline(rev: str) -> Callable[[bytes], tuple[str, str]]:
    """The read stage's ``decode_bytes`` at ``rev``."""
    source = subprocess.run(["git", "show", f"{rev}:pipeline/stages/read.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    folder = Path(tempfile.mkdtemp())
    (folder / "read_baseline.py").write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("read_baseline", folder / "read_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.decode_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD", help="baseline commit (default HEAD)")
    parser.add_argument("--per-lang", type=int, default=120,
                        help="documents per language and size")
    parser.add_argument("--show", type=int, default=0, help="print N of our failures per set")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: evaluation data not found in {DATA}")
        return 0
    contenders = {"baseline": baseline(args.rev), "ours": ours.decode_bytes}
    docs = documents(args.per_lang)
    counts: dict[str, dict[str, int]] = {}
    failures: dict[str, list[str]] = {}
    cpu = dict.fromkeys(contenders, 0.0)
    for name, lang, text in docs:
        code_page = name.split()[0]
        row = counts.setdefault(name, {"docs": 0, **dict.fromkeys(contenders, 0)})
        row["docs"] += 1
        for contender, decode in contenders.items():
            started = time.process_time()
            try:
                got, encoding = decode(text.encode(code_page))
            except ValueError:
                got, encoding = "", "error"
            cpu[contender] += time.process_time() - started
            row[contender] += got == text
            if contender == "ours" and got != text:
                failures.setdefault(name, []).append(f"{lang} {encoding}: {got[:100]!r}")
    print(f"{len(docs)} documents from {DATA} (baseline: read.py at {args.rev})")
    print(f"{'set':36}{'docs':>6}" + "".join(f"{c:>11}" for c in contenders))
    total = {c: 0 for c in contenders}
    for name, row in counts.items():
        print(f"{name:36}{row['docs']:>6}"
              + "".join(f"{100 * row[c] / row['docs']:>10.2f}%" for c in contenders))
        for contender in contenders:
            total[contender] += row[contender]
    print(f"{'all':36}{len(docs):>6}"
          + "".join(f"{100 * total[c] / max(1, len(docs)):>10.2f}%" for c in contenders))
    print(f"{'CPU s (this process)':36}{'':>6}" + "".join(f"{cpu[c]:>11.1f}" for c in contenders))
    for name, lines in failures.items():
        for line in lines[: args.show]:
            print(f"[{name}] {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
