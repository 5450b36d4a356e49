"""HTML pages to blocks and metadata (pipeline/extract_html.py), on pages written here."""

from __future__ import annotations

import codecs
import socket

import pytest

from pipeline.extract_html import NoText, Page, decode_page, extract, looks_like_html

PARAGRAPHS = [
    "The harbour authority reopened the northern port on Tuesday after three weeks of "
    "repairs to the breakwater, which storms had damaged at the start of the month.",
    "Fishing crews had moved their boats to the southern quay in the meantime, where "
    "space was short and unloading took twice as long as usual, the authority said.",
    "Engineers will inspect the breakwater again in the spring, before the season of "
    "heavy swells, and a second phase of the works is planned for next year.",
]

HEAD = """<head>
<meta charset="{charset}">
<title>Northern port reopens after repairs | The Coast Gazette</title>
<meta property="og:site_name" content="The Coast Gazette">
<meta name="author" content="Marta Silva">
<meta property="article:published_time" content="{date}">
<link rel="canonical" href="https://gazette.example/2024/03/port-reopens">
<script>window.dataLayer = [{{"page": "article", "secret": "TRACKING-CODE"}}];</script>
<style>.cookie {{ position: fixed; }}</style>
</head>"""

NAV = """<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>"""

COOKIE = """<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your
experience. By continuing to browse you accept our cookie policy.</p>
<button>Accept all cookies</button></div>"""

FOOTER = """<footer><p>Copyright 2024 The Coast Gazette. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a></footer>"""


