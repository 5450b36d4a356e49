"""Saved pages that still came out wrong (brief html12), on pages written here."""

from __future__ import annotations

import json

import pytest

from pipeline.extract_html import NoText, extract

ARTICLE = ["The harbour authority reopened the northern port on Tuesday after three weeks of "
           "repairs to the breakwater, which storms had damaged at the start of the month.",
           "Fishing crews had moved their boats to the southern quay in the meantime, where "
           "space was short and unloading took twice as long as usual, the authority said."]


def script_built(shown: str, head: str = "") -> str:
    """A Next.js page saved as the server sent it: ``shown`` in its header, the article
    only in its script data."""
    data = {"props": {"pageProps": {"article": {
        "headline": "Port reopens", "body": [{"type": "paragraph", "text": text}
                                             for text in ARTICLE * 6]}}}}
    return ('<!DOCTYPE html><html lang="en"><head><title>Port reopens | Gazette</title>'
            f'{head}</head><body><header>{shown}</header><div id="__next"></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
            '</body></html>')


@pytest.mark.parametrize("shown", [
    '<a href="/">Gazette</a>',  # the logo's link: was the article ("Port reopens\n\nGazette")
    '<div class="spinner">Loading…</div>',
])
def test_a_script_built_page_showing_a_link_says_where_its_text_is(shown):
    with pytest.raises(NoText, match=r"its text is in its scripts' data \(__NEXT_DATA__: "
                                     r"[\d,]+ characters\).*'Save page as\.\.\.'"):
        extract(script_built(shown).encode("utf-8"))


def test_a_script_built_page_with_its_article_in_json_ld_gives_the_article():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "headline": "Port reopens", "articleBody": " ".join(ARTICLE)}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    page = extract(script_built('<a href="/">Gazette</a>', head).encode("utf-8"))
    assert page.blocks == ["Port reopens", " ".join(ARTICLE)]


def test_a_short_article_the_server_rendered_beside_large_script_data_stays():
    # the page shows its article (and its data holds far more: other articles)
    shown = f'<a href="/">Gazette</a><main><h1>Port reopens</h1><p>{ARTICLE[0]}</p></main>'
    page = extract(script_built(shown).encode("utf-8"))
    assert page.blocks == ["Port reopens", ARTICLE[0]]


def json_ld_only(article_body: str) -> str:
    """A page whose article is only in its JSON-LD (a script-built page)."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Port reopens",
          "articleBody": article_body}
    return ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title>'
            f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'
            '<body><div id="__next"></div></body></html>')


@pytest.mark.parametrize("article_body", [
    "\n\n".join(ARTICLE), "\n".join(ARTICLE), "".join(f"<p>{text}</p>" for text in ARTICLE),
    "".join(f"&lt;p&gt;{text}&lt;/p&gt;" for text in ARTICLE),
])
def test_an_article_in_json_ld_keeps_its_paragraphs(article_body):
    # they were one paragraph: "... start of the month. Fishing crews had ..."
    assert extract(json_ld_only(article_body).encode("utf-8")).blocks == ["Port reopens", *ARTICLE]


def test_an_article_in_json_ld_of_one_paragraph_is_that_paragraph():
    text = " ".join(ARTICLE)
    assert extract(json_ld_only(text).encode("utf-8")).blocks == ["Port reopens", text]


def test_a_script_built_page_whose_data_holds_its_article_body_gives_that_article():
    # the server put the page's JSON-LD object (schema.org's articleBody) in its data
    data = {"props": {"pageProps": {"menu": ["Home", "World"], "seo": {
        "@type": "NewsArticle", "articleBody": "<p>" + "</p><p>".join(ARTICLE) + "</p>"}}}}
    page = ('<!DOCTYPE html><html lang="en"><head><title>Port reopens | Gazette</title></head>'
            '<body><header><a href="/">Gazette</a></header><div id="__next"></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
            '</body></html>')
    assert extract(page.encode("utf-8")).blocks == ["Port reopens", *ARTICLE]


def test_script_data_nested_deeper_than_the_json_parser_goes_is_no_article():
    data = '{"articleBody": "x", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    page = ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title></head><body>'
            f'<a href="/">Gazette</a><script id="__NEXT_DATA__" type="application/json">{data}'
            '</script></body></html>')
    with pytest.raises(NoText, match="its text is in its scripts' data"):
        extract(page.encode("utf-8"))


def printed(*closing: str) -> str:
    """A page's print version: no <header>, <nav> or <footer>, its notices in paragraphs."""
    notes = "".join(f"<p>{text}</p>" for text in closing)
    return ('<!DOCTYPE html><html lang="en"><head><title>Port reopens | Gazette</title></head>'
            '<body onload="window.print()"><h1>Port reopens</h1>'
            + "".join(f"<p>{text}</p>" for text in ARTICLE) + notes + "</body></html>")


