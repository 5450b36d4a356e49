"""The data that flows through the pipeline: one Document per input file.

A Document is created by the read stage and enriched by every later stage. Stages
never read files or print; they change the Document and record each text change
as a :class:`Fix`, so every output can be explained (the audit trail).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

# JSON as the state stores it: UTF-8 as is, no spaces.
_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Fix:
    """One change a stage made to the text: the audit trail entry."""

    stage: str
    kind: str
    before: str
    after: str
    lang: str = ""  # the language of ``before`` when it was foreign (a leftover's)

    def record(self) -> dict[str, str]:
        """As JSON: ``lang`` only where it is set."""
        data = dict(vars(self))
        if not data["lang"]:
            del data["lang"]
        return data


@dataclass
class Removed:
    """A line taken out of the body (boilerplate, duplicate...), with the reason."""

    text: str
    reason: str


@dataclass
class Span:
    """A foreign-language piece inside a segment.

    ``start``/``end`` are character offsets into the segment's text; ``segment``
    is the id of that segment.
    """

    text: str
    lang: str
    start: int
    end: int
    segment: str = ""
    # its own translation per target, where it was translated apart from its segment
    translations: dict[str, str | None] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """As documents.jsonl lists it (segments.jsonl lists the translations)."""
        data = dict(vars(self))
        del data["translations"]
        return data


@dataclass
class Segment:
    """A sentence-level unit: the unit of language detection and translation."""

    id: str
    text: str
    lang: str = ""
    score: float = 0.0
    translations: dict[str, str] = field(default_factory=dict)
    flags: dict[str, list[str]] = field(default_factory=dict)  # QA flags per target language


@dataclass
class Block:
    """A title, heading or paragraph, in reading order.

    Until the repair stage unwraps hard-wrapped lines, ``text`` may hold newlines.
    """

    kind: str
    text: str
    lang: str = ""
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Source:
    """What was read: the raw bytes' hash, the encoding found and the size."""

    sha256: str = ""
    encoding: str = ""
    size: int = 0


