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

``--read``: the record reader and the copies' writer alone, in CPU seconds, on N
generated records (default 10,000) as JSON Lines, Parquet, CSV and tab-separated (as a
CSV writer writes it, and one text a line without quoting): the records' documents
read (``RecordsReader.items``) and two copies written (``write_copies``): "copy", of the
texts as read (a clean copy the cleanup left as it was: its text is the record's), and
"copy*", of every text changed (a translation), by the code of
``--baseline REV`` (``git archive``, default ``HEAD``) and by this tree, each in its own
process, alternated ``--repeat`` times (the fastest of each kept). Files whose text and
id are top-level fields (``text``, ``id``) for both, and the same records nested
(``--text-field article.body --id-field meta.id``) for this tree alone: a baseline
reads no nested field.

``--memory``: the peak memory (maximum resident set) of reading a Parquet file of N
short records (default 2,000,000; ``--text-bytes 2000``: texts of 2 KB; written as
pyarrow writes by default: row groups of 1,048,576 rows, ``--group-rows``) and of
writing one copy of it with every text changed, each in a process of its own, beside
that of a process that imports the same modules only (``--not-null``: a text column
that is not nullable); with ``--baseline REV``, the same by the code of REV first.

    .venv/bin/python bench/records.py                  # 20,000 documents
    .venv/bin/python bench/records.py --docs 2000
    .venv/bin/python bench/records.py --read --baseline 1ee5c9c
    .venv/bin/python bench/records.py --memory --docs 2000000
    .venv/bin/python bench/records.py --memory --docs 250000 --text-bytes 2000 --baseline HEAD~1
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
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


# One reading (and one copy) of each file, in the process of one code tree: prints the
# CPU seconds of each as JSON. argv: the files' folder, the copies' folder, then
# "name:text_field:id_field" for each file. The modules the reader imports when first
# used are imported before any timing: with PYTHONDONTWRITEBYTECODE a tree without
# compiled files (the baseline's) would be timed compiling them.
READ_CHILD = """
import json, sys, time
from pathlib import Path
import pyarrow.parquet, pipeline.readers.text  # imported on first use: not timed
from pipeline.readers.records import RecordsReader
from pipeline.writers.records import write_copies

folder, out, times = Path(sys.argv[1]), Path(sys.argv[2]), {}
for spec in sys.argv[3:]:
    name, text_field, id_field = spec.split(":")
    reader = RecordsReader(text_field, id_field)
    started = time.process_time()
    texts = {item.doc: item.raw.decode() for item in reader.items(name, folder / name)}
    read = time.process_time() - started
    assert sum(bool(t) for t in texts.values()) == len(texts), name
    started = time.process_time()
    write_copies(out, name, folder / name, reader, ["clean/" + name],
                 lambda doc: {"clean/" + name: texts[doc] + "\\n"})  # a copy drops one
    same = time.process_time() - started
    started = time.process_time()
    write_copies(out, name, folder / name, reader, ["translations/xx/" + name],
                 lambda doc: {"translations/xx/" + name: texts[doc] + " Fim."})
    times[name] = (read, same, time.process_time() - started)
print(json.dumps(times))
"""


def read_files(folder: Path, n: int) -> dict[str, tuple[str, str]]:
    """N generated records as JSON Lines and Parquet, top-level and nested; each file's
    text and id fields."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(0)
    flat, nested = [], []
    for i in range(n):
        text = article(rng, i)
        flat.append({"id": f"article-{i:05d}", "text": text, "n": i,
                     "meta": {"site": "example.org", "tags": ["porto", "lisboa"]}})
        nested.append({"meta": {"id": f"article-{i:05d}", "site": "example.org"},
                       "article": {"title": text.split("\n", 1)[0], "body": text,
                                   "tags": ["porto", "lisboa"]}, "n": i})
    folder.mkdir(parents=True)
    write_jsonl(folder / "flat.jsonl", flat)
    write_jsonl(folder / "nested.jsonl", nested)
    pq.write_table(pa.Table.from_pylist(flat), folder / "flat.parquet")
    pq.write_table(pa.Table.from_pylist(nested), folder / "nested.parquet")
    # As the copies' writer wrote a CSV file before its copies kept their source's
    # bytes: the baseline's copies and ours are then the same.
    with open(folder / "flat.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text", "n"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({"id": r["id"], "text": r["text"], "n": r["n"]} for r in flat)
    # Tab-separated: as a CSV writer writes it (pandas' to_csv(sep="\t"): the texts,
    # holding line breaks, quoted), and as a raw dump (an MT corpus: one text a line,
    # no quoting).
    with open(folder / "flat.tsv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text", "n"], delimiter="\t",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows({"id": r["id"], "text": r["text"], "n": r["n"]} for r in flat)
    with open(folder / "lines.tsv", "w", encoding="utf-8", newline="") as handle:
        handle.write("id\ttext\tn\n")
        handle.writelines(f"{r['id']}\t{' '.join(r['text'].split())}\t{r['n']}\n"
                          for r in flat)
    top, deep = ("text", "id"), ("article.body", "meta.id")
    return {"flat.jsonl": top, "flat.parquet": top, "flat.csv": top, "flat.tsv": top,
            "lines.tsv": top, "nested.jsonl": deep, "nested.parquet": deep}


# One phase of --memory in a process of its own: argv the file, the copies' folder and
# "import", "read" or "copy"; prints the maximum resident set (MiB) and CPU seconds.
MEMORY_CHILD = """
import json, resource, sys, time
from pathlib import Path
import pyarrow.parquet, pipeline.readers.text
from pipeline.readers.records import RecordsReader
from pipeline.writers.records import write_copies

path, out, phase, size = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
reader, name = RecordsReader(), path.name
if phase == "read":
    count = sum(1 for item in reader.items(name, path) if item.raw)
    assert count == pyarrow.parquet.ParquetFile(path).metadata.num_rows, count
elif phase == "copy":
    copy = "translations/xx/" + name
    # Each text as long as the source's (a translation): made anew for each record.
    write_copies(out, name, path, reader, [copy],
                 lambda doc: {copy: doc + " Fim." * (size // 5) + "\\n"})
# VmHWM: this program's peak (ru_maxrss keeps the parent's across fork and exec).
status = Path("/proc/self/status")
peak = ([int(line.split()[1]) for line in status.read_text().splitlines()
         if line.startswith("VmHWM:")] if status.exists() else [])
print(json.dumps([(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
                  / 1024, time.process_time()]))
"""


def _baseline_tree(root: Path, rev: str) -> Path:
    """The code of ``rev`` (``git archive``), compiled once, under ``root``."""
    base = root / "baseline"
    base.mkdir()
    archive = subprocess.run(["git", "archive", rev, "pipeline"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(base)], check=True)
    return base


def memory_bench(docs: int, text_bytes: int, group_rows: int, rev: str,
                 not_null: bool = False) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="bench-records-memory-") as tmp:
        root = Path(tmp)
        path = root / "big.parquet"
        words = ("porto", "Lisboa", "reabriu", "ontem", "greve", "navios", "cidade")
        if text_bytes:  # texts of about text_bytes characters, in words of the records'
            rng = random.Random(0)
            vocabulary = [f"{rng.choice(words)}{n}" for n in range(5000)]
            count = text_bytes // 9 + 1
            texts = [" ".join(rng.choices(vocabulary, k=count)) for _ in range(docs)]
        else:
            texts = [f"O {words[i % 7]} {i} de {words[i * 3 % 7]} e {words[i * 5 % 7]} "
                     f"{'x' * (i % 150)}." for i in range(docs)]
        schema = pa.schema([("id", pa.string()), pa.field("text", pa.string(), not not_null),
                            ("n", pa.int64())])
        table = pa.table({"id": [f"r{i:08d}" for i in range(docs)], "text": texts,
                          "n": pa.array(range(docs), pa.int64())}, schema=schema)
        del texts
        pq.write_table(table, path, row_group_size=group_rows)
        del table
        size = path.stat().st_size
        meta = pq.ParquetFile(path).metadata
        groups, largest = meta.num_row_groups, max(
            meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
        trees = {"ours": ROOT}
        if rev:
            trees = {"baseline": _baseline_tree(root, rev), **trees}
        results = {}
        for tree, code in trees.items():
            for phase in ("import", "read", "copy"):
                done = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(path),
                                       str(root / f"out-{tree}"), phase, str(text_bytes)],
                                      capture_output=True,
                                      text=True, env={**os.environ, "PYTHONPATH": str(code)},
                                      cwd=root, check=True)  # not this tree's folder
                results[tree, phase] = json.loads(done.stdout)
            copy = pq.ParquetFile(root / f"out-{tree}" / "translations" / "xx" / path.name)
            results[tree, "groups"] = copy.metadata.num_row_groups
    print(f"{docs:,} records in a Parquet file of {size / 2**20:.0f} MiB, text column "
          f"{'not ' if not_null else ''}nullable, {groups} row "
          f"groups (the largest {largest / 2**20:.0f} MiB uncompressed) (load average "
          f"{os.getloadavg()[0]:.2f}){'; baseline: ' + rev if rev else ''}")
    for tree in trees:
        for phase in ("import", "read", "copy"):
            rss, cpu = results[tree, phase]
            print(f"  {tree:9} {phase:7} peak {rss:8.0f} MiB  (+"
                  f"{rss - results[tree, 'import'][0]:6.0f} over the imports)  {cpu:7.2f} CPU s")
        print(f"  {tree:9} copy: {results[tree, 'groups']} row groups")
    if rev:
        for phase in ("read", "copy"):
            ratio = results["ours", phase][0] / results["baseline", phase][0]
            print(f"{phase}: peak ours / baseline {ratio:.3f}")
    return 0


def read_bench(docs: int, rev: str, repeat: int) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-records-read-") as tmp:
        root = Path(tmp)
        files = read_files(root / "files", docs)
        # Compiled once, as an installed tree is: no run of the baseline compiles its
        # modules (PYTHONDONTWRITEBYTECODE would have each do it again).
        base = _baseline_tree(root, rev)
        trees = {"baseline": (base, [f for f in files if not f.startswith("nested")]),
                 "ours": (ROOT, list(files))}
        best: dict[tuple[str, str], tuple[float, ...]] = {}
        for turn in range(repeat):
            for tree, (code, names) in trees.items():
                out = root / f"out-{tree}-{turn}"
                specs = [f"{name}:{files[name][0]}:{files[name][1]}" for name in names]
                env = {**os.environ, "PYTHONPATH": str(code)}
                done = subprocess.run([sys.executable, "-c", READ_CHILD, str(root / "files"),
                                       str(out), *specs], env=env, cwd=root,
                                      capture_output=True, text=True, check=True)
                for name, times in json.loads(done.stdout).items():
                    old = best.get((tree, name), (float("inf"),) * 3)
                    best[tree, name] = tuple(map(min, old, times))
                if tree == "ours":  # the same copies as the baseline's, byte for byte
                    for name in trees["baseline"][1]:
                        for copy in ("clean/" + name, "translations/xx/" + name):
                            mine = (out / copy).read_bytes()
                            theirs = (root / f"out-baseline-{turn}" / copy).read_bytes()
                            assert mine == theirs, f"{copy}: differs from the baseline's"
    load = os.getloadavg()[0]
    print(f"{docs} generated records; CPU seconds, fastest of {repeat} alternated runs "
          f"(load average {load:.2f}); baseline: {rev}")
    print(f"  {'file':16} {'tree':9} {'read':>8} {'copy':>8} {'copy*':>8}")
    for (tree, name), (read, same, changed) in sorted(best.items(),
                                                      key=lambda kv: kv[0][::-1]):
        print(f"  {name:16} {tree:9} {read:8.3f} {same:8.3f} {changed:8.3f}")
    for name in trees["baseline"][1]:
        ratios = ", ".join(f"{what} {mine / theirs:.3f}" for what, mine, theirs in zip(
            ("read", "copy", "copy*"), best["ours", name], best["baseline", name],
            strict=True))
        print(f"{name}: ours / baseline: {ratios} (copies identical)")
    for kind in ("jsonl", "parquet"):
        read0, read1 = best["ours", f"flat.{kind}"][0], best["ours", f"nested.{kind}"][0]
        print(f"nested.{kind} / flat.{kind} (ours): read {read1 / read0:.3f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=None,
                        help="documents (default 20000; --read: 10000)")
    parser.add_argument("--read", action="store_true",
                        help="the reader and the copies' writer alone, beside --baseline")
    parser.add_argument("--memory", action="store_true",
                        help="peak memory of reading and copying a large Parquet file")
    parser.add_argument("--baseline", default=None, metavar="REV",
                        help="--read: the baseline's commit (default HEAD); --memory: "
                             "measured beside this tree where given")
    parser.add_argument("--text-bytes", type=int, default=0, metavar="N",
                        help="--memory: texts of about N characters (default: short ones)")
    parser.add_argument("--not-null", action="store_true",
                        help="--memory: a text column that is not nullable")
    parser.add_argument("--group-rows", type=int, default=1 << 20, metavar="N",
                        help="--memory: rows a row group (default pyarrow's, 1,048,576)")
    parser.add_argument("--repeat", type=int, default=5, help="--read: alternated runs")
    args = parser.parse_args()
    if args.read:
        return read_bench(args.docs or 10_000, args.baseline or "HEAD", args.repeat)
    if args.memory:
        return memory_bench(args.docs or 2_000_000, args.text_bytes, args.group_rows,
                            args.baseline or "", args.not_null)
    args.docs = args.docs or 20_000
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
