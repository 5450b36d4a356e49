"""The one interface every translation engine offers, devices and the defaults.

Runner, shard, CLI and detection ask an engine (or this module), never a model format:
which pairs and languages are installed, the route for a pair (direct, or a pivot through
English), a fingerprint per pair (models, decoding options, device and compute type), and
the command that installs a missing pair. Argos packages and plain CTranslate2 model
directories are one engine, :class:`pipeline.engines.argos.ArgosEngine`; this module is
what the rest of the code imports, so another engine plugs in here.

Defaults (one set, stated in the README; ``pipeline.config.TranslateConfig`` takes them
from here): beam 2, compute type ``auto`` = the fastest type measured per device
(:data:`COMPUTE_TYPE_FOR_DEVICE`), device ``auto`` = CUDA when CTranslate2 sees a GPU.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from pipeline.engines import ModelError

__all__ = [
    "BEAM_SIZE",
    "COMPUTE_TYPE",
    "COMPUTE_TYPE_FOR_DEVICE",
    "DEVICE",
    "DEVICES",
    "DeviceError",
    "Engine",
    "ModelError",
    "cuda_devices",
    "resolve_compute_type",
    "resolve_device",
]

# Beam 2: beam 4 (argostranslate's default) cost 1.65x the CPU time of beam 2 on a
# transformer-base package, beam 1 0.59x, float32 1.75x int8 (bench/translate.py --only i).
# Beam 4 stays one option away (--beam-size 4, [translate] beam_size) for those who want
# argostranslate's exact output.
BEAM_SIZE = 2
DEVICES = ("cpu", "cuda", "auto")
DEVICE = "auto"
# "auto": the type below for the device the run uses. int8 is CTranslate2's fastest on
# CPUs (Argos packages are int8 already); on a GPU int8 weights with float16 activations.
COMPUTE_TYPE = "auto"
COMPUTE_TYPE_FOR_DEVICE = {"cpu": "int8", "cuda": "int8_float16"}


class DeviceError(ValueError):
    """A device that this machine does not have (``--device cuda`` without a GPU); the
    CLI turns it into exit 2 with its one-line message."""


def cuda_devices() -> int:
    """How many CUDA GPUs CTranslate2 can use here (0 without CUDA or without a driver)."""
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except (RuntimeError, OSError):  # a CUDA build without a usable driver
        return 0


def resolve_device(device: str, count: Callable[[], int] = cuda_devices) -> str:
    """``cpu`` or ``cuda``: ``auto`` is CUDA when CTranslate2 sees a GPU.

    >>> resolve_device("auto", lambda: 0), resolve_device("auto", lambda: 2)
    ('cpu', 'cuda')
    >>> try:
    ...     resolve_device("cuda", lambda: 0)
    ... except DeviceError as exc:
    ...     print(exc)
    device cuda: CTranslate2 sees no CUDA GPU on this machine; use --device cpu (or auto)
    """
    if device not in DEVICES:
        raise DeviceError(f"device {device!r}: use one of {', '.join(DEVICES)}")
    if device == "cpu":
        return "cpu"
    gpus = count()
    if device == "cuda" and gpus == 0:
        raise DeviceError(
            "device cuda: CTranslate2 sees no CUDA GPU on this machine; use --device cpu (or auto)"
        )
    return "cuda" if gpus else "cpu"


def supported_compute_types(device: str) -> set[str]:
    """The compute types CTranslate2 supports on ``device`` here (empty if it cannot say)."""
    import ctranslate2

    try:
        return set(ctranslate2.get_supported_compute_types(device))
    except (RuntimeError, ValueError):
        return set()


def resolve_compute_type(
    compute_type: str, device: str,
    supported: Callable[[str], set[str]] = supported_compute_types,
) -> str:
    """The compute type used on ``device`` (``cpu`` or ``cuda``): ``auto`` is the default
    for the device (:data:`COMPUTE_TYPE_FOR_DEVICE`), or CTranslate2's own ``auto`` (the
    fastest the device supports) where the device lacks it; anything else is CTranslate2's.

    >>> resolve_compute_type("auto", "cpu", lambda d: {"int8", "float32"})
    'int8'
    >>> resolve_compute_type("auto", "cuda", lambda d: {"float16", "int8_float16"})
    'int8_float16'
    >>> resolve_compute_type("auto", "cpu", lambda d: {"float32"})
    'auto'
    >>> resolve_compute_type("float32", "cuda")
    'float32'
    """
    if compute_type != "auto":
        return compute_type
    wanted = COMPUTE_TYPE_FOR_DEVICE[device]
    return wanted if wanted in supported(device) else "auto"


@runtime_checkable
class Engine(Protocol):
    """A translation engine, as the runner, the shards, the CLI and the translate stage
    see it. Raises :class:`ModelError` when a model is missing or cannot be loaded or run.

    ``route`` is ``[]`` for ``src == tgt``, None when nothing covers the pair, else the
    models in order (one: direct; two: through English), or the one script conversion
    that serves the pair (:class:`pipeline.engines.convert.Conversion`: Simplified <->
    Traditional Chinese). ``conversion`` names that converter (``opencc 1.4.2 s2t``),
    None for a pair models translate. ``fingerprint`` (also
    ``model_id``, the translate stage's name for it) changes whenever an output could:
    model contents, decoding options, device and compute type.
    """

    device: str
    compute_type: str

    def pairs(self) -> list[tuple[str, str]]: ...

    def languages(self) -> list[str]: ...

    def route(self, src: str, tgt: str) -> list | None: ...

    def translate(self, texts: Sequence[str], src: str, tgt: str) -> list[str]: ...

    def conversion(self, src: str, tgt: str) -> str | None: ...

    def fingerprint(self, src: str, tgt: str) -> str: ...

    def model_id(self, src: str, tgt: str) -> str: ...

    def install_hint(self, src: str, tgt: str) -> str: ...


# The GPU this process's engines use (a local worker process is given its own; a Ray
# actor sees only the GPU Ray gave it, as device 0).
_device_index = 0


def set_device_index(index: int) -> None:
    """Make this process's engines use GPU ``index`` (by the local executor's workers)."""
    global _device_index
    _device_index = index


def make_engine(config, packages_dir: Path | None = None,
                device_index: int | None = None) -> Engine:
    """The engine a run's ``config`` (a :class:`pipeline.config.Config`) asks for."""
    from pipeline.engines.argos import ArgosEngine

    if device_index is None:
        device_index = _device_index
    t = config.translate
    return ArgosEngine(
        beam_size=t.beam_size,
        compute_type=t.compute_type,
        device=t.device,
        device_index=device_index,
        threads=t.threads or None,
        max_batch_tokens=t.max_batch_tokens,
        max_decoding_ratio=t.max_decoding_ratio,
        packages_dir=packages_dir,
    )


