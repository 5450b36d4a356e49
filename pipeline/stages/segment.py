"""Segment stage: split each block into sentences, the unit of detection and translation.

A rule-based splitter for text in any language. A sentence ends at a sentence mark
(``.``, ``!``, ``?``, ``…``, and the marks of other scripts: Arabic ``؟``, Urdu ``۔``,
Devanagari and Bengali ``।`` ``॥``, Armenian ``։`` (and ``:`` typed for it between
Armenian words), Ethiopic ``።``, Myanmar ``။``, Khmer ``។``, Greek ``;`` between Greek
words), with any closing quotes, brackets or direction marks,
followed by whitespace and what can start a sentence: a letter that is not lower case
(in any script; Georgian counts as uncased), a digit, a currency sign or an opening
quote; or at Chinese and Japanese ``。！？`` with or without a space after. A period
does not end a sentence after an abbreviation of any of the languages listed below,
an initial, a list number that opens the line ("11. Text"), an ordinal before a
month or after an article ("am 17. Dezember"), a Thai abbreviation, or a unit or
reference before a number ("kl. 14", "tel. 0800"); an era written after a year
("a.C.", "B.C.", "J.-C.", "π.Χ.") ends a sentence when one follows, and so does
"etc." or "usw." before a capitalised word and a lower-case one ("etc. The results").
Each line of a block is split on its own, so lists and headings are never glued
together. Joining a block's segments with the whitespace between them gives the
block back.

The document's language is not known here: the detect stage runs after this one, on
its segments. So every rule holds in every language, and the abbreviations of all
languages are used at once; an entry that is a word ending sentences in some other
language is left out (see :data:`ABBREVIATIONS_BY_LANGUAGE`).
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.document import Document, Segment, Stage

# Abbreviations that end with a period but do not end a sentence, lower-cased and
# without their last period, per language. All are used whatever the text's
# language (it is not known yet), so an entry must not be a word that ends sentences
# in another language. Left out for that: "est" (Latin and French "is"; English
# "est." was an entry before), Polish "ok." (about; English "ok", kept before numbers
# in BEFORE_NUMBER), Croatian "god." (year; English "God"), Russian "им" (a
# pronoun) and "см." (see; also "cm"), Romanian "dna" (DNA), Hungarian "ill."
# (English "ill") and "kb." (about; "256 KB."), and the "etc." of other languages
# ("itd", "osv", "m.fl.", "jne", "stb", "vb", "и др."), which end sentences as
# often as not ("etc" and "usw" stay, as before, but end a sentence before a
# capitalised word and a lower-case one: :func:`etc_end`). One-letter abbreviations need no
# entry: a single letter before a period is taken for an initial ("z. B.", "т. е.",
# "J."). An entry may hold inner periods ("m.in"): the word before the period is
# checked whole and, when all its parts are short, by its last part ("t.ex" is
# found by "ex").
ABBREVIATIONS_BY_LANGUAGE: dict[str, str] = {
    # Portuguese, Spanish: titles, ranks, "Sig." (siguiente), "Ud." (usted)
    "pt": "sr sra srs dr dra drs prof profa eng gen cel cap ten sgt min dep gov pres av",
    "es": "sig sres ud uds",
    "en": "mr mrs ms jr st vs etc approx dept inc ltd co corp no nos fig",
    # German: "Hr." Herr, "Nr.", "bzw.", "ca.", "vgl.", "ggf.", "Std." Stunde(n)
    "de": "hr fr frau nr bzw ca usw vgl ggf evtl inkl std",
    "fr": "mme mlle mm cf env ex",
    # Polish: "np." for example, "tzw." so-called, "ul." street, "godz." hour, "pl."
    # square, "al." avenue, "pt." titled, "ks." priest, "św." saint, "mgr", "inż."
    "pl": "np tzw ul godz pl al pt ks św mgr inż hab woj m.in tzn",
    # Czech, Slovak: "tj." that is, "tzv." so-called, "např." for example, "resp."
    "cs": "tj tzv např resp popř příp mj doc ing mudr judr phdr rndr",
    # Russian, Ukrainian, Belarusian, Bulgarian: street, professor, see, century...
    "ru": "ул пр просп пер проф акад доц гг вв напр ген арх",
    "uk": "вул див проф",
    "bg": "бул",
    # Swedish, Danish, Norwegian: "t.ex." / "f.eks." for example, "bl.a." among
    # others, "dvs." that is, "hhv." respectively, "jf./jfr." compare, "fx" for example
    "sv": "dvs resp jfr",
    "da": "eks hhv jf fx mht pga vha ift iflg evt tlf",
    # Finnish: "esim." for example, "ns." so-called, "ks." see, "tri" doctor
    "fi": "esim ns tri",
    # Greek: "αρ." number, "σελ." page, "βλ." see, "δηλ." that is, "τηλ." phone,
    # "παρ." paragraph, "κεφ." chapter, "οδ." street
    "el": "αρ αριθ σελ βλ δηλ τηλ παρ κεφ οδ",
    # Baltic: Lithuanian "pvz." for example, "tel."; Latvian "piem." for example
    "lt": "pvz",
    "lv": "piem",
    # Estonian "nt" for example, "vt" see; Hungarian "pl." for example, "ún." so-called
    "et": "nt vt",
    "hu": "ún",
    # Croatian, Serbian, Bosnian, Slovenian: "npr." for example, "tzv.", "pribl." about,
    # "oz." or rather
    "hr": "npr pribl oz",
    # Turkish: "örn." for example, "bkz." see, "doç." associate professor
    "tr": "örn bkz doç",
    # Romanian: "dl." Mr, "str." street
    "ro": "dl str",
    # Catalan: "núm." number, "pàg." page
    "ca": "núm pàg",
    # Hindi, Marathi (Devanagari has no capitals, so any word after the period passes
    # for a sentence start): "डॉ."/"डा." doctor, "प्रो." professor, "श्री." Mr, "सौ."
    # Mrs, "कु." Miss, "स्व." the late, "पं." Pandit, "मा." the honourable; Bengali
    # "ডা." doctor, Gujarati "ડૉ."/"ડો.", Punjabi "ਡਾ.", Telugu "డా." doctor. Before a
    # name, never at a sentence's end.
    "hi": "डॉ डा प्रो श्री सौ कु स्व पं मा",
    "bn": "ডা",
    "gu": "ડૉ ડો",
    "pa": "ਡਾ",
    "te": "డా",
}
ABBREVIATIONS = frozenset(
    word for words in ABBREVIATIONS_BY_LANGUAGE.values() for word in words.split()
)

# Abbreviations that do not end a sentence when a number follows them ("kl. 14",
# "kr. 59", "ok. 60 km", "tel. 0800", "pp. 330", "art. 5"): a sentence seldom opens
# with a bare number right after one of these words.
BEFORE_NUMBER = frozenset(
    """
    art arts pp pag pág págs vol tel tlf kl kr klo puh plkst ok godz br št sz
    გვ გარდ bls bl skv dags mín sek klst гл ст str nr no
    """.split()
)

# Eras written after a year, whose last letter would otherwise pass for an initial:
# "700 a.C. No final..." (pt, es, it: antes/después/dopo Cristo), "300 B.C. The..."
# (en), "52 av. J.-C. La..." (fr), "500 π.Χ. Η..." (el: προ/μετά Χριστού). After a
# year and before a capital they end the sentence far more often than a name follows
# them inside one. Only after a number: "Washington D.C. Mayor..." and "Vancouver,
# B.C. Premier..." go on.
ERA_END = re.compile(
    r"\d[ \u00a0]+(?:[ad]\.[ \u00a0]?C|B\.[ \u00a0]?C|(?:av|apr)\.[ \u00a0]?J\.-C"
    r"|[πμ]\.[ \u00a0]?Χ)\."
    r"[\"'”’»)\]]{0,3}$"
)

# German writes ordinals with a period: "am 17. Dezember", "der 35. Kommandeurstagung",
# "den 45. Präsidenten". A number of one to three digits after one of these words, or
# before a month, does not end the sentence.
# "am" is English too: "I am 17. My brother is 20." ends after the age (ENGLISH_AM).
ORDINAL_AFTER = frozenset("am im vom zum beim der die das den dem des zur seit ab bis".split())
ENGLISH_AM = re.compile(r"(?:^|[\s\"'“‘«„(])[Ii] am$")
MONTHS = frozenset(
    """
    januar jänner februar märz april mai juni juli august september oktober november
    dezember
    """.split()
)
# "Objavljeno 24. 10. 2013", "(8. 10. 2013)": a day and a month with periods, then
# the year.
DATE_REST = re.compile(r"\d{1,2}\.[ \u00a0]?\d{2,4}\b")
DAY_MONTH = re.compile(r"(?<!\d)\d{1,2}\.[ \u00a0]?\d{1,2}\.$")
YEAR = re.compile(r"\d{4}\b")
# A line that opens with a list number: "11. Ορισμός...", "2.1. Scope".
LIST_NUMBER = re.compile(r"[(\[]?\d{1,3}(?:\.\d{1,3})*\.")

# Closing quotes and brackets after a sentence mark: “…” ‘…’ «…», German „…“ ‚…‘ »…«,
# and the East Asian brackets (Korean text ends quotations with "다.》").
CLOSE = "\"'”’“‘»«)\\]）」』》〉"
# Direction marks and embeddings (LRM, RLM, ALM, U+202A-E, U+2066-9): right-to-left
# text keeps them (the normalize stage removes them only from text without any), often
# right after a sentence mark ("؟\u200f") or before a sentence's first word
# (" \u200fيرى"); they are read through, as closing quotes are.
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# What may open a sentence before its first letter: quotes ("„" German, "«" French
# with its space, "``" in TeX-style text), brackets, Spanish "¿¡"; direction marks.
OPEN = rf"""[{BIDI}]{{0,3}}(?:[«‹][ \u00a0\u202f]?|``|["'“‘„‚»(\[¿¡`])?"""
GREEK = r"\u0370-\u03ff\u1f00-\u1fff"
# Armenian letters. Armenian text typed without its full stop "։" (U+0589) writes a
# colon instead, between Armenian words ("... կարեւոր է: Այդ ..."); Armenian's own colon
# is "․" (U+2024), so ":" there ends a sentence when an Armenian capital follows.
ARMENIAN = "\u0531-\u0556\u0561-\u0587"
# End of a sentence: a sentence mark (possibly repeated) and closing quotes or
# brackets, then whitespace, then what can start a sentence: a letter that is not
# lower case (upper case in every cased script, "Ł", "Č", "Д", "Ω"; any letter of a
# script without case), a digit or a currency sign ("inacreditável. $5,000 por
# pessoa"). Greek's question mark is ";" (U+037E, ";" after NFC) after a Greek
# letter and before one; Armenian's typed full stop is ":" between Armenian words (an
# Armenian capital after it). Chinese and Japanese sentences end at 。！？, with or without
# a space after; after a closing quote or bracket only when what follows is not
# hiragana (a quotation goes on: 「本当？」と彼は言った。).
SENTENCE_END = re.compile(
    rf"""(?<=[.!?…؟।॥۔։።။។‼⁇⁈⁉])[{BIDI}]{{0,3}}(?:[{CLOSE}]|[ \u00a0\u202f][»›]){{0,3}}"""
    rf"""[{BIDI}]{{0,3}}(?P<gap>[ \t]+)"""
    rf"""(?={OPEN}(?P<next>[^\W_]|[$€£¥]))"""
    rf"""|(?<=[{GREEK}][;\u037e])[{CLOSE}]{{0,3}}(?P<greek>[ \t]+)(?={OPEN}(?P<gnext>[{GREEK}]))"""
    rf"""|(?:(?<=[{ARMENIAN}]:)|(?<=[{ARMENIAN}][»”)]:))(?P<armenian>[ \t]+)"""
    rf"""(?={OPEN}(?P<anext>[{ARMENIAN}]))"""
    r"""|(?<=[。！？])(?P<cjk>[ \t]*)(?=[^\s。！？」』）〉》”’"'])"""
    r"""|(?<=[。！？])[」』”’"'）]{1,3}(?P<cjkq>[ \t]*)"""
    r"""(?=[^\s\u3040-\u309f。！？」』）〉》”’"'、，,.:：])"""
)


def without_closers(text: str) -> str:
    """``text`` without the closing quotes, brackets and direction marks that end it
    (CLOSE, BIDI, or a space and "»" or "›"), read from the end: a regular expression
    anchored at the end ("(?:[CLOSE]|[ ][»›])+$"), tried from every position of a run
    of quotes, took 23 s on a line with 40,000 of them.

    >>> without_closers("«Bon. »"), without_closers("(Sr.)”"), without_closers("a »»")
    ('«Bon.', '(Sr.', 'a')
    """
    end = len(text)
    while end:
        if text[end - 1] in "»›" and end > 1 and text[end - 2] in " \u00a0\u202f":
            end -= 2
        elif text[end - 1] in CLOSE or text[end - 1] in BIDI:
            end -= 1
        else:
            break
    return text[:end]


def starts_lower(char: str) -> bool:
    """Whether ``char`` is a lower-case letter that cannot open a sentence.

    Georgian's everyday letters are lower case to Unicode since version 11, but
    Georgian has no capitals at a sentence's start.

    >>> starts_lower("a"), starts_lower("A"), starts_lower("ა"), starts_lower("ก")
    (True, False, False, False)
    """
    return char.islower() and not "\u10d0" <= char <= "\u10ff"


def word_before_period(text: str) -> str:
    """The word before the period that ends ``text`` (closing quotes and brackets
    after it allowed), with its combining marks and inner periods; "" if none.

    >>> word_before_period("Veja o Sr.")
    'Sr'
    >>> word_before_period("książki m.in.")
    'm.in'
    >>> word_before_period("त्यांना म्हणतात.")
    'म्हणतात'
    >>> word_before_period("(สธ.)")
    'สธ'
    """
    text = without_closers(text)
    if not text.endswith("."):
        return ""
    end = len(text) - 1
    start = end
    while start > 0:
        char = text[start - 1]
        if char.isalnum() or unicodedata.category(char)[0] == "M" or (
            char == "." and start - 1 > 0 and text[start - 2].isalnum()
        ):
            start -= 1
        else:
            break
    return text[start:end]


def syllabic(char: str) -> bool:
    """Whether ``char`` is a Hangul syllable, a kana or a Han character: a word of one
    of them is a word ("것.", "다."), not an initial.

    >>> syllabic("것"), syllabic("中"), syllabic("J"), syllabic("г")
    (True, True, False, False)
    """
    return ("\uac00" <= char <= "\ud7a3" or "\u3040" <= char <= "\u30ff"
            or "\u3400" <= char <= "\u9fff")


def thai_abbreviation(word: str) -> bool:
    """A Thai word of at most four consonants and nothing else: an abbreviation
    ("กทม." Bangkok, "(สธ.)" the health ministry). Thai ends no sentence with a
    period; its words carry vowels ("ครับ", "ไทย").

    >>> thai_abbreviation("กทม"), thai_abbreviation("ครับ"), thai_abbreviation("ไทย")
    (True, False, False)
    """
    return 0 < len(word) <= 4 and all("\u0e01" <= char <= "\u0e2e" for char in word)


def acronym(word: str, candidate: str) -> bool:
    """Whether ``word`` (before a period) is written in capitals in text that is not: an
    acronym ("She told NPR.", "won the PGA."), not the abbreviation of another language
    it spells (Croatian "npr.", Danish "pga."). A line all in capitals ("ST. LOUIS")
    keeps its abbreviations.

    >>> acronym("NPR", "She told NPR."), acronym("npr", "Npr. to"), acronym("ST", "ST. LOUIS")
    (True, False, False)
    """
    return len(word) > 1 and word.isupper() and any(c.islower() for c in candidate)


# What joins a digit to the number before it: a score ("1-0", "2:0"), a decimal comma
# ("14,7"), a range or a fraction ("2-4", "9/3"), a product ("3+3", "21 × 29,7").
NUMBER_JOINERS = frozenset("-\u2010\u2011\u2012\u2013\u2014:,/+×")


def number_end(word: str, candidate: str) -> bool:
    """Whether ``word``, a single digit or a word ending in one before the period that
    ends ``candidate``, is the last digit of a longer number ("1-0.", "2:0.", "2.0.",
    "14,7.", "V-2."): such a number ends a sentence as a word does. A digit alone
    ("pobjeda na 4. Imagen festivalu", "razloga: 1. Prostor", "Nr. 5. Das") stays what
    it most often is there, an ordinal or a list number, and is read like an initial.

    >>> number_end("0", "Venceu por 1-0."), number_end("2.0", "web 2.0.")
    (True, True)
    >>> number_end("4", "pobjeda na 4."), number_end("1", "razloga: 1.")
    (False, False)
    """
    if not word[-1:].isdigit():
        return False
    if "." in word:
        return all(part.isdigit() for part in word.split("."))
    before = without_closers(candidate)[: -len(word) - 1]
    return before[-1:] in NUMBER_JOINERS


def nfc(word: str) -> str:
    """``word`` in Unicode's composed form (NFC), as the word lists are written.

    >>> nfc("s\u0301w") == "św", nfc("ma\u0308rz") == "märz"
    (True, True)
    """
    return word if word.isascii() else unicodedata.normalize("NFC", word)


def ends_sentence(candidate: str, rest: str) -> bool:
    """Whether the period-or-other mark that ends ``candidate`` ends a sentence,
    ``rest`` being the line after the whitespace.

    >>> ends_sentence("Ele falou com o Sr.", "Kozlov chegou.")
    False
    >>> ends_sentence("यह उसका घर है.", "अब वह यहाँ रहता है।")
    True
    >>> ends_sentence("11.", "Ορισμός Επιτροπής παραλαβής.")
    False
    >>> ends_sentence("Fredag den 3. maj kl.", "14 tager vi første spadestik.")
    False
    >>> ends_sentence("Er kam am 17.", "Dezember wieder.")
    False
    >>> ends_sentence("Tegnap érkezett 17.", "Holnap jön.")
    True
    >>> ends_sentence("“I am 17.", "My brother is 20.”")
    True
    >>> ends_sentence("She told NPR.", "The station declined.")
    True
    >>> ends_sentence("Objavljeno 24.", "10. 2013 na spletu."), ends_sentence(
    ...     "Objavljeno 24. 10.", "2013 na spletu.")
    (False, False)
    """
    word = word_before_period(candidate)
    if not word:
        return True
    if LIST_NUMBER.fullmatch(candidate.strip()):
        return False
    if ERA_END.search(candidate):
        return True
    # Compared in NFC: the lists are written composed, text may come decomposed
    # ("s" + U+0301 + "w." is "św."; the normalize stage keeps the form it is given).
    lower = nfc(word.lower())
    parts = lower.split(".")
    last = parts[-1]
    known = not acronym(word, candidate)  # "NPR." is no "npr." (Croatian)
    if lower in ("etc", "usw") and etc_end(rest):
        return True
    if lower in ABBREVIATIONS and known:
        return False
    # "t.ex", "z.B", "U.S" end in an abbreviation or an initial; "allegro.pl",
    # "example.com" are addresses, whose last part is no abbreviation.
    # A word right after "/" ends an address or a unit ("example.org/a.b.", "km/h.",
    # "A/S."): its last letter is no initial.
    path = without_closers(candidate)[-len(word) - 2 : -len(word) - 1] == "/"
    if all(len(part) <= 4 for part in parts) and (
        (last in ABBREVIATIONS and known)
        or (len(last) == 1 and not syllabic(last) and not number_end(word, candidate)
            and not path)
    ):
        return False
    if last in BEFORE_NUMBER and rest[:1].isdigit():
        return False
    if thai_abbreviation(word):
        return False
    if last.isdigit() and len(last) <= 3:
        before = candidate[: -len(word) - 1].split()
        after = rest.split(None, 1)
        head = candidate[: -len(word) - 1].rstrip()
        if (before and before[-1].lower() in ORDINAL_AFTER
                and not ENGLISH_AM.search(head[-5:])) or (
            after and nfc(after[0].strip(".,").lower()) in MONTHS
        ):
            return False
        if len(last) <= 2 and (
            DATE_REST.match(rest) or (DAY_MONTH.search(candidate) and YEAR.match(rest))
        ):
            return False
    return True


def etc_end(rest: str) -> bool:
    """Whether ``rest``, the line after "etc." or "usw.", opens with a capitalised word
    and a lower-case one: a new sentence ("The results", not "John Smith"; a German
    noun after an article is capitalised: "usw. Die Mitarbeiter" goes on).

    >>> etc_end("The results were good."), etc_end("John Smith came."), etc_end("IBM")
    (True, False, False)
    """
    words = rest.split(None, 2)
    return (len(words) > 1 and words[0][:1].isupper() and words[0][1:2].islower()
            and words[1][:1].islower())


# What ends_sentence reads of the line after a mark: its first word and the few
# characters a date needs ("10. 2013" and the boundary after it). The rest of the line,
# sliced at every mark, made a 5 MB line of short sentences take 17 s instead of 0.5 s.
REST_CHARS = 32
_FIRST_WORD = re.compile(r"\S*")


def _rest(line: str, end: int) -> str:
    """As much of ``line`` from ``end`` as :func:`ends_sentence` reads.

    >>> _rest("A. " + "b" * 40 + " c d", 3) == "b" * 40
    True
    """
    word_end = _FIRST_WORD.match(line, end).end()  # type: ignore[union-attr]
    return line[end : max(word_end, end + REST_CHARS)]


# What ends_sentence reads of the sentence before a mark: its last HEAD_CHARS or so,
# from a space on. A run of marks that end no sentence ("J. K. L. ...", "Mr. Mr. ..."),
# each handed the whole sentence from its start, was quadratic: "Mr. " over 20 KB took
# 0.47 s, 100 KB about 12 s.
HEAD_CHARS = 256


def _first_lower(line: str, start: int) -> int:
    """Where the first lower-case letter of ``line`` at or after ``start`` is
    (``len(line)`` if none).

    >>> _first_lower("NPR. The news.", 0), _first_lower("ABC", 0)
    (6, 3)
    """
    for at in range(start, len(line)):
        if line[at].islower():
            return at
    return len(line)


def _head(line: str, start: int, end: int, lower: bool) -> str:
    """``line[start:end]``, or its end from a space HEAD_CHARS before ``end`` on, after
    "… " (no list number then) and, if the part left out holds the sentence's first
    lower-case letter (``lower``) and the rest none, after an "a": what ends_sentence
    decides on is the same.

    >>> _head("Era uma vez.", 0, 12, True)
    'Era uma vez.'
    >>> head = _head("x" * 300 + " um dois Sr.", 0, 312, True); head
    '… um dois Sr.'
    >>> _head("abc " + "X" * 300 + " NPR.", 0, 309, True)[:4]
    '… a '
    """
    if end - start <= HEAD_CHARS:
        return line[start:end]
    cut = line.find(" ", end - HEAD_CHARS, end)
    if cut < 0:  # one word longer than that: read whole
        return line[start:end]
    tail = line[cut + 1 : end]
    lower_left = lower and not any(c.islower() for c in tail)
    return "… " + ("a " if lower_left else "") + tail


def split_sentences(line: str) -> list[str]:
    """Split one line into sentences.

    >>> split_sentences("O líder chegou. Ele falou com o Sr. Kozlov em 6 de nov. de 2024!")
    ['O líder chegou.', 'Ele falou com o Sr. Kozlov em 6 de nov. de 2024!']
    >>> split_sentences('Mais de 10.000 soldados. "Escalada", disse Mark Rutte.')
    ['Mais de 10.000 soldados.', '"Escalada", disse Mark Rutte.']
    >>> split_sentences("Kim Jong Un met J. Smith. Then he left.")
    ['Kim Jong Un met J. Smith.', 'Then he left.']
    >>> split_sentences("Foi erguido por volta de 1900 a.C. No final do século, caiu.")
    ['Foi erguido por volta de 1900 a.C.', 'No final do século, caiu.']
    >>> split_sentences("He lives in Washington D.C. Mayor Bowser came by.")
    ['He lives in Washington D.C. Mayor Bowser came by.']
    >>> split_sentences("É inacreditável. $5,000 por pessoa, o máximo.")
    ['É inacreditável.', '$5,000 por pessoa, o máximo.']
    >>> split_sentences("Spotkanie odbyło się w Krakowie. Łódź była następna.")
    ['Spotkanie odbyło się w Krakowie.', 'Łódź była następna.']
    >>> split_sentences("Ярмарку посетили тысячи человек. Организаторы довольны.")
    ['Ярмарку посетили тысячи человек.', 'Организаторы довольны.']
    >>> split_sentences("東京で展示会が開かれた。参加者は多かった！「本当？」と彼は言った。")
    ['東京で展示会が開かれた。', '参加者は多かった！', '「本当？」と彼は言った。']
    >>> split_sentences("他问：“怎么办？”没有人回答。")
    ['他问：“怎么办？”', '没有人回答。']
    >>> split_sentences("Είναι αυτή η δεύτερη; Ναι, είναι.")
    ['Είναι αυτή η δεύτερη;', 'Ναι, είναι.']
    >>> split_sentences("Հայաստանը լեռնային երկիր է։ Երևանը մայրաքաղաքն է։")
    ['Հայաստանը լեռնային երկիր է։', 'Երևանը մայրաքաղաքն է։']
    >>> split_sentences("یہ شہر بہت پرانا ہے۔ لوگ یہاں آتے ہیں۔")
    ['یہ شہر بہت پرانا ہے۔', 'لوگ یہاں آتے ہیں۔']
    >>> split_sentences("თბილისი დიდი ქალაქია. იქ ბევრი ხალხი ცხოვრობს.")
    ['თბილისი დიდი ქალაქია.', 'იქ ბევრი ხალხი ცხოვრობს.']
    >>> split_sentences("Er sagte: „Gut.“ „Wirklich?“ Ja. « Bon. » « Oui », dit-il.")
    ['Er sagte: „Gut.“', '„Wirklich?“', 'Ja.', '« Bon. »', '« Oui », dit-il.']
    >>> split_sentences("Visit www.example.com or 3.5 km away... then stop. Done.")
    ['Visit www.example.com or 3.5 km away... then stop.', 'Done.']
    >>> split_sentences("Write to ana.silva@example.org or to T. S. Eliot. Thanks.")
    ['Write to ana.silva@example.org or to T. S. Eliot.', 'Thanks.']
    >>> split_sentences("Mehr unter https://example.org/a.b. Danach ging er. 90 km/h. Gut.")
    ['Mehr unter https://example.org/a.b.', 'Danach ging er.', '90 km/h.', 'Gut.']
    >>> split_sentences("Details")
    ['Details']
    """
    sentences: list[str] = []
    start = 0
    lower_at = -1  # the first lower-case letter at or after start (len(line): none)
    for match in SENTENCE_END.finditer(line):
        kind = next(k for k in ("gap", "greek", "armenian", "cjk", "cjkq")
                    if match.group(k) is not None)
        if kind in ("gap", "greek", "armenian"):
            first = match.group({"gap": "next", "greek": "gnext", "armenian": "anext"}[kind])
            if starts_lower(first):
                continue
        end = match.start(kind)
        if kind == "gap":
            if lower_at < start:
                lower_at = _first_lower(line, start)
            head = _head(line, start, end, lower_at < end)
            if not ends_sentence(head, _rest(line, match.end(kind))):
                continue
        sentences.append(line[start:end])
        start = match.end(kind)
    if line[start:].strip():
        sentences.append(line[start:])
    return sentences


class Segmenter(Stage):
    """Fill ``block.segments`` with one Segment per sentence, with stable ids.

    Ids are ``<doc>#<block>.<sentence>``, both counted from 1 in reading order.
    """

    name = "segment"

    def process(self, doc: Document) -> Document:
        for b, block in enumerate(doc.blocks, start=1):
            texts = [s.strip() for line in block.text.split("\n") for s in split_sentences(line)]
            block.segments = [
                Segment(id=f"{doc.doc}#{b}.{n}", text=text)
                for n, text in enumerate((t for t in texts if t), start=1)
            ]
        return doc
