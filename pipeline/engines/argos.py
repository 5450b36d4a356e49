"""Translation with installed argostranslate packages, straight through CTranslate2.

argostranslate packages (``.argosmodel``) are the models, but translation does not go through
``argostranslate.translate``: importing it costs seconds (spaCy, stanza, torch), its sentence
splitters may download models, and it translates paragraph by paragraph in tiny batches,
losing the sentence alignment. Here each segment is tokenised with the package's own
SentencePiece model and the whole list is translated by the package's CTranslate2 model in
length-sorted token batches, spread over the CPU cores. Of argostranslate, only
``argostranslate.package`` is imported (cheap), to find and install packages. Nothing here
touches the network except :func:`install_from_index`, which a user runs on purpose.

The packages directory is the one argostranslate uses: ``ARGOS_PACKAGES_DIR`` (read when a
function is called, not only when argostranslate was imported), else argostranslate's own
setting. Every function also takes an explicit ``packages_dir``.

Where no direct package exists, translation pivots through English, as argostranslate does.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from pipeline.config import available_cpus
from pipeline.engines import ModelError
from pipeline.lazy import lazy_module
from pipeline.log import warn

# Imported at first use: most commands (help, detect, a run with nothing to translate)
# never need them, and each costs a tenth of a second or more.
argos_package = lazy_module("argostranslate.package")
argos_settings = lazy_module("argostranslate.settings")
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
    "install_file",
    "install_from_index",
    "installed_packages",
    "list_packages",
    "remove",
    "resolve_packages_dir",
]


PIVOT = "en"
INDEX_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class PackageInfo:
    """One installed translation package."""

    from_code: str
    to_code: str
    version: str
    path: Path
    target_prefix: str = ""

    @property
    def package_id(self) -> str:
        """Argos-style id, e.g. ``translate-pt_en-1.0``."""
        return f"translate-{self.from_code}_{self.to_code}-{self.version}"


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


def _version_key(version: str) -> tuple[int, ...]:
    """Sort key for package versions.

    >>> sorted(["1.10", "1.9", "1.0"], key=_version_key)
    ['1.0', '1.9', '1.10']
    """
    return tuple(int(number) for number in re.findall(r"\d+", version))


def list_packages(packages_dir: Path | None = None) -> PackageListing:
    """Read every package directory, through argostranslate's own ``Package`` class.

    A directory that argostranslate cannot read is reported in ``problems`` rather than
    raised (argostranslate's ``get_installed_packages`` fails on it, every time).
    Non-translation packages (e.g. ``sbd``) are skipped.
    """
    root = resolve_packages_dir(packages_dir)
    if not root.is_dir():
        return PackageListing((), ())
    packages: list[PackageInfo] = []
    problems: list[str] = []
    for path in sorted(root.iterdir()):
        if not path.is_dir():
            continue
        try:
            package = argos_package.Package(path)
        except (OSError, ValueError) as exc:
            problems.append(
                f"{path}: not a readable Argos package ({exc}); remove this directory,"
                " it also breaks argostranslate"
            )
            continue
        if package.type != "translate":
            continue
        missing = [
            name
            for name in ("model/model.bin", "sentencepiece.model")
            if not (path / name).is_file()
        ]
        if not package.from_code or not package.to_code or missing:
            what = ", ".join(missing) if missing else "from_code/to_code in metadata.json"
            problems.append(f"{path}: incomplete package (no {what}); remove and reinstall it")
            continue
        packages.append(
            PackageInfo(
                from_code=package.from_code,
                to_code=package.to_code,
                version=package.package_version or "0",
                path=path,
                target_prefix=package.target_prefix,
            )
        )
    return PackageListing(tuple(packages), tuple(problems))


def installed_packages(packages_dir: Path | None = None) -> list[PackageInfo]:
    """The usable translation packages installed in the packages directory."""
    listing = list_packages(packages_dir)
    for problem in listing.problems:
        warn("model_package", problem)
    return list(listing.packages)


def language_code(code: str) -> str:
    """A package's language code as ``pipeline.languages`` spells it ("pb" -> "pt",
    "zt" -> "zh"), so routes, candidates and targets agree; an unknown code is kept.

    >>> language_code("pb"), language_code("en"), language_code("xx")
    ('pt', 'en', 'xx')
    """
    from pipeline.languages import UnknownLanguage, canonical

    try:
        return canonical(code)
    except UnknownLanguage:
        return code


def install_command(src: str, tgt: str) -> str:
    """What a user runs to install the ``src -> tgt`` pair."""
    files = f"the {src}->{tgt} .argosmodel"
    if PIVOT not in (src, tgt):
        files += f", or {src}->{PIVOT} and {PIVOT}->{tgt},"
    return (
        f"pipeline models install {src} {tgt}   (offline: download {files} on a connected"
        " machine and run `pipeline models install FILE`)"
    )


@dataclass(frozen=True)
class _LoadedModel:
    translator: ctranslate2.Translator
    tokenizer: spm.SentencePieceProcessor


# Loaded models, once per process: (package dir, device, compute type, threads) -> model.
_LOADED: dict[tuple[Path, str, str, int], _LoadedModel] = {}
_DIGESTS: dict[Path, str] = {}
_TOKENIZERS: dict[Path, spm.SentencePieceProcessor] = {}  # no threads: safe across a fork
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


def _load(package: PackageInfo, device: str, compute_type: str, threads: int) -> _LoadedModel:
    key = (package.path, device, compute_type, threads)
    with _CACHE_LOCK:
        model = _LOADED.get(key)
        if model is None:
            try:
                translator = ctranslate2.Translator(
                    str(package.path / "model"),
                    device=device,
                    compute_type=compute_type,
                    # Parallel batches on one thread each: argostranslate's default (one
                    # worker, intra-op threads) measured 1.1-2.5x slower on 2 cores.
                    inter_threads=threads,
                    intra_threads=1,
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelError(
                    f"cannot load the model of {package.package_id} ({package.path}) on"
                    f" {device} as {compute_type}: {exc}; reinstall the package, or check"
                    " translate.compute_type"
                ) from exc
            model = _LoadedModel(translator=translator, tokenizer=_tokenizer(package))
            _LOADED[key] = model
    return model


def _tokenizer(package: PackageInfo) -> spm.SentencePieceProcessor:
    """The package's SentencePiece model (cached; call with ``_CACHE_LOCK`` held)."""
    tokenizer = _TOKENIZERS.get(package.path)
    if tokenizer is None:
        try:
            tokenizer = spm.SentencePieceProcessor(
                model_file=str(package.path / "sentencepiece.model")
            )
        except (RuntimeError, OSError) as exc:
            raise ModelError(
                f"cannot load the tokenizer of {package.package_id}"
                f" ({package.path / 'sentencepiece.model'}): {exc}; reinstall the package"
            ) from exc
        _TOKENIZERS[package.path] = tokenizer
    return tokenizer


