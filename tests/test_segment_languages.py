"""Sentence splitting beyond the seven languages it was first tuned on.

Each case failed before this file (one segment where there are two, or two where
there is one). Every split must give the line back when joined with the whitespace
between the sentences, as the Segmenter relies on.
"""

import pytest

from pipeline.document import Block, Document
from pipeline.stages.segment import Segmenter, split_sentences


def split(line: str) -> list[str]:
    sentences = split_sentences(line)
    # Joining the sentences with the whitespace between them gives the line back.
    rebuilt, pos = "", 0
    for sentence in sentences:
        at = line.index(sentence, pos)
        assert line[pos:at].strip() == "", (line, sentences)
        rebuilt += line[pos:at] + sentence
        pos = at + len(sentence)
    assert rebuilt + line[pos:] == line
    return sentences


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Greek: the question mark is ";" (U+037E becomes ";" under NFC)
        ("Είναι αυτή η δεύτερη; Ναι, είναι η δεύτερη.",
         ["Είναι αυτή η δεύτερη;", "Ναι, είναι η δεύτερη."]),
        ("Είναι αυτή η δεύτερη\u037e Ναι.", ["Είναι αυτή η δεύτερη\u037e", "Ναι."]),
        # Armenian full stop U+0589
        ("Հայաստանը լեռնային երկիր է։ Երևանը նրա մայրաքաղաքն է։",
         ["Հայաստանը լեռնային երկիր է։", "Երևանը նրա մայրաքաղաքն է։"]),
        # Urdu full stop U+06D4, also after a space
        ("یہ شہر بہت پرانا ہے۔ لوگ یہاں دور سے آتے ہیں ۔ بازار بڑا ہے۔",
         ["یہ شہر بہت پرانا ہے۔", "لوگ یہاں دور سے آتے ہیں ۔", "بازار بڑا ہے۔"]),
        # Amharic full stop U+1362
        ("አዲስ አበባ ትልቅ ከተማ ናት። ብዙ ሰዎች ይኖራሉ።", ["አዲስ አበባ ትልቅ ከተማ ናት።", "ብዙ ሰዎች ይኖራሉ።"]),
        # Georgian letters are lower case to Unicode, but Georgian has no capitals
        ("თბილისი დიდი ქალაქია. იქ ბევრი ხალხი ცხოვრობს.",
         ["თბილისი დიდი ქალაქია.", "იქ ბევრი ხალხი ცხოვრობს."]),
        # Marathi: the word before the period ends in a consonant after a mark
        ("त्यांना कृत्रिम अवयव म्हणतात. आज ते सहज मिळतात.",
         ["त्यांना कृत्रिम अवयव म्हणतात.", "आज ते सहज मिळतात."]),
        # Korean: a one-syllable word is a word, not an initial
        ("그것은 아주 좋은 것. 다음 날 우리는 다시 왔다.",
         ["그것은 아주 좋은 것.", "다음 날 우리는 다시 왔다."]),
        # Chinese: a quotation that ends the sentence
        ("他问：“怎么办？”没有人回答。", ["他问：“怎么办？”", "没有人回答。"]),
        # German and French quotes open sentences
        ("Sie schwieg lange. „Warum?“, fragte er dann.",
         ["Sie schwieg lange.", "„Warum?“, fragte er dann."]),
        ("Il a dit « Bon. » Puis il est parti.", ["Il a dit « Bon. »", "Puis il est parti."]),
        # Latin "est." ends sentences
        ("Roma magna est. Caesar venit.", ["Roma magna est.", "Caesar venit."]),
    ],
)
def test_sentence_marks_and_starts_of_other_languages(line, expected):
    assert split(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Он живёт на ул. Ленина уже десять лет.",  # Russian street
        "Zwiedziliśmy m.in. Kraków i Gdańsk, np. Wawel.",  # Polish
        "Jedziemy na ul. Długą, tzw. Trakt Królewski.",
        "Byli tam dva lidé, tj. Petr a Jana.",  # Czech
        "Vi tog bilen, dvs. Volvon, till stan.",  # Swedish
        "Vi ses i morgen kl. 14 ved kirken.",  # Danish: before a number
        "Man kan f.eks. Danmark nævne.",
        "Monet kaupungit, esim. Helsinki, kasvavat.",  # Finnish
        "Η απόφαση αρ. 14 δημοσιεύτηκε, βλ. Παράρτημα.",  # Greek
        "Wir treffen uns am 17. Dezember in Köln.",  # German ordinals
        "Er wurde der 45. Präsident.",
        "Objavljeno 24. 10. 2013 na spletu.",  # a day and a month
        "เขาทำงานที่ กทม. มาสิบปีแล้ว",  # Thai abbreviation (Bangkok)
        "11. Ορισμός Επιτροπής παραλαβής του έργου.",  # a list number opens the line
    ],
)
def test_abbreviations_ordinals_and_list_numbers_do_not_end_sentences(line):
    assert split(line) == [line]


