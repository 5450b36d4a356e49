"""Saved web pages a stranger still lost (brief html10), on pages written here."""

from __future__ import annotations

import pytest

from pipeline.extract_html import NoText, extract

HEBREW = ["הממשלה אישרה היום את תקציב המדינה לשנה הבאה, לאחר דיון ארוך בכנסת.",
          "שר האוצר אמר כי התקציב יחזק את הכלכלה, והאופוזיציה מתחה ביקורת על הקיצוצים."]


def undeclared(lang: str, headline: str, paragraphs: list[str]) -> str:
    """A page that names its language but no charset (no <meta charset>)."""
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>{headline}</title></head>'
            f"<body><article><h1>{headline}</h1>{body}</article></body></html>")


@pytest.mark.parametrize(("lang", "headline", "paragraphs", "encoding"), [
    # read as Ukrainian DOS (cp1125) before: "фююїьф рщїЇф..."
    ("he", "הממשלה אישרה את התקציב", HEBREW, "cp1255"),
    # short pages: read as Korean (cp949) or windows-1252 ("”Ž®‰ïŽÐ") before
    ("ja", "株価", ["株式会社が上場"], "cp932"),
    ("ja", "株式会社", ["決算"], "cp932"),
    ("ja-JP", "株式会社", ["本日は晴れ。"], "euc_jp"),
])
def test_an_undeclared_legacy_page_is_read_in_its_languages_code_page(
        lang, headline, paragraphs, encoding):
    result = extract(undeclared(lang, headline, paragraphs).encode(encoding))
    assert result.encoding == encoding
    assert result.blocks == [headline, *paragraphs]


def test_a_language_hint_that_the_bytes_deny_is_not_taken():
    # a French page under a template's lang="ar": windows-1256 reads its accents as
    # Latin letters, not Arabic ones; the guess reads it, as before
    words = ["Le port du nord a rouvert mardi après trois semaines de travaux sur la "
             "digue, que les tempêtes avaient endommagée au début du mois.",
             "Les pêcheurs avaient déplacé leurs bateaux vers le quai sud, où la place "
             "manquait et où le déchargement prenait deux fois plus de temps."]
    result = extract(undeclared("ar", "Le port rouvre après les travaux", words).encode("cp1252"))
    assert result.encoding != "cp1256"
    assert result.blocks[1:] == words


ARTICLE = ["The harbour authority reopened the northern port on Tuesday after three weeks of "
           "repairs to the breakwater, which storms had damaged at the start of the month.",
           "Fishing crews had moved their boats to the southern quay in the meantime, where "
           "space was short and unloading took twice as long as usual, the authority said."]


def site_first(head: str = "", header: str = "") -> str:
    """A page titled "Site | Headline" with no <h1> and no og:title."""
    body = "".join(f"<p>{text}</p>" for text in ARTICLE)
    return (f'<!DOCTYPE html><html lang="en"><head><title>The Coast Gazette | Northern '
            f"port reopens after repairs</title>{head}</head><body><header>{header}</header>"
            f"<main><article>{body}</article></main></body></html>")


@pytest.mark.parametrize("page", [
    # the logo links home under the site's name
    site_first(header='<a href="/"><img src="logo.png" alt="">The Coast Gazette</a>'),
    site_first(head='<meta property="og:site_name" content="The Coast Gazette">'),
    site_first(head='<link rel="canonical" href="https://www.coastgazette.example/port">'),
    site_first(header='<a href="https://coast.example/"><img alt="The Coast Gazette"></a>'),
])
def test_a_site_first_title_gives_the_headline_not_the_sites_name(page):
    result = extract(page.encode("utf-8"))
    assert result.metadata["title"] == "Northern port reopens after repairs"
    assert result.blocks == ["Northern port reopens after repairs", *ARTICLE]


def test_a_title_whose_first_part_is_no_site_name_stays():
    page = site_first().replace("The Coast Gazette | Northern port reopens after repairs",
                                "Port reopens - a week of repairs")
    result = extract(page.encode("utf-8"))
    assert result.metadata["title"] == "Port reopens"
    assert result.blocks[0] == "Port reopens"


