"""Simplified <-> Traditional Chinese by script conversion (OpenCC), not by translation.

``zh`` and ``zh-Hant`` are one language in two scripts: a document in one is given the
other by OpenCC's dictionaries (phrases first, then characters), sentence for sentence,
with no model and no English in between. :class:`pipeline.engines.argos.ArgosEngine`
routes those two pairs here (:func:`conversion`); it stays the only machine translation.

OpenCC is imported only when such a pair is routed (a run without Chinese targets, and
``pipeline --help``, never load it). Where it cannot be imported, :func:`conversion`
answers None with a warning, once a process, and the pair is translated through English
as before.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.engines import ModelError
from pipeline.log import warn

NAME = "opencc"
INSTALL = "pip install 'opencc>=1.1'"

# (source, target) -> the OpenCC configuration that converts the one into the other.
# - zh -> zh-Hant: "s2t", OpenCC's standard Traditional forms (爲, 裏, 着). zh-Hant stands
#   for zh-TW, zh-HK and zh-MO alike (pipeline/languages.py), so no one region's forms
#   are imposed: "s2tw" would write Taiwan's (為, 裡, 著), "s2hk" Hong Kong's (説, 温, 台).
#   Only characters change, never words ("s2twp" would also localise 软件 as 軟體).
# - zh-Hant -> zh: "tw2s": Taiwan's variant forms first, then characters. Traditional text
#   met in news is mostly in Taiwan's forms, where "t2s" leaves 著急 as 著急 (tw2s: 着急);
#   Hong Kong's forms (説, 温) and OpenCC's own come out the same as with "t2s".
CONVERSIONS: dict[tuple[str, str], str] = {
    ("zh", "zh-Hant"): "s2t",
    ("zh-Hant", "zh"): "tw2s",
}

_LOCK = threading.Lock()
_CONVERTERS: dict[str, Any] = {}  # configuration -> its loaded opencc.OpenCC
_UNAVAILABLE: list[str] = []  # why opencc cannot be imported here, once known


def version() -> str | None:
    """The installed OpenCC's version, None without it; read from its ``.dist-info``
    folder's name, without importing it (the run's fingerprint asks for it every run:
    ``importlib.metadata`` costs a tenth of a second)."""
    try:
        spec = importlib.util.find_spec(NAME)
    except (ImportError, ValueError):  # ValueError: sys.modules["opencc"] is None
        return None
    if spec is None or not spec.origin:
        return None
    site = os.path.dirname(os.path.dirname(spec.origin))
    try:
        names = sorted(os.listdir(site))
    except OSError:
        names = []
    for name in names:
        stem, _, kind = name.rpartition(".")
        dist, _, found = stem.partition("-")
        if kind == "dist-info" and dist.lower() == NAME and found:
            return found
    from importlib import metadata  # an install without a dist-info beside it (rare)

    try:
        return metadata.version(NAME)
    except metadata.PackageNotFoundError:
        return None


def converter_id() -> str | None:
    """What the run's fingerprint holds for the converter: ``opencc@1.4.2``, None
    without it (installing or upgrading it processes the corpus again)."""
    found = version()
    return None if found is None else f"{NAME}@{found}"


def _converter(config: str) -> Any | None:
    """The loaded OpenCC converter of ``config``; None (warned once) where opencc cannot
    be imported."""
    with _LOCK:
        if config in _CONVERTERS:
            return _CONVERTERS[config]
        if _UNAVAILABLE:
            return None
        try:
            import opencc

            _CONVERTERS[config] = opencc.OpenCC(config)
        except Exception as exc:  # noqa: BLE001 - ImportError, or a broken install
            _UNAVAILABLE.append(f"{type(exc).__name__}: {exc}")
            warn("converter", f"{NAME} cannot be used ({_UNAVAILABLE[0]}): Simplified <->"
                 " Traditional Chinese is translated through English instead, where models"
                 f" allow; install it: {INSTALL}", problem=_UNAVAILABLE[0])
            return None
        return _CONVERTERS[config]


@dataclass(frozen=True)
class Conversion:
    """One step of a route that converts the script instead of translating."""

    src: str
    tgt: str
    config: str
    version: str

    @property
    def package_id(self) -> str:
        """The step's id in fingerprints, as a package's: ``opencc@1.4.2:s2t``."""
        return f"{NAME}@{self.version}:{self.config}"

    @property
    def name(self) -> str:
        """What reports say converted the pair: ``opencc 1.4.2 s2t``."""
        return f"{NAME} {self.version} {self.config}"

    def convert(self, texts: Sequence[str | None]) -> list[str | None]:
        """Each text converted (one output per text; None stays None, a blank text
        gives ""). Raises :class:`ModelError` when OpenCC fails."""
        converter = _converter(self.config)
        if converter is None:
            raise ModelError(f"{NAME} cannot be used ({_UNAVAILABLE[0]}); install it:"
                             f" {INSTALL}")
        try:
            return [None if text is None else converter.convert(text) if text.strip()
                    else "" for text in texts]
        except Exception as exc:  # noqa: BLE001 - whatever the binding raises
            raise ModelError(f"{self.name} failed: {type(exc).__name__}: {exc}") from exc


def conversion(src: str, tgt: str) -> Conversion | None:
    """The conversion of ``src`` text into ``tgt``; None where the pair is no script
    conversion, or OpenCC cannot be used here (warned once).

    >>> conversion("pt", "en") is None
    True
    >>> step = conversion("zh", "zh-Hant")
    >>> step.config, step.convert(["这是中国的新闻。", " ", None])[:2]
    ('s2t', ['這是中國的新聞。', ''])
    """
    config = CONVERSIONS.get((src, tgt))
    if config is None or _converter(config) is None:
        return None
    return Conversion(src, tgt, config, version() or "unknown")
