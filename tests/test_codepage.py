"""Text of a legacy code page read as Windows-1252 or Latin-1 and saved so (a scraper's
default charset): the normalize stage reads it again in its code page
(:func:`pipeline.stages.normalize.fix_codepage_misread`). The sentences are our own."""

from __future__ import annotations

import json

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")
import pytest

from pipeline.cli import main
from pipeline.stages.normalize import MISREAD_PAGES, Normalize, fix_codepage_misread
from tests.test_cleanup import clean

RUSSIAN = "Эксперты считают, что запуск связан с переговорами в Сеуле и Вашингтоне."
GREEK = "Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα για την οικονομία της χώρας."
HEBREW = "הממשלה הודיעה היום על צעדים חדשים לתמיכה בכלכלה."
ARABIC = "أعلنت الحكومة اليوم عن إجراءات جديدة لدعم الاقتصاد."


@pytest.mark.parametrize("text, page", [
    (RUSSIAN, "cp1251"), (RUSSIAN, "koi8_r"), (GREEK, "cp1253"), (HEBREW, "cp1255"),
    (ARABIC, "cp1256"),
])
@pytest.mark.parametrize("read_as", ["sloppy-windows-1252", "latin-1"])
def test_a_line_read_in_the_wrong_code_page_is_read_again(text, page, read_as):
    misread = text.encode(page).decode(read_as)
    assert misread != text
    assert fix_codepage_misread(misread) == (text, page)


@pytest.mark.parametrize("line", [
    "A AÇÃO DO ÓRGÃO ÉÉÉ «À ÁREA» é o que há.",  # capitals, guillemets
    "Þórður og Ævar fóru á Ísafjörð í gær.",  # Icelandic
    "Ðàò Ðüò",  # too short to tell
    "Ã©tÃ© Ã  Paris",  # UTF-8 read as Windows-1252: ftfy's
])
def test_text_that_is_no_code_page_misread_is_left_alone(line):
    assert fix_codepage_misread(line) == (line, "")


def test_the_normalize_stage_records_the_fix_and_keeps_other_lines():
    misread = RUSSIAN.encode("cp1251").decode("cp1252")
    doc = clean(f"Notícia de hoje\n{misread}\n", Normalize())
    assert doc.text == f"Notícia de hoje\n{RUSSIAN}\n"
    kinds = {f.kind for f in doc.fixes}
    assert kinds == {"codepage"}


def test_the_short_lines_of_a_misread_document_are_read_in_its_code_page():
    # Too short for the word lists, a heading or a name stayed misread while the
    # paragraph under it was read again; "Íîâîñòè" was then detected as French.
    text = f"Новости\n\nИ. Петров\n\n{RUSSIAN}\n\nCafé 2024\n"
    doc = clean(text.encode("cp1251", errors="replace").decode("latin-1")
                .replace("Caf?", "Café"), Normalize())
    assert doc.text == text
    # alone, a short misread line is left as it is: nothing tells its code page
    alone = clean("Íîâîñòè\n\nCafé 2024\n", Normalize())
    assert alone.text == "Íîâîñòè\n\nCafé 2024\n" and alone.fixes == []


def test_a_run_reads_a_misread_record_as_russian(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-models"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    misread = RUSSIAN.encode("cp1251").decode("latin-1")
    (corpus / "dump.jsonl").write_text(
        json.dumps({"id": 1, "text": misread}, ensure_ascii=False) + "\n", encoding="utf-8")
    main(["run", str(corpus), "--out", str(tmp_path / "out"), "--to", "en"])
    doc = json.loads((tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8"))
    assert doc["lang"] == "ru"
    assert {f["kind"] for f in doc["fixes"]} == {"codepage"}
    record = json.loads((tmp_path / "out" / "clean" / "dump.jsonl").read_text(encoding="utf-8"))
    assert record["text"] == RUSSIAN


def test_a_long_misread_line_looks_each_distinct_word_up_once(monkeypatch):
    # Every word was looked up in the word lists of every code page's languages: a
    # 5 MB misread line took 68 s; a word said 500 times needs one lookup.
    from pipeline import wordfreq_store

    calls: list[str] = []
    real = wordfreq_store.zipf_frequency

    def counted(word: str, lang: str, *args, **kwargs) -> float:
        calls.append(word)
        return real(word, lang, *args, **kwargs)

    monkeypatch.setattr(wordfreq_store, "zipf_frequency", counted)
    line = " ".join([RUSSIAN] * 500)
    fixed, page = fix_codepage_misread(line.encode("cp1251").decode("latin-1"))
    assert (fixed, page) == (line, "cp1251")
    # 11 distinct words, 5,500 in all: at most one lookup a word, language and code page
    assert 0 < len(calls) <= 11 * 5 * len(MISREAD_PAGES) < 5500


def test_a_line_with_the_symbols_its_code_page_writes_is_read_again():
    # "№" and "°" are cp1251's own: one of them ruled the right reading out
    text = "Приказ № 5 подписан вчера, в Москве было +25 °C и сухо."
    misread = text.encode("cp1251").decode("sloppy-windows-1252")
    assert fix_codepage_misread(misread) == (text, "cp1251")
