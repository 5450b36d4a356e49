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
``bench/startup.py --breakdown``). Its malloc arenas are not
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
    detect.preload_language_models(scorer.candidates)  # on every core
    step(f"lingua high accuracy, {len(scorer.candidates)} candidates, on every core")
    # The open-set check's first pass (lingua's low-accuracy models of every language
    # written in Latin script, about 45 MiB): every worker's warm-up needs it.
    latin = detect.SCRIPT_LANGUAGES["Latin"]
    low = detect._lingua_detector(latin, low_accuracy=True)
    detect.lingua_confidences(low, SAMPLES[:1])  # its first use loads them on every core
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
    try:
        preload()
    except Exception:  # noqa: BLE001 - a worker loads what it needs itself
        pass
