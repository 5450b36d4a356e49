"""Start-up time and memory: what a small run, a one-line detect and a rerun cost.

Runs each measure for the baseline and for this tree, alternately, in fresh
processes, and prints both with their ratio (issue 21's targets beside them):

- peak RSS of ``pipeline run corpus --out OUT --force`` (the 5-document sample, no
  translation model): the sum over the whole process tree, sampled, and the
  largest single process (``ru_maxrss``); its wall time, and its CPU time (user and
  system, of the process and the children it waited for; also printed for the
  measures below: on a busy machine it grows far less than wall time); and the tree's
  peak of anonymous pages only. RSS also counts the file pages a process maps
  (lingua's 95 MB library holds its models; the word lists are mapped), and how many
  of them a read maps depends on the page cache: on kernel 6.18 a file written just
  before (lingua's library right after ``pip install``, a cache file just built) sits
  in large folios that map whole, so the same run showed 327-345 MiB peak RSS with
  lingua's library at 56 MiB resident, and 285-289 MiB (19 MiB) after ``echo 3 >
  /proc/sys/vm/drop_caches``, its anonymous pages the same;
- ``pipeline detect`` of one line on stdin: wall time and peak RSS, for a short line
  (its words settle its answer, so lingua is not consulted), the same with ``--scores``
  (lingua's models for the candidates are loaded: its probabilities need them) and a
  12-word sentence (word lists only); both sides' outputs are compared;
- an unchanged rerun of 2,000 generated documents (``bench/rerun.py``'s corpus; each
  side fills its own OUT with a first run, reruns it once untimed (a file written less
  than 2 s before the first run read it is hashed once more, then its stat is trusted:
  the steady state of a scheduled job), then reruns it timed): wall time, its share of
  that side's first run, and the phases report.json times (start-up, discovery, the
  report);
- fork-server readiness: ``multiprocessing``'s fork server started as a run with
  ``--workers 2`` starts it (preloading ``pipeline.executors.preload``), timed until
  the first process forked from it has run and ended: the server's interpreter
  start, its preload and one fork (the server's CPU time, page faults and resident
  memory beside it, and the time of each of those parts); and, as before,
  a fresh interpreter importing ``pipeline.executors.preload`` then exiting (its exit,
  which a fork server never does, included);
- word lists: CPU time to open the candidates' lists, then to score the sample
  corpus's sentences (first pass, and again with the per-word cache cleared);
- memory per worker with ``--workers 2`` (``--pss-docs`` generated documents,
  forced): peak PSS and RSS of each worker process, read from
  ``/proc/PID/smaps_rollup``. PSS splits every shared page between the processes
  that map it, so memory-mapped word lists count once across the workers.
  ``--ray``: the same with ``--executor ray``, per actor.

``--breakdown`` then prints where this tree's CPU time goes in the forced sample run,
both ``pipeline detect`` of the short line and the fork server's preload: importing,
each lingua detector's calls (the first one of a detector loads its languages'
models), the models loaded on lingua's thread pool with the CPU of its longest thread
(their share of the wall time where each thread has a core), and the rest; for the
fork server, also the least its preload can take on this machine's cores.

The baseline is ``--rev REV`` (that commit, extracted with ``git archive`` into a
temporary folder and run from there), else this tree with ``PIPELINE_WORDFREQ=dict``
(wordfreq's own dicts instead of the mapped cache; imports stay lazy). Both sides
share one word-list cache folder, built before anything is timed (the build is
timed on its own). The machine's load is printed: timings on a busy machine are
inflated, ratios less so.

    .venv/bin/python bench/startup.py                       # baseline: dict mode
    .venv/bin/python bench/startup.py --rev bbbdf6f         # baseline: that commit
    .venv/bin/python bench/startup.py --repeat 5 --docs 500 --pss-docs 100
    .venv/bin/python bench/startup.py --rev bbbdf6f --repeat 3 --breakdown
    .venv/bin/python bench/startup.py --rev bbbdf6f --repeat 3 --fork-server-only
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# One short line (lingua is consulted: 8 words or fewer) and one sentence (words only).
LINE = "Mehr zum Thema\n"
SENTENCE = "A Coreia do Norte lançou um míssil de curto alcance no domingo.\n"
TARGETS = {
    "sample run peak RSS, tree (MiB)": 300,
    "sample run --force wall (s)": 2.0,
    "detect one line wall (s)": 0.5,
    "unchanged rerun wall (s)": 0.35,  # of 2,000 documents
    "unchanged rerun / first run (%)": 2.0,
    "fork server ready (s)": 1.0,
}
# The real fork server: started as the local executor starts it, timed from its start
# until a first process forked from it has run and ended; then the server's CPU time
# (user and system), page faults and resident memory, read before it is stopped. Its
# timeline, from marks that a module preloaded before the preload and one after write
# (time.perf_counter: the same clock in every process), and the forked process: its
# interpreter start (with multiprocessing's fork server module), the preload, the
# fork (the request accepted, the process forked and started) and the first process's
# end (its target run, its exit, its exit status reported). JSON on the last line.
FORK_SERVER = """
import json, multiprocessing, os, time
from multiprocessing import forkserver
import bench_stamp  # no mark here: BENCH_STAMPS is not set yet
if __name__ == "__main__":
    os.environ["BENCH_STAMPS"] = stamps = {stamps!r}
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bench_stamp", "pipeline.executors.preload",
                                    "bench_stamp_end"])
    started = time.perf_counter()
    child = context.Process(target=bench_stamp.forked)
    child.start()
    child.join()
    now = time.perf_counter()
    with open(f"/proc/{{forkserver._forkserver._forkserver_pid}}/stat") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    with open(stamps) as file:
        marks = dict(line.split() for line in file)
    times = [started, *(float(marks[m]) for m in ("started", "preloaded", "forked")), now]
    steps = [b - a for a, b in zip(times, times[1:])]
    print(json.dumps([now - started, cpu, int(fields[7]), rss, child.exitcode, steps]))