def _digest(path: Path) -> str:
    """Content hash of an installed package (model, tokenizer, metadata), cached."""
    with _CACHE_LOCK:
        digest = _DIGESTS.get(path)
        if digest is None:
            hasher = hashlib.blake2b(digest_size=8)
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.name == "README.md":
                    continue
                hasher.update(file.relative_to(path).as_posix().encode() + b"\0")
                with file.open("rb") as handle:
                    while chunk := handle.read(1 << 20):
                        hasher.update(chunk)
            digest = _DIGESTS[path] = hasher.hexdigest()
    return digest


def _forget(path: Path) -> None:
    """Drop cached models and digests of a package directory that is replaced or removed."""
    with _CACHE_LOCK:
        _DIGESTS.pop(path, None)
        _TOKENIZERS.pop(path, None)
        for key in [key for key in _LOADED if key[0] == path]:
            del _LOADED[key]


class ArgosEngine:
    """Batched, sentence-aligned translation with the installed Argos packages.

    ``threads`` is how many batches run at once, one CPU thread each (default: one per CPU
    this process may use, never more): on 2 quiet cores that was 1.2-1.6x faster than one
    batch at a time on 2 intra-op threads, at beam sizes 1, 2 and 4.

    A batch holds segments of one source length only, up to ``max_batch_tokens /
    beam_size`` source tokens (the decoder holds ``beam_size`` hypotheses per segment, and
    smaller batches were faster at higher beams). Padding a segment to the length of a
    longer one in its batch changes CTranslate2's floating-point results in the last bits,
    which is enough to flip a near tie: 1 in 1,000 sentences came out different at beam 1.
    Without padding, a segment's translation never depends on the other segments
    translated with it, so outputs are identical whatever the batching, worker count or
    translation memory contents.

    Each segment's decoding is capped at ``max_decoding_ratio * source tokens +
    max_decoding_extra`` tokens (one cap per batch, as the length is), the source counted up
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
        beam_size: int = 4,
        compute_type: str = "auto",
        threads: int | None = None,
        max_batch_tokens: int = 1024,
        max_decoding_ratio: float = 2.0,
        max_decoding_extra: int = 10,
        min_decoding_length: int = 1,
        max_input_tokens: int = 200,
        device: str = "cpu",
        packages_dir: Path | None = None,
    ) -> None:
        cpus = available_cpus()
        self.beam_size = beam_size
        self.compute_type = compute_type
        self.threads = max(1, min(threads or cpus, cpus))
        self.max_batch_tokens = max_batch_tokens
        self.max_decoding_ratio = max_decoding_ratio
        self.max_decoding_extra = max_decoding_extra
        self.min_decoding_length = min_decoding_length
        self.max_input_tokens = max_input_tokens
        self.device = device
        # Highest version wins where a pair is installed more than once.
        self._packages = {
            (language_code(package.from_code), language_code(package.to_code)): package
            for package in sorted(
                installed_packages(packages_dir), key=lambda p: _version_key(p.version)
            )
        }

    def route(self, src: str, tgt: str) -> list[PackageInfo] | None:
        """Packages that translate ``src`` to ``tgt``, in order; ``[]`` if equal; else None.

        A direct package is preferred; otherwise ``src -> en -> tgt``.
        """
        if src == tgt:
            return []
        direct = self._packages.get((src, tgt))
        if direct is not None:
            return [direct]
        if PIVOT not in (src, tgt):
            first = self._packages.get((src, PIVOT))
            second = self._packages.get((PIVOT, tgt))
            if first is not None and second is not None:
                return [first, second]
        return None

    def missing_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """The pairs (each once, in order) that no installed package or pivot covers."""
        missing: list[tuple[str, str]] = []
        for pair in pairs:
            if pair not in missing and self.route(*pair) is None:
                missing.append(pair)
        return missing

    def model_id(self, src: str, tgt: str) -> str:
        """Fingerprint of what produces ``src -> tgt`` translations, for caches.

        Package ids and content hashes along the route, plus the decoding options that
        change the output.
        """
        route = self._route_or_raise(src, tgt)
        try:
            packages = "+".join(f"{p.package_id}@{_digest(p.path)}" for p in route)
        except OSError as exc:
            raise ModelError(f"cannot read the {src}->{tgt} package files: {exc}") from exc
        return (
            f"{packages or 'identity'};beam={self.beam_size};cap={self.max_decoding_ratio}x"
            f"+{self.max_decoding_extra}<={self._cap(self.max_input_tokens)};"
            f"min={self.min_decoding_length};{self.compute_type}"
        )

    def count_tokens(self, texts: Sequence[str], src: str, tgt: str) -> list[int]:
        """How many input tokens the first model of the route makes of each text."""
        route = self._route_or_raise(src, tgt)
        if not route:
            return [0] * len(texts)
        with _CACHE_LOCK:
            tokenizer = _tokenizer(route[0])
        try:
            return [len(ids) for ids in tokenizer.encode(list(texts))]
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
            outputs = self._translate_with(package, outputs, stop if hop == 0 else None)
        return outputs  # type: ignore[return-value]  # None only where stop said so

    def _route_or_raise(self, src: str, tgt: str) -> list[PackageInfo]:
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
        model = _load(package, self.device, self.compute_type, self.threads)
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
        encoded = model.tokenizer.encode([texts[i] for i in given], out_type=str)
        tokens: dict[int, list[str]] = dict(zip(given, encoded, strict=True))
        prefix = [package.target_prefix] if package.target_prefix else []
        # Longest first, in batches of one source length, ``threads`` at a time (a small
        # input is split so that every thread gets work).
        order = sorted((i for i in given if tokens[i]), key=lambda i: -len(tokens[i]))
        total = sum(len(tokens[i]) for i in order)
        limit = min(self.max_batch_tokens // self.beam_size, math.ceil(total / self.threads))
        batches = [
            (batch, self._cap(length) + len(prefix))
            for length, same_length in itertools.groupby(order, key=lambda i: len(tokens[i]))
            for batch in _batches(list(same_length), length, limit)
        ]
        outputs: list[str | None] = [None if text is None else "" for text in texts]
        # Batches handed to CTranslate2: (indexes, async results, source tokens).
        running: list[tuple[list[int], list, int]] = []
        # With ``stop``: at most this many source tokens handed over at a time (a batch's
        # worth per thread), many short batches or a few long ones, so that once ``stop``
        # says so, little is left to finish.
        queued = self.threads * max(1, self.max_batch_tokens // self.beam_size)

        def collect(job: tuple[list[int], list, int]) -> None:
            running.remove(job)
            batch, results, _ = job
            for index, result in zip(batch, results, strict=True):
                hypothesis = _wait(result).hypotheses[0]
                if prefix and hypothesis[: len(prefix)] == prefix:
                    hypothesis = hypothesis[len(prefix) :]
                outputs[index] = model.tokenizer.decode(hypothesis)

        for number, (batch, cap) in enumerate(batches):
            size = len(batch) * len(tokens[batch[0]])
            if stop is not None:
                while running and sum(job[2] for job in running) + size > queued:
                    collect(_first_done(running))
                if number and stop():
                    for left, _ in batches[number:]:
                        for index in left:
                            outputs[index] = None
                    break
            results = model.translator.translate_batch(
                [tokens[i] for i in batch],
                target_prefix=[prefix] * len(batch) if prefix else None,
                asynchronous=True,
                beam_size=self.beam_size,
                length_penalty=0.2,  # as argostranslate
                replace_unknowns=True,
                max_decoding_length=cap,
                min_decoding_length=self.min_decoding_length + len(prefix),
            )
            running.append((batch, results, size))
        while running:
            collect(running[0])
        return outputs


def _first_done(running: list[tuple[list[int], list, int]]) -> tuple[list[int], list, int]:
    """The first batch of ``running`` whose results are all ready; polls until one is.

    CTranslate2's asynchronous results can only be polled (``done()``) or waited on one at
    a time; a batch always ends (its decoding length is capped), so the wait does too.
    """
    while True:
        for job in running:
            if all(result.done() for result in job[1]):
                return job
        time.sleep(0.005)


def _wait(result):
    """The result of an asynchronous batch, waited for in short sleeps: a signal
    handler (SIGTERM) runs within milliseconds, where a blocking ``result()`` would
    hold the main thread until the batch ends (13 s measured under load)."""
    while not result.done():
        time.sleep(0.01)
    return result.result()


def _batches(indexes: list[int], length: int, max_tokens: int) -> Iterator[list[int]]:
    """Split segments of ``length`` tokens into batches of at most ``max_tokens`` tokens.

    Batches are as even as their number allows, and hold one segment at least.

    >>> list(_batches(list(range(7)), 10, 40))
    [[0, 1, 2, 3], [4, 5, 6]]
    >>> list(_batches([0, 1], 50, 40)), list(_batches(list(range(5)), 100, 250))
    ([[0], [1]], [[0, 1], [2, 3], [4]])
    """
    count = -(-len(indexes) // max(1, max_tokens // length))
    size = -(-len(indexes) // count)
    for start in range(0, len(indexes), size):
        yield indexes[start : start + size]


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
    if f"{top}/sentencepiece.model" not in names:
        raise ModelError(
            f"{refuse} {top}/sentencepiece.model is missing; only SentencePiece packages are"
            " supported (not bpe.model)"
        )
    return top


def _clear_argostranslate_cache() -> None:
    """Do what argostranslate's (un)install does, for a loaded ``argostranslate.translate``."""
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()


