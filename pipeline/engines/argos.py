"""Translation with installed argostranslate packages, straight through CTranslate2.

argostranslate packages (``.argosmodel``) are the models, but translation does not go through
``argostranslate.translate``: importing it costs seconds (spaCy, stanza, torch), its sentence
splitters may download models, and it translates paragraph by paragraph in tiny batches,
losing the sentence alignment. Here each segment is tokenised with the package's own
tokenizer and the whole list is translated by the package's CTranslate2 model in
length-sorted token batches, spread over the CPU cores (or on a GPU). Of argostranslate, only
``argostranslate.package`` is imported (cheap), to find and install packages, and
``argostranslate.apply_bpe`` for BPE packages. Nothing here touches the network except
:func:`install_from_index`, which a user runs on purpose.

Every package kind argostranslate 1.11 installs is read as it reads it:

- ``sentencepiece``: ``sentencepiece.model`` (most of the Argos index);
- ``bpe``: ``bpe.model`` (subword-nmt codes) with sacremoses' Moses tokenizer, punctuation
  normaliser and detokenizer, as argostranslate's ``BPETokenizer`` (converted OPUS-MT);
- ``multilingual``: a ``target_prefix`` in ``metadata.json`` (NLLB, M2M100): the decoder
  starts with that token, which is removed from the output. Beyond argostranslate, one
  package may serve many pairs: ``from_codes`` and ``to_codes`` (which argostranslate's
  metadata reader already knows) with ``target_prefixes`` (target code -> token);
- packages carrying a sentence model (``stanza/``, ``minisbd/``, ``spacy/``): it is never
  loaded (no stanza, spaCy or torch import); sentences come from the pipeline's own segment
  stage, and those directories are left out of the fingerprint;
- ``ct2-dir``: a plain CTranslate2 model directory registered with its tokenizer files
  (:func:`install_ct2_dir`, ``pipeline models install DIR --from pt --to en``), stored as a
  package that argostranslate reads too.

The packages directory is the one argostranslate uses: ``ARGOS_PACKAGES_DIR`` (read when a
function is called, not only when argostranslate was imported), else argostranslate's own
setting. Every function also takes an explicit ``packages_dir``.

Where no direct package exists, translation pivots through English, as argostranslate does.
Simplified and Traditional Chinese are converted into each other by OpenCC
(:mod:`pipeline.engines.convert`), a route step of its own: no package, no English.
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import json
import math
import mmap
import os
import queue
import re
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from pipeline.config import available_cpus
from pipeline.engines import ModelError
from pipeline.engines.base import (
    BEAM_SIZE,
    COMPUTE_TYPE,
    DEVICE,
    resolve_compute_type,
    resolve_device,
)
from pipeline.engines.convert import Conversion, conversion
from pipeline.languages import argos_code, written_alike
from pipeline.lazy import lazy_module
from pipeline.log import warn
from pipeline.wordfreq_store import USER_CACHE_ENV

# Imported at first use: most commands (help, detect, a run with nothing to translate)
# never need them, and each costs a tenth of a second or more.

# argostranslate creates its data, config and cache folders when it is imported (under
# HOME unless XDG_DATA_HOME, XDG_CONFIG_HOME or XDG_CACHE_HOME says otherwise), and cannot
# be imported where it cannot create them: a cron job or a systemd unit whose HOME is
# /nonexistent. Those folders then go to this temporary one (removed at exit), with a
# warning: models are found only through ARGOS_PACKAGES_DIR, and nothing is installed.
_STAND_IN_HOME: list[Path] = []
_ARGOS_FOLDERS = (("XDG_DATA_HOME", (".local", "share")), ("XDG_CONFIG_HOME", (".config",)),
                  ("XDG_CACHE_HOME", (".local", "cache")))


def argostranslate_folders() -> None:
    """Make sure argostranslate can create its folders before it is imported."""
    if _STAND_IN_HOME:
        return
    try:
        home: Path | None = Path.home()
    except RuntimeError:  # HOME unset, and no passwd entry for this uid (a container's)
        home = None
    problems = []
    for variable, under_home in _ARGOS_FOLDERS:
        configured = os.environ.get(variable)
        folder = (Path(configured) if configured
                  else None if home is None else home.joinpath(*under_home))
        try:
            if folder is None:
                raise OSError(0, f"no home: HOME unset, uid {os.getuid()} not in /etc/passwd")
            (folder / "argos-translate").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problems.append(f"{folder or '~/' + '/'.join(under_home)} ({exc.strerror})")
            if not _STAND_IN_HOME:
                _STAND_IN_HOME.append(Path(tempfile.mkdtemp(prefix="pipeline-argos-")))
                atexit.register(shutil.rmtree, _STAND_IN_HOME[0], True)
            if variable == "XDG_CACHE_HOME":  # the word lists' cache stays the user's
                os.environ.setdefault(USER_CACHE_ENV, os.environ.get(variable, ""))
            os.environ[variable] = str(_STAND_IN_HOME[0] / variable.lower())
    if problems:
        warn("argos_folders",
             f"argostranslate cannot create its folders in {', '.join(problems)}: using a "
             "temporary folder instead; set HOME (or XDG_DATA_HOME, XDG_CONFIG_HOME and "
             "XDG_CACHE_HOME) to a writable folder, or ARGOS_PACKAGES_DIR to where your "
             "models are")
    if home is None:
        # argostranslate.settings calls Path.home() when imported (an exit 70), though
        # it uses no folder under it once XDG_DATA_HOME, XDG_CONFIG_HOME and
        # XDG_CACHE_HOME are set, as they now are
        os.environ["HOME"] = os.sep
        try:
            import argostranslate.settings  # noqa: F401 - imported with a HOME
        finally:
            del os.environ["HOME"]


argos_package = lazy_module("argostranslate.package", argostranslate_folders)
argos_settings = lazy_module("argostranslate.settings", argostranslate_folders)
ctranslate2 = lazy_module("ctranslate2")
spm = lazy_module("sentencepiece")


def getproxies() -> dict[str, str]:
    """``urllib.request.getproxies`` (imported here: urllib.request costs 50 ms)."""
    from urllib.request import getproxies as system_proxies

    return system_proxies()

__all__ = [
    "PIVOT",
    "ArgosEngine",
    "ModelError",
    "available_cpus",
    "PackageInfo",
    "PackageListing",
    "install_command",
    "install_archive",
    "install_ct2_dir",
    "install_file",
    "install_from_index",
    "installed_packages",
    "list_packages",
    "remove",
    "resolve_packages_dir",
]


PIVOT = "en"
INDEX_TIMEOUT_S = 3.0


class IndexUnreachable(ModelError):
    """The Argos package index (or the proxy) does not answer: the CLI exits 69."""


# Tokenizer files, as argostranslate looks for them (SentencePiece first).
TOKENIZER_FILES = {"sentencepiece.model": "sentencepiece", "bpe.model": "bpe"}
# Sentence-model directories a package may carry; never loaded here (see the module doc).
SENTENCE_MODELS = ("minisbd", "stanza", "spacy")
# metadata.json key of a registered CTranslate2 directory: where it was registered from.
CT2_SOURCE_KEY = "ct2_source"


@dataclass(frozen=True)
class PackageInfo:
    """One installed translation pair (a multilingual package gives one per pair, all with
    the same ``path``: one model, loaded once)."""

    from_code: str
    to_code: str
    version: str
    path: Path
    target_prefix: str = ""
    tokenizer: str = "sentencepiece"  # or "bpe"
    sentence_model: str = ""  # "stanza", "minisbd", "spacy": carried, not used
    origin: str = "argos"  # or "ct2-dir"
    multilingual: bool = False

    @property
    def package_id(self) -> str:
        """Argos-style id, e.g. ``translate-pt_en-1.0``."""
        return f"translate-{self.from_code}_{self.to_code}-{self.version}"

    @property
    def kind(self) -> str:
        """What ``pipeline models list`` shows: ``sentencepiece``, ``bpe``,
        ``multilingual sentencepiece``, ``ct2-dir bpe``..."""
        words = ["ct2-dir"] if self.origin == "ct2-dir" else []
        if self.multilingual or self.target_prefix:
            words.append("multilingual")
        return " ".join([*words, self.tokenizer])


@dataclass(frozen=True)
class PackageListing:
    """The usable packages of a packages directory, and what is wrong with the rest."""

    packages: tuple[PackageInfo, ...]
    problems: tuple[str, ...]


def resolve_packages_dir(packages_dir: Path | None = None) -> Path:
    """The packages directory: the argument, else ``ARGOS_PACKAGES_DIR``, else argostranslate's.

    The environment variable is read now: argostranslate reads it only once, at import.
    """
    if packages_dir is not None:
        return Path(packages_dir)
    from_env = os.environ.get("ARGOS_PACKAGES_DIR")
    return Path(from_env) if from_env else Path(argos_settings.package_data_dir)


def install_root(packages_dir: Path | None = None) -> Path:
    """The packages directory to install into; never the temporary stand-in for
    argostranslate's folders (see :func:`argostranslate_folders`), where an installed
    model would vanish at exit."""
    root = resolve_packages_dir(packages_dir)
    if _STAND_IN_HOME and root.is_relative_to(_STAND_IN_HOME[0]):
        raise ModelError("nowhere to install models: argostranslate cannot create its "
                         "folders under HOME; set ARGOS_PACKAGES_DIR to a writable folder "
                         "(or HOME to one), then install again")
    return root


def _version_key(version: str) -> tuple[int, ...]:
    """Sort key for package versions.

    >>> sorted(["1.10", "1.9", "1.0"], key=_version_key)
    ['1.0', '1.9', '1.10']
    """
    return tuple(int(number) for number in re.findall(r"\d+", version))


def package_pairs(metadata: dict) -> list[tuple[str, str, str]]:
    """(from, to, target prefix) of every pair a package's ``metadata.json`` offers.

    >>> package_pairs({"from_code": "pt", "to_code": "en"})
    [('pt', 'en', '')]
    >>> package_pairs({"from_code": "en", "to_code": "de", "from_codes": ["en", "de"],
    ...     "to_codes": ["en", "de"], "target_prefixes": {"en": "__en__", "de": "__de__"}})
    [('en', 'de', '__de__'), ('de', 'en', '__en__')]
    """
    froms = [c for c in metadata.get("from_codes") or [] if isinstance(c, str) and c]
    tos = [c for c in metadata.get("to_codes") or [] if isinstance(c, str) and c]
    prefixes = metadata.get("target_prefixes") or {}
    prefix = metadata.get("target_prefix") or ""
    if not isinstance(prefixes, dict) or not isinstance(prefix, str):
        raise ValueError("target_prefix must be a string and target_prefixes an object")
    if not froms and not tos:
        pair = metadata.get("from_code"), metadata.get("to_code")
        if not all(isinstance(code, str) and code for code in pair):
            return []
        return [(pair[0], pair[1], prefixes.get(pair[1], prefix))]
    froms = froms or [metadata.get("from_code")]
    tos = tos or [metadata.get("to_code")]
    pairs = []
    for src in froms:
        for tgt in tos:
            if isinstance(src, str) and isinstance(tgt, str) and src and tgt and src != tgt:
                pairs.append((src, tgt, str(prefixes.get(tgt, prefix))))
    return pairs


def read_package(path: Path) -> tuple[list[PackageInfo], str | None]:
    """The pairs of one package directory, or why it is not usable (None: not a
    translation package at all, e.g. an ``sbd`` package, skipped)."""
    try:
        package = argos_package.Package(path)
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        if not isinstance(metadata, dict):
            raise ValueError("metadata.json is not a JSON object")
        pairs = package_pairs(metadata)
    except (OSError, ValueError) as exc:
        return [], (
            f"{path}: not a readable Argos package ({exc}); remove this directory,"
            " it also breaks argostranslate"
        )
    if package.type != "translate":
        return [], None
    tokenizer = next((kind for name, kind in TOKENIZER_FILES.items()
                      if (path / name).is_file()), None)
    missing = [] if (path / "model" / "model.bin").is_file() else ["model/model.bin"]
    if tokenizer is None:
        missing.append("sentencepiece.model or bpe.model")
    if not pairs or missing:
        what = ", ".join(missing) if missing else "from_code/to_code in metadata.json"
        return [], f"{path}: incomplete package (no {what}); remove and reinstall it"
    sentence_model = next((name for name in SENTENCE_MODELS if (path / name).is_dir()), "")
    origin = "ct2-dir" if metadata.get(CT2_SOURCE_KEY) else "argos"
    return [
        PackageInfo(
            from_code=src,
            to_code=tgt,
            version=package.package_version or "0",
            path=path,
            target_prefix=prefix,
            tokenizer=tokenizer,
            sentence_model=sentence_model,
            origin=origin,
            multilingual=len(pairs) > 1 or bool(prefix),
        )
        for src, tgt, prefix in pairs
    ], None


def list_packages(packages_dir: Path | None = None) -> PackageListing:
    """Read every package directory, through argostranslate's own ``Package`` class.

    A directory that argostranslate cannot read is reported in ``problems`` rather than
    raised (argostranslate's ``get_installed_packages`` fails on it, every time).
    Non-translation packages (e.g. ``sbd``) are skipped.
    """
    root = resolve_packages_dir(packages_dir)
    try:
        if not root.is_dir():  # not made yet: no package; something else there: say so
            problem = (f"the packages directory {root} is not a directory: point "
                       "ARGOS_PACKAGES_DIR at a folder (or move that file away)")
            return PackageListing((), (problem,) if root.exists() else ())
        listed = sorted(root.iterdir())
    except OSError as exc:  # another user's folder: it was an internal error (exit 70)
        return PackageListing((), (
            f"the packages directory {root} cannot be read ({exc.strerror or exc}): no "
            "model is used; point ARGOS_PACKAGES_DIR at a folder this user may read",))
    packages: list[PackageInfo] = []
    problems: list[str] = []
    for path in listed:
        if not path.is_dir():
            continue
        found, problem = read_package(path)
        packages.extend(found)
        if problem:
            problems.append(problem)
    return PackageListing(tuple(packages), tuple(problems))


def installed_packages(packages_dir: Path | None = None) -> list[PackageInfo]:
    """The usable translation packages installed in the packages directory."""
    listing = list_packages(packages_dir)
    for problem in listing.problems:
        warn("model_package", problem)
    return list(listing.packages)


def chosen_packages(packages: Iterable[PackageInfo]) -> dict[tuple[str, str], PackageInfo]:
    """The package a run uses for each pair: the highest version where a pair is
    installed more than once (the last of equal versions, in directory order)."""
    return {
        (language_code(package.from_code), language_code(package.to_code)): package
        for package in sorted(packages, key=lambda p: _version_key(p.version))
    }


def language_code(code: str) -> str:
    """A package's language code as ``pipeline.languages`` spells it ("pb" -> "pt",
    "zt" -> "zh-Hant": Traditional Chinese is a language of its own, never "zh"), so
    routes, candidates and targets agree; an unknown code is kept.

    >>> language_code("pb"), language_code("zt"), language_code("en"), language_code("xx")
    ('pt', 'zh-Hant', 'en', 'xx')
    """
    from pipeline.languages import UnknownLanguage, canonical

    try:
        return canonical(code)
    except UnknownLanguage:
        return code


def install_command(src: str, tgt: str) -> str:
    """What a user runs to install the ``src -> tgt`` pair; the files named with the
    Argos index's codes ("zt" for zh-Hant, as in ``translate-en_zt-1_9.argosmodel``).

    >>> print(install_command("en", "zh-Hant"))  # doctest: +NORMALIZE_WHITESPACE
    pipeline models install en zh-Hant   (offline: download the en->zt .argosmodel on a
    connected machine and run `pipeline models install FILE`)
    """
    a, b = argos_code(src), argos_code(tgt)
    files = f"the {a}->{b} .argosmodel"
    if PIVOT not in (src, tgt):
        files += f", or {a}->{PIVOT} and {PIVOT}->{b},"
    return (
        f"pipeline models install {src} {tgt}   (offline: download {files} on a connected"
        " machine and run `pipeline models install FILE`)"
    )


class _SentencePieceTokenizer:
    """A package's SentencePiece model (no threads: safe across a fork)."""

    def __init__(self, path: Path) -> None:
        self.processor = spm.SentencePieceProcessor(model_file=str(path))

    def encode(self, texts: list[str]) -> list[list[str]]:
        return self.processor.encode(texts, out_type=str)

    def decode(self, tokens: list[str]) -> str:
        return self.processor.decode(tokens)