"""
# The marks' modules, written into the bench's working directory (the fork server's
# sys.path starts with it, as the parent's, run with -c, does).
STAMP_MODULES = {
    "bench_stamp.py": """\
import os, time
def mark(name):
    if "BENCH_STAMPS" in os.environ:
        with open(os.environ["BENCH_STAMPS"], "a") as file:
            file.write(f"{name} {time.perf_counter()!r}\\n")
def forked():
    mark("forked")
mark("started")
""",
    "bench_stamp_end.py": "import bench_stamp\nbench_stamp.mark('preloaded')\n",
}


# Word-list load and scoring in one process: the candidates' lists opened (dicts
# built, or files mapped), then every line longer than lingua's limit scored twice
# (the per-word cache cold, then cleared); CPU seconds, printed as JSON. The lines are
# UD PUD's 1,000 news sentences in 5 languages when ../shared/data holds them (see
# bench/detect.py), else the sample corpus's.
PUD = ROOT.parent / "shared" / "data" / "ud_pud"
SCORING = """
import json, time
from pathlib import Path
from pipeline.config import DEFAULT_CANDIDATES
from pipeline.stages.detect import LINGUA_MAX_WORDS, LanguageScorer
lines = [line for path in {paths!r}
         for line in Path(path).read_text(errors="replace").split("\\n")
         if len(line.split()) > LINGUA_MAX_WORDS]
t0 = time.process_time()
scorer = LanguageScorer(DEFAULT_CANDIDATES)
scorer._lists
t1 = time.process_time()
scorer.scores_many(lines)
t2 = time.process_time()
scorer.word_vector.cache_clear()
scorer.scores_many(lines)
t3 = time.process_time()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, len(lines)]))
"""


# --breakdown: where a command's CPU time goes, in one process of this tree: importing
# the pipeline, lingua's calls (per detector: languages, low accuracy, texts, CPU; its
# models load at its first use) and the rest. Models loaded on lingua's thread pool
# (detect._load_on_every_core) are listed apart, with the CPU of their longest thread:
# on a machine with a core free for each of the pool's threads, that is their share of
# the wall time. JSON on the last line.
THREAD_CPU = """
import os, time
TICK = os.sysconf("SC_CLK_TCK")
def thread_cpu():
    found = {{}}
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{{task}}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[task] = (int(fields[11]) + int(fields[12])) / TICK
    return found
pools = []
def pooled(real):
    def load(langs, low_accuracy, one_arena=False):
        before, t0 = thread_cpu(), time.process_time()
        real(langs, low_accuracy, one_arena)
        after = thread_cpu()
        longest = max(after[t] - before.get(t, 0.0) for t in after)
        pools.append([len(langs), low_accuracy, time.process_time() - t0, longest])
    return load
