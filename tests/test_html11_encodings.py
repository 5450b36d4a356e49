"""Legacy encodings guessed from bytes (no BOM, no declared charset, no <html lang>):
texts written here in the languages of browsers' legacy encodings."""

from __future__ import annotations

import pytest

from pipeline.extract_html import decode_page
from pipeline.stages.read import decode_bytes

HEBREW = ("שלום לכולם. הממשלה החליטה היום על תוכנית חדשה לחינוך בבתי הספר בכל רחבי הארץ, "
          "והשרים הסכימו שהתקציב יגדל בשנה הבאה.")
ARABIC = ("أعلنت الحكومة اليوم عن خطة جديدة لتطوير التعليم في جميع أنحاء البلاد، وقال الوزير "
          "إن الميزانية ستزداد في العام المقبل.")
JAPANESE = ("政府は今日、全国の教育を発展させるための新しい計画を発表しました。"
            "大臣は来年予算が増えると述べました。")
KOREAN = ("정부는 오늘 전국의 교육을 발전시키기 위한 새로운 계획을 발표했으며, "
          "장관은 내년 예산이 늘어날 것이라고 말했다.")
GREEK = ("Η κυβέρνηση ανακοίνωσε σήμερα ένα νέο σχέδιο για την εκπαίδευση σε όλη τη χώρα, "
         "και ο υπουργός είπε ότι ο προϋπολογισμός θα αυξηθεί.")
RUSSIAN = ("Правительство сегодня объявило о новом плане развития образования по всей стране, "
           "и министр сказал, что бюджет вырастет в следующем году.")
PORTUGUESE = ("O governo anunciou hoje um novo plano para a educação em todo o país, e o ministro "
              "disse que o orçamento aumentará no próximo ano.")

CASES = [(HEBREW, "cp1255"), (ARABIC, "cp1256"), (JAPANESE, "euc_jp"), (KOREAN, "euc_kr"),
         # controls, right before the change too
         (GREEK, "cp1253"), (RUSSIAN, "cp1251"), (RUSSIAN, "koi8_r"), (PORTUGUESE, "cp1252")]
IDS = ["he", "ar", "ja", "ko", "el", "ru", "ru-koi8", "pt"]


@pytest.mark.parametrize(("text", "encoding"), CASES, ids=IDS)
def test_text_file_in_legacy_encoding_is_read_right(text, encoding):
    # Hebrew was read as Cyrillic (cp1125, then cp1251), Arabic as cp1251, EUC-JP as
    # cp1252 and EUC-KR as iso-8859-15.
    assert decode_bytes(text.encode(encoding))[0] == text


@pytest.mark.parametrize(("text", "encoding"), CASES, ids=IDS)
def test_page_without_charset_is_read_right(text, encoding):
    page = f"<html><head><title>x</title></head><body><p>{text}</p></body></html>"
    assert decode_page(page.encode(encoding))[0] == page


def test_guess_is_an_encoding_browsers_offer():
    # cp1125 (a Ukrainian DOS code page) was the guess for this Hebrew text
    assert decode_bytes(HEBREW.encode("cp1255"))[1] == "cp1255"


@pytest.mark.parametrize("text", ["Калиновский пал в битве.", "Такава била и практиката."])
def test_short_cyrillic_sentence_is_not_read_as_iso_8859_6_arabic(text):
    # with the Arabic word list, ISO-8859-6 read these as Arabic fragments and diacritics
    assert decode_bytes(text.encode("cp1251"))[0] == text