def test_a_title_whose_first_part_a_link_names_stays():
    # a breadcrumb's link to the article itself is no site's name
    page = site_first(header='<a href="/port-reopens">Port reopens</a>').replace(
        "The Coast Gazette | Northern port reopens after repairs", "Port reopens | Coast")
    result = extract(page.encode("utf-8"))
    assert result.metadata["title"] == "Port reopens"


@pytest.mark.parametrize("og_title", [
    "Northern port &lt;b&gt;reopens&lt;/b&gt; after &lt;em&gt;repairs&lt;/em&gt;",  # escaped
    "Northern port <b>reopens</b> after repairs",  # raw, in the attribute
])
def test_tags_in_an_og_title_are_no_part_of_the_headline(og_title):
    page = site_first(head=f"<meta property='og:title' content='{og_title}'>")
    result = extract(page.encode("utf-8"))
    assert result.metadata["title"] == "Northern port reopens after repairs"
    assert result.blocks[0] == "Northern port reopens after repairs"


def test_a_title_that_names_a_tag_keeps_it():
    page = site_first(head="<meta property='og:title' content='Why &lt;br&gt; breaks pages'>")
    assert extract(page.encode("utf-8")).metadata["title"] == "Why <br> breaks pages"


@pytest.mark.parametrize("date", ["\\u200f2023-05-04",  # escaped, as PHP writes JSON
                                  "\u200f2023-05-04",  # the character
                                  "\\u202b2023-05-04\\u202c"])  # an embedding
def test_a_json_ld_date_holding_a_direction_mark_is_the_pages_date(date):
    # a right-to-left site's software writes a mark into its dates; the date was lost
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", '
            f'"@type": "NewsArticle", "datePublished": "{date}", '
            '"headline": "\\u200fNorthern port reopens"}</script>')
    result = extract(site_first(head=head).encode("utf-8"))
    assert result.metadata["date"] == "2023-05-04"


@pytest.mark.parametrize(("meta", "author"), [
    ('<meta name="author" content="Lusa">', "Lusa"),  # a news agency
    ('<meta property="article:author" content="Reuters">', "Reuters"),
    ('<meta name="author" content="Redação">', None),  # the desk: no one
    ('<meta name="author" content="admin">', None),
    ('<meta name="author" content="AFP">', "AFP"),
    ('<meta name="author" content="KWCHCIK">', None),  # a station's account
])
def test_a_one_word_author_is_the_pages_author(meta, author):
    result = extract(site_first(head=meta).encode("utf-8"))
    assert result.metadata.get("author") == author
    assert list(result.metadata) == [key for key in ("title", "author", "lang")
                                     if key in result.metadata]


def test_a_page_its_scripts_build_says_where_its_text_is():
    # a Next.js page saved as the server sent it: the article is only in its JSON
    article = ", ".join(f'{{"type": "paragraph", "text": "{text}"}}' for text in ARTICLE * 10)
    page = ('<!DOCTYPE html><html lang="en"><head><title>Port reopens</title></head><body>'
            '<div id="__next"></div>'
            '<script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": '
            f'{{"body": [{article}]}}}}}}</script></body></html>')
    with pytest.raises(NoText, match=r"its text is in its scripts' data \(__NEXT_DATA__: "
                                     r"[\d,]+ characters\).*'Save page as\.\.\.'"):
        extract(page.encode("utf-8"))


@pytest.mark.parametrize("canonical", ["port-reopens", "/news/port-reopens"])
def test_a_relative_canonical_address_is_resolved_against_the_base(canonical):
    # the page's address was the <base href> (a folder), or none
    head = ('<base href="https://gazette.example/news/">'
            f'<link rel="canonical" href="{canonical}">')
    result = extract(site_first(head=head).encode("utf-8"))
    assert result.metadata["url"] == "https://gazette.example/news/port-reopens"