"""
BREAKDOWN = THREAD_CPU + """
import io, json, sys
start = time.process_time()
from pipeline import cli
from pipeline.stages import detect
imported = time.process_time() - start
calls, made, real, build = [], {{}}, detect.lingua_confidences, detect._build_detector
def built(langs, low_accuracy=False):
    found = build(langs, low_accuracy)
    made[id(found)] = (len(langs), low_accuracy)
    return found
def timed(found, texts):
    t0, loads = time.process_time(), sum(p[2] for p in pools)
    result = real(found, texts)
    if texts:  # without the models loaded on the pool meanwhile (listed apart)
        cpu = time.process_time() - t0 - (sum(p[2] for p in pools) - loads)
        calls.append([*made.get(id(found), (0, False)), len(texts), cpu])
    return result
detect._build_detector, detect.lingua_confidences = built, timed
detect._load_on_every_core = pooled(detect._load_on_every_core)
sys.stdin = io.TextIOWrapper(io.BytesIO({stdin!r}.encode()))
out, sys.stdout = sys.stdout, io.StringIO()
try:
    cli.main({argv!r})
except SystemExit:
    pass
sys.stdout = out
total = time.process_time() - start
print(json.dumps({{"total": total, "imports": imported, "lingua": calls, "pools": pools}}))
"""
# The fork server's preload (pipeline.executors.preload), step by step: CPU, and the
# longest thread's CPU (the same but for the models loaded on lingua's thread pool).
# The file is loaded under another name, which does not run its preload at the import.
FORK_SERVER_STEPS = THREAD_CPU.format() + """
import importlib.util, json
steps, t0, c0 = [], time.process_time(), thread_cpu()
def step(name):
    global t0, c0
    now, threads = time.process_time(), thread_cpu()
    steps.append([name, now - t0, max(threads[t] - c0.get(t, 0.0) for t in threads)])
    t0, c0 = now, threads
spec = importlib.util.find_spec("pipeline.executors.preload")
spec = importlib.util.spec_from_file_location("preload_steps", spec.origin)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.preload(step)
print(json.dumps(steps))
"""


def breakdown(env: dict[str, str], cwd: Path, corpus: Path, out: Path) -> None:
    """Print where the CPU time of the three start-up measures goes (this tree)."""
    cases = [
        ("sample run --force", ["run", str(corpus), "--out", str(out), "--force"], ""),
        ("detect one line", ["detect"], LINE),
        ("detect one line --scores", ["detect", "--scores"], LINE),
    ]
    print("\nCPU breakdown, this tree (seconds; lingua: languages, low accuracy, texts)")
    for name, argv, stdin in cases:
        code = BREAKDOWN.format(argv=argv, stdin=stdin)
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd,
                              capture_output=True, text=True, check=True)
        found = json.loads(done.stdout.splitlines()[-1])
        lingua = sum(call[-1] for call in found["lingua"])
        pooled = sum(pool[2] for pool in found["pools"])
        rest = found["total"] - found["imports"] - lingua - pooled
        print(f"- {name}: {found['total']:.2f} total = {found['imports']:.2f} importing "
              f"pipeline.cli and the detect stage + {lingua:.2f} in lingua's calls + "
              f"{pooled:.2f} loading lingua's models on every core + {rest:.2f} the rest "
              "(other imports included)")
        for langs, low, texts, cpu in found["lingua"]:
            if cpu >= 0.01:
                print(f"    lingua {langs} languages{' (low accuracy)' if low else ''}, "
                      f"{texts} texts: {cpu:.2f}")
        for langs, low, cpu, longest in found["pools"]:
            print(f"    lingua {langs} languages{' (low accuracy)' if low else ''} loaded "
                  f"on every core: {cpu:.2f}, its longest thread {longest:.2f}")
        if found["pools"]:
            path = found["total"] - pooled + sum(pool[3] for pool in found["pools"])
            print(f"    with a free core per thread of lingua's: {path:.2f} s of CPU one "
                  "after another")
    fork_server_steps(env, cwd)


def fork_server_steps(env: dict[str, str], cwd: Path) -> None:
    """Print the CPU time of each step of the fork server's preload (this tree)."""
    done = subprocess.run([sys.executable, "-c", FORK_SERVER_STEPS], env=env, cwd=cwd,
                          capture_output=True, text=True, check=True)
    steps = json.loads(done.stdout.splitlines()[-1])
    print(f"- fork server preload: {sum(cpu for _, cpu, _ in steps):.2f} total; with a free "
          f"core per thread of lingua's: {sum(longest for _, _, longest in steps):.2f}")
    for name, cpu, longest in steps:
        print(f"    {name}: {cpu:.2f}" + (f", its longest thread {longest:.2f}"
                                          if longest < cpu - 0.02 else ""))
    # The least the preload can take here: its steps outside lingua's thread pool run
    # one after another (lingua holds the GIL while its pool loads, so nothing of
    # Python's overlaps it), lingua's models at best spread evenly over every core.
    cores = os.cpu_count() or 1
    pooled = sum(cpu for name, cpu, longest in steps if longest < cpu - 0.02)
    serial = sum(cpu for _, cpu, _ in steps) - pooled
    print(f"    at best on {cores} cores: {serial:.2f} one after another + {pooled:.2f} "
          f"lingua / {cores} = {serial + pooled / cores:.2f} s, plus the fork server's "
          "interpreter start and the first fork (the timeline's other rows)")


