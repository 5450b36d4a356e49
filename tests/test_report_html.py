"""OUT/report.html: self-contained, escaped, bounded, and it opens in a real browser."""

from __future__ import annotations

import fcntl
import json
import os
import random
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.document import Block, Document, Fix, Removed, Segment, Source, Span
from pipeline.writers import html
from pipeline.writers.html import DETAIL_CHARS, corpus_sources, write_html
from tests.conftest import SEED, TaggingEngine

TARGETS = ["en", "de"]
HEADLINE = "Coréia do Norte e Rússia: a nova aliança militar garante alarme!"
HOSTILE = (
    "Ataque no portal de notícias\n\n"
    'O texto trazia <script>document.title = "hacked"</script> e também '
    '<img src="http://example.com/x.png" onerror="alert(1)"> no meio da frase.\n'
)


REPORT = {
    "documents": 6,
    "ok": 6,
    "failed": [],
    "languages": {"de": 1, "en": 1, "fr": 1, "pt": 3},
    "targets": TARGETS,
    "missing_models": [{"pair": "fr-de", "install": "pipeline models install fr de"}],
    "config": Config().fingerprint(),
    "timings_s": {"total": 1.234},
}


@pytest.fixture(scope="module")
def processed(tmp_path_factory, process_corpus) -> tuple[Path, list[Document]]:
    """The sample corpus plus a hostile article, processed; the seed gets a QA flag."""
    corpus = tmp_path_factory.mktemp("html") / "corpus"
    shutil.copytree(SEED, corpus)
    (corpus / "pt" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    docs = process_corpus(corpus, TARGETS)
    seed = next(d for d in docs if d.doc == "article-pt.txt")
    seed.segments()[2].flags["en"] = ["length_ratio"]
    return corpus, docs


@pytest.fixture(scope="module")
def page(processed, tmp_path_factory) -> Path:
    corpus, docs = processed
    out = tmp_path_factory.mktemp("out")
    write_html(out, iter(docs), REPORT, corpus_sources(corpus))
    return out / "report.html"


class Elements(HTMLParser):
    """The start tags (with attributes) and the text of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_article_text_is_escaped_so_markup_in_an_article_shows_as_text(page):
    parsed = Elements(page.read_text(encoding="utf-8"))
    assert not [tag for tag, _ in parsed.tags if tag in ("script", "img", "iframe", "object")]
    text = "".join(parsed.text)
    assert '<script>document.title = "hacked"</script>' in text
    assert '<img src="http://example.com/x.png" onerror="alert(1)">' in text


def test_page_loads_nothing_from_outside(page):
    html = page.read_text(encoding="utf-8")
    for tag, attrs in Elements(html).tags:
        assert "src" not in attrs, tag
        assert tag != "link" or attrs == {"rel": "icon", "href": "data:,"}
        assert tag != "a" or (attrs.get("href") or "").startswith("#doc-")
    assert "default-src 'none'" in html  # Content-Security-Policy: nothing may load


def test_totals_come_from_the_report_without_timings(page):
    html = page.read_text(encoding="utf-8")
    assert "pipeline models install fr de" in html
    assert "timings_s" not in html and "1.234" not in html


def test_page_is_byte_identical_for_the_same_run(processed, page, tmp_path):
    corpus, docs = processed
    report = {**REPORT, "timings_s": {"total": 9.9}}
    write_html(tmp_path, docs, report, corpus_sources(corpus))
    assert (tmp_path / "report.html").read_bytes() == page.read_bytes()


def test_fixes_spans_flags_and_metadata_are_marked(page):
    html = page.read_text(encoding="utf-8")
    assert '<mark class="fix" title="repair/split_compound: ' in html
    assert ">norte -coreana</mark>" in html  # the source, before the fix
    assert ">norte-coreana</mark>" in html  # the clean copy, after it
    removed = '<mark class="fix removed" title="boilerplate/widget_label: removed">'
    assert removed + "Kommentare (0)</mark>" in html
    assert '<mark class="foreign" title="de: Nordkorea">Nordkorea</mark>' in html
    assert '<span class="flags">length_ratio</span>' in html
    assert "<th>location</th><td>Pyongyang, Nordkorea</td>" in html
    assert "[de] " + HEADLINE in html and "[en] " + HEADLINE in html


def test_source_column_is_the_original_file_or_says_it_is_not(processed, tmp_path):
    corpus, docs = processed
    fr = next(d for d in docs if d.doc == "fr/pain-lyon-cp1252.txt")
    sources = corpus_sources(corpus)
    assert sources(fr) == (corpus / fr.doc).read_bytes().decode("cp1252")
    changed = tmp_path / "corpus"
    shutil.copytree(corpus, changed)
    (changed / fr.doc).write_bytes(b"edited since")
    assert corpus_sources(changed)(fr) is None
    write_html(tmp_path, [fr], REPORT, corpus_sources(changed))
    assert "Text as read (original file not available)" in (tmp_path / "report.html").read_text()


def test_page_is_capped_and_reads_no_further_than_it_shows(processed, tmp_path):
    _, docs = processed
    taken = []

    def stream():
        for doc in docs:
            taken.append(doc.doc)
            yield doc

    write_html(tmp_path, stream(), REPORT, None, max_documents=2)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count('<section class="doc"') == 2
    assert "The first 2 of 6 documents are shown" in html
    assert len(taken) == 3  # two shown, one more to know there are more


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-pipe",
]


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, binary: str, profile: Path):
        browser_reads, self._commands = self._pipe()  # the browser reads commands on fd 3
        self._replies, browser_writes = self._pipe()  # and writes replies and events on fd 4

        def wire_fds() -> None:
            os.dup2(browser_reads, 3)
            os.dup2(browser_writes, 4)

        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"],
            preexec_fn=wire_fds, pass_fds=(3, 4),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(browser_reads)
        os.close(browser_writes)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    @staticmethod
    def _pipe() -> tuple[int, int]:
        """A pipe whose fds are above 4, so that wiring the child's 3 and 4 clobbers neither."""
        low = os.pipe()
        high = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in low)
        for fd in low:
            os.close(fd)
        return high  # type: ignore[return-value]

    def send(self, method: str, session: str | None = None, timeout: float = 300, **params):
        """Send one command; return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(time.monotonic() + timeout)
            if reply.get("id") == self._next_id:
                assert "error" not in reply, reply
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive(deadline))
        return next(e for e in self.events if e.get("method") == method)

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            wait = max(0.0, deadline - time.monotonic())
            if not select.select([self._replies], [], [], wait)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._commands, self._replies):
            os.close(fd)


def console_errors(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions and browser log errors (blocked loads, CSP...)."""
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            errors.append(json.dumps(params["exceptionDetails"]))
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            errors.append(json.dumps(params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            errors.append(params["entry"]["text"])
    return errors


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="Debian's chromium package is not installed (apt-get install -y chromium); "
    ".ci/run installs it",
)
def test_page_opens_in_headless_chromium_without_errors(page, tmp_path):
    import base64

    browser = Browser(shutil.which("chromium"), tmp_path / "profile")
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.send(f"{domain}.enable", session)
        browser.send("Emulation.setDeviceMetricsOverride", session, width=1400, height=1800,
                     deviceScaleFactor=1, mobile=False)
        browser.send("Page.navigate", session, url=page.as_uri())
        browser.wait_for("Page.loadEventFired")

        def evaluate(expression: str):
            result = browser.send("Runtime.evaluate", session, expression=expression,
                                  returnByValue=True)
            return result["result"]["value"]

        text = evaluate("document.body.innerText")
        scripts = evaluate("document.scripts.length")
        title = evaluate("document.title")
        shot = browser.send("Page.captureScreenshot", session, format="png",
                            captureBeyondViewport=True)
    finally:
        browser.close()
    png = base64.b64decode(shot["data"])
    (tmp_path / "report.png").write_bytes(png)
    if os.environ.get("PIPELINE_SCREENSHOT_DIR"):
        keep = Path(os.environ["PIPELINE_SCREENSHOT_DIR"])
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "report.png").write_bytes(png)
    assert console_errors(browser.events) == []
    assert HEADLINE in text and "Kim Jong Un" in text and "norte-coreana" in text
    assert '<script>document.title = "hacked"</script>' in text
    assert scripts == 0 and title == "Pipeline run report"
    assert png.startswith(b"\x89PNG")


