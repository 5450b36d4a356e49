"""Translation speed: argostranslate as users call it, our stage, and raw CTranslate2 (issue 5).

Builds a genuine transformer-base Argos package (int8, random weights, tokenizer trained on
synthetic text plus the benchmark sentences) in a temporary ``ARGOS_PACKAGES_DIR`` and
translates the same real Portuguese sentences (UD PUD, read from ``../shared/data``) into
English with it:

(a) ``argostranslate.translate.translate`` called once per sentence, its defaults (beam 4,
    batches of 32 tokens) but ``ARGOS_INTRA_THREADS=1``, which is faster than its default
    thread count on a few cores. In a child process, as a user's program would. Offline:
    argostranslate's default sentence splitter (MiniSBD) would download a model for the
    package (there is no ``minisbd/*.onnx`` in it), so the package's splitter is replaced by
    one that returns the input as one sentence. Each input is one sentence, so nothing
    changes but the splitter's own cost, which the comparison thus leaves out (in
    argostranslate's favour).
(b) our translate stage at beam 4, (c) at beam 1: ``Translate(engine, ["en"], memory)``
    over documents of 25 sentences, the engine with the config's defaults (threads = cores,
    int8, ``max_batch_tokens`` 2,048, divided by the beam size) and a cold translation
    memory, written as it goes.
(d) CTranslate2's ``translate_batch`` on the pre-tokenised sentences, the limit: the best of
    a small sweep (thread split x batch size, on up to 200 sentences) per beam, then run on
    every sentence.
(e) our stage at beam 4 again, new stage and engine, the memory warm from (b).
(f) a whole ``pipeline run`` (cleanup, detection, translation at beam 4, writing) in a new
    process over a corpus of 600 of the sentences (24 documents of 25 sentences in
    paragraphs of 5), start-up included, in target tokens per second against (a).
(g) our stage at beam 4 with a cold memory and no time budget: all in one engine call, every
    batch queued at once, as before the budget. (b) and (c) have a budget (never reached),
    as in a run: calls of ``CHUNK_TOKENS`` source tokens, a batch's worth of tokens per
    thread handed to CTranslate2 at a time, the budget asked before each batch. (b) / (g)
    is what the budget costs in throughput; on a loaded machine, run it more than once.

(h) issue 20: a whole ``pipeline run`` of 600 sentences at beam 4 (as (f)) against raw
    CTranslate2 ``translate_batch`` on the same sentences and package, each a new process
    timed from its start to its end: the raw program imports CTranslate2 and
    SentencePiece, loads the model, tokenises, translates (beam 4, the engine's threads
    as ``inter_threads`` with one thread each, batches of ``max_batch_tokens / beam``
    tokens, the same decoding length) and detokenises. Target tokens/s of both and the
    ratio (target: 0.9x or more); ``--batch-tokens N``: ``max_batch_tokens`` of both (default
    the config's); ``--repeat N`` alternates them N times and keeps each
    one's best, as the machine's load swings. Run alone: ``--only h``. Both are timed the
    same way (wall clock from the child's start to its end) and their CPU seconds (user +
    system, the child's threads included) and the load average are printed beside: on a
    loaded machine the wall-clock ratio says little, CPU seconds change least. Before the
    first measurement, a whole run over one document builds the word-list cache that
    every run maps (``pipeline.wordfreq_store``: built once per machine, in
    ``$XDG_CACHE_HOME``, here a fresh folder); its time is printed, not counted.
    ``--former``: also a whole run as before this round, its shards cleaned and translated
    one after the other (``LocalExecutor.overlap = False``), for the gain of the overlap.
    ``--one-length``: also a whole run whose engine batches one source length at a time
    (``PAD_BITS`` 64, the rule before the buckets; see (k)).
    ``--cut``: also a whole run whose first shard is cut after a 32nd of its bytes
    (``pipeline.executors.local.FIRST_PIECE``, the default until the first shard was no
    longer cut), that piece's translation overlapping the cleanup of the rest.
    The run's process ends as ``pipeline run`` does (``exit_without_teardown``: the
    interpreter does not free the word lists and models one object at a time), so its
    time is what a user waits for. ``--timeline``: when each program imported, loaded
    its models, started and ended translating (each batch handed to CTranslate2, the
    last one collected), wrote its report and exited, with the CPU seconds so far and
    each thread's at the end: where a run spends the time the raw program does not.
(i) the defaults: the raw program of (h) at beam 1, 2 and 4 (int8) and at beam 2 in
    float32, target tokens/s and the time of each against beam 2 int8.
(j) why the engine wants big calls: the mean batch (segments) the engine makes of the
    600 sentences in calls of 4,096 source tokens and of ``call_tokens``, and
    CTranslate2's CPU time for 16 segments of 40 tokens at beam 4 (one thread) in
    batches of 1, 2, 4, 8 and 16, three rounds.

(k) the padding rule (issue 20): in one process, the engine's batches (one bucket of source
    lengths each, padded to the bucket's top: ``pipeline.engines.argos.padded_length``),
    the same with one source length a batch (the rule before: ``PAD_BITS`` so large that
    every length is its own top), and raw ``translate_batch`` on the same tokens (batches
    of ``max_batch_tokens / beam`` tokens, padded to their longest), all at beam 4 on the
    engine's loaded model (threads as the engine). CPU seconds of the process (all its
    threads) per call, ``--repeat`` rounds in turn, best of each; ``--pad-bits 3,4`` adds
    those bucket widths. Also how many translations differ from one length a batch's
    (decoding forced to ``--length`` tokens, so the caps are equal).
(l) the padding rule's determinism: each of the first ``--sentences`` sentences alone (with
    a stand-in row where its length is not its bucket's top), then in ``--repeat`` random
    partitions (shuffled, batches of 1 to 40 segments of one bucket, a stand-in row where
    none has the top length), at beam 1 and 4, int8 and float32: how many segments' best
    hypothesis or score (a float: the last bits) differ from alone. As a control, the same
    sentences in random batches padded to their longest segment, against each alone
    unpadded. int8 is the engine's compute type on CPU; in float32 a batch's size alone
    changes the last bits, with or without padding.

Random weights never emit end-of-sentence, so every path is forced to the same decode
length (``--length`` tokens: min and max decoding length), or the comparison would mean
nothing; quality cannot be measured with random weights. Timings of (a) to (e) leave out
start-up (imports, model load, package hash), which (f) includes. Sockets are made to fail
in this process and in the children: nothing here touches the network.

Alignment is checked, not assumed: every stage output must equal the raw CTranslate2 output
for the same sentence (with the stage's placeholders for protected spans put through the
same model and restored), (e) must equal (b), and (a) must equal (d) at beam 4.

Usage::

    .venv/bin/python bench/translate.py [--sentences 1000] [--length 30] [--only a,b,...]

Needs ../shared/data/ud_pud/pud.pt.txt (exits 0 with a message when it is absent).
Expect 5 to 8 minutes on 2 cores for 1,000 sentences, half of it in (a).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTENCES = DATA / "ud_pud" / "pud.pt.txt"
PARTS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")
RUN_SENTENCES = 600
DOC_SENTENCES = 25  # sentences per document
PARAGRAPH_SENTENCES = 5
SWEEP_SENTENCES = 200
SEED = 7
# ``--batch-tokens``: max_batch_tokens of (h)'s whole run and raw program (None: the config's).
BATCH_TOKENS: int | None = None


@contextmanager
def no_network() -> Iterator[None]:
    """Make every connection attempt (and DNS lookup) fail, so nothing can go online."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access during the benchmark")

    saved = socket.socket.connect, socket.create_connection, socket.getaddrinfo
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect, socket.create_connection, socket.getaddrinfo = saved


