"""The review report at corpus scale: 20,000 synthetic documents, no models.

Measures, in one run of ``pipeline run`` over a corpus this script writes:

- the report's share of the run (target: at most 5%): report.json's ``pages`` phase
  (the totals, report.html and the folder OUT/report/, in the runner; wall seconds)
  plus its ``sections`` (the CPU seconds the workers spent rendering the sections of
  the documents they processed), against the run's ``total`` wall seconds and its CPU
  seconds (every process of the run: this script adopts the workers, Linux), with the
  load average (the machine may be shared);
- a rerun after changing 1% of the documents: the pages (blocks of documents) rewritten
  and the phase;
- in headless Chromium (``/usr/bin/chromium``, Playwright): the time from
  navigation to the load event of OUT/report/index.html (target: under 2 s), and
  that a document chosen at random is reached in two clicks (search in the index,
  then its link; without the script: a list page, then its link).

The texts are generated here (news-like Portuguese and German sentences with the
artefacts the pipeline repairs: split compounds, German labels, doubled headlines,
CRLF line ends, English sentences); nothing is read from ../shared.

- with ``--baseline REV`` (a git revision): the report phase alone (the runner's
  totals from the state, then the writer over the stored documents), REV's against
  this tree's, in the same run on copies of the OUT just made, wall and CPU seconds:
  a rerun that changes nothing and one after 1% of the stored documents changed
  (best of 3 each), and a first run (a fresh folder, pages rendered in one process);
  the CPU of each against the CPU of the pipeline run it stands for. Where the code
  renders sections in the workers, ours' CPU is the report phase's, plus the sections
  of the documents that run processed rendered as the workers do (timed; their JSON
  parsed and their files read untimed, as a worker holds them in memory), plus the
  spool that keeps them (the runner, on each commit; the report taking them is part of
  the report phase's CPU, which code before 2026-12-07's ninth round counted twice, in
  the spool's seconds too).

- with ``--sizes REV``: the first run of a corpus of ``--documents`` one-line files
  (``pipeline run``, ``--workers``), REV's code against this tree's, each into a fresh
  OUT in turn: the bytes of OUT/report/ (all of it, and its block pages), and the
  runner's peak resident memory (VmHWM, read by the runner itself as it exits: the
  report is written last), with the ratios.

- with ``--instructions REV``: the instructions (``valgrind --tool=callgrind``, a count
  that does not depend on the machine's load) that rendering a document's section costs,
  REV's code against this tree's, over the first :data:`INSTRUCTION_DOCS` documents
  stored (one pass less none: the start-up left out), and their ratio.

    .venv/bin/python bench/review.py [--documents 20000] [--workers 2] [--baseline REV]
        [--instructions REV]
    .venv/bin/python bench/review.py --documents 50000 --sizes REV   # sizes and memory only
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PT = ("o governo", "a cidade", "o porto", "a empresa", "o ministro", "a escola", "o tribunal",
      "a câmara", "o hospital", "a universidade", "o clube", "a polícia")
PT_VERBS = ("anunciou", "confirmou", "aprovou", "rejeitou", "apresentou", "investigou")
PT_OBJ = ("um novo plano de obras", "o orçamento para o próximo ano", "a reforma do centro",
          "uma parceria com a Rússia", "as regras de trânsito", "o acordo norte -coreano",
          "um projeto sul -africano", "a proposta da oposição")
DE = ("Die Regierung", "Der Hafen", "Die Stadt", "Das Unternehmen", "Der Minister",
      "Die Schule")
DE_VERBS = ("kündigte", "bestätigte", "legte", "prüfte")
DE_OBJ = ("einen neuen Plan an", "den Haushalt vor", "die Reform des Zentrums an",
          "die Regeln für den Verkehr")
EN = ("The council said the works would start in spring.",
      "Officials did not comment on the report.")
LABELS = ("Details", "Kommentare (0)", "Teilen", "OrtLisboa, Portugal", "Leia mais")


def pt_sentence(rng: random.Random) -> str:
    return (f"{rng.choice(PT).capitalize()} {rng.choice(PT_VERBS)} {rng.choice(PT_OBJ)} "
            f"em {rng.randint(2001, 2026)}.")


def de_sentence(rng: random.Random) -> str:
    return f"{rng.choice(DE)} {rng.choice(DE_VERBS)} {rng.choice(DE_OBJ)}."


def document(rng: random.Random, n: int) -> bytes:
    """One synthetic article: a headline, 2 to 6 paragraphs, sometimes artefacts."""
    german = n % 5 == 4
    sentence = de_sentence if german else pt_sentence
    title = sentence(rng).rstrip(".")
    paragraphs = [title]
    if rng.random() < 0.2:
        paragraphs.append(title)  # a doubled headline
    for _ in range(rng.randint(2, 6)):
        body = [sentence(rng) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.1:
            body.insert(rng.randint(0, len(body)), rng.choice(EN))
        paragraphs.append(" ".join(body))
    if rng.random() < 0.3:
        paragraphs.append("\n".join(rng.sample(LABELS, 2)))
    text = "\n\n".join(paragraphs) + "\n"
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


def write_corpus(corpus: Path, documents: int, seed: int = 22) -> None:
    rng = random.Random(seed)
    for n in range(documents):
        folder = corpus / f"{n // 1000:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"artigo-{n:05d}.txt").write_bytes(document(rng, n))
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)


def load() -> str:
    """The load average over the last minute (the machine may be shared)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux), so that the CPU time
    of a run's workers (children of a fork server that exits unwaited) is counted."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # SUBREAPER
    except (OSError, AttributeError):
        return False


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap(seconds: float = 30.0) -> None:
    """Wait for the adopted descendants of a finished run (at most ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def pipeline_run(corpus: Path, out: Path, workers: int) -> tuple[float, float, dict]:
    """One ``pipeline run``: its wall and CPU seconds (all its processes), report.json."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARGOS_PACKAGES_DIR": str(out.parent / "none")}
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
               "--to", "en", "--workers", str(workers)]
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    reap()
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return wall, children_cpu() - cpu, json.loads((out / "report.json").read_text("utf-8"))