@pytest.mark.parametrize("notice", [
    "© 2024 The Coast Gazette", "Copyright 2019 Gazette - ISSN: 2283-5474",
    "(c) Gazette Media Ltd. All rights reserved.",
    "© Jornal da Costa. Todos os direitos reservados.",
])
def test_a_copyright_notice_closing_a_printed_page_is_left_out(notice):
    page = extract(printed("https://gazette.example/news/port-reopens", notice).encode("utf-8"))
    # the page's address stays: a post's list of sources ends with addresses too
    assert page.blocks == ["Port reopens", *ARTICLE, "https://gazette.example/news/port-reopens"]


def test_an_articles_last_paragraph_about_copyright_stays():
    last = "The court ruled that the copyright of the photographs belongs to the agency."
    assert extract(printed(last).encode("utf-8")).blocks == ["Port reopens", *ARTICLE, last]


def live_blog(post: str) -> str:
    """A live blog: a headline, an introduction, then its posts, the latest first."""
    posts = "".join(post.format(n=n, text=ARTICLE[n % 2], time=f"1{8 - n}:0{n}")
                    for n in range(4))
    return ('<!DOCTYPE html><html lang="en"><head><title>Live: port reopens</title></head>'
            '<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><main>'
            "<h1>Live: port reopens</h1><p>The port reopened this morning after the "
            f"repairs; follow the latest news here as the ships return.</p>{posts}</main>"
            "</body></html>")


@pytest.mark.parametrize(("post", "heading"), [
    ('<article><header><time>{time}</time><h2>Update {n}</h2></header><p>{text}</p></article>',
     "1{hour}:0{n} Update {n}"),  # (the time in its header kept since html13)
    ('<div class="entry"><h2>Update {n}</h2><p>{text}</p></div>', "Update {n}"),
])
def test_a_live_blog_keeps_its_introduction_first_and_every_posts_heading(post, heading):
    # the first post came first, and the others lost their headings
    assert extract(live_blog(post).encode("utf-8")).blocks == [
        "Live: port reopens", "The port reopened this morning after the repairs; follow the "
        "latest news here as the ships return.",
        *(line for n in range(4) for line in (heading.format(n=n, hour=8 - n), ARTICLE[n % 2]))]


def test_a_page_of_whole_articles_gives_the_first():
    # a site's endless page, saved after the next articles came in: each has its <h1>
    others = "".join(f"<article><h1>Other story {n}</h1><p>{ARTICLE[1]} Story {n}.</p>"
                     "</article>" for n in range(3))
    first = [f"{text} Part {n}." for n, text in enumerate(ARTICLE * 2)]
    paragraphs = "".join(f"<p>{text}</p>" for text in first)
    page = ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title></head><body>'
            f'<main><article><h1>Port reopens</h1>{paragraphs}</article>{others}</main>'
            "</body></html>")
    assert extract(page.encode("utf-8")).blocks == ["Port reopens", *first]


@pytest.mark.parametrize(("counter", "next_page"), [
    ("Page 2 of 3", 'Continue reading: <a href="p3.html">page 3</a>'),
    ("(Página 2 de 3)", '<a href="p3.html">Próxima página: a reabertura</a>'),
    ("Seite 2 von 3", 'Nächste Seite: <a href="p3.html">Die Fischer</a>'),
    ("Pages: 1 2 3", '<a href="p3.html">Next page: the fishing crews</a>'),
])
def test_a_paginated_articles_counter_and_next_page_link_are_left_out(counter, next_page):
    page = ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title></head><body>'
            f'<article><h1>Port reopens</h1><p class="pageinfo">{counter}</p>'
            + "".join(f"<p>{text}</p>" for text in ARTICLE) + f"<p>{next_page}</p>"
            "</article></body></html>")
    assert extract(page.encode("utf-8")).blocks == ["Port reopens", *ARTICLE]


def test_a_sentence_naming_pages_stays():
    text = "The report runs to 300 pages: 12 of them on the breakwater, the rest on costs."
    page = ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title></head><body>'
            f'<article><h1>Port reopens</h1><p>{text}</p>'
            + "".join(f"<p>{text}</p>" for text in ARTICLE) + "</article></body></html>")
    assert extract(page.encode("utf-8")).blocks == ["Port reopens", text, *ARTICLE]


def saved_by_a_browser(mark: str, head: str = "") -> str:
    """A page as Chrome's 'Webpage, Complete' (or Internet Explorer) saved it: the
    address it came from in a comment ("the mark of the web")."""
    return ('<!DOCTYPE html>\n' + mark + '\n<html lang="en"><head><title>Port reopens</title>'
            f'{head}</head><body><article><h1>Port reopens</h1>'
            + "".join(f"<p>{text}</p>" for text in ARTICLE) + "</article></body></html>")


def test_a_saved_pages_address_is_its_url():
    address = "https://gazette.example/news/port-reopens.html"
    page = extract(saved_by_a_browser(f"<!-- saved from url=({len(address):04d}){address} -->")
                   .encode("utf-8"))
    assert page.metadata == {"title": "Port reopens", "url": address, "lang": "en"}


