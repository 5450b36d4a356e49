"""Translated copies between scripts written with and without spaces."""

from pipeline.document import Block, Segment
from pipeline.stages.translate import translated_block


def block(text: str, pairs: list[tuple[str, str]], tgt: str) -> Block:
    return Block("paragraph", text, segments=[
        Segment(f"d#1.{n}", src, translations={tgt: out})
        for n, (src, out) in enumerate(pairs, start=1)])


def test_chinese_sentences_translated_into_english_are_spaced():
    b = block("港口周一重新开放。部长说：“很好。”工人回来了吗？", [
        ("港口周一重新开放。", "The port reopened on Monday."),
        ("部长说：“很好。”", 'The minister said: "Good."'),
        ("工人回来了吗？", "Did the workers come back?")], "en")
    assert translated_block(b, "en") == (
        'The port reopened on Monday. The minister said: "Good." Did the workers come back?')


def test_english_sentences_translated_into_japanese_lose_the_space():
    b = block("The port reopened. Did they come back?", [
        ("The port reopened.", "港が再開した。"),
        ("Did they come back?", "彼らは戻ったか？")], "ja")
    assert translated_block(b, "ja") == "港が再開した。彼らは戻ったか？"


def test_spaced_languages_keep_the_source_whitespace_and_lines():
    b = block("Olá.  Tudo bem?\nSim.", [
        ("Olá.", "Hello."), ("Tudo bem?", "All good?"), ("Sim.", "Yes.")], "en")
    assert translated_block(b, "en") == "Hello.  All good?\nYes."


def test_thai_sentences_keep_the_space_that_ends_them():
    b = block("The port reopened. The workers came back.", [
        ("The port reopened.", "ท่าเรือเปิดอีกครั้ง"),
        ("The workers came back.", "คนงานกลับมาแล้ว")], "th")
    assert translated_block(b, "th") == "ท่าเรือเปิดอีกครั้ง คนงานกลับมาแล้ว"
