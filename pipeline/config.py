"""Run configuration: defaults, the TOML config file and command-line overrides.

A config file is optional. Every key has a default here, and an unknown key or a
value of the wrong type is a :class:`ConfigError` that names the key, so a typo
never passes silently. Example ``pipeline.toml``::

    targets = ["en", "de"]          # languages to translate into

    [translate]
    beam_size = 2                   # 1 = greedy (fastest), 4 = argos' default quality
    device = "auto"                 # cpu, cuda, or auto (cuda when CTranslate2 sees a GPU)
    compute_type = "auto"           # per device: int8 on cpu, int8_float16 on cuda
    max_batch_tokens = 2048         # source tokens per CTranslate2 batch at beam 1 (/ beam)

    [detect]
    candidates = ["pt", "de", "en", "es", "fr"]

    [labels.widgets]                # extra boilerplate lines to remove, per language
    de = ["Jetzt abonnieren"]

    [input]                         # record files (.jsonl, .parquet, .csv, .tsv...)
    text_field = "text"             # the field holding each record's text (article.body:
                                    # the field body of the object article)
    id_field = "id"                 # the field holding its id (else its record number)

    [repair]
    leftovers = "translate"         # or "keep": foreign leftovers stay in the clean copy

    [run]
    min_age_s = 0                   # files changed less than this long ago wait (--min-age)
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipeline.engines.base import BEAM_SIZE, COMPUTE_TYPE, DEVICE, DEVICES
from pipeline.languages import UNDETERMINED, UnknownLanguage, canonical

# Languages detection decides between when the config names none: the languages
# of the sample corpus and of the usual news sources. The languages of installed
# models and the configured targets are always added.
DEFAULT_CANDIDATES = ("pt", "de", "en", "es", "fr", "it", "nl")


# CTranslate2's compute types (https://opennmt.net/CTranslate2/quantization.html);
# ``default`` keeps the model's own type; ``auto`` (ours, not CTranslate2's) is
# ``pipeline.engines.base.COMPUTE_TYPE_FOR_DEVICE``: int8 on CPU, int8_float16 on CUDA.
COMPUTE_TYPES = (
    "default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
    "float16", "bfloat16", "float32",
)


# The widest beam accepted: CTranslate2 keeps beam x batch hypotheses in memory, and
# past a few dozen no quality is gained (a beam of 10^11 failed in mkl_malloc, and the
# pair was reported as a missing model).
MAX_BEAM_SIZE = 64


# The largest max_file_bytes and document_timeout_s taken (see Config.validate).
MAX_FILE_BYTES = 1 << 40
MAX_TIMEOUT_S = 365 * 24 * 3600


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message says what to change."""


@dataclass
class TranslateConfig:
    # The defaults are pipeline.engines.base's (one set, stated in the README).
    beam_size: int = BEAM_SIZE  # beam 4 (argostranslate's) costs 1.65x, beam 1 0.59x
    device: str = DEVICE  # cpu, cuda, auto (cuda when CTranslate2 sees a GPU)
    compute_type: str = COMPUTE_TYPE  # auto: int8 on CPU, int8_float16 on CUDA
    max_batch_tokens: int = 2048  # source tokens per CTranslate2 batch at beam 1 (/ beam)
    threads: int = 0  # 0 = one per core, never more than the machine has
    max_decoding_ratio: float = 2.0  # decode at most ratio * input tokens + 10
    terms: list[str] = field(default_factory=list)  # kept as they are, like URLs
    shard_timeout_s: float = 600.0  # translation budget per shard; then its rest fails


@dataclass
class DetectConfig:
    candidates: list[str] = field(default_factory=list)  # empty = DEFAULT_CANDIDATES


@dataclass
class InputConfig:
    text_field: str = "text"  # records: the field holding the text (--text-field; a.b: nested)
    id_field: str = "id"  # records: the field holding the id, else the record number


@dataclass
class RepairConfig:
    # "translate": a strong foreign leftover is replaced by its translation into the
    # document's language where a model has the pair; "keep": left, and translated on
    # its own inside the segment's translation
    leftovers: str = "translate"


LEFTOVER_POLICIES = ("translate", "keep")


