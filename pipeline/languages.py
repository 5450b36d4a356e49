"""One table of language codes and names, used by detection, targets, candidates and
model routes.

Codes are ISO 639-1, the 75 languages lingua-language-detector knows (every one can
be a detection answer), plus languages that only translation models cover
(``TRANSLATION_ONLY``). ``UNDETERMINED`` ("und", ISO 639-2) is the answer for a text
in which no language is clear: empty, numbers, code, a web address.

Aliases map the same way everywhere (:func:`canonical`): region and script subtags
("pt-BR", "zh-Hans", "sr_Latn"), ISO 639-2/3 codes ("por", "deu"), retired codes
("iw", "in"), Norwegian "no" (written Norwegian is Bokmål: "nb") and Argos
Translate's package codes ("pb" Brazilian Portuguese, "zt" traditional Chinese).
An unknown code is a :class:`UnknownLanguage` error whose message lists the nearest
known codes (for a name such as "english": en).

This module imports nothing heavy: it is read by the command line before anything
is loaded.
"""

from __future__ import annotations

import difflib

UNDETERMINED = "und"

# code: (ISO 639-3 code, English name, writing system). The writing system is the
# script lingua's model for the language is trained on (Serbian: Cyrillic).
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "af": ("afr", "Afrikaans", "Latin"),
    "ar": ("ara", "Arabic", "Arabic"),
    "az": ("aze", "Azerbaijani", "Latin"),
    "be": ("bel", "Belarusian", "Cyrillic"),
    "bg": ("bul", "Bulgarian", "Cyrillic"),
    "bn": ("ben", "Bengali", "Bengali"),
    "bs": ("bos", "Bosnian", "Latin"),
    "ca": ("cat", "Catalan", "Latin"),
    "cs": ("ces", "Czech", "Latin"),
    "cy": ("cym", "Welsh", "Latin"),
    "da": ("dan", "Danish", "Latin"),
    "de": ("deu", "German", "Latin"),
    "el": ("ell", "Greek", "Greek"),
    "en": ("eng", "English", "Latin"),
    "eo": ("epo", "Esperanto", "Latin"),
    "es": ("spa", "Spanish", "Latin"),
    "et": ("est", "Estonian", "Latin"),
    "eu": ("eus", "Basque", "Latin"),
    "fa": ("fas", "Persian", "Arabic"),
    "fi": ("fin", "Finnish", "Latin"),
    "fr": ("fra", "French", "Latin"),
    "ga": ("gle", "Irish", "Latin"),
    "gu": ("guj", "Gujarati", "Gujarati"),
    "he": ("heb", "Hebrew", "Hebrew"),
    "hi": ("hin", "Hindi", "Devanagari"),
    "hr": ("hrv", "Croatian", "Latin"),
    "hu": ("hun", "Hungarian", "Latin"),
    "hy": ("hye", "Armenian", "Armenian"),
    "id": ("ind", "Indonesian", "Latin"),
    "is": ("isl", "Icelandic", "Latin"),
    "it": ("ita", "Italian", "Latin"),
    "ja": ("jpn", "Japanese", "Japanese"),
    "ka": ("kat", "Georgian", "Georgian"),
    "kk": ("kaz", "Kazakh", "Cyrillic"),
    "ko": ("kor", "Korean", "Hangul"),
    "la": ("lat", "Latin", "Latin"),
    "lg": ("lug", "Ganda", "Latin"),
    "lt": ("lit", "Lithuanian", "Latin"),
    "lv": ("lav", "Latvian", "Latin"),
    "mi": ("mri", "Maori", "Latin"),
    "mk": ("mkd", "Macedonian", "Cyrillic"),
    "mn": ("mon", "Mongolian", "Cyrillic"),
    "mr": ("mar", "Marathi", "Devanagari"),
    "ms": ("msa", "Malay", "Latin"),
    "nb": ("nob", "Norwegian Bokmål", "Latin"),
    "nl": ("nld", "Dutch", "Latin"),
    "nn": ("nno", "Norwegian Nynorsk", "Latin"),
    "pa": ("pan", "Punjabi", "Gurmukhi"),
    "pl": ("pol", "Polish", "Latin"),
    "pt": ("por", "Portuguese", "Latin"),
    "ro": ("ron", "Romanian", "Latin"),
    "ru": ("rus", "Russian", "Cyrillic"),
    "sk": ("slk", "Slovak", "Latin"),
    "sl": ("slv", "Slovenian", "Latin"),
    "sn": ("sna", "Shona", "Latin"),
    "so": ("som", "Somali", "Latin"),
    "sq": ("sqi", "Albanian", "Latin"),
    "sr": ("srp", "Serbian", "Cyrillic"),
    "st": ("sot", "Sotho", "Latin"),
    "sv": ("swe", "Swedish", "Latin"),
    "sw": ("swa", "Swahili", "Latin"),
    "ta": ("tam", "Tamil", "Tamil"),
    "te": ("tel", "Telugu", "Telugu"),
    "th": ("tha", "Thai", "Thai"),
    "tl": ("tgl", "Tagalog", "Latin"),
    "tn": ("tsn", "Tswana", "Latin"),
    "tr": ("tur", "Turkish", "Latin"),
    "ts": ("tso", "Tsonga", "Latin"),
    "uk": ("ukr", "Ukrainian", "Cyrillic"),
    "ur": ("urd", "Urdu", "Arabic"),
    "vi": ("vie", "Vietnamese", "Latin"),
    "xh": ("xho", "Xhosa", "Latin"),
    "yo": ("yor", "Yoruba", "Latin"),
    "zh": ("zho", "Chinese", "Han"),
    "zu": ("zul", "Zulu", "Latin"),
}
# Languages Argos Translate has models for that lingua cannot detect: valid targets
# (and model routes), never a detection answer.
TRANSLATION_ONLY: dict[str, tuple[str, str, str]] = {
    "gl": ("glg", "Galician", "Latin"),
}
DETECTABLE = frozenset(LANGUAGES)
KNOWN = {**LANGUAGES, **TRANSLATION_ONLY}

