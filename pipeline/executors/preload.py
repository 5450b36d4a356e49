"""What every local worker process needs, loaded once in the fork server.

Local workers are forked from a fork server (``multiprocessing``'s "forkserver"
start method) that imports this module first: the pipeline's modules, the
detection word lists and lingua's models for the default configuration are then
in memory before any worker exists, and each worker starts with them instead of
loading its own (seconds per worker, and the pages are shared).

The word lists are memory-mapped cache files (:mod:`pipeline.wordfreq_store`):
opening them costs milliseconds, and the first run builds the files here, once,
before any worker would race to. lingua's models (the candidates' high-accuracy
ones, and the low-accuracy ones of every Latin-script language that the open-set
check reads first) are ordinary memory, shared with the workers copy-on-write;
they are most of the server's start-up time.

They load on lingua's thread pool, one language per core
(:func:`pipeline.stages.detect.preload_language_models`): the longest of its
threads works about half as long as one thread loading them all (2 cores;
``bench/startup.py --breakdown``). The candidates' models load with glibc's malloc
told to keep what lingua frees meanwhile for its next model, and the low-accuracy
ones with it told to give back what it kept (see HIGH and LOW below): a fifth fewer
page faults, and less left resident. The pool threads' malloc arenas are not
limited (the workers translate, and would inherit the limit): the loading's peak is
40-60 MiB higher for a moment, the memory left resident 2-4 MiB more (226-228 MiB
against 224). The pool's threads then sit idle, holding no lock, for as long as the
server lives; a forked worker has none of them and never calls the pool (it scores
one text at a time, see ``detect._in_forked_child``). Apart from them the server
stays single-threaded, and no translation model is loaded here. A worker whose
configuration needs other languages loads them itself, as before. Nothing here may fail a run: any
error just leaves the worker to load what it needs.
"""

from __future__ import annotations

from collections.abc import Callable

# Short texts make lingua load every n-gram order of each language's models.
SAMPLES = ("Nordkorea und Südkorea", "A Coréia do Norte", "the port reopened",
           "le prix du pain", "el precio sube", "il prezzo", "de prijs")


# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
# lingua decompresses each model into buffers of up to tens of MiB, which it frees once
# the model is built. With glibc's defaults, a buffer over the mmap threshold is a
# mapping of its own, given back at once, and a heap whose free top grows past the trim
# threshold is cut back: each model then faults fresh pages in (a kernel entry and a
# zeroed page each). While the candidates' models load (HIGH), buffers of up to 32 MiB
# (the most glibc allows) come from the heap, and a heap keeps 64 MiB of free top. The
# low-accuracy models then load with the top pad and trim threshold at glibc's defaults
# (LOW): as lingua's threads free in their heaps, the tops kept meanwhile go back.
# Then the trim threshold is 64 MiB (AFTER), for the server and its workers: with the
# mmap threshold left at 32 MiB, about where glibc's own rule (the mmap threshold raised
# to the largest mapped buffer freed, up to 32 MiB, the trim threshold to twice that)
# takes them in the same loading without any of this (26-28 MiB); setting them stops
# that rule from moving them further. The whole preload, 2 cores, under load, 4 runs
# each: 85-91 thousand page faults against 109-116 thousand, 0.21-0.29 s of system
# CPU against 0.28-0.32, 226-227 MiB resident after against 252-256; with the top
# pad kept through both loads (no LOW), 64-83 thousand faults and 0.15-0.20 s, but
# 229-282 MiB resident after (the thread heaps' tops). The peak while loading is higher:
# 272-274 MiB against 234-255 (`bench/startup.py --rev f91f5da --fork-server-only`,
# which also gave 81-84 thousand faults against 101-104, 224 MiB against 234-239 after).
HIGH = ((M_MMAP_THRESHOLD, 32 << 20), (M_TOP_PAD, 64 << 20))
LOW = ((M_TOP_PAD, 128 << 10), (M_TRIM_THRESHOLD, 128 << 10))
AFTER = ((M_TRIM_THRESHOLD, 64 << 20),)