@dataclass
class RunConfig:
    # A file modified less than this many seconds before the run (its mtime; a future
    # one: its ctime) is left for the next run, said so in the log and in report.json's
    # "deferred": a scraper's file still being written is never processed half. 0 (the
    # default): every file is read as found.
    min_age_s: float = 0.0


@dataclass
class Config:
    targets: list[str] = field(default_factory=lambda: ["en"])
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    detect: DetectConfig = field(default_factory=DetectConfig)
    input: InputConfig = field(default_factory=InputConfig)
    repair: RepairConfig = field(default_factory=RepairConfig)
    run: RunConfig = field(default_factory=RunConfig)  # when files are read, not their outputs
    labels: dict[str, Any] = field(default_factory=dict)  # extends pipeline/data/labels.toml
    max_file_bytes: int = 20_000_000  # larger inputs are quarantined with a reason
    document_timeout_s: float = 60.0  # processor seconds per document; then quarantined

    def candidates(self, installed: list[str] | tuple[str, ...] = ()) -> list[str]:
        """Languages detection may answer: configured ones plus the targets, or by
        default :data:`DEFAULT_CANDIDATES`, the ``installed`` models' languages and
        the targets (each once, only languages detection knows). Decided here only
        (:func:`pipeline.factory.detection_candidates` passes the installed models'
        languages), without importing the factory: ``pipeline detect`` calls it."""
        from pipeline.stages.detect import default_candidates

        if self.detect.candidates:
            return default_candidates([], self.targets, base=self.detect.candidates)
        return default_candidates(list(installed), self.targets)

    def validate(self) -> None:
        """Check every value; raise :class:`ConfigError` naming the key and what to use.

        >>> try:
        ...     Config(max_file_bytes=0).validate()
        ... except ConfigError as exc:
        ...     print(exc)
        max_file_bytes = 0: must be a whole number of bytes above 0
        """
        t = self.translate
        _check_strings(self.targets, "targets")
        _check_strings(self.detect.candidates, "detect.candidates")
        _check_strings(t.terms, "translate.terms")
        for key, value in (("text_field", self.input.text_field),
                           ("id_field", self.input.id_field)):
            if not value.strip():
                raise ConfigError(f"input.{key} = {value!r}: must name a field of the records")
            if value.startswith(".") and value.strip("."):
                raise ConfigError(f"input.{key} = {value!r}: a field path has no leading dot "
                                  f"(jq's); write {value.lstrip('.')}")
        if t.compute_type not in COMPUTE_TYPES:
            raise ConfigError(
                f"translate.compute_type = {t.compute_type!r} is not a CTranslate2 compute "
                f"type; use one of {', '.join(COMPUTE_TYPES)} (auto: int8 on CPUs,"
                " int8_float16 on GPUs)"
            )
        if t.device not in DEVICES:
            raise ConfigError(
                f"translate.device = {t.device!r}: use one of {', '.join(DEVICES)}"
            )
        if self.repair.leftovers not in LEFTOVER_POLICIES:
            raise ConfigError(
                f"repair.leftovers = {self.repair.leftovers!r}: use \"translate\" (foreign "
                "leftovers replaced by their translation) or \"keep\""
            )
        # (key, value, least allowed value or None for a finite number above 0, what)
        checks = (
            ("max_file_bytes", self.max_file_bytes, 1, "a whole number of bytes above 0"),
            ("document_timeout_s", self.document_timeout_s, None, "a number of seconds above 0"),
            ("translate.beam_size", t.beam_size, 1, "1 or more (1 = greedy, the fastest)"),
            ("translate.max_batch_tokens", t.max_batch_tokens, 1, "1 or more (default 2048)"),
            ("translate.threads", t.threads, 0, "0 (one per core) or more"),
            ("translate.max_decoding_ratio", t.max_decoding_ratio, None,
             "a number above 0 (default 2.0)"),
            ("translate.shard_timeout_s", t.shard_timeout_s, None,
             "a number of seconds above 0 (default 600)"),
        )
        if not math.isfinite(self.run.min_age_s) or not 0 <= self.run.min_age_s <= MAX_TIMEOUT_S:
            raise ConfigError(f"run.min_age_s = {self.run.min_age_s!r}: must be a number of "
                              "seconds from 0 (off) to a year (31536000)")
        for key, value, low, what in checks:
            bad = not math.isfinite(value) or value <= 0 if low is None else value < low
            if bad:
                raise ConfigError(f"{key} = {value!r}: must be {what}")
        # Bounds past any use, below what the system takes: larger values stopped the run
        # with an internal error (a line length past an index, a timer past time_t).
        for key, value, high, what in (
            ("max_file_bytes", self.max_file_bytes, MAX_FILE_BYTES, "1 TiB (1099511627776)"),
            ("document_timeout_s", self.document_timeout_s, MAX_TIMEOUT_S,
             "a year (31536000 s)"),
        ):
            if value > high:
                raise ConfigError(f"{key} = {value!r}: at most {what}")
        if t.beam_size > MAX_BEAM_SIZE:
            raise ConfigError(f"translate.beam_size = {t.beam_size}: at most {MAX_BEAM_SIZE} "
                              "(4 is argostranslate's; wider beams only cost memory and time)")

    def fingerprint(self) -> dict[str, Any]:
        """What changes outputs, for the report and incremental state."""
        return {
            "targets": self.targets,
            # A time budget changes no output: raising it must not redo the corpus.
            "translate": {k: v for k, v in vars(self.translate).items()
                          if k != "shard_timeout_s"},
            "detect": {"candidates": self.candidates()},
            "labels": self.labels,
            # Only when set: a fingerprint from before the [input] section stays valid.
            **({"input": vars(self.input)} if vars(self.input) != vars(InputConfig()) else {}),
            "repair": {"leftovers": self.repair.leftovers},
        }