# -- marking: linear, capped where it says so, the same marks as before ------------------


def article(sentences: int, distinct: bool = False) -> tuple[Document, str]:
    """A Portuguese article of ``sentences`` sentences, one split compound fixed in each
    (the same one, or each its own), as the stages leave it; and its source text."""
    def split(i: int) -> tuple[str, str]:
        return (f"nort{i} -cor{i}", f"nort{i}-cor{i}") if distinct else (
            "norte -coreana", "norte-coreana")

    source = " ".join(f"Uma frase {split(i)[0]}." for i in range(sentences))
    clean = [f"Uma frase {split(i)[1]}." for i in range(sentences)]
    doc = Document(
        "artigo.txt", text=source, source=Source("0" * 64, "utf-8", len(source)), lang="pt",
        blocks=[Block("paragraph", " ".join(clean), "pt", [
            Segment(f"artigo.txt#1.{i + 1}", text, "pt", 1.0) for i, text in enumerate(clean)
        ])],
        fixes=[Fix("repair", "split_compound", *split(i)) for i in range(sentences)],
    )
    return doc, source


class CountedText(str):
    """A text that counts the searches made in it and allows at most ``limit``."""

    def __new__(cls, text: str, limit: int):
        self = super().__new__(cls, text)
        self.searches, self.limit = 0, limit
        return self

    def find(self, *args):
        self.searches += 1
        assert self.searches <= self.limit, f"more than {self.limit} searches"
        return super().find(*args)