# Other spellings of a known language, after lower-casing and cutting at "-" or "_".
ALIASES: dict[str, str] = {
    "no": "nb", "nor": "nb",  # written Norwegian is mostly Bokmål
    "iw": "he", "in": "id",  # retired ISO 639-1 codes
    "pb": "pt", "zt": "zh",  # Argos Translate package codes
    "sh": "sr", "hbs": "sr",  # Serbo-Croatian (wordfreq's code)
    "fil": "tl",  # Filipino (wordfreq's code)
    "zho": "zh", "chi": "zh", "cmn": "zh", "yue": "zh",
    "ger": "de", "fre": "fr", "dut": "nl", "gre": "el", "per": "fa", "cze": "cs",
    "slo": "sk", "rum": "ro", "alb": "sq", "arm": "hy", "geo": "ka", "ice": "is",
    "mac": "mk", "may": "ms", "mao": "mi", "wel": "cy", "baq": "eu",
}
ALIASES.update({iso3: code for code, (iso3, _, _) in KNOWN.items()})


class UnknownLanguage(ValueError):
    """A language code that is not in the table; the message names the nearest codes."""


def canonical(code: str) -> str:
    """The table's code for ``code`` (any alias), or raise :class:`UnknownLanguage`.

    >>> [canonical(c) for c in ["pt-BR", "zh-Hans", "ZH_tw", "no", "nb", "por", "pb", "iw"]]
    ['pt', 'zh', 'zh', 'nb', 'nb', 'pt', 'pt', 'he']
    >>> canonical("POR"), canonical("und")
    ('pt', 'und')
    >>> canonical("xx")
    Traceback (most recent call last):
    ...
    pipeline.languages.UnknownLanguage: 'xx' is not a language code; nearest: xh (Xhosa)
    >>> try:
    ...     canonical("en de")
    ... except UnknownLanguage as exc:
    ...     print(exc)
    'en de' is not a language code: separate the codes with commas, as en,de
    """
    raw = code.strip()
    key = raw.lower().replace("_", "-")
    if key == UNDETERMINED:
        return UNDETERMINED
    for candidate in (key, key.split("-")[0]):
        if candidate in KNOWN:
            return candidate
        if candidate in ALIASES and ALIASES[candidate] in KNOWN:
            return ALIASES[candidate]
    words = raw.split()
    if len(words) > 1 and all(_known(word) for word in words):  # --to "en de"
        raise UnknownLanguage(f"{raw!r} is not a language code: separate the codes with "
                              f"commas, as {','.join(words)}")
    found = nearest(raw)
    hint = f"nearest: {found}" if found else "use ISO 639-1 codes such as en, de, pt"
    raise UnknownLanguage(f"{raw!r} is not a language code; {hint}")


def _known(code: str) -> bool:
    """Whether ``code`` is a known code or alias (``und`` included).

    >>> _known("pt-BR"), _known("xx")
    (True, False)
    """
    try:
        canonical(code)
    except UnknownLanguage:
        return False
    return True


def nearest(code: str, n: int = 3) -> str:
    """The known codes nearest to ``code``, with their names, for an error message
    ("" when none is near).

    >>> nearest("zz"), nearest("portugese"), nearest("english")
    ('zh (Chinese), zu (Zulu)', 'pt (Portuguese)', 'en (English), bn (Bengali), cy (Welsh)')
    >>> nearest("pr"), nearest("42")
    ('pa (Punjabi), pl (Polish), pt (Portuguese)', '')
    """
    key = code.strip().lower()
    if len(key) > 3:  # a name
        names = {name.lower(): c for c, (_, name, _) in KNOWN.items()}
        found = [names[m] for m in difflib.get_close_matches(key, list(names), n, 0.6)]
    else:
        # same first letter first, then same second letter: typos keep the first
        found = sorted(c for c in KNOWN if c[:1] == key[:1])[:n]
        found = found or sorted(c for c in KNOWN if c[1:2] == key[1:2])[:n]
    return ", ".join(f"{c} ({name(c)})" for c in found)


def name(code: str) -> str:
    """The English name of a known code ("und": "undetermined").

    >>> name("nb"), name("und")
    ('Norwegian Bokmål', 'undetermined')
    """
    return "undetermined" if code == UNDETERMINED else KNOWN[code][1]


def script(code: str) -> str:
    """The writing system of a known language ("Latin", "Cyrillic", "Han"...).

    >>> script("ru"), script("ja"), script("pt")
    ('Cyrillic', 'Japanese', 'Latin')
    """
    return KNOWN[code][2]


def same_script(a: str, b: str) -> bool:
    """Whether two codes' languages are written alike (True when either is unknown).

    >>> same_script("pt", "pl"), same_script("pt", "ru"), same_script("pt", "")
    (True, False, True)
    """
    if a not in KNOWN or b not in KNOWN:
        return True
    return KNOWN[a][2] == KNOWN[b][2]
