"""Decoding: UTF-8 first, legacy encodings recognised, binary refused."""

import codecs

import pytest

from pipeline.document import Document
from pipeline.stages.read import DecodeError, Read, decode_bytes

PT = "A Coréia do Norte e a Rússia assinaram um acordo; as tensões aumentam “muito” – diz ele."


def test_utf8_is_decoded_as_is():
    assert decode_bytes(PT.encode("utf-8")) == (PT, "utf-8")


def test_utf8_bom_is_dropped():
    assert decode_bytes(codecs.BOM_UTF8 + PT.encode("utf-8")) == (PT, "utf-8-sig")


@pytest.mark.parametrize(
    "text, encoding",
    [
        (PT, "cp1252"),
        ("Über die Straße gehen Bürger und Ärzte, schön wäre es.", "cp1252"),
        ("Le président a déclaré à Paris que l'économie était forte.", "latin-1"),
        ("Zażółć gęślą jaźń, powiedział minister w środę.", "cp1250"),
    ],
)
def test_legacy_encoding_is_recognised_by_the_words_it_gives(text, encoding):
    decoded, _ = decode_bytes(text.encode(encoding))
    assert decoded == text


def test_binary_file_is_refused_with_a_reason():
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")


def test_read_stage_records_the_legacy_encoding_as_a_fix():
    doc = Read().process(Document(doc="a.txt", raw=PT.encode("cp1252")))
    assert doc.text == PT
    assert doc.source.encoding == "cp1252"
    assert doc.source.size == len(PT.encode("cp1252"))
    assert [(f.kind, f.before, f.after) for f in doc.fixes] == [("encoding", "cp1252", "utf-8")]


def test_french_guillemets_survive_cp1252():
    text = "« Nous n’avons pas le choix », explique Hélène, boulangère à Lyon."
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_random_bytes_are_refused_as_undecodable():
    import random

    rng = random.Random(1)
    noise = bytes(rng.randrange(1, 256) for _ in range(2000))
    with pytest.raises(DecodeError, match="undecodable"):
        decode_bytes(noise)


def test_decoding_does_not_depend_on_the_hash_seed():
    import subprocess
    import sys

    code = (
        "from pipeline.stages.read import decode_bytes\n"
        "texts = ['« Non », dit-il à Lyon.', 'Grüße aus Köln – schön!', 'Ação é já.', "
        "'¿Qué? «Sí», señor.']\n"
        "for t in texts:\n"
        "    for enc in ('cp1252', 'latin-1'):\n"
        "        print(decode_bytes(t.encode(enc, 'replace')))\n"
    )
    answers = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONHASHSEED": str(seed), "PATH": ""}, check=True).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(answers) == 1


def test_legacy_decoding_looks_up_one_word_list_at_a_time(monkeypatch):
    # A burst of lookups maps most of a word list into the process: each list's
    # pages are released before the next list is read, so one counts at a time.
    from pipeline.stages import read

    events = []
    monkeypatch.setattr(read, "zipf_frequency", lambda word, lang: events.append(lang) or 1.0)
    monkeypatch.setattr(read, "release", lambda langs: events.append(("released", *langs)))
    monkeypatch.setattr(read, "_best_zipf", {})
    read.look_up(["ação", "coréia", "ação"])
    assert events == [e for lang in read.PLAUSIBILITY_LANGS
                      for e in (lang, lang, ("released", lang))]
    events.clear()
    assert read.best_zipf("ação") == 1.0 and events == []  # answered from the cache


@pytest.mark.parametrize(
    "text",
    [
        # the only non-ASCII bytes are typography: cp850/cp775 turn “I into "ôI"/"ōI"
        # (a rare word of some list) and ’ into a letter, cp1125 £ into "г"
        "He said: “I was there, and the BBC’s crew too.”",
        "The ticket costs £12 now and £3 for children – cheaper than before.",
        # cp1250 turns ¿ into ż, and "żY" into the Polish word "ży"
        "¿Y qué dijo el ministro? Nada más.",
        # read as mac-latin2 before
        "It’s fair to say “I” is the word, Rocco Catalano said.",
    ],
)
def test_a_file_whose_only_non_ascii_bytes_are_typography_stays_cp1252(text):
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Příliš žluťoučký kůň úpěl ďábelské ódy, řekl včera ministr.", "cp1250"),
        ("Az elnök szerint a következő hónapban új törvény lesz.", "cp1250"),
        ("Η κυβέρνηση ανακοίνωσε χθες νέα μέτρα για την οικονομία.", "cp1253"),
        ("Vyriausybė vakar paskelbė naujas priemones ekonomikai.", "cp1257"),
    ],
)
def test_central_european_greek_and_baltic_files_are_not_taken_for_cp1252(text, encoding):
    assert decode_bytes(text.encode(encoding))[0] == text