@dataclass
class Document:
    """One input file on its way through the stages."""

    doc: str  # relative path inside the corpus, the stable id
    raw: bytes = b""
    text: str = ""  # the whole text, as decoded and normalised; blocks come from it
    source: Source = field(default_factory=Source)
    lang: str = ""
    lang_score: float = 0.0
    blocks: list[Block] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    removed: list[Removed] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    status: str = "ok"
    errors: list[str] = field(default_factory=list)
    # A Markdown file's layout (pipeline.readers.markdown); None for any other document
    markdown: dict[str, Any] | None = None
    # What translation keeps as it is in a segment's text besides what pipeline.protect
    # finds (a web page's inline code, pipeline.readers.html): segment id -> its
    # [start, end] ranges, in order; {} for most documents (and then not in the JSON)
    protected: dict[str, list[list[int]]] = field(default_factory=dict)

    def fix(self, stage: str, kind: str, before: str, after: str, lang: str = "") -> None:
        """Record one change in the audit trail."""
        self.fixes.append(Fix(stage, kind, before, after, lang))

    def segments(self) -> list[Segment]:
        """All segments in reading order."""
        return [seg for block in self.blocks for seg in block.segments]

    def clean_text(self) -> str:
        r"""The cleaned document: blocks separated by one blank line, one final newline.

        Made in one join (the final newline added to the last block's text), not
        joined and then copied once more with the newline.

        >>> Document("a.txt", blocks=[Block("title", "T"), Block("paragraph", "P")]).clean_text()
        'T\n\nP\n'
        >>> Document("a.txt").clean_text()
        ''
        """
        if not self.blocks:
            return ""
        texts = [block.text for block in self.blocks]
        texts[-1] += "\n"
        return "\n\n".join(texts)

    def has_text(self) -> bool:
        r"""Whether :meth:`clean_text` holds anything but white space (without making it).

        >>> Document("a.txt", blocks=[Block("paragraph", " \n")]).has_text()
        False
        >>> Document("a.txt", blocks=[Block("paragraph", " "), Block("paragraph", "x")]).has_text()
        True
        """
        return any(block.text and not block.text.isspace() for block in self.blocks)

    def to_json(self) -> str:
        """The whole document (but its raw bytes) as JSON, for the state store.

        Joined from :meth:`json_pieces` in one go: the text of each block and its
        segments is a piece of its own, so the only large things at once are those
        pieces and the result (``json.dumps`` of the whole kept a copy of every
        segment's fields and some 300,000 small strings, the text of a 2 MB book held
        for a while three times over).
        """
        return "".join(list(self.json_pieces()))

    def json_utf8(self) -> bytearray:
        """:meth:`to_json` encoded as UTF-8 (strictly, as SQLite stores it), a piece of
        :meth:`json_pieces` at a time into one buffer that grows in place: the JSON is
        never a ``str`` (two bytes a character as soon as one curly quote is in it,
        then its UTF-8 once more, cached on the string, when SQLite is handed it).

        >>> d = Document("a.txt", text="“Olá”", blocks=[Block("title", "“Olá”")])
        >>> d.json_utf8() == d.to_json().encode()
        True
        """
        data = bytearray()
        for piece in self.json_pieces():
            data += piece.encode()
        return data

    def json_pieces(self) -> Iterator[str]:
        """:meth:`to_json`'s text in pieces: a key and its value each, a block (with
        its segments) each, in the order ``json.dumps`` writes them.

        >>> seg = Segment("a.txt#1.1", "Olá “x”", translations={"en": "Hello"})
        >>> d = Document("a.txt", text="Olá", blocks=[Block("title", "Olá", segments=[seg]),
        ...                                        Block("paragraph", "B")])
        >>> pieces = list(d.json_pieces())
        >>> pieces[:3], pieces[-1]
        (['{"doc":', '"a.txt"', ',"text":'], '}')
        >>> "".join(pieces) == d.to_json()
        True
        """
        data = dict(vars(self))
        del data["raw"]
        data["source"] = vars(self.source)
        for name in ("removed", "spans", "fixes"):
            data[name] = [vars(item) for item in data[name]]
        if not self.protected:
            del data["protected"]
        if self.markdown is None:
            del data["markdown"]
        else:  # without what only the stages use ("_" keys)
            data["markdown"] = {k: v for k, v in self.markdown.items() if k[:1] != "_"}
        # vars() of a dataclass lists its fields in declaration order, as asdict()
        # does, without asdict's recursive deep copy (most of the time it took).
        sep = "{"
        for key, value in data.items():
            yield f"{sep}{_dumps(key)}:"
            sep = ","
            if key != "blocks":
                yield _dumps(value)
                continue
            comma = "["
            for block in value:
                yield comma + _dumps({**vars(block), "segments": [vars(s) for s in block.segments]})
                comma = ","
            yield "[]" if comma == "[" else "]"
        yield "}"

    @classmethod
    def from_json(cls, text: str) -> Document:
        """The inverse of :meth:`to_json`.

        >>> seg = Segment("a.txt#1.1", "Olá", translations={"en": "Hello"})
        >>> d = Document("a.txt", blocks=[Block("title", "Olá", segments=[seg])])
        >>> Document.from_json(d.to_json()) == d
        True
        """
        data = json.loads(text)
        data["source"] = Source(**data["source"])
        data["blocks"] = [
            Block(**{**b, "segments": [Segment(**s) for s in b["segments"]]})
            for b in data["blocks"]
        ]
        data["removed"] = [Removed(**r) for r in data["removed"]]
        data["spans"] = [Span(**s) for s in data["spans"]]
        data["fixes"] = [Fix(**f) for f in data["fixes"]]
        return cls(**data)

    def record(self) -> dict[str, Any]:
        """The documents.jsonl object for this document."""
        return {
            "doc": self.doc,
            "lang": self.lang,
            "lang_score": round(self.lang_score, 4),
            "source": dict(vars(self.source)),
            "metadata": dict(self.metadata),
            "removed": [dict(vars(r)) for r in self.removed],
            "spans": [s.record() for s in self.spans],
            "fixes": [f.record() for f in self.fixes],
            "status": self.status,
            "errors": list(self.errors),
        }


class Stage:
    """A step with one job: ``process(doc) -> doc``.

    ``name`` is what the audit trail records as the fix's stage.
    """

    name = "stage"

    def process(self, doc: Document) -> Document:  # pragma: no cover - interface
        raise NotImplementedError
