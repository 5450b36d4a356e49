"""The one place a run is assembled: ``build_pipeline(config) -> Pipeline``.

A :class:`Pipeline` holds the readers (one per corpus format), the per-document
stages, the translator's engine factory, and what the run decided about languages:
the detection candidates and the installed models' languages. The runner keeps
only locking, incremental state and scheduling; it asks the pipeline which reader
takes a file, and the report states the candidates the stages were built with.

Languages and models are decided here and nowhere else:

- :func:`installed_languages`: the languages of the installed translation models
  (the one call to the engine's model discovery);
- :func:`detection_candidates`: the configured candidates plus the targets, or the
  default candidates plus the installed models' languages and the targets;
- :func:`install_hint`: the command that installs a missing pair.

Adding a corpus format is one reader class (see :mod:`pipeline.readers`) added to
:data:`READERS` and to :func:`build_pipeline`, and its tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.document import Document, Stage
from pipeline.readers import Reader
from pipeline.readers.html import HtmlReader
from pipeline.readers.records import RecordsError, RecordsReader
from pipeline.readers.text import TextReader, sniff_html
from pipeline.writers.review import CorpusSources

# Every reader, by name; a file goes to the first whose suffixes end its name.
READERS: dict[str, type] = {"text": TextReader, "html": HtmlReader, "records": RecordsReader}


def reader_name(name: str) -> str:
    """The reader that takes a file called ``name`` ("" when none does).

    >>> reader_name("a/b.TXT"), reader_name("p.html.gz"), reader_name("d.jsonl.gz")
    ('text', 'html', 'records')
    >>> reader_name("x.pdf")
    ''
    """
    lower = name.lower()
    for key, reader in READERS.items():
        if lower.endswith(reader.suffixes):
            return key
    return ""


def formats() -> str:
    """The suffixes the pipeline reads, for messages.

    >>> formats()[:11]
    '.txt, .md, '
    """
    return ", ".join(s for reader in READERS.values() for s in reader.suffixes)


def installed_languages() -> list[str]:
    """The language codes of the installed translation models (package codes, sorted).

    The single call to model discovery, through the engine interface
    (:mod:`pipeline.engines.base`).
    """
    from pipeline.engines.base import installed_languages as discover

    return discover()


def detection_candidates(config: Config, installed: list[str] | None = None) -> list[str]:
    """The languages detection decides between: the configured candidates plus the
    targets, else the default candidates, the installed models' languages and the
    targets (each once, only languages detection knows)."""
    if config.detect.candidates:  # the installed models do not count: not scanned
        return config.candidates()
    return config.candidates(installed_languages() if installed is None else installed)


def install_hint(src: str, tgt: str) -> str:
    """The command that installs the model for ``src`` -> ``tgt`` (the engine
    interface's hint)."""
    from pipeline.engines.base import install_hint as hint

    return hint(src, tgt)


@dataclass
class Pipeline:
    """What a run is made of (see :func:`build_pipeline`)."""

    config: Config
    readers: dict[str, Reader]
    stages: list[Stage]
    candidates: list[str]  # the detection candidates the stages were built with
    installed: list[str] = field(default_factory=list)  # installed models' languages

    def reader(self, name: str) -> Reader:
        return self.readers[name]

    def engine(self):
        """The translation engine (each worker makes its own)."""
        from pipeline.shard import make_engine

        return make_engine(self.config)

    def install_hint(self, src: str, tgt: str) -> str:
        return install_hint(src, tgt)

    def config_summary(self) -> dict:
        """report.json's ``config``: the configuration as this run used it (the
        candidates are the stages' own list)."""
        summary = self.config.fingerprint()
        summary["detect"] = {**summary.get("detect", {}), "candidates": list(self.candidates)}
        return summary

    def sources(self, corpus: Path) -> Sources:
        """For the report page: each document's source as read (:class:`Sources`)."""
        return Sources(corpus, self.readers["records"])  # type: ignore[arg-type]


class Sources(CorpusSources):
    """Each document's source found again in the corpus, for the report page: a text
    file's bytes, a record's text; None for a page (what was read is the extracted
    text, not kept), and when the source is gone or no longer what was processed (its
    hash differs). Picklable, so that the page's render processes receive it."""

    def __init__(self, corpus: Path, records: RecordsReader):
        super().__init__(corpus)
        self.records = records
        self._texts: tuple[str, dict[str, str]] = ("", {})  # the last record file's texts

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_texts": ("", {})}

    def __call__(self, doc: Document) -> bytes | str | None:
        try:
            if reader_name(doc.doc) == "text":  # its file read once (no stat before)
                data = super().__call__(doc)
                if data is not None:
                    return None if sniff_html(data) else data
            if (self.corpus / doc.doc).is_file():
                return None
            for at in (i for i, char in enumerate(doc.doc) if char == "#"):
                rel = doc.doc[:at]
                if reader_name(rel) == "records" and (self.corpus / rel).is_file():
                    text = self._record_texts(rel).get(doc.doc)
                    ok = text is not None and hashlib.sha256(
                        text.encode()).hexdigest() == doc.source.sha256
                    return text if ok else None
        except (OSError, LookupError, ValueError):
            return None
        return None

    def _record_texts(self, rel: str) -> dict[str, str]:
        if self._texts[0] != rel:
            texts = {}
            try:
                for doc, row in self.records.identified(rel, self.corpus / rel):
                    value = self.records.text_value(rel, row.fields)  # a path too
                    if isinstance(value, str):
                        texts[doc] = value
            except (OSError, RecordsError):
                pass
            self._texts = (rel, texts)
        return self._texts[1]


def build_pipeline(config: Config, build_stages: Callable[..., list[Stage]] | None = None,
                   candidates: list[str] | None = None) -> Pipeline:
    """Assemble the readers, stages and language decisions of a run from ``config``.

    ``build_stages(config, candidates)`` (default :func:`pipeline.shard.build_stages`) is taken
    as an argument so that a caller may wrap it. ``candidates``: the detection candidates
    an earlier run with the same fingerprint (configuration, models, version) built its
    stages with; the stages are then not built (``stages`` is empty, no model folder is
    scanned), for a run that may find nothing to process (see the runner).
    """
    readers: dict[str, Reader] = {
        "text": TextReader(),
        "html": HtmlReader(config.max_file_bytes),
        "records": RecordsReader(config.input.text_field, config.input.id_field,
                                 config.max_file_bytes),
    }
    if candidates is not None:
        return Pipeline(config, readers, [], list(candidates))
    if build_stages is None:
        from pipeline.shard import build_stages
    installed = [] if config.detect.candidates else installed_languages()
    # The candidates from the models found here: the package folder is scanned once.
    stages = build_stages(config, detection_candidates(config, installed))
    # The candidates as the detect stage holds them: the report states what was used.
    scorer = next((s.scorer for s in stages if hasattr(s, "scorer")), None)
    candidates = (list(scorer.candidates) if scorer is not None
                  else detection_candidates(config, installed))
    return Pipeline(config, readers, stages, candidates, installed)