def fork_server(side: Side, cwd: Path, record: Callable[[Side, str, float], None]) -> None:
    """Time the fork server's readiness (see FORK_SERVER) and the preload's import in
    an interpreter that then exits, as this bench timed it before."""
    for name, text in STAMP_MODULES.items():
        (cwd / name).write_text(text)
    stamps = cwd / "stamps.txt"
    stamps.unlink(missing_ok=True)
    done = subprocess.run(side.python("-c", FORK_SERVER.format(stamps=str(stamps))),
                          env=side.env, cwd=cwd, capture_output=True, text=True, check=True)
    ready, cpu, faults, rss, exitcode, steps = json.loads(done.stdout.splitlines()[-1])
    assert exitcode == 0, f"{side.name}: the process forked from the fork server failed"
    record(side, "fork server ready (s)", ready)
    record(side, "fork server ready, its CPU (s)", cpu)
    record(side, "fork server ready, its page faults (thousands)", faults / 1000)
    record(side, "fork server ready, its RSS (MiB)", rss)
    for name, seconds in zip(FORK_SERVER_TIMELINE, steps, strict=True):
        record(side, name, seconds)
    got = sample(side.python("-c", "import pipeline.executors.preload"), side.env, cwd)
    record(side, "preload imported, then exit (s)", got.wall)
    record(side, "preload imported, then exit, CPU (s)", got.cpu)
    record(side, "preload imported, peak RSS (MiB)", got.max_rss)


FORK_SERVER_TIMELINE = ("fork server ready: interpreter start (s)",
                        "fork server ready: preload (s)",
                        "fork server ready: fork, until the process runs (s)",
                        "fork server ready: the process's run and exit (s)")


