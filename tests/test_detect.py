"""Language detection: candidates, short text, labels, foreign spans, `pipeline detect`."""

import argparse
import io
import json
import os
import subprocess
import sys

import pytest

from pipeline.detect_cli import register, run_detect
from pipeline.document import Block, Document
from pipeline.stages.detect import WORD, Detect, LanguageScorer, default_candidates, prose_words
from pipeline.stages.segment import Segmenter

FIVE = ["pt", "de", "en", "es", "fr"]
LINES = [
    "Mehr zum Thema",
    "Leia mais",
    "",
    "The port authority declined to comment.",
    "guerra",
    "l'examen de la",
    "12:45",
]


@pytest.fixture(scope="module")
def detect() -> Detect:
    return Detect(FIVE)


def _detected(detect: Detect, *paragraphs: str) -> Document:
    """A document of these paragraphs after the segment and detect stages."""
    doc = Document("d.txt", blocks=[Block("paragraph", text) for text in paragraphs])
    return detect.process(Segmenter().process(doc))


def _spans(detect: Detect, text: str, doc_lang: str = "pt") -> list[tuple[str, str]]:
    doc = _detected(detect, text)
    assert doc.lang == doc_lang
    for span in doc.spans:
        segment = next(s for s in doc.segments() if s.id == span.segment)
        assert segment.text[span.start : span.end] == span.text
    return [(span.text, span.lang) for span in doc.spans]


def test_answers_are_restricted_to_the_candidates_in_closed_set_mode():
    detect = Detect(["pt", "de"], open_set=False)
    lang, score = detect.segment_language("The port authority declined to comment.", "")
    assert lang in {"pt", "de"} and 0.0 <= score <= 1.0
    # open set (the default): candidates narrow the choice, never force it
    assert Detect(["pt", "de"]).segment_language("The port authority declined to comment.",
                                                "")[0] == "en"


def test_candidates_that_cannot_be_detected_are_dropped_or_refused():
    assert Detect(["pt", "xx", "de"]).scorer.candidates == ("de", "pt")
    with pytest.raises(ValueError, match="ISO 639-1"):
        Detect(["xx", "yy"])


def test_default_candidates_are_installed_languages_plus_targets():
    assert default_candidates(["pb", "en"], ["de"], base=()) == ["pt", "en", "de"]
    defaults = ["pt", "de", "en", "es", "fr", "it", "nl"]
    assert default_candidates(["en", "ko"], ["en"]) == [*defaults, "ko"]


def test_single_candidate_needs_no_model():
    assert Detect(["pt"]).segment_language("Guten Tag", "") == ("pt", 1.0)


def test_ambiguous_short_segment_takes_the_document_language(detect):
    assert detect.segment_language("guerra", "pt")[0] == "pt"
    assert detect.segment_language("guerra", "es")[0] == "es"


def test_short_segment_with_clear_words_overrides_the_document_language(detect):
    assert detect.segment_language("Mehr zum Thema", "pt")[0] == "de"
    assert detect.segment_language("unterstützung finden", "fr")[0] == "de"


def test_label_lexicon_restricts_a_label_to_its_languages(detect):
    # "Details" is a German and English widget label, never Portuguese here.
    assert detect.segment_language("Details", "pt")[0] in {"de", "en"}
    assert detect.segment_language("Details", "en")[0] == "en"
    assert detect.segment_language("Leia mais", "de")[0] == "pt"


def test_text_without_words_keeps_the_document_language(detect):
    assert detect.segment_language("12:45 - 13:00", "fr") == ("fr", 0.0)


def test_foreign_phrase_becomes_one_span_with_offsets(detect):
    text = "O porta-voz disse que die Regierung hat nichts gesagt e saiu da sala."
    assert _spans(detect, text) == [("die Regierung hat nichts gesagt", "de")]


def test_names_are_not_spans():
    detect = Detect(FIVE + ["nl"])
    text = "O chefe da OTAN, Mark Rutte, falou com o Bank of America em Flensburg ontem."
    assert _spans(detect, text) == []


