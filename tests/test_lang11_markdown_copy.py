"""A Markdown file's translated copy spaces sentences as a plain translated copy does."""

from pipeline.document import Block, Document, Segment
from pipeline.readers.markdown import parse, translated_copy
from pipeline.stages.segment import split_sentences


def copy(markdown: str, translations: dict[str, str], tgt: str) -> str | None:
    """``markdown`` read into one block per slot, each sentence translated as given."""
    layout, _ = parse(markdown)
    doc = Document("a.md", markdown=layout)
    for number, slot in enumerate(layout["slots"]):
        slot["block"] = number
        doc.blocks.append(Block(slot["kind"], slot["text"], segments=[
            Segment(f"a.md#{number + 1}.{n}", text, translations={tgt: translations[text]})
            for n, text in enumerate(split_sentences(slot["text"]), start=1)]))
    return translated_copy(doc, tgt)


def test_chinese_sentences_translated_into_english_are_spaced():
    text = "港口周一重新开放。**部长**说好。工人回来了吗？\n"  # markers of translated
    # segments are dropped (kept only where a segment is copied as it is)
    assert copy(text, {
        "港口周一重新开放。": "The port reopened on Monday.",
        "部长说好。": "The minister approved.",
        "工人回来了吗？": "Did the workers come back?"}, "en") == (
        "The port reopened on Monday. The minister approved. Did the workers come back?\n")


def test_english_sentences_translated_into_japanese_lose_the_space():
    text = "- The port *reopened*. **Did they** come back?\n"
    assert copy(text, {
        "The port reopened.": "港が再開した。",
        "Did they come back?": "彼らは戻ったか？"}, "ja") == "- 港が再開した。彼らは戻ったか？\n"


def test_spaced_languages_keep_the_source_whitespace():
    assert copy("> Olá.  Tudo bem?\n", {"Olá.": "Hello.", "Tudo bem?": "All good?"},
                "en") == "> Hello.  All good?\n"