def share(report: dict, cpu: float | None) -> str:
    """The report's share of the run: the report phase (wall, the runner) and the
    sections the workers rendered (their CPU seconds, ``timings_s.sections``)."""
    t = report["timings_s"]
    pages, sections = t["pages"], t.get("sections", 0.0)
    text = (f"report phase {pages:.2f} s of the run's {t['total']:.2f} s wall "
            f"= {pages / t['total']:.1%}")
    if sections:
        text += (f"; with the sections the workers rendered ({sections:.2f} s CPU): "
                 f"{pages + sections:.2f} s = {(pages + sections) / t['total']:.1%} of the wall")
        if cpu:
            text += f", {(pages + sections) / cpu:.1%} of the run's CPU"
    return text + " (target <= 5%)"


def browse(out: Path, doc: str) -> None:
    """Open the index in headless Chromium; reach ``doc`` in two clicks, twice."""
    from playwright.sync_api import sync_playwright

    index = out / "report" / "index.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        loads = []
        for _ in range(3):
            page.goto(index.as_uri(), wait_until="load")
            loads.append(page.evaluate(
                "performance.getEntriesByType('navigation')[0].loadEventEnd"))
        print(f"index.html: {index.stat().st_size / 1e6:.1f} MB, load event at "
              f"{', '.join(f'{ms / 1000:.2f}' for ms in loads)} s after navigation "
              f"(best {min(loads) / 1000:.2f} s; target < 2 s)")
        # With the script: type the name in the search box, click the one link left.
        page.fill("#index-tools input[name=q]", doc)
        page.click(f"#index-body a:text-is('{doc}')")  # click 1 (typing is no click)
        page.wait_for_load_state("load")
        found = page.locator("section.doc:target h2").inner_text()
        print(f"with the script: search, then click 1: {found.split()[0]}")
        # Without it: a list page, then the document.
        page.goto(index.as_uri(), wait_until="load")
        rows = json.loads(page.locator("#index-data").text_content())["rows"]
        number = [r[0] for r in rows].index(doc) // 1000 + 1
        page.click(f"a[href='list/{number:04d}.html']")  # click 1
        page.click(f"#list-body a:text-is('{doc}')")  # click 2
        found2 = page.locator("section.doc:target h2").inner_text()
        print(f"without the script: list page {number}, then click 2: {found2.split()[0]}")
        print(f"console errors: {len(errors)} {errors[:3]}")
        browser.close()