def set_malloc(parameters: tuple[tuple[int, int], ...]) -> None:
    """glibc's malloc ``parameters`` (mallopt's); nothing elsewhere than glibc (see
    ``pipeline.stages.detect._libc``)."""
    from pipeline.stages import detect

    libc = detect._libc()
    if libc is not None:
        for parameter, value in parameters:
            libc.mallopt(parameter, value)


# Where the server's start-up goes, and what did not shorten it (2 cores;
# `bench/startup.py --fork-server-only --breakdown`, which prints its timeline and the
# least the preload can take). lingua holds the GIL while its pool loads, so nothing of
# Python's overlaps the loading: the imports, the word lists, the interpreter's start and
# the first fork add up, one after another, to about 0.3 s, and lingua's 1.6 CPU s over
# both cores to 0.8 at best (the 7 candidates' models go one language per thread, 0.19
# to 0.34 CPU s each under load, 0.53-0.59 of their CPU on the longer thread). Their
# fourgram and fivegram models are 0.3 and 0.6 of it; every short text a worker scores
# uses them.
# Tried, under load, CPU and thread CPU compared: lingua's pool with 7 threads (13% more
# CPU, 75% more page faults), the candidates loaded in pairs (no better balanced than one
# call), a larger malloc tcache or no fastbins (GLIBC_TUNABLES, M_MXFAST 0: malloc keeps
# its 12-13% of the loading's CPU), collection disabled while importing (no change).
def preload(step: Callable[[str], None] = lambda done: None) -> None:
    """Load it all; ``step`` is called after each part with what it did
    (``bench/startup.py --breakdown`` times the parts)."""
    import pipeline.shard  # noqa: F401 - every stage's module
    from pipeline.config import DEFAULT_CANDIDATES
    from pipeline.stages import detect

    step("imports (pipeline.shard: every stage)")
    # The default candidates, without asking argostranslate for the installed models'
    # languages: it reads its folders from the environment when imported, and this
    # server's environment is that of the first run that started it.
    scorer = detect.LanguageScorer(DEFAULT_CANDIDATES)
    scorer._lists  # noqa: B018 - maps the word lists (built into the cache if missing)
    step("word lists mapped")
    set_malloc(HIGH)
    try:
        detect.preload_language_models(scorer.candidates)  # on every core
    finally:
        set_malloc(LOW)
    step(f"lingua high accuracy, {len(scorer.candidates)} candidates, on every core")
    # The open-set check's first pass (lingua's low-accuracy models of every language
    # written in Latin script, about 45 MiB): every worker's warm-up needs it.
    latin = detect.SCRIPT_LANGUAGES["Latin"]
    low = detect._lingua_detector(latin, low_accuracy=True)
    try:
        detect.lingua_confidences(low, SAMPLES[:1])  # its first use loads them on every core
    finally:
        set_malloc(AFTER)
    step(f"lingua low accuracy, {len(latin)} Latin-script languages, on every core")
    # Then one text at a time, as in the workers: the pool is not used again.
    detect._in_forked_child = True
    scorer.ngram_scores(SAMPLES)  # the detectors are cached: workers reuse them
    detect.lingua_confidences(low, SAMPLES)
    detect.release_freed_memory()  # what lingua freed while loading: not for the workers
    step("sample texts scored, freed memory released")


# Run when imported under this name, as the fork server does (the bench loads the file
# under another one to time the parts).
if __name__ == "pipeline.executors.preload":
    import warnings

    # Python 3.12+ warns at each fork of this server that it runs threads: lingua's pool,
    # idle and holding no lock, which the workers never use (above). A DeprecationWarning,
    # printed under PYTHONWARNINGS=default or -X dev, of a hazard known and avoided here.
    warnings.filterwarnings("ignore", r"This process \(pid=\d+\) is multi-threaded, use of fork",
                            DeprecationWarning)
    try:
        preload()
    except Exception:  # noqa: BLE001 - a worker loads what it needs itself
        pass
