"""The review report: escaped, self-contained, complete, bounded, incremental.

What a browser does with it is in tests/test_review_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.document import Block, Document, Fix, Removed, Segment, Source, Span
from pipeline.writers import review
from pipeline.writers.review import corpus_sources, docpage, marks, page_id, write_report
from pipeline.writers.review.docpage import DETAIL_CHARS
from tests.conftest import SEED, TaggingEngine

TARGETS = ["en", "de"]
HEADLINE = "Coréia do Norte e Rússia: a nova aliança militar garante alarme!"
HOSTILE = (
    "Ataque no portal de notícias\n\n"
    'O texto trazia <script>document.title = "hacked"</script> e também '
    '<img src="http://example.com/x.png" onerror="alert(1)"> no meio da frase.\n'
)
CRLF = ("Prefeitura anuncia obras no porto\r\n\r\nA prefeitura anunciou hoje um novo plano de "
        "obras para o porto da cidade.\r\nAs obras começam em março.\r\n")
BINARY = b"PK\x03\x04\x00\x00binary\x00\xff\xfe payload " + bytes(range(256))

REPORT = {
    "documents": 8,
    "ok": 7,
    "failed": [],
    "quarantined": [{"doc": "binary.txt", "reason": "binary file (NUL bytes): not a text "
                     "document"}],
    "languages": {"de": 1, "en": 1, "fr": 1, "pt": 4},
    "fixes_by_kind": {"split_compound": 3, "widget_label": 7},
    "targets": TARGETS,
    "missing_models": [{"pair": "fr-de", "install": "pipeline models install fr de"}],
    "deleted_sources": [],
    "config": Config().fingerprint(),
    "timings_s": {"total": 1.234},
}


def build_corpus(corpus: Path) -> None:
    """The sample corpus plus a hostile article, a CRLF article and a binary file."""
    shutil.copytree(SEED, corpus)
    (corpus / "pt" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (corpus / "pt" / "crlf.txt").write_bytes(CRLF.encode("utf-8"))
    (corpus / "binary.txt").write_bytes(BINARY)


@pytest.fixture(scope="module")
def processed(tmp_path_factory, process_corpus) -> tuple[Path, list[Document]]:
    """The corpus processed; the seed gets a QA flag on its third sentence."""
    corpus = tmp_path_factory.mktemp("html") / "corpus"
    build_corpus(corpus)
    docs = process_corpus(corpus, TARGETS)
    seed = next(d for d in docs if d.doc == "article-pt.txt")
    seed.segments()[2].flags["en"] = ["length_ratio"]
    return corpus, docs


@pytest.fixture(scope="module")
def page(processed, tmp_path_factory) -> Path:
    corpus, docs = processed
    out = tmp_path_factory.mktemp("out")
    write_report(out, iter(docs), REPORT, corpus_sources(corpus))
    return out / "report.html"


class Elements(HTMLParser):
    """The start tags (with attributes), the text, and each script's text of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


def section(html: str, doc: str) -> str:
    """The HTML of one document's section of a one-page report."""
    start = html.index(f'<section class="doc" id="d-{page_id(doc)}">')
    return html[start : html.index("</section>", start)]


def test_article_text_is_escaped_so_markup_in_an_article_shows_as_text(page):
    parsed = Elements(page.read_text(encoding="utf-8"))
    assert not [tag for tag, _ in parsed.tags if tag in ("img", "iframe", "object")]
    # Two script elements: the page's own script, and the index data (never executed).
    assert [attrs for attrs, _ in parsed.scripts] == [
        {"type": "application/json", "id": "index-data"}, {}]
    text = "".join(parsed.text)
    assert '<script>document.title = "hacked"</script>' in text
    assert '<img src="http://example.com/x.png" onerror="alert(1)">' in text


def test_the_csp_allows_exactly_the_inline_script_and_style_and_loads_nothing(page):
    html = page.read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    parsed = Elements(html)
    script = next(text for attrs, text in parsed.scripts if not attrs)
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)

    def source(text: str) -> str:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        return f"'sha256-{digest}'"

    assert f"script-src {source(script)};" in csp and f"style-src {source(style)};" in csp
    assert "default-src 'none'" in csp and "unsafe" not in csp
    for tag, attrs in parsed.tags:
        assert "src" not in attrs and "style" not in attrs, (tag, attrs)
        assert tag != "link" or attrs == {"rel": "icon", "href": "data:,"}
        assert tag != "a" or (attrs.get("href") or "").startswith("#"), attrs


def test_the_overview_says_what_needs_attention_in_words_not_a_json_dump(page):
    html = page.read_text(encoding="utf-8")
    text = "".join(Elements(html).text)
    assert "What needs your eyes" in text
    assert "pipeline models install fr de" in text  # the missing model and its command
    assert "binary file (NUL bytes): not a text document" in text  # quarantined, why
    assert "1 QA flag on translated sentences" in text
    # No raw report keys, no timings.
    for key in ("fixes_by_kind", "deleted_sources", "missing_models", "timings_s", "1.234"):
        assert key not in text, key
    # Bars beside the counts: one per language of the report.
    totals = html[html.index('<section id="totals">'):html.index('<section id="flags">')]
    languages = totals[:totals.index("Fixes and removed lines by kind")]
    assert languages.count('<svg class="bar"') == len(REPORT["languages"])


def test_the_index_lists_every_document_with_its_counts(processed, page):
    _, docs = processed
    html = page.read_text(encoding="utf-8")
    data = json.loads(Elements(html).scripts[0][1])
    rows = {row[0]: dict(zip(data["col"], row, strict=True)) for row in data["rows"]}
    assert sorted(rows) == sorted(d.doc for d in docs)
    seed = rows["article-pt.txt"]
    assert (seed["lang"], seed["status"], seed["flags"], seed["spans"]) == ("pt", "ok", 1, 1)
    assert seed["flagkeys"] == "pt-en pt-en:length_ratio"
    assert "split_compound" in seed["kinds"].split()
    assert rows["binary.txt"]["status"] == "quarantined"
    # Without the script the table holds the same rows, each a link to its section.
    for doc in rows:
        assert f'<a href="#d-{page_id(doc)}">{doc}</a>' in html


def test_page_is_byte_identical_for_the_same_run(processed, page, tmp_path):
    corpus, docs = processed
    report = {**REPORT, "timings_s": {"total": 9.9}}
    write_report(tmp_path, docs, report, corpus_sources(corpus))
    assert (tmp_path / "report.html").read_bytes() == page.read_bytes()


