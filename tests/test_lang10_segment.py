"""Sentence splitting of numbers and decomposed (NFD) text in many languages.

Each case failed before the change it names (one segment where there are two, or
two where there is one): a sentence cut wrongly is a wrong translation unit and a
wrong parallel pair. Every split gives the line back when joined with the
whitespace between the sentences.
"""

import unicodedata

import pytest

from tests.test_segment_languages import split


# A sentence that ends in a number whose last digit stands alone after a joiner (a
# score, a decimal comma, a version) ends there; the single digit was read as an
# initial ("J. Smith") and the two sentences went out as one.
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("O Benfica venceu por 2-1. Os adeptos festejaram.",
         ["O Benfica venceu por 2-1.", "Os adeptos festejaram."]),
        ("Der FC gewann das Spiel 3:1. Die Fans jubelten.",
         ["Der FC gewann das Spiel 3:1.", "Die Fans jubelten."]),
        ("Температура поднялась до 36,6. Врач пришёл утром.",
         ["Температура поднялась до 36,6.", "Врач пришёл утром."]),
        ("Wir arbeiten mit Version 2.0. Die nächste folgt bald.",
         ["Wir arbeiten mit Version 2.0.", "Die nächste folgt bald."]),
        ("Η ομάδα έχασε με 0–2. Ο προπονητής παραιτήθηκε.",
         ["Η ομάδα έχασε με 0–2.", "Ο προπονητής παραιτήθηκε."]),
        ("Spotkanie zakończyło się wynikiem 1:1. Kibice wyszli.",
         ["Spotkanie zakończyło się wynikiem 1:1.", "Kibice wyszli."]),
    ],
)
def test_a_number_ending_in_one_digit_ends_its_sentence(line, expected):
    assert split(line) == expected


# A digit standing alone is still an ordinal or a list number, as before.
@pytest.mark.parametrize(
    "line",
    [
        "Pobijedili su na 4. Međunarodnom festivalu u Splitu.",
        "Dva su razloga: 1. Prvi je novac.",
        "Sie wurde am 3. Oktober geboren.",
    ],
)
def test_a_digit_alone_before_a_period_still_goes_on(line):
    assert split(line) == [line]


# Text saved decomposed (NFD: a letter, then its accent as a combining mark) keeps
# the abbreviations and months the lists hold composed, and its accented initials;
# each was split after.
@pytest.mark.parametrize(
    "line",
    [
        "Był tam św. Jan z Krakowa.",
        "Vegeu la pàg. Següent del llibre.",
        "Geçen yıl bkz. Örn. Ali geldi.",
        "Az ún. Szabály szerint döntöttek.",
        "Příští týden např. Petr přijde.",
        "Die Sitzung war am Montag, 17. März wieder.",
        "Článek napsal Č. Novák včera.",  # an initial with its accent
    ],
)
def test_decomposed_text_splits_as_composed_text(line):
    decomposed = unicodedata.normalize("NFD", line)
    assert decomposed != line
    assert split(decomposed) == [decomposed]


# Right-to-left text keeps its direction marks (the normalize stage removes them only
# from text without right-to-left letters): after a sentence mark or before the next
# sentence's first word they glued two sentences into one.
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("هل ستنجح الخطة؟\u200f يرى الخبراء ذلك.",
         ["هل ستنجح الخطة؟\u200f", "يرى الخبراء ذلك."]),
        ("هل ستنجح الخطة؟ \u200fيرى الخبراء ذلك.",
         ["هل ستنجح الخطة؟", "\u200fيرى الخبراء ذلك."]),
        ("השר הגיע.\u200f מה הוא אמר?", ["השר הגיע.\u200f", "מה הוא אמר?"]),
        ("השר אמר \u202bשלום.\u202c הוא הלך.", ["השר אמר \u202bשלום.\u202c", "הוא הלך."]),
        ("این برنامه موفق است؟\u200f \u2067کارشناسان می‌گویند بله.\u2069",
         ["این برنامه موفق است؟\u200f", "\u2067کارشناسان می‌گویند بله.\u2069"]),
    ],
)
def test_direction_marks_around_a_sentence_mark_do_not_glue_sentences(line, expected):
    assert split(line) == expected


def test_a_direction_mark_after_an_initial_keeps_it_an_initial():
    line = "قال د.\u200f محمد إنه سيأتي غدا."
    assert split(line) == [line]


# Armenian typed without its full stop "։" writes ":" between Armenian words, and its
# own colon is "․": such a ":" before an Armenian capital ends the sentence (two
# sentences went out as one).
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Նախագահի այցը կարևոր իրադարձություն է: Այդ մասին հայտնել են։",
         ["Նախագահի այցը կարևոր իրադարձություն է:", "Այդ մասին հայտնել են։"]),
        ("Նա ասաց՝ «Գնանք»: Հետո նրանք գնացին:",
         ["Նա ասաց՝ «Գնանք»:", "Հետո նրանք գնացին:"]),
    ],
)
def test_armenian_typed_colon_ends_a_sentence(line, expected):
    assert split(line) == expected


@pytest.mark.parametrize(
    "line",
    ["Մարզիկը 8:0 հաշվով հաղթեց։", "Ժամը 14:21 է։", "Աղբյուրը: armenpress.am",
     "Note: Հայաստան is a country."],
)
def test_other_colons_stay_inside_the_sentence(line):
    assert split(line) == [line]


# Hindi, Marathi and Bengali honorifics before a name: their scripts have no capitals,
# so the name after "डॉ." looked like a new sentence and the title went out alone.
@pytest.mark.parametrize(
    "line",
    [
        "कल डॉ. शर्मा ने अस्पताल का दौरा किया।",
        "बैठक में प्रो. वर्मा और पं. जसराज भी थे।",
        "सभेत मा. आमदार आणि सौ. पाटील उपस्थित होत्या.",
        "ডা. রহমান আজ হাসপাতালে এলেন।",
        "ગઈકાલે ડૉ. પટેલ હોસ્પિટલ આવ્યા.",
        "ਕੱਲ੍ਹ ਡਾ. ਸਿੰਘ ਹਸਪਤਾਲ ਆਏ।",
        "నిన్న డా. రావు ఆసుపత్రికి వచ్చారు.",
    ],
)
def test_indic_honorifics_do_not_end_a_sentence(line):
    assert split(line) == [line]


def test_a_devanagari_sentence_still_ends_before_the_next():
    assert split("डॉ. शर्मा आए। फिर वे लौटे।") == ["डॉ. शर्मा आए।", "फिर वे लौटे।"]
