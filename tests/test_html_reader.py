"""HTML pages in the corpus: read through the extractor, then every stage as for text."""

import gzip
import json
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.runner import RunOptions, run
from tests.conftest import TaggingEngine

PAGE = """<!DOCTYPE html>
<html lang="pt">
<head>
<meta charset="utf-8">
<title>Porto de Lisboa reabre depois das obras | Jornal da Costa</title>
<meta name="author" content="Ana Ribeiro">
<link rel="canonical" href="https://jornal.example/porto-reabre">
<script>window.analytics = {track: function () { return "Subscribe now"; }};</script>
<style>.menu { color: red }</style>
</head>
<body>
<nav><a href="/">Início</a> <a href="/economia">Economia</a> <a href="/desporto">Desporto</a></nav>
<article>
<h1>Porto de Lisboa reabre depois das obras</h1>
<p>O porto de Lisboa reabriu ontem depois de três semanas de obras no cais principal.
Os pescadores voltaram ao trabalho logo de manhã e a cidade celebrou com música.</p>
<p>A câmara municipal diz que as obras custaram dois milhões de euros e que o novo cais
aguenta navios maiores. Os comerciantes da zona esperam mais turistas no verão.</p>
<p>Os trabalhos continuam no cais norte até ao fim do mês, segundo a administração do
porto, que pede paciência aos moradores do bairro.</p>
</article>
<footer><p>© Jornal da Costa. Todos os direitos reservados.</p></footer>
</body>
</html>
"""

EMPTY_PAGE = """<!DOCTYPE html><html><head><title>Loading</title>
<script>document.write("app")</script></head><body><div id="app"></div></body></html>
"""


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _run(corpus: Path, out: Path):
    return run(corpus, out, Config(targets=["en"]), RunOptions(no_cache=True),
               engine=TaggingEngine())


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))


