"""The cleanup stages: normalize, boilerplate and repair.

Unit tests per behaviour on texts written for them, the negative set (text without
artefacts must come out byte-identical, with no fix recorded) and the seed article.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import ftfy
import pytest
from ftfy.chardata import CHARMAP_ENCODINGS

from pipeline.document import Block, Document, Stage
from pipeline.stages.boilerplate import Boilerplate, lexicon_data
from pipeline.stages.normalize import MOJIBAKE_CONFIG, Normalize, needs_ftfy
from pipeline.stages.repair import Repair, guess_language

HERE = Path(__file__).parent
SEED = HERE.parent / "corpus" / "article-pt.txt"
NEGATIVE = HERE / "data" / "negative.txt"
REQUIRED_LANGUAGES = {"de", "en", "pt", "es", "fr"}


def cleanup_stages() -> tuple[Stage, ...]:
    return Normalize(), Boilerplate(), Repair()


def clean(text: str, *stages: Stage) -> Document:
    """Run ``stages`` (all three cleanup stages when none are given) on ``text``."""
    doc = Document("test.txt", text=text)
    for stage in stages or cleanup_stages():
        doc = stage.process(doc)
    return doc


def fixes(doc: Document, kind: str) -> list[tuple[str, str]]:
    return [(fix.before, fix.after) for fix in doc.fixes if fix.kind == kind]


def negative_cases() -> list[tuple[str, str]]:
    """(name, text) of each case in the negative set, text with one final newline."""
    parts = re.split(r"^=== (.+)\n", NEGATIVE.read_text(encoding="utf-8"), flags=re.M)
    pairs = zip(parts[1::2], parts[2::2], strict=True)
    return [(name, body.strip("\n") + "\n") for name, body in pairs]


# --- normalize -------------------------------------------------------------------------


def test_normalize_turns_every_line_ending_into_newline_and_records_each_kind_once():
    doc = clean("um\r\ndois\r\ntrês\rquatro", Normalize())
    assert doc.text == "um\ndois\ntrês\nquatro"
    assert fixes(doc, "newlines") == [("\r", "\n"), ("\r\n", "\n")]


def test_normalize_removes_soft_hyphens_zero_width_spaces_and_stray_bom():
    doc = clean("\ufeffcoope\u00adração\u200b bi\ufefflateral", Normalize())
    assert doc.text == "cooperação bilateral"
    assert fixes(doc, "invisible_chars") == [("coope\u00adração\u200b", "cooperação")]
    assert {fix.kind for fix in doc.fixes} == {"control_chars", "invisible_chars"}


def test_normalize_makes_nbsp_between_words_a_space_and_keeps_typographic_nbsp():
    doc = clean("Kim\u00a0Jong Un: 10\u00a0000 soldats\u00a0! «\u00a0oui\u00a0»", Normalize())
    assert doc.text == "Kim Jong Un: 10\u00a0000 soldats\u00a0! «\u00a0oui\u00a0»"
    assert fixes(doc, "nbsp") == [("Kim\u00a0Jong", "Kim Jong")]


def test_normalize_decodes_real_html_entities_only():
    doc = clean("Tom &amp; Jerry em S&#227;o Paulo &#x2014; AT&T, a=1&b=2, &bogus;", Normalize())
    assert doc.text == "Tom & Jerry em São Paulo — AT&T, a=1&b=2, &bogus;"
    assert ("&amp;", "&") in fixes(doc, "html_entity")


def test_normalize_repairs_mojibake_and_records_the_word():
    doc = clean("As tensÃµes na polÃ­tica mundial", Normalize())
    assert doc.text == "As tensões na política mundial"
    assert fixes(doc, "mojibake") == [("tensÃµes", "tensões"), ("polÃ­tica", "política")]


def test_normalize_decodes_entities_before_repairing_the_mojibake_they_hide():
    doc = clean("Cor&#195;&#169;ia", Normalize())
    assert doc.text == "Coréia"


def test_normalize_keeps_curly_quotes_ligatures_and_fullwidth_forms():
    text = "“Olá”, ‘sim’ — a ﬁbra ＡＢＣ"
    assert clean(text, Normalize()).text == text


def test_normalize_strips_trailing_whitespace_and_collapses_doubled_spaces():
    doc = clean("uma  palavra   e outra \t\n    recuo mantido", Normalize())
    assert doc.text == "uma palavra e outra\n    recuo mantido"
    assert fixes(doc, "spaces") == [("uma  palavra", "uma palavra"), ("palavra   e", "palavra e")]
    assert fixes(doc, "trailing_whitespace") == [("outra \t", "outra")]


def test_normalize_collapses_blank_line_runs_and_lays_out_paragraph_blocks():
    doc = clean("\nTítulo\n\n\n\nlinha um\nlinha dois\n\nfim\n", Normalize())
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "Título"),
        ("paragraph", "linha um\nlinha dois"),
        ("paragraph", "fim"),
    ]
    assert fixes(doc, "blank_lines") == [("\n\n\n\n", "\n\n")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("disse,\u00a0e depois.\u00a0Ontem", "disse, e depois. Ontem"),
        ("o «sim»\u00a0e o ‘não’\u00a0ficam", "o «sim» e o ‘não’ ficam"),
        ("palavra\u00a0 outra  e\u00a0\u00a0mais", "palavra outra e mais"),
    ],
)
def test_normalize_turns_a_no_break_space_before_a_word_into_a_space(text, expected):
    doc = clean(text, Normalize())
    assert doc.text == expected
    assert {fix.kind for fix in doc.fixes} <= {"nbsp", "spaces"}


def test_normalize_keeps_no_break_spaces_after_abbreviations_initials_and_numbers():
    text = "Dr.\u00a0Müller, J.\u00a0K.\u00a0Rowling, art.\u00a05, 10\u00a0km, «\u00a0oui\u00a0»"
    assert clean(text, Normalize()).text == text


def test_normalize_decodes_entities_escaped_twice():
    assert clean("S&amp;atilde;o Paulo &amp;amp; Rio", Normalize()).text == "São Paulo & Rio"


def test_normalize_removes_direction_marks_only_from_text_without_right_to_left_script():
    doc = clean("Pyongyang\u200e, Nordkorea\u200f", Normalize())
    assert doc.text == "Pyongyang, Nordkorea"
    assert fixes(doc, "invisible_chars")
    rtl = "שלום\u200f עולם"
    assert clean(rtl, Normalize()).text == rtl


SAMPLE = "Coréia, Straße, naïve œuvre, “citação” — São Paulo, Ærø, Łódź, İstanbul, € 5, Ελλάδα"


@pytest.mark.parametrize("encoding", CHARMAP_ENCODINGS)
def test_needs_ftfy_holds_for_every_text_ftfy_would_change(encoding):
    # UTF-8 read in each of ftfy's single-byte encodings, word by word and whole
    damaged = SAMPLE.encode("utf-8").decode(encoding, errors="ignore")
    for text in [damaged, *damaged.split(" ")]:
        if ftfy.fix_and_explain(text, MOJIBAKE_CONFIG).text != text:
            assert needs_ftfy(text), text


def test_needs_ftfy_lets_clean_accented_text_skip_ftfy():
    assert not needs_ftfy("A cooperação “bilateral” — já está em São Paulo, Straße, Ærø…")


# --- boilerplate -----------------------------------------------------------------------

WIDGETS = [
    "Details",
    "Teilen",
    "Drucken",
    "Mehr zum Thema",
    "Share",
    "Read more",
    "Leia mais",
    "Compartilhar",
    "Imprimir",
    "Partager",
    "Lire la suite",
    "Compartir",
    "Leer más",
    "  read MORE »",
    "Teilen | Drucken",
    "Auf Facebook teilen",
    "Share on X",
    "Compartilhe no WhatsApp",
    "Partager sur LinkedIn",
    "WhatsApp",
    "[Drucken]",
]


@pytest.mark.parametrize("line", WIDGETS)
def test_boilerplate_removes_lines_that_are_a_widget_label(line):
    doc = clean(f"Texto da notícia.\n{line}\nMais texto.", Normalize(), Boilerplate())
    assert doc.blocks[0].text == "Texto da notícia.\nMais texto."
    assert [(r.text, r.reason) for r in doc.removed] == [(line.strip(), "widget label")]
    assert fixes(doc, "widget_label") == [(line.strip(), "")]


@pytest.mark.parametrize(
    ("line", "count"),
    [
        ("Kommentare (0)", "0"),
        ("Comments (3)", "3"),
        ("Comentários (2)", "2"),
        ("12 Commentaires", "12"),
        ("Comentarios: 5", "5"),
        ("Teilen | Kommentare (7)", "7"),
    ],
)
def test_boilerplate_moves_the_comment_count_to_metadata(line, count):
    doc = clean(f"Texto.\n\n{line}", Normalize(), Boilerplate())
    assert doc.metadata == {"comments": count}
    assert [b.text for b in doc.blocks] == ["Texto."]


@pytest.mark.parametrize(
    ("line", "key", "value"),
    [
        ("OrtPyongyang, Nordkorea", "location", "Pyongyang, Nordkorea"),
        ("Ort: Berlin", "location", "Berlin"),
        ("Lieu : Paris", "location", "Paris"),
        ("Autor:Max Muster", "author", "Max Muster"),
        ("Von Max Muster", "author", "Max Muster"),
        ("Por Maria da Silva", "author", "Maria da Silva"),
        ("Datum12.11.2024", "date", "12.11.2024"),
        ("Fecha 12 de noviembre de 2024", "date", "12 de noviembre de 2024"),
        ("Fonte: Reuters", "source", "Reuters"),
        ("FotoAP/Ahn Young-joon", "photo", "AP/Ahn Young-joon"),
    ],
)
def test_boilerplate_reads_label_value_lines_into_metadata(line, key, value):
    doc = clean(f"Texto.\n\n{line}", Normalize(), Boilerplate())
    assert doc.metadata == {key: value}
    assert [(r.text, r.reason) for r in doc.removed] == [(line, f"metadata: {key}")]
    assert [b.text for b in doc.blocks] == ["Texto."]


@pytest.mark.parametrize(
    "line",
    [
        "Ortschaften im Norden wurden evakuiert",
        "Datenschutz ist wichtig.",
        "DATENSCHUTZ IST WICHTIG",
        "Von der Leyen",
        "Von Bären und Menschen",
        "Por que a Rússia precisa da Coreia?",
        "By The Numbers",
        "Data Science",
        "Details zum Vertrag folgen morgen.",
        "Kommentare sind geschlossen.",
        "Autor: " + " ".join(["um texto longo demais para ser uma assinatura"] * 2),
        "Image Problems For Biden",
        "Local Heroes",
        "Source Code",
        "Von 1990 bis 2000 stieg die Zahl der Beschäftigten",
    ],
)
def test_boilerplate_keeps_text_that_merely_starts_with_a_label(line):
    doc = clean(line, Normalize(), Boilerplate())
    assert [b.text for b in doc.blocks] == [line.strip()]
    assert doc.metadata == {} and doc.removed == [] and doc.fixes == []


def test_boilerplate_drops_blocks_left_empty_and_keeps_the_first_value_of_a_key():
    doc = clean("Texto.\n\nDetails\nOrt: Berlin\n\nOrt: Bonn", Normalize(), Boilerplate())
    assert [b.text for b in doc.blocks] == ["Texto."]
    assert doc.metadata == {"location": "Berlin"}
    assert [r.text for r in doc.removed] == ["Details", "Ort: Berlin", "Ort: Bonn"]


def test_boilerplate_extra_labels_extend_the_lexicon():
    extra = {"widgets": {"it": ["Condividi"]}, "fields": {"author": {"it": ["Di"]}}}
    doc = clean("Testo.\n\nCondividi\nDi Mario Rossi", Normalize(), Boilerplate(extra))
    assert doc.metadata == {"author": "Mario Rossi"}
    assert [b.text for b in doc.blocks] == ["Testo."]


def test_boilerplate_keeps_a_line_that_continues_the_sentence_before_it():
    text = "Filmes ou material de\npublicidade.\n\nDer erste Bericht\nvon Henry Breasted 1903"
    doc = clean(text, Normalize(), Boilerplate())
    assert doc.clean_text() == text + "\n"
    assert doc.removed == [] and doc.metadata == {}


def test_boilerplate_extra_platforms_extend_the_share_buttons():
    extra = {"platforms": {"any": ["VK"]}, "share": {"it": ["Condividi su {platform}"]}}
    text = "Testo.\n\nCondividi su VK\nVK\nCondividi su Facebook"
    doc = clean(text, Normalize(), Boilerplate(extra))
    assert [b.text for b in doc.blocks] == ["Testo."]
    assert [r.reason for r in doc.removed] == ["widget label"] * 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"widget": {"it": ["Condividi"]}}, "unknown label section"),
        ({"widgets": {"it": "Condividi"}}, r"widgets\.it must be a list"),
        ({"fields": {"author": ["Di"]}}, r"\[fields\] must hold tables"),
        ({"share": {"it": ["Condividi"]}}, r"must hold \{platform\}"),
        ({"fields": {"author": {"space_form": "yes"}}}, r"space_form must be true or false"),
    ],
)
def test_boilerplate_rejects_malformed_extra_labels_with_a_helpful_error(extra, message):
    with pytest.raises(ValueError, match=message):
        Boilerplate(extra)


def test_label_lexicon_covers_the_required_languages():
    data = lexicon_data()
    assert REQUIRED_LANGUAGES <= set(data["widgets"])
    for section in ("counters", "fields"):
        for key, table in data[section].items():
            assert REQUIRED_LANGUAGES <= set(table), f"{section}.{key}"


# --- repair ----------------------------------------------------------------------------


def repaired(text: str) -> Document:
    return clean(text, Normalize(), Repair())


def test_repair_unwraps_a_hard_wrapped_paragraph():
    doc = repaired(
        "A cooperação militar já está em pleno\n"
        "andamento: mais de dez mil soldados\n"
        "participaram da luta."
    )
    assert doc.blocks[0].text == (
        "A cooperação militar já está em pleno andamento: mais de dez mil soldados "
        "participaram da luta."
    )
    assert fixes(doc, "unwrap") == [
        ("pleno\nandamento:", "pleno andamento:"),
        ("soldados\nparticiparam", "soldados participaram"),
    ]


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        (
            "expressou gratidão pela crescente coope-\nração bilateral.",
            "expressou gratidão pela crescente cooperação bilateral.",
        ),
        (
            "A agência oficial de notícias norte-\ncoreana informou ontem.",
            "A agência oficial de notícias norte-coreana informou ontem.",
        ),
        (
            "Kim pediu a ajuda do antigo ex-\npresidente da comissão.",
            "Kim pediu a ajuda do antigo ex-presidente da comissão.",
        ),
        (
            "Die Regierungen vereinbarten eine engere Zusammen-\narbeit im Handel.",
            "Die Regierungen vereinbarten eine engere Zusammenarbeit im Handel.",
        ),
        (
            "Die Gespräche zwischen Nord- und Süd-\nKorea gehen weiter.",
            "Die Gespräche zwischen Nord- und Süd-Korea gehen weiter.",
        ),
        (
            "Die Gespräche über die Grenze zwischen Nord-\nund Südkorea gehen weiter.",
            "Die Gespräche über die Grenze zwischen Nord- und Südkorea gehen weiter.",
        ),
        (
            "As tensões na região de Pyongyang -\nCoreia do Norte aumentam.",
            "As tensões na região de Pyongyang - Coreia do Norte aumentam.",
        ),
        (
            "Peking nutzt die große internationale Flug-\nschau für seine Ziele.",
            "Peking nutzt die große internationale Flugschau für seine Ziele.",
        ),
        (
            "Die Verschiebung der Arbeit vom Produktions-\nin den Dienstleistungssektor.",
            "Die Verschiebung der Arbeit vom Produktions- in den Dienstleistungssektor.",
        ),
        (
            "Ele disse que a polícia tentou detê-\nlo como exemplo para os outros.",
            "Ele disse que a polícia tentou detê-lo como exemplo para os outros.",
        ),
        (
            "A ministra enviou ontem ao jornal PÚBLI-\nCO e à revista uma mensagem por e-\n"
            "mail com os números do ano.",
            "A ministra enviou ontem ao jornal PÚBLICO e à revista uma mensagem por e-mail "
            "com os números do ano.",
        ),
        (
            "He is incredibly unqualified to be commander-\nin-chief, the critics said.",
            "He is incredibly unqualified to be commander-in-chief, the critics said.",
        ),
        (
            "Die Zusammenarbeit der Staaten ist gut, die Zusammen-\narbeit der Städte auch.",
            "Die Zusammenarbeit der Staaten ist gut, die Zusammenarbeit der Städte auch.",
        ),
        (
            "O relatório cita a barreira hemato-encefálica e outra vez a hemato-\nencefálica.",
            "O relatório cita a barreira hemato-encefálica e outra vez a hemato-encefálica.",
        ),
    ],
)
def test_repair_drops_a_line_break_hyphen_only_when_the_joined_word_wins(wrapped, expected):
    assert repaired(wrapped).blocks[0].text == expected


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        # a long, rare but real word after a common one: a compound
        (
            "Os dois governos dizem que o acordo franco-\nluxemburguês foi assinado ontem.",
            "Os dois governos dizem que o acordo franco-luxemburguês foi assinado ontem.",
        ),
        # a head barely attested as a word, and a short tail: syllables
        (
            "Le cooperative agricole della valle si sono autoregola-\nte per molti anni.",
            "Le cooperative agricole della valle si sono autoregolate per molti anni.",
        ),
        (
            "Según el informe, los rumores desestabiliza-\nban el mercado cada semana.",
            "Según el informe, los rumores desestabilizaban el mercado cada semana.",
        ),
        # "to" is an English suspended-hyphen follower, but not in a Spanish block,
        # and not before a comma in an English one
        (
            "El juez destacó en la sentencia el ensañamien-\nto de los dos acusados.",
            "El juez destacó en la sentencia el ensañamiento de los dos acusados.",
        ),
        (
            "The composer rewrote most of the libret-\nto, then the overture.",
            "The composer rewrote most of the libretto, then the overture.",
        ),
    ],
)
def test_repair_weighs_short_long_and_foreign_parts_at_a_line_break(wrapped, expected):
    assert repaired(wrapped).blocks[0].text == expected


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        # an established joined word beats two frequent words side by side
        (
            "Desde o século passado, o rio largo que atravessa a cidade se-\npara os dois "
            "bairros mais antigos da região.",
            "Desde o século passado, o rio largo que atravessa a cidade separa os dois "
            "bairros mais antigos da região.",
        ),
        (
            "The council finally approved the new park along the old water-\nfront of the "
            "town on Monday.",
            "The council finally approved the new park along the old waterfront of the "
            "town on Monday.",
        ),
        # a rare joined word loses to a common head and a long common tail
        (
            "Ela cresceu numa família operária e anti-\nfascista e estudou direito em Lisboa.",
            "Ela cresceu numa família operária e anti-fascista e estudou direito em Lisboa.",
        ),
        # Spanish writes an enclitic pronoun closed after its verb
        (
            "Nadie en la estación había pensado en esperar-\nnos con el coche aquella noche.",
            "Nadie en la estación había pensado en esperarnos con el coche aquella noche.",
        ),
        # a name broken at a syllable; romanised given names keep their hyphen
        (
            "Les manifestants se sont retrouvés hier sur l'île de Gezi-\nra, au centre du "
            "Caire, puis devant le ministère.",
            "Les manifestants se sont retrouvés hier sur l'île de Gezira, au centre du "
            "Caire, puis devant le ministère.",
        ),
        (
            "La présidente taïwanaise, Tsai Ing-\nwen, a reçu hier le ministre des affaires "
            "étrangères.",
            "La présidente taïwanaise, Tsai Ing-wen, a reçu hier le ministre des affaires "
            "étrangères.",
        ),
    ],
)
def test_repair_weighs_established_words_solid_parts_enclitics_and_names(wrapped, expected):
    assert repaired(wrapped).blocks[0].text == expected


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        # "-nas", "-na", "-no" are pronouns only after a nasal ending ("dizem-no")
        (
            "Segundo o relatório, as exportações chile-\nnas de cobre cresceram muito no "
            "ano passado.",
            "Segundo o relatório, as exportações chilenas de cobre cresceram muito no "
            "ano passado.",
        ),
        (
            "Os vizinhos mais velhos da rua dizem-\nno há anos, mas ninguém na câmara os "
            "quis ouvir.",
            "Os vizinhos mais velhos da rua dizem-no há anos, mas ninguém na câmara os "
            "quis ouvir.",
        ),
        # no compound ends in an imperfect, a conditional or a gerund
        (
            "Os novos dados do inquérito nacional ser-\nviriam para planear a próxima "
            "campanha da escola.",
            "Os novos dados do inquérito nacional serviriam para planear a próxima "
            "campanha da escola.",
        ),
        (
            "Os bombeiros da vila vizinha foram so-\ncorrendo os feridos durante toda a noite.",
            "Os bombeiros da vila vizinha foram socorrendo os feridos durante toda a noite.",
        ),
        (
            "Sin la ayuda de los vecinos nunca man-\ntendríamos abierta la tienda del pueblo.",
            "Sin la ayuda de los vecinos nunca mantendríamos abierta la tienda del pueblo.",
        ),
        # French capitalises every noun and adjective of a hyphenated name
        (
            "Les enfants du quartier de Belle-\nfontaine ont visité le musée avec leurs "
            "parents.",
            "Les enfants du quartier de Bellefontaine ont visité le musée avec leurs parents.",
        ),
        # combining forms are written closed ("hydrostatic", "termodinâmica")
        (
            "The engineers checked the hydro-\nstatic pressure of the old dam every spring.",
            "The engineers checked the hydrostatic pressure of the old dam every spring.",
        ),
    ],
)
def test_repair_joins_nasal_syllables_verb_endings_names_and_combining_forms(wrapped, expected):
    assert repaired(wrapped).blocks[0].text == expected


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        (
            "Die Kommission prüfte die jeweiligen Vor-\nbzw. Nachteile beider Modelle.",
            "Die Kommission prüfte die jeweiligen Vor- bzw. Nachteile beider Modelle.",
        ),
        (
            "Segundo a agência oficial, o dirigente Kim Jong-\nun recebeu ontem a irmã, Kim "
            "Yo-\njong, e também a ministra Choe Son-\nhui, no palácio.",
            "Segundo a agência oficial, o dirigente Kim Jong-un recebeu ontem a irmã, Kim "
            "Yo-jong, e também a ministra Choe Son-hui, no palácio.",
        ),
        (
            "State media said that leader Kim Jong-\nun met the foreign minister, Choe Son-\n"
            "hui, on Monday.",
            "State media said that leader Kim Jong-un met the foreign minister, Choe Son-hui, "
            "on Monday.",
        ),
        (
            "Segundo a família, o laudo do exame anátomo-\npatológico chegou ontem.",
            "Segundo a família, o laudo do exame anátomo-patológico chegou ontem.",
        ),
    ],
)
def test_repair_keeps_hyphens_of_given_names_abbreviated_followers_and_rare_heads(
    wrapped, expected
):
    assert repaired(wrapped).blocks[0].text == expected


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        # a name inside a sentence broken before a short or rare lower-case part
        (
            "Los dos pacientes reciben tratamiento en el hospital de Pap-\nworth desde "
            "el lunes pasado.",
            "Los dos pacientes reciben tratamiento en el hospital de Papworth desde "
            "el lunes pasado.",
        ),
        (
            "A polícia ouviu ontem o empresário Cu-\nrica e o seu sócio, durante toda "
            "a tarde.",
            "A polícia ouviu ontem o empresário Curica e o seu sócio, durante toda "
            "a tarde.",
        ),
        # no compound starts with "Mc"
        (
            "Le film réunit cette fois Ewan Mc-\nGregor et deux acteurs venus du théâtre.",
            "Le film réunit cette fois Ewan McGregor et deux acteurs venus du théâtre.",
        ),
        # a part that makes compounds of names, and a long common word (an institution)
        (
            "The committee heard evidence from a London-\nbased charity on Tuesday "
            "afternoon.",
            "The committee heard evidence from a London-based charity on Tuesday "
            "afternoon.",
        ),
        (
            "O estudo saiu na revista da Associação Médica Norte-\namericana, em Chicago, "
            "na semana passada.",
            "O estudo saiu na revista da Associação Médica Norte-americana, em Chicago, "
            "na semana passada.",
        ),
    ],
)
def test_repair_joins_names_broken_inside_a_sentence(wrapped, expected):
    assert repaired(wrapped).blocks[0].text == expected


def test_repair_joins_a_name_split_after_its_hyphen_inside_a_sentence():
    doc = repaired("Os dois doentes foram tratados no hospital de Pap- worth, em Cambridge.")
    assert doc.blocks[0].text == (
        "Os dois doentes foram tratados no hospital de Papworth, em Cambridge."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Japanese honorific after a name, even at the start of a quotation
        (
            "Os alunos chamavam-lhe «Kurobane- san» com muito respeito.",
            "Os alunos chamavam-lhe «Kurobane-san» com muito respeito.",
        ),
        # an adjective without its ending: two coordinated adjectives
        (
            "Die Strecke an der westfranzösisch- spanischen Grenze ist gesperrt.",
            "Die Strecke an der westfranzösisch-spanischen Grenze ist gesperrt.",
        ),
    ],
)
def test_repair_keeps_honorifics_and_coordinated_adjectives_hyphenated(text, expected):
    assert repaired(text).blocks[0].text == expected


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        (
            "A testemunha disse à polícia ter sido mal-\ntratada pelos guardas durante "
            "toda a noite.",
            "A testemunha disse à polícia ter sido maltratada pelos guardas durante "
            "toda a noite.",
        ),
        (
            "Las nuevas carreteras del norte, inter-\nconectadas con la red nacional, abrieron "
            "ayer por la tarde.",
            "Las nuevas carreteras del norte, interconectadas con la red nacional, abrieron "
            "ayer por la tarde.",
        ),
        # Portuguese keeps the hyphen before "h" and "r"
        (
            "O filme conta a história de um super-\nhomem que perdeu os seus poderes "
            "numa aldeia.",
            "O filme conta a história de um super-homem que perdeu os seus poderes "
            "numa aldeia.",
        ),
    ],
)
def test_repair_writes_prefixes_closed_where_the_language_does(wrapped, expected):
    assert repaired(wrapped).blocks[0].text == expected


@pytest.mark.parametrize(
    ("damaged", "expected"),
    [
        # the part after the hyphen is a common word ending: a line-break hyphen
        (
            "Os dirigentes da empresa foram multa-\ndos pela comissão por negociar títulos "
            "sem autorização.",
            "Os dirigentes da empresa foram multados pela comissão por negociar títulos "
            "sem autorização.",
        ),
        (
            "Los agricultores del valle origina-\nban sus propias semillas cada primavera "
            "desde hace siglos.",
            "Los agricultores del valle originaban sus propias semillas cada primavera "
            "desde hace siglos.",
        ),
        (
            "The price of fuel on the islands has rocket- ed since the start of the year.",
            "The price of fuel on the islands has rocketed since the start of the year.",
        ),
        # German writes its verb particles closed
        (
            "Die Kinder sind gestern bis Mitternacht auf-\ngeblieben, obwohl die Schule "
            "früh beginnt.",
            "Die Kinder sind gestern bis Mitternacht aufgeblieben, obwohl die Schule "
            "früh beginnt.",
        ),
        (
            "Er wollte den schweren Koffer über die Mauer her-\nüberziehen, doch der Griff "
            "brach ab.",
            "Er wollte den schweren Koffer über die Mauer herüberziehen, doch der Griff "
            "brach ab.",
        ),
        # a name with a capital inside, broken at a line end
        (
            "Selon le journal, l'acteur américain Shia La-\nBeouf a joué le rôle principal "
            "dans ce film.",
            "Selon le journal, l'acteur américain Shia LaBeouf a joué le rôle principal "
            "dans ce film.",
        ),
    ],
)
def test_repair_joins_word_endings_german_particles_and_names_with_inner_capitals(
    damaged, expected
):
    assert repaired(damaged).blocks[0].text == expected


@pytest.mark.parametrize(
    ("damaged", "expected"),
    [
        # French quoted in Portuguese: "mesuré" is no Portuguese word
        (
            "O artista chamou à obra «un espace non- mesuré» numa entrevista ao jornal.",
            "O artista chamou à obra «un espace non-mesuré» numa entrevista ao jornal.",
        ),
        # a German adjective made with a semi-suffix after a noun
        (
            "Die Partei wirbt im Wahlkampf für eine Kohlestrom- freie Energieversorgung.",
            "Die Partei wirbt im Wahlkampf für eine Kohlestrom-freie Energieversorgung.",
        ),
        # guards: a syllable that reads like one is joined, so is a German noun's tail
        (
            "Im Sommer gibt es am See viele schattige Picknickbe- reiche für die Familien.",
            "Im Sommer gibt es am See viele schattige Picknickbereiche für die Familien.",
        ),
        (
            "Os institutos publicaram ontem as climatolo- gias regionais dos últimos anos.",
            "Os institutos publicaram ontem as climatologias regionais dos últimos anos.",
        ),
    ],
)
def test_repair_keeps_foreign_compounds_and_german_adjective_compounds(damaged, expected):
    assert repaired(damaged).blocks[0].text == expected


def test_repair_keeps_french_spacing_that_unwrapping_brings_together():
    wrapped = (
        "Depuis le début de la semaine, les deux partis ont perdu le contrôle du\n"
        "; ils ont gagné plusieurs sièges à la Chambre et au conseil de la ville."
    )
    assert repaired(wrapped).blocks[0].text == (
        "Depuis le début de la semaine, les deux partis ont perdu le contrôle du ; ils "
        "ont gagné plusieurs sièges à la Chambre et au conseil de la ville."
    )


def test_repair_records_a_dropped_line_break_hyphen_as_hyphenation():
    doc = repaired("expressou gratidão pela crescente coope-\nração bilateral.")
    assert fixes(doc, "hyphenation") == [("coope-\nração", "cooperação")]


@pytest.mark.parametrize(
    "block",
    [
        "- primeiro item da lista, bastante longo\n- segundo item da lista, bem longo",
        "1. Erster Punkt der Aufzählung mit Text\n2. Zweiter Punkt der Aufzählung",
        "Rua das Flores, 12\n1000-100 Lisboa",
        "Details\nOrtPyongyang, Nordkorea",
    ],
)
def test_repair_keeps_line_breaks_of_lists_and_short_lines(block):
    assert repaired(block).blocks[0].text == block


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a agência norte -coreana", "a agência norte-coreana"),
        ("a Academia de Estado -Maior", "a Academia de Estado-Maior"),
        ("Especula -se que sim.", "Especula-se que sim."),
        ("Das Treffen in Nord- Korea.", "Das Treffen in Nord-Korea."),
        ("Der Nord -Süd -Dialog", "Der Nord-Süd-Dialog"),
        ("Der Nord- Süd- Dialog", "Der Nord-Süd-Dialog"),
        ("a coope- ração bilateral", "a cooperação bilateral"),
        # after a one-letter word or an acronym (issue 19)
        ("Correspondendo com ele por e -mail.", "Correspondendo com ele por e-mail."),
        ("Als ich per E- Mail schrieb.", "Als ich per E-Mail schrieb."),
        ("Die U -Bahn und der UN- Sicherheitsrat", "Die U-Bahn und der UN-Sicherheitsrat"),
        ("im Addenbrooke's -Krankenhaus", "im Addenbrooke's-Krankenhaus"),
        # enclitic pronouns after a verb
        ("Ele referia -se ao caso e disse- lhe", "Ele referia-se ao caso e disse-lhe"),
        ("citando -o como exemplo, deixando -a", "citando-o como exemplo, deixando-a"),
    ],
)
def test_repair_rejoins_compounds_split_by_a_space(text, expected):
    doc = repaired(text)
    assert doc.blocks[0].text == expected
    assert fixes(doc, "split_compound")


@pytest.mark.parametrize(
    "text",
    [
        "Nordkorea - As tensões",
        "Nord- und Südkorea, Ein- oder Ausreise, pre- and post-war",
        "die x- und y-Achse",
        "Hoje faz -5 °C, a temperatura de -5 graus",
        "O placar foi 1-0 e 10-12 mil pessoas",
        "x = -1 e a->b",
        "- item da lista",
        "em 2010 – 2020 e — assim",
    ],
)
def test_repair_leaves_dashes_suspended_hyphens_numbers_and_lists_alone(text):
    doc = repaired(text)
    assert doc.blocks[0].text == text and doc.fixes == []


def test_repair_removes_space_before_comma_period_bracket_and_closing_quote():
    doc = repaired("palavra , outra (assim ) e “isso ” .")
    assert doc.blocks[0].text == "palavra, outra (assim) e “isso”."
    assert ("palavra ,", "palavra,") in fixes(doc, "space_before_punct")


def test_repair_keeps_french_spacing_before_high_punctuation_and_guillemets():
    text = "Il a dit : « Bonjour ! » Vraiment ? Oui ; d'accord ... . . ."
    assert repaired(text).blocks[0].text == text


def test_repair_drops_a_duplicated_headline_and_records_it():
    doc = repaired("Kim e Kozlov se reúnem\n\nKim  e Kozlov\nse reúnem\n\nO encontro ocorreu.")
    assert [b.text for b in doc.blocks] == ["Kim e Kozlov se reúnem", "O encontro ocorreu."]
    assert [(r.text, r.reason) for r in doc.removed] == [
        ("Kim e Kozlov\nse reúnem", "duplicate headline")
    ]
    assert fixes(doc, "duplicate_headline") == [("Kim e Kozlov\nse reúnem", "")]


def test_repair_drops_a_headline_repeated_on_its_next_line_or_on_its_own_line():
    """Scraped twice without a blank line between, the headline was unwrapped into one
    line said twice ("Coreia do Norte faz novos testes Coreia do Norte faz novos testes")."""
    for text in ("Coreia do Norte faz novos testes\nCoreia do Norte faz novos testes\n\nO lide.",
                 "Coreia do Norte faz novos testes Coreia do Norte faz novos testes\n\nO lide."):
        doc = repaired(text)
        assert [b.text for b in doc.blocks] == ["Coreia do Norte faz novos testes", "O lide."]
        assert [(r.text, r.reason) for r in doc.removed] == [
            ("Coreia do Norte faz novos testes", "duplicate headline")]
        assert doc.blocks[0].kind == "title"
    doc = repaired("Северная Корея провела испытания\nСеверная Корея провела испытания")
    assert [b.text for b in doc.blocks] == ["Северная Корея провела испытания"]


def test_repair_keeps_repeated_lines_after_the_headline_and_short_repeats():
    # A refrain is its author's; only the headline position is a scraper's repeat.
    for kept in ("Parabéns a você, nesta data querida\nParabéns a você, nesta data querida",
                 "Sim\nSim\nNão, disse ele.", "1 – 0\n1 – 0"):
        doc = repaired(f"Título\n\n{kept}")
        assert doc.removed == [], kept
    for kept in ("Go Go", "Ha ha ha ha ha ha"):
        assert repaired(f"{kept}\n\nO lide.").removed == [], kept


def test_repair_drops_a_repeated_paragraph_but_keeps_distant_repeats():
    doc = repaired("Título\n\nO lide.\n\nO lide.\n\nOutro.\n\nO lide.")
    assert [b.text for b in doc.blocks] == ["Título", "O lide.", "Outro.", "O lide."]
    assert [r.reason for r in doc.removed] == ["duplicate paragraph"]
    assert fixes(doc, "duplicate_paragraph") == [("O lide.", "")]


def test_repair_sets_title_heading_and_paragraph_kinds():
    doc = repaired(
        "Coreia do Norte e Rússia: uma aliança!\n\nO encontro ocorreu ontem.\n\n"
        "Apoio militar e parceria\n\nQual o próximo passo?"
    )
    assert [b.kind for b in doc.blocks] == ["title", "paragraph", "heading", "paragraph"]


def test_repair_does_not_make_a_first_sentence_a_title():
    assert repaired("O encontro ocorreu ontem.").blocks[0].kind == "paragraph"


def test_repair_keeps_kinds_set_by_an_earlier_stage():
    doc = Document("test.txt", blocks=[Block("dateline", "Berlin, 12.11.2024")])
    assert Repair().process(doc).blocks[0].kind == "dateline"


def test_repair_unwraps_a_paragraph_whose_line_starts_like_a_list_item():
    doc = repaired("Die Schüler sind in Mathematik stark, vor allem in der\n8. Klasse.")
    assert doc.blocks[0].text == "Die Schüler sind in Mathematik stark, vor allem in der 8. Klasse."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Lebensmittelproduktion und -verarbeitung", None),
        ("artistas - como Saul Bass -que faziam cartazes", None),
        (
            "Pyongyang - A agência norte -coreana informou",
            "Pyongyang - A agência norte-coreana informou",
        ),
    ],
)
def test_repair_keeps_leading_hyphens_and_closing_dashes(text, expected):
    assert repaired(text).blocks[0].text == (expected or text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The rates went up – yet the city council kept its self -respect all year.",
            "The rates went up – yet the city council kept its self-respect all year.",
        ),
        (
            "Die Zahl stieg — laut der EU -Kommission um ein Drittel — im Jahr danach.",
            "Die Zahl stieg — laut der EU-Kommission um ein Drittel — im Jahr danach.",
        ),
    ],
)
def test_repair_rejoins_a_split_compound_inside_an_en_or_em_dash_parenthetical(text, expected):
    # only a hyphen-minus closes what a spaced hyphen-minus opened ("- como ... -que")
    assert repaired(text).blocks[0].text == expected


def test_repair_removes_spaces_before_high_punctuation_except_in_french():
    portuguese = "O que ele disse ao ministro ? Nada ; e depois da reunião : tudo !"
    french = "Qu'a-t-il dit au ministre ? Rien ; et après la réunion : tout !"
    doc = repaired(f"{portuguese}\n\n{french}")
    assert [b.text for b in doc.blocks] == [
        "O que ele disse ao ministro? Nada; e depois da reunião: tudo!",
        french,
    ]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("A cooperação militar já está em pleno andamento", "pt"),
        ("Il a dit que la coopération est utile pour tous", "fr"),
        ("La cooperazione militare è già in pieno svolgimento", "it"),
        ("La cooperación militar ya está en pleno desarrollo", "es"),
    ],
)
def test_repair_guesses_the_language_of_a_block_from_its_common_words(text, lang):
    assert guess_language(text) == lang


def test_repair_guesses_the_language_with_words_broken_at_a_line_end_whole():
    # the pieces "coi", "sa", "pen" are no Portuguese words; "sa" is a common French one
    text = "Acusaram-me precipitadamente: coi-\nsa orquestrada, dirigida, pen-\nsada."
    assert guess_language(text) == "pt"


def test_repair_rejects_languages_without_a_word_list():
    with pytest.raises(ValueError, match="wordfreq has no word list"):
        Repair(languages=("pt", "xx"))


# --- the whole cleanup -----------------------------------------------------------------


NEGATIVE_CASES = negative_cases()


@pytest.mark.parametrize(("name", "text"), NEGATIVE_CASES, ids=[name for name, _ in NEGATIVE_CASES])
def test_negative_set_comes_out_byte_identical(name, text):
    doc = clean(text)
    assert doc.clean_text() == text, name
    assert doc.fixes == [] and doc.removed == [] and doc.metadata == {}


def test_negative_set_is_not_empty():
    assert len(NEGATIVE_CASES) >= 8


@pytest.fixture(scope="module")
def seed() -> Document:
    return clean(SEED.read_text(encoding="utf-8"))


def test_seed_headline_appears_once(seed):
    headline = "Coréia do Norte e Rússia: a nova aliança militar garante alarme!"
    assert seed.clean_text().count(headline) == 1
    assert seed.blocks[0].kind == "title"


def test_seed_compounds_are_rejoined(seed):
    text = seed.clean_text()
    assert "norte-coreana" in text and "Estado-Maior" in text
    assert "norte -coreana" not in text and "Estado -Maior" not in text


def test_seed_boilerplate_lines_are_gone_and_their_facts_kept(seed):
    lines = seed.clean_text().splitlines()
    for label in ("Details", "Kommentare (0)", "OrtPyongyang, Nordkorea"):
        assert label not in lines
    assert seed.metadata["location"] == "Pyongyang, Nordkorea"
    assert seed.metadata["comments"] == "0"


def test_seed_keeps_the_spaced_dash(seed):
    assert "Pyongyang, Nordkorea - As tensões" in seed.clean_text()


def test_cleanup_repairs_a_document_full_of_artefacts():
    raw = (
        "\ufeffKim trifft Kozlov in Pyongyang\r\n\r\nKim  trifft Kozlov in Pyongyang\r\n\r\n"
        "OrtPyongyang, Nordkorea\r\nDatum12.11.2024\r\nVon Max Muster\r\n\r\n\r\n\r\n"
        "Die Regierungen vereinbarten eine engere Zusammen-\r\narbeit im Handel , so die "
        "nordkoreanische\r\nNachrichtenagentur KCNA . Die Gespr&auml;che &amp; Treffen \r\n"
        "betreffen Nord- und SÃ¼dkorea.\r\n\r\nTeilen | Drucken\r\nKommentare (3)\r\n"
    )
    doc = clean(raw)
    assert doc.clean_text() == (
        "Kim trifft Kozlov in Pyongyang\n\n"
        "Die Regierungen vereinbarten eine engere Zusammenarbeit im Handel, so die "
        "nordkoreanische Nachrichtenagentur KCNA. Die Gespräche & Treffen betreffen "
        "Nord- und Südkorea.\n"
    )
    assert [b.kind for b in doc.blocks] == ["title", "paragraph"]
    assert doc.metadata == {
        "location": "Pyongyang, Nordkorea",
        "date": "12.11.2024",
        "author": "Max Muster",
        "comments": "3",
    }
    assert {fix.kind for fix in doc.fixes} == {
        "newlines",
        "html_entity",
        "control_chars",
        "mojibake",
        "trailing_whitespace",
        "spaces",
        "blank_lines",
        "metadata",
        "widget_label",
        "duplicate_headline",
        "hyphenation",
        "unwrap",
        "space_before_punct",
    }


def test_cleanup_is_idempotent(seed):
    again = clean(seed.clean_text())
    assert again.clean_text() == seed.clean_text()
    assert again.fixes == []


# Inputs that make careless regular expressions backtrack or careless joins quadratic
# (each is cleaned in well under a second here; the bound leaves room for a busy CI).
PATHOLOGICAL = {
    "5 MB single line": "Coréia do Norte, KCNA informou, " * 160_000,
    "100,000 spaced hyphens": " -" * 100_000,
    "20,000 split compounds, each a fix": "norte -coreana e Nord- Korea " * 20_000,
    "long run of spaces": "a" + " " * 1_000_000 + "b",
    "no-break spaces and entities, each a fix": "a\u00a0b &amp; " * 20_000,
    "20,000 hyphenated wrapped lines": "a cooperação militar entre os países coope-\n" * 20_000,
    "one 5 MB word": "x" * 5_000_000,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_cleanup_finishes_quickly_on_pathological_input(name):
    clean(PATHOLOGICAL[name][:2000])  # word lists and lexicon loaded outside the timing
    # Processor time of this thread: a busy machine stretches the wall-clock time only.
    started = time.thread_time()
    clean(PATHOLOGICAL[name])
    assert time.thread_time() - started < 5, name


# --- interface lines no lexicon lists (issue 19) ------------------------------------------

UNLISTED_DOC = (
    "A cooperação militar avança entre os dois países\n\n"
    "Zum Inhalt springen\n\n"
    "O líder norte-coreano recebeu ontem o ministro russo em Pyongyang. Os dois "
    "discutiram comércio, ciência e tecnologia.\n\n"
    "Lesezeit: 3 Min.\n"
    "A delegação russa ficou três dias na capital e visitou fábricas e escolas.\n\n"
    "Apoio militar e parceria estratégica\n\n"
    "Startseite › Politik › Ausland\n\n"
    "Segundo a agência oficial, o acordo entra em vigor no próximo mês.\n"
)


def test_boilerplate_removes_interface_lines_no_lexicon_lists():
    doc = clean(UNLISTED_DOC, Normalize(), Boilerplate())
    removed = {r.text: r.reason for r in doc.removed}
    assert removed == {
        "Zum Inhalt springen": "ui string: foreign",
        "Lesezeit: 3 Min.": "ui string: label/value",
        "Startseite › Politik › Ausland": "ui string: navigation",
    }
    assert "Apoio militar e parceria estratégica" in doc.clean_text()
    assert [f.kind for f in doc.fixes if f.stage == "boilerplate"] == ["ui_string"] * 3


def test_boilerplate_removes_a_short_line_repeated_apart_but_not_a_doubled_headline():
    text = ("Hamburger Hafen meldet Rekord\n\nHamburger Hafen meldet Rekord\n\n"
            "Mehr vom Hafen\n\nDer Hafen hat so viele Container umgeschlagen wie nie.\n\n"
            "Mehr vom Hafen\n")
    doc = clean(text, Normalize(), Boilerplate())
    assert [(r.text, r.reason) for r in doc.removed] == [
        ("Mehr vom Hafen", "ui string: repeated"), ("Mehr vom Hafen", "ui string: repeated")]


def test_boilerplate_unlisted_lines_can_be_turned_off():
    doc = clean(UNLISTED_DOC, Normalize(), Boilerplate(unlisted=False))
    assert doc.removed == []


def test_boilerplate_decisions_do_not_depend_on_the_order_of_documents():
    other = "Der Hafen meldet einen Rekord\n\nZum Inhalt springen\n\nDer Umschlag stieg.\n"
    stage = Boilerplate()
    first = [clean(t, Normalize(), stage).to_json() for t in (UNLISTED_DOC, other)]
    stage = Boilerplate()
    second = [clean(t, Normalize(), stage).to_json() for t in (other, UNLISTED_DOC)]
    assert first == second[::-1]
    assert '"removed":[]' in first[1]  # in the German document it is its own language