WRITER = """
import hashlib, inspect, json, shutil, sys, time
from pathlib import Path
from pipeline.document import Document
from pipeline.state import StateStore
import pipeline.writers.review as review
from pipeline.writers.review import corpus_sources, write_report
out, corpus, change = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
report = json.loads((out / "report.json").read_text(encoding="utf-8"))
if change < 0:  # a first run: no folder yet, pages rendered in this one process
    shutil.rmtree(out / "report", ignore_errors=True)
    review.render_processes = lambda: 1
state = StateStore(out / ".pipeline" / "state.sqlite")
current = set(state.known())
sources = corpus_sources(corpus)
def new_json(text):  # a changed document: a new JSON
    return text.replace('"text":"', '"text":"Nota. ', 1)
def changed(items, text):  # every change-th document changed
    for n, item in enumerate(items):
        yield new_json(text(item)) if change > 0 and n % change == 0 else item
spool, workers = None, 0.0
if change != 0 and hasattr(review, "SectionSpool"):
    # The documents this run processed, as their workers hold them (not timed: the
    # worker has the Document and the file's bytes in memory); then, timed, what the
    # workers do for the report (render each section) and what the runner does with
    # it on each commit (keep it in the spool).
    # A shard at a time, as a worker holds them (not the whole corpus in memory).
    refs = list(state.report_refs())
    chosen = [r for n, r in enumerate(refs) if change < 0 or n % change == 0]
    spool = review.SectionSpool(out / ".pipeline")
    # Where the worker makes the JSON's digest once, for the state and the section, the
    # section is handed it (made untimed: the state needs it without the report too).
    given = "json_digest" in inspect.signature(review.render_section).parameters
    def digest(text):  # pipeline.state.digest (which older revisions lack)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    for at in range(0, len(chosen), 32):
        texts = [r.json() if change < 0 else new_json(r.json()) for r in chosen[at:at + 32]]
        docs = [Document.from_json(t) for t in texts]
        found = [sources(d) for d in docs]
        made = [[digest(t)] if given else [] for t in texts]
        cpu = time.process_time()
        rendered = [review.render_section(d, t, report["targets"], f, *g)
                    for d, t, f, g in zip(docs, texts, found, made)]
        workers += time.process_time() - cpu
        for d, r in zip(docs, rendered):
            spool.add(d.doc, r)
    del refs, chosen, texts, docs, found, rendered, made
wall, cpu = time.perf_counter(), time.process_time()
# What the runner's report phase does: the totals, then the writer over the stored documents.
if hasattr(state, "report_totals"):
    state.report_totals(current)
    items, text = state.report_refs(), lambda item: item.json()
else:
    for _ in state.summaries():
        pass
    items, text = state.column("document"), lambda item: item
# The runner hands its memo too: with nothing changed, the writer returns at once.
memo = state.report_memo() if change == 0 and hasattr(state, "report_memo") else None
extra = [memo] if memo else []
if spool is not None:
    write_report(out, changed(items, text), report, sources, None, spool)
else:
    write_report(out, changed(items, text), report, sources, *extra)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
kept = spool.seconds if spool is not None else 0.0  # the spool's CPU keeping sections
print(wall, cpu + workers + kept, cpu, workers, kept)
print(Path(review.__file__).resolve())  # the code measured
"""