def test_an_address_ending_in_a_listed_abbreviation_still_ends_its_sentence():
    # "pl." is Polish "plac" and Hungarian "például", but "allegro.pl" is an address
    assert split("Zwiedził m.in. Kraków, a bilet kupił na allegro.pl. Przyszedł szybko.") == [
        "Zwiedził m.in. Kraków, a bilet kupił na allegro.pl.",
        "Przyszedł szybko.",
    ]


def test_an_english_age_after_i_am_ends_its_sentence():
    # German "am 17. Dezember" is an ordinal; English "I am 17." is an age that ends one
    assert split("“I am 72. I have seen it all,” he said. Er kam am 17. Spieltag.") == [
        "“I am 72.", "I have seen it all,” he said.", "Er kam am 17. Spieltag."]


def test_the_segmenter_splits_each_line_of_a_greek_and_urdu_block():
    text = "Τι ώρα είναι; Είναι αργά.\nیہ اچھا ہے۔ وہ بھی۔"
    doc = Document("d.txt", blocks=[Block("paragraph", text)])
    texts = [s.text for s in Segmenter().process(doc).segments()]
    assert texts == ["Τι ώρα είναι;", "Είναι αργά.", "یہ اچھا ہے۔", "وہ بھی۔"]


def handed(monkeypatch) -> list[tuple[int, int]]:
    """The lengths of the sentence and of the rest of the line that each call of
    ends_sentence is handed, from now on."""
    from pipeline.stages import segment

    seen: list[tuple[int, int]] = []
    real = segment.ends_sentence

    def spy(candidate: str, rest: str) -> bool:
        seen.append((len(candidate), len(rest)))
        return real(candidate, rest)

    monkeypatch.setattr(segment, "ends_sentence", spy)
    return seen


def test_each_sentence_end_reads_a_few_characters_of_the_line_after_it(monkeypatch):
    # ends_sentence was handed the whole rest of the line at every period: a 5 MB line of
    # short sentences took 17 s of copying (0.5 s before the rules of many languages).
    seen = handed(monkeypatch)
    line = "Er kam am 17. Dezember wieder. Objavljeno 24. 10. 2013 na spletu. " * 2000
    sentences = split(line)
    assert len(sentences) == 4000
    assert sentences[:2] == ["Er kam am 17. Dezember wieder.", "Objavljeno 24. 10. 2013 na spletu."]
    # five marks a repeat, the last one ends the line
    assert len(seen) == 9999 and max(rest for _, rest in seen) <= 40


def test_a_long_run_of_quotes_before_a_period_is_read_once():
    # The closing quotes that end a sentence were stripped with a regular expression
    # anchored at the end, tried from every quote of a run: 40,000 quotes took 23 s of
    # processor time, 100,000 about 2.5 minutes; read from the end they take
    # milliseconds. The bound is thousands of times what it takes (processor time of
    # this thread, which a busy machine does not stretch).
    import time

    line = "Ele disse " + "”" * 100_000 + "não. Depois saiu."
    started = time.thread_time()
    assert split(line) == [line[:-13], "Depois saiu."]
    assert time.thread_time() - started < 10


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # An acronym in capitals is not the abbreviation of another language it spells
        # (Croatian "npr.", Danish "pga."): the English sentence ends there.
        ("She told NPR. The station declined to comment.",
         ["She told NPR.", "The station declined to comment."]),
        ("He won the PGA. Next year he retired.", ["He won the PGA.", "Next year he retired."]),
        # the abbreviations themselves, and a line all in capitals, are kept
        ("Uzmi npr. Zagreb ili Split.", ["Uzmi npr. Zagreb ili Split."]),
        ("THE MAYOR OF ST. LOUIS RESIGNED.", ["THE MAYOR OF ST. LOUIS RESIGNED."]),
    ],
)
def test_an_acronym_in_capitals_ends_a_sentence(line, expected):
    assert split(line) == expected


def test_a_long_run_of_marks_that_end_no_sentence_hands_a_bounded_head(monkeypatch):
    # "Mr. Mr. Mr. ...": each mark was handed the whole sentence from its start, so a
    # line of them was quadratic (20 KB: 0.47 s, 100 KB about 12 s).
    from pipeline.stages.segment import HEAD_CHARS

    seen = handed(monkeypatch)
    line = "Disse o Sr. " + "Mr. " * 25_000 + "Kozlov. Depois saiu."
    assert split(line) == [line[: -len(" Depois saiu.")], "Depois saiu."]
    assert len(seen) == 25_002 and max(head for head, _ in seen) <= HEAD_CHARS + 4