@pytest.mark.parametrize(("mark", "head", "url"), [
    # a page saved from a file (Internet Explorer's), no address
    ("<!-- saved from url=(0014)about:internet -->", "", None),
    # the page's own canonical address comes first
    ("<!-- saved from url=(0034)https://gazette.example/amp/port -->",
     '<link rel="canonical" href="https://gazette.example/news/port">',
     "https://gazette.example/news/port"),
])
def test_a_saved_pages_mark_that_names_no_web_address_or_a_second_one_is_not_its_url(
        mark, head, url):
    assert extract(saved_by_a_browser(mark, head).encode("utf-8")).metadata.get("url") == url


def with_paragraphs(*paragraphs: str, head: str = "") -> bytes:
    return ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title>'
            f'{head}</head><body><article><h1>Port reopens</h1>'
            + "".join(f"<p>{text}</p>" for text in paragraphs)
            + "</article></body></html>").encode("utf-8")


@pytest.mark.parametrize("time", ['<time datetime="2024-03-03">3 March</time>',
                                  "<time>3 March</time>"])
def test_a_time_in_a_sentence_keeps_its_text(time):
    # the extractor deletes <time> elements: "The meeting on was cancelled ..."
    first = f"The meeting on {time} was cancelled by the harbour authority after the storm."
    page = extract(with_paragraphs(first, *ARTICLE))
    assert page.blocks == ["Port reopens", "The meeting on 3 March was cancelled by the harbour "
                           "authority after the storm.", *ARTICLE]


def test_a_live_blogs_times_are_kept_with_their_posts():
    posts = "".join(f'<article><h2><time datetime="2024-03-12T1{8 - n}:00">1{8 - n}:00</time> '
                    f"Update {n}</h2><p>{ARTICLE[n % 2]}</p></article>" for n in range(3))
    page = ('<!DOCTYPE html><html lang="en"><head><title>Live: port reopens</title></head>'
            "<body><main><h1>Live: port reopens</h1><p>The port reopened this morning after "
            f"the repairs; follow the latest news here as the ships return.</p>{posts}</main>"
            "</body></html>")
    blocks = extract(page.encode("utf-8")).blocks
    assert blocks[2:] == [line for n in range(3)
                          for line in (f"1{8 - n}:00 Update {n}", ARTICLE[n % 2])]


def test_a_pages_date_in_a_time_of_its_byline_is_still_its_date():
    byline = 'Published <time datetime="2023-11-19T05:45:00Z">19 November 2023</time>'
    page = extract(with_paragraphs(byline, *ARTICLE))
    assert page.metadata["date"] == "2023-11-19"


def test_a_tables_rows_come_without_the_extractors_header_rule():
    # the extractor writes a Markdown rule under a table's header row: it was a paragraph
    table = ('<figure class="wp-block-table"><table><thead><tr><th>Quay</th><th>Ships</th>'
             "</tr></thead><tbody><tr><td>North quay</td><td>12 trawlers</td></tr><tr><td>"
             "South quay</td><td>30 trawlers</td></tr></tbody></table></figure>")
    page = extract(with_paragraphs(*ARTICLE).replace(b"</article>", f"{table}</article>".encode()))
    assert page.blocks == ["Port reopens", *ARTICLE, "Quay | Ships", "North quay | 12 trawlers",
                           "South quay | 30 trawlers"]


def test_a_page_saved_with_singlefile_has_its_address_as_its_url():
    mark = ("<!--\n Page saved with SingleFile \n url: https://gazette.example/news/port \n"
            " saved date: Tue Mar 12 2024 10:00:00 GMT+0000 (Coordinated Universal Time)\n-->")
    page = extract(saved_by_a_browser(mark).encode("utf-8"))
    assert page.metadata["url"] == "https://gazette.example/news/port"


@pytest.mark.parametrize("control", ["\u000b", "\u0000", "\udc80"])
def test_an_article_body_holding_a_control_character_is_read(control):
    # the HTML parser refuses control characters: the page's extraction failed
    body = f"<p>{ARTICLE[0][:20]}{control}{ARTICLE[0][20:]}</p><p>{ARTICLE[1]}</p>"
    data = {"props": {"pageProps": {"seo": {"@type": "NewsArticle", "articleBody": body}}}}
    page = ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title></head><body>'
            '<a href="/">Gazette</a><script id="__NEXT_DATA__" type="application/json">'
            f"{json.dumps(data)}</script></body></html>")
    assert extract(page.encode("utf-8")).blocks == ["Port reopens", *ARTICLE]


def test_a_long_number_after_pages_is_no_page_list_and_is_read_at_once():
    # "(?:\s*\d+)+" could cut the digits in every way before failing: minutes, at 30 digits
    from pipeline.extract_html import PAGE_COUNTER

    assert PAGE_COUNTER.fullmatch("Pages " + "1" * 60 + "x") is None
    assert PAGE_COUNTER.fullmatch("Pages: 1 2 3") and PAGE_COUNTER.fullmatch("Pages 123")
