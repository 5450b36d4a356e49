"""Sentence ends after an address or a unit written with "/"."""

from pipeline.stages.segment import split_sentences


def test_an_address_ending_in_a_short_part_ends_its_sentence():
    assert split_sentences("Mehr unter https://example.org/a.b. Danach ging es weiter.") == [
        "Mehr unter https://example.org/a.b.", "Danach ging es weiter."]
    assert split_sentences("Siehe www.example.de/docs/v.2. Danach kam nichts.") == [
        "Siehe www.example.de/docs/v.2.", "Danach kam nichts."]


def test_a_unit_with_a_slash_ends_its_sentence():
    assert split_sentences("Er fuhr 100 km/h. Danach bremste er.") == [
        "Er fuhr 100 km/h.", "Danach bremste er."]


def test_initials_and_abbreviations_without_a_slash_still_go_on():
    assert split_sentences("Das ist z.B. Peter. I met J.R.R. Tolkien. Mr./Mrs. Smith came.") == [
        "Das ist z.B. Peter.", "I met J.R.R. Tolkien.", "Mr./Mrs. Smith came."]


def test_etc_before_a_capitalised_word_and_a_lower_case_one_ends_its_sentence():
    assert split_sentences("Wir haben Käse, Brot usw. Das war genug.") == [
        "Wir haben Käse, Brot usw.", "Das war genug."]
    assert split_sentences("Apples, pears, etc. The market closed at noon.") == [
        "Apples, pears, etc.", "The market closed at noon."]


def test_etc_before_a_name_or_an_acronym_goes_on():
    assert split_sentences("Apples, pears, etc. John Smith sold them. Pears etc. IBM did.") == [
        "Apples, pears, etc. John Smith sold them.", "Pears etc. IBM did."]