class _MosesBPETokenizer:
    """argostranslate's ``BPETokenizer``, step for step: sacremoses' punctuation normaliser
    and tokenizer (source language), subword-nmt BPE (argostranslate's own copy of
    ``apply_bpe``), sacremoses' detokenizer (target language)."""

    def __init__(self, path: Path, src: str, tgt: str) -> None:
        from argostranslate.apply_bpe import BPE
        from sacremoses.normalize import MosesPunctNormalizer
        from sacremoses.tokenize import MosesDetokenizer, MosesTokenizer

        self.normalizer = MosesPunctNormalizer(src)
        self.tokenizer = MosesTokenizer(src)
        self.detokenizer = MosesDetokenizer(tgt)
        with path.open(encoding="utf-8") as codes:
            self.bpe = BPE(codes)

    def encode(self, texts: list[str]) -> list[list[str]]:
        out = []
        for text in texts:
            tokenized = " ".join(self.tokenizer.tokenize(self.normalizer.normalize(text)))
            words = tokenized.strip("\r\n ").split(" ")
            out.append([] if words == [""] else self.bpe.segment_tokens(words))
        return out

    def decode(self, tokens: list[str]) -> str:
        return self.detokenizer.detokenize(" ".join(tokens).replace("@@ ", "").split(" "))