def writer_seconds(code: Path, out: Path, corpus: Path, change: int
                   ) -> tuple[float, float, float, float, float]:
    """The report's cost with ``code`` (``change`` < 0: a first run, in one process):
    the report phase's wall seconds (totals and writer); all the CPU seconds the report
    costs; of which the report phase's, the workers' (rendering the sections of the
    documents processed, where ``code`` does that) and the spool's (keeping them)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    # In ``code``'s folder: ``python -c`` puts the working folder first on sys.path, so
    # run from the repository root it would import this tree's pipeline, whatever
    # PYTHONPATH says (the baseline measured before 2026-12-06 was this tree's own).
    done = subprocess.run([sys.executable, "-c", WRITER, str(out), str(corpus), str(change)],
                          env=env, capture_output=True, text=True, check=True, cwd=code)
    *_, wall, cpu, phase, workers, spool, module = done.stdout.split()
    if not Path(module).is_relative_to(code.resolve()):
        raise SystemExit(f"the report phase of {code} ran {module}")
    return float(wall), float(cpu), float(phase), float(workers), float(spool)


def unpack(revision: str, folder: Path) -> Path:
    """``revision``'s pipeline package, unpacked into ``folder`` (emptied first)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "pipeline"],
                             capture_output=True, check=True).stdout
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def compare_writers(place: Path, out: Path, corpus: Path, revision: str,
                    runs_cpu: tuple[float, float] | None) -> None:
    """The report phase at ``revision`` against this tree's, on copies of ``out``;
    ``runs_cpu``: the CPU seconds of the first run and of the rerun, for the shares."""
    old = unpack(revision, place / "baseline-code")
    copies = {}
    for name in ("baseline", "ours"):
        copies[name] = place / f"out-{name}"
        shutil.rmtree(copies[name], ignore_errors=True)
        shutil.copytree(out, copies[name], symlinks=True)
    for label, change, tries in (("rerun, nothing changed", 0, 3),
                                 ("rerun, 1% of documents changed", 100, 3),
                                 ("first run (fresh folder, one process)", -1, 1)):
        best = {}
        for code, name in ((old, "baseline"), (ROOT, "ours")):
            writer_seconds(code, copies[name], corpus, 0)  # its own manifest, unchanged run
            times = []
            for _ in range(tries):
                times.append(writer_seconds(code, copies[name], corpus, change))
                if change:
                    writer_seconds(code, copies[name], corpus, 0)  # back to the stored JSON
            best[name] = min(times, key=lambda t: t[1])
        (bw, bc, *_), (ow, oc, phase, workers, spool) = best["baseline"], best["ours"]
        print(f"report, {label}: baseline ({revision}) {bw:.2f} s wall / {bc:.2f} s CPU, "
              f"ours {ow:.2f} s / {oc:.2f} s CPU, ratio {ow / bw:.2f} wall, {oc / bc:.2f} CPU "
              f"(best of {tries}; load {load()})")
        if workers or spool:
            print(f"  ours' CPU: report phase {phase:.2f} s + sections rendered in the workers "
                  f"{workers:.2f} s + spool {spool:.2f} s (the wall: the report phase alone)")
        if runs_cpu and change:
            run = runs_cpu[0] if change < 0 else runs_cpu[1]
            print(f"  its CPU against the CPU of that run ({run:.1f} s, report included): "
                  f"baseline {bc / run:.1%}, ours {oc / run:.1%} (target <= 5%)")


# ``pipeline run`` in a process that writes its peak resident memory (VmHWM, kB) to the
# file argv[1] as it exits; the rest of argv is the command line.
PEAK_RUN = """
import sys
from pathlib import Path
from pipeline.cli import main
code = main(sys.argv[2:])
status = Path("/proc/self/status").read_text()
Path(sys.argv[1]).write_text(next(line.split()[1] for line in status.splitlines()
                                  if line.startswith("VmHWM:")))
sys.exit(code)
"""


def write_one_line_corpus(corpus: Path, documents: int) -> None:
    """``documents`` files of one line each (a short Portuguese sentence)."""
    rng = random.Random(5)
    for n in range(documents):
        folder = corpus / f"{n // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"nota-{n:06d}.txt").write_bytes((pt_sentence(rng) + "\n").encode("utf-8"))