def cores() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# --- (a) argostranslate, in a child process ------------------------------------------------


class _OneSentence:
    """Stands in for the package's sentence splitter: each input is one sentence."""

    def split_sentences(self, text: str) -> list[str]:
        return [text]


class _ForcedLength:
    """``ctranslate2`` as argostranslate sees it: its Translators decode exactly ``length``."""

    def __init__(self, ctranslate2: Any, length: int) -> None:
        self._ctranslate2 = ctranslate2
        self._length = length

    def Translator(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - mimics the class
        translator = self._ctranslate2.Translator(*args, **kwargs)
        length = self._length

        class Forced:
            def translate_batch(self, *a: Any, **kw: Any) -> Any:
                return translator.translate_batch(
                    *a, **kw, min_decoding_length=length, max_decoding_length=length
                )

        return Forced()


def argos_child(sentences: list[str], length: int) -> dict[str, Any]:
    """(a): argostranslate's ``translate`` once per sentence; runs in the child process."""
    with no_network():
        started = time.perf_counter()
        import argostranslate.translate as argos_translate

        import_s = time.perf_counter() - started
        translation = argos_translate.get_translation_from_codes("pt", "en")
        package_translation = translation.underlying  # CachedTranslation -> the package's
        package_translation.sentencizer = _OneSentence()
        argos_translate.ctranslate2 = _ForcedLength(argos_translate.ctranslate2, length)
        argos_translate.translate(sentences[0], "pt", "en")  # loads the model
        started = time.perf_counter()
        outputs = [argos_translate.translate(text, "pt", "en") for text in sentences]
        seconds = time.perf_counter() - started
    return {"import_s": import_s, "seconds": seconds, "outputs": outputs}


def run_argos(sentences_file: Path, count: int, length: int) -> dict[str, Any]:
    """Run :func:`argos_child` in a new interpreter with ``ARGOS_INTRA_THREADS=1``."""
    env = dict(os.environ, ARGOS_INTRA_THREADS="1")
    done = subprocess.run(
        [sys.executable, __file__, "--argos-child", str(sentences_file), str(count), str(length)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"argostranslate child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


# --- the measurements in this process ------------------------------------------------------


def read_sentences(count: int) -> list[str]:
    lines = [line.strip() for line in SENTENCES.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line][:count]


def make_docs(sentences: list[str]) -> list[Any]:
    """Documents of DOC_SENTENCES Portuguese segments, as the stages before translate leave them."""
    from pipeline.document import Block, Document, Segment

    docs = []
    for d, start in enumerate(range(0, len(sentences), DOC_SENTENCES)):
        chunk = sentences[start : start + DOC_SENTENCES]
        segments = [
            Segment(f"doc-{d:03d}#1.{i + 1}", text, lang="pt", score=1.0)
            for i, text in enumerate(chunk)
        ]
        block = Block("paragraph", " ".join(chunk), lang="pt", segments=segments)
        docs.append(Document(doc=f"doc-{d:03d}.txt", lang="pt", blocks=[block]))
    return docs


class Compared(NamedTuple):
    """A whole run as before, beside each round of (h) when its switch is given."""

    key: str  # its switch (--former, --unprepared, --cut, --one-length), key in the figures
    doing: str  # what the log says it runs
    label: str  # its line in the summary
    options: dict[str, Any]  # whole_run's
    timeline: bool  # printed with --timeline


COMPARED = (
    Compared("former", "as before: shards cleaned, then translated (no overlap)",
             "before (no overlap)", {"overlap": False}, False),
    Compared("unprepared", "whose model loads after the cleanup (as before)",
             "model loaded after the cleanup (as before)", {"prepare": False}, True),
    Compared("cut", "with the first shard cut after a 32nd (as before)",
             "first shard cut after a 32nd (as before)", {"first_piece": 1 / 32}, True),
    Compared("one_length", "with batches of one source length (as before)",
             "batches of one source length (as before)", {"pad_bits": 64}, True),
)
# The order of the compared runs in each round's line of the summary.
ROUND_ORDER = ("one_length", "unprepared", "cut", "former")


def rate(figures: dict[str, Any]) -> float:
    """A program's target tokens per second."""
    return figures["tokens"] / figures["seconds"]


def measured(figures: dict[str, Any]) -> str:
    """One program's figures of (h) in one line: tokens/s, wall, CPU and load."""
    return (f"{rate(figures):.0f} target tokens/s,"
            f" {figures['seconds']:.1f} s, {figures['cpu']:.1f} CPU s, load"
            f" {figures['load']:.1f}")


def make_engine(beam: int, length: int, device: str = "cpu") -> Any:
    """An engine with the config's defaults, every decode forced to ``length`` tokens."""
    from pipeline.config import TranslateConfig
    from pipeline.engines.argos import ArgosEngine

    config = TranslateConfig()
    return ArgosEngine(
        beam_size=beam,
        device=device,
        compute_type=config.compute_type,
        threads=config.threads or None,
        max_batch_tokens=BATCH_TOKENS or config.max_batch_tokens,
        max_decoding_ratio=0.0,
        max_decoding_extra=length,
        min_decoding_length=length,
    )


def run_stage(
    sentences: list[str], beam: int, length: int, memory_path: Path, one_call: bool = False,
) -> tuple[float, list[str], dict[str, Any]]:
    """(b), (c), (e), (g): the translate stage over all sentences; seconds, outputs, stats.

    As in a run, the stage has a time budget (never reached), so it calls the engine in
    calls of ``CHUNK_TOKENS`` and the engine asks it before each batch; ``one_call``: no
    budget, the whole input in one engine call, every batch queued at once (as before).
    """
    from pipeline.memory import TranslationMemory
    from pipeline.stages.translate import CHUNK_TOKENS, Translate

    engine = make_engine(beam, length)
    engine.translate(sentences[:1], "pt", "en")  # start-up: loads the model
    engine.model_id("pt", "en")  # start-up: hashes the package
    docs = make_docs(sentences)
    with TranslationMemory(memory_path) as memory:
        stage = Translate(engine, ["en"], memory, budget_s=0 if one_call else 10.0**9,
                          chunk_tokens=10**9 if one_call else CHUNK_TOKENS)
        started = time.perf_counter()
        stage.process_batch(docs)
        seconds = time.perf_counter() - started
    outputs = [seg.translations["en"] for doc in docs for seg in doc.segments()]
    return seconds, outputs, stage.stats


class Raw:
    """(d): CTranslate2's ``translate_batch`` on pre-tokenised input, any thread split."""

    def __init__(self, package_dir: Path, sentences: list[str]) -> None:
        import sentencepiece as spm

        self.package_dir = package_dir
        self.tokenizer = spm.SentencePieceProcessor(
            model_file=str(package_dir / "sentencepiece.model")
        )
        self.tokens = self.tokenizer.encode(sentences, out_type=str)
        self._translators: dict[tuple[int, int], Any] = {}

    def translator(self, inter: int, intra: int) -> Any:
        import ctranslate2

        if (inter, intra) not in self._translators:
            self._translators.clear()  # one loaded at a time
            self._translators[inter, intra] = ctranslate2.Translator(
                str(self.package_dir / "model"),
                compute_type="int8",
                inter_threads=inter,
                intra_threads=intra,
            )
        return self._translators[inter, intra]

    def translate(
        self, tokens: list[list[str]], beam: int, length: int, setting: tuple[int, int, int]
    ) -> tuple[float, list[str]]:
        inter, intra, batch_tokens = setting
        translator = self.translator(inter, intra)
        options = dict(
            beam_size=beam,
            length_penalty=0.2,
            replace_unknowns=True,
            min_decoding_length=length,
            max_decoding_length=length,
        )
        translator.translate_batch(tokens[:1], **options)  # warm
        started = time.perf_counter()
        results = translator.translate_batch(
            tokens, max_batch_size=batch_tokens, batch_type="tokens", **options
        )
        seconds = time.perf_counter() - started
        return seconds, [self.tokenizer.decode(result.hypotheses[0]) for result in results]

    def best(self, beam: int, length: int, log: Callable[[str], None]) -> tuple[int, int, int]:
        """The fastest (inter threads, intra threads, batch tokens) on a few sentences."""
        n = cores()
        splits = [(n, 1), (1, n)] if n > 1 else [(1, 1)]
        sample = self.tokens[:SWEEP_SENTENCES]
        timings = {}
        for inter, intra in splits:
            for batch_tokens in (256, 512, 1024, 2048):
                setting = (inter, intra, batch_tokens)
                timings[setting] = self.translate(sample, beam, length, setting)[0]
                log(
                    f"    sweep beam {beam}: inter {inter} intra {intra} batch {batch_tokens}"
                    f" tokens: {len(sample) / timings[setting]:.1f} sentences/s"
                )
        return min(timings, key=timings.__getitem__)


def expected_stage_outputs(raw: Raw, sentences: list[str], raw_outputs: list[str], beam: int,
                           length: int, setting: tuple[int, int, int]) -> list[str]:
    """What the stage must output per sentence, from the raw model's outputs.

    Where the stage changes the model's input (normalised whitespace, placeholders for
    protected spans), that input goes through the raw model too, and is restored.
    """
    from pipeline.memory import normalize_text
    from pipeline.protect import protect, restore

    protected = [protect(normalize_text(text)) for text in sentences]
    changed = [i for i, p in enumerate(protected) if p.text != sentences[i]]
    expected = list(raw_outputs)
    if changed:
        tokens = raw.tokenizer.encode([protected[i].text for i in changed], out_type=str)
        outputs = raw.translate(tokens, beam, length, setting)[1]
        for i, output in zip(changed, outputs, strict=True):
            expected[i] = restore(output, protected[i].spans)[0]
    return expected


RAW_CHILD = """
import time
_t0 = time.time()
import json
import sys
from pathlib import Path

import ctranslate2
import sentencepiece as spm

marks = {"imported": time.time() - _t0}

package, sentences_file, length, beam, threads, batch_tokens, out, compute, device = sys.argv[1:]
length, beam, threads, batch_tokens = int(length), int(beam), int(threads), int(batch_tokens)
sentences = Path(sentences_file).read_text(encoding="utf-8").splitlines()
if device == "cuda":  # as the engine: one batch at a time on the GPU
    translator = ctranslate2.Translator(str(Path(package) / "model"), device="cuda",
                                        compute_type=compute, intra_threads=threads)
else:
    translator = ctranslate2.Translator(str(Path(package) / "model"), device="cpu",
                                        compute_type=compute, inter_threads=threads,
                                        intra_threads=1)
tokenizer = spm.SentencePieceProcessor(model_file=str(Path(package) / "sentencepiece.model"))
marks["model loaded"] = time.time() - _t0
results = translator.translate_batch(
    tokenizer.encode(sentences, out_type=str), max_batch_size=batch_tokens,
    batch_type="tokens", beam_size=beam, length_penalty=0.2, replace_unknowns=True,
    min_decoding_length=length, max_decoding_length=length)
marks["translated"] = time.time() - _t0
outputs = [tokenizer.decode(result.hypotheses[0]) for result in results]
Path(out).write_text("\\n".join(outputs) + "\\n", encoding="utf-8")
marks["written"] = time.time() - _t0
print(json.dumps({name: round(t, 3) for name, t in marks.items()}))
"""


def raw_program(package_dir: Path, sentences: list[str], root: Path, length: int,
                beam: int = 4, compute: str = "", device: str = "cpu") -> dict[str, Any]:
    """(h) baseline: raw ``translate_batch`` as a program of its own, start-up included."""
    from pipeline.config import TranslateConfig, available_cpus
    from pipeline.engines.base import resolve_compute_type

    config = TranslateConfig()
    root.mkdir(parents=True, exist_ok=True)
    source = root / "sentences.txt"
    source.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    threads = config.threads or available_cpus()
    args = [str(package_dir), str(source), str(length), str(beam), str(threads),
            str((BATCH_TOKENS or config.max_batch_tokens) // beam), str(root / "raw.txt"),
            compute or resolve_compute_type(config.compute_type, device), device]
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run([sys.executable, "-c", RAW_CHILD, *args], capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"raw translate_batch failed:\n{done.stderr[-3000:]}")
    return {"seconds": seconds, "cpu": children_cpu() - cpu, "tokens": len(sentences) * length,
            "load": load, "timeline": json.loads(done.stdout.splitlines()[-1])}


def children_cpu() -> float:
    """CPU seconds (user + system) of the child processes that ended so far: what a
    program cost, whatever else the machine ran meanwhile."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_sizes(package_dir: Path, sentences: list[str],
                log: Callable[[str], None]) -> dict[str, Any]:
    """(j): mean segments per batch by call size; CPU seconds by batch size."""
    import itertools
    import math

    import ctranslate2
    import sentencepiece as spm

    from pipeline.engines.argos import ArgosEngine, _padded_batches, padded_length
    from pipeline.stages.translate import CHUNK_TOKENS

    lengths = [len(t) for t in spm.SentencePieceProcessor(
        model_file=str(package_dir / "sentencepiece.model")).encode(sentences)]
    engine = ArgosEngine(beam_size=4)
    means = {}
    for call in (CHUNK_TOKENS, engine.call_tokens):
        calls: list[list[int]] = [[]]
        for length in lengths:
            if calls[-1] and sum(calls[-1]) + length > call:
                calls.append([])
            calls[-1].append(length)
        sizes = []
        for chunk in calls:
            limit = min(engine.max_batch_tokens // 4, math.ceil(sum(chunk) / engine.threads))
            ordered = sorted(range(len(chunk)),
                             key=lambda i: (-padded_length(chunk[i]), -chunk[i]))
            for top, same in itertools.groupby(ordered, key=lambda i: padded_length(chunk[i])):
                bucket = list(same)
                sizes += [len(b) for b, _ in _padded_batches(bucket, [chunk[i] for i in bucket],
                                                             top, limit)]
        means[call] = sum(sizes) / len(sizes)
        log(f"(j) calls of {call} tokens: {len(calls)} calls, {len(sizes)} batches,"
            f" {means[call]:.1f} segments a batch")
    translator = ctranslate2.Translator(str(package_dir / "model"), compute_type="int8",
                                        inter_threads=1, intra_threads=1)
    source = [["▁a"] * 40] * 16
    cpu: dict[int, list[float]] = {}
    for _ in range(3):
        for size in (1, 2, 4, 8, 16):
            started = time.process_time()
            for i in range(0, 16, size):
                translator.translate_batch(source[i : i + size], beam_size=4,
                                           min_decoding_length=20, max_decoding_length=20)
            cpu.setdefault(size, []).append(time.process_time() - started)
    for size, seconds in cpu.items():
        log(f"(j) batches of {size:2}: {min(seconds):.2f} CPU s for 16 segments (best of 3)")
    return {"means": means, "cpu": {size: min(seconds) for size, seconds in cpu.items()}}


def padding_cost(package_dir: Path, sentences: list[str], length: int, rounds: int,
                 pad_bits: list[int], log: Callable[[str], None]) -> dict[str, Any]:
    """(k): CPU seconds of the engine's padded batches, one-length batches and raw
    ``translate_batch`` on the same sentences, in this process, best of ``rounds``."""
    import itertools

    from pipeline.engines import argos

    engine = make_engine(4, length)
    model = argos._load(engine.route("pt", "en")[0], "cpu", 0, engine.compute_type,
                        engine.threads)
    tokens = model.tokenizer.encode(sentences)
    limit = engine.max_batch_tokens // engine.beam_size
    options = dict(beam_size=4, length_penalty=0.2, replace_unknowns=True,
                   min_decoding_length=length, max_decoding_length=length)
    model.translator.translate_batch(tokens[:2], **options)  # warm
    kinds = {"now": argos.PAD_BITS, "one length a batch": 64}
    kinds.update((f"pad bits {bits}", bits) for bits in pad_bits)

    def plan(bits: int) -> tuple[int, int]:
        """Batches and stand-in rows the engine makes with ``PAD_BITS = bits``."""
        argos.PAD_BITS = bits
        lengths = sorted((len(t) for t in tokens), key=lambda n: (-argos.padded_length(n), -n))
        made = []
        for top, same in itertools.groupby(lengths, key=argos.padded_length):
            group = list(same)
            made += [stand_in for _, stand_in in argos._padded_batches(
                list(range(len(group))), group, top,
                min(limit, -(-sum(lengths) // engine.threads)))]
        return len(made), sum(made)

    best: dict[str, float] = {}
    outputs: dict[str, list[str]] = {}
    try:
        for name, bits in kinds.items():
            batches, stand_ins = plan(bits)
            log(f"(k) {name} (PAD_BITS {bits}): {batches} batches, {stand_ins} stand-in rows")
        for attempt in range(rounds):
            for name, bits in (*kinds.items(), ("raw translate_batch", None)):
                started, wall = time.process_time(), time.perf_counter()
                if bits is None:
                    model.translator.translate_batch(tokens, max_batch_size=limit,
                                                     batch_type="tokens", **options)
                else:
                    argos.PAD_BITS = bits
                    outputs[name] = engine.translate(sentences, "pt", "en")
                cpu = time.process_time() - started
                best[name] = min(best.get(name, cpu), cpu)
                log(f"(k) round {attempt + 1}: {name}: {cpu:.1f} CPU s,"
                    f" {time.perf_counter() - wall:.1f} s, load {os.getloadavg()[0]:.1f}")
    finally:
        argos.PAD_BITS = kinds["now"]
    before = outputs.get("one length a batch", [])
    for name, translated in outputs.items():
        log(f"(k) {name}: {sum(a != b for a, b in zip(translated, before, strict=True))} of"
            f" {len(before)} translations differ from one length a batch's")
    return best


def padding_determinism(package_dir: Path, sentences: list[str], length: int, trials: int,
                        log: Callable[[str], None]) -> dict[str, Any]:
    """(l): segments whose best hypothesis or score changes with their batch mates."""
    import random

    import ctranslate2
    import sentencepiece as spm

    from pipeline.engines.argos import STAND_IN_TOKEN, padded_length

    tokenizer = spm.SentencePieceProcessor(model_file=str(package_dir / "sentencepiece.model"))
    tokens = [t for t in tokenizer.encode(sentences, out_type=str) if t]
    rng = random.Random(SEED)

    def padded(batch: list[int]) -> list[list[str]]:
        top = padded_length(len(tokens[batch[0]]))
        rows = [tokens[i] for i in batch]
        return rows if any(len(r) == top for r in rows) else [*rows, [STAND_IN_TOKEN] * top]

    def partition() -> list[list[int]]:
        order = list(range(len(tokens)))
        rng.shuffle(order)
        buckets: dict[int, list[int]] = {}
        for i in order:
            buckets.setdefault(padded_length(len(tokens[i])), []).append(i)
        batches = []
        for items in buckets.values():
            while items:
                size = rng.randint(1, rng.choice([4, 16, 40]))
                batches.append(items[:size])
                items = items[size:]
        rng.shuffle(batches)
        return batches

    def run(translator: Any, beam: int, batches: list[list[int]],
            pad: bool) -> dict[int, tuple[Any, float]]:
        out = {}
        for batch in batches:
            results = translator.translate_batch(
                padded(batch) if pad else [tokens[i] for i in batch], beam_size=beam,
                length_penalty=0.2, replace_unknowns=True, return_scores=True,
                max_decoding_length=length, min_decoding_length=length)
            for i, result in zip(batch, results[: len(batch)], strict=True):
                out[i] = (result.hypotheses[0], result.scores[0])
        return out

    figures = {}
    for beam, compute in ((1, "int8"), (4, "int8"), (1, "float32"), (4, "float32")):
        translator = ctranslate2.Translator(str(package_dir / "model"), compute_type=compute,
                                            inter_threads=1, intra_threads=1)
        alone = run(translator, beam, [[i] for i in range(len(tokens))], True)
        differ = []
        for _ in range(trials):
            got = run(translator, beam, partition(), True)
            differ.append(sum(got[i] != alone[i] for i in alone))
        unpadded = run(translator, beam, [[i] for i in range(len(tokens))], False)
        order = list(range(len(tokens)))
        rng.shuffle(order)
        mixed = run(translator, beam, [order[s : s + 12] for s in range(0, len(order), 12)],
                    False)
        control = sum(mixed[i][1] != unpadded[i][1] for i in unpadded)
        figures[beam, compute] = differ, control
        log(f"(l) beam {beam} {compute}: {len(tokens)} segments, {trials} random partitions"
            f" by bucket: {differ} differ from alone; control, random batches padded to"
            f" their longest: {control} scores differ from alone unpadded")
    return figures


# ``--timeline``: what the whole run's child records (seconds since its start, from the
# wall clock) and prints on its stderr as one JSON line after TIMELINE_MARK: its imports,
# the warm-up (word lists, lingua models), each load of lingua's models on its thread pool
# (the candidates', the open-set check's, and those a document's spans load on the way:
# they hold the interpreter lock), each piece cleaned, the model load, the first
# batch handed to CTranslate2 and the last one collected, the report; then each
# thread's CPU seconds (``/proc``), by name. The hooks wrap functions, nothing else.
TIMELINE_MARK = "TIMELINE "
TIMELINE_HOOKS = f"TIMELINE_MARK = {TIMELINE_MARK!r}\n" + """
import atexit, functools, json, os, threading, time
import pipeline.engines.argos as _argos, pipeline.shard as _shard, pipeline.runner as _runner
_events = []
def _mark(name):
    _events.append((name, round(time.time() - _t0, 3), threading.current_thread().name,
                    round(time.process_time(), 2)))
_mark('imported')
def _around(owner, attr, name):
    inner = getattr(owner, attr)
    @functools.wraps(inner)
    def wrapped(*a, **k):
        _mark(name + ' start')
        try:
            return inner(*a, **k)
        finally:
            _mark(name + ' end')
    setattr(owner, attr, wrapped)
_around(_shard.ShardProcessor, 'warm_up', 'warm-up')
import pipeline.stages.detect as _detect
_lingua = _detect._load_on_every_core
def _lingua_load(languages, low_accuracy, *a, **k):
    name = f"lingua load ({len(languages)} languages{', low accuracy' if low_accuracy else ''})"
    _mark(name + ' start')
    try:
        return _lingua(languages, low_accuracy, *a, **k)
    finally:
        _mark(name + ' end')
_detect._load_on_every_core = _lingua_load
_document = _shard.ShardProcessor.clean_document
def _clean_document(self, item):
    doc = _document(self, item)
    _mark('cleaned ' + doc.doc)
    return doc
_shard.ShardProcessor.clean_document = _clean_document
_around(_shard.ShardProcessor, 'translate', 'translate')
_around(_argos, '_new_translator', 'model load')
_around(_runner.Runner, '_report', 'report')
_around(_runner.Runner, '_write_aggregates', 'aggregates')
_batches = []
class _Timed:
    def __init__(self, inner):
        self._inner = inner
    def __getattr__(self, name):
        return getattr(self._inner, name)
    def translate_batch(self, source, **k):
        _batches.append([round(time.time() - _t0, 3), len(source), len(source[0]), None])
        return self._inner.translate_batch(source, **k)
_load = _argos._new_translator
_argos._new_translator = lambda *a, **k: _Timed(_load(*a, **k))
_wait = _argos._wait
def _timed_wait(result):
    out = _wait(result)
    _mark('collected')
    return out
_argos._wait = _timed_wait
def _threads():
    cpu = {}
    tick = os.sysconf('SC_CLK_TCK')
    for tid in os.listdir('/proc/self/task'):
        try:
            stat = open(f'/proc/self/task/{tid}/stat').read()
        except OSError:
            continue
        name = stat[stat.index('(') + 1 : stat.rindex(')')]
        fields = stat[stat.rindex(')') + 2 :].split()
        key = 'main' if int(tid) == os.getpid() else name
        cpu[key] = round(cpu.get(key, 0) + (int(fields[11]) + int(fields[12])) / tick, 2)
    return cpu
def _dump():
    _mark('exit')
    collected = [e[1] for e in _events if e[0] == "collected"]
    print(TIMELINE_MARK + json.dumps({'events': [e for e in _events if e[0] != 'collected'],
        'batches': len(_batches), 'first batch': _batches[0][0] if _batches else None,
        'last collected': max(collected) if collected else None,
        'batch log': _batches, 'threads': _threads()}), file=sys.stderr)
atexit.register(_dump)
"""
TIMELINE = False  # ``--timeline``


def whole_run(sentences: list[str], root: Path, length: int,
              former_calls: bool = False, device: str = "cpu",
              overlap: bool = True, first_piece: float | None = None,
              prepare: bool = True, pad_bits: int | None = None) -> dict[str, Any]:
    """(f): ``pipeline.runner.run`` in a new process, start-up included; seconds, tokens.

    ``overlap`` False: shards cleaned and translated one after the other (as before).
    ``first_piece``: the first shard cut after this fraction of its bytes
    (``pipeline.executors.local.FIRST_PIECE``; None: the default). ``prepare`` False:
    the translation model loads when the shard's translation starts, after its whole
    cleanup (as before), not in the translation thread during the cleanup. ``pad_bits``:
    the engine's ``PAD_BITS`` (64: one source length a batch, as before).
    """
    load = os.getloadavg()[0]
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for d, start in enumerate(range(0, len(sentences), DOC_SENTENCES)):
        chunk = sentences[start : start + DOC_SENTENCES]
        paragraphs = [
            " ".join(chunk[p : p + PARAGRAPH_SENTENCES])
            for p in range(0, len(chunk), PARAGRAPH_SENTENCES)
        ]
        (corpus / f"doc-{d:03d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    out = root / "out"
    code = (
        "import time\n_t0 = time.time()\n"
        "import importlib.util, sys\n"
        "from pathlib import Path\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        f"spec = importlib.util.spec_from_file_location('bench', {str(Path(__file__))!r})\n"
        "bench = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(bench)\n"
        "make_engine, no_network = bench.make_engine, bench.no_network\n"
        "from pipeline.cli import exit_without_teardown\n"
        "from pipeline.config import Config\n"
        "from pipeline.runner import run\n"
        "config = Config(targets=['en'])\n"
        "config.translate.beam_size = 4\n"
        f"bench.BATCH_TOKENS = {BATCH_TOKENS!r}\n"
        f"config.translate.max_batch_tokens = {BATCH_TOKENS or 0} or"
        " config.translate.max_batch_tokens\n"
        f"engine = make_engine(4, {length}, {device!r})\n"
        f"config.translate.device = {device!r}\n"
        # ``former_calls``: the engine called with the stage's former 4,096 tokens a call.
        + ("from pipeline.stages.translate import CHUNK_TOKENS\n"
           "engine.__class__ = type('Former', (type(engine),), {'call_tokens': CHUNK_TOKENS})\n"
           if former_calls else "")
        + ("from pipeline.executors.local import LocalExecutor\n"
           "LocalExecutor.overlap = False\n" if not overlap else "")
        + ("import pipeline.executors.local\n"
           f"pipeline.executors.local.FIRST_PIECE = {first_piece!r}\n"
           if first_piece is not None else "")
        + ("from pipeline.shard import ShardProcessor\n"
           "ShardProcessor.pairs_to_prepare = lambda self, doc: []\n" if not prepare else "")
        + ("import pipeline.engines.argos\n"
           f"pipeline.engines.argos.PAD_BITS = {pad_bits!r}\n" if pad_bits is not None else "")
        + (TIMELINE_HOOKS if TIMELINE else "")
        + "with no_network():\n"
        f"    result = run(Path({str(corpus)!r}), Path({str(out)!r}), config,\n"
        f"                 engine=engine)\n"
        # As the command ends (``pipeline run``): without the interpreter's teardown.
        "exit_without_teardown(result.exit_code)\n"
    )
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    cpu = children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"pipeline run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    records = [
        json.loads(line)
        for line in (out / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    translated = [r for r in records if r["lang"] != "en" and r.get("en") is not None]
    missing = [r for r in records if r.get("en") is None]
    timings = json.loads((out / "report.json").read_text(encoding="utf-8")).get("timings_s", {})
    timeline = [json.loads(line[len(TIMELINE_MARK):]) for line in done.stderr.splitlines()
                if line.startswith(TIMELINE_MARK)]
    return {
        "timeline": timeline[0] if timeline else None,
        "out": out,
        "seconds": seconds,
        "cpu": cpu,
        "load": load,
        "timings": timings,
        "segments": len(records),
        "translated": len(translated),
        "missing": len(missing),
        "tokens": len(translated) * length,
    }


def differing(out: Path, other: Path) -> str:
    """How many segments two runs' ``segments.jsonl`` translate differently, of how many."""
    def translations(path: Path) -> list[Any]:
        lines = (path / "segments.jsonl").read_text(encoding="utf-8").splitlines()
        return [(record["id"], record.get("en")) for record in map(json.loads, lines)]

    ours, theirs = translations(out), translations(other)
    if [i for i, _ in ours] != [i for i, _ in theirs]:
        return "not comparable (the segments differ)"
    return f"{sum(a != b for a, b in zip(ours, theirs, strict=True))} of {len(ours)}"


def log_timelines(raw: dict[str, Any], run: dict[str, Any], log: Callable[[str], None]) -> None:
    """``--timeline``: when each program did what (seconds from its start), where the
    whole run's CPU went by thread."""
    log(f"    timeline raw: {raw['timeline']}, exit {raw['seconds']:.2f}")
    timeline = run["timeline"]
    if timeline is None:
        return
    for name, at, thread, cpu in timeline["events"]:
        log(f"    timeline run: {at:7.2f} {name} ({thread}; {cpu:.2f} CPU s so far)")
    log(f"    timeline run: first batch {timeline['first batch']}, last collected"
        f" {timeline['last collected']}, {timeline['batches']} batches, exit"
        f" {run['seconds']:.2f}")
    log(f"    CPU seconds by thread: {timeline['threads']}")
    log(f"    batches (handed over at, segments, source tokens): {timeline['batch log']}")


# --- driver ---------------------------------------------------------------------------------


def measure(args: argparse.Namespace, root: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """Build the package, run the selected parts, check alignment; figures by part."""
    from pipeline.testing.argos_package import build_package, install_package

    parts = set(args.only)
    sentences = read_sentences(args.sentences)
    n = len(sentences)
    started = time.perf_counter()
    corpus_text = SENTENCES.read_text(encoding="utf-8")
    archive = build_package(root / "built", "pt", "en", size="base", seed=SEED,
                            training_text=corpus_text)
    package = install_package(archive, root / "packages")
    log(f"built and installed the base package in {time.perf_counter() - started:.1f} s")
    figures: dict[str, Any] = {"sentences": n, "length": args.length}
    checks: dict[str, str] = {}

    if "a" in parts:
        log(f"(a) argostranslate per sentence, {n} sentences ...")
        argos = run_argos(SENTENCES, n, args.length)
        figures["a"] = n / argos["seconds"]
        log(f"    import of argostranslate.translate: {argos['import_s']:.1f} s")

    stage_outputs: dict[int, list[str]] = {}
    for part, beam in (("b", 4), ("c", 1)):
        if part in parts:
            log(f"({part}) our stage at beam {beam} ...")
            seconds, stage_outputs[beam], stats = run_stage(
                sentences, beam, args.length, root / "memory.sqlite"
            )
            figures[part] = n / seconds
            log(f"    stats: {stats['pairs']}")

    raw = Raw(package.path, sentences)
    for beam, part in ((4, "d4"), (1, "d1")):
        if "d" not in parts:
            continue
        log(f"(d) raw translate_batch at beam {beam}: sweep on {min(n, SWEEP_SENTENCES)} sentences")
        setting = raw.best(beam, args.length, log)
        seconds, raw_outputs = raw.translate(raw.tokens, beam, args.length, setting)
        figures[part] = n / seconds
        figures[f"{part}_setting"] = setting
        if beam in stage_outputs:
            expected = expected_stage_outputs(raw, sentences, raw_outputs, beam, args.length,
                                              setting)
            wrong = sum(a != b for a, b in zip(stage_outputs[beam], expected, strict=True))
            checks[f"stage beam {beam} vs raw"] = f"{wrong} misaligned of {n}"
        if beam == 4 and "a" in parts:
            # argostranslate's decoder turns "_" into spaces and strips one leading space
            ours = [text.replace("_", " ").strip() for text in raw_outputs]
            wrong = sum(a != b.strip() for a, b in zip(ours, argos["outputs"], strict=True))
            checks["argostranslate vs raw, beam 4"] = f"{wrong} differ of {n}"

    if "e" in parts and "b" in parts:
        log("(e) our stage at beam 4 again, warm translation memory ...")
        seconds, outputs, stats = run_stage(sentences, 4, args.length, root / "memory.sqlite")
        figures["e"] = n / seconds
        wrong = sum(a != b for a, b in zip(outputs, stage_outputs[4], strict=True))
        checks["warm memory vs cold"] = f"{wrong} differ of {n}; stats {stats['pairs']}"

    if "g" in parts:
        log("(g) our stage at beam 4, no time budget: one engine call, cold memory ...")
        seconds, outputs, stats = run_stage(sentences, 4, args.length, root / "memory-g.sqlite",
                                            one_call=True)
        figures["g"] = n / seconds
        if 4 in stage_outputs:
            wrong = sum(a != b for a, b in zip(outputs, stage_outputs[4], strict=True))
            checks["one call vs calls of CHUNK_TOKENS"] = f"{wrong} differ of {n}"

    if "h" in parts:
        count = min(RUN_SENTENCES, n)
        raws, runs = [], []
        compared: dict[str, list[dict[str, Any]]] = {c.key: [] for c in COMPARED}
        log("(h) a whole run over one document first: builds the word-list cache, once"
            " per machine (not counted) ...")
        once = whole_run(sentences[:DOC_SENTENCES], root / "run-once", args.length,
                         device=args.device)
        log(f"    {once['seconds']:.1f} s, {once['cpu']:.1f} CPU s")
        figures["h_once"] = once
        for attempt in range(args.repeat):
            log(f"(h) {attempt + 1}/{args.repeat}: raw translate_batch program, {count}"
                " sentences at beam 4 ...")
            raws.append(raw_program(package.path, sentences[:count], root / f"raw-{attempt}",
                                    args.length, device=args.device))
            log(f"    {measured(raws[-1])}; whole pipeline run ...")
            runs.append(whole_run(sentences[:count], root / f"run-h{attempt}", args.length,
                                  device=args.device))
            log(f"    {measured(runs[-1])}; report timings_s {runs[-1]['timings']}")
            if TIMELINE:
                log_timelines(raws[-1], runs[-1], log)
            for c in COMPARED:
                if not getattr(args, c.key):
                    continue
                log(f"    whole run {c.doing} ...")
                compared[c.key].append(whole_run(
                    sentences[:count], root / f"run-{c.key[0]}{attempt}", args.length,
                    device=args.device, **c.options))
                log(f"    {measured(compared[c.key][-1])}")
                if c.key == "one_length":
                    differ = differing(runs[-1]["out"], compared[c.key][-1]["out"])
                    log(f"    translations that differ from the run's: {differ}")
                if TIMELINE and c.timeline:
                    log_timelines(raws[-1], compared[c.key][-1], log)
        figures["h"] = {"raw": max(raws, key=rate), "run": max(runs, key=rate)}
        figures["h"].update((key, max(done, key=rate)) for key, done in compared.items()
                            if done)
        # Per round: target tokens per second and per CPU second, raw then each run.
        figures["h"]["rounds"] = [
            [(r["tokens"] / r["seconds"], r["tokens"] / r["cpu"], r["seconds"], r["cpu"])
             for r in (raw, *(other[n] for other in (runs, *(compared[key] for key in
                                                             ROUND_ORDER)) if other))]
            for n, raw in enumerate(raws)]

    if "i" in parts:
        count = min(RUN_SENTENCES, n)
        figures["i"] = {}
        for beam, compute in ((2, "int8"), (4, "int8"), (1, "int8"), (2, "float32")):
            log(f"(i) raw program, beam {beam}, {compute}, {count} sentences ...")
            raw = raw_program(package.path, sentences[:count], root / f"raw-i{beam}{compute}",
                              args.length, beam, compute, args.device)
            figures["i"][beam, compute] = raw["seconds"], raw["cpu"]

    if "j" in parts:
        figures["j"] = batch_sizes(package.path, sentences[:RUN_SENTENCES], log)

    if "k" in parts:
        figures["k"] = padding_cost(package.path, sentences[:RUN_SENTENCES], args.length,
                                    args.repeat, args.pad_bits, log)

    if "l" in parts:
        figures["l"] = padding_determinism(package.path, sentences, args.length, args.repeat,
                                           log)

    if "f" in parts:
        count = min(RUN_SENTENCES, n)
        log(f"(f) whole pipeline run over {count} sentences at beam 4, new process ...")
        run = whole_run(sentences[:count], root / "run", args.length)
        figures["f"] = run
        checks["whole run"] = (
            f"{run['segments']} segments, {run['translated']} translated,"
            f" {run['missing']} without translation; report timings_s {run['timings']}"
        )
    figures["checks"] = checks
    return figures


def report(figures: dict[str, Any], log: Callable[[str], None]) -> None:
    """Sentences/s per part, ratios against (a) and (d), and the issue's targets."""
    a = figures.get("a")
    length = figures["length"]
    rows = [
        ("a", "argostranslate per sentence (beam 4)", None, None),
        ("b", "our stage, beam 4", "d4", "0.9x (d) and ~4.5x (a)"),
        ("c", "our stage, beam 1", "d1", "0.9x (d) and ~14x (a)"),
        ("d4", "raw translate_batch, beam 4", None, None),
        ("d1", "raw translate_batch, beam 1", None, None),
        ("e", "our stage, beam 4, warm memory", None, ">= 100x (a)"),
        ("g", "our stage, beam 4, one call", "d4", "(b) / (g): cost of budget checks"),
    ]
    log("")
    log(f"{'':4}{'path':34}{'sent/s':>9}{'vs (a)':>9}{'vs (d)':>9}   target")
    for key, name, versus, target in rows:
        if key not in figures:
            continue
        value = figures[key]
        ratio_a = f"{value / a:.1f}x" if a else "-"
        ratio_d = f"{value / figures[versus]:.2f}x" if versus in figures else "-"
        setting = figures.get(f"{key}_setting")
        extra = f"   inter/intra/batch {setting}" if setting else ""
        log(f"({key:<2}) {name:34}{value:9.1f}{ratio_a:>9}{ratio_d:>9}   {target or ''}{extra}")
    if "f" in figures:
        run = figures["f"]
        rate = run["tokens"] / run["seconds"]
        versus = f"{rate / (a * length):.1f}x (a) [target >= 3.8x]" if a else ""
        log(
            f"(f)  whole run: {run['translated']} segments x {length} tokens in"
            f" {run['seconds']:.1f} s = {rate:.0f} target tokens/s {versus}"
        )
        if a and "d4" in figures:
            # A whole run translates with the same model at the same beam: raw
            # translate_batch with no start-up at all is the most it could reach.
            log(f"     ceiling for (f) on this machine: (d) beam 4 / (a) ="
                f" {figures['d4'] / a:.1f}x, with no start-up, cleanup or writing")
    if "h" in figures:
        raw, run = figures["h"]["raw"], figures["h"]["run"]
        raw_rate, run_rate = raw["tokens"] / raw["seconds"], run["tokens"] / run["seconds"]
        log(f"(h)  raw translate_batch program: {raw['tokens']} target tokens in"
            f" {raw['seconds']:.1f} s = {raw_rate:.0f} tokens/s (start-up and model load"
            " included)")
        log(f"     whole pipeline run: {run['tokens']} target tokens ({run['translated']}"
            f" segments) in {run['seconds']:.1f} s = {run_rate:.0f} tokens/s")
        log(f"     run / raw = {run_rate / raw_rate:.2f}x   [target >= 0.9x]")
        per_cpu = (run["tokens"] / run["cpu"]) / (raw["tokens"] / raw["cpu"])
        log(f"     CPU seconds: raw {raw['cpu']:.1f}, run {run['cpu']:.1f}: tokens per CPU"
            f" second, run / raw = {per_cpu:.2f}x (what a loaded machine changes least)")
        if "h_once" in figures:
            once = figures["h_once"]
            log(f"     not counted: the first run on a machine builds the word-list cache"
                f" ({once['seconds']:.1f} s, {once['cpu']:.1f} CPU s for one document)")
        log(f"     load average (1 min) at the start: raw {raw['load']:.1f}, run"
            f" {run['load']:.1f}, on {cores()} cores: above 0 means other work shared them")
        for n, ((rate, per_cpu, seconds, cpu), *others) in enumerate(
                figures["h"].get("rounds", []), 1):
            ratios = "; ".join(f"{o[0] / rate:.2f}x wall, {o[1] / per_cpu:.2f}x per CPU s"
                               f" ({o[2]:.1f} s, {o[3]:.1f} CPU s)" for o in others)
            log(f"     round {n}: raw {seconds:.1f} s, {cpu:.1f} CPU s; run / raw (this run"
                f"{', then the others asked for' if len(others) > 1 else ''}): {ratios}")
        for c in COMPARED:
            if c.key in figures["h"]:
                other = figures["h"][c.key]
                log(f"     {c.label}: {other['seconds']:.1f} s,"
                    f" {other['cpu']:.1f} CPU s: run / raw ="
                    f" {other['tokens'] / other['seconds'] / raw_rate:.2f}x, per CPU second"
                    f" {(other['tokens'] / other['cpu']) / (raw['tokens'] / raw['cpu']):.2f}x")
    if "i" in figures:
        base, base_cpu = figures["i"][2, "int8"]
        for (beam, compute), (seconds, cpu) in figures["i"].items():
            log(f"(i)  beam {beam} {compute:8}: {seconds:6.1f} s, {seconds / base:.2f}x the"
                f" time of beam 2 int8 (start-up included); CPU {cpu:.1f} s,"
                f" {cpu / base_cpu:.2f}x")
    if "k" in figures:
        best = figures["k"]
        raw = best.pop("raw translate_batch")
        for name, cpu in best.items():
            log(f"(k)  {name}: {cpu:.1f} CPU s, {cpu / raw:.3f}x raw translate_batch's"
                f" {raw:.1f} (best of each)")
    for name, outcome in figures["checks"].items():
        log(f"check: {name}: {outcome}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=1000, help="how many (default 1000)")
    parser.add_argument("--length", type=int, default=30, help="decode length (default 30)")
    parser.add_argument("--only", default=",".join(PARTS),
                        help="parts to run, e.g. b,c,d (default: all; e needs b)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="(h), (i): where the run and the raw program translate")
    parser.add_argument("--former", action="store_true",
                        help="(h): also a whole run as before, cleanup and translation not"
                        " overlapped")
    parser.add_argument("--cut", action="store_true",
                        help="(h): also a whole run with the first shard cut after a 32nd of"
                        " its bytes, its translation overlapping the rest's cleanup (as before)")
    parser.add_argument("--unprepared", action="store_true",
                        help="(h): also a whole run whose translation model loads after the"
                        " shard's cleanup, not during it (as before)")
    parser.add_argument("--one-length", action="store_true",
                        help="(h): also a whole run whose batches hold one source length each"
                        " (as before), not a bucket of lengths padded to its top")
    parser.add_argument("--repeat", type=int, default=1,
                        help="(h): alternate raw and whole run N times, keep each's best")
    parser.add_argument("--batch-tokens", type=int, default=None,
                        help="(h): max_batch_tokens of the whole run and the raw program"
                        " (default: the config's, 2048; 1024 was the default before)")
    parser.add_argument("--timeline", action="store_true",
                        help="(h): print when each program imported, loaded its models,"
                        " started and ended translating, and each thread's CPU seconds")
    parser.add_argument("--pad-bits", default="",
                        help="(k): also the engine with these PAD_BITS, e.g. 3,5")
    parser.add_argument("--argos-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global BATCH_TOKENS, TIMELINE
    BATCH_TOKENS, TIMELINE = args.batch_tokens, args.timeline
    if args.argos_child:
        path, count, length = args.argos_child
        lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
        sentences = [line for line in lines if line][: int(count)]
        print(json.dumps(argos_child(sentences, int(length))))
        return 0
    if not SENTENCES.is_file():
        print(f"skipped: {SENTENCES} is absent (the evaluation data lives in ../shared/data)")
        return 0
    args.only = [part.strip() for part in args.only.split(",") if part.strip()]
    args.pad_bits = [int(bits) for bits in args.pad_bits.split(",") if bits.strip()]
    unknown = set(args.only) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {','.join(PARTS)}")

    def log(message: str) -> None:
        print(message, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-translate-") as tmp:
        root = Path(tmp)
        # argostranslate reads its settings (and creates its folders) at import: point them
        # at the temporary directory, for this process and the children, before any import.
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.environ[var] = str(root / var.lower())
        os.environ["ARGOS_PACKAGES_DIR"] = str(root / "packages")
        sys.path.insert(0, str(REPO))
        log(f"{cores()} cores; load average {os.getloadavg()} before")
        with no_network():
            figures = measure(args, root, log)
        report(figures, log)
        log(f"load average {os.getloadavg()} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
