"""Modules imported at their first use, for start-up time.

``argostranslate``, ``ctranslate2`` and ``sentencepiece`` cost a tenth of a second or
more each to import, and most commands (``pipeline --help``, ``pipeline detect``, a
run with nothing to translate) never use them. A module-level name bound with
:func:`lazy_module` imports its module when one of its attributes is first read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for module ``name``; imports it at the first attribute read.

    >>> json_ = LazyModule("json")
    >>> json_.dumps([1])
    '[1]'
    """

    def __init__(self, name: str, before_import: Callable[[], None] | None = None) -> None:
        self._name = name
        self._before_import = before_import
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)  # copy, pickle and repr probes import nothing
        module = self._module
        if module is None:
            if self._before_import is not None:
                self._before_import()
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str, before_import: Callable[[], None] | None = None) -> Any:
    """A stand-in for ``import name`` that imports at first use (typed ``Any``, as
    the module itself would be to a checker that does not know it), calling
    ``before_import`` first."""
    return LazyModule(name, before_import)