def _load_rerun():
    spec = importlib.util.spec_from_file_location("bench_rerun", ROOT / "bench" / "rerun.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the process tree -----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as file:
                found += [int(c) for c in file.read().split()]
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (bounded by the number of processes)."""
    seen, todo = [], [pid]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.append(current)
            todo += _children(current)
    return seen


def rss_mib(pid: int, anonymous: bool = False) -> float:
    """Resident MiB of ``pid``; ``anonymous``: less its file-backed and shared pages
    (statm's "shared": lingua's library, the mapped word lists), which the page cache
    holds whoever maps them."""
    try:
        with open(f"/proc/{pid}/statm") as file:
            fields = file.read().split()
        pages = int(fields[1]) - (int(fields[2]) if anonymous else 0)
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, IndexError):
        return 0.0


def rollup_mib(pid: int) -> dict[str, float]:
    """Rss and Pss of one process from ``smaps_rollup`` (empty once it is gone)."""
    found = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as file:
            for line in file:
                parts = line.split()
                if parts[0] in ("Rss:", "Pss:"):
                    found[parts[0][:-1]] = int(parts[1]) / 1024
    except OSError:
        pass
    return found


def cpu_s(pid: int) -> float:
    """User and system CPU seconds of ``pid`` so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class Sampled:
    wall: float = 0.0
    tree_rss: float = 0.0  # peak of the sum over the tree, MiB
    tree_anon: float = 0.0  # the same, anonymous pages only (no file-backed, no shared)
    max_rss: float = 0.0  # ru_maxrss of the largest process, MiB
    returncode: int = 0
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for
    workers: dict[int, dict[str, float]] = field(default_factory=dict)  # pid -> peaks
    tree_cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU s, last sampled


def sample(argv: Sequence[str], env: dict[str, str], cwd: Path, stdin: str = "",
           workers: bool = False, interval: float = 0.01) -> Sampled:
    """Run ``argv``; sample the tree's RSS (and, with ``workers``, each worker's
    PSS and RSS) until it ends."""
    result = Sampled()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            pids = tree(proc.pid)
            result.tree_rss = max(result.tree_rss, sum(map(rss_mib, pids)))
            result.tree_anon = max(result.tree_anon,
                                   sum(rss_mib(pid, anonymous=True) for pid in pids))
            if workers:
                for pid in pids:
                    result.tree_cpu[pid] = max(result.tree_cpu.get(pid, 0.0), cpu_s(pid))
                for pid in pool_workers(proc.pid):
                    peaks = result.workers.setdefault(pid, {"Rss": 0.0, "Pss": 0.0})
                    for key, value in rollup_mib(pid).items():
                        peaks[key] = max(peaks[key], value)
            done.wait(interval)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    if stdin:
        proc.stdin.write(stdin.encode())  # type: ignore[union-attr]
    proc.stdin.close()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    result.wall = time.perf_counter() - started
    done.set()
    watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    result.returncode = proc.returncode
    result.max_rss = usage.ru_maxrss / 1024
    result.cpu = usage.ru_utime + usage.ru_stime
    return result


def pool_workers(root: int) -> list[int]:
    """The run's worker processes: Ray's actors running shards (``ray::`` processes
    named after the map worker), else the fork server's children (the fork server is
    the run's child running multiprocessing.forkserver), else spawned children."""
    everyone = tree(root)
    actors = [pid for pid in everyone
              if "ray::" in (line := cmdline(pid)) and ("MapWorker" in line
                                                        or "ShardActor" in line)]
    if actors:
        return actors
    children = _children(root)
    for pid in children:
        if "forkserver" in cmdline(pid):
            return _children(pid)
    return [pid for pid in children if "spawn_main" in cmdline(pid)]


# --- sides ---------------------------------------------------------------------------


@dataclass
class Side:
    name: str
    root: Path
    env: dict[str, str]

    def python(self, *args: str) -> list[str]:
        return [sys.executable, *args]


def make_sides(args: argparse.Namespace, tmp: Path, common: dict[str, str]) -> list[Side]:
    ours = Side("ours", ROOT, {**common, "PYTHONPATH": str(ROOT)})
    ours.env.pop("PIPELINE_WORDFREQ", None)
    if args.rev:
        base = tmp / "baseline"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        baseline = Side(f"baseline {args.rev}", base, {**common, "PYTHONPATH": str(base)})
        baseline.env.pop("PIPELINE_WORDFREQ", None)
    else:
        baseline = Side("baseline dict", ROOT, {**common, "PYTHONPATH": str(ROOT),
                                                "PIPELINE_WORDFREQ": "dict"})
    return [baseline, ours]


def data_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in ("report.json", "report.html")
            and ".pipeline" not in p.parts}


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="baseline: this git revision (default: this tree "
                        "with PIPELINE_WORDFREQ=dict)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side and measure")
    parser.add_argument("--docs", type=int, default=2000, help="documents of the rerun")
    parser.add_argument("--pss-docs", type=int, default=200,
                        help="documents of the --workers 2 run (0: skip it)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also print where this tree's CPU time goes (imports, lingua's "
                        "calls, the rest) in the sample run, detect and the fork server")
    parser.add_argument("--fork-server-only", action="store_true",
                        help="only the fork server's measures (seconds, not minutes); with "
                        "--breakdown, only its preload's")
    parser.add_argument("--ray", action="store_true",
                        help="also measure PSS per actor under --executor ray (slow)")
    args = parser.parse_args()
    if args.repeat < 1 or args.docs < 1 or args.pss_docs < 0:
        parser.error("--repeat and --docs must be 1 or more, --pss-docs 0 or more")
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        run_bench(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"\nload average (1, 5, 15 min): before {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} "
          f"{load_after[2]:.2f}; {os.cpu_count()} CPUs")


