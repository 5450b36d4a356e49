"""Detection's faster paths give the answers of the plain ones.

`foreign_runs` chooses each step's best predecessor from the two best scores of a list
instead of trying every pair of languages; `lingua_confidences` reads a text once per
detector and document. The plain Viterbi below is the one the stage used before,
written out here as the reference.
"""

import random

from pipeline.document import Block, Document
from pipeline.stages import detect as detect_module
from pipeline.stages.detect import QUOTE_CROSS, SPAN_SWITCH, Detect, _margin, foreign_runs
from pipeline.stages.segment import Segmenter


def plain_foreign_runs(evidence, home, quotes=frozenset()):
    """foreign_runs as a Viterbi over every (predecessor, language) pair: the
    predecessor is max(langs) by (score through it, it is the language itself)."""
    if not evidence or home not in evidence[0]:
        return []
    langs = sorted(evidence[0])
    cost = {lang: (0.0 if lang == home else -SPAN_SWITCH) + evidence[0][lang] for lang in langs}
    back = []
    for k, scores in enumerate(evidence[1:]):
        step_back, step_cost = {}, {}
        crossing = -QUOTE_CROSS if k in quotes else 0.0
        for lang in langs:
            enter = 0.0 if lang == home else -SPAN_SWITCH
            stay = 0.0 if lang == home else crossing
            came = max(langs, key=lambda p: (cost[p] + (stay if p == lang else enter), p == lang))
            step_back[lang] = came
            step_cost[lang] = cost[came] + (stay if came == lang else enter) + scores[lang]
        back.append(step_back)
        cost = step_cost
    path = [max(langs, key=lambda lang: (cost[lang], lang == home))]
    for step_back in reversed(back):
        path.append(step_back[path[-1]])
    path.reverse()
    runs = []
    i = 0
    while i < len(path):
        j = i
        while j + 1 < len(path) and path[j + 1] == path[i]:
            j += 1
        if path[i] != home:
            edge = [k for k in range(i, j + 1) if _margin(evidence[k], path[i], home)]
            if edge:
                runs.append((edge[0], edge[-1], path[i]))
        i = j + 1
    return runs


def test_foreign_runs_as_the_plain_viterbi_ties_included():
    rng = random.Random(7)
    # Scores a switch's cost apart, equal scores and equal paths: ties at every step.
    steps = [0.0, -1.5, -2.0, -2.5, -4.0, -4.5, -5.0, -6.5, -7.0, -9.0]
    codes = ["de", "en", "es", "fr", "it", "nl", "pl", "pt"]
    for case in range(4000):
        langs = rng.sample(codes, rng.choice([1, 2, 3, 7, 8]))
        home = rng.choice(langs)
        draw = (lambda: rng.choice(steps)) if case % 2 else (lambda: rng.uniform(-9.0, 0.0))
        evidence = [{lang: draw() for lang in langs} for _ in range(rng.randint(1, 14))]
        quotes = frozenset(k for k in range(len(evidence)) if rng.random() < 0.2)
        assert foreign_runs(evidence, home, quotes) == plain_foreign_runs(evidence, home, quotes)


def test_foreign_runs_tie_between_two_foreign_languages_takes_the_first():
    # "de" and "en" equally likely for the middle word: the first in order wins, as
    # max() over the sorted languages did.
    evidence = [{"pt": -2.0, "de": -6.0, "en": -6.0}, {"pt": -9.0, "de": -3.0, "en": -3.0},
                {"pt": -2.0, "de": -6.0, "en": -6.0}]
    assert foreign_runs(evidence, "pt") == plain_foreign_runs(evidence, "pt") == [(1, 1, "de")]


def test_a_text_is_read_once_per_detector_and_document(monkeypatch):
    """A document whose lines repeat is checked once a line and detector (lingua's
    answers jitter in their last bits: the first answer stands), and the same again
    in the next document (nothing kept across documents)."""
    detect = Detect(["pt", "en"])
    asked: list[tuple[int, str]] = []
    real = detect_module._confidences

    def counting(detector, inputs):
        asked.extend((id(detector), text) for text in inputs)
        return real(detector, inputs)

    monkeypatch.setattr(detect_module, "_confidences", counting)
    line = "To jest polskie zdanie o pogodzie i polityce w kraju."
    doc = Document("d.txt", blocks=[Block("paragraph", line), Block("paragraph", line),
                                    Block("paragraph", "O ministro chegou ontem a Lisboa.")])
    first = detect.process(Segmenter().process(doc))
    once = list(asked)
    assert once and len(once) == len(set(once))
    asked.clear()
    again = Document("e.txt", blocks=[Block("paragraph", b.text) for b in doc.blocks])
    second = detect.process(Segmenter().process(again))
    assert sorted(asked) == sorted(once)
    assert [s.lang for s in first.segments()] == [s.lang for s in second.segments()]
    assert first.segments()[0].lang == "pl"
    assert detect_module._asked is None  # nothing kept outside process()


def test_a_new_detector_never_takes_the_models_to_load_of_an_evicted_one(monkeypatch):
    """What a detector loads at its first use is kept under its id; a detector evicted
    from the cache before any use left its entry, and the next object given that id
    loaded those models for nothing (the stand-in below has such an id)."""
    from pipeline.stages import detect

    stand_in = object()
    monkeypatch.setattr(detect, "_build_detector", lambda candidates, low: stand_in)
    monkeypatch.setitem(detect._to_load, id(stand_in), {("fi", False), ("hu", False)})
    assert detect._lingua_detector.__wrapped__(("en",), False) is stand_in
    assert id(stand_in) not in detect._to_load