@dataclass(frozen=True)
class _LoadedModel:
    translator: ctranslate2.Translator
    tokenizer: _SentencePieceTokenizer | _MosesBPETokenizer


# Loaded models, once per process: (package dir, device, index, compute type, threads).
_LOADED: dict[tuple[Path, str, int, str, int], _LoadedModel] = {}
_DIGESTS: dict[Path, str] = {}
# Tokenizers per (package dir, from, to): a BPE package's Moses steps depend on the pair.
_TOKENIZERS: dict[tuple[Path, str, str], _SentencePieceTokenizer | _MosesBPETokenizer] = {}
_CACHE_LOCK = threading.Lock()
# Models a forked child inherited from its parent. Their CTranslate2 worker threads did not
# survive the fork: translating with one waits forever, and so does freeing one (it joins
# those threads). So a child keeps them, unused and never freed, and loads its own.
_INHERITED: list[_LoadedModel] = []


def _after_fork_in_child() -> None:
    global _CACHE_LOCK
    _CACHE_LOCK = threading.Lock()  # the parent may have held it while forking
    _INHERITED.extend(_LOADED.values())
    _LOADED.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _new_translator(model_dir: Path, device: str, device_index: int, compute_type: str,
                    threads: int) -> ctranslate2.Translator:
    if device == "cuda":
        # One batch at a time on the GPU, with the CPU threads for what runs there.
        return ctranslate2.Translator(str(model_dir), device="cuda", device_index=device_index,
                                      compute_type=compute_type, inter_threads=1,
                                      intra_threads=threads)
    return ctranslate2.Translator(
        str(model_dir),
        device=device,
        compute_type=compute_type,
        # Parallel batches on one thread each: argostranslate's default (one
        # worker, intra-op threads) measured 1.1-2.5x slower on 2 cores.
        inter_threads=threads,
        intra_threads=1,
    )


def _load(package: PackageInfo, device: str, device_index: int, compute_type: str,
          threads: int) -> _LoadedModel:
    key = (package.path, device, device_index, compute_type, threads)
    with _CACHE_LOCK:
        model = _LOADED.get(key)
        if model is None:
            try:
                translator = _new_translator(package.path / "model", device, device_index,
                                             compute_type, threads)
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(
                    f"cannot load the model of {package.package_id} ({package.path}) on"
                    f" {device} as {compute_type}: {exc}; reinstall the package, or check"
                    " translate.compute_type and translate.device"
                ) from exc
            model = _LoadedModel(translator=translator, tokenizer=_tokenizer(package))
            _LOADED[key] = model
    return model


def _tokenizer(package: PackageInfo) -> _SentencePieceTokenizer | _MosesBPETokenizer:
    """The package's tokenizer for its pair (cached; call with ``_CACHE_LOCK`` held)."""
    key = (package.path, package.from_code, package.to_code)
    tokenizer = _TOKENIZERS.get(key)
    if tokenizer is None:
        if package.tokenizer == "bpe":
            path = package.path / "bpe.model"
        else:
            path = package.path / "sentencepiece.model"
        try:
            if package.tokenizer == "bpe":
                tokenizer = _MosesBPETokenizer(path, package.from_code, package.to_code)
            else:
                tokenizer = _SentencePieceTokenizer(path)
        except (RuntimeError, OSError, ValueError, UnicodeDecodeError) as exc:
            raise ModelError(
                f"cannot load the tokenizer of {package.package_id} ({path}): {exc};"
                " reinstall the package"
            ) from exc
        _TOKENIZERS[key] = tokenizer
    return tokenizer


def _digest(path: Path) -> str:
    """Content hash of an installed package (model, tokenizer, metadata), cached.

    The README and a sentence model the package carries (never used) are left out.
    """
    with _CACHE_LOCK:
        digest = _DIGESTS.get(path)
        if digest is None:
            hasher = hashlib.blake2b(digest_size=8)
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = file.relative_to(path)
                if relative.name == "README.md" or relative.parts[0] in SENTENCE_MODELS:
                    continue
                hasher.update(relative.as_posix().encode() + b"\0")
                with file.open("rb") as handle:
                    _hash_file(hasher, handle)
            digest = _DIGESTS[path] = hasher.hexdigest()
    return digest


