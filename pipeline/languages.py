"""One table of language codes and names, used by detection, targets, candidates and
model routes.

Codes are ISO 639-1, the 75 languages lingua-language-detector knows (every one can
be a detection answer), plus languages that only translation models cover
(``TRANSLATION_ONLY``). ``UNDETERMINED`` ("und", ISO 639-2) is the answer for a text
in which no language is clear: empty, numbers, code, a web address.

Aliases map the same way everywhere (:func:`canonical`): region and script subtags
("pt-BR", "zh-Hans", "sr_Latn"), ISO 639-2/3 codes ("por", "deu"), retired codes
("iw", "in"), Norwegian "no" (written Norwegian is Bokmål: "nb") and Argos
Translate's package codes ("pb" Brazilian Portuguese).

Chinese in Traditional characters is a language of its own here, ``zh-Hant``
(:data:`VARIANTS`: Argos Translate's "zt", "zh-TW", "zh-HK", "zh-Hant"...): a model
writes one script or the other, so a target of Traditional Chinese is not one of
Simplified Chinese, "zh". Detection tells them apart by characters that exist in one
form only (:func:`chinese_variant`). Brazilian Portuguese ("pt-BR", "pb") stays "pt":
the same language in the same letters, which no detector tells apart.
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
# Written variants of a language that translation models produce apart, each a target
# (and model route) of its own, labelled with its BCP 47 tag everywhere (folders,
# report.json, segments.jsonl keys, the TMX's xml:lang). Detection answers the base
# language; the detect stage then names the variant (chinese_variant).
# code: (base language, Argos Translate's package code, English name, writing system)
VARIANTS: dict[str, tuple[str, str, str, str]] = {
    "zh-Hant": ("zh", "zt", "Chinese (Traditional)", "Han"),
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
KNOWN.update({code: (KNOWN[base][0], name, script)
              for code, (base, _, name, script) in VARIANTS.items()})
ALIASES.update({argos.lower(): code for code, (_, argos, _, _) in VARIANTS.items()})
# Subtags that make Chinese Traditional (script Hant; Taiwan, Hong Kong, Macao), unless
# the tag names the script Hans ("zh-Hans-HK" is Simplified).
TRADITIONAL_SUBTAGS = frozenset({"hant", "tw", "hk", "mo"})

# Characters of everyday news text that are written differently in Traditional and in
# Simplified Chinese, each pair (Simplified, Traditional). Only pairs where neither form
# is also a character of the other script's own texts: not 后/後 (后 "queen" is
# Traditional too), 里/裡, 台/臺, 干/乾, 于/於, 几/幾, 万/萬, 并/並, 号/號, 据/據,
# 么/麼, 种/種, 党/黨, 网/網.
SIMPLIFIED_TRADITIONAL = (
    "们們 这這 个個 来來 说說 对對 时時 会會 为為 国國 过過 发發 学學 开開 关關 与與 "
    "动動 经經 点點 还還 应應 当當 问問 头頭 见見 现現 实實 东東 长長 区區 体體 机機 "
    "义義 间間 产產 进進 无無 书書 听聽 让讓 话話 样樣 电電 买買 卖賣 车車 门門 马馬 "
    "鱼魚 鸟鳥 报報 议議 选選 总總 统統 员員 华華 湾灣 仅僅 战戰 军軍 边邊 气氣 处處 "
    "场場 团團 级級 纪紀 数數 认認 识識 变變 钱錢 银銀 亿億 岁歲 历歷 线線 导導 将將"
).split()
SIMPLIFIED_ONLY = frozenset(pair[0] for pair in SIMPLIFIED_TRADITIONAL)
TRADITIONAL_ONLY = frozenset(pair[1] for pair in SIMPLIFIED_TRADITIONAL)


class UnknownLanguage(ValueError):
    """A language code that is not in the table; the message names the nearest codes."""


def canonical(code: str) -> str:
    """The table's code for ``code`` (any alias), or raise :class:`UnknownLanguage`.

    >>> [canonical(c) for c in ["pt-BR", "zh-Hans", "no", "nb", "por", "pb", "iw"]]
    ['pt', 'zh', 'nb', 'nb', 'pt', 'pt', 'he']
    >>> [canonical(c) for c in ["zt", "ZH_tw", "zh-hant", "zh-HK", "zh-Hant-TW", "cmn-Hant"]]
    ['zh-Hant', 'zh-Hant', 'zh-Hant', 'zh-Hant', 'zh-Hant', 'zh-Hant']
    >>> [canonical(c) for c in ["zh", "zh-CN", "zh-SG", "zh-Hans-HK", "zho", "cmn"]]
    ['zh', 'zh', 'zh', 'zh', 'zh', 'zh']
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
    for variant in VARIANTS:
        if key == variant.lower():
            return variant
    for candidate in (key, key.split("-")[0]):
        if candidate in KNOWN:
            return _variant(candidate, key)
        if candidate in ALIASES and ALIASES[candidate] in KNOWN:
            return _variant(ALIASES[candidate], key)
    words = raw.split()
    if len(words) > 1 and all(_known(word) for word in words):  # --to "en de"
        raise UnknownLanguage(f"{raw!r} is not a language code: separate the codes with "
                              f"commas, as {','.join(words)}")
    found = nearest(raw)
    hint = f"nearest: {found}" if found else "use ISO 639-1 codes such as en, de, pt"
    raise UnknownLanguage(f"{raw!r} is not a language code; {hint}")


