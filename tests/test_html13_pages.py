"""Saved pages whose text was still lost (brief html13), on pages written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.extract_html import extract
from pipeline.runner import RunOptions, run
from tests.conftest import TaggingEngine

ARTICLE = ["The harbour authority reopened the northern port on Tuesday after three weeks of "
           "repairs to the breakwater, which storms had damaged at the start of the month.",
           "Fishing crews had moved their boats to the southern quay in the meantime, where "
           "space was short and unloading took twice as long as usual, the authority said."]
# XHTML as Firefox's "Web Page, XHTML" or a CMS writes it: an XML declaration (naming a
# code page), a doctype, the XHTML namespace and another one, self-closed elements.
XHTML = ("""<?xml version="1.0" encoding="windows-1252"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:og="http://ogp.me/ns#" xml:lang="en"
 lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"/>
<title>Port reopens</title><meta name="author" content="Ann Lee"/>
<meta property="og:url" content="https://gazette.example/port"/></head>
<body><div id="menu"><a href="/">Home</a></div><article><h1>Port reopens</h1><br/>"""
         + "".join(f"<p>{text}</p>" for text in ARTICLE)
         + "<p>Caf\xe9 owners on the quay welcomed the news.</p></article></body></html>")
SHTML = ("<!DOCTYPE html><html lang=\"en\"><head><title>Port reopens</title></head><body>"
         "<!--#include virtual=\"/menu.html\" --><article><h1>Port reopens</h1>"
         + "".join(f"<p>{text}</p>" for text in ARTICLE) + "</article></body></html>")


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def test_shtml_and_xhtml_pages_are_read_as_html(tmp_path: Path):
    # a wget mirror's .shtml and .xhtml pages were skipped: "convert it to .txt"
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "port.shtml").write_text(SHTML, encoding="utf-8")
    (corpus / "port.xhtml").write_bytes(XHTML.encode("cp1252"))
    result = run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True),
                 engine=TaggingEngine())
    assert result.exit_code == 0, result.report
    assert (out / "clean" / "port.shtml.txt").read_text(encoding="utf-8") == (
        "\n\n".join(["Port reopens", *ARTICLE]) + "\n")
    assert (out / "clean" / "port.xhtml.txt").read_text(encoding="utf-8") == (
        "\n\n".join(["Port reopens", *ARTICLE, "Café owners on the quay welcomed the news."])
        + "\n")
    assert extract(XHTML.encode("cp1252")).metadata == {
        "title": "Port reopens", "author": "Ann Lee", "url": "https://gazette.example/port",
        "sitename": "gazette.example", "lang": "en"}


def test_an_archive_over_max_file_bytes_is_not_told_to_be_split(tmp_path: Path):
    # "split it, or raise max_file_bytes": a .webarchive is large for its images
    from tests.test_html10_archives import PAGE, webarchive

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    archive = webarchive(PAGE.encode("utf-8"), "UTF-8")
    (corpus / "port.webarchive").write_bytes(archive)
    (corpus / "notes.txt").write_text(" ".join(ARTICLE) * 20, encoding="utf-8")
    result = run(corpus, out, Config(targets=["en"], max_file_bytes=len(archive) - 1),
                 RunOptions(no_cache=True), engine=TaggingEngine())
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert reasons["port.webarchive"] == (
        f"larger than max_file_bytes ({len(archive)} > {len(archive) - 1}): a saved page's "
        "archive holds the page's images, styles and scripts too: raise max_file_bytes in "
        "pipeline.toml, or save the page as .html (Webpage, HTML only)")
    assert reasons["notes.txt"].endswith(": split it, or raise max_file_bytes in pipeline.toml")


def with_paragraphs(*paragraphs: str) -> bytes:
    return ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title></head><body>'
            '<article><h1>Port reopens</h1>' + "".join(f"<p>{text}</p>" for text in paragraphs)
            + "</article></body></html>").encode("utf-8")


AREA = ('<math xmlns="http://www.w3.org/1998/Math/MathML" alttext="A=\\pi r^{2}"><semantics>'
        "<mrow><mi>A</mi>\n<mo>=</mo>\n<mi>π</mi><msup><mi>r</mi><mn>2</mn></msup></mrow>"
        '<annotation encoding="application/x-tex">A=\\pi r^{2}</annotation></semantics></math>')


@pytest.mark.parametrize(("formula", "shown"), [
    (AREA, "A=πr²"),  # its TeX annotation is not what it shows
    ("<math><msub><mi>x</mi><mi>i</mi></msub><mo>=</mo><mfrac><mn>1</mn><mi>n</mi></mfrac>"
     "</math>", "x_i=1/n"),
])
def test_a_formula_in_a_sentence_keeps_its_text(formula, shown):
    # the extractor deletes <math>: "The new quay covers where r is its radius"
    first = f"The new quay covers {formula} square metres, where r is the radius of its basin."
    page = extract(with_paragraphs(first, *ARTICLE))
    assert page.blocks == ["Port reopens", f"The new quay covers {shown} square metres, where "
                           "r is the radius of its basin.", *ARTICLE]


def test_a_button_or_label_a_sentence_names_keeps_its_text():
    # "To see the timetable, press and then tick the box" (both deleted)
    first = ('To see the new ferry timetable, press <button type="button">Show times</button> '
             'and then tick <label for="t">weekend sailings</label> on the harbour page.')
    page = extract(with_paragraphs(first, *ARTICLE))
    assert page.blocks[1] == ("To see the new ferry timetable, press Show times and then tick "
                              "weekend sailings on the harbour page.")


@pytest.mark.parametrize("controls", ['<button>Load more</button>',
                                      'Share: <button>Facebook</button> <button>Email</button>'])
def test_a_paragraph_of_controls_only_stays_out(controls):
    page = extract(with_paragraphs(*ARTICLE, controls))
    assert page.blocks == ["Port reopens", *ARTICLE]


def test_a_live_blog_posts_time_in_its_header_is_kept_with_its_heading():
    # <article><header><time>10:15</time><h2>...</h2></header>: the time was deleted
    posts = "".join(f'<article><header><time datetime="2024-03-12T1{8 - n}:00">1{8 - n}:00'
                    f"</time><h2>Update {n}</h2></header><p>{ARTICLE[n % 2]}</p></article>"
                    for n in range(3))
    page = ('<!DOCTYPE html><html lang="en"><head><title>Live: port reopens</title></head>'
            "<body><main><h1>Live: port reopens</h1><p>The port reopened this morning after "
            f"the repairs; follow the latest news here as the ships return.</p>{posts}</main>"
            "</body></html>")
    found = extract(page.encode("utf-8"))
    assert found.blocks[2:] == [line for n in range(3)
                                for line in (f"1{8 - n}:00 Update {n}", ARTICLE[n % 2])]
    assert found.metadata["date"] == "2024-03-12"


def reader_view(header: str) -> bytes:
    """A page saved from Firefox's Reader View: its toolbar, its header (``header``),
    the article as Readability gave it; no <meta> of the article's."""
    return ("""<!DOCTYPE html><html lang="en" dir="ltr"><head>
<meta http-equiv="content-type" content="text/html; charset=UTF-8">
<link rel="stylesheet" href="chrome://global/skin/aboutReader.css" type="text/css">
<title>Port reopens</title></head><body class="light sans-serif loaded">
<div class="toolbar-container"><div class="toolbar reader-toolbar"><div class="reader-controls">
<button class="close-button toolbar-button" aria-label="Close Reader View"><span
class="hover-label">Close</span></button></div></div></div><div class="container">"""
            + header + """<hr><div class="content"><div class="moz-reader-content
reader-show-element"><div id="readability-page-1" class="page"><div>"""
            + "".join(f"<p>{text}</p>" for text in ARTICLE)
            + "</div></div></div></div></div></body></html>").encode("utf-8")


