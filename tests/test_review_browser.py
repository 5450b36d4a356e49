"""The review report in a real browser: headless system Chromium through Playwright.

Each test loads pages, uses the filters and the search, reads what is visible, and
fails on any console error (a script error, a blocked load, a Content-Security-
Policy violation). Screenshots of each page go to the test's temporary folder (and
to ``$PIPELINE_SCREENSHOT_DIR`` when set), to be looked at.

Nothing waits on time: Playwright's actions return when done, the page's script
answers each input synchronously, and the timeouts below are upper bounds only.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.writers import review
from pipeline.writers.review import corpus_sources, page_id, write_report
from tests.test_report_html import HEADLINE, REPORT, TARGETS, build_corpus

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # conftest's browser fixture's
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium package is not installed (apt-get install -y chromium); "
    ".ci/run installs it",
)
UPPER_BOUND_MS = 300_000  # a hung browser fails the test; a slow one does not


@pytest.fixture(scope="module")
def reports(tmp_path_factory, process_corpus) -> dict[str, Path]:
    """The same documents as one page and as a folder (threshold lowered)."""
    corpus = tmp_path_factory.mktemp("browser") / "corpus"
    build_corpus(corpus)
    docs = process_corpus(corpus, TARGETS)
    seed = next(d for d in docs if d.doc == "article-pt.txt")
    seed.segments()[2].flags["en"] = ["length_ratio"]
    one = tmp_path_factory.mktemp("one")
    write_report(one, docs, REPORT, corpus_sources(corpus))
    folder = tmp_path_factory.mktemp("folder")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)
        write_report(folder, docs, REPORT, corpus_sources(corpus))
    assert (folder / "report" / "index.html").is_file()
    return {"one": one / "report.html", "folder": folder / "report"}


class Tab:
    """A page that records console errors and takes screenshots."""

    def __init__(self, browser, shots: Path, javascript: bool = True):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.page.set_default_timeout(UPPER_BOUND_MS)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type in ("error", "assert") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.shots = shots

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri(), wait_until="load")

    def shot(self, name: str) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        png = self.page.screenshot(full_page=True)
        assert png.startswith(b"\x89PNG")
        (self.shots / f"{name}.png").write_bytes(png)
        if os.environ.get("PIPELINE_SCREENSHOT_DIR"):
            keep = Path(os.environ["PIPELINE_SCREENSHOT_DIR"])
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{name}.png").write_bytes(png)

    def visible(self, selector: str, what: str = "e => e.textContent") -> list:
        return self.page.eval_on_selector_all(
            selector, f"els => els.filter(e => e.getClientRects().length > 0).map({what})")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, tmp_path) -> Iterator[Tab]:
    opened = Tab(browser, tmp_path / "screenshots")
    yield opened
    opened.close()


def index_rows(tab: Tab) -> list[str]:
    return tab.visible("#index-body tr", "r => r.querySelector('a').textContent")


def test_one_page_report_filters_and_searches_without_errors(reports, tab):
    tab.open(reports["one"])
    tab.shot("one-page")
    page = tab.page
    assert page.title() == "Pipeline run report"
    text = page.inner_text("body")
    assert HEADLINE in text and '<script>document.title = "hacked"</script>' in text
    every = index_rows(tab)
    assert len(every) == 8 and "binary.txt" in every
    assert page.inner_text("#index-count") == "8 of 8 documents"

    page.select_option("#index-tools select[name=status]", "quarantined")
    assert index_rows(tab) == ["binary.txt"]
    page.select_option("#index-tools select[name=status]", "")
    page.select_option("#index-tools select[name=flag]", "pt-en:length_ratio")
    assert index_rows(tab) == ["article-pt.txt"]
    page.select_option("#index-tools select[name=flag]", "")
    page.select_option("#index-tools select[name=fix]", "newlines")
    assert index_rows(tab) == ["pt/crlf.txt"]
    page.select_option("#index-tools select[name=fix]", "")
    page.select_option("#index-tools select[name=lang]", "de")
    assert index_rows(tab) == ["de/hafen-hamburg.txt"]
    page.select_option("#index-tools select[name=lang]", "")
    page.fill("#index-tools input[name=q]", "LIBRARY")  # names and titles, any case
    assert index_rows(tab) == ["en/library-reopens.txt"]
    page.fill("#index-tools input[name=q]", "")
    page.click("#index-table th[data-key=flags] button")  # most flags first
    assert index_rows(tab)[0] == "article-pt.txt" and len(index_rows(tab)) == 8
    tab.shot("one-page-index-sorted")

    # The flagged sentences of one language pair: one filter.
    page.select_option("#flag-tools select[name=pair]", "pt-en")
    flagged = tab.visible("#flag-table tr[data-pair]",
                          "r => r.getAttribute('data-pair')")
    assert flagged == ["pt-en"]

    # A document's own search and filters.
    doc = f"#d-{page_id('article-pt.txt')}"
    groups = f"{doc} table.align tbody"
    total = len(tab.visible(groups))
    page.fill(f"{doc} form.doc-tools input[name=q]", "Kozlov")
    found = tab.visible(groups)
    assert 0 < len(found) < total and all("Kozlov" in g for g in found)
    page.fill(f"{doc} form.doc-tools input[name=q]", "")
    page.check(f"{doc} form.doc-tools input[name=foreign]")
    kinds = tab.visible(groups, "g => g.getAttribute('data-k')")
    assert kinds and all("foreign" in k.split() for k in kinds) and len(kinds) < total
    tab.shot("one-page-document-filtered")
    assert tab.errors == []


def test_the_folder_report_is_navigable_in_two_clicks(reports, tab):
    folder = reports["folder"]
    tab.open(folder / "index.html")
    tab.shot("folder-index")
    page = tab.page
    assert len(index_rows(tab)) == 8
    page.select_option("#index-tools select[name=flag]", "pt-en")
    assert index_rows(tab) == ["article-pt.txt"]
    page.click("#index-body a")  # one click from the filtered index
    page.wait_for_load_state("load")
    pid = page_id("article-pt.txt")
    # Its section on a page of several documents, shown at the link's anchor.
    assert re.search(rf"/d/\w+\.html#d-{pid}$", page.url)
    assert len(page.query_selector_all("section.doc")) > 1
    assert page.inner_text("section.doc:target h2").startswith("article-pt.txt")
    assert "Nordkorea" in page.inner_text("section.doc:target table.align")
    assert page.evaluate(f"document.getElementById('d-{pid}').getBoundingClientRect().top"
                         ) < 100  # scrolled to it
    tab.shot("folder-document")
    page.click(f"nav.pager:has(+ #d-{pid}) a[rel=next]")  # the links above its section
    page.wait_for_load_state("load")
    assert page.inner_text("section.doc:target h2").startswith("binary.txt")
    assert "50 4b 03 04" in page.inner_text("section.doc:target pre")
    tab.shot("folder-binary")
    page.click("nav.pager >> nth=0 >> text=index")
    page.wait_for_load_state("load")
    assert page.url.endswith("report/index.html")

    tab.open(folder / "flags.html")
    page.select_option("#flag-tools select[name=pair]", "pt-en")
    assert page.inner_text("#flag-tools output") == "1 of 1 flagged segments"
    tab.shot("folder-flags")
    assert tab.errors == []


def test_without_javascript_the_pages_show_everything(reports, browser, tmp_path):
    tab = Tab(browser, tmp_path / "screenshots", javascript=False)
    try:
        tab.open(reports["one"])
        tab.shot("one-page-no-script")
        assert len(index_rows(tab)) == 8
        assert tab.visible("form.tools") == []  # the controls need the script: hidden
        assert len(tab.visible("section.doc")) == 8
        assert len(tab.visible("table.align tbody")) == len(
            tab.page.query_selector_all("table.align tbody"))
        # The folder: the list page, then the document (two clicks).
        tab.open(reports["folder"] / "index.html")
        tab.page.click("a[href='list/0001.html']")
        tab.page.click("#list-body a:text-is('de/hafen-hamburg.txt')")
        assert tab.page.inner_text("section.doc:target h2").startswith("de/hafen-hamburg.txt")
        tab.shot("folder-document-no-script")
        assert tab.errors == []
    finally:
        tab.close()


def test_a_script_the_policy_does_not_allow_is_reported(reports, tab, tmp_path):
    # What "no console errors" proves: a script whose hash is not the policy's is
    # blocked, and the browser says so on the console.
    page_html = reports["one"].read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.html"
    tampered.write_text(page_html.replace('"use strict";', '"use strict"; ', 1),
                        encoding="utf-8")
    tab.open(tampered)
    assert any("Content Security Policy" in e for e in tab.errors), tab.errors
    assert tab.visible("#index-tools") == []  # the script did not run


def test_a_long_path_without_break_points_stays_within_the_page(tab, tmp_path, process_corpus):
    """A document 60 folders deep (no space, no hyphen in its name) widened the index
    table past the window: its flags and sentences columns went off-screen."""
    corpus = tmp_path / "corpus"
    deep = corpus.joinpath(*["dd"] * 60)
    deep.mkdir(parents=True)
    (deep / "artigo.txt").write_text("Uma notícia sobre o porto de Lisboa, que reabriu hoje.\n")
    (corpus / "curto.txt").write_text("Outra notícia, sobre o mercado de peixe.\n")
    out = tmp_path / "out"
    write_report(out, process_corpus(corpus, []), REPORT, corpus_sources(corpus))
    tab.open(out / "report.html")
    tab.shot("long-path")
    assert tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert tab.errors == []


def test_a_name_with_a_line_end_or_a_tab_does_not_read_as_one_with_spaces(
    browser, tmp_path, process_corpus
):
    """Names that differ only by a space, a line end, a tab or a carriage return looked
    the same in the index, on the list pages and in a document's heading."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["a b.txt", "a\nb.txt", "a\tb.txt", "a\rb.txt"]
    for n, name in enumerate(names):
        (corpus / name).write_text(f"Notícia número {n} sobre o porto de Lisboa, hoje.\n")
    out = tmp_path / "out"
    write_report(out, process_corpus(corpus, []), REPORT, corpus_sources(corpus))
    shown = sorted(["a b.txt", "a\u240ab.txt", "a\u2409b.txt", "a\u240db.txt"])
    for javascript in (True, False):  # the script's rows, then the page's own
        tab = Tab(browser, tmp_path / "screenshots", javascript=javascript)
        try:
            tab.open(out / "report.html")
            tab.shot(f"names-{javascript}")
            assert sorted(index_rows(tab)) == shown
            assert sorted(h[:7] for h in tab.visible("section.doc > h2")) == shown
            assert tab.errors == []
        finally:
            tab.close()


