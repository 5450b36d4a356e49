"""``OUT/report.html``: moved to :mod:`pipeline.writers.review` (kept for old callers)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.writers.review import corpus_sources, write_report
from pipeline.writers.review.docpage import Sources

__all__ = ["corpus_sources", "write_html"]


def write_html(out: Path, docs: Iterable[Document], report: dict[str, Any],
               sources: Sources | None = None) -> None:
    """:func:`pipeline.writers.review.write_report` under its old name."""
    write_report(out, docs, report, sources)