def page(paragraphs: list[str] = PARAGRAPHS, *, lang: str = "en", charset: str = "utf-8",
         date: str = "2024-03-12T09:30:00Z", extra_article: str = "",
         before_article: str = "") -> str:
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
{HEAD.format(charset=charset, date=date)}
<body>
{COOKIE}
<header>{NAV}</header>
<main><article>
<h1>Northern port reopens after repairs</h1>
{before_article}
{body}
{extra_article}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Storm warning for the weekend</a></li>
<li><a href="/b">Ferry timetable changes</a></li></ul></aside>
{FOOTER}
<script>trackPageView("TRACKING-CODE");</script>
</body></html>"""


def test_article_blocks_are_headline_then_paragraphs_without_page_furniture():
    result = extract(page().encode("utf-8"))
    assert isinstance(result, Page)
    assert result.blocks == ["Northern port reopens after repairs", *PARAGRAPHS]
    assert result.headline == "Northern port reopens after repairs"
    text = "\n".join(result.blocks)
    for furniture in ("TRACKING-CODE", "cookie", "Copyright", "Home", "Most read",
                      "Ferry timetable", "Privacy policy"):
        assert furniture not in text


def test_metadata_from_the_page_markup():
    result = extract(page(lang="en-GB").encode("utf-8"))
    assert result.metadata == {
        "title": "Northern port reopens after repairs",
        "date": "2024-03-12",
        "author": "Marta Silva",
        "sitename": "The Coast Gazette",
        "url": "https://gazette.example/2024/03/port-reopens",
        "lang": "en-GB",
    }


def test_metadata_holds_only_the_keys_found():
    html = f"<html><body><article>{''.join(f'<p>{p}</p>' for p in PARAGRAPHS)}</article>" \
           "</body></html>"
    result = extract(html.encode("utf-8"))
    assert "lang" not in result.metadata and "author" not in result.metadata
    assert result.blocks == PARAGRAPHS  # no title, no h1: no headline block
    assert result.headline == ""


def test_a_date_after_today_is_kept_whatever_the_day():
    # trafilatura's default rejects dates after today, so the metadata would change
    # with the day the page is read; the latest accepted date is fixed instead.
    result = extract(page(date="2098-06-01T10:00:00Z").encode("utf-8"))
    assert result.metadata["date"] == "2098-06-01"


def test_extraction_is_deterministic():
    data = page().encode("utf-8")
    assert extract(data) == extract(data)


def test_nothing_is_fetched(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("extract() tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert extract(page().encode("utf-8")).blocks[1] == PARAGRAPHS[0]


def test_a_page_of_navigation_and_scripts_has_no_text():
    html = f"""<html><head><title>Home</title><script>var a = 1;</script></head>
    <body>{NAV}<script>renderApp(document.getElementById("root"));</script>
    <div id="root"></div>{FOOTER}</body></html>"""
    with pytest.raises(NoText) as caught:
        extract(html.encode("utf-8"), source="site/index.html")
    message = str(caught.value)
    assert message.startswith("site/index.html: no article text found in the page")


def test_a_page_built_by_scripts_says_there_is_no_visible_text():
    html = "<html><body><div id='app'></div><script>render();</script></body></html>"
    with pytest.raises(NoText, match="no visible text outside scripts"):
        extract(html.encode("utf-8"))


def test_empty_bytes_are_an_empty_page():
    with pytest.raises(NoText, match="empty page"):
        extract(b"  \n ")


def test_binary_and_plain_text_are_not_pages():
    with pytest.raises(NoText, match="binary file"):
        extract(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", source="logo.html")
    with pytest.raises(NoText, match="not an HTML page: no markup found"):
        extract(" ".join(PARAGRAPHS).encode("utf-8"))


def test_byline_pointer_and_closing_calls_to_action_are_dropped():
    html = page(
        before_article="<p>By Marta Silva, 12 March 2024</p>",
        extra_article=(
            "<p>Related: Storm damage along the coast, in pictures</p>"
            "<p>Have a tip? Marta Silva may be reached at marta@gazette.example.</p>"
            "<p>Get the latest news in your inbox. Subscribe to our newsletters.</p>"
        ),
    )
    assert extract(html.encode("utf-8")).blocks[1:] == PARAGRAPHS


def test_a_last_paragraph_that_mentions_subscribers_stays():
    last = ("The ferry company said its subscribers would be refunded for the weeks of "
            "closure, and that the season tickets would be extended by a month.")
    result = extract(page([*PARAGRAPHS, last]).encode("utf-8"))
    assert result.blocks[-1] == last


def test_declared_latin1_page_is_decoded_as_windows_1252():
    words = ["A Coréia do Norte reabriu o porto após três semanas de obras no quebra-mar, "
             "que as tempestades danificaram no início do mês, disse a autoridade.",
             "Os pescadores tinham levado os barcos para o cais sul, onde o espaço era "
             "pouco e a descarga demorava o dobro do tempo habitual.",
             "Os engenheiros vão inspeccionar o quebra-mar outra vez na primavera, antes "
             "da época das ondas grandes; a segunda fase das obras é no próximo ano."]
    data = page(words, lang="pt", charset="iso-8859-1").encode("cp1252")
    result = extract(data)
    assert result.encoding == "cp1252"
    assert result.blocks[1:] == words


def test_utf8_page_that_declares_latin1_is_read_as_utf8():
    data = page(charset="iso-8859-1").replace("three weeks", "três semanas").encode("utf-8")
    result = extract(data)
    assert result.encoding == "utf-8"
    assert "três semanas" in result.blocks[1]


def test_byte_order_marks_decide_the_encoding():
    text = page().replace("three weeks", "três semanas")
    assert decode_page(codecs.BOM_UTF8 + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_page(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == (text, "utf-16")
    assert "três semanas" in extract(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).blocks[1]


def test_cyrillic_page_in_its_declared_charset():
    words = ["Порт на севере снова открыт после трёх недель ремонта волнолома, который "
             "штормы повредили в начале месяца, сообщили в администрации порта.",
             "Рыбаки на это время перевели свои лодки к южному причалу, где было тесно, "
             "а разгрузка занимала вдвое больше времени, чем обычно.",
             "Инженеры снова осмотрят волнолом весной, до сезона сильных волн, а второй "
             "этап работ запланирован на следующий год."]
    data = page(words, lang="ru", charset="koi8-r").encode("koi8-r")
    result = extract(data)
    assert result.encoding == "koi8-r"
    assert result.blocks[1:] == words
    assert result.metadata["lang"] == "ru"


def test_the_declared_charset_decides_where_a_guess_would_not():
    # One Greek word in an English page: a guess from the bytes alone reads it as
    # windows-1252 ("êõìáôïèñáýóôçò"); the page says it is ISO-8859-7.
    first = PARAGRAPHS[0].replace("breakwater", "breakwater (κυματοθραύστης)")
    data = page([first, *PARAGRAPHS[1:]], charset="iso-8859-7").encode("iso-8859-7")
    result = extract(data)
    assert result.encoding == "iso8859-7"
    assert result.blocks[1] == first


def test_undeclared_legacy_bytes_are_guessed():
    words = ["Die Fähre über den Fluss fährt wieder, nachdem die Brücke für drei Wochen "
             "gesperrt war und die Pendler große Umwege fahren mussten.",
             "Die Gemeinde hatte zusätzliche Busse eingesetzt, die aber überfüllt waren, "
             "wie Fahrgäste der Zeitung berichteten.",
             "Im Frühjahr sollen die Arbeiten an der Brücke fortgesetzt werden; die Fähre "
             "bleibt bis dahin die schnellste Verbindung über den Fluss."]
    html = page(words, lang="de").replace('<meta charset="utf-8">', "")
    result = extract(html.encode("cp1252"))
    assert result.blocks[1:] == words
    assert result.encoding in ("cp1252", "iso-8859-15", "iso-8859-1", "latin-1")


@pytest.mark.parametrize("text", [
    page(),
    "<html><body><p>Short page</p></body></html>",
    "  <!doctype html>\n<title>x</title>",
    "News of the day\n<script>track('x');</script>\nThe port reopened.",
    "<div class='a'><p>One</p><p>Two</p><span>x</span><a href='/'>Home</a><br><br></div>",
    '<p>Para one.</p>\n<p>Para two.</p>\n<p>Para three.</p>\n<ul><li>a</li><li>b</li></ul>',
    "<p>The port reopened.</p>\n<p>Crews returned.</p>\n<p>Works resume in spring.</p>",
])
def test_pages_and_fragments_look_like_html(text):
    assert looks_like_html(text)


@pytest.mark.parametrize("text", [
    "Use <b> for bold text and <i> for italics in the old editor.",
    "The <html> element is the root of a page; a <script> tag runs code.",
    "Prices rose 5% (<3% expected) as a -> b and x < y > z.",
    "Plain news text about the harbour.\n\nA second paragraph.",
    "She wrote <3 to him and signed it <Maria>.",
    "In the old editor <b>bold</b> and <i>italics</i> were typed by hand, and <br> too.",
])
def test_text_that_mentions_tags_is_not_html(text):
    assert not looks_like_html(text)


@pytest.mark.parametrize("declaration", [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
    'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n',
])
def test_xhtml_page_with_an_xml_declaration_is_extracted(declaration):
    """An XML declaration before <html> (XHTML pages saved from the web) changes nothing:
    the page was quarantined as "only navigation" when it was read as a fragment."""
    text = "The harbour reopened on Tuesday after three days of storms closed it to all ships."
    assert len(text) == 82
    html = f"<html><body><p>{text}</p></body></html>"
    assert extract(html.encode()).blocks == [text]
    assert extract(f"{declaration}{html}".encode()).blocks == [text]


@pytest.mark.parametrize("depth", [254, 255, 400, 2000])
def test_deeply_nested_page_keeps_its_text(depth):
    """Past 255 nested elements libxml2's HTML parser stopped and dropped the rest of the
    page: all its text was lost, reported as "no visible text outside scripts"."""
    html = ("<html><body>" + "<div>" * depth + f"<p>{PARAGRAPHS[0]}</p>" + "</div>" * depth
            + f"<p>{PARAGRAPHS[1]}</p></body></html>")
    assert extract(html.encode()).blocks == PARAGRAPHS[:2]


def test_page_deeper_than_the_parser_reads_says_so():
    html = "<html><body>" + "<div>" * 2100 + f"<p>{PARAGRAPHS[0]}</p>" + "</div>" * 2100
    with pytest.raises(NoText, match=r"^deep\.html: the page nests its elements more than "
                                     r"2048 deep, where the HTML parser stops reading"):
        extract(f"{html}</body></html>".encode(), source="deep.html")


def test_a_year_in_the_text_is_no_date_of_the_page():
    # "Em 2018 ..." gave the page the date 2018-01-01 (the Rust book: 160 pages of 470).
    body = ("<article><h1>Notas da versão</h1><p>Em 2018 o projeto mudou de nome, e em "
            "2021 ganhou uma nova equipa de manutenção com dez pessoas.</p></article>")
    page = extract(f"<html><head><title>Notas</title></head><body>{body}</body></html>"
                   .encode())
    assert "date" not in page.metadata
    dated = extract(('<html><head><title>Notas</title><meta property="article:published_time"'
                     f' content="2024-03-05T10:00:00Z"></head><body>{body}</body></html>')
                    .encode())
    assert dated.metadata["date"] == "2024-03-05"