def _keys(obj: Any, where: str = "") -> Iterator[str]:
    """Every key of a configuration, dotted ("translate.beam_size"), tables included."""
    for f in fields(obj):
        yield f"{where}{f.name}"
        value = getattr(obj, f.name)
        if hasattr(value, "__dataclass_fields__"):
            yield from _keys(value, f"{where}{f.name}.")


def _meant(name: str, known: Iterable[str]) -> str:
    """A hint for the unknown key ``name`` (dotted): the same key in another table, or
    a near spelling of one in the same table.

    >>> _meant("run.targets", _keys(Config()))
    "; did you mean 'targets' (at the top, before any [table])?"
    >>> _meant("translate.beam", _keys(Config()))
    "; did you mean 'beam_size' in [translate]?"
    >>> _meant("colour", _keys(Config()))
    ''
    """
    def said(key: str) -> str:
        table, _, leaf = key.rpartition(".")
        return f"'{leaf}' in [{table}]" if table else f"'{leaf}' (at the top, before any [table])"

    known = [k for k in known if k != name]
    table, _, leaf = name.rpartition(".")
    elsewhere = [k for k in known if k.rpartition(".")[2] == leaf]
    near = difflib.get_close_matches(
        leaf, [k.rpartition(".")[2] for k in known if k.rpartition(".")[0] == table], n=1)
    found = elsewhere or [f"{table}.{near[0]}" if table else near[0] for _ in near[:1]]
    return f"; did you mean {' or '.join(said(k) for k in found)}?" if found else ""


def _fill(obj: Any, values: dict[str, Any], where: str) -> None:
    known = {f.name: f for f in fields(obj)}
    for key, value in values.items():
        name = f"{where}{key}"
        if key not in known:
            raise ConfigError(
                f"unknown config key '{name}'; known keys here: {', '.join(sorted(known))}"
                + _meant(name, _keys(Config()))
            )
        current = getattr(obj, key)
        if hasattr(current, "__dataclass_fields__"):
            if not isinstance(value, dict):
                raise ConfigError(f"config key '{name}' must be a table ([{name}])")
            _fill(current, value, f"{name}.")
            continue
        expected = type(current)
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ConfigError(
                f"config key '{name}' must be {expected.__name__}, got {value!r}"
            )
        setattr(obj, key, value)


def _check_strings(values: list[Any], key: str) -> None:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{key} must be a list of non-empty strings, got {value!r}")