# The first and the last letter of the first text holding Arabic inside ``el``: where the
# browser draws them, and where the element's own box is.
ENDS = """el => {
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    const text = node.textContent.trim();
    if (!/[\\u0600-\\u06ff]/.test(text)) continue;
    const start = node.textContent.indexOf(text), end = start + text.length;
    const box = r => { const range = document.createRange();
      range.setStart(node, r); range.setEnd(node, r + 1);
      return range.getBoundingClientRect(); };
    const cell = el.getBoundingClientRect();
    return {first: box(start).left, last: box(end - 1).left, text: text,
            left: cell.left, right: cell.right};
  }
  return null;
}"""


def test_arabic_text_reads_right_to_left_in_the_index_and_the_texts(
    browser, tmp_path, process_corpus
):
    """In a left-to-right page, an Arabic paragraph was laid out left to right: its
    final period stood after its first word, at the right, and the line began at the
    cell's left edge. Each text cell now takes the direction of its own letters."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ar.txt").write_text(
        "هذه جملة عربية عن الميناء. هل هذه جملة ثانية؟ نعم، إنها كذلك.\n")
    (corpus / "pt.txt").write_text("Uma notícia sobre o porto de Lisboa, que reabriu hoje.\n")
    out = tmp_path / "out"
    write_report(out, process_corpus(corpus, []), REPORT, corpus_sources(corpus))
    for javascript in (True, False):  # the script's index rows, then the page's own
        tab = Tab(browser, tmp_path / "screenshots", javascript=javascript)
        try:
            tab.open(out / "report.html")
            tab.shot(f"arabic-{javascript}")
            cells = [*tab.page.query_selector_all("#index-body tr .sub"),
                     *tab.page.query_selector_all("table.align td")]
            seen = [e for e in (c.evaluate(ENDS) for c in cells) if e]
            assert len(seen) >= 2, seen  # the index's line and the texts' source cell at least
            if javascript:  # one paragraph is said in the singular
                assert tab.visible("section.doc form output") == ["1 of 1 paragraph"] * 2
            for ends in seen:
                assert ends["text"][-1] in ".؟"  # a sentence end, neutral or Arabic
                assert ends["last"] < ends["first"], ends  # it ends at the left
                # and starts at the right: nearer the cell's right edge than its left
                assert ends["right"] - ends["first"] < ends["first"] - ends["left"], ends
            assert tab.errors == []
        finally:
            tab.close()