def test_fixes_spans_flags_and_metadata_are_marked_in_place(page):
    html = section(page.read_text(encoding="utf-8"), "article-pt.txt")
    assert '<mark class="fix" title="repair/split_compound: ' in html
    assert ">norte -coreana</mark>" in html  # the source, before the fix
    assert ">norte-coreana</mark>" in html  # the clean copy, after it
    removed = '<mark class="fix removed" title="boilerplate/widget_label: removed">'
    assert removed + "Kommentare (0)</mark>" in html
    foreign = '<mark class="foreign" title="de: Nordkorea">Nordkorea</mark><sup class="lt">de</sup>'
    assert foreign in html
    assert '<span class="flag">length_ratio</span>' in html
    assert "<dt>metadata: location</dt><dd>Pyongyang, Nordkorea</dd>" in html
    assert "[de] " + HEADLINE in html and "[en] " + HEADLINE in html


def test_source_clean_and_translations_are_aligned_paragraph_and_sentence(processed, page):
    _, docs = processed
    seed = next(d for d in docs if d.doc == "article-pt.txt")
    html = section(page.read_text(encoding="utf-8"), "article-pt.txt")
    table = html[html.index('<table class="align">'):]
    table = table[:table.index("</table>")]
    bodies = re.findall(r"<tbody( class=\"gone\")?[^>]*>(.*?)</tbody>", table, re.S)
    kept = [body for gone, body in bodies if not gone]
    # One table body per paragraph kept, one row per sentence, the source paragraph
    # beside its sentences (rowspan), each translation on its sentence's row.
    assert len(kept) == len(seed.blocks)
    for block, body in zip(seed.blocks, kept, strict=True):
        assert body.count("<tr>") == len(block.segments)
        assert f'<td class="src" rowspan="{len(block.segments)}"' in body
        first = block.segments[0]
        row = re.sub(r"<[^>]+>", "", body.split("</tr>")[0]).replace("&quot;", '"')
        # (a foreign span is translated on its own inside the sentence's translation)
        assert all(first.translations[t] in row for t in TARGETS)
    # The doubled headline and the widget lines: rows of their own, with the reason.
    gone = " ".join(body for g, body in bodies if g)
    assert f"{HEADLINE}: duplicate headline" in gone
    assert "Kommentare (0): widget label" in gone


def test_a_sentence_in_another_language_carries_a_visible_tag(processed, page):
    _, docs = processed
    hafen = next(d for d in docs if d.doc == "de/hafen-hamburg.txt")
    english = [s for s in hafen.segments() if s.lang == "en"]
    assert english, "the sample has an English sentence in a German article"
    html = section(page.read_text(encoding="utf-8"), "de/hafen-hamburg.txt")
    tag = '<span class="lt" title="sentence language">en</span>'
    assert html.count(tag) == len(english)
    assert f"{tag}{english[0].text}" in html.replace("&quot;", '"')
    assert '<span class="lt" title="sentence language">de</span>' not in html


def test_the_newlines_fix_shows_what_it_changed(page):
    html = section(page.read_text(encoding="utf-8"), "pt/crlf.txt")
    assert "<td>normalize</td><td>newlines</td><td>␍␊</td><td>␊</td>" in html
    assert "<td></td>" not in html.split("<h3>Fixes")[1]


def test_removed_lines_are_listed_once(page):
    html = section(page.read_text(encoding="utf-8"), "article-pt.txt")
    tables = html[html.index("<h3>Fixes"):]
    assert tables.count("<td>Kommentare (0)</td>") == 1  # in the removed lines only
    fixes = tables[:tables.index("<h3>Removed lines")]
    assert "Kommentare" not in fixes and "and 4 removed lines, listed below" in fixes


def test_a_documents_fixes_are_counted_alike_in_the_index_its_counts_and_its_table(page):
    # The seed's three split compounds are its fixes; its four removed lines (a widget
    # label, the doubled headline, a label/value line moved into the metadata...) are
    # listed apart. Its counts said "7 fixes" beside "Fixes: 3" and the index's 3.
    html = page.read_text(encoding="utf-8")
    data = json.loads(Elements(html).scripts[0][1])
    rows = {row[0]: dict(zip(data["col"], row, strict=True)) for row in data["rows"]}
    seed = section(html, "article-pt.txt")
    assert rows["article-pt.txt"]["fixes"] == 3
    assert "<h3>Fixes: 3 (and 4 removed lines, listed below)</h3>" in seed
    assert ", 3 fixes, 1 foreign span, 4 removed lines," in seed


def test_a_binary_file_shows_its_reason_and_hex_never_its_bytes(page):
    raw = page.read_bytes()
    assert b"\x00" not in raw and "\ufffd" not in raw.decode("utf-8")
    html = section(page.read_text(encoding="utf-8"), "binary.txt")
    assert "binary file (NUL bytes): not a text document" in html
    assert "00000000  50 4b 03 04 00 00 62 69 6e 61 72 79 00 ff fe 20  PK....binary... \n" in html
    # grep reads the page as text: it prints the matching line, not "binary file matches".
    found = subprocess.run(["grep", "PK....binary", str(page)], capture_output=True)
    assert found.returncode == 0 and b"50 4b 03 04" in found.stdout


def test_control_characters_in_an_article_are_shown_as_symbols(tmp_path):
    doc = Document("ctl.txt", text="Olá\x00mundo\x1b", lang="pt", status="ok", blocks=[
        Block("paragraph", "Olá\x00mundo\x1b", "pt", [Segment("ctl.txt#1.1", "Olá\x00mundo\x1b",
                                                              "pt", 1.0)])])
    write_report(tmp_path, [doc], {"targets": []}, None)
    raw = (tmp_path / "report.html").read_bytes()
    assert b"\x00" not in raw and b"\x1b" not in raw
    assert "Olá␀mundo␛" in raw.decode("utf-8")


def test_source_column_is_the_original_file_or_says_it_is_not(processed, tmp_path):
    corpus, docs = processed
    fr = next(d for d in docs if d.doc == "fr/pain-lyon-cp1252.txt")
    assert corpus_sources(corpus)(fr) == (corpus / fr.doc).read_bytes()
    changed = tmp_path / "corpus"
    shutil.copytree(corpus, changed)
    (changed / fr.doc).write_bytes(b"edited since")
    assert corpus_sources(changed)(fr) is None
    write_report(tmp_path, [fr], REPORT, corpus_sources(changed))
    assert "Text as read (original file not available)" in (tmp_path / "report.html").read_text()


def test_a_web_pages_source_column_says_it_is_the_extracted_text(tmp_path):
    # It said "original file not available" beside a page that is in the corpus:
    # what a page's report shows is the text extracted from it, not the HTML.
    page = Document("news/lisboa.html", text="Porto reabre", lang="pt", status="ok", blocks=[
        Block("title", "Porto reabre", "pt", [Segment("news/lisboa.html#1.1", "Porto reabre",
                                                      "pt", 1.0)])])
    write_report(tmp_path, [page], REPORT, None)
    html = (tmp_path / "report.html").read_text()
    assert "Text as extracted from the page" in html
    assert "original file not available" not in html


