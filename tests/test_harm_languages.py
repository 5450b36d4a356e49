"""Do no harm: the cleanup stages on articles of languages beside the candidates.

Each test is a short article written for it, in a language the rules were not written
for (Chinese, Japanese, Korean, Russian, Arabic, Thai, Bengali, Swedish, Finnish,
Turkish...), showing one damage that bench/harm.py found on the lingua sentences of
75 languages: the article must come out as written (or unwrapped, where the contract
says so).
"""

from __future__ import annotations

from tests.test_cleanup import clean


def unchanged(text: str) -> None:
    doc = clean(text)
    assert doc.clean_text() == text
    assert not doc.fixes and not doc.removed and not doc.metadata


# --- unwrapping: no space inside Chinese and Japanese words ---------------------------


def test_a_hard_wrapped_chinese_paragraph_is_joined_without_spaces_but_korean_with():
    paragraph = ("北京市政府周三宣布，从下个月开始，全市公共交通将全面推行电子支付，"
                 "乘客可以使用手机扫码乘车。有关部门表示，这项措施将大大缩短乘客排队等候的时间。")
    wrapped = paragraph[:36] + "\n" + paragraph[36:72] + "\n" + paragraph[72:]
    doc = clean(f"北京公交全面推行电子支付\n\n{wrapped}\n")
    assert doc.clean_text() == f"北京公交全面推行电子支付\n\n{paragraph}\n"
    # Korean is written with spaces, and its CJK brackets do not make it Chinese
    head = "서울시 교통 요금 인상\n\n"
    doc = clean(f"{head}서울시는 수요일 다음 달부터 지하철과 버스 요금을 올린다고 "
                "밝혔다 이후\n〈한겨레〉가 보도한 바에 따르면 시민들의 반발이 거센 것으로 "
                "알려졌다.\n")
    assert doc.clean_text() == (f"{head}서울시는 수요일 다음 달부터 지하철과 버스 요금을 "
                                "올린다고 밝혔다 이후 〈한겨레〉가 보도한 바에 따르면 시민들의 "
                                "반발이 거센 것으로 알려졌다.\n")


def test_a_word_of_another_spaced_script_beside_a_chinese_break_keeps_its_space():
    # Only Latin letters and Hangul kept the space: a Russian or Greek name at the
    # break was glued to the Chinese text ("首都Москва").
    first = "中国外交部发言人今天在北京举行的例行记者会上表示，双方将于下周在俄罗斯首都"
    second = "Москва举行新一轮会谈，讨论能源合作、边境贸易和人文交流等问题，并签署"
    third = "一系列合作文件。有关部门表示，这次会谈将进一步推动两国关系的发展。"
    doc = clean(f"中俄将举行新一轮会谈\n\n{first}\n{second}\n{third}\n")
    assert doc.clean_text() == f"中俄将举行新一轮会谈\n\n{first} {second}{third}\n"


def test_a_hard_wrapped_japanese_paragraph_is_joined_without_spaces():
    paragraph = ("東京都は水曜日、来月から都内の公共交通機関で電子決済を全面的に導入すると"
                 "発表した。担当者によると、この措置で乗客が列に並んで待つ時間が大幅に短くなる"
                 "という。")
    wrapped = paragraph[:34] + "\n" + paragraph[34:68] + "\n" + paragraph[68:]
    doc = clean(f"都営交通で電子決済を全面導入\n\n{wrapped}\n")
    assert doc.clean_text() == f"都営交通で電子決済を全面導入\n\n{paragraph}\n"


# --- a line that continues a wrapped sentence is no interface line ----------------------


def test_the_last_line_of_a_wrapped_russian_paragraph_stays_when_it_starts_with_a_digit():
    doc = clean("Оборона Ленинграда\n\nНа Ладожском озере лёд окреп, и по нему открыли "
                "дорогу\nпротяжённостью около тридцати километров в конце ноября\n"
                "1941 г.\n")
    assert "1941 г." in doc.clean_text()
    assert not doc.removed


def test_the_last_line_of_a_wrapped_arabic_paragraph_stays():
    # Arabic has no lower case: the line's first letter cannot show that it continues
    text = ("افتتاح مكتبة جديدة في القاهرة\n\nافتتحت وزارة الثقافة المصرية يوم الأحد مكتبة عامة "
            "جديدة في\nحي شبرا بالقاهرة تضم أكثر من عشرين ألف كتاب منذ عام\n1989 م.\n")
    doc = clean(text)
    assert doc.clean_text().endswith("منذ عام 1989 م.\n")
    assert not doc.removed


# --- a document in none of the candidate languages: a line's language tells nothing ------