def test_german_nouns_keep_their_evidence_beside_a_rare_compound(detect):
    # "Wahl" is a rare word of the Portuguese list and "Kreisversammlungen" a rare one
    # of the German list only: neither makes the German phrase a name, and the
    # compound that ends the phrase belongs to the span.
    text = ('O conselho da cidade aprovou ontem "das Gesetz über die Wahl der '
            'Kreisversammlungen" sem debate.')
    assert _spans(detect, text) == [("das Gesetz über die Wahl der Kreisversammlungen", "de")]


def test_capitalised_word_ending_a_foreign_phrase_joins_the_span(detect):
    # "Saturday" is listed in Spanish too, so the name rules give it no evidence;
    # after an English run it is the phrase's last word.
    text = "Los entrenadores dijeron que we will play on Saturday y después se marcharon."
    assert _spans(detect, text, "es") == [("we will play on Saturday", "en")]
    text = "Im Saal sprachen wir mit many of the Macedonian im Anschluss."
    assert _spans(detect, text, "de") == [("many of the Macedonian", "en")]


def test_capitalised_word_after_a_foreign_phrase_stays_out_when_it_opens_a_name(detect):
    text = "Los entrenadores dijeron que we will play on Saturday Night Live y se marcharon."
    assert _spans(detect, text, "es") == [("we will play on", "en")]


def test_only_name_particles_join_capitalised_words_into_a_name(detect):
    # "fue" between the German noun "Rauch" and the name "Bellingham" is Spanish, not a
    # particle like "of" or "von": the Spanish phrase is found around the name.
    text = "Das Gewebe, das dem Rauch fue Bellingham, muy nicht ausgesetzt war, blieb gesund."
    assert _spans(detect, text, "de") == [("fue Bellingham, muy", "es")]


def test_word_no_list_has_is_judged_by_its_letters(detect):
    # "meteorítico" is in no frequency list: it must not join the English span.
    text = "Um indicador deste material meteorítico this year será o mais importante."
    assert _spans(detect, text) == [("this year", "en")]


def test_capitalised_first_word_listed_at_home_is_a_name(detect):
    text = "Agora was invitation-only, but many guests came anyway. The club closed."
    assert _spans(detect, text, "en") == []


def test_segment_mostly_in_the_document_language_keeps_it(detect):
    # A French quotation inside an English sentence (after a colon: a sentence that
    # opens with « is a segment of its own since the segmenter knows French quotes).
    text = ("The tickets also give access to the concert on the same day: « Nous avons "
            "adoré les couleurs de la ville », affirme-t-il. The organisers were pleased.")
    doc = _detected(detect, text)
    assert [s.lang for s in doc.segments()] == ["en", "en"]
    assert [(s.lang, s.text[:17]) for s in doc.spans] == [("fr", "Nous avons adoré ")]


def test_foreign_sentence_is_a_segment_not_a_span(detect):
    doc = _detected(detect, "Der Hafen wächst weiter. The port authority declined to comment.")
    assert [s.lang for s in doc.segments()] == ["de", "en"]
    assert doc.spans == []


def test_cli_prints_one_language_per_line_in_input_order():
    out = io.StringIO()
    data = "\n".join(LINES).encode() + b"\n"
    args = argparse.Namespace(candidates="pt,de,en,es,fr", scores=False)
    assert run_detect(args, io.BytesIO(data), out) == 0
    assert out.getvalue().split("\n")[:-1] == ["de", "pt", "und", "en", "es", "fr", "und"]


def test_cli_scores_are_json_probabilities():
    out = io.StringIO()
    args = argparse.Namespace(candidates="pt,de", scores=True)
    assert run_detect(args, io.BytesIO(b"Mehr zum Thema\n\n"), out) == 0
    first, empty = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["lang"] == "de" and set(first["scores"]) == {"pt", "de"}
    assert abs(sum(first["scores"].values()) - 1.0) < 1e-3
    assert empty == {"lang": "und", "score": 0.0, "scores": {}}


def test_cli_bad_candidates_exit_2(capsys):
    args = argparse.Namespace(candidates="english", scores=False)
    assert run_detect(args, io.BytesIO(b"x\n"), io.StringIO()) == 2
    assert "not a language code" in capsys.readouterr().err


def test_register_adds_the_detect_subcommand():
    parser = argparse.ArgumentParser(prog="pipeline")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["detect", "--candidates", "pt,de", "--scores"])
    assert args.handler is run_detect and args.candidates == "pt,de" and args.scores