def folder_bytes(folder: Path) -> tuple[int, int, int]:
    """The bytes of the files under ``folder``, of those in its ``d/``, and their count."""
    total = pages = count = 0
    for path in folder.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            total += size
            count += 1
            pages += size if path.parent.name == "d" else 0
    return total, pages, count


def compare_sizes(place: Path, documents: int, workers: int, revision: str) -> None:
    """The report's bytes and the runner's peak memory of a first run, ``revision``'s code
    against this tree's, on the same corpus of one-line files."""
    corpus = place / "one-line"
    write_one_line_corpus(corpus, documents)
    old = unpack(revision, place / "sizes-code")
    found = {}
    for name, code in (("baseline", old), ("ours", ROOT)):
        out = place / f"sizes-{name}"
        shutil.rmtree(out, ignore_errors=True)
        peak = place / f"peak-{name}"
        env = {**os.environ, "PYTHONPATH": str(code),
               "ARGOS_PACKAGES_DIR": str(place / "none")}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PEAK_RUN, str(peak), "run", str(corpus), "--out", str(out),
             "--to", "en", "--workers", str(workers)],
            env=env, cwd=code, capture_output=True, text=True)
        wall = time.perf_counter() - started
        reap()
        if done.returncode not in (0, 3):
            raise SystemExit(f"{name}: pipeline run exited {done.returncode}:\n"
                             f"{done.stderr[-3000:]}")
        total, pages, count = folder_bytes(out / "report")
        found[name] = (total, pages, int(peak.read_text()) / 1024)
        print(f"{name} ({revision if name == 'baseline' else 'this tree'}): {documents:,} "
              f"one-line files, {wall:.1f} s wall (load {load()}); OUT/report/ "
              f"{total / 1e6:.1f} MB in {count:,} files, of which the block pages (d/) "
              f"{pages / 1e6:.1f} MB; runner VmHWM {found[name][2]:.0f} MiB")
        shutil.rmtree(out, ignore_errors=True)
    (bt, bp, bm), (ot, op, om) = found["baseline"], found["ours"]
    print(f"ratio ours/baseline: OUT/report/ {ot / bt:.3f}, block pages {op / bp:.3f}, "
          f"runner VmHWM {om / bm:.3f}")


INSTRUCTION_DOCS = 300  # documents whose sections callgrind counts (each side, twice)

SECTIONS = """
import hashlib, inspect, sys
from pathlib import Path
from pipeline.document import Document
from pipeline.state import StateStore
from pipeline.writers.review import corpus_sources, render_section
out, corpus = Path(sys.argv[1]), Path(sys.argv[2])
count, passes = int(sys.argv[3]), int(sys.argv[4])
state = StateStore(out / ".pipeline" / "state.sqlite")
texts = [r.json() for _, r in zip(range(count), state.report_refs())]
docs = [Document.from_json(t) for t in texts]
sources = corpus_sources(corpus)
found = [sources(d) for d in docs]
# The JSON's digest, where the worker hands it (made for the state too), made before.
given = "json_digest" in inspect.signature(render_section).parameters
made = [[hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest()] if given else []
        for t in texts]
for _ in range(passes):
    for d, t, f, g in zip(docs, texts, found, made):
        render_section(d, t, ["en"], f, *g)
print(len(docs))
"""


def section_instructions(code: Path, out: Path, corpus: Path) -> tuple[float, int]:
    """The instructions (callgrind's total) per section rendered with ``code``: a run
    that renders each of the first INSTRUCTION_DOCS stored documents once, less a run that
    renders none; and how many documents that was."""
    totals, documents = [], 0
    for passes in (0, 1):
        with tempfile.TemporaryDirectory() as tmp:
            counts = Path(tmp) / "callgrind.out"
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={counts}",
                 sys.executable, "-c", SECTIONS, str(out), str(corpus),
                 str(INSTRUCTION_DOCS), str(passes)],
                env={**os.environ, "PYTHONPATH": str(code)}, cwd=code, capture_output=True,
                text=True, check=True)
            documents = int(done.stdout.split()[-1])
            line = next(line for line in counts.read_text().splitlines()
                        if line.startswith(("summary:", "totals:")))
            totals.append(int(line.split()[1]))
    return (totals[1] - totals[0]) / max(documents, 1), documents