def test_a_source_is_read_through_a_link_only_when_it_stays_in_the_corpus(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    (corpus / "pt").mkdir(parents=True)
    outside.mkdir()
    text = b"Um texto qualquer.\n"
    (corpus / "pt" / "a.txt").write_bytes(text)
    (outside / "b.txt").write_bytes(text)
    (corpus / "inside.txt").symlink_to(corpus / "pt" / "a.txt")
    (corpus / "outside.txt").symlink_to(outside / "b.txt")
    (corpus / "far").symlink_to(outside, target_is_directory=True)
    sources = corpus_sources(corpus)

    def doc(name: str, data: bytes = text) -> Document:
        return Document(name, source=Source(hashlib.sha256(data).hexdigest(), "utf-8",
                                            len(data)))

    assert sources(doc("pt/a.txt")) == text and sources(doc("inside.txt")) == text
    assert sources(doc("outside.txt")) is None and sources(doc("far/b.txt")) is None
    assert sources(doc("pt/a.txt", b"other bytes\n")) is None  # not what was processed
    assert sources(doc("gone.txt")) is None and sources(doc("pt")) is None  # a folder


def test_the_diff_shows_changed_words_and_removed_lines(page):
    html = section(page.read_text(encoding="utf-8"), "article-pt.txt")
    diff = html[html.index('<table class="diff">'):]
    assert "norte<del>·</del>-coreana" in diff  # the split compound, joined
    assert '<tr class="del"><td>-</td><td>Kommentare (0)</td></tr>' in diff


def test_the_diff_goes_paragraph_by_paragraph_as_the_texts_were_aligned():
    """A doubled headline is one removed line, not a shift of every paragraph after it;
    paragraphs left as they were are folded; a changed one is one changed line."""
    source = ("Título do dia\n\nTítulo do dia\n\nUm parágrafo sem mudança.\n\n"
              "Outro parágrafo igual.\n\nO acordo norte -coreano foi assinado.\n")
    clean = ["Título do dia", "Um parágrafo sem mudança.", "Outro parágrafo igual.",
             "O acordo norte-coreano foi assinado."]
    doc = Document("a.txt", text=source, source=Source("0" * 64, "utf-8", len(source)),
                   lang="pt", blocks=[Block("paragraph", t, "pt", [
                       Segment(f"a.txt#{n}.1", t, "pt", 1.0)]) for n, t in enumerate(clean)],
                   fixes=[Fix("repair", "duplicate_headline", "Título do dia", ""),
                          Fix("repair", "split_compound", "norte -coreano", "norte-coreano")])
    html = docpage.render_document(doc, ["en"], source, "d-x")
    diff = html[html.index('<table class="diff">'):html.index("</table>", html.index(
        '<table class="diff">'))]
    rows = re.findall(r'<tr(?: class="(\w+)")?>', diff)
    assert rows == ["", "del", "", "chg"]
    assert '<td class="note">… 1 unchanged paragraph</td>' in diff
    assert '<td class="note">… 2 unchanged paragraphs</td>' in diff
    assert "norte<del>·</del>-coreano" in diff and diff.count("Título do dia") == 1



def reference_align(paragraphs: list[str], blocks: list) -> list:
    """The alignment's rule as first written: each candidate's share of the block's words
    computed in turn, the first best kept (a share of 1 ends the search)."""
    words = docpage._words
    groups: list = []
    nxt = 0
    for item in blocks:
        wanted = words(item[0].text)
        best, where = 0.0, -1
        last = groups[-1][0][-1] if groups and groups[-1][0] and groups[-1][1] else -1
        candidates = ([last] if last >= 0 else []) + list(
            range(nxt, min(len(paragraphs), nxt + docpage.ALIGN_WINDOW)))
        for j in candidates:
            share = (len(wanted & words(paragraphs[j])) / len(wanted) if wanted
                     else float(item[0].text.strip() == paragraphs[j].strip()))
            if share > best:
                best, where = share, j
                if share >= 1.0:
                    break
        if best < docpage.ALIGN_SHARE:
            groups.append(([], [item]))
        elif where == last:
            groups[-1][1].append(item)
        else:
            groups.extend(([k], []) for k in range(nxt, where))
            groups.append(([where], [item]))
            nxt = where + 1
    groups.extend(([k], []) for k in range(nxt, len(paragraphs)))
    return groups


def test_alignment_is_the_share_rule_without_computing_every_share():
    """align() skips the word sets of paragraphs that lack a piece of a block's words
    (or repeat it as it is): the groups must be those of the rule computed in full, on
    texts made to hit every branch (copies, subsets, reordered words, case, compounds
    split or joined, blocks without words, blocks found nowhere)."""
    rng = random.Random(22)
    vocabulary = ["Porto", "porto", "norte", "-coreano", "coreano", "KCNA", "ano", "anos",
                  "2026", "_x", "Ölfeld", "ölfeld", "é", "...", "—", "a", "o"]
    for _ in range(400):
        paragraphs = [" ".join(rng.choices(vocabulary, k=rng.randint(1, 9)))
                      for _ in range(rng.randint(1, 12))]
        blocks = []
        for _ in range(rng.randint(1, 12)):
            words = rng.choice(paragraphs).split() if paragraphs else []
            change = rng.randrange(6)
            if change == 1 and words:  # a subset
                words = rng.sample(words, rng.randint(1, len(words)))
            elif change == 2:  # words from elsewhere
                words = words + rng.choices(vocabulary, k=2)
            elif change == 3:
                words = [w.upper() for w in words]
            elif change == 4:
                words = ["...", "—"] if rng.random() < 0.5 else []
            text = " ".join(words).replace(" -", "-" if change == 5 else " -")
            blocks.append((Block("paragraph", f" {text} " if rng.random() < 0.2 else text),
                           []))
        assert docpage.align(paragraphs, blocks) == reference_align(paragraphs, blocks), (
            paragraphs, [b.text for b, _ in blocks])



def test_a_translation_cell_opened_with_the_cached_tags_is_the_one_escaped_in_full():
    """The aligned table opens each target's translation cells with tags made once per
    target (docpage._translation_cells): the cells must be those escaped in full, for
    targets and texts that need escaping and flags present, empty or absent."""
    from html import escape

    rng = random.Random(22)
    targets = ["en", "de", 'x"y', "<b>", "pt-BR", "&"]
    texts = ["Hi", "a < b", 'say "no"', "\x00ctl", "", "Olá"]
    for _ in range(300):
        tgt = rng.choice(targets)
        seg = Segment("d#1.1", "Olá", "pt", 1.0,
                      {t: rng.choice(texts) for t in rng.sample(targets, rng.randint(0, 3))},
                      {t: rng.sample(["len", "<copy>"], rng.randint(0, 2))
                       for t in rng.sample(targets, rng.randint(0, 2))})
        cell = docpage._translation(seg, tgt, docpage._translation_cells(tgt))
        if tgt not in seg.translations:
            expected = '<td class="missing">[no translation]</td>'
        else:
            text = docpage.esc(seg.translations[tgt])
            flags = seg.flags.get(tgt)
            chips = "".join(f'<span class="flag">{escape(f)}</span>' for f in flags or [])
            qa = ' class="qa"' if flags else ""
            expected = f'<td lang="{escape(tgt)}"{qa}>{text}{chips}</td>'
        assert cell == expected == docpage._translation(seg, tgt), (seg, tgt)


def test_the_word_sets_are_those_of_the_word_regex():
    """docpage._words reads most chunks between spaces without a regex: its sets must be
    those of re.findall(r"\\w+") on the lower-cased text, for texts mixing words,
    digits, underscores, signs, quotes, dashes, non-breaking and other spaces, letters
    whose lower case is longer (İ), combining marks and symbols."""
    rng = random.Random(22)
    pieces = ["Porto", "norte", "-coreano", "KCNA", "2026", "_x", "a_b", "Ölfeld", "İstanbul",
              "é", "e\u0301", "²", "½", "٣", "…", "...", ",", ".", "«", "»", "“", "”", "'",
              '"', "(", ")", "[", "]", "—", "-", "/", "&", "€", "😀", "\u200b", "ǅ"]
    spaces = [" ", "  ", "\n", "\t", "\u00a0", "\u2009", "\u3000", ""]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(spaces)
                       for _ in range(rng.randint(0, 12)))
        expected = frozenset(re.findall(r"\w+", text.lower()))
        assert docpage.word_set(text.lower()) == expected, repr(text)