def _hash_file(hasher: Any, handle: BinaryIO) -> None:
    """Feed a file's bytes to ``hasher``: memory-mapped, in one call, when it has any.

    hashlib hashes a large buffer without the interpreter lock, so one call takes the
    lock once. In reads of 1 MiB, a 47 MiB model took it back about a hundred times, and
    each time waited for the main thread's cleanup to let go (the local executor hashes
    in its translation thread meanwhile): 0.8 s against 0.1 s alone. The digest is the
    same, whatever the chunks.
    """
    size = os.fstat(handle.fileno()).st_size
    if size == 0:
        return
    try:
        view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # a file that cannot be mapped: read it
        while chunk := handle.read(1 << 24):
            hasher.update(chunk)
        return
    with view:
        hasher.update(view)


def _forget(path: Path) -> None:
    """Drop cached models and digests of a package directory that is replaced or removed."""
    with _CACHE_LOCK:
        _DIGESTS.pop(path, None)
        for key in [key for key in _TOKENIZERS if key[0] == path]:
            del _TOKENIZERS[key]
        for key in [key for key in _LOADED if key[0] == path]:
            del _LOADED[key]


class ArgosEngine:
    """Batched, sentence-aligned translation with the installed Argos packages.

    ``threads`` is how many batches run at once, one CPU thread each (default: one per CPU
    this process may use, never more): on 2 quiet cores that was 1.2-1.6x faster than one
    batch at a time on 2 intra-op threads, at beam sizes 1, 2 and 4.

    A batch holds the segments of one bucket of source lengths (:func:`padded_length`:
    each length up to 31 tokens its own bucket, then buckets 2, 4, 8... tokens wide, less
    than a sixteenth of the length), up to ``max_batch_tokens / beam_size`` padded source
    tokens (the decoder holds ``beam_size`` hypotheses per segment), and every batch is
    padded to its bucket's top length: one of its rows has that length, a segment's where
    there is one, else a stand-in row of ``STAND_IN_TOKEN`` whose translation is dropped.
    Padding a segment to the length of a longer one changes CTranslate2's floating-point
    results in the last bits, which is enough to flip a near tie (1 in 1,000 sentences
    came out different at beam 1); padded to a length that depends on the segment alone,
    it gets the same results whatever else is in its batch (``bench/translate.py --only
    l``: no score of 200 PUD sentences changed in 3 random partitions, beam 1 and 4, int8;
    115 and 119 changed in batches padded to their longest). So outputs are identical
    whatever the batching, worker count or translation memory contents. This holds for
    ``int8``, the CPU's compute type: in ``float32`` a batch's size alone changes the last
    bits (it did with batches of one length too). Each batch costs CTranslate2 a pass over
    the weights per decoding step, so batches want to be few and full; over the 600
    sentences of ``bench/translate.py`` at beam 4 (k), one length a batch (the rule
    before) made 97 batches, the buckets 83 with 2 stand-in rows, and took 1.07-1.12x and
    0.99-1.04x the CPU of raw ``translate_batch``'s batches padded to their longest. The
    default of 2,048 (512 source tokens at beam 4) made 97 batches at 2,048 and 146 at
    1,024 (one length a batch), 68.0 and 77.1 CPU seconds (69.1 at 4,096; load 7-9, 2
    cores).

    Each segment's decoding is capped at ``max_decoding_ratio * padded source tokens +
    max_decoding_extra`` tokens (one cap per batch, as the padded length is), the source counted up
    to ``max_input_tokens`` at most: longer inputs, which the translate stage splits before
    they get here, never decode more than ``max_decoding_ratio * max_input_tokens +
    max_decoding_extra`` tokens. ``min_decoding_length`` forces a minimum (for benchmarks
    that need equal decode lengths).

    A model that cannot be loaded or run raises :class:`ModelError`, whatever CTranslate2
    or SentencePiece raised.
    """

    def __init__(
        self,
        *,
        beam_size: int = BEAM_SIZE,
        compute_type: str = COMPUTE_TYPE,
        threads: int | None = None,
        max_batch_tokens: int = 2048,
        max_decoding_ratio: float = 2.0,
        max_decoding_extra: int = 10,
        min_decoding_length: int = 1,
        max_input_tokens: int = 200,
        device: str = DEVICE,
        device_index: int = 0,
        packages_dir: Path | None = None,
    ) -> None:
        cpus = available_cpus()
        self.beam_size = beam_size
        # "auto" devices and compute types are resolved at first use (a run with nothing
        # to translate never imports CTranslate2): the fingerprint names the ones used.
        self._device_asked, self._compute_asked = device, compute_type
        self._device: str | None = "cpu" if device == "cpu" else None
        self._compute_type: str | None = None
        self.device_index = device_index
        self.threads = max(1, min(threads or cpus, cpus))
        self.max_batch_tokens = max_batch_tokens
        self.max_decoding_ratio = max_decoding_ratio
        self.max_decoding_extra = max_decoding_extra
        self.min_decoding_length = min_decoding_length
        self.max_input_tokens = max_input_tokens
        self._packages = chosen_packages(installed_packages(packages_dir))

    @property
    def device(self) -> str:
        """``cpu`` or ``cuda``; :class:`DeviceError` when the device asked for is not there."""
        if self._device is None:
            self._device = resolve_device(self._device_asked)
        return self._device

    @property
    def compute_type(self) -> str:
        """The CTranslate2 compute type used on :attr:`device`."""
        if self._compute_type is None:
            self._compute_type = resolve_compute_type(self._compute_asked, self.device)
        return self._compute_type

    def pairs(self) -> list[tuple[str, str]]:
        """The pairs installed models translate directly, sorted (pivots not listed)."""
        return sorted(self._packages)

    def languages(self) -> list[str]:
        """The languages installed models translate from or into, sorted."""
        return sorted({code for pair in self._packages for code in pair})

    def install_hint(self, src: str, tgt: str) -> str:
        """What a user runs to install the ``src -> tgt`` pair."""
        return install_command(src, tgt)

    @property
    def call_tokens(self) -> int:
        """Source tokens per ``translate`` call that fill its batches (the translate stage
        calls it with about this many; see :class:`pipeline.stages.translate.Engine`).

        A batch holds segments of one bucket of lengths only, so a call of few segments
        makes batches of one or two (with one length a batch, before the buckets: over
        the 600 sentences of ``bench/translate.py`` (h) at beam 4, calls of 4,096 tokens,
        the stage's former size, made batches of 1.9 segments on average, one call 4.1);
        CTranslate2's CPU time for 16 segments at beam 4 (base model, one thread) was 2.6,
        1.6, 1.3, 1.1 and 1.1 s in batches of 1, 2, 4, 8 and 16 (``bench/translate.py
        --only j``). 128 full batches per call (65,536
        tokens at beam 4) give the sentences of a shard one call; the budget is still
        asked before each batch.
        """
        return 128 * max(1, self.max_batch_tokens // self.beam_size)

    @property
    def batch_parallelism(self) -> int:
        """Batches CTranslate2 runs at once: one per thread on CPU, one on a GPU."""
        return 1 if self.device == "cuda" else self.threads

    def route(self, src: str, tgt: str) -> list[PackageInfo | Conversion] | None:
        """Packages that translate ``src`` to ``tgt``, in order; ``[]`` if equal; else None.

        Simplified and Traditional Chinese ("zh", "zh-Hant") are different languages
        here, never copied as each other: one is converted into the other by OpenCC
        (a :class:`~pipeline.engines.convert.Conversion`, no package needed), or, where
        it cannot be imported, translated through English. Otherwise a direct package
        is preferred, else ``src -> en -> tgt``, else a model into the other Chinese
        followed by the converter. Where a model from one Chinese is missing, the
        other's reads its text (:meth:`_reading`).
        """
        if src == tgt:
            return []
        converted = conversion(src, tgt)
        if converted is not None:
            return [converted]
        models = self._models_route(src, tgt)
        if models is not None:
            return models
        # No model writes ``tgt``, one writes its other script: that model, then the
        # converter (en -> zh, then zh -> zh-Hant, where no en -> zt model is installed;
        # such a run said the pair was missing). A route found above stays as it was.
        for other in written_alike(tgt):
            head = self._models_route(src, other) if other != src else None
            if head is not None and (step := conversion(other, tgt)) is not None:
                return [*head, step]
        return None

    def _models_route(self, src: str, tgt: str) -> list[PackageInfo] | None:
        """The models that translate ``src`` to ``tgt``: a direct package, else through
        English; None where neither is installed."""
        direct = self._reading(src, tgt)
        if direct is not None:
            return [direct]
        if PIVOT not in (src, tgt):
            first = self._reading(src, PIVOT)
            second = self._packages.get((PIVOT, tgt))
            if first is not None and second is not None:
                return [first, second]
        return None

    def _reading(self, src: str, tgt: str) -> PackageInfo | None:
        """The package from ``src`` into ``tgt``; without one, the package from another
        variant of ``src``'s language (a zh -> en model for Traditional Chinese text, as
        when "zt" meant "zh"), unless that variant is ``tgt`` itself."""
        found = self._packages.get((src, tgt))
        for other in written_alike(src):
            if found is not None:
                break
            if other != tgt:
                found = self._packages.get((other, tgt))
        return found

    def conversion(self, src: str, tgt: str) -> str | None:
        """What converts ``src`` into ``tgt`` where no model translates it, the pair being
        one script converted into another (``opencc 1.4.2 s2t``); None otherwise."""
        route = self.route(src, tgt)
        return route[0].name if route and isinstance(route[0], Conversion) else None

    def missing_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The pairs (each once, in order) that no installed package or pivot covers."""
        missing: list[tuple[str, str]] = []
        for pair in pairs:
            if pair not in missing and self.route(*pair) is None:
                missing.append(pair)
        return missing

    def fingerprint(self, src: str, tgt: str) -> str:
        """Fingerprint of what produces ``src -> tgt`` translations, for caches.

        Package ids and content hashes along the route, plus the decoding options that
        change the output, the batches' padding rule (``pad``: :data:`PAD_BITS`; absent, the
        rule before, one source length a batch), the compute type and the device (when
        not the CPU).
        """
        route = self._route_or_raise(src, tgt)
        if route and all(isinstance(step, Conversion) for step in route):
            return "+".join(step.package_id for step in route)  # no model, no decoding
        try:
            packages = "+".join(p.package_id if isinstance(p, Conversion)
                                else f"{p.package_id}@{_digest(p.path)}" for p in route)
        except OSError as exc:
            raise ModelError(f"cannot read the {src}->{tgt} package files: {exc}") from exc
        return (
            f"{packages or 'identity'};beam={self.beam_size};cap={self.max_decoding_ratio}x"
            f"+{self.max_decoding_extra}<={self._cap(self.max_input_tokens)};"
            f"min={self.min_decoding_length};pad={PAD_BITS};{self.compute_type}"
            f"{self._device_mark()}"
        )

    model_id = fingerprint  # the translate stage's name for it

    def prepare(self, src: str, tgt: str) -> None:
        """Load now what translating ``src -> tgt`` will need: the models and tokenizers
        along its route, and their packages' content hashes (the fingerprint's).

        The local executor calls it in its translation thread while the main thread
        still cleans the shard (:mod:`pipeline.executors.local`): CTranslate2 loads a
        model and hashlib hashes without the interpreter lock, so on the core the
        cleanup leaves idle. Nothing changes but when they load. Any error is left for
        :meth:`translate` to report, as without this call.
        """
        try:
            route = self.route(src, tgt) or []
            for package in route:
                if isinstance(package, Conversion):
                    continue  # OpenCC loaded when routed
                _digest(package.path)
                _load(package, self.device, self.device_index, self.compute_type,
                      self.threads)
        except Exception:  # noqa: BLE001, S110 - translate reports it, with its context
            pass

    def _device_mark(self) -> str:
        """Nothing on CPU (fingerprints made before devices existed stay valid), else the
        device: a GPU computes in another order and may differ in the last bits."""
        return "" if self.device == "cpu" else f";{self.device}"

    def count_tokens(self, texts: Sequence[str], src: str, tgt: str) -> list[int]:
        """How many input tokens the first model of the route makes of each text."""
        route = self._route_or_raise(src, tgt)
        if not route:
            return [0] * len(texts)
        if isinstance(route[0], Conversion):  # no tokens; never split for a model
            return [min(len(text), self.max_input_tokens) for text in texts]
        with _CACHE_LOCK:
            tokenizer = _tokenizer(route[0])
        try:
            return [len(tokens) for tokens in tokenizer.encode(list(texts))]
        except RuntimeError as exc:
            raise ModelError(f"the {route[0].package_id} tokenizer failed: {exc}") from exc

    def translate(
        self, texts: Sequence[str], src: str, tgt: str, *, stop: Callable[[], bool] | None = None
    ) -> list[str]:
        """Translate every text; the output list matches ``texts`` one to one.

        Empty (or blank) texts translate to empty strings. Raises :class:`ModelError` when
        no installed package (or English pivot) covers the pair, or a model cannot be
        loaded or run.

        ``stop`` is asked before each batch but the first is handed to CTranslate2 (which
        cannot be interrupted once it has one): once it answers True, no more batches start, the
        batches under way finish (about ``max_batch_tokens / beam_size`` source tokens per
        thread), and the texts left out come
        back as None. The others are the same as without ``stop``. Through the English
        pivot, ``stop`` applies to the first model: the second translates all the first did.
        """
        outputs: list[str | None] = list(texts)
        for hop, package in enumerate(self._route_or_raise(src, tgt)):
            if isinstance(package, Conversion):
                outputs = package.convert(outputs)
            else:
                outputs = self._translate_with(package, outputs, stop if hop == 0 else None)
        return outputs  # type: ignore[return-value]  # None only where stop said so

    def _route_or_raise(self, src: str, tgt: str) -> list[PackageInfo | Conversion]:
        route = self.route(src, tgt)
        if route is None:
            raise ModelError(
                f"no installed model translates {src} -> {tgt}; install one with:"
                f" {install_command(src, tgt)}"
            )
        return route

    def _cap(self, source_tokens: int) -> int:
        """The decoding cap of a segment of ``source_tokens`` tokens."""
        counted = min(source_tokens, self.max_input_tokens)
        return max(
            self.min_decoding_length,
            math.ceil(self.max_decoding_ratio * counted) + self.max_decoding_extra,
        )

    def _translate_with(self, package: PackageInfo, texts: list[str | None],
                        stop: Callable[[], bool] | None) -> list[str | None]:
        model = _load(package, self.device, self.device_index, self.compute_type,
                      self.threads)
        try:
            return self._run_model(model, package, texts, stop)
        except RuntimeError as exc:  # what CTranslate2 and SentencePiece raise
            raise ModelError(
                f"translating with {package.package_id} ({package.path}) failed:"
                f" {type(exc).__name__}: {exc}"
            ) from exc

    def _run_model(self, model: _LoadedModel, package: PackageInfo, texts: list[str | None],
                   stop: Callable[[], bool] | None) -> list[str | None]:
        given = [i for i, text in enumerate(texts) if text is not None]
        encoded = model.tokenizer.encode([texts[i] for i in given])
        tokens: dict[int, list[str]] = dict(zip(given, encoded, strict=True))
        prefix = [package.target_prefix] if package.target_prefix else []
        # Longest first, in batches of one padded length (:func:`padded_length`), each
        # with a row of that length (a segment's, or a stand-in's), ``threads`` at a time
        # (a small input is split so that every thread gets work).
        order = sorted((i for i in given if tokens[i]),
                       key=lambda i: (-padded_length(len(tokens[i])), -len(tokens[i])))
        total = sum(len(tokens[i]) for i in order)
        parallel = self.batch_parallelism
        limit = min(self.max_batch_tokens // self.beam_size, math.ceil(total / parallel))
        batches: list[tuple[list[int], int, bool]] = []
        for top, same_top in itertools.groupby(order, key=lambda i: padded_length(
                len(tokens[i]))):
            bucket = list(same_top)
            batches += [(batch, top, stand_in) for batch, stand_in in _padded_batches(
                bucket, [len(tokens[i]) for i in bucket], top, limit)]
        outputs: list[str | None] = [None if text is None else "" for text in texts]
        # Batches handed to CTranslate2: (indexes, async results, source tokens).
        running: list[tuple[list[int], list, int]] = []
        # With ``stop``: at most this many source tokens handed over at a time (a batch's
        # worth per thread), many short batches or a few long ones, so that once ``stop``
        # says so, little is left to finish.
        queued = parallel * max(1, self.max_batch_tokens // self.beam_size)
        # Batches whose results are all ready, in the order they ended (see _Finished).
        finished = _Finished()

        def decode(job: tuple[list[int], list, int]) -> None:
            batch, results, _ = job
            for index, result in zip(batch, results[: len(batch)], strict=True):
                hypothesis = _wait(result).hypotheses[0]
                if prefix and hypothesis[: len(prefix)] == prefix:
                    hypothesis = hypothesis[len(prefix) :]
                outputs[index] = model.tokenizer.decode(hypothesis)

        ended: list[tuple[list[int], list, int]] = []  # collected, not decoded yet
        for number, (batch, top, stand_in) in enumerate(batches):
            rows = [tokens[i] for i in batch] + ([[STAND_IN_TOKEN] * top] if stand_in else [])
            size = len(rows) * top
            if stop is not None:
                while running and sum(job[2] for job in running) + size > queued:
                    job = finished.next()
                    running.remove(job)
                    ended.append(job)
                if number and stop():
                    for left, _, _ in batches[number:]:
                        for index in left:
                            outputs[index] = None
                    break
            results = model.translator.translate_batch(
                rows,
                target_prefix=[prefix] * len(rows) if prefix else None,
                asynchronous=True,
                beam_size=self.beam_size,
                length_penalty=0.2,  # as argostranslate
                replace_unknowns=True,
                max_decoding_length=self._cap(top) + len(prefix),
                min_decoding_length=self.min_decoding_length + len(prefix),
            )
            running.append((batch, results, size))
            finished.watch(running[-1])
            # The batches that ended are decoded once the next one is handed over: the
            # thread that ran them does not wait for the decoding.
            for job in ended:
                decode(job)
            ended.clear()
        for job in ended:
            decode(job)
        while running:
            job = finished.next()
            running.remove(job)
            decode(job)
        return outputs


class _Finished:
    """The batches handed to CTranslate2, each reported as its results are all ready.

    CTranslate2's asynchronous results can only be polled (``done()``) or waited on one at
    a time (``result()``, which lets go of the interpreter lock). A daemon thread per
    batch waits on its results and queues the batch, so the translation learns at once
    that a thread of CTranslate2's is free, where polling every few milliseconds left it
    idle meanwhile and cost the polling's CPU. A batch always ends (its decoding length
    is capped), and so does its thread; ``next`` waits in short timeouts, so a signal
    handler runs at once in the main thread.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def watch(self, job: tuple[list[int], list, int]) -> None:
        threading.Thread(target=self._wait_for, args=(job,), daemon=True,
                         name="pipeline-batch").start()

    def _wait_for(self, job: tuple[list[int], list, int]) -> None:
        for result in job[1]:
            try:
                result.result()
            except Exception:  # noqa: BLE001, S110 - raised again where it is decoded
                pass
        self._queue.put(job)

    def next(self) -> tuple[list[int], list, int]:
        """The next batch whose results are all ready, in the order they ended."""
        while True:
            try:
                return self._queue.get(timeout=0.05)
            except queue.Empty:
                continue


