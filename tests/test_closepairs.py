"""Close languages lingua confuses, settled by their words (pipeline/stages/closepairs.py).

Each sentence below was written for this test. On 758c2ee (before closepairs),
`pipeline detect` answered each with the other language of its pair (in the
comment); the pure functions are covered by the module's doctests.
"""

import pytest

from pipeline.detect_cli import detect_lines
from pipeline.stages.detect import Detect


@pytest.fixture(scope="module")
def detect() -> Detect:
    return Detect(["pt", "de", "en", "es", "fr"])


@pytest.mark.parametrize(
    "line, lang",
    [
        # Malay "balik" (Indonesian "pulang"), read as Indonesian
        ("Saya ingat dia sudah balik ke rumahnya.", "ms"),
        # Indonesian by wordfreq's lists ("hingga", "warung"), read as Malay
        ("Kami tinggal di kampung itu hingga akhir tahun.", "id"),
        ("Ibu membeli beras di warung dekat rumah.", "id"),
        # Bosnian "da li" and "sa" before any word, read as Croatian
        ("Da li radnici mogu dobiti otpremninu?", "bs"),
        ("Koncert je održan sa velikim uspjehom.", "bs"),
        # Croatian "je li", read as Bosnian
        ("Je li utakmica završena s rezultatom dva naprema jedan?", "hr"),
        # Bokmål "uka" (Nynorsk "veka"), read as Nynorsk
        ("Lønna kom i uka som gikk.", "nb"),
        # Nynorsk "gje" (Bokmål "gi"), "-talet" (Bokmål "-tallet"), read as Bokmål
        ("Laget måtte gje tapt mot Rosenborg i finalen.", "nn"),
        ("Albumet kom ut på 1970-talet.", "nn"),
    ],
)
def test_pipeline_detect_settles_close_pairs_by_their_words(detect, line, lang):
    assert detect_lines(detect, [line], scores=False) == [lang]


@pytest.mark.parametrize(
    "line",
    [
        # plain Ukrainian with "і" and none of Kazakh's letters: lingua gave Kazakh
        # all its confidence
        "Думаю, що це тобі цікаво.",
        "Мені здається, що це тобі знайомо.",
    ],
)
def test_ukrainian_without_kazakh_letters_is_not_kazakh(detect, line):
    assert detect_lines(detect, [line], scores=False) == ["uk"]


def test_the_stage_settles_each_line_it_reads(detect):
    lines = ["Da li je pjevačica otkazala koncert?", "Koncert je održan sa velikim uspjehom."]
    assert [lang for lang, _ in detect.languages(lines)] == ["bs", "bs"]
