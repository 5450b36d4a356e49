"""Saved web pages a stranger still lost (brief html10), on pages written here."""

from __future__ import annotations

import pytest

from pipeline.extract_html import extract

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
