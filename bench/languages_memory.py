"""A worker's memory on a corpus of many languages: what lingua's models cost.

Builds a corpus from lingua's test sentences (``../shared/data/lingua_langid/sentences``,
one file a language) in a temporary folder: ``--docs`` documents (default 1,500) of 8
sentences each, one language a document, the languages in turn (doc 0 Afrikaans, doc 1
Arabic, ...; ``--grouped``: each language's documents one after another). No translation
model is installed. Then, for the baseline (``--rev REV``: that commit, extracted with
``git archive``) and this tree, alternately (``--repeat`` times):

- ``pipeline run --force --workers 2``: peak RSS and PSS of each worker
  (``/proc/PID/smaps_rollup``, sampled every 50 ms), wall and CPU seconds (every
  process of the run's tree, as last sampled);
- ``pipeline run --force`` with one worker (the run's own process does the work): its
  peak RSS and PSS, wall and CPU seconds;
- ``--alone``: a run of one document alone (a fresh process, the first document of each
  language named): its peak RSS. It shows what a single document's detection loads.

It prints each measure for both sides, their ratio, and whether the data files of both
sides are identical (report.json and the run state aside).

``--working-set`` (this tree only) runs the corpus once in one process and records, for
each document, the languages off the candidate list whose full lingua models (every
n-gram order, high accuracy) detection asks for: how many a document needs, the model
sizes (each language's models loaded alone: their memory and CPU), and how many loads an
unloading policy keeping N such languages would need on this corpus: least recently used
out, and the best any policy could do (Belady's: the one used again last goes out).

    .venv/bin/python bench/languages_memory.py --rev HEAD --repeat 1
    .venv/bin/python bench/languages_memory.py --rev HEAD --docs 300 --alone pl,bs,be,en
    .venv/bin/python bench/languages_memory.py --working-set
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import revision  # bench/revision.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ROOT.parent / "shared" / "data" / "lingua_langid" / "sentences"
PER_DOC = 8  # sentences a document, in paragraphs of 3


def _startup():
    """bench/startup.py, for its process-tree helpers (tree, rollup_mib, cpu_s...)."""
    spec = importlib.util.spec_from_file_location("bench_startup", ROOT / "bench" / "startup.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_startup"] = module
    spec.loader.exec_module(module)
    return module


startup = _startup()


def make_corpus(root: Path, docs: int, grouped: bool) -> tuple[Path, list[str]]:
    """``docs`` documents of PER_DOC sentences, one language each (see the module's
    docstring); returns the corpus and each document's language, in path order."""
    lines = {p.stem: p.read_text(encoding="utf-8").splitlines()
             for p in sorted(SENTENCES.glob("*.txt"))}
    codes = sorted(lines)
    order = [codes[i % len(codes)] for i in range(docs)]
    if grouped:
        order.sort()
    corpus = root / "corpus"
    seen: dict[str, int] = {}
    for i, lang in enumerate(order):
        k = seen[lang] = seen.get(lang, -1) + 1
        found = lines[lang]
        sentences = [found[(k * PER_DOC + j) % len(found)] for j in range(PER_DOC)]
        text = "\n\n".join(" ".join(sentences[j : j + 3]) for j in range(0, PER_DOC, 3))
        path = corpus / f"{i // 100:03d}" / f"doc-{i:05d}-{lang}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    return corpus, order


@dataclass
class Run:
    wall: float = 0.0
    cpu: float = 0.0
    returncode: int = 0
    peaks: dict[int, dict[str, float]] = field(default_factory=dict)  # pid -> Rss, Pss
    workers: list[int] = field(default_factory=list)


