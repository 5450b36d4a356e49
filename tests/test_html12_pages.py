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