def _variant(lang: str, key: str) -> str:
    """``lang``, or its variant that the subtags of ``key`` (lower-case) name.

    >>> _variant("zh", "zh-tw"), _variant("zh", "zh-hans-tw"), _variant("pt", "pt-br")
    ('zh-Hant', 'zh', 'pt')
    """
    subtags = set(key.split("-")[1:])
    if lang == "zh" and subtags & TRADITIONAL_SUBTAGS and "hans" not in subtags:
        return "zh-Hant"
    return lang


def base(code: str) -> str:
    """The language a variant is of, as detection answers it; any other code itself.

    >>> base("zh-Hant"), base("zh"), base("pt")
    ('zh', 'zh', 'pt')
    """
    return VARIANTS[code][0] if code in VARIANTS else code


def argos_code(code: str) -> str:
    """The code of ``code``'s packages in the Argos index ("zh-Hant": "zt").

    >>> argos_code("zh-Hant"), argos_code("zh"), argos_code("pt")
    ('zt', 'zh', 'pt')
    """
    return VARIANTS[code][1] if code in VARIANTS else code


def written_alike(code: str) -> list[str]:
    """The other variants of ``code``'s language (Simplified and Traditional Chinese), in
    table order: a model that reads one reads the other, less well, as runs did when "zt"
    meant "zh"; it never writes the other.

    >>> written_alike("zh"), written_alike("zh-Hant"), written_alike("pt")
    (['zh-Hant'], ['zh'], [])
    """
    lang = base(code)
    family = [lang, *(c for c, (b, _, _, _) in VARIANTS.items() if b == lang)]
    return [c for c in family if c != code] if len(family) > 1 else []


def chinese_variant(text: str, otherwise: str = "zh") -> str:
    """The code of Chinese ``text``: "zh-Hant" where it holds more characters of
    Traditional form only than of Simplified form only (:data:`SIMPLIFIED_TRADITIONAL`),
    "zh" where it holds fewer; ``otherwise`` where it holds as many (none, often, in a
    short line).

    >>> chinese_variant("這是臺灣的新聞。"), chinese_variant("这是中国的新闻。")
    ('zh-Hant', 'zh')
    >>> chinese_variant("中午。"), chinese_variant("中午。", "zh-Hant")
    ('zh', 'zh-Hant')
    """
    traditional = simplified = 0
    for ch in text:
        if ch in TRADITIONAL_ONLY:
            traditional += 1
        elif ch in SIMPLIFIED_ONLY:
            simplified += 1
    if traditional == simplified:
        return otherwise
    return "zh-Hant" if traditional > simplified else "zh"


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

    >>> nearest("zz")
    'zh (Chinese), zh-Hant (Chinese (Traditional)), zu (Zulu)'
    >>> nearest("portugese"), nearest("english")
    ('pt (Portuguese)', 'en (English), bn (Bengali), cy (Welsh)')
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