def run(argv: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run ``argv``; sample every process of its tree (RSS, PSS, CPU) until it ends."""
    result = Run()
    cpu: dict[int, float] = {}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for pid in startup.tree(proc.pid):
                cpu[pid] = max(cpu.get(pid, 0.0), startup.cpu_s(pid))
                peaks = result.peaks.setdefault(pid, {"Rss": 0.0, "Pss": 0.0})
                for key, value in startup.rollup_mib(pid).items():
                    peaks[key] = max(peaks[key], value)
            for pid in startup.pool_workers(proc.pid):
                if pid not in result.workers:
                    result.workers.append(pid)
            done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    result.wall = time.perf_counter() - started
    done.set()
    watcher.join()
    result.returncode = os.waitstatus_to_exitcode(status)
    # the run's process and the children it waited for, or every process as last sampled
    result.cpu = max(usage.ru_utime + usage.ru_stime, sum(cpu.values()))
    if not result.workers:  # one worker: the run's own process
        result.workers = [proc.pid]
    return result


def data_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "report.json" and ".pipeline" not in p.parts}


def compare(args: argparse.Namespace, tmp: Path) -> None:
    sides, cwd = revision.sides(args.rev, tmp)
    corpus, order = make_corpus(tmp, args.docs, args.grouped)
    print(f"corpus: {args.docs} documents in {len(set(order))} languages "
          f"({'grouped' if args.grouped else 'in turn'}), {PER_DOC} sentences each")

    def argv(source: Path, out: Path, *extra: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", "run", str(source), "--out", str(out),
                "--force", *extra]

    first = next(iter(sides.values()))  # the word-list cache, built once (untimed)
    run(argv(ROOT / "corpus", tmp / "out-build"), first, cwd)
    results: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
    outputs: dict[str, list[dict[str, bytes]]] = {name: [] for name in sides}
    for _ in range(args.repeat):
        for workers in (2, 1):
            for name, env in sides.items():
                out = tmp / f"out-{len(outputs[name])}-{name.split()[0]}"
                got = run(argv(corpus, out, "--workers", str(workers)), env, cwd)
                if got.returncode not in (0, 3):  # 3: no translation model (expected)
                    raise SystemExit(f"{name}: pipeline run exited {got.returncode}")
                measures = results[name]
                label = f"--workers {workers}" if workers > 1 else "1 worker"
                peaks = sorted((got.peaks[pid] for pid in got.workers if pid in got.peaks),
                               key=lambda p: -p["Rss"])
                for i, peak in enumerate(peaks, 1):
                    tag = f"{label}: worker {i}" if workers > 1 else label
                    measures.setdefault(f"{tag} peak RSS (MiB)", []).append(peak["Rss"])
                    measures.setdefault(f"{tag} peak PSS (MiB)", []).append(peak["Pss"])
                measures.setdefault(f"{label}: wall (s)", []).append(got.wall)
                measures.setdefault(f"{label}: CPU (s)", []).append(got.cpu)
                outputs[name].append(data_files(out))
                shutil.rmtree(out, ignore_errors=True)
    for lang in [c for c in args.alone.split(",") if c]:
        if lang not in order:
            continue
        doc = sorted(corpus.rglob(f"*-{lang}.txt"))[0]
        alone = tmp / f"alone-{lang}"
        alone.mkdir()
        shutil.copy(doc, alone / doc.name)
        for name, env in sides.items():
            got = run(argv(alone, tmp / f"out-alone-{lang}"), env, cwd)
            results[name].setdefault(f"one {lang} document alone: peak RSS (MiB)", []).append(
                max((p["Rss"] for p in got.peaks.values()), default=0.0))
            shutil.rmtree(tmp / f"out-alone-{lang}", ignore_errors=True)
    every = [o for found in outputs.values() for o in found]
    same = all(o == every[0] for o in every)
    print(f"data files identical between the sides and runs: {'yes' if same else 'NO'} "
          f"({len(every[0])} files a run)")
    revision.print_medians({name: results[name] for name in sides})


# Run in a child process (this tree): every document of the corpus through the pipeline
# in one process, recording the off-list languages of each high-accuracy lingua detector
# asked (pipeline.stages.detect._lingua_detector), document by document.
RECORD = """
import json, os, sys
from pathlib import Path
from pipeline.config import Config
from pipeline.log import RunLog
from pipeline.runner import run
from pipeline.stages import detect
trace, kept = [], set()
real_detector, real_process = detect._lingua_detector, detect.Detect.process
def detector(langs, low_accuracy=False):
    if not low_accuracy and len(langs) > 1:
        trace[-1][1].append(list(langs))
    return real_detector(langs, low_accuracy)
def process(self, doc):
    if self.open_set:
        kept.update(self.scorer.candidates)
    trace.append([doc.doc, []])
    return real_process(self, doc)
detect._lingua_detector, detect.Detect.process = detector, process
trace.append(["", []])
with open(os.devnull, "w") as devnull:
    run(Path(sys.argv[1]), Path(sys.argv[2]), Config(), log=RunLog(stream=devnull))
print(json.dumps([sorted(kept), [[doc, [[l for l in langs if l not in kept] for langs in calls]]
                                 for doc, calls in trace if doc]]))
"""
# Each language's full models loaded alone (with an already loaded one beside it, as
# lingua needs two languages to load any), then unloaded: CPU seconds and MiB.
SIZES = """
import ctypes, json, time
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
libc = ctypes.CDLL(None)
def anonymous():
    libc.malloc_trim(0)
    with open("/proc/self/smaps_rollup") as file:
        for line in file:
            if line.startswith("Anonymous:"):
                return int(line.split()[1]) / 1024
def language(code):
    return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
found = {}
for code in sorted(l.iso_code_639_1.name.lower() for l in Language.all()):
    before, cpu = anonymous(), time.process_time()
    LanguageDetectorBuilder.from_languages(language(code)).with_preloaded_language_models().build()
    found[code] = [time.process_time() - cpu, anonymous() - before]
    LanguageDetectorBuilder.from_languages(language(code)).build().unload_language_models()
print(json.dumps(found))
"""


def lru_loads(uses: list[str], keep: int) -> list[str]:
    """The loads of an LRU of ``keep`` languages over ``uses`` (one language a use)."""
    recent: dict[str, None] = {}
    loads = []
    for lang in uses:
        if lang not in recent:
            loads.append(lang)
        recent.pop(lang, None)
        recent[lang] = None
        while len(recent) > keep:
            del recent[next(iter(recent))]
    return loads


def optimal_loads(uses: list[str], keep: int) -> list[str]:
    """The fewest loads any policy keeping ``keep`` languages needs (Belady's)."""
    following, last = [0] * len(uses), {}
    for i in range(len(uses) - 1, -1, -1):
        following[i] = last.get(uses[i], len(uses))
        last[uses[i]] = i
    held: dict[str, int] = {}
    loads = []
    for i, lang in enumerate(uses):
        if lang not in held:
            loads.append(lang)
            if len(held) >= keep:
                del held[max(held, key=held.__getitem__)]
        held[lang] = following[i]
    return loads


def working_set(args: argparse.Namespace, tmp: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(tmp / "no-models")}
    corpus, order = make_corpus(tmp, args.docs, args.grouped)
    done = subprocess.run([sys.executable, "-c", RECORD, str(corpus), str(tmp / "out")],
                          env=env, cwd=tmp, capture_output=True, text=True, check=True)
    kept, trace = json.loads(done.stdout.splitlines()[-1])
    sizes = json.loads(subprocess.run([sys.executable, "-c", SIZES], env=env, cwd=tmp,
                                      capture_output=True, text=True, check=True).stdout)
    trace = [(doc, calls) for doc, calls in trace if "/doc-" in doc]  # not the warm-up's
    per_doc = [(doc, sorted({lang for langs in calls for lang in langs}))
               for doc, calls in trace]
    counts = sorted(len(langs) for _, langs in per_doc)
    mib = sorted(sum(sizes[lang][1] for lang in langs) for _, langs in per_doc)
    print(f"corpus: {len(per_doc)} documents in {len(set(order))} languages "
          f"({'grouped' if args.grouped else 'in turn'}); candidates {', '.join(kept)}")
    print(f"lingua's full models, each language alone: {sum(v[1] for v in sizes.values()):.0f} "
          f"MiB and {sum(v[0] for v in sizes.values()):.1f} CPU s for all "
          f"{len(sizes)}; per language {min(v[1] for v in sizes.values()):.1f}-"
          f"{max(v[1] for v in sizes.values()):.1f} MiB, "
          f"{min(v[0] for v in sizes.values()):.3f}-{max(v[0] for v in sizes.values()):.3f} s")
    print(f"off-list languages whose full models a document's detection asks for: median "
          f"{statistics.median(counts)}, mean {statistics.mean(counts):.1f}, max {counts[-1]}; "
          f"their models: median {statistics.median(mib):.0f} MiB, 90th percentile "
          f"{mib[int(0.9 * (len(mib) - 1))]:.0f}, max {mib[-1]:.0f}")
    widest = sorted(per_doc, key=lambda found: -len(found[1]))[:3]
    for doc, langs in widest:
        print(f"  {doc}: {len(langs)} ({' '.join(langs)})")
    uses = [lang for _, calls in trace for langs in calls for lang in langs]
    first = sum(sizes[lang][0] for lang in set(uses))
    print(f"{len(uses)} uses of an off-list language's full models in "
          f"{sum(len(calls) for _, calls in trace)} detector calls; loading each language once: "
          f"{len(set(uses))} loads, {first:.1f} CPU s")
    print("keeping at most N off-list languages' full models (every use counted as loading "
          "them, as lingua does unless the text's letters rule the language out):")
    for keep in (8, 12, 16, 24, 32, 48):
        lru, best = lru_loads(uses, keep), optimal_loads(uses, keep)
        print(f"  N={keep:2d}: least recently used out {len(lru):6d} loads "
              f"{sum(sizes[lang][0] for lang in lru):7.1f} CPU s; the fewest possible "
              f"{len(best):6d} loads {sum(sizes[lang][0] for lang in best):7.1f} CPU s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD",
                        help="the baseline: this git revision (default HEAD)")
    parser.add_argument("--docs", type=int, default=1500, help="documents (default 1500)")
    parser.add_argument("--grouped", action="store_true",
                        help="each language's documents one after another")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side and setting")
    parser.add_argument("--alone", default="pl,bs,be,en",
                        help="languages whose first document is also run alone")
    parser.add_argument("--working-set", action="store_true",
                        help="the off-list models each document needs (this tree only)")
    args = parser.parse_args()
    if not SENTENCES.is_dir():
        print(f"skipped: {SENTENCES} is absent")
        return
    load = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench-languages-"))
    try:
        (working_set if args.working_set else compare)(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    after = os.getloadavg()
    print(f"\nload average (1 min): before {load[0]:.2f}, after {after[0]:.2f}; "
          f"{os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