def installed_models(packages_dir: Path | None = None,
                     targets: Iterable[str] = ()) -> list[str]:
    """One id per installed model (pair, version, directory), sorted, and the script
    converter's (``opencc@1.4.2``, where installed) when one of ``targets`` is a
    language it converts into: what a run's fingerprint holds, read without loading any
    model or importing the converter. A run into other languages never uses the
    converter, and upgrading it must not process its corpus again."""
    from pipeline.engines.argos import installed_packages
    from pipeline.engines.convert import CONVERSIONS, converter_id

    found = {f"{p.package_id}@{p.path.name}" for p in installed_packages(packages_dir)}
    if {tgt for _, tgt in CONVERSIONS} & set(targets):
        converter = converter_id()
        found |= {converter} if converter else set()
    return sorted(found)


def installed_languages(packages_dir: Path | None = None) -> list[str]:
    """The languages the installed models translate from or into, sorted."""
    from pipeline.engines.argos import installed_packages, language_code

    return sorted(
        {language_code(c) for p in installed_packages(packages_dir)
         for c in (p.from_code, p.to_code)}
    )


def install_hint(src: str, tgt: str) -> str:
    """What a user runs to install the ``src -> tgt`` pair."""
    from pipeline.engines.argos import install_command

    return install_command(src, tgt)