def test_the_paragraphs_are_those_split_at_the_gaps_the_regex_finds():
    """docpage.paragraph_ranges finds its gaps by str.find and a run of blanks instead of
    a regex search over every character: its paragraphs must be those split at the gaps
    docpage._PARAGRAPH_BREAK finds (the rule as first written, below), for texts mixing
    LF, CR, CRLF, spaces, tabs and other spaces at every place."""
    def reference(text: str) -> list[tuple[int, int]]:
        ranges, pos = [], 0
        for gap in docpage._PARAGRAPH_BREAK.finditer(text):
            if text[pos:gap.start()].strip():
                ranges.append((pos, gap.start()))
            pos = gap.end()
        if text[pos:].strip():
            ranges.append((pos, len(text.rstrip("\r\n"))))
        return ranges

    rng = random.Random(22)
    pieces = ["a", "Olá", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\x0b", "\x0c",
              "\u2028", "x y"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        assert docpage.paragraph_ranges(text) == reference(text), repr(text)

def test_escaping_is_decided_as_the_regex_of_what_it_changes_decides():
    """esc and needs_escape look for the characters they change by str scans and
    str.isprintable before any regex: they must decide as the search for the characters
    escaped or shown as symbols does (the rule as first written), and esc must give
    html.escape's text with the controls as symbols, for texts mixing quotes, markup,
    controls (C0, DEL, C1), line ends, tabs, lone surrogates and spaces that are not
    printable."""
    from html import escape

    from pipeline.writers.review import text as review_text

    special = re.compile("[&<>\"'\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
    rng = random.Random(22)
    pieces = ["Olá", "a", " ", "&", "<", ">", '"', "'", "\x00", "\x08", "\t", "\n", "\x0b",
              "\r", "\x1f", "\x7f", "\x85", "\x9f", "\xa0", "\ud800", "\udfff", "\u2028",
              "\u200b", "\u00ad", "😀", "→"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert review_text.needs_escape(text) == bool(special.search(text)), repr(text)
        expected = review_text._CONTROL.sub(review_text._symbol, escape(text))
        assert review_text.esc(text) == expected, repr(text)


# -- the folder layout ------------------------------------------------------------------


def small_doc(name: str, text: str) -> Document:
    return Document(name, text=text, source=Source(hashlib.sha256(text.encode()).hexdigest(),
                                                   "utf-8", len(text)), lang="pt",
                    lang_score=1.0, blocks=[Block("paragraph", text, "pt", [
                        Segment(f"{name}#1.1", text, "pt", 1.0, {"en": f"[en] {text}"})])])


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The documents whose section is rendered, in order (a folder of 3 documents and
    more, whatever the threshold is; a page per document, unless a test sets
    BLOCK_DOCS again)."""
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)
    monkeypatch.setattr(review, "BLOCK_DOCS", 1, raising=False)
    calls: list[str] = []
    original = review.render_document

    def counting(doc, *args, **kwargs):
        calls.append(doc.doc)
        return original(doc, *args, **kwargs)

    monkeypatch.setattr(review, "render_document", counting)
    return calls


def test_a_large_corpus_gets_a_folder_with_a_page_per_document(tmp_path, rendered):
    docs = [small_doc(f"a{n}.txt", f"Frase número {n}.") for n in range(5)]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    folder = tmp_path / "report"
    assert 'url=report/index.html' in (tmp_path / "report.html").read_text()
    index = (folder / "index.html").read_text()
    for n, doc in enumerate(docs):
        page_html = (folder / "d" / f"{page_id(doc.doc)}.html").read_text()
        assert f"Frase número {n}." in page_html and f"[en] Frase número {n}." in page_html
        assert '<a href="../index.html">index</a>' in page_html
        if n:
            pid = page_id(docs[n - 1].doc)
            assert f'href="{pid}.html#d-{pid}" rel="prev"' in page_html
        if n < 4:
            pid = page_id(docs[n + 1].doc)
            assert f'href="{pid}.html#d-{pid}" rel="next"' in page_html
        assert f'href="d/{page_id(doc.doc)}.html#d-{page_id(doc.doc)}"' in index
    assert (folder / "list" / "0001.html").is_file() and (folder / "flags.html").is_file()
    # The same documents give the same bytes, in a fresh folder too.
    again = tmp_path / "again"
    write_report(again, [d.to_json() for d in docs], {"targets": ["en"]})
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again / "report") for p in again.rglob("report/**/*")
                           if p.is_file())
    assert all((folder / f).read_bytes() == (again / "report" / f).read_bytes() for f in files)


def test_a_rerun_rewrites_only_the_pages_that_changed(tmp_path, rendered):
    docs = [small_doc(f"a{n}.txt", f"Frase número {n}.") for n in range(6)]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert len(rendered) == 6
    pages = tmp_path / "report" / "d"
    before = {p.name: p.read_bytes() for p in pages.iterdir()}
    rendered.clear()
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert rendered == []  # nothing changed: nothing rendered
    docs[3] = small_doc("a3.txt", "Frase mudada.")
    rendered.clear()
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert rendered == ["a3.txt"]
    after = {p.name: p.read_bytes() for p in pages.iterdir()}
    assert [name for name in after if after[name] != before[name]] == [f"{page_id('a3.txt')}.html"]
    # A deleted document: its page goes, its neighbours' links are made again (their
    # sections, the same, are kept from their pages: none is rendered).
    del docs[3]
    rendered.clear()
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert rendered == []
    again = {p.name: p.read_bytes() for p in pages.iterdir()}
    assert sorted(name for name in again if again[name] != after[name]) == sorted(
        f"{page_id(d)}.html" for d in ("a2.txt", "a4.txt"))
    assert sorted(p.name for p in pages.iterdir()) == sorted(
        f"{page_id(d.doc)}.html" for d in docs)
    # Back under the threshold: one page again, and no folder left behind.
    write_report(tmp_path, [d.to_json() for d in docs[:2]], {"targets": ["en"]})
    assert not (tmp_path / "report").exists()
    assert "Frase número 1." in (tmp_path / "report.html").read_text()


def test_a_rerun_with_one_changed_document_writes_only_the_files_that_change(
        tmp_path, rendered, monkeypatch):
    monkeypatch.setattr(review, "LIST_PAGE", 2)  # 6 documents: 3 list pages
    docs = [small_doc(f"a{n}.txt", f"Frase número {n}.") for n in range(6)]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    for path in files:  # an old mtime on every file: a file written again gets a new one
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    docs[3] = small_doc("a3.txt", "Frase mudada.")
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                     if p.is_file() and p.stat().st_mtime_ns != 1_000_000_000)
    # Its page, the list page with its row, the index (its row) and the manifest; not
    # its neighbours, the other list pages, the flags page nor the redirect.
    assert written == sorted([f"report/d/{page_id('a3.txt')}.html", "report/list/0002.html",
                              "report/index.html", "report/manifest.json"])
    assert "Frase mudada." in (tmp_path / "report" / "list" / "0002.html").read_text()
    assert len(files) == len([p for p in tmp_path.rglob("*") if p.is_file()])


def sections_of(folder: Path) -> dict[str, str]:
    """Each section's anchor -> the page (in d/) that holds it."""
    found: dict[str, str] = {}
    for path in (folder / "d").iterdir():
        for anchor in re.findall(r'<section class="doc" id="(d-\w+)">', path.read_text()):
            assert anchor not in found, f"{anchor} on two pages"
            found[anchor] = path.name
    return found


def test_documents_share_block_pages_each_reached_at_its_anchor(tmp_path, rendered,
                                                                monkeypatch):
    monkeypatch.setattr(review, "BLOCK_DOCS", 8, raising=False)
    docs = [small_doc(f"a{n:02d}.txt", f"Frase número {n}.") for n in range(40)]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    folder = tmp_path / "report"
    where = sections_of(folder)
    pids = [page_id(d.doc) for d in docs]
    assert sorted(where) == sorted(f"d-{p}" for p in pids)
    pages = sorted(set(where.values()))
    assert 1 < len(pages) < len(docs)
    # A block starts where a name's hash says (the first document aside) and is named
    # after its first document.
    firsts = [n for n, p in enumerate(pids) if n == 0 or where[f"d-{p}"] != where[
        f"d-{pids[n - 1]}"]]
    assert len(firsts) == len(pages)
    assert all(review.starts_block(pids[n]) for n in firsts[1:])
    assert sorted(f"{pids[n]}.html" for n in firsts) == pages
    index = (folder / "index.html").read_text()
    for n, pid in enumerate(pids):
        link = f"d/{where[f'd-{pid}']}#d-{pid}"
        assert f'"{link}"' in index  # the index's row links the section
        html = (folder / "d" / where[f"d-{pid}"]).read_text()
        start = html.index(f'<section class="doc" id="d-{pid}">')
        nav = html[html.rindex('<nav class="pager">', 0, start):start]
        for near, rel in ((n - 1, "prev"), (n + 1, "next")):
            if 0 <= near < len(docs):
                other = pids[near]
                same = where[f"d-{other}"] == where[f"d-{pid}"]
                href = f"#d-{other}" if same else f"{where[f'd-{other}']}#d-{other}"
                assert f'<a href="{href}" rel="{rel}">' in nav
            else:
                assert f'rel="{rel}"' not in nav


def test_a_changed_document_renders_only_its_section_and_writes_only_its_block(
        tmp_path, rendered, monkeypatch):
    monkeypatch.setattr(review, "BLOCK_DOCS", 8, raising=False)
    docs = [small_doc(f"a{n:02d}.txt", f"Frase número {n}.") for n in range(40)]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    pages = tmp_path / "report" / "d"
    before = {p.name: p.read_bytes() for p in pages.iterdir()}
    home = sections_of(tmp_path / "report")[f"d-{page_id('a17.txt')}"]
    assert before[home].count(b'<section class="doc"') > 1
    docs[17] = small_doc("a17.txt", "Frase mudada.")
    rendered.clear()
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert rendered == ["a17.txt"]  # the other sections of its page are kept
    after = {p.name: p.read_bytes() for p in pages.iterdir()}
    assert [name for name in after if after[name] != before[name]] == [home]
    fresh = tmp_path / "fresh"
    write_report(fresh, [d.to_json() for d in docs], {"targets": ["en"]})
    assert all((fresh / "report" / "d" / name).read_bytes() == data
               for name, data in after.items())
    # A section whose key is not the one its document needs is not kept on its word.
    page = pages / home
    page.write_text(page.read_text().replace("Frase número 16.", "Frase falsa."))
    key = review.section_key("\0".join([review.PAGE_VERSION, review.CSP, "en"]),
                             hashlib.sha256(docs[16].to_json().encode()).hexdigest())
    page.write_text(page.read_text().replace(f"<!--k {key}-->", "<!--k " + "0" * 32 + "-->"))
    docs[17] = small_doc("a17.txt", "Frase mudada outra vez.")
    rendered.clear()
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert sorted(rendered) == ["a16.txt", "a17.txt"] and "Frase falsa." not in page.read_text()


def test_an_added_document_writes_only_its_own_block(tmp_path, rendered, monkeypatch):
    monkeypatch.setattr(review, "BLOCK_DOCS", 8, raising=False)
    docs = [small_doc(f"a{n:02d}.txt", f"Frase número {n}.") for n in range(40)]
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    pages = tmp_path / "report" / "d"
    before = {p.name: p.read_bytes() for p in pages.iterdir()}
    where = sections_of(tmp_path / "report")
    # Between two documents of the same page, a name that starts no block.
    at = next(n for n in range(20, 39) if where[f"d-{page_id(docs[n].doc)}"]
              == where[f"d-{page_id(docs[n + 1].doc)}"])
    name = next(f"a{at:02d}-{k}.txt" for k in range(100)
                if not review.starts_block(page_id(f"a{at:02d}-{k}.txt")))
    docs.insert(at + 1, small_doc(name, "Frase nova."))
    rendered.clear()
    write_report(tmp_path, [d.to_json() for d in docs], {"targets": ["en"]})
    assert rendered == [name]
    after = {p.name: p.read_bytes() for p in pages.iterdir()}
    home = sections_of(tmp_path / "report")[f"d-{page_id(name)}"]
    assert sorted(after) == sorted(before)
    assert [p for p in after if after[p] != before[p]] == [home]


def test_a_run_over_the_threshold_writes_the_folder(corpus_copy, tmp_path, monkeypatch):
    from pipeline.log import RunLog
    from pipeline.runner import RunOptions, run

    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 3)
    out = tmp_path / "out"
    with open(os.devnull, "w") as quiet:
        run(corpus_copy, out, Config(targets=["en"]), RunOptions(), RunLog(stream=quiet),
            engine=TaggingEngine())
    pages = "".join(p.read_text() for p in (out / "report" / "d").iterdir())
    docs = [json.loads(line)["doc"] for line in (out / "documents.jsonl").open()]
    assert len(docs) == 5 and all(  # each document's section, on one page
        pages.count(f'<section class="doc" id="d-{page_id(d)}">') == 1 for d in docs)
    assert "report/index.html" in (out / "report.html").read_text()


# -- marking: linear, capped where it says so, the same marks as before ------------------


def article(sentences: int, distinct: bool = False) -> tuple[Document, str]:
    """A Portuguese article of ``sentences`` sentences, one split compound fixed in each
    (the same one, or each its own), as the stages leave it; and its source text."""
    def split(i: int) -> tuple[str, str]:
        return (f"nort{i} -cor{i}", f"nort{i}-cor{i}") if distinct else (
            "norte -coreana", "norte-coreana")

    source = " ".join(f"Uma frase {split(i)[0]}." for i in range(sentences))
    clean = [f"Uma frase {split(i)[1]}." for i in range(sentences)]
    doc = Document(
        "artigo.txt", text=source, source=Source("0" * 64, "utf-8", len(source)), lang="pt",
        blocks=[Block("paragraph", " ".join(clean), "pt", [
            Segment(f"artigo.txt#1.{i + 1}", text, "pt", 1.0) for i, text in enumerate(clean)
        ])],
        fixes=[Fix("repair", "split_compound", *split(i)) for i in range(sentences)],
    )
    return doc, source


class CountedText(str):
    """A text that counts the searches made in it and allows at most ``limit``."""

    def __new__(cls, text: str, limit: int):
        self = super().__new__(cls, text)
        self.searches, self.limit = 0, limit
        return self

    def find(self, *args):
        self.searches += 1
        assert self.searches <= self.limit, f"more than {self.limit} searches"
        return super().find(*args)


def test_marking_searches_the_source_once_per_fix(tmp_path):
    # The page writer searched the text again for every occurrence a fix passed:
    # 1,500 fixes of one text took over a million searches (minutes), not 1,500.
    doc, source = article(1_500)
    assert len(source) < DETAIL_CHARS  # the source is searched as given
    # The searches of marking (one per fix, one more), and the two of
    # paragraph_ranges (the first line end and carriage return: none here).
    text = CountedText(source, limit=len(doc.fixes) + 3)
    write_report(tmp_path, [doc], REPORT, lambda _: text)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    # Every occurrence is marked, in the source and in the clean copy.
    assert page.count(">norte -coreana</mark>") == 1_500
    assert page.count(">norte-coreana</mark>") == 1_500
    assert "up to a limit" not in page


def test_marking_stops_at_its_limit_and_the_page_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(marks, "MARK_TEXTS", 10)
    doc, source = article(15, distinct=True)
    write_report(tmp_path, [doc], REPORT, lambda _: source)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    note = "the first 10 of the document's 15 fixes were looked for"
    assert page.count(note) == 2  # the source column and the clean column
    assert ">nort9 -cor9</mark>" in page and ">nort9-cor9</mark>" in page
    assert ">nort10 -cor10</mark>" not in page and ">nort10-cor10</mark>" not in page


def test_tables_of_fixes_and_removed_lines_are_capped_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(docpage, "TABLE_ROWS", 5)
    doc, source = article(8, distinct=True)
    doc.removed = [Removed(f"Partilhar {i}", "widget label") for i in range(7)]
    write_report(tmp_path, [doc], REPORT, lambda _: source)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "The table shows the first 5 of the document's 8 fixes" in page
    assert "The table shows the first 5 of the document's 7 removed lines" in page
    assert "<td>nort4 -cor4</td>" in page and "<td>nort5 -cor5</td>" not in page
    assert "<td>Partilhar 4</td>" in page and "<td>Partilhar 5</td>" not in page


def test_a_block_longer_than_the_page_shows_is_cut(tmp_path):
    # One paragraph of 5,000 sentences: the clean column used to show all of it.
    doc, source = article(5_000)
    assert len(doc.blocks[0].text) > DETAIL_CHARS
    write_report(tmp_path, [doc], REPORT, lambda _: source)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    shown = page.count(' title="artigo.txt#1.')
    assert 0 < shown < 5_000 and shown * len("Uma frase norte-coreana. ") <= DETAIL_CHARS + 25
    hidden = len(doc.blocks[0].text) - DETAIL_CHARS
    assert f"{hidden:,} more characters of the clean copy are not shown" in page


def reference_marks(texts: list[str], fixes: list[Fix], side: str,
                    taken: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """What the page marked before it was made linear: text by text, each pending fix at
    its first occurrence clear of the marks so far (the oracle, slow and plain)."""
    pending = [f for f in fixes if getattr(f, side).strip()]
    result = []
    for text, spans in zip(texts, taken, strict=True):
        marks: list[tuple[int, int]] = []
        for fix in list(pending):
            needle = getattr(fix, side)
            for start in range(len(text) - len(needle) + 1):
                end = start + len(needle)
                if text[start:end] == needle and not any(
                    start < e and s < end for s, e in spans + marks
                ):
                    marks.append((start, end))
                    pending.remove(fix)
                    break
        result.append(sorted(marks))
    return result


def test_marks_are_those_the_page_made_before():
    # Short texts over a two-letter alphabet: overlapping and repeated fix texts,
    # foreign spans in the way, texts that only occur across two segments.
    rng = random.Random(16)
    for _ in range(300):
        texts = ["".join(rng.choice("ab ") for _ in range(rng.randint(1, 12)))
                 for _ in range(rng.randint(1, 4))]
        fixes = [Fix("repair", "k", "", "".join(rng.choice("ab ") for _ in range(
            rng.randint(1, 3)))) for _ in range(rng.randint(1, 8))]
        spans: list[list[tuple[int, int]]] = []
        for text in texts:
            start = rng.randint(0, len(text) - 1)
            spans.append([(start, start + 1)] if rng.random() < 0.5 else [])
        segments = [Segment(f"d#1.{i + 1}", t, "pt") for i, t in enumerate(texts)]
        doc = Document("d", lang="pt", fixes=fixes, spans=[
            Span(texts[i][s:e], "de", s, e, f"d#1.{i + 1}")
            for i, ranges in enumerate(spans) for s, e in ranges])
        found, looked = marks.segment_marks(doc, segments)
        got = [sorted((m.start, m.end) for m in seg if m.css == "fix") for seg in found]
        assert got == reference_marks(texts, fixes, "after", spans), (texts, fixes, spans)
        assert looked == len(fixes)
        whole = " ".join(texts)
        whole_marks, _ = marks.mark_fixes(whole, fixes, "after")
        assert sorted((m.start, m.end) for m in whole_marks) == reference_marks(
            [whole], fixes, "after", [[]])[0]


def test_report_json_timings_cover_the_whole_run_phase_by_phase(corpus_copy, tmp_path):
    from pipeline.log import RunLog
    from pipeline.runner import RunOptions, run

    # A translating engine, so that every phase has work.
    engine = TaggingEngine()
    out = tmp_path / "out"
    with open(os.devnull, "w") as quiet:
        started = time.perf_counter()
        result = run(corpus_copy, out, Config(targets=["en"]), RunOptions(started=started),
                     RunLog(stream=quiet), engine=engine)
        wall = time.perf_counter() - started
    timings = json.loads((out / "report.json").read_text(encoding="utf-8"))["timings_s"]
    assert timings == result.report["timings_s"]
    phases = ["start", "discover", "process", "translate", "sections", "write", "aggregates",
              "pages"]
    assert list(timings) == ["total", *phases]
    assert all(seconds >= 0 for seconds in timings.values())
    # The phases are parts of the run, one after another (translate and the sections
    # rendered in the workers are parts of process), and the run is all of the call but
    # returning: report.json comes after the page.
    parts = sum(timings[p] for p in phases if p not in ("translate", "sections"))
    assert parts <= timings["total"] + 0.01 and timings["total"] <= wall + 0.001
    assert timings["translate"] > 0 and timings["pages"] > 0



def test_a_title_that_closes_the_script_element_stays_data(tmp_path):
    doc = small_doc("x.txt", "</script><script>document.title = 'hacked'</script><!--")
    write_report(tmp_path, [doc], {"targets": ["en"]})
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    parsed = Elements(html)
    assert len(parsed.scripts) == 2  # the index data and the page's script, no other
    rows = json.loads(parsed.scripts[0][1])["rows"]
    assert rows[0][-1] == "</script><script>document.title = 'hacked'</script><!--"


def test_pages_rendered_by_several_processes_are_the_same(processed, tmp_path, monkeypatch):
    corpus, docs = processed
    monkeypatch.setattr(review, "SINGLE_PAGE_DOCUMENTS", 2)
    monkeypatch.setattr(review, "BLOCK_DOCS", 1)  # a page per document
    write_report(tmp_path / "here", docs, REPORT, corpus_sources(corpus))
    monkeypatch.setattr(review, "PARALLEL_AFTER", 2)
    monkeypatch.setattr(review, "BATCH", 3)
    monkeypatch.setattr(review, "render_processes", lambda: 2)
    pools = []

    class Pool(review.ProcessPoolExecutor):
        def map(self, *args, **kwargs):
            pools.append(len(args[1]))
            return super().map(*args, **kwargs)

    monkeypatch.setattr(review, "ProcessPoolExecutor", Pool)
    write_report(tmp_path / "pool", docs, REPORT, corpus_sources(corpus))
    assert pools == [3, 3]  # 2 pages rendered here, then batches of 3 in the processes
    here, pool = tmp_path / "here" / "report", tmp_path / "pool" / "report"
    files = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    # pages, index, flags, one list page, manifest, the style and the script
    assert len(files) == len(docs) + 6
    assert all((here / f).read_bytes() == (pool / f).read_bytes() for f in files)


def test_stored_totals_are_not_shown_as_what_this_run_did():
    """An unchanged rerun copies nothing: the copied sentences and parallel segments are
    totals of the stored outputs and stand apart from what this run found; a skipped
    file is one of a format the pipeline does not read (HTML and records are read)."""
    from pipeline.writers.review.overview import _run_table

    html = _run_table({
        "skipped": [{"path": "scan.pdf", "suffix": ".pdf"}],
        "translation": {"pairs": {}, "copied": {"en": 8}},
        "parallel_segments": {"pt-en": 3},
    })
    this_run = html[html.index("<h3>This run</h3>"):html.index("<h3>Stored outputs</h3>")]
    stored = html[html.index("<h3>Stored outputs</h3>"):]
    assert "scan.pdf" in this_run and "not .txt or .md" not in this_run
    assert "a format the pipeline does not read" in this_run
    assert "en: 8" in stored and "pt-en: 3" in stored
    assert "en: 8" not in this_run


def test_the_page_version_follows_the_code_that_renders_the_pages(tmp_path):
    """An edit to any module of the review package gives a new page version, so every
    page (and the index an unchanged rerun would keep) is rebuilt once."""
    package = Path(review.__file__).parent
    copy = tmp_path / "review"
    copy.mkdir()
    for path in package.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    assert review.code_version(copy) == review.PAGE_VERSION
    overview = copy / "overview.py"
    overview.write_text(overview.read_text(encoding="utf-8").replace(
        "Stored outputs", "Stored totals"), encoding="utf-8")
    assert review.code_version(copy) != review.PAGE_VERSION


def test_align_pairs_blocks_as_the_shares_of_their_words_decide():
    """docpage.align skips a paragraph that lacks a piece of a block's words (ASCII
    letters near its end, then pieces of its lower-cased first and last words) before
    comparing word sets: it must pair blocks and paragraphs as the rule computed from the
    word sets alone does (below), for texts mixing cases, signs, digits, letters beyond
    ASCII whose lower case depends on their place or grows (Σ, İ), and short words."""
    from pipeline.document import Block

    def reference(paragraphs: list[str], texts: list[str]) -> list[tuple[list[int], list[str]]]:
        groups: list[tuple[list[int], list[str]]] = []
        stripped = [p.strip() for p in paragraphs]
        nxt = 0
        for raw in texts:
            text = raw.strip()
            last = groups[-1][0][-1] if groups and groups[-1][0] and groups[-1][1] else -1
            order = ([last] if last >= 0 else []) + list(
                range(nxt, min(len(paragraphs), nxt + docpage.ALIGN_WINDOW)))
            wanted = docpage.word_set(text.lower())

            def share(j: int, text: str = text, wanted: frozenset = wanted) -> float:
                if text == stripped[j]:
                    return 1.0
                held = docpage.word_set(stripped[j].lower())
                return len(wanted & held) / len(wanted) if wanted else 0.0

            best, where = 0.0, -1
            for j in order:
                if share(j) == 1.0:
                    best, where = 1.0, j
                    break
            if where < 0:
                for j in order:
                    if share(j) > best:
                        best, where = share(j), j
            if best < docpage.ALIGN_SHARE:
                groups.append(([], [raw]))
            elif where == last:
                groups[-1][1].append(raw)
            else:
                groups.extend(([k], []) for k in range(nxt, where))
                groups.append(([where], [raw]))
                nxt = where + 1
        groups.extend(([k], []) for k in range(nxt, len(paragraphs)))
        return groups

    rng = random.Random(2222)
    words = ["a", "O", "em", "2023", "norte", "Norte", "-coreano", "ΟΔΟΣ", "οδος", "İstanbul",
             "istanbul", "ção", "Informação", "abc_def", "«KCNA»", "x.y", "Rússia", "2026."]
    for _ in range(1_500):
        paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
                      for _ in range(rng.randint(1, 6))]
        texts = [rng.choice([rng.choice(paragraphs), " ".join(
            rng.choice(words) for _ in range(rng.randint(1, 5)))]) for _ in range(
                rng.randint(1, 6))]
        got = [(p, [b.text for b, _ in bl]) for p, bl in docpage.align(
            paragraphs, [(Block("paragraph", t), []) for t in texts])]
        docpage._word_sets.clear()
        assert got == reference(paragraphs, texts), (paragraphs, texts)


def test_the_word_diff_finds_the_runs_and_common_ends_the_plain_loops_find():
    """docpage.token_diff measures an equal run by galloping over list slices, and
    _common_start / _common_end bisect with str.startswith / str.endswith: they must
    give what a token-by-token loop and a character-by-character comparison give (the
    rules as first written, below), for lines that share starts, ends and runs."""
    def runs(old: list[str], new: list[str]) -> list[tuple[str, list[str], list[str]]]:
        out: list[tuple[str, list[str], list[str]]] = []
        i = j = 0
        n, m = len(old), len(new)
        while i < n and j < m:
            si, sj = i, j
            while i < n and j < m and old[i] == new[j]:
                i, j = i + 1, j + 1
            if i > si:
                out.append(("=", old[si:i], new[sj:j]))
            if i == n or j == m:
                break
            found = next(((i + di, j + t - di) for t in range(1, 2 * docpage.RESYNC + 1)
                          for di in range(max(0, t - docpage.RESYNC),
                                          min(t, docpage.RESYNC) + 1)
                          if i + di < n and j + t - di < m and old[i + di] == new[j + t - di]
                          and old[i + di].strip()), None)
            if found is None:
                break
            out.append(("~", old[i:found[0]], new[j:found[1]]))
            i, j = found
        if i < n or j < m:
            out.append(("~", old[i:], new[j:]))
        return out

    def prefix(a: str, b: str) -> int:
        k = 0
        while k < min(len(a), len(b)) and a[k] == b[k]:
            k += 1
        return k

    rng = random.Random(2223)
    pieces = ["a", "b", " ", "-", "ab", "norte", " -", ".", "ç", "\t"]
    for _ in range(5_000):
        base = [rng.choice(pieces) for _ in range(rng.randint(0, 40))]
        other = [p if rng.random() < 0.85 else rng.choice(pieces) for p in base]
        other[rng.randint(0, len(other)):0] = [rng.choice(pieces)] * rng.randint(0, 2)
        assert docpage.token_diff(base, other) == runs(base, other), (base, other)
        a, b = "".join(base), "".join(other)
        start, low = docpage._common_start(a, b), prefix(a, b)
        run = docpage._run_class(a[low - 1]) if low else ""
        if run and ((low < len(a) and docpage._run_class(a[low]) == run)
                    or (low < len(b) and docpage._run_class(b[low]) == run)):
            while low and docpage._run_class(a[low - 1]) == run:
                low -= 1
        assert start == low, (a, b)
        end = docpage._common_end(a, b, start)
        assert end == docpage._common_start(a[start:][::-1], b[start:][::-1]), (a, b)


def test_a_folder_link_is_not_called_a_file_of_a_format_the_pipeline_does_not_read():
    """The runner lists a link to a folder of the corpus as skipped (suffix
    "(folder link)"); the overview names it as such, apart from unread formats."""
    from pipeline.writers.review.overview import _run_table

    html = _run_table({"skipped": [{"path": "scan.pdf", "suffix": ".pdf"},
                                   {"path": "mirror", "suffix": "(folder link)"}]})
    unread = html[html.index("a format the pipeline does not read"):]
    unread = unread[:unread.index("</tr>")]
    links = html[html.index("folder links (not followed"):]
    links = links[:links.index("</tr>")]
    assert "scan.pdf" in unread and "mirror" not in unread
    assert "1: mirror" in links



def test_the_lead_sentence_counts_the_fixes_the_index_lists_and_the_removed_lines_apart(
        processed, tmp_path):
    # The sample corpus's lead said "20 fixes, 12 removed lines" above an index whose
    # documents listed 8 fixes: report.json's fixes_by_kind counts every fix record, the
    # removed lines (widget labels, a doubled headline) among them, so they were counted
    # twice. The index lists 10 here: the seed's 3 split compounds, the mojibake
    # article's 4, the cp1252 article's encoding fix and the CRLF article's 2.
    corpus, docs = processed
    report = dict(REPORT, fixes_by_kind={"split_compound": 3, "widget_label": 19}, removed=12)
    write_report(tmp_path, iter(docs), report, corpus_sources(corpus))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    data = json.loads(Elements(html).scripts[0][1])
    listed = [dict(zip(data["col"], row, strict=True))["fixes"] for row in data["rows"]]
    assert sum(listed) == 10
    lead = html[html.index('<p class="lead">'):]
    assert " 10 fixes, 12 removed lines;" in lead[: lead.index("</p>")]
    assert "<h3>Fixes and removed lines by kind</h3>" in html


def test_the_run_table_lists_deferred_files_and_copies_not_rebuilt(processed, tmp_path):
    # report.json listed the files --min-age left for the next run and the record files
    # whose copies the run did not rebuild; the page said neither.
    corpus, docs = processed
    report = dict(REPORT, deferred=[{"doc": "news/new-today.txt", "age_s": 12.0,
                                     "reason": "modified 12 s ago"}],
                  copies_not_rebuilt=[{"doc": "dump.jsonl", "reason": "changed while read"}])
    write_report(tmp_path, iter(docs), report, corpus_sources(corpus))
    text = "".join(Elements((tmp_path / "report.html").read_text(encoding="utf-8")).text)
    assert "this run: 1 left for the next run (--min-age)." in text  # the lead sentence
    assert "left for the next run (modified less than --min-age ago)1: news/new-today.txt" in text
    assert ("record files whose copies this run did not rebuild (changed while read)"
            "1: dump.jsonl") in text
