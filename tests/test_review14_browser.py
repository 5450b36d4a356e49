"""The report folder as a stranger opens it, in headless system Chromium (Playwright):
from an OUT path with spaces, '#', '?', '%', non-ASCII letters and some 800 bytes, and
from a zipped copy unpacked elsewhere; in a phone's narrow window; with a file name in
Arabic letters. Every page must show its style and run its script with no console error.

Nothing waits on time: the bounds below only fail a hung browser.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.document import Block, Document, Segment, Source
from pipeline.writers import review
from pipeline.writers.review import write_report
from tests.test_review_browser import pytestmark  # noqa: F401 - without Chromium: skipped

UPPER_BOUND_MS = 300_000
ARABIC = "مقال قصير.txt"


def doc(name: str, sentences: list[str], flags: int = 0) -> Document:
    text = " ".join(sentences)
    segments = [Segment(f"{name}#1.{n}", s, "pt", 1.0, {"en": f"[en] {s}"},
                        {"en": ["length_ratio"]} if n <= flags else {})
                for n, s in enumerate(sentences, 1)]
    return Document(name, text=text, source=Source(hashlib.sha256(text.encode()).hexdigest(),
                                                   "utf-8", len(text)), lang="pt",
                    lang_score=1.0, blocks=[Block("paragraph", text, "pt", segments)])


DOCS = [doc(f"notas/nota-{n:02d}.txt", [f"O porto reabriu no dia {n}."]) for n in range(12)]
DOCS.append(doc(ARABIC, ["أعلنت الحكومة اليوم عن خطة جديدة."]))
# 1,200 flagged sentences: four-digit counts with a thousands separator.
DOCS.append(doc("bandeiras.txt", [f"A frase {n} fala do porto." for n in range(1200)], 1200))
# A deep path of names without a break: ~600 letters in a row (nav links, headings).
LONG = "/".join(f"{part}-{part[0] * 200}" for part in ("pasta", "sub", "nome")) + ".txt"
DOCS.insert(4, doc(LONG, ["Um nome muito longo."]))
REPORT = {"targets": ["en"], "documents": len(DOCS)}


def awkward(root: Path) -> Path:
    """An OUT of spaces, '#', '?', '%', non-ASCII letters, over 800 bytes long."""
    return root / "a b#c?d%e é" / "/".join(f"{'ç' * 60} #{n}?%" for n in range(7))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    place = awkward(tmp_path_factory.mktemp("review14"))
    place.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)
        write_report(place, DOCS, REPORT)
    assert len(str(place).encode()) > 800 and (place / "report" / "assets").is_dir()
    return place


class Tab:
    def __init__(self, browser, width: int):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(UPPER_BOUND_MS)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type in ("error", "warning", "assert") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri(), wait_until="load")

    def styled_and_scripted(self) -> tuple[str, bool]:
        """A table head's background (the style applied) and whether a form the script
        shows is visible (the script ran)."""
        return self.page.evaluate(
            "[getComputedStyle(document.querySelector('th')).backgroundColor,"
            " [...document.querySelectorAll('form.tools')].some(f => !f.hidden)]")


@pytest.fixture
def wide(browser) -> Iterator[Tab]:
    tab = Tab(browser, 1280)
    yield tab
    tab.context.close()


@pytest.fixture
def narrow(browser) -> Iterator[Tab]:
    tab = Tab(browser, 390)  # a phone
    yield tab
    tab.context.close()


STYLED = ["rgb(243, 243, 243)", True]  # a table head's background, a form shown


def walk(tab: Tab, out: Path) -> None:
    """OUT/report.html, which sends the browser to the index; then a document's page
    through the index's search, as a reviewer reaches it; the flags and list pages."""
    tab.open(out / "report.html")
    tab.page.wait_for_url("**/report/index.html")
    assert tab.styled_and_scripted() == STYLED
    tab.page.fill("#index-tools input[name=q]", "nota-07")
    tab.page.click("#index-body a:text-is('notas/nota-07.txt')")
    tab.page.wait_for_load_state("load")
    assert tab.page.locator("section.doc:target h2").inner_text().startswith(
        "notas/nota-07.txt")
    assert tab.styled_and_scripted() == STYLED
    for page in ("flags.html", "list/0001.html"):
        tab.open(out / "report" / page)
        assert tab.page.evaluate(
            "getComputedStyle(document.querySelector('th')).backgroundColor") == STYLED[0]


def test_the_folder_opens_from_an_awkward_path_and_from_a_zipped_copy(out, wide, tmp_path):
    walk(wide, out)
    assert wide.errors == []  # the redirect page's icon was refused by its policy
    archive = tmp_path / "report.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for path in [out / "report.html", *sorted((out / "report").rglob("*"))]:
            packed.write(path, path.relative_to(out).as_posix())
    elsewhere = tmp_path / "unzipped here"
    with zipfile.ZipFile(archive) as packed:
        packed.extractall(elsewhere)
    walk(wide, elsewhere)
    assert wide.errors == []


