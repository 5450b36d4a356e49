"""Do no harm (harm14): clean articles that the cleanup stages changed.

Each test is a short article written for it, showing one damage that
``bench/harm.py --split dev`` found on the lingua sentences: a hard-wrapped paragraph
left wrapped, a spaced quote half closed up, an HTML page's characters dropped or its
headline taken for a site's name.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.extract_html import extract
from pipeline.readers.html import ExtractHtml
from pipeline.stages.boilerplate import Boilerplate
from pipeline.stages.normalize import Normalize
from pipeline.stages.read import Read
from pipeline.stages.repair import Repair
from tests.test_cleanup import clean

# --- unwrapping ---------------------------------------------------------------------


def test_a_wrapped_paragraph_with_two_lines_starting_with_a_number_is_unwrapped():
    # Two of its lines start like list items ("13. ", "30. "): they were taken for a
    # list, and the paragraph kept its line breaks. Numbers that do not follow one
    # another are no list.
    lines = ["Domes sēdē tika izskatīti vairāki jautājumi par pilsētas attīstību un",
             "13. Būvvaldes amatpersonas atbildību par teritorijas plānošanu, zemes",
             "ierīcību un būvniecību, ko deputāti apsprieda līdz vēlam vakaram, un",
             "30. augustā lēmums tika pieņemts ar lielu balsu vairākumu."]
    doc = clean("Domes sēde\n\n" + "\n".join(lines) + "\n")
    assert doc.clean_text() == "Domes sēde\n\n" + " ".join(lines) + "\n"


def test_a_numbered_list_keeps_its_lines():
    text = ("Programa do congresso\n\n"
            "1. Abertura oficial pelo presidente da associação nacional\n"
            "2. Debate sobre o futuro da imprensa regional em Portugal\n"
            "3. Encerramento com a entrega dos prémios de jornalismo\n")
    assert clean(text).clean_text() == text


def test_a_short_line_before_a_phrase_too_long_for_it_is_unwrapped():
    # Thai writes a phrase without spaces: wrapped at 72 columns, a line may end short
    # before a long phrase (here 63 characters), and the block was taken for lines of
    # their own ("ณ" and the name of the hall alone on their lines).
    lines = ["เมื่อวันที่ ๑๕ มีนาคม ผู้ว่าราชการจังหวัดได้เดินทางไปตรวจเยี่ยมโครงการพัฒนา ณ",
             "ห้องประชุมเทศบาลเมือง",
             "และได้มอบนโยบายให้แก่เจ้าหน้าที่ทุกคนเพื่อให้การดำเนินงานเป็นไป อย่างมีประสิทธิภาพ",
             "ทั้งนี้ประชาชนในพื้นที่ต่างให้การต้อนรับเป็นอย่างดี"]
    widest = max(len(line) for line in lines[:-1])  # the column: the phrase did not fit
    assert len(lines[1]) < 30 and len(lines[1]) + 1 + len(lines[2].split()[0]) > widest
    doc = clean("ผู้ว่าฯ ตรวจเยี่ยมโครงการ\n\n" + "\n".join(lines) + "\n")
    assert doc.clean_text() == "ผู้ว่าฯ ตรวจเยี่ยมโครงการ\n\n" + " ".join(lines) + "\n"


def test_an_address_under_a_long_line_keeps_its_lines():
    text = ("Contacto\n\n"
            "Para mais informações sobre a exposição, escreva à organização:\n"
            "Rua das Flores, 12\n"
            "1000-100 Lisboa\n")
    assert clean(text).clean_text() == text


# --- quotes spaced inside -------------------------------------------------------------


def test_a_quote_spaced_inside_on_both_sides_keeps_its_spaces():
    # "” X ”": the writer spaces the quote inside; taking out the space before the
    # closing one only ("” X”") made it lopsided.
    text = ("ახალი სეზონი\n\n"
            "1985 წლის 29 მაისს ”ლივერპული” ჩემპიონთა თასის ფინალში ” იუვენტუსს ” "
            "ხვდებოდა.\n")
    doc = clean(text)
    assert doc.clean_text() == text
    assert not doc.fixes


def test_a_spaced_quote_in_a_line_that_also_holds_curly_quotes_keeps_its_spaces():
    # The “ elsewhere in the paragraph made every ” a closing one: "ფინალში” იუვენტუსს”".
    text = ("ახალი სეზონი\n\n"
            "გუნდმა “დიდი” გამარჯვება მოიპოვა. 1985 წლის 29 მაისს ”ლივერპული” ჩემპიონთა "
            "თასის ფინალში ” იუვენტუსს ” ხვდებოდა.\n")
    doc = clean(text)
    assert doc.clean_text() == text
    assert not doc.fixes


def test_a_closing_quote_after_an_unspaced_opening_one_is_closed_up():
    doc = clean("Notícias\n\nO clube ”Benfica ” venceu o jogo de ontem à noite.\n")
    assert doc.clean_text() == "Notícias\n\nO clube ”Benfica” venceu o jogo de ontem à noite.\n"


# --- HTML pages -----------------------------------------------------------------------


def page(title: str, *paragraphs: str, head: str = "") -> bytes:
    body = "".join(f"<p>{text}</p>\n" for text in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8">{head}'
            f"<title>{title}</title></head>\n<body><article><h1>{title}</h1>\n{body}"
            "</article></body></html>\n").encode()


PARAGRAPHS = (
    "Landsholdet vandt i går aftes over Sverige med tre mål mod et i Parken, hvor over "
    "tredive tusind tilskuere havde fundet vej trods regnen.",
    "Træneren var efter kampen godt tilfreds med indsatsen og roste især forsvaret, der "
    "kun gav gæsterne få chancer i hele anden halvleg.",
)


def test_a_headline_with_a_period_in_a_part_of_it_names_no_site():
    # The <title> is the <h1>, the headline: its part after " - " was taken for the
    # site's name.
    title = "Borgen, 1969 - DAB nr. 860 - Pris og bestilling"
    found = extract(page(title, *PARAGRAPHS))
    assert found.metadata.get("title") == title
    assert "sitename" not in found.metadata


def test_a_site_name_the_page_declares_is_kept():
    title = "Borgen, 1969 - Politiken.dk"
    head = '<meta property="og:site_name" content="Politiken.dk">'
    found = extract(page(title, *PARAGRAPHS, head=head))
    assert found.metadata.get("sitename") == "Politiken.dk"


def cleaned_page(data: bytes) -> Document:
    doc = Document("page.html", raw=data)
    for stage in (ExtractHtml(), Read(), Normalize(), Boilerplate(), Repair()):
        doc = stage.process(doc)
    return doc


def test_a_pages_windows_1252_apostrophes_read_as_c1_controls_are_repaired_not_dropped():
    # U+0092 is what a Windows-1252 ’ becomes read as Latin-1: a text file gets it
    # repaired (normalize), a page lost it ("dun conseil").
    first = ("Le tribunal a annulé la délibération d\x92un conseil municipal portant sur "
             "l\x92eau et l\x92assainissement de la commune.")
    doc = cleaned_page(page("Décision du tribunal", first, *PARAGRAPHS))
    assert "d’un conseil municipal portant sur l’eau et l’assainissement" in doc.clean_text()
    assert any(fix.kind == "mojibake" for fix in doc.fixes)


def test_a_pages_soft_hyphens_are_removed_with_a_fix_recorded():
    first = ("Den er med til at udvik\xadlings\xadlandene mister deres oprindelige såsæd "
             "og biodiversitet, siger forskeren.")
    doc = cleaned_page(page("Frø og biodiversitet", first, *PARAGRAPHS))
    assert "at udviklingslandene mister" in doc.clean_text()
    assert [(fix.kind, fix.before) for fix in doc.fixes if "\xad" in fix.before]


def test_a_no_break_space_inside_a_number_on_a_page_is_kept_as_in_a_text_file():
    first = ("I 2004 var det rundt 14\xa0000 som heitte Einar i Noreg, og 17\xa0500 som "
             "heitte Ola, viser tal frå Statistisk sentralbyrå.")
    doc = cleaned_page(page("Namn i Noreg", first, *PARAGRAPHS))
    assert "rundt 14\xa0000 som heitte Einar i Noreg, og 17\xa0500 som" in doc.clean_text()
    text_file = clean(f"Namn i Noreg\n\n{first}\n")
    assert text_file.clean_text() == f"Namn i Noreg\n\n{first}\n"


# --- no-break spaces --------------------------------------------------------------------


def test_czech_no_break_spaces_after_one_letter_conjunctions_are_kept():
    # Czech binds every one-letter word to the next: "v\u00a0Praze" was kept, "a\u00a0místy"
    # and "i\u00a0ožívá" became plain spaces.
    text = ("Nové hnutí\n\n"
            "Žije a\u00a0místy i\u00a0ožívá spíše v\u00a0neformálních hnutích a\u00a0skupinách, "
            "v\u00a0malých církvích o\u00a0nichž se mluví jen u\u00a0nás.\n")
    doc = clean(text)
    assert doc.clean_text() == text
    assert not doc.fixes


def test_a_no_break_space_after_a_in_other_text_is_still_a_space():
    doc = clean("Notícias\n\nEle voltou a\u00a0casa ontem à noite depois do jogo.\n")
    assert doc.clean_text() == "Notícias\n\nEle voltou a casa ontem à noite depois do jogo.\n"