def parse_langs(text: str, what: str = "language") -> list[str]:
    """Parse a comma-separated language list into the codes of
    :mod:`pipeline.languages` (aliases mapped, each code once, in order).

    An unknown code is a :class:`ConfigError` naming the nearest known codes.

    >>> parse_langs("en, de,,pt-BR, pt")
    ['en', 'de', 'pt']
    >>> parse_langs("pt,xx", "candidate")
    Traceback (most recent call last):
    ...
    pipeline.config.ConfigError: candidate 'xx' is not a language code; nearest: xh (Xhosa)
    """
    langs: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            lang = canonical(part)
        except UnknownLanguage as exc:
            raise ConfigError(f"{what} {exc}") from None
        if lang == UNDETERMINED:
            raise ConfigError(f"{what} 'und' (undetermined) is no language; use codes like en,de")
        if lang not in langs:
            langs.append(lang)
    return langs


AGE_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600}


def parse_age(text: str) -> float:
    """Seconds from ``--min-age``: a number of seconds, or one with a unit (s, m or min, h).

    >>> parse_age("60"), parse_age("60s"), parse_age("2m"), parse_age("1.5h"), parse_age("0")
    (60.0, 60.0, 120.0, 5400.0, 0.0)
    >>> parse_age("soon")
    Traceback (most recent call last):
    ...
    pipeline.config.ConfigError: --min-age 'soon': give seconds (60, 60s) or minutes (5m)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(s|m|min|h)?\s*", text.lower())
    if not match:
        raise ConfigError(f"--min-age {text!r}: give seconds (60, 60s) or minutes (5m)")
    seconds = float(match[1]) * AGE_UNITS[match[2] or "s"]
    if seconds > MAX_TIMEOUT_S:
        raise ConfigError(f"--min-age {text!r}: at most a year")
    return seconds


def load_config(path: Path | None, implicit: bool = False) -> Config:
    """Load a config file over the defaults; ``None`` gives the defaults.

    Every value is checked (:meth:`Config.validate`); an error names the file and the
    key. ``implicit``: the file was found in the current directory, not named with
    ``--config``, and the message says so.
    """
    config = Config()
    if path is None:
        return config
    named = f"config file {path}" + (
        " (read from the current directory; --config FILE names another)" if implicit else ""
    )
    try:
        # utf-8-sig: Windows editors (Notepad) start a UTF-8 file with a byte-order mark
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{named} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{named} is a folder, not a TOML file: rename it, or name the "
                          "config file with --config FILE") from None
    except UnicodeDecodeError as exc:
        utf16 = exc.object[:2] in (b"\xff\xfe", b"\xfe\xff")  # PowerShell's `>` writes it
        raise ConfigError(f"{named} is saved as UTF-16; save it as UTF-8" if utf16 else
                          f"cannot read {named}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {named}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{named} is not valid TOML: {exc}") from None
    try:
        _fill(config, data, "")
        if data.get("detect", {}).get("candidates") == []:  # else read as "the defaults"
            raise ConfigError("detect.candidates = []: no candidate language; name some "
                              '(candidates = ["pt", "en"]) or remove the key for the defaults')
        config.validate()
        config.targets = _langs(config.targets, "targets")
        if config.detect.candidates:
            config.detect.candidates = _langs(config.detect.candidates, "detect.candidates")
        _check_outputs(config)
    except ConfigError as exc:
        raise ConfigError(f"{named}: {exc}") from None
    return config


def _langs(values: list[str], key: str) -> list[str]:
    return parse_langs(",".join(values), f"{key}:")


def _check_outputs(config: Config) -> None:
    """What the stages and writers would refuse later: target codes and the labels."""
    from pipeline.writers.jsonl import check_targets

    try:
        check_targets(config.targets)
    except ValueError as exc:
        raise ConfigError(f"targets: {exc}") from None
    if config.labels:
        from pipeline.stages.boilerplate import Lexicon, lexicon_data, merge_labels

        try:
            Lexicon.from_data(merge_labels(lexicon_data(), config.labels))
        except (ValueError, re.error) as exc:
            raise ConfigError(f"[labels]: {exc}") from None


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def process_running(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (another user's too).

    >>> process_running(os.getpid()), process_running(0)
    (True, False)
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # another user's (EPERM)
        return True
    return True