def test_a_phone_window_never_scrolls_sideways_and_numbers_stay_whole(out, narrow):
    folder = out / "report"
    blocks = [p for p in (folder / "d").iterdir() if LONG in p.read_text("utf-8")]
    assert blocks  # its own page (and those that link to it)
    for page in (folder / "index.html", folder / "flags.html", folder / "list" / "0001.html",
                 *blocks):
        narrow.open(page)
        width, window = narrow.page.evaluate(
            "[document.documentElement.scrollWidth, innerWidth]")
        assert width <= window, page.name
    narrow.open(folder / "flags.html")
    # Each count on one line: "1,200", not "1,20" above "0".
    heights = narrow.page.eval_on_selector_all("td.n", """cells => cells.map(c => {
        const r = document.createRange(); r.selectNodeContents(c);
        return [c.textContent, r.getClientRects().length]; })""")
    assert ["1,200", 1] in heights and all(lines == 1 for _, lines in heights), heights
    assert narrow.errors == []


def test_a_name_hundreds_of_letters_long_never_widens_a_page(out, wide):
    for page in (out / "report" / "d").iterdir():
        if LONG in page.read_text("utf-8"):
            wide.open(page)
            width, window = wide.page.evaluate(
                "[document.documentElement.scrollWidth, innerWidth]")
            assert width <= window, page.name


def test_a_file_name_in_arabic_letters_keeps_its_extension_at_its_end(out, wide):
    wide.open(out / "report" / "index.html")
    link = wide.page.locator(f"#index-body a:text-is('{ARABIC}')")
    # Where the name's letters and its ".txt" are drawn: ".txt" right of the letters,
    # as a path reads (not "txt.مقال قصير"), and the name at the start of its cell.
    name, suffix, cell = link.evaluate("""a => {
        const text = a.firstChild, r = document.createRange();
        r.setStart(text, 0); r.setEnd(text, text.length - 4);
        const name = r.getBoundingClientRect();
        r.setStart(text, text.length - 4); r.setEnd(text, text.length);
        const suffix = r.getBoundingClientRect();
        return [[name.left, name.right], [suffix.left, suffix.right],
                a.parentNode.getBoundingClientRect().left];
    }""")
    assert suffix[0] >= name[1] - 1, (name, suffix)
    assert name[0] - cell < 20, (name, cell)  # left-aligned, as every other name
    assert wide.errors == []


CONTRAST = """els => els.map(e => {
    // The text's colour against the first background behind it that is not transparent.
    const rgb = s => s.match(/[\\d.]+/g).map(Number);
    const lum = c => { const v = c.slice(0, 3).map(x => x / 255).map(
        x => x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
    let b = e, back = null;
    while (b) {
        const c = rgb(getComputedStyle(b).backgroundColor);
        if (c.length < 4 || c[3] > 0) { back = c; break; }
        b = b.parentElement;
    }
    // No background anywhere: the canvas, dark where the page asked for it.
    back = back || (matchMedia('(prefers-color-scheme: dark)').matches
                    && getComputedStyle(document.documentElement).colorScheme.includes('dark')
                    ? [18, 18, 18] : [255, 255, 255]);
    const l1 = lum(rgb(getComputedStyle(e).color)), l2 = lum(back);
    return [e.tagName + '.' + e.className, (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05),
            l2];
})"""
READ = ("body, h2, th, td, a, .sub, .note, .missing, mark.fix, mark.removed, mark.foreign, "
        ".qa, .badge, .flag, .lt, nav.pager a, .tools label")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_is_readable_in_the_readers_colour_scheme(out, browser, scheme):
    # Before: a reader whose system is dark got the white page; now a dark one, each text
    # readable on its background (contrast at least 4.5, WCAG's AA for text).
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme=scheme)
    page = context.new_page()
    try:
        block = next(p for p in (out / "report" / "d").iterdir()
                     if "nota-03" in p.read_text("utf-8"))
        for path in (out / "report" / "index.html", block, out / "report" / "flags.html"):
            page.goto(path.as_uri(), wait_until="load")
            found = page.eval_on_selector_all(READ, CONTRAST)
            assert found, path.name
            poor = [(what, round(ratio, 2)) for what, ratio, _ in found if ratio < 4.5]
            assert poor == [], (path.name, poor)
            body = page.eval_on_selector_all("body", CONTRAST)[0][2]
            assert (body < 0.05) if scheme == "dark" else (body > 0.9), (path.name, body)
    finally:
        context.close()


def test_keyboard_alone_sorts_the_index_and_opens_a_document(out, wide):
    page = wide.page
    wide.open(out / "report" / "index.html")

    def tab_to(check: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate(f"(e => {check})(document.activeElement)"):
                return
        raise AssertionError(f"no element reached by Tab for {check}")

    tab_to("e.tagName === 'BUTTON' && e.textContent === 'flags'")
    page.keyboard.press("Enter")  # most flags first, and the column says so
    th = "#index-table th[data-key=flags]"
    assert page.get_attribute(th, "aria-sort") == "descending"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{th} button'), "
                         "'::after').content") == '" ▼"'
    first = page.eval_on_selector("#index-body a", "a => a.textContent")
    assert first == "bandeiras.txt"
    page.keyboard.press("Enter")  # again: the other way
    assert page.get_attribute(th, "aria-sort") == "ascending"
    assert page.eval_on_selector_all("#index-table th[aria-sort]", "t => t.length") == 1
    tab_to("e.tagName === 'INPUT' && e.name === 'q'")
    page.keyboard.type("nota-05")
    tab_to("e.tagName === 'A' && e.textContent === 'notas/nota-05.txt'")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("section.doc:target h2").inner_text().startswith("notas/nota-05.txt")
    assert wide.errors == []
