"""Detect stage: the language of the document, of each segment, and foreign spans.

Scoring is kept apart from deciding (as OpusFilter does): :class:`LanguageScorer`
returns numbers (langdetect probabilities restricted to the candidate languages,
word frequencies per language), and the decision rules live together in
:class:`Detect` with their thresholds named at the top of this module.

langdetect is made deterministic by seeding its factory: the same text gets the
same answer in every run and process.
"""

from __future__ import annotations

import re
from functools import lru_cache

from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from wordfreq import zipf_frequency

from pipeline.document import Document, Span, Stage

# --- decision rules -------------------------------------------------------------
# Segments of at most this many words are too short for character n-grams alone.
SHORT_SEGMENT_WORDS = 3
# A short segment keeps the document's language when the document language's word
# frequencies reach this share of the best language's.
SHORT_PRIOR_SHARE = 0.8
# Below this langdetect probability a segment falls back to the document language
# when that language is among the candidates langdetect still considers.
LOW_CONFIDENCE = 0.5
# A word is foreign when it is (nearly) unknown in the document language
# (Zipf frequency below FOREIGN_MAX_HOME), common in another candidate language
# (at least FOREIGN_MIN_OTHER) and at least FOREIGN_MARGIN more frequent there.
FOREIGN_MAX_HOME = 1.0
FOREIGN_MIN_OTHER = 3.0
FOREIGN_MARGIN = 2.5
# Words shorter than this never make a span on their own (too ambiguous).
FOREIGN_MIN_CHARS = 4

SEED = 0
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


class LanguageScorer:
    """Language scores for a text, restricted to the candidate languages."""

    def __init__(self, candidates: list[str]):
        known = set(_factory().get_lang_list())
        self.candidates = [c for c in candidates if c in known]

    def ngram_scores(self, text: str) -> dict[str, float]:
        """langdetect probabilities over the candidates (empty if it finds no features).

        >>> LanguageScorer(["pt", "de"]).ngram_scores("As tensões na política mundial aumentam")
        {'pt': 1.0}
        """
        detector = _factory().create()
        detector.set_prior_map({c: 1.0 for c in self.candidates})
        detector.append(text)
        try:
            found = detector.get_probabilities()
        except LangDetectException:
            return {}
        return {p.lang: round(p.prob, 4) for p in found if p.lang in self.candidates}

    def word_scores(self, words: list[str]) -> dict[str, float]:
        """Sum of each word's Zipf frequency per candidate language.

        >>> LanguageScorer(["pt", "de"]).word_scores(["Kommentare"])
        {'pt': 0.0, 'de': 4.51}
        """
        return {
            lang: round(sum(zipf_frequency(w, lang) for w in words), 4)
            for lang in self.candidates
        }


class Detect(Stage):
    """Set ``doc.lang``, each segment's ``lang`` and ``score``, and ``doc.spans``."""

    name = "detect"

    def __init__(self, candidates: list[str]):
        self.scorer = LanguageScorer(candidates)

    def document_language(self, text: str) -> tuple[str, float]:
        scores = self.scorer.ngram_scores(text)
        if not scores:
            return "", 0.0
        lang = max(scores, key=lambda k: (scores[k], k))
        return lang, scores[lang]

    def segment_language(self, text: str, doc_lang: str) -> tuple[str, float]:
        words = WORD.findall(text)
        if not words:
            return doc_lang, 0.0
        if len(words) <= SHORT_SEGMENT_WORDS:
            freqs = self.scorer.word_scores(words)
            best = max(freqs, key=lambda k: (freqs[k], k))
            total = sum(freqs.values()) or 1.0
            if doc_lang in freqs and freqs[doc_lang] >= SHORT_PRIOR_SHARE * freqs[best]:
                return doc_lang, round(freqs[doc_lang] / total, 4)
            return best, round(freqs[best] / total, 4)
        scores = self.scorer.ngram_scores(text)
        if not scores:
            return doc_lang, 0.0
        lang = max(scores, key=lambda k: (scores[k], k))
        if scores[lang] < LOW_CONFIDENCE and doc_lang in scores:
            return doc_lang, scores[doc_lang]
        return lang, scores[lang]

    def foreign_spans(self, text: str, home: str) -> list[tuple[int, int, str]]:
        """Runs of words common in another candidate language and unknown in ``home``."""
        runs: list[tuple[int, int, str]] = []
        for match in WORD.finditer(text):
            word = match.group()
            lang = self._foreign_language(word, home)
            if lang is None:
                continue
            if runs and runs[-1][2] == lang and not text[runs[-1][1] : match.start()].strip(" ,"):
                runs[-1] = (runs[-1][0], match.end(), lang)
            else:
                runs.append((match.start(), match.end(), lang))
        return [r for r in runs if r[1] - r[0] >= FOREIGN_MIN_CHARS]

    def _foreign_language(self, word: str, home: str) -> str | None:
        if not home or len(word) < 2:
            return None
        home_freq = zipf_frequency(word, home)
        if home_freq >= FOREIGN_MAX_HOME:
            return None
        best, best_freq = None, FOREIGN_MIN_OTHER
        for lang in self.scorer.candidates:
            freq = zipf_frequency(word, lang)
            if lang != home and freq >= best_freq and freq - home_freq >= FOREIGN_MARGIN:
                best, best_freq = lang, freq
        return best

    def process(self, doc: Document) -> Document:
        doc.lang, doc.lang_score = self.document_language(doc.clean_text())
        doc.spans = []
        for block in doc.blocks:
            for seg in block.segments:
                seg.lang, seg.score = self.segment_language(seg.text, doc.lang)
                for start, end, lang in self.foreign_spans(seg.text, seg.lang):
                    doc.spans.append(Span(seg.text[start:end], lang, start, end, seg.id))
            langs = [s.lang for s in block.segments]
            block.lang = max(sorted(set(langs)), key=langs.count) if langs else doc.lang
        return doc