def run_bench(args: argparse.Namespace, tmp: Path) -> None:
    common = {**os.environ, "ARGOS_PACKAGES_DIR": str(tmp / "no-models"),
              "XDG_CACHE_HOME": str(tmp / "cache")}
    # As installed: modules load from their cached bytecode (written by the warm-up),
    # not compiled from source at every start.
    common.pop("PYTHONDONTWRITEBYTECODE", None)
    sides = make_sides(args, tmp, common)
    cwd = tmp / "cwd"  # holds the repository's pipeline.toml, and no pipeline/ package
    cwd.mkdir()
    shutil.copy(ROOT / "pipeline.toml", cwd / "pipeline.toml")
    corpus = ROOT / "corpus"
    results: dict[str, dict[str, list[float]]] = {s.name: {} for s in sides}

    def record(side: Side, measure: str, value: float) -> None:
        results[side.name].setdefault(measure, []).append(value)

    def run_argv(side: Side, out: Path, *extra: str, source: Path = corpus) -> list[str]:
        return side.python("-m", "pipeline", "run", str(source), "--out", str(out), *extra)

    ours = sides[-1]
    if args.fork_server_only:
        for side in sides:  # untimed: the word-list cache and .pyc files written
            sample(side.python("-c", "import pipeline.executors.preload"), side.env, cwd)
        for _ in range(args.repeat):
            for side in sides:
                fork_server(side, cwd, record)
        if args.breakdown:
            print("\nCPU breakdown, this tree (seconds)")
            fork_server_steps(ours.env, cwd)
        print_table(sides, results)
        return
    # Word-list cache: built once (timed), then shared by every run below.
    build = sample(run_argv(ours, tmp / "out-build"), ours.env, cwd)
    print(f"first run of ours, word-list cache built: {build.wall:.2f} s wall, "
          f"tree peak RSS {build.tree_rss:.0f} MiB")
    # Warm-up: each side once (page cache, .pyc files), not counted.
    for side in sides:
        sample(run_argv(side, tmp / f"out-{side.name}"), side.env, cwd)

    scoring_paths = ([str(PUD / f"pud.{lang}.txt") for lang in ("pt", "de", "en", "es", "fr")]
                     if PUD.is_dir() else [str(p) for p in sorted(corpus.rglob("*.txt"))])
    outputs = {}
    for _ in range(args.repeat):
        for side in sides:
            out = tmp / f"out-{side.name}"
            got = sample(run_argv(side, out, "--force"), side.env, cwd)
            record(side, "sample run peak RSS, tree (MiB)", got.tree_rss)
            record(side, "sample run peak RSS, tree, anonymous only (MiB)", got.tree_anon)
            record(side, "sample run peak RSS, largest process (MiB)", got.max_rss)
            record(side, "sample run --force wall (s)", got.wall)
            record(side, "sample run --force CPU (s)", got.cpu)
            outputs[side.name] = data_files(out)
            got = sample(side.python("-m", "pipeline", "detect"), side.env, cwd, stdin=LINE)
            record(side, "detect one line wall (s)", got.wall)
            record(side, "detect one line CPU (s)", got.cpu)
            record(side, "detect one line peak RSS (MiB)", got.max_rss)
            got = sample(side.python("-m", "pipeline", "detect", "--scores"), side.env, cwd,
                         stdin=LINE)
            record(side, "detect one line --scores wall (s)", got.wall)
            record(side, "detect one line --scores CPU (s)", got.cpu)
            got = sample(side.python("-m", "pipeline", "detect"), side.env, cwd,
                         stdin=SENTENCE)
            record(side, "detect one sentence wall (s)", got.wall)
            record(side, "detect one sentence CPU (s)", got.cpu)
            record(side, "detect one sentence peak RSS (MiB)", got.max_rss)
            fork_server(side, cwd, record)
            scoring = subprocess.run(
                side.python("-c", SCORING.format(paths=scoring_paths)), env=side.env, cwd=cwd,
                capture_output=True, text=True, check=True)
            load, cold, again, lines = json.loads(scoring.stdout.splitlines()[-1])
            record(side, "word lists open, CPU (s)", load)
            record(side, f"score {lines} lines, first pass, CPU (s)", cold)
            record(side, f"score {lines} lines, cache cleared, CPU (s)", again)
    identical = len({json.dumps({k: v.hex() for k, v in o.items()}) for o in
                     outputs.values()}) == 1
    print(f"sample run data files identical between the sides: {'yes' if identical else 'NO'}")
    for argv in (["detect"], ["detect", "--scores"]):
        said = {subprocess.run(side.python("-m", "pipeline", *argv), env=side.env, cwd=cwd,
                               input=LINE + SENTENCE, capture_output=True, text=True).stdout
                for side in sides}
        print(f"`pipeline {' '.join(argv)}` output identical between the sides: "
              f"{'yes' if len(said) == 1 else 'NO'}")
    if args.breakdown:
        breakdown(ours.env, cwd, corpus, tmp / "out-breakdown")

    rerun = _load_rerun()
    big = rerun.make_corpus(tmp, args.docs)
    # Each side fills its own OUT with its own first run: an older revision cannot
    # write into a newer state (nor share its fingerprint), and each side's report
    # writer lays the pages out its own way.
    outs, firsts = {}, {}
    for side in sides:
        outs[side.name] = out = tmp / f"out-rerun-{len(outs)}"
        firsts[side.name] = first = sample(run_argv(side, out, source=big), side.env, cwd)
        print(f"first run of {args.docs} documents ({side.name}): {first.wall:.1f} s")
        # Untimed: files read when less than 2 s old are hashed once more.
        sample(run_argv(side, out, source=big), side.env, cwd)
    for _ in range(args.repeat):
        for side in sides:
            got = sample(run_argv(side, outs[side.name], source=big), side.env, cwd)
            assert got.returncode in (0, 3), f"{side.name}: the rerun exited {got.returncode}"
            report = json.loads((outs[side.name] / "report.json").read_text())
            assert report["processed"] == 0, f"{side.name} reprocessed {report['processed']}"
            record(side, "unchanged rerun wall (s)", got.wall)
            record(side, "unchanged rerun CPU (s)", got.cpu)
            record(side, "unchanged rerun / first run (%)",
                   100 * got.wall / firsts[side.name].wall)
            phases = report.get("timings_s", {})
            for phase in ("start", "discover", "pages"):
                if phase in phases:
                    record(side, f"unchanged rerun, phase {phase} (s)", phases[phase])

    if args.pss_docs:
        few = rerun.make_corpus(tmp, args.pss_docs, seed=7)
        executors = [("--workers 2", ())] + ([("ray, 2 actors", ("--executor", "ray"))]
                                             if args.ray else [])
        for label, extra in executors:
            for side in sides:
                got = sample(run_argv(side, tmp / f"out-pss-{side.name}", "--force",
                                      "--workers", "2", *extra, source=few),
                             side.env, cwd, workers=True, interval=0.05)
                peaks = sorted(got.workers.values(), key=lambda p: -p["Pss"])[:2]
                for i, peak in enumerate(peaks, 1):
                    record(side, f"{label}: worker {i} peak PSS (MiB)", peak["Pss"])
                    record(side, f"{label}: worker {i} peak RSS (MiB)", peak["Rss"])
                record(side, f"{label}: tree peak RSS (MiB)", got.tree_rss)
                # every process of the tree, as last sampled (each misses its last 50 ms)
                record(side, f"{label}: tree CPU, sampled (s)", sum(got.tree_cpu.values()))
                record(side, f"{label}: wall (s)", got.wall)

    print_table(sides, results)


def print_table(sides: list[Side], results: dict[str, dict[str, list[float]]]) -> None:
    base, ours = sides
    width = max(len(m) for m in results[ours.name]) + 2
    print(f"\n{'measure (median)':<{width}}{base.name:>18}{ours.name:>10}{'ratio':>8}"
          f"{'target':>9}   best of each (baseline, ours)")
    for measure, values in results[ours.name].items():
        theirs = median(results[base.name].get(measure, []))
        mine = median(values)
        ratio = mine / theirs if theirs else float("nan")
        target = TARGETS.get(measure)
        best = min(results[base.name].get(measure, [float("nan")]))
        print(f"{measure:<{width}}{theirs:>18.2f}{mine:>10.2f}{ratio:>8.2f}"
              f"{'' if target is None else f'<= {target}':>9}   {best:.2f}, {min(values):.2f}")


if __name__ == "__main__":
    main()