def compare_instructions(place: Path, out: Path, corpus: Path, revision: str) -> None:
    """Instructions per section rendered: ``revision``'s code against this tree's."""
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: the instruction counts are skipped")
        return
    old = unpack(revision, place / "instructions-code")
    if not (old / "pipeline" / "writers" / "review" / "__init__.py").is_file() or (
            "def render_section" not in (old / "pipeline" / "writers" / "review"
                                         / "__init__.py").read_text("utf-8")):
        print(f"{revision} renders no sections apart (render_section): instructions skipped")
        return
    base, documents = section_instructions(old, out, corpus)
    ours, _ = section_instructions(ROOT, out, corpus)
    print(f"instructions per section (callgrind, {documents} documents): baseline ({revision}) "
          f"{base:,.0f}, ours {ours:,.0f}, ratio {ours / base:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the corpus and OUT in this folder")
    parser.add_argument("--baseline", metavar="REV",
                        help="also time the report writer at this git revision against ours")
    parser.add_argument("--sizes", metavar="REV",
                        help="only the report's bytes and the runner's peak memory of a first "
                        "run of --documents one-line files, this git revision's code against "
                        "ours")
    parser.add_argument("--instructions", metavar="REV",
                        help="also count the instructions of rendering a section (callgrind), "
                        "this git revision's code against ours")
    args = parser.parse_args()
    if not Path("/usr/bin/chromium").exists():
        print("headless Chromium (/usr/bin/chromium) is not installed: browser checks skipped")
    place = Path(tempfile.mkdtemp(prefix="bench-review-")) if not args.keep else args.keep
    if args.sizes:
        try:
            compare_sizes(place, args.documents, args.workers, args.sizes)
        finally:
            if not args.keep:
                shutil.rmtree(place, ignore_errors=True)
        return 0
    try:
        corpus, out = place / "corpus", place / "out"
        write_corpus(corpus, args.documents)
        adopted = subreaper()
        wall, cpu, report = pipeline_run(corpus, out, args.workers)
        pages = len(list((out / "report" / "d").iterdir()))
        cpu_text = f"{cpu:.1f} s CPU" if adopted else "CPU of the workers not counted"
        print(f"first run, {args.documents:,} documents + 1 binary file: {wall:.1f} s wall, "
              f"{cpu_text} (load {load()}); {share(report, cpu if adopted else None)}; "
              f"{pages:,} pages of documents")
        rng = random.Random(7)
        changed = rng.sample(sorted(corpus.rglob("artigo-*.txt")), max(1, args.documents // 100))
        for path in changed:
            path.write_bytes(path.read_bytes() + "Nota final da redação.\n".encode())
        before = {p.name: p.stat().st_mtime_ns for p in (out / "report" / "d").iterdir()}
        wall, cpu2, report = pipeline_run(corpus, out, args.workers)
        after = {p.name: p.stat().st_mtime_ns for p in (out / "report" / "d").iterdir()}
        rewritten = sum(after[n] != before.get(n) for n in after)
        print(f"rerun, {len(changed)} documents changed: {wall:.1f} s wall, {cpu2:.1f} s CPU "
              f"(load {load()}); {share(report, cpu2 if adopted else None)}; "
              f"{rewritten} pages of documents rewritten")
        if Path("/usr/bin/chromium").exists():
            browse(out, changed[0].relative_to(corpus).as_posix())
        if args.baseline:
            compare_writers(place, out, corpus, args.baseline, (cpu, cpu2) if adopted else None)
        if args.instructions:
            compare_instructions(place, out, corpus, args.instructions)
    finally:
        if not args.keep:
            shutil.rmtree(place, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