def test_a_reference_line_of_a_russian_or_finnish_article_is_no_interface_line():
    for text, line in (
        ("Книга о блокаде\n\nВ новой книге историк подробно описывает жизнь города в годы "
        "войны и блокады.\nМосква: Наука, 1969.\n\nКнига вышла тиражом в три тысячи "
        "экземпляров и быстро разошлась.\n", "Москва: Наука, 1969."),
        ("Kirja piirityksestä\n\nUudessa kirjassa historioitsija kuvaa kaupungin elämää "
        "sodan ja piirityksen vuosina.\nHelsinki: Otava, 1969.\n\nKirjaa painettiin "
        "kolmetuhatta kappaletta ja se myytiin nopeasti loppuun.\n", "Helsinki: Otava, 1969."),
    ):
        doc = clean(text)
        assert not doc.removed and not doc.metadata
        assert f" {line}\n" in doc.clean_text()  # (the two lines unwrapped into one)


# --- hyphens before a space: suspended hyphens and dashes ---------------------------------


def test_suspended_hyphens_of_nordic_finnish_and_hungarian_conjunctions_are_kept():
    for text in (
        "Skolan erbjuder både Natur- och Samhällsvetenskapsprogrammet på engelska i år.\n",
        "Osuuspankki tarjoaa säästö- ja lainapalveluja myös pienille yrityksille täällä.\n",
        "A városi vásár- és piaccsarnok felújítása jövő tavasszal kezdődik meg végre.\n",
        "La registaro de Nord- kaj Sud-Koreio renkontiĝos denove en la venonta semajno.\n",
    ):
        unchanged(text)


def test_a_hyphen_before_a_space_is_left_in_text_of_none_of_the_candidate_languages():
    # an Arabic dateline dash and a Bengali list dash: not a broken word
    unchanged("طهران- أعلنت الحكومة الإيرانية اليوم عن خطة جديدة لدعم الصادرات غير "
              "النفطية في البلاد.\n")
    unchanged("বিভিন্ন খাতে, যেমন- কৃষি, মৎস্য ও পশুপালন খাতে সরকার নতুন ঋণ সুবিধা চালু করেছে "
              "বলে জানা গেছে।\n")


def test_a_spaced_dash_before_a_thai_phrase_is_no_split_compound():
    # Thai writes no spaces between words: a space ends a phrase, a hyphen after it is a
    # dash opening the next one
    unchanged("ห้องเช่าใกล้ตลาด\n\nทำเลดีมาก -มีห้องนอนใหญ่ 1 ห้อง -มีห้องน้ำในตัว "
              "-เดินทางเข้าออกสะดวกได้หลายทาง\n")


def test_a_leading_hyphen_after_a_finnish_conjunction_completes_a_compound():
    unchanged("Yritys myy atk-ohjelmistoja ja -laitteita sekä tarjoaa niihin tukea "
              "asiakkailleen koko maassa.\n")


# --- spaces before punctuation that are no artefact ----------------------------------------


def test_emoticons_separators_and_marks_keep_the_space_before_them():
    unchanged("Bugün hava çok güzel :) Akşam sahilde yürüyüş yapacağız ;) Görüşürüz!\n")
    unchanged("Haberler :: Spor :: Futbol\n\nTakım dün akşam ligdeki üçüncü galibiyetini aldı.\n")
    unchanged("ข่าวประชาสัมพันธ์ - : ประกาศรายชื่อผู้ผ่านการคัดเลือกเข้าศึกษาต่อ\n")


def test_a_quote_mark_that_opens_a_quote_stays_apart_from_the_word_before_it():
    # Arabic and Georgian web text open quotes with ” too: the space before it stays
    doc = clean("قال الوزير إن مشروع ” المدينة الذكية ” سيبدأ العام المقبل في العاصمة.\n")
    assert "مشروع ” المدينة" in doc.clean_text()


# --- spaces before ; : ! ? in text of none of the candidate languages ----------------------


def test_a_space_before_a_colon_or_a_mark_stays_in_hindi_persian_and_russian_articles():
    # the rule knows the candidates' typography only: Hindi and Persian writers space a
    # colon as a habit, and a Russian article's spacing is its own
    unchanged("नगर निगम की बैठक\n\nमहापौर ने कहा : शहर की सड़कों की मरम्मत अगले महीने से "
              "शुरू होगी। उन्होंने पूछा : इतनी देर क्यों हुई ?\n")
    unchanged("جلسه شورای شهر\n\nشهردار گفت : تعمیر خیابان‌های شهر از ماه آینده آغاز "
              "می‌شود و تا پایان سال ادامه خواهد داشت.\n")
    unchanged("Заседание городского совета\n\nМэр заявил : ремонт городских улиц начнётся "
              "в следующем месяце и продлится до конца года !\n")
    # a bracket padded on one side only is still a slip, in any language
    doc = clean("Заседание городского совета\n\nМэр заявил, что ремонт улиц начнётся в "
                "следующем месяце (в мае ) и продлится до конца года.\n")
    assert "(в мае)" in doc.clean_text()