def test_same_answers_in_another_process(detect):
    """Determinism: a fresh process (other hash seed) through real stdin agrees."""
    code = "import sys; from pipeline.detect_cli import main; sys.exit(main())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code, "--candidates", ",".join(FIVE), "--scores"],
        input="\n".join(LINES).encode(), capture_output=True, env=env, check=True,
    )
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    here = detect.languages(LINES)
    assert [(r["lang"], r["score"]) for r in records] == [
        (lang, score) if lang else ("und", 0.0) for lang, score in here
    ]


def test_detection_works_in_forked_workers_after_the_parent_used_it(detect):
    """A ProcessPoolExecutor worker forked after a batch call must not hang."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    expected = [lang for lang, _ in detect.languages(LINES)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        answer = pool.submit(_languages_in_child, LINES).result(timeout=600)  # a hang, not load
    assert answer == expected


def _languages_in_child(lines: list[str]) -> list[str]:
    return [lang for lang, _ in Detect(FIVE).languages(lines)]


def test_word_lists_load_at_first_use_not_when_the_stage_is_built():
    """A run's parent builds the stages only to check the configuration when worker
    processes do the work: that must not cost it the word lists."""
    scorer = LanguageScorer(["pt", "de"])
    assert scorer._tables is None
    assert scorer.word_scores("nordkorea")["de"] > scorer.word_scores("nordkorea")["pt"]
    assert set(scorer._tables) == {"pt", "de"}


def test_foreign_run_grows_over_shared_words_next_to_it(detect):
    # "smartphones" is as common in Portuguese lists as in French ones: next to the
    # Portuguese "nos seus" it is read as part of the phrase.
    text = "Les habitants ont parlé pendant des heures de nos seus smartphones avec les voisins."
    assert _spans(detect, text, "fr") == [("de nos seus smartphones", "pt")]


def test_foreign_run_does_not_grow_across_quotes_or_into_capitalised_words(detect):
    # neither into "smartphones" after the quote nor (QUOTE_CROSS) "de" before it
    text = "Les habitants ont parlé de «nos seus» smartphones avec les voisins."
    assert _spans(detect, text, "fr") == [("nos seus", "pt")]
    text = "Les habitants ont parlé de nos seus Smartphones avec les voisins."
    assert _spans(detect, text, "fr") == [("de nos seus", "pt")]


def test_document_language_is_the_language_of_most_sentences(detect):
    # The German quotation has more words than the two Portuguese sentences together.
    text = ("O ministro falou ontem. A reunião acabou cedo. Die Überprüfung der nationalen "
            "Pläne durch die Vereinten Nationen ergab eine deutliche Überschreitung der "
            "Werte, die dafür nötig sind, den Anstieg der Temperatur zu begrenzen.")
    doc = _detected(detect, text)
    assert (doc.lang, doc.lang_score) == ("pt", 0.6667)
    assert [s.lang for s in doc.segments()] == ["pt", "pt", "de"]


def test_german_compound_no_list_has_ends_a_german_phrase(detect):
    text = "A polícia descreveu o bairro como das Ziel von Überwachungsaktionen durante o verão."
    assert _spans(detect, text) == [("das Ziel von Überwachungsaktionen", "de")]


def test_one_letter_word_beside_a_quote_keeps_its_evidence(detect):
    # "y" closes the quotation: it is a word (Spanish "and"), not a piece of one.
    text = 'O preço da energia sobe no inverno, "familia y" e desce no verão.'
    assert _spans(detect, text) == [("familia y", "es")]


def test_german_noun_before_a_name_ends_a_german_phrase(detect):
    text = "The senator met mit ihrer Kandidatin Sarah Olney in the capital last week."
    assert _spans(detect, text, "en") == [("mit ihrer Kandidatin", "de")]


def test_every_occurrence_of_a_sentence_votes_and_lines_without_a_full_stop_do_not(detect):
    pt = "O ministro chegou ontem à noite a Lisboa com toda a comitiva."
    doc = _detected(
        detect, pt, pt, pt,
        "Er kam gestern mit dem Zug aus der Stadt zurück.",
        "Die Zeitung schrieb darüber am nächsten Morgen.",
        "Foto von Reuters Mitarbeitern",
        "Mehr dazu hier lesen",
    )
    assert (doc.lang, doc.lang_score) == ("pt", 0.6)


def test_name_opening_a_sentence_is_a_name_but_a_german_article_is_not(detect):
    # "Passera" is a French verb form; after the name "Corrado" it is a surname.
    text = "Corrado Passera retirou a proposta do banco na semana passada."
    assert _spans(detect, text) == []
    text = "Die Regierung disse que a proposta será votada amanhã no parlamento."
    assert _spans(detect, text) == [("Die Regierung", "de")]


def test_web_and_email_addresses_are_no_foreign_text(detect):
    # Their words ("world", "north", "com") would read as English or Portuguese.
    text = (
        "Leia mais em http://www.theguardian.com/world/north-korea-news e escreva para "
        "redacao@jornal.com.br ou veja a página do parceiro eHost.com hoje."
    )
    assert _spans(detect, text) == []
    # a foreign phrase beside an address is still found
    quoted = 'O ministro disse "the government will act" no site www.gov.uk ontem.'
    assert _spans(detect, quoted) == [("the government will act", "en")]
    assert _spans(detect, "The site eHost.com a world-class host.", "en") == []
    # a span ends at an address
    text = 'O lema "breaking news" www.cnn.com "live updates" foi usado ontem.'
    assert _spans(detect, text) == [("breaking news", "en"), ("live updates", "en")]


@pytest.mark.parametrize("text", [
    "J.R.Duran", "d.C.", "e/ou", "U.S.", "ontem.A", "3.5 km", "às 19h30", "então...",
    "fim.de semana", "Sr.Silva", "a.m.", "@folha", "São Paulo.Ontem",
])
def test_prose_with_full_stops_and_slashes_is_no_address(text):
    assert [m.group() for m in prose_words(text)] == WORD.findall(text)


def test_a_line_that_is_only_an_address_has_no_language(detect):
    out = io.StringIO()
    args = argparse.Namespace(candidates="pt,de,en,es,fr", scores=False)
    lines = b"http://www.theguardian.com/world\nnom@VotreDomaine.com\nMehr zum Thema\n"
    assert run_detect(args, io.BytesIO(lines), out) == 0
    assert out.getvalue().split("\n")[:-1] == ["und", "und", "de"]
    # in a document, such a line takes the document's language, not English
    doc = _detected(
        detect,
        "O governo anunciou hoje novas medidas. O ministro falou com os jornalistas.",
        "http://www.theguardian.com/world/north-korea-news",
    )
    assert [s.lang for s in doc.segments()] == ["pt", "pt", "pt"]


def test_host_words_beside_a_quoted_foreign_phrase_stay_outside_it(detect):
    # "infrastructure" and "conseguido entre" are words of both languages: before,
    # the foreign run went on across the quotation mark and took them in.
    text = "Le pays a amélioré l'infrastructure \"has caused\" grâce aux investissements."
    assert _spans(detect, text, "fr") == [("has caused", "en")]
    text = 'Ele falou do acordo conseguido entre "se utilizaron" o Japão e a Europa.'
    assert _spans(detect, text) == [("se utilizaron", "es")]
    # quotes inside a quotation are no edge: the phrase stays whole
    text = 'Ele disse «this is a "real" problem» e «the “data” is clear» ontem à noite.'
    assert _spans(detect, text) == [
        ('this is a "real" problem', "en"), ("the “data” is clear", "en"),
    ]
    # German quotes and spaced guillemets
    assert _spans(detect, "Sie sang „Je ne regrette rien“ vor dem Publikum.", "de") == [
        ("Je ne regrette rien", "fr"),
    ]
    text = "Les habitants ont parlé de « nos seus » smartphones avec les voisins."
    assert _spans(detect, text, "fr") == [("nos seus", "pt")]


def test_models_load_on_every_core_once_per_language(monkeypatch):
    # A detector with a language not loaded yet in this process loads, at its first
    # use, its Latin-script languages' models on lingua's thread pool (two or more;
    # one is loaded by scoring LOAD_TEXT in this thread), then what lingua freed is
    # handed back; a detector with the same languages loads nothing; an unused one
    # neither. A forked child has no thread pool: it scores LOAD_TEXT in this thread.
    from pipeline.stages import detect as stage

    class Detector:
        calls: list = []

        def compute_language_confidence_values(self, text):
            self.calls.append(text)
            return []

        def compute_language_confidence_values_in_parallel(self, texts):
            self.calls.extend(("parallel", t) for t in texts)
            return [[] for _ in texts]

    released, on_every_core = [], []
    monkeypatch.setattr(stage, "_build_detector", lambda langs, low=False: Detector())
    monkeypatch.setattr(stage, "_load_on_every_core", lambda langs, low_accuracy, one_arena:
                        on_every_core.append((langs, low_accuracy, one_arena)))
    monkeypatch.setattr(stage, "_loaded", set())
    monkeypatch.setattr(stage, "_to_load", {})
    monkeypatch.setattr(stage, "_in_forked_child", False)
    monkeypatch.setattr(stage, "release_freed_memory", lambda: released.append(True))
    stage._lingua_detector.cache_clear()
    try:
        for langs, low in [(("en", "de"), False), (("de", "en"), False), (("de", "en"), True),
                           (("de", "en", "pt"), False), (("de", "ru", "uk"), False)]:
            stage.lingua_confidences(stage._lingua_detector(langs, low), ["x"])
        stage.lingua_confidences(stage._lingua_detector(("fr", "it")), [])  # unused
        monkeypatch.setattr(stage, "_in_forked_child", True)
        stage.lingua_confidences(stage._lingua_detector(("fr", "it")), ["x"])
    finally:
        stage._lingua_detector.cache_clear()
    load = stage.LOAD_TEXT
    assert on_every_core == [(["de", "en"], False, True), (["de", "en"], True, True)]
    assert Detector.calls == [("parallel", "x"), ("parallel", "x"), ("parallel", "x"),
                              load, ("parallel", "x"),  # pt alone
                              load, ("parallel", "x"),  # ru, uk: other scripts load later
                              load, "x"]  # in a forked child
    assert released == [True] * 5


def test_a_first_use_that_starts_the_pool_keeps_malloc_to_one_arena(monkeypatch):
    # lingua's pool threads would each allocate in an arena of their own, the memory
    # they free stranded there (a higher peak). Where a detector's first use starts the
    # pool, glibc is first told to create no other arena (M_ARENA_MAX 1, for good); not
    # once the pool has run, nor in the warm-up of a run that translates
    # (preload_language_models), whose translation threads keep arenas of their own.
    from pipeline.stages import detect as stage

    class Libc:
        calls: list = []

        def mallopt(self, param, value):
            self.calls.append((param, value))
            return 1

    built = []

    class Builder:
        def with_low_accuracy_mode(self):
            built.append("low accuracy")
            return self

        def with_preloaded_language_models(self):
            return self

        def build(self):
            built.append(("built", len(Libc.calls)))

    import lingua

    monkeypatch.setattr(stage, "_libc", lambda: Libc())
    monkeypatch.setattr(stage, "release_freed_memory", lambda: None)
    monkeypatch.setattr(lingua, "LanguageDetectorBuilder",
                        type("Builders", (), {"from_languages": staticmethod(
                            lambda *langs: Builder())}))
    monkeypatch.setattr(stage, "_loaded", set())
    monkeypatch.setattr(stage, "_in_forked_child", False)
    monkeypatch.setattr(stage, "_pool_started", False)
    assert stage.preload_language_models(["de", "en"]) == ["de", "en"]
    assert Libc.calls == [] and built == [("built", 0)]
    monkeypatch.setattr(stage, "_pool_started", False)
    stage._load_on_every_core(["de", "en"], low_accuracy=True, one_arena=True)
    assert Libc.calls == [(stage.M_ARENA_MAX, 1)]
    assert built[1:] == ["low accuracy", ("built", 1)]  # after the limit
    stage._load_on_every_core(["fr", "it"], low_accuracy=False, one_arena=True)
    assert len(Libc.calls) == 1 and stage._pool_started


def test_release_freed_memory_is_harmless():
    from pipeline.stages.detect import release_freed_memory

    release_freed_memory()
    assert Detect(["pt", "de"]).segment_language("Mehr zum Thema", "")[0] == "de"


def test_preloading_loads_each_language_once_and_its_detectors_then_load_nothing(monkeypatch):
    # A run that translates loads the candidates' models on lingua's thread pool
    # (pipeline.shard.ShardProcessor.warm_up); a detector of those languages then
    # scores without loading in this thread first, and scores the same.
    from pipeline.stages import detect as stage

    before = stage.lingua_confidences(stage._build_detector(("de", "en")), ["Mehr zum Thema"])
    monkeypatch.setattr(stage, "_loaded", {("en", True)})
    monkeypatch.setattr(stage, "_to_load", {})
    monkeypatch.setattr(stage, "_in_forked_child", False)
    stage._lingua_detector.cache_clear()
    try:
        assert stage.preload_language_models(["de", "en", "de"]) == ["de", "en"]
        assert stage._loaded == {("de", False), ("en", False), ("en", True)}
        assert stage.preload_language_models(["en", "de"]) == []  # loaded already
        detector = stage._lingua_detector(("de", "en"))
        assert id(detector) not in stage._to_load
        # the same models: the same confidences (lingua's sums jitter in the last bits
        # from call to call, preloaded or not)
        after = stage.lingua_confidences(detector, ["Mehr zum Thema"])
        assert [{k: round(v, 12) for k, v in c.items()} for c in after] == [
            {k: round(v, 12) for k, v in c.items()} for c in before]
        # a forked child (a local worker) loads at first use, as before
        monkeypatch.setattr(stage, "_in_forked_child", True)
        assert stage.preload_language_models(["fr", "it"]) == []
        assert ("fr", False) not in stage._loaded
    finally:
        stage._lingua_detector.cache_clear()


def _spy_lingua(monkeypatch) -> list[tuple[tuple[str, ...], bool, int]]:
    """Record each lingua detector asked about texts: (languages, low accuracy, texts)."""
    from pipeline.stages import detect as stage

    asked: list[tuple[tuple[str, ...], bool, int]] = []
    real_detector, real_confidences = stage._lingua_detector, stage.lingua_confidences
    made: dict[int, tuple[tuple[str, ...], bool]] = {}

    def detector(langs, low_accuracy=False):
        found = real_detector(langs, low_accuracy)
        made[id(found)] = (tuple(langs), low_accuracy)
        return found

    def confidences(found, texts):
        if texts:  # a detector asked about nothing loads nothing
            asked.append((*made[id(found)], len(texts)))
        return real_confidences(found, texts)

    monkeypatch.setattr(stage, "_lingua_detector", detector)
    monkeypatch.setattr(stage, "lingua_confidences", confidences)
    return asked


SEVEN = "pt,de,en,es,fr,it,nl"


def test_cli_answers_a_line_its_words_settle_without_lingua(monkeypatch):
    # "Mehr zum Thema": German by 8 points on its words alone; lingua can take at most
    # 3 from German, so without --scores no model is loaded (1.6 CPU seconds for 7
    # candidates). With --scores, its probabilities need lingua's confidences.
    from pipeline.stages import detect as stage

    asked = _spy_lingua(monkeypatch)
    preloaded = []
    real_preload = stage.preload_language_models
    monkeypatch.setattr(stage, "preload_language_models",
                        lambda langs: preloaded.append(tuple(langs)) or real_preload(langs))
    out = io.StringIO()
    args = argparse.Namespace(candidates=SEVEN, scores=False)
    assert run_detect(args, io.BytesIO(b"Mehr zum Thema\n"), out) == 0
    assert out.getvalue() == "de\n"
    assert asked == [] and preloaded == []
    args.scores = True
    assert run_detect(args, io.BytesIO(b"Mehr zum Thema\n"), io.StringIO()) == 0
    assert asked == [(("de", "en", "es", "fr", "it", "nl", "pt"), False, 1)]
    # ... its models first loaded on every core (lingua's thread pool)
    assert preloaded == [("de", "en", "es", "fr", "it", "nl", "pt")]


def test_cli_asks_lingua_about_the_lines_it_can_change(monkeypatch):
    # "Thema" alone is listed in several candidates: lingua's n-grams count for it.
    asked = _spy_lingua(monkeypatch)
    args = argparse.Namespace(candidates=SEVEN, scores=False)
    data = b"Mehr zum Thema\nThema\nThe port authority declined to comment on the plan.\n"
    assert run_detect(args, io.BytesIO(data), io.StringIO()) == 0
    assert [(langs, low, n) for langs, low, n in asked if not low] == [
        (("de", "en", "es", "fr", "it", "nl", "pt"), False, 1)]


# Lines of each kind the rules treat apart: labels, one word, names, numbers, close
# languages, other scripts, mixed lines, sentences (written for this test).
ANSWER_LINES = [
    "Mehr zum Thema", "Leia mais", "Read more", "Lire la suite", "Leggi anche",
    "Lees verder", "Seguir leyendo", "Thema", "guerra", "casa", "porto", "Teilen",
    "Partilhar", "Compartir", "Share", "Foto: Reuters", "Foto", "12:45", "", "--",
    "l'examen de la", "dell'economia", "www.spiegel.de", "Berlin", "Lisboa, Portugal",
    "Angela Merkel", "o governo", "el gobierno", "il governo", "het kabinet",
    "de regering", "die Regierung", "la mairie", "Notícias", "Últimas notícias",
    "Noticias de última hora", "Dernières nouvelles", "Ultime notizie",
    "Laatste nieuws", "Neueste Nachrichten", "Breaking news", "Startseite",
    "Página inicial", "Inicio", "Accueil", "Home", "Contacto", "Kontakt", "Contact",
    "Ek weet nie", "Jeg vet ikke", "Jag vet inte", "Nie wiem", "Eu não sei",
    "Yo no sé", "Je ne sais pas", "Non lo so", "Ik weet het niet", "Ich weiß nicht",
    "I don't know", "Это тест.", "Привет", "東京タワー", "北京", "Γεια σου",
    "Merhaba dünya", "Dobrý den", "Bom dia a todos", "Buenos días a todos",
    "Guten Morgen allerseits", "Bonjour à tous", "Buongiorno a tutti",
    "Goedemorgen allemaal", "Good morning everyone", "Der Hafen wächst weiter.",
    "O porto cresce.", "El puerto crece.", "Le port grandit.", "Il porto cresce.",
    "De haven groeit.", "The port grows.", "Straße", "façade", "niño", "città",
    "coração", "über", "Sie sang „Je ne regrette rien“ vor dem Publikum.",
    "Bom dia, good morning", "Ciao bella", "Hola amigo", "Salut les amis",
]


def test_cli_answers_are_those_of_the_full_scores():
    # Without --scores lingua is left out where it cannot change the answer: each
    # answer must be the one the full scores give (the "lang" of --scores).
    args = argparse.Namespace(candidates=SEVEN, scores=False)
    data = "\n".join(ANSWER_LINES).encode() + b"\n"
    plain, full = io.StringIO(), io.StringIO()
    assert run_detect(args, io.BytesIO(data), plain) == 0
    args.scores = True
    assert run_detect(args, io.BytesIO(data), full) == 0
    answers = plain.getvalue().splitlines()
    assert answers == [json.loads(line)["lang"] for line in full.getvalue().splitlines()]
    assert len(answers) == len(ANSWER_LINES)


def test_lingua_is_given_no_word_longer_than_its_cap():
    """A line of letters without a space reaches lingua cut to LINGUA_MAX_WORD
    characters: lingua's time grows with the square of a word's length, and its call
    cannot be interrupted by the per-document time limit. Other texts reach it as they are."""
    from pipeline.stages import detect as module

    class Recorder:  # stands in for lingua's detector: records what it is given
        def __init__(self) -> None:
            self.seen: list[str] = []

        def compute_language_confidence_values_in_parallel(self, batch):
            self.seen.extend(batch)
            return [[] for _ in batch]

        def compute_language_confidence_values(self, text):
            self.seen.append(text)
            return []

    recorder = Recorder()
    sentence = "Uma frase curta em português, com palavras de tamanho normal."
    huge = "a" * 200_000
    assert module.lingua_confidences(recorder, [sentence, f"início {huge} fim"]) == [{}, {}]
    assert recorder.seen[0] == sentence
    assert recorder.seen[1] == "início " + "a" * module.LINGUA_MAX_WORD + " fim"
