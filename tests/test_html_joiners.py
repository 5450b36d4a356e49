"""A web page's text keeps the characters the extractor drops and a text file keeps:
zero-width (non-)joiners, direction marks, private-use characters
(pipeline.extract_html.CARRIED)."""

from __future__ import annotations

from pipeline.extract_html import extract

FILLER = " Este parágrafo existe só para que a página tenha texto bastante para o extrator."


def page(*paragraphs: str, title: str = "Título") -> bytes:
    body = "".join(f"<p>{p}{FILLER}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{body}</article></body></html>").encode()


def test_persian_zero_width_non_joiner_kept() -> None:
    text = "من می\u200cخواهم این کتاب را بخوانم و آن\u200cها را ببینم."
    assert text + FILLER in extract(page(text)).blocks


def test_zero_width_non_joiner_written_as_entities_kept() -> None:
    blocks = extract(page("من می&zwnj;خواهم این کتاب را بخوانم و آن&#8204;ها را ببینم.")).blocks
    assert "من می\u200cخواهم این کتاب را بخوانم و آن\u200cها را ببینم." + FILLER in blocks


def test_hindi_zero_width_joiner_kept() -> None:
    text = "क्\u200dष एक संयुक्ताक्षर है और यह वाक्य उसके बारे में है।"
    assert text + FILLER in extract(page(text)).blocks


def test_direction_marks_kept() -> None:
    text = "הוא אמר \u200fשלום\u200e ABC \u200fוהלך הביתה מוקדם."
    assert text + FILLER in extract(page(text)).blocks


def test_private_use_tone_mark_glyphs_kept() -> None:
    text = "ภาษาไทยมีเสียงวรรณยุกต์ ผู\uf70aใหญ\uf70b่ที่สำคัญ"
    assert text + FILLER in extract(page(text)).blocks


def test_title_and_headline_keep_their_joiner() -> None:
    found = extract(page("متن مقاله.", title="می\u200cخواهم"))
    assert found.metadata["title"] == found.blocks[0] == "می\u200cخواهم"


def test_stand_ins_do_not_collide_with_the_page_text() -> None:
    # a page that already holds the first stand-ins (CJK Extension B ideographs) keeps
    # them as they are, and its joiner too
    text = "𠀀𠀁 می\u200cخواهم 𠀂 آن\u200cها"
    assert text + FILLER in extract(page(text)).blocks


def test_entity_shown_as_written_is_not_decoded_again() -> None:
    # "&amp;#151;" in the markup shows "&#151;" on the page, as a text file holding
    # "&#151;" reads; the normalize stage, not the extractor, decides about it (and records
    # its fix). The extractor decoded it again to "—".
    blocks = extract(page("Ele escreveu &amp;#151; e depois &amp;amp; no fim da linha.")).blocks
    assert "Ele escreveu &#151; e depois &amp; no fim da linha." + FILLER in blocks


def test_code_block_and_inline_code_keep_their_joiner() -> None:
    text = "من می\u200cخواهم این کتاب را بخوانم و آن\u200cها را ببینم."
    found = extract(page(f"{text} با <code>echo می\u200cخواهم</code> اجرا کنید.")
                    .replace(b"</article>", "<pre>print('آن\u200cها')</pre></article>".encode()))
    paragraph = f"{text} با echo می\u200cخواهم اجرا کنید.{FILLER}"
    assert found.blocks[1] == paragraph
    assert [paragraph[a:b] for a, b in found.inline[1]] == ["echo می\u200cخواهم"]
    assert found.code == [(2, "print('آن\u200cها')")]


def test_arabic_number_sign_letter_mark_and_flag_tags_kept() -> None:
    # U+0601 (sign sanah) before a year, U+061C (Arabic letter mark), and the tag
    # characters of the flag of Scotland: format characters a text file keeps
    text = ("وُلد في \u0601 1950 \u061cم، ورفع علم \U0001f3f4\U000e0067\U000e0062\U000e0073"
            "\U000e0063\U000e0074\U000e007f في الملعب.")
    assert text + FILLER in extract(page(text)).blocks



def test_an_icon_fonts_glyph_standing_alone_is_not_carried() -> None:
    # Private-use characters are carried for the letters of legacy fonts, inside words;
    # an icon font's glyph written into the text (Font Awesome's U+F099) stands apart
    # from any letter, and reached the clean copy and the model.
    thai = "ภาษาไทยมีเสียงวรรณยุกต์ ผู\uf70aใหญ\uf70b่ที่สำคัญ"
    blocks = extract(page("Partilhe <i>\uf099</i> no Twitter \uf09a\uf09b ou por e-mail.",
                          thai)).blocks
    assert "Partilhe no Twitter ou por e-mail." + FILLER in [" ".join(b.split())
                                                           for b in blocks]
    assert thai + FILLER in blocks
    assert not any(glyph in block for block in blocks for glyph in "\uf099\uf09a\uf09b")


def metadata_page(head: str) -> bytes:
    return (f"<html><head>{head}</head><body><article><p>من می\u200cخواهم این کتاب را "
            f"بخوانم.{FILLER}</p></article></body></html>").encode()


def test_open_graph_title_and_meta_author_keep_their_joiner() -> None:
    # the headline of a page without <h1> or <title> is its og:title: the clean copy's
    # first line, and the metadata, read "میخواهم" (a misspelling) without the joiner
    found = extract(metadata_page('<meta property="og:title" content="می&zwnj;خواهم کتاب">'
                                  '<meta name="author" content="علی\u200cرضا کریمی">'))
    assert found.metadata["title"] == found.blocks[0] == "می\u200cخواهم کتاب"
    assert found.metadata["author"] == "علی\u200cرضا کریمی"


def test_json_ld_headline_and_author_keep_their_joiner_raw_or_escaped() -> None:
    for zwj, zwnj in (("\u200d", "\u200c"), ("\\u200d", "\\u200C")):
        found = extract(metadata_page(
            '<script type="application/ld+json">{"@context": "https://schema.org", '
            f'"@type": "NewsArticle", "headline": "क्{zwj}ष समाचार", "author": '
            f'{{"@type": "Person", "name": "علی{zwnj}رضا کریمی"}}, '
            '"datePublished": "2020-01-02"}</script>'))
        assert found.metadata["title"] == found.blocks[0] == "क्\u200dष समाचार"
        assert found.metadata["author"] == "علی\u200cرضا کریمی"
        assert found.metadata["date"] == "2020-01-02"


def test_metadata_keeps_direction_marks_and_reads_its_entities_as_before() -> None:
    # a page whose text shows an entity as written ("&amp;#151;") has "&" carried through
    # its text; its metadata, never shown, is decoded as trafilatura decodes it
    found = extract(metadata_page(
        '<meta property="og:title" content="\u200fשלום עולם\u200e ABC">'
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "author": {"@type": "Person", "name": "Tom &amp; Jerry"}}'
        '</script>').replace(b"</article>", b"<p>Ele escreveu &amp;#151; no fim da linha, "
                             b"como se v\xc3\xaa na p\xc3\xa1gina.</p></article>"))
    assert found.metadata["title"] == "\u200fשלום עולם\u200e ABC"
    assert found.metadata["author"] == "Tom; Jerry"
    assert "Ele escreveu &#151; no fim da linha, como se vê na página." in found.blocks