def install_file(path: Path, packages_dir: Path | None = None) -> PackageInfo:
    """Validate an ``.argosmodel`` and install it; replace a package of the same name.

    Extracts exactly as argostranslate's ``install_from_path`` does (one top-level directory
    under the packages directory), but only after validation, through a staging directory
    (nothing half-written is ever visible) and without importing ``argostranslate.translate``.
    Raises :class:`ModelError`, having written nothing, when the file is not a valid package.
    """
    path = Path(path)
    top = _validate_archive(path)
    root = resolve_packages_dir(packages_dir)
    root.mkdir(parents=True, exist_ok=True)
    target = root / top
    with argos_package.package_lock:
        with tempfile.TemporaryDirectory(prefix=".argos-install-", dir=root.parent) as staging:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(staging)
            if target.exists():
                shutil.rmtree(target)
                _forget(target)
            os.replace(Path(staging) / top, target)
    _clear_argostranslate_cache()
    for package in list_packages(root).packages:
        if package.path == target:
            return package
    raise ModelError(f"{path} was installed in {target} but is not a usable package")


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
        raise ModelError(
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
        raise ModelError(
            f"could not download the Argos package index ({argos_settings.remote_package_index});"
            " download the .argosmodel on a connected machine and run"
            " `pipeline models install FILE`"
        )
    available = {
        (package.from_code, package.to_code): package
        for package in argos_package.get_available_packages()
        if package.type == "translate"
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
    have = {(p.from_code, p.to_code) for p in installed_packages(packages_dir)}
    installed = []
    for hop in hops:
        if hop in have:
            continue
        try:
            download = available[hop].download()
        except Exception as exc:  # argostranslate raises a bare Exception
            raise ModelError(f"downloading the {hop[0]}->{hop[1]} package failed: {exc}") from exc
        try:
            installed.append(install_file(download, packages_dir))
        finally:
            download.unlink(missing_ok=True)
    return installed