def test_marking_searches_the_source_once_per_fix(tmp_path):
    # The page writer searched the text again for every occurrence a fix passed:
    # 1,500 fixes of one text took over a million searches (minutes), not 1,500.
    doc, source = article(1_500)
    assert len(source) < DETAIL_CHARS  # the source is searched as given
    text = CountedText(source, limit=len(doc.fixes) + 1)
    write_html(tmp_path, [doc], REPORT, lambda _: text)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    # Every occurrence is marked, in the source and in the clean copy.
    assert page.count(">norte -coreana</mark>") == 1_500
    assert page.count(">norte-coreana</mark>") == 1_500
    assert "up to a limit" not in page


def test_marking_stops_at_its_limit_and_the_page_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(html, "MARK_TEXTS", 10)
    doc, source = article(15, distinct=True)
    write_html(tmp_path, [doc], REPORT, lambda _: source)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    note = "the first 10 of the document's 15 fixes were looked for"
    assert page.count(note) == 2  # the source column and the clean column
    assert ">nort9 -cor9</mark>" in page and ">nort9-cor9</mark>" in page
    assert ">nort10 -cor10</mark>" not in page and ">nort10-cor10</mark>" not in page


def test_tables_of_fixes_and_removed_lines_are_capped_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(html, "TABLE_ROWS", 5)
    doc, source = article(8, distinct=True)
    doc.removed = [Removed(f"Partilhar {i}", "widget label") for i in range(7)]
    write_html(tmp_path, [doc], REPORT, lambda _: source)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "The table shows the first 5 of the document's 8 fixes" in page
    assert "The table shows the first 5 of the document's 7 removed lines" in page
    assert "<td>nort4 -cor4</td>" in page and "<td>nort5 -cor5</td>" not in page
    assert "<td>Partilhar 4</td>" in page and "<td>Partilhar 5</td>" not in page


