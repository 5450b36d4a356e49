"""A page's metadata from microdata, JSON-LD without @context, a right-to-left page's
direction marks and <base href>: pages written here."""

from __future__ import annotations

from pipeline.extract_html import extract

BODY = "<p>" + " ".join(
    ["The council met on Monday to discuss the new budget for the city schools and roads."]
    * 4) + "</p>"


def page(head: str = "", article: str = "") -> bytes:
    return (f"<html><head><title>Budget news</title>{head}</head><body><article>"
            f"<h1>Budget news</h1>{article}{BODY}</article></body></html>").encode()


def test_microdata_date_on_a_span_is_the_date():
    found = extract(page(article='<span itemprop="datePublished" content="2021-03-04">'
                                 "Thursday</span>"))
    assert found.metadata.get("date") == "2021-03-04"  # no date before


def test_json_ld_person_without_context_is_the_author():
    script = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
              '"Budget news", "author": {"@type": "Person", "name": "Ann Lee"}}</script>')
    assert extract(page(head=script)).metadata.get("author") == "Ann Lee"  # none before


def test_direction_marks_around_author_are_dropped():
    meta = '<meta name="author" content="\u200fAnn Lee\u200f">'
    assert extract(page(head=meta)).metadata.get("author") == "Ann Lee"
    script = ('<script type="application/ld+json">{"@context": "https://schema.org", '
              '"@type": "NewsArticle", "author": [{"@type": "Person", "name": '
              '"\\u200fAnn Lee\\u200f"}, {"@type": "Person", "name": "\u200eBo Chen"}]}'
              "</script>")
    assert extract(page(head=script)).metadata.get("author") == "Ann Lee; Bo Chen"


def test_folder_base_is_not_the_page_address():
    base = '<base href="https://a.example/news/">'
    assert "url" not in extract(page(head=base)).metadata  # it was the folder
    canonical = base + '<link rel="canonical" href="budget.html">'
    assert (extract(page(head=canonical)).metadata.get("url")
            == "https://a.example/news/budget.html")
