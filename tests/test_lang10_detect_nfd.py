"""Decomposed (NFD) text is detected as its composed form is: lingua's n-grams are
composed, and NFD Vietnamese was English, French or und."""

import unicodedata

import pytest

from pipeline.config import DEFAULT_CANDIDATES
from pipeline.stages.detect import Detect


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("vi", "Chính phủ đã công bố kế hoạch mới cho giao thông công cộng ở Hà Nội."),
        ("vi", "Liệu kế hoạch có thành công không?"),
    ],
)
def test_decomposed_sentence_gets_its_language(lang, text):
    detect = Detect(DEFAULT_CANDIDATES)
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert detect.languages([text])[0][0] == lang
    assert detect.languages([decomposed])[0][0] == lang