def test_a_french_quote_in_a_german_article_keeps_its_spaced_marks():
    doc = clean("Gipfel in Paris\n\nDie Kanzlerin traf gestern den französischen "
                "Präsidenten im Élysée-Palast. Le Monde titelte danach : « Accord trouvé ! »\n")
    assert "titelte danach : « Accord trouvé ! »" in doc.clean_text()
    # the candidates' own slips are still repaired
    doc = clean("Cimeira em Paris\n\nO primeiro-ministro disse ontem : o acordo está "
                "fechado . Quando será assinado ?\n")
    assert doc.clean_text().endswith("disse ontem: o acordo está fechado. Quando será "
                                      "assinado?\n")


# --- a long line is no hard-wrapped paragraph's ---------------------------------------------


def test_a_short_line_under_a_long_unfinished_line_is_not_glued_to_it():
    # a paragraph longer than any wrapping width, then an interface line no lexicon
    # lists: joined, it read "... masuala ya forodha Soma zaidi habari hii"
    text = ("Mkutano wa viongozi\n\nViongozi wa nchi za Afrika Mashariki walikutana "
            "jijini Arusha siku ya Jumatatu kujadili biashara ya mipakani na usalama wa "
            "eneo hilo, pamoja na masuala ya forodha\nSoma zaidi habari hii\n")
    doc = clean(text)
    assert "forodha\nSoma zaidi habari hii" in doc.clean_text()
    assert not any(fix.kind == "unwrap" for fix in doc.fixes)


# --- dashes written against a word ----------------------------------------------------------


def test_a_parenthetical_between_attached_dashes_is_left():
    unchanged("Estem citats -ha dit- a un debat en profunditat sobre el futur del port "
              "de la ciutat.\n")
    unchanged("Η εταιρεία δραστηριοποιείται τόσο στην εμπορία όσο και -κυρίως- στην "
              "παραγωγή ενέργειας από φυσικό αέριο.\n")
    unchanged("V sobotu sa na -tomto mieste- stretnú všetci priaznivci miestneho "
              "futbalového klubu.\n")


def test_a_dash_before_a_capitalised_phrase_or_an_arabic_word_is_left():
    unchanged("Nos quedamos en la puerta, sin saber qué preguntar -Por qué tan sola vas? "
              "dijo al fin uno de ellos.\n")
    unchanged("قال الشيخ إن النبي -صلى الله عليه وسلم- كان يوصي بالجار خيرا في كل "
              "الأحوال.\n")
    # a split compound after a short prefix or a capital is still joined
    doc = clean("Manifestação em Lisboa\n\nCentenas de pessoas juntaram-se ontem numa "
                "manifestação anti -Trump diante da embaixada, disse o Estado -Maior.\n")
    assert "anti-Trump" in doc.clean_text() and "Estado-Maior" in doc.clean_text()


# --- hyphens before a space in text that reads only weakly as a candidate -----------------


def test_a_suspended_hyphen_before_a_conjunction_and_a_compound_is_kept():
    # "spelen" is a common word, yet "spel- en leesprobleme" shares "probleme"
    unchanged("Die skool bied ekstra klasse aan vir kinders met spel- en leesprobleme "
              "wat agter geraak het.\n")


def test_a_romanian_hyphen_before_a_space_is_left():
    # Romanian reads as Italian or French at a few common words ("de", "la", "a"), but
    # its "ș", "ț", "ă" are no candidate's letters: their dictionaries cannot decide
    unchanged("La cinci minute de la start a sosit plutonierul- major Ion Popescu, care a "
              "câștigat proba de tir și a lovit ținta de patru ori.\n")


# --- no-break spaces that are a language's typography --------------------------------------


def test_czech_and_polish_one_letter_prepositions_keep_their_no_break_space():
    unchanged("Oprava mostu\n\nOprava mostu v\u00a0centru města začne v\u00a0pondělí "
              "a potrvá do konce září, uvedla radnice s\u00a0tím, že objížďka povede "
              "k\u00a0nádraží.\n")
    unchanged("Remont mostu\n\nRemont mostu w\u00a0centrum miasta rozpocznie się "
              "z\u00a0początkiem przyszłego tygodnia i potrwa do końca września.\n")