def _wait(result):
    """The result of an asynchronous batch, waited for in short sleeps: a signal
    handler (SIGTERM) runs within milliseconds, where a blocking ``result()`` would
    hold the main thread until the batch ends (13 s measured under load)."""
    while not result.done():
        time.sleep(0.01)
    return result.result()


# A batch's segments are padded to the length of its longest row, and padding changes
# CTranslate2's results in the last bits (enough to flip a near tie). So that no segment's
# translation depends on the others in its batch, every batch is padded to the top of its
# segments' bucket, :func:`padded_length`: exact up to 2**PAD_BITS - 1 tokens, then in steps
# of 2, 4, 8... tokens (less than a sixteenth of the length). 5 made the least CPU over the
# 600 PUD sentences of ``bench/translate.py --only k`` (beam 4): 1.01-1.04x raw
# ``translate_batch``, against 1.03-1.07x with 3 or 4 and 1.07-1.10x with one length a batch.
PAD_BITS = 5
# The stand-in row that pads a batch with no segment of its bucket's top length: any token
# will do (its translation is dropped); a fixed one keeps the work the same from run to run.
STAND_IN_TOKEN = "<unk>"


def padded_length(length: int) -> int:
    """The source length a segment of ``length`` tokens is padded to in its batch.

    >>> [padded_length(n) for n in (1, 31, 32, 33, 63, 64, 65, 127, 130)]
    [1, 31, 32, 34, 64, 64, 68, 128, 136]
    """
    step = 1 << max(0, length.bit_length() - PAD_BITS)
    return -(-length // step) * step


def _padded_batches(indexes: list[int], lengths: list[int], top: int,
                    max_tokens: int) -> list[tuple[list[int], bool]]:
    """Split the segments of one bucket (``lengths`` tokens, ``top`` at most) into batches
    of at most ``max_tokens`` padded tokens (two rows at least: a batch of one segment
    shorter than ``top`` would double its work), each holding a row of ``top`` tokens: a
    segment of that length while there are some, else a stand-in row (True beside the
    batch). As few batches as that allows, as even as their number allows.

    >>> _padded_batches([0, 1, 2, 3, 4, 5], [8, 8, 7, 7, 7, 6], 8, 24)
    [([0, 2, 3], False), ([1, 4, 5], False)]
    >>> _padded_batches([0, 1, 2, 3, 4], [8, 7, 7, 7, 6], 8, 24)
    [([0, 1, 2], False), ([3, 4], True)]
    >>> _padded_batches([0, 1, 2], [7, 6, 8], 8, 8), _padded_batches([0, 1], [7, 6], 8, 8)
    ([([2, 0], False), ([1], True)], [([0], True), ([1], True)])
    """
    per = max(2, max_tokens // top)
    full = [i for i, n in zip(indexes, lengths, strict=True) if n == top]
    count = 1  # batches: each lacking a segment of ``top`` tokens takes a stand-in row
    while len(indexes) + max(0, count - len(full)) > count * per:
        count += 1
    rows = len(indexes) + max(0, count - len(full))
    rest = iter(full[count:] + [i for i, n in zip(indexes, lengths, strict=True) if n != top])
    batches = []
    for number in range(count):
        head = full[number : number + 1]
        batch = head + list(itertools.islice(rest, rows // count + (number < rows % count) - 1))
        if batch:
            batches.append((batch, not head))
    return batches


# Largest unpacked size accepted for a package: Argos models are 50-500 MB; a zip
# bomb declares far more than it holds.
MAX_PACKAGE_BYTES = 4 * 1024**3


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member may not be extracted, or None."""
    name = info.filename
    parts = PurePosixPath(name).parts
    if not parts:
        return f"member {name!r} has no name"
    if name.startswith("/") or ".." in parts:
        return f"member {name!r} would be written outside the package directory"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"member {name!r} is a symbolic link"
    if len(parts) == 1 and not info.is_dir():
        return f"file {name!r} lies outside the package's top-level directory"
    return None


def _validate_archive(path: Path) -> str:
    """Check an ``.argosmodel`` before anything is written; return its top-level directory."""
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise ModelError(
            f"{path} is not an .argosmodel (not a zip archive); download the package again"
        )
    refuse = f"refusing to install {path}:"
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        for info in members:
            problem = _member_problem(info)
            if problem:
                raise ModelError(f"{refuse} {problem}")
        unpacked = sum(info.file_size for info in members)
        if unpacked > MAX_PACKAGE_BYTES:
            raise ModelError(
                f"{refuse} it would unpack to {unpacked:,} bytes, more than any translation"
                f" package ({MAX_PACKAGE_BYTES:,}); a damaged or hostile archive"
            )
        tops = sorted({PurePosixPath(info.filename).parts[0] for info in members})
        if len(tops) != 1:
            raise ModelError(
                f"{refuse} an .argosmodel must hold exactly one top-level directory, this one"
                f" holds {len(tops)} ({', '.join(tops[:5]) or 'nothing'})"
            )
        top = tops[0]
        names = set(archive.namelist())
        if f"{top}/metadata.json" not in names:
            raise ModelError(f"{refuse} {top}/metadata.json is missing; not an Argos package")
        try:
            metadata = json.loads(archive.read(f"{top}/metadata.json").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{refuse} {top}/metadata.json is not valid JSON ({exc})") from exc
    if not isinstance(metadata, dict):
        raise ModelError(f"{refuse} {top}/metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise ModelError(f"{refuse} {top}/metadata.json has no {key!r}")
    if metadata.get("type", "translate") != "translate":
        raise ModelError(f"{refuse} a {metadata['type']!r} package, not a translation package")
    if f"{top}/model/model.bin" not in names:
        raise ModelError(f"{refuse} {top}/model/model.bin is missing (no CTranslate2 model)")
    if not any(f"{top}/{name}" in names for name in TOKENIZER_FILES):
        raise ModelError(
            f"{refuse} it holds no tokenizer ({top}/sentencepiece.model or {top}/bpe.model)"
        )
    return top


def _clear_argostranslate_cache() -> None:
    """Do what argostranslate's (un)install does, for a loaded ``argostranslate.translate``."""
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()


def install_file(path: Path, packages_dir: Path | None = None) -> PackageInfo:
    """:func:`install_archive`, returning the package's first pair."""
    return install_archive(path, packages_dir)[0]


def install_archive(path: Path, packages_dir: Path | None = None) -> list[PackageInfo]:
    """Validate an ``.argosmodel`` and install it; replace a package of the same name.
    Returns its pairs (several for a multilingual package).

    Extracts exactly as argostranslate's ``install_from_path`` does (one top-level directory
    under the packages directory), but only after validation, through a staging directory
    (nothing half-written is ever visible) and without importing ``argostranslate.translate``.
    The model is loaded once and translates a word before it is accepted
    (:func:`check_package`). Raises :class:`ModelError`, having written nothing, when the
    file is not a valid package.
    """
    path = Path(path)
    top = _validate_archive(path)
    root = install_root(packages_dir)
    root.mkdir(parents=True, exist_ok=True)
    target = root / top
    with argos_package.package_lock:
        with tempfile.TemporaryDirectory(prefix=".argos-install-", dir=root.parent) as staging:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(staging)
            found = check_package(Path(staging) / top, f"refusing to install {path}:")
            if target.exists():
                shutil.rmtree(target)
                _forget(target)
            os.replace(Path(staging) / top, target)
    _clear_argostranslate_cache()
    return [replace(package, path=target) for package in found]


def check_package(path: Path, refuse: str) -> list[PackageInfo]:
    """Read a package directory and load its model and tokenizer once (on the CPU, one
    thread) with a two-token translation of one word per pair; its pairs, or
    :class:`ModelError` saying why it cannot be used (a truncated ``model.bin``, a
    damaged tokenizer, metadata without languages)."""
    found, problem = read_package(path)
    if problem or not found:
        raise ModelError(f"{refuse} {problem or 'not a translation package'}")
    try:
        translator = ctranslate2.Translator(str(path / "model"), device="cpu",
                                            compute_type="auto", inter_threads=1,
                                            intra_threads=1)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(
            f"{refuse} its CTranslate2 model ({path.name}/model) cannot be loaded ({exc});"
            " the file is damaged or incomplete: download or convert it again"
        ) from exc
    try:
        for package in found:
            tokenizer = (_MosesBPETokenizer(path / "bpe.model", package.from_code,
                                            package.to_code)
                         if package.tokenizer == "bpe"
                         else _SentencePieceTokenizer(path / "sentencepiece.model"))
            tokens = tokenizer.encode(["Test"])[0] or ["Test"]
            prefix = [[package.target_prefix]] if package.target_prefix else None
            result = translator.translate_batch([tokens], target_prefix=prefix, beam_size=1,
                                                max_decoding_length=2 + bool(prefix))
            tokenizer.decode(result[0].hypotheses[0])
    except (RuntimeError, ValueError, OSError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"{refuse} its model and tokenizer do not translate ({type(exc).__name__}: {exc});"
            " the package is damaged, or its tokenizer is not the model's"
        ) from exc
    finally:
        del translator
    return found


# Tokenizer files CTranslate2's converters and model hubs ship beside a model, by kind.
SENTENCEPIECE_NAMES = ("sentencepiece.model", "source.spm", "sentencepiece.bpe.model",
                       "spm.model")
BPE_NAMES = ("bpe.model", "bpe.codes", "codes.bpe")


def _tokenizer_kind(path: Path) -> str:
    """``sentencepiece`` when SentencePiece loads ``path``, else ``bpe`` when it reads as
    subword-nmt codes (text), else :class:`ModelError`."""
    try:
        spm.SentencePieceProcessor(model_file=str(path))
        return "sentencepiece"
    except (RuntimeError, OSError):
        pass
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: neither a SentencePiece model nor BPE codes ({exc})") from exc
    if not first.strip():
        raise ModelError(f"{path}: neither a SentencePiece model nor BPE codes (empty)")
    return "bpe"


def find_tokenizer(directory: Path) -> Path | None:
    """The tokenizer file of a converted model directory, by its usual names."""
    for name in (*SENTENCEPIECE_NAMES, *BPE_NAMES):
        if (directory / name).is_file():
            return directory / name
    return None


def install_ct2_dir(
    directory: Path,
    from_codes: Sequence[str],
    to_codes: Sequence[str],
    *,
    target_prefixes: dict[str, str] | None = None,
    tokenizer: Path | None = None,
    packages_dir: Path | None = None,
) -> list[PackageInfo]:
    """Register a plain CTranslate2 model directory (``ct2-transformers-converter``,
    ``ct2-opus-mt-converter``, ``ct2-fairseq-converter`` output) as a package.

    The directory's files become the package's ``model/``, its tokenizer (``tokenizer``,
    else found by name: :data:`SENTENCEPIECE_NAMES`, :data:`BPE_NAMES`) its
    ``sentencepiece.model`` or ``bpe.model``, and a ``metadata.json`` in argostranslate's
    format names the pairs (every ``from`` to every other ``to``) and, for a multilingual
    model, the target token of each target language. Copied, not linked: the directory may
    be deleted afterwards. Checked like an ``.argosmodel`` (:func:`check_package`) before it
    is accepted; replaces an earlier registration of the same directory and pairs.
    """
    directory = Path(directory)
    if not (directory / "model.bin").is_file():
        raise ModelError(
            f"{directory}: no model.bin; not a CTranslate2 model directory (convert the model"
            " with CTranslate2's converters first)"
        )
    froms = [language_code(code) for code in from_codes]
    tos = [language_code(code) for code in to_codes]
    if not froms or not tos:
        raise ModelError("a CTranslate2 directory needs --from and --to languages")
    prefixes = {language_code(k): v for k, v in (target_prefixes or {}).items()}
    unknown = sorted(set(prefixes) - set(tos))
    if unknown:
        raise ModelError(f"target tokens given for {', '.join(unknown)}, not in --to")
    if len(tos) > 1 and prefixes and set(prefixes) != set(tos):
        raise ModelError(
            "a multilingual model needs a target token for each --to language (missing: "
            + ", ".join(sorted(set(tos) - set(prefixes))) + ")"
        )
    tokenizer = Path(tokenizer) if tokenizer else find_tokenizer(directory)
    if tokenizer is None or not tokenizer.is_file():
        raise ModelError(
            f"{directory}: no tokenizer file (looked for"
            f" {', '.join((*SENTENCEPIECE_NAMES, *BPE_NAMES))}); name it with --tokenizer FILE"
        )
    kind = _tokenizer_kind(tokenizer)
    size = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    if size > MAX_PACKAGE_BYTES:
        raise ModelError(f"{directory} holds {size:,} bytes, more than {MAX_PACKAGE_BYTES:,}")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", directory.resolve().name).strip("-") or "model"
    top = f"ct2-{'+'.join(froms)}_{'+'.join(tos)}-{slug}"
    metadata: dict[str, object] = {
        "package_version": "1.0",
        "argos_version": "1.9",
        "type": "translate",
        "from_code": froms[0],
        "to_code": next((t for t in tos if t != froms[0]), tos[0]),
        "from_name": froms[0],
        "to_name": tos[0],
        CT2_SOURCE_KEY: str(directory.resolve()),
        "ct2_tokenizer": tokenizer.name,
    }
    if len(froms) > 1 or len(tos) > 1:
        metadata["from_codes"], metadata["to_codes"] = froms, tos
    if prefixes:
        metadata["target_prefixes"] = prefixes
        metadata["target_prefix"] = prefixes.get(str(metadata["to_code"]), "")
    root = install_root(packages_dir)
    root.mkdir(parents=True, exist_ok=True)
    target = root / top
    with argos_package.package_lock:
        with tempfile.TemporaryDirectory(prefix=".ct2-install-", dir=root.parent) as staging:
            package = Path(staging) / top
            shutil.copytree(directory, package / "model", symlinks=False)
            name = "sentencepiece.model" if kind == "sentencepiece" else "bpe.model"
            shutil.copyfile(tokenizer, package / name)
            (package / "metadata.json").write_text(
                json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            found = check_package(package, f"refusing to register {directory}:")
            if target.exists():
                shutil.rmtree(target)
                _forget(target)
            os.replace(package, target)
    _clear_argostranslate_cache()
    return [replace(p, path=target) for p in found]


def remove(src: str, tgt: str, packages_dir: Path | None = None) -> list[PackageInfo]:
    """Uninstall every installed package for ``src -> tgt``; return what was removed."""
    victims = [
        package
        for package in installed_packages(packages_dir)
        if (language_code(package.from_code), language_code(package.to_code))
        == (language_code(src), language_code(tgt))
    ]
    if not victims:
        raise ModelError(
            f"no installed package translates {src} -> {tgt}; `pipeline models list` shows"
            " what is installed"
        )
    with argos_package.package_lock:
        for package in victims:
            shutil.rmtree(package.path)
            _forget(package.path)
    _clear_argostranslate_cache()
    return victims


def _check_index_reachable() -> None:
    """Fail within INDEX_TIMEOUT_S (DNS included) unless the index host (or proxy) answers."""
    index = urlsplit(argos_settings.remote_package_index)
    proxy = getproxies().get(index.scheme)
    server = urlsplit(proxy) if proxy else index
    host = server.hostname or ""
    port = server.port or (443 if server.scheme == "https" else 80)
    outcome: list[OSError | None] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=INDEX_TIMEOUT_S).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    # A thread bounds the DNS lookup too, which create_connection's timeout does not.
    attempt = threading.Thread(target=connect, daemon=True)
    attempt.start()
    attempt.join(INDEX_TIMEOUT_S)
    error = outcome[0] if outcome else TimeoutError(f"no answer in {INDEX_TIMEOUT_S:g} s")
    if error is not None:
        raise IndexUnreachable(
            f"cannot reach the Argos package index at {host}:{port} ({error}). Without"
            " internet, download the .argosmodel on a connected machine and run"
            " `pipeline models install FILE`"
        ) from error


def install_from_index(src: str, tgt: str, packages_dir: Path | None = None) -> list[PackageInfo]:
    """Download and install ``src -> tgt`` from the Argos index (or the two English hops).

    Checks connectivity first: offline, argostranslate's ``get_available_packages`` would
    retry for about 30 s before failing. Hops already installed are not downloaded again.
    """
    _check_index_reachable()
    argos_package.update_package_index()  # logs, does not raise, on failure
    if not Path(argos_settings.local_package_index).is_file():
        raise IndexUnreachable(
            f"could not download the Argos package index ({argos_settings.remote_package_index});"
            " download the .argosmodel on a connected machine and run"
            " `pipeline models install FILE`"
        )
    # By the table's codes ("zt" is zh-Hant, "pb" pt): where two index codes mean one
    # language ("pb", "pt"), the package under the table's own code wins.
    offered = [package for package in argos_package.get_available_packages()
               if package.type == "translate"]
    offered.sort(key=lambda p: (p.from_code, p.to_code) == (language_code(p.from_code),
                                                            language_code(p.to_code)))
    available = {
        (language_code(package.from_code), language_code(package.to_code)): package
        for package in offered
    }
    if (src, tgt) in available or PIVOT in (src, tgt):
        hops = [(src, tgt)]
    else:
        hops = [(src, PIVOT), (PIVOT, tgt)]
    absent = [hop for hop in hops if hop not in available]
    if absent:
        raise ModelError(
            f"the Argos index has no package for {src} -> {tgt}"
            + (f" (nor for {', '.join(f'{a}->{b}' for a, b in absent)})" if len(hops) > 1 else "")
        )
    have = {(language_code(p.from_code), language_code(p.to_code))
            for p in installed_packages(packages_dir)}
    installed = []
    for hop in hops:
        if hop in have:
            continue
        try:
            download = available[hop].download()
        except Exception as exc:  # argostranslate raises a bare Exception
            raise ModelError(f"downloading the {hop[0]}->{hop[1]} package failed: {exc}") from exc
        try:
            installed.extend(install_archive(download, packages_dir))
        finally:
            download.unlink(missing_ok=True)
    return installed