def test_html_pages_become_plain_text_documents_with_their_metadata(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    (corpus / "site").mkdir(parents=True)
    (corpus / "site" / "porto.html").write_text(PAGE, encoding="utf-8")
    (corpus / "site" / "copy.html.gz").write_bytes(gzip.compress(PAGE.encode(), mtime=0))
    result = _run(corpus, out)
    assert result.exit_code == 0, result.report
    clean = (out / "clean" / "site" / "porto.html.txt").read_text(encoding="utf-8")
    assert clean.startswith("Porto de Lisboa reabre depois das obras\n\nO porto de Lisboa")
    assert "<" not in clean and "analytics" not in clean and "Desporto" not in clean
    assert "Todos os direitos reservados" not in clean
    assert (out / "clean" / "site" / "copy.html.gz.txt").read_text(encoding="utf-8") == clean
    assert not (out / "clean" / "site" / "porto.html").exists()
    english = (out / "translations" / "en" / "site" / "porto.html.txt").read_text()
    assert english.startswith("[en] ")
    docs = {r["doc"]: r for r in _lines(out / "documents.jsonl")}
    record = docs["site/porto.html"]
    assert record["lang"] == "pt"
    assert record["metadata"]["lang"] == "pt"
    assert record["metadata"]["author"] == "Ana Ribeiro"
    assert record["metadata"]["url"] == "https://jornal.example/porto-reabre"
    assert record["metadata"]["title"].startswith("Porto de Lisboa reabre")


def test_a_page_without_text_and_a_truncated_page_are_quarantined_with_the_reason(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "app.html").write_text(EMPTY_PAGE, encoding="utf-8")
    (corpus / "cut.html.gz").write_bytes(gzip.compress(PAGE.encode(), mtime=0)[:200])
    result = _run(corpus, out)
    assert result.exit_code == 3
    reasons = {q["doc"]: q["reason"] for q in result.report["quarantined"]}
    assert set(reasons) == {"app.html", "cut.html.gz"}
    assert reasons["app.html"]  # the extractor's own reason
    assert reasons["cut.html.gz"].startswith("truncated gzip file")
    assert not (out / "clean" / "app.html.txt").exists()


def test_a_txt_file_that_is_a_page_is_read_as_html_never_translated_with_markup(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "saved.txt").write_text(PAGE, encoding="utf-8")
    result = _run(corpus, out)
    assert result.exit_code == 0, result.report
    clean = (out / "clean" / "saved.txt").read_text(encoding="utf-8")
    assert clean.startswith("Porto de Lisboa reabre depois das obras\n\n")
    assert "<" not in clean and "script" not in clean
    segments = _lines(out / "segments.jsonl")
    assert not any("<" in s["text"] or "<" in (s["en"] or "") for s in segments)
    record = _lines(out / "documents.jsonl")[0]
    assert not [s for s in record["spans"] if s["lang"] == "en"]
    assert record["metadata"]["lang"] == "pt"


def test_a_record_holding_a_page_is_read_as_html(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "crawl.jsonl").write_text(json.dumps({"id": "p1", "text": PAGE}) + "\n",
                                        encoding="utf-8")
    _run(corpus, out)
    copy = _lines(out / "clean" / "crawl.jsonl")[0]
    assert copy["text"].startswith("Porto de Lisboa reabre depois das obras\n\n")
    assert "<" not in copy["text"]


def test_a_legacy_encoded_page_is_decoded_and_the_fix_recorded(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    page = PAGE.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    (corpus / "old.htm").write_bytes(page.encode("cp1252"))
    _run(corpus, out)
    clean = (out / "clean" / "old.htm.txt").read_text(encoding="utf-8")
    assert "três semanas" in clean and "câmara municipal" in clean
    record = _lines(out / "documents.jsonl")[0]
    assert {"stage": "extract", "kind": "encoding", "before": "cp1252",
            "after": "utf-8"} in record["fixes"]


def test_a_shift_jis_page_with_windows_characters_is_decoded_as_browsers_do():
    # Japanese pages labelled Shift_JIS are written with Windows' code page 932, whose
    # circled numbers and ㈱ strict Shift_JIS lacks: such a page was read as cp1252,
    # every Japanese character mojibake ("“Œ‹ž‚Ì")
    from pipeline.extract_html import extract

    text = "東京の天気は①晴れ、②曇りです。株式会社㈱の発表によると、今日は気温が上がる見込みです。"
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
            f"<title>天気</title></head><body><article><h1>天気</h1><p>{text}</p>"
            f"<p>{text}</p></article></body></html>")
    found = extract(page.encode("cp932"))
    assert found.blocks == ["天気", text, text] and found.encoding == "cp932"
    # a page strict Shift_JIS reads is read so, its wave dash as browsers show it
    plain = page.replace("①", "〜").replace("②", "〜").replace("㈱", "")
    found = extract(plain.encode("shift_jis"))
    assert "〜晴れ" in found.blocks[1] and found.encoding == "shift_jis"


def test_the_metadata_title_reads_as_the_clean_copys_headline(tmp_path):
    # a title written in mojibake, and a Russian page in Windows' Cyrillic code page
    # labelled Latin-1: the normalize stage repairs the headline in the copies; the
    # metadata (documents.jsonl, the report's index and its search) kept the mojibake
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    page = PAGE.replace("<title>Porto de Lisboa reabre depois das obras",
                        "<title>CoraÃ§Ã£o do porto reabre").replace(
        "<h1>Porto de Lisboa reabre depois das obras</h1>", "")
    (corpus / "moji.html").write_text(page, encoding="utf-8")
    russian = ("<html lang='ru'><head><meta charset='iso-8859-1'><title>Соглашение подпишут "
               "в Москве</title></head><body><article><p>Министр сказал, что соглашение "
               "будет подписано 12 мая в Москве в присутствии представителей десяти стран."
               "</p><p>Он добавил, что переговоры продолжались три месяца, прежде чем была "
               "найдена окончательная формулировка.</p></article></body></html>")
    (corpus / "ru.html").write_bytes(russian.encode("cp1251"))
    _run(corpus, out)
    records = {record["doc"]: record for record in _lines(out / "documents.jsonl")}
    assert records["moji.html"]["metadata"]["title"] == "Coração do porto reabre"
    assert (out / "clean" / "moji.html.txt").read_text(encoding="utf-8").startswith(
        "Coração do porto reabre\n\n")
    assert records["ru.html"]["metadata"]["title"] == "Соглашение подпишут в Москве"
    assert (out / "clean" / "ru.html.txt").read_text(encoding="utf-8").startswith(
        "Соглашение подпишут в Москве\n\n")


def test_a_headline_with_a_colon_in_its_title_is_kept_whole():
    # French headlines put a space before a colon ("Brexit : ce qui va changer"); the
    # extractor took it for the separator before a site's name and kept "Brexit", the
    # page's headline and metadata title when it has no <h1> or og:title
    from pipeline.extract_html import extract

    body = ("<p>Le Royaume-Uni quitte l'Union européenne à la fin du mois, et les voyageurs "
            "devront présenter leur passeport à la frontière.</p><p>Les tarifs des appels "
            "téléphoniques pourraient aussi changer selon les opérateurs.</p>")
    for title, headline in (("Brexit : ce qui va changer pour les voyageurs",
                             "Brexit : ce qui va changer pour les voyageurs"),
                            ("Brexit : ce qui va changer | Le Monde", "Brexit : ce qui va changer"),
                            ("Ce qui va changer - Le Monde", "Ce qui va changer")):
        found = extract(f"<html><head><title>{title}</title></head><body><article>{body}"
                        "</article></body></html>".encode())
        assert found.metadata["title"] == found.blocks[0] == headline


def test_a_sites_name_in_the_only_h1_is_not_the_pages_title():
    # a book's or a site's name in the page's one <h1>, its menu bar's (every chapter of
    # the Rust book): the extractor took it for the title, so every page of the site had
    # the same title in documents.jsonl and the report's index, and the site's name as
    # its headline; the <title> names the page before the site's name
    from pipeline.extract_html import extract

    page = ("<html><head><title>Horários do ferry - Guia do Porto</title></head><body>"
            "<header><h1 class='menu-title'>Guia do Porto</h1></header><article>"
            "<h2>Horários do ferry</h2><p>O ferry para a outra margem parte de meia em meia "
            "hora entre as sete da manhã e a meia-noite, todos os dias.</p><p>Aos domingos "
            "há menos partidas, e o último barco sai às onze da noite.</p></article>"
            "</body></html>")
    found = extract(page.encode())
    assert found.metadata["title"] == found.blocks[0] == "Horários do ferry"
    assert "Guia do Porto" not in found.blocks
    # a page whose one <h1> is its headline keeps it
    found = extract(page.replace("<h2>Horários do ferry</h2>", "").replace(
        "Guia do Porto</h1>", "Horários do ferry</h1>").encode())
    assert found.metadata["title"] == found.blocks[0] == "Horários do ferry"


def test_the_article_h1_that_the_title_element_names_is_the_title():
    # mdBook's pages (the Rust book, reference, Rust by Example: 381 of 859 pages tried)
    # hold two <h1> (the menu bar's, the chapter's) and a help box titled "Keyboard
    # shortcuts", which the extractor took for every page's title; the chapter's <h1>,
    # which the <title> names, is the headline and now the title
    from pipeline.extract_html import extract

    page = ("<html><head><title>Horários do ferry - Guia do Porto</title></head><body>"
            "<div id='help' class='hidden'><h2 class='help-title'>Atalhos de teclado</h2>"
            "<p>Prima ? para ver esta ajuda.</p></div>"
            "<header><h1 class='menu-title'>Guia do Porto</h1></header><article>"
            "<h1>Horários do ferry</h1><p>O ferry para a outra margem parte de meia em meia "
            "hora entre as sete da manhã e a meia-noite, todos os dias.</p><p>Aos domingos "
            "há menos partidas, e o último barco sai às onze da noite.</p></article>"
            "</body></html>")
    found = extract(page.encode())
    assert found.metadata["title"] == found.blocks[0] == "Horários do ferry"


def test_a_headline_after_a_line_that_is_no_heading_is_not_doubled():
    # a print header (the page's address, shown on paper only) before the article's
    # <h1>: the headline was the <title>'s, and the <h1> stayed in the body, doubled
    from pipeline.extract_html import extract

    page = ("<html><head><title>Porto reabre depois das obras - Jornal</title></head><body>"
            "<article><div class='print-header'><span>Edição impressa de 2 de janeiro</span>"
            "</div><h1>Porto reabre depois das obras</h1><p>O porto reabriu ontem depois de "
            "três semanas de obras no cais principal da cidade.</p><p>A câmara diz que as "
            "obras custaram dois milhões de euros e que o cais aguenta navios maiores.</p>"
            "</article></body></html>")
    found = extract(page.encode())
    assert found.headline == "Porto reabre depois das obras"
    assert [block for block in found.blocks if block == found.headline] == [found.headline]
    assert "Edição impressa de 2 de janeiro" in found.blocks  # no heading: it stays


def test_a_hidden_schema_org_copy_of_the_article_is_not_its_text():
    # a page that repeats its article, headline, image address and publisher's name in
    # a hidden schema.org block (for search engines): its text was extracted once more
    from pipeline.extract_html import extract

    article = ("<p>O porto reabriu ontem depois de três semanas de obras no cais principal "
               "da cidade.</p><p>A câmara diz que as obras custaram dois milhões de euros e "
               "que o novo cais aguenta navios maiores.</p>")
    page = ("<html><head><title>Porto reabre - Jornal</title></head><body><article>"
            f"<h1>Porto reabre</h1>{article}</article>"
            "<div style='display:none;' itemscope itemtype='http://schema.org/NewsArticle'>"
            "<div itemprop='headline'>Porto reabre</div><div itemprop='image' itemscope>"
            "<div itemprop='url'>https://jornal.example/img/porto.jpg</div></div>"
            "<div itemprop='publisher' itemscope><div itemprop='name'>JornalDaCosta</div></div>"
            f"<div itemprop='articleBody'>{article}</div></div></body></html>")
    found = extract(page.encode())
    assert found.blocks == [
        "Porto reabre",
        "O porto reabriu ontem depois de três semanas de obras no cais principal da cidade.",
        "A câmara diz que as obras custaram dois milhões de euros e que o novo cais aguenta "
        "navios maiores."]