def test_a_block_longer_than_the_page_shows_is_cut(tmp_path):
    # One paragraph of 5,000 sentences: the clean column used to show all of it.
    doc, source = article(5_000)
    assert len(doc.blocks[0].text) > DETAIL_CHARS
    write_html(tmp_path, [doc], REPORT, lambda _: source)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    shown = page.count('<span title="artigo.txt#1.')
    assert 0 < shown < 5_000 and shown * len("Uma frase norte-coreana. ") <= DETAIL_CHARS + 25
    hidden = len(doc.blocks[0].text) - DETAIL_CHARS
    assert f"{hidden} more characters of the clean copy not shown" in page


def reference_marks(texts: list[str], fixes: list[Fix], side: str,
                    taken: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """What the page marked before it was made linear: text by text, each pending fix at
    its first occurrence clear of the marks so far (the oracle, slow and plain)."""
    pending = [f for f in fixes if getattr(f, side).strip()]
    result = []
    for text, spans in zip(texts, taken, strict=True):
        marks: list[tuple[int, int]] = []
        for fix in list(pending):
            needle = getattr(fix, side)
            for start in range(len(text) - len(needle) + 1):
                end = start + len(needle)
                if text[start:end] == needle and not any(
                    start < e and s < end for s, e in spans + marks
                ):
                    marks.append((start, end))
                    pending.remove(fix)
                    break
        result.append(sorted(marks))
    return result


def test_marks_are_those_the_page_made_before():
    # Short texts over a two-letter alphabet: overlapping and repeated fix texts,
    # foreign spans in the way, texts that only occur across two segments.
    rng = random.Random(16)
    for _ in range(300):
        texts = ["".join(rng.choice("ab ") for _ in range(rng.randint(1, 12)))
                 for _ in range(rng.randint(1, 4))]
        fixes = [Fix("repair", "k", "", "".join(rng.choice("ab ") for _ in range(
            rng.randint(1, 3)))) for _ in range(rng.randint(1, 8))]
        spans: list[list[tuple[int, int]]] = []
        for text in texts:
            start = rng.randint(0, len(text) - 1)
            spans.append([(start, start + 1)] if rng.random() < 0.5 else [])
        segments = [Segment(f"d#1.{i + 1}", t, "pt") for i, t in enumerate(texts)]
        doc = Document("d", lang="pt", fixes=fixes, spans=[
            Span(texts[i][s:e], "de", s, e, f"d#1.{i + 1}")
            for i, marks in enumerate(spans) for s, e in marks])
        marks, looked = html.segment_marks(doc, segments)
        got = [sorted((m.start, m.end) for m in seg if m.css == "fix") for seg in marks]
        assert got == reference_marks(texts, fixes, "after", spans), (texts, fixes, spans)
        assert looked == len(fixes)
        whole = " ".join(texts)
        found, _ = html.mark_fixes(whole, fixes, "after")
        assert sorted((m.start, m.end) for m in found) == reference_marks(
            [whole], fixes, "after", [[]])[0]


def test_report_json_timings_cover_the_whole_run_phase_by_phase(corpus_copy, tmp_path):
    from pipeline.log import RunLog
    from pipeline.runner import RunOptions, run

    # A translating engine, so that every phase has work.
    engine = TaggingEngine()
    out = tmp_path / "out"
    with open(os.devnull, "w") as quiet:
        started = time.perf_counter()
        result = run(corpus_copy, out, Config(targets=["en"]), RunOptions(started=started),
                     RunLog(stream=quiet), engine=engine)
        wall = time.perf_counter() - started
    timings = json.loads((out / "report.json").read_text(encoding="utf-8"))["timings_s"]
    assert timings == result.report["timings_s"]
    phases = ["start", "discover", "process", "translate", "write", "aggregates", "pages"]
    assert list(timings) == ["total", *phases]
    assert all(seconds >= 0 for seconds in timings.values())
    # The phases are parts of the run, one after another (translate is part of process),
    # and the run is all of the call but returning: report.json comes after the page.
    parts = sum(timings[p] for p in phases if p != "translate")
    assert parts <= timings["total"] + 0.01 and timings["total"] <= wall + 0.001
    assert timings["translate"] > 0 and timings["pages"] > 0