@pytest.mark.parametrize("header", [
    """<div class="header reader-header reader-show-element">
<a class="domain reader-domain" href="https://www.gazette.example/news/port-reopens">gazette.example</a>
<div class="domain-border"></div><h1 class="reader-title">Port reopens</h1>
<div class="credits reader-credits">By Ann Lee and Tom Hart</div>
<div class="meta-data"><div class="reader-estimated-time">2 minutes</div></div></div>""",
    # (Firefox before about version 70: ids, not classes)
    """<div id="reader-header" class="header"><a id="reader-domain" class="domain"
href="https://www.gazette.example/news/port-reopens">gazette.example</a><div
class="domain-border"></div><h1 id="reader-title">Port reopens</h1><div id="reader-credits"
class="credits">By Ann Lee and Tom Hart</div></div>""",
])
def test_a_page_saved_from_reader_view_keeps_its_author_and_address(header):
    # its credits line and the link naming its domain were not read: no author, no url
    page = extract(reader_view(header))
    assert page.blocks == ["Port reopens", *ARTICLE]
    assert page.metadata["author"] == "Ann Lee; Tom Hart"
    assert page.metadata["url"] == "https://www.gazette.example/news/port-reopens"


def test_the_folder_beside_a_saved_xhtml_page_holds_its_parts(tmp_path: Path):
    # Firefox saves an XHTML page as NAME.xhtml beside NAME_files/: its embeds' pages
    # were read as documents
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    (corpus / "port_files").mkdir(parents=True)
    (corpus / "port.xhtml").write_bytes(XHTML.encode("cp1252"))
    (corpus / "port_files" / "saved_resource.html").write_text(SHTML, encoding="utf-8")
    result = run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True),
                 engine=TaggingEngine())
    assert result.exit_code == 0, result.report
    assert not (out / "clean" / "port_files" / "saved_resource.html.txt").exists()
    assert result.report["skipped_by_suffix"]["(parts of saved pages)"]["files"] == 1
