"""Finds and masks personal data in free text: names and addresses (natasha NER and address
patterns), phones (phonenumbers), e-mails, bank cards (Luhn), Russian passports, SNILS and
INN (with their check digits), bank accounts (Russian 20-digit accounts and IBANs, mod 97).

The raw text stays in `message.text` for roles allowed to see it; everything that leaves the
operational path (analytics, logs, LLM prompts, exports) uses the masked copy. Numbers with
check digits are only reported when the check holds, so order numbers and amounts survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers

from wowdesk.nlp import morph, ner, pii_en, pii_en_names, ru_names
from wowdesk.nlp.text import fold

# the types this module reports (and `wowdesk eval pii` scores)
TYPES = (
    "PERSON",
    "ADDRESS",
    "PHONE",
    "EMAIL",
    "CARD",
    "PASSPORT",
    "SNILS",
    "INN",
    "SSN",
    "ACCOUNT",
    "DRIVER_LICENSE",
)
# what masking leaves in stored text, «[PERSON]», «[PHONE]»: read back by quality review,
# gap mining and the copilot, which must know every type (an «[SSN]» is private data too)
MASKED = re.compile(rf"\[({'|'.join(TYPES)})\]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str


# Both e-mail patterns start where a run of name characters starts: a match inside the run
# implies one from its start, and anchoring spares rescanning each word from every letter.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# «petr.ivanov(at)mail.ru», «petr [at] mail [dot] ru», «petr собака mail точка ru»
EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s*(?:\(at\)|\[at\]|\{at\}|\(собака\)|\s(?:at|собака)\s)\s*[\w-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\s(?:dot|точка)\s)\s*[\w-]+)+",
    re.I,
)
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){11,18}\d(?![\d-])")
SNILS = re.compile(r"(?<!\d)(\d{3})[- ]?(\d{3})[- ]?(\d{3})[- ]?(\d{2})(?!\d)")
# a US Social Security number: written in its three groups, or nine digits named as one
SSN = re.compile(r"(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])")
SSN_CONTEXT = re.compile(r"\bSSN\b|social security|\bSS#|\bSSA\b", re.IGNORECASE)
# what else the dashed 3-2-4 shape numbers in English text («order 123-45-6789»)
NOT_SSN_CONTEXT = re.compile(
    r"\b(?:order|tracking|invoice|ticket|case|ref|reference|confirmation|booking|parcel"
    r"|shipment|package|item|sku|account|contract|policy)\b|№",
    re.IGNORECASE,
)
INN = re.compile(r"(?<!\d)(\d{12}|\d{10})(?!\d)")
INN_CONTEXT = re.compile(r"\bИНН\b|\bINN\b|\bTIN\b", re.IGNORECASE)
PASSPORT = re.compile(
    r"(?<!\d)(\d{2}[ ]?\d{2})[ ]?,?[ ]?(?:№|N|No\.?|номер|ном\.)?[ ]?(\d{6})(?!\d)", re.I
)
PASSPORT_CONTEXT = re.compile(r"паспорт|серия|passport", re.IGNORECASE)
# a Russian driving licence, «99 00 123456» or the older «77 УЕ 123456» (series letters that
# look Latin); a US state's, up to three letters and digits, whole or in dashed groups
# («A1234567», «S530-4604-0211», New York's «123 456 789»): each only right after the
# licence is named
RU_DRIVER_LICENSE = re.compile(
    r"(?<![\w-])\d{2} ?(?:\d{2}|[АВЕКМНОРСТУХ]{2})(?: ?(?:№|N|номер))? ?\d{6}(?![\w-])", re.I
)
EN_DRIVER_LICENSE = re.compile(
    r"(?<![\w-])(?:[A-Z]{0,3}\d{5,14}|[A-Z]{0,3}\d{2,5}(?:-\d{2,5}){2,4}|\d{3} \d{3} \d{3})"
    r"(?![\w-])"
)
DRIVER_LICENSE_NAMED = (
    (RU_DRIVER_LICENSE, re.compile(r"водительск|удостоверени|\bВУ\b|\bправа?\b", re.I)),
    (
        EN_DRIVER_LICENSE,
        re.compile(r"driver'?s?\W{0,2}licen[cs]e|driving licen[cs]e|\bDL\b|\bD\.L\.", re.I),
    ),
)
RU_ACCOUNT = re.compile(r"(?<!\d)(?:40[5-8]|423|30[1-2])\d{17}(?!\d)")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
# Russian addresses as customers type them: «ул. Лесная, д. 12, кв. 5» and also «ул ленина д 5
# кв 12», «пр-т Мира, 10к2», «УЛ ЛЕНИНА 5», «мкр Северный 3-15». Type words in any case;
# an abbreviation ends in a dot or a space, so «улыбка» is no «ул ыбка».
STREET_ABBR = r"(?i:ул|пр-к?т|просп|пер|б-р|наб|мкр|мкрн)(?:\.\s*|\s+)"
# «пр.», «ш.», «пл.» also end «и пр. товары»: after them as after a whole word
STREET_WEAK = r"(?i:пр|ш|пл)\.\s*"
# the type words written out, in their cases
STREET_WORDS = (
    r"улиц[аеуы]|проспект[аеу]?|переул(?:ок|ке|ка)|шоссе|бульвар[аеу]?|набережн(?:ая|ой|ую)"
    r"|площад(?:ь|и)|проезд[аеу]?|тупик[аеу]?|алле[яие]|лини[яие]"
)
STREET_WORD = rf"(?i:{STREET_WORDS}|микрорайон[аеу]?|тракт[аеу]?)"
# after a street's name («Невский пр.», «Ленинский пр-т»)
STREET_TYPE = rf"(?i:ул\.|пр-к?т|пр\.|пер\.|ш\.|б-р|наб\.|пл\.|{STREET_WORDS})"
# what follows a house, in the order a customer writes it: the building, the entrance, the
# floor, the flat and the door code («корп. 2», «подъезд 3», «3 этаж», «кв. 14а», «домофон 14»)
HOUSE_PART = (
    r"(?i:к|корп|корпус|стр|строение|подъезд|под\.|этаж|эт|кв|квартира|оф|офис|домофон"
    r"|код(?:\s+домофона)?)\.?\s*\d{1,4}(?![\d:]|\.\d)(?:[а-яА-Я](?![а-яА-ЯёЁ]))?"
    # «к 18:00», «к 10 утра»: the time a delivery is wanted by, not a building
    r"(?!\s*(?i:ч\b|час|утр|вечер|дня|ночи|мин))"
    r"|\d{1,2}(?:-?(?:й|ий))?\s+(?i:этаж|подъезд)"
)
# a house and what follows it: «д. 5», «д7», «12а», «12 А», «10к2», «28/2», «3-15», «стр. 1,
# кв. 5», «д. 5, подъезд 2, этаж 3, кв. 14» (a letter after a space only in capitals: «5 в
# понедельник» is no house «5 в»)
HOUSE = (
    r"(?:(?i:д|дом)\.?\s*)?\d{1,4}(?:(?:[а-яА-Я]|\s[А-Я])(?![а-яА-ЯёЁ]))?(?:\s*[-/]\s*\d{1,4})?"
    rf"(?:,?\s*(?:{HOUSE_PART})){{0,5}}"
)
HOUSE_AFTER = rf"(?:,?\s*{HOUSE})"
# the street's name: «Ленина», «8 Марта», «Маршала Жукова»; a second word in lower case only
# right before a house number («ул маршала жукова 5»), not «ул ленина завтра»
ORDINAL = r"\d{1,2}(?:-?(?:го|й|я|е|ая|ой|ий|ья))?\s+"
STREET_NAME = (
    rf"(?:{ORDINAL}[А-ЯЁ][А-ЯЁа-яё-]+|[А-ЯЁа-яё][А-ЯЁа-яё-]+)"
    rf"(?:\s+[А-ЯЁ][А-ЯЁа-яё-]+|\s+[а-яё][а-яё-]+(?={HOUSE_AFTER}))?"
)
# a capitalised name: «Ленина», «8 Марта», «2-я Тверская», «В.О.»
STREET_CAPITAL = rf"(?:{ORDINAL})?[А-ЯЁ][\w.-]*(?:\s+[А-ЯЁ][\w-]*)?"
TOWN_WORD = r"(?i:г|гор|город|пос|посёлок|поселок|село|дер|деревня)"
# a capitalised Russian word, and a name of one or two of them («Ленина», «Маршала Жукова»)
CAPITALISED = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]*)*"
# a village's house has no street: «деревня Горки, дом 12», «дер. Горки д 12»
TOWN_HOUSE = re.compile(
    rf"\b{TOWN_WORD}\.?\s*{CAPITALISED},?\s*(?=(?i:д\.?|дом)\s*\d){HOUSE}(?!\w|[:.,]\d)"
)
# «Невский проспект 28-15», «ленинский пр-т, д. 5»: the name before the type word
RU_ADDRESS_NAME_FIRST = re.compile(
    r"(?:\b\d{1,2}-?(?:я|й|е|ая|ой|ий)\s+)?\b(?i:[а-яё][а-яё-]*(?:[иыо]й|[ао]я|ое|ей|ов|ин|[оеы]м|[ое]му|ую|[ое]го))\s+"
    rf"{STREET_TYPE}(?!\w){HOUSE_AFTER}?(?!\w)"
)
# «живу на Тверской 12-5», «доставьте на Ленина 5»: no type word, a house number after
RU_ADDRESS_BARE = re.compile(rf"(?<=\b(?:на|по) )[А-ЯЁ][а-яё-]+\s+{HOUSE}(?![\d:.,]\d)")
RESIDENCE = re.compile(
    r"жив[уёе]|проживаю|прописан|прописк|адрес|доставьте|привезите|приезжайте|регистрац",
    re.I,
)
# a type word, then the name; after an abbreviation («ул», «пр-т») any name, after a whole
# word («улице», «проспекте») a capitalised name or a house number («на улице холодно» is
# no address)
RU_ADDRESS = re.compile(
    rf"\b(?:(?:{STREET_ABBR}){STREET_NAME}{HOUSE_AFTER}?"
    rf"|{STREET_WEAK}{STREET_CAPITAL}{HOUSE_AFTER}?"
    rf"|(?:\b{ORDINAL})?{STREET_WORD}\s+(?:{STREET_CAPITAL}{HOUSE_AFTER}?|{STREET_NAME}{HOUSE_AFTER})"
    # a numbered line or passage and the house: «7-я линия 34», «2-й проезд, д. 5»
    rf"|\b\d{{1,2}}-?(?:я|й|ая|ой|ий)\s+{STREET_WORD}{HOUSE_AFTER}"
    r")(?!\w)"
)
# after «адрес», «по адресу», «адрес доставки:» a town and a capitalised name with a house
# is an address without any type word («мой адрес: Ленина 5-12», «Москва, Ленина 5, кв 3»)
NAMED = rf"{CAPITALISED}(?:\s+{CAPITALISED})?"
ADDRESS_PART = rf"(?:\d{{6}}|{TOWN_WORD}\.?\s*{CAPITALISED}|{NAMED})"
RU_ADDRESS_CUED = re.compile(
    r"\b(?i:адрес(?:у|ом|а)?)(?:\s+(?i:доставки|проживания|регистрации|прописки))?(?!\w)"
    rf"\s*[:—-]?\s*(?P<address>(?:{ADDRESS_PART},?\s*){{0,3}}{CAPITALISED},?\s*{HOUSE})"
    r"(?!\w|[:.,]\d)"
)
# «Москва Ленина 5», «Казань, Баумана 12-4»: a town the dictionary knows (pymorphy3's Geox),
# then a capitalised street and a house, with no type word or cue (the NER often finds none)
TOWN_STREET = re.compile(
    rf"\b(?P<town>{CAPITALISED}),?\s+{NAMED},?\s*(?P<house>{HOUSE})(?!\w|[:.,]\d)"
)
# what a town or street found by the NER leaves around it: the postcode and «г.» before, a
# street and the house after («г. Казань, Баумана 12»: the NER finds «Казань» and
# «Баумана», nothing finds «12»)
ADDRESS_BEFORE = re.compile(rf"(?:(?:\b\d{{6}},\s*)?\b{TOWN_WORD}\.?\s*|\b\d{{6}},\s*)$")
# the town right before a street joins its mask: after a town word («г. Москва, ул. Ленина,
# 5», «пос. Мирный, ул. Мира 3») or one the dictionary knows («Новосибирск, Красный проспект
# 82»); read backwards from an address found, since an optional prefix would be tried at
# every letter of a text
TOWN_BEFORE = re.compile(
    rf"(?:\b(?P<word>{TOWN_WORD})\.?\s*)?(?<![\w-])(?P<town>{CAPITALISED}),?\s*$"
)
# the two words before a place: «Объединённых Арабских» of «…Эмиратах»
WORDS_BEFORE = re.compile(
    r"(?:(?<![\w-])(?P<first>[А-Яа-яЁё]+)\s+)?(?<![\w-])(?P<second>[А-Яа-яЁё]+)\s+$"
)
ADDRESS_AFTER = re.compile(rf",?\s*(?P<street>{NAMED},?\s*)?(?P<house>{HOUSE})(?!\w|[:.,]\d)")
BARE_HOUSE = re.compile(r"\d{1,4}")
FLAT_OR_BUILDING = re.compile(r"(?i:кв|квартира|оф|офис|к|корп|корпус|стр|строение)\.?\s*\d")
LOWER_WORD_NEXT = re.compile(r"\s+[а-яё]")
TRAILING_NUMBER = re.compile(r",?\s*(\d{1,4})$")
WORD_NEXT = re.compile(r"\s+([а-яё]+)\b")
# what follows a house and is part of the address («5 этажа» is no count of floors)
HOUSE_PART_WORDS = frozenset(
    {"этаж", "этажа", "подъезд", "подъезда", "кв", "квартира", "корпус", "корп", "строение"}
)
ADDRESS_GAP = re.compile(r"\s*,?\s*")


# any street type word, as the two street patterns above read them: most messages have none,
# and those patterns, which try every word, run only on those that do
STREET_HINT = re.compile(rf"\b(?:{STREET_ABBR}|{STREET_WEAK}|{STREET_WORD}|{STREET_TYPE})")
EN_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w'.-]*\s+){1,4}"
    r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|"
    r"Court|Ct\.?|Place|Pl\.?|Square|Sq\.?|Way|Terrace|Highway|Parkway)\b"
    r"(?:,?\s*(?:Apt\.?|Suite|Unit)\s*\w+)?"
)
# local formats phonenumbers cannot place without a country: "083 564 9312", "(64) 3591-3246"
LOOSE_PHONE = re.compile(
    r"(?<![\w+.,/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?"
    r"\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w/]|[.,]\d)"
)
PHONE_CONTEXT = re.compile(
    r"phone|tel\b|call|mobile|cell|fax|contact|телефон|тел\.|номер|звон|моб", re.IGNORECASE
)
# words that name a phone and nothing else ("номер" may be an order's)
PHONE_WORD = re.compile(r"phone|mobile|телефон|тел\b|звон|моб", re.IGNORECASE)
NOT_A_PHONE = re.compile(
    r"^\d{4}-\d{2}-\d{2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$"  # dates
    r"|^\d{1,3}(?:\.\d{1,3}){3}$"  # IPv4 addresses
    r"|^\d{3}-\d{2}-\d{4}$"  # US social security numbers
)
CARD_CONTEXT = re.compile(r"card|карт|visa|master|maestro|мир\b", re.IGNORECASE)
NOT_PHONE_CONTEXT = re.compile(
    r"заказ|order|№|счёт|счет|сумм|руб|₽|\$|€|ИНН|паспорт", re.IGNORECASE
)
CYRILLIC = re.compile(r"[а-яё]", re.I)
LATIN_CAPITAL = re.compile(r"[A-Z]")
# where the NER is worth its time: two capitalised words ("Иван Петров пишет…") or one
# inside a sentence; a sentence that opens with a word the dictionary reads as a name
# («Джек прислал мне письмо», «Павел, подготовь…») is checked by `_name_opens_sentence`
NAME_CONTEXT = re.compile(r"[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+|(?<=[\wа-яё,] )[А-ЯЁ][а-яё]+")
SENTENCE_FIRST_WORD = re.compile(r"(?:^|[.!?…\n]\s*)([А-ЯЁ][а-яё]+)")
# the request's verb natasha's tagger puts in front of a name («Напиши Саре» is one PER)
FIRST_WORD = re.compile(r"([А-ЯЁа-яё]+)\s+")
LAST_LOWER_WORD = re.compile(r"\s+([а-яё]+)$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def snils_ok(digits: str) -> bool:
    """SNILS check number: Σ digit × (9 − position), mod 101, 100 and 101 mean 00."""
    if len(digits) != 11:
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    check = total % 101
    return (0 if check == 100 else check) == int(digits[9:])


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """The Social Security Administration never issues area 000, 666 or 900-999, group 00 or
    serial 0000."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def inn_ok(digits: str) -> bool:
    def check(weights: tuple[int, ...], part: str) -> int:
        return sum(w * int(d) for w, d in zip(weights, part, strict=False)) % 11 % 10

    if len(digits) == 10:
        return check((2, 4, 10, 3, 5, 9, 4, 6, 8), digits) == int(digits[9])
    if len(digits) == 12:
        first = check((7, 2, 4, 10, 3, 5, 9, 4, 6, 8), digits)
        second = check((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8), digits)
        return first == int(digits[10]) and second == int(digits[11])
    return False


def iban_ok(text: str) -> bool:
    code = text.replace(" ", "")
    if not 15 <= len(code) <= 34:
        return False
    moved = code[4:] + code[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


_ANY_DIGIT = re.compile(
    r"\d"
)  # any script's digits, as the patterns' \d and libphonenumber read them
MIN_PHONE_DIGITS = 6  # +43 / +49 and four digits: the shortest valid numbers there are
# libphonenumber's matcher reads a number as runs of digits joined by at most four of its
# punctuation marks (spaces, dashes, dots, brackets, slashes, «x», «ー»): a text with no
# such run of MIN_PHONE_DIGITS digits holds no number for it, however many digits it has
# elsewhere («заказ 123, 2 шт.», «[a1b2c3-17]»). Any non-word character counts as a mark
# here, so this is looser than the matcher, never stricter.
PHONE_RUN = re.compile(rf"\d(?:(?:[^\w]|[xXー]){{0,4}}\d){{{MIN_PHONE_DIGITS - 1}}}")


def _digit_count(text: str) -> int:
    """Most chat lines have few digits; each number pattern needs a minimum, so a pattern
    that cannot match is not run at all (PII masking runs on every message)."""
    return len(_ANY_DIGIT.findall(text))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _near(pattern: re.Pattern[str], text: str, start: int, end: int, width: int = 25) -> bool:
    return bool(pattern.search(text[max(0, start - width) : end + 5]))


# where a capitalised request verb («Закажи мне билет») stands: at a sentence's start
SENTENCE_OPENS = re.compile(r"(?:^|[.!?…\n,:;])\s*$")
# a period after «No», «Nr», «Ref», «Num» abbreviates the number's name («Tracking no.
# 234-56-7890»): it ends no sentence
SENTENCE_END = re.compile(r"(?:(?<!\b[Nn]o)(?<!\b[Nn]r)(?<!\b[Rr]ef)(?<!\b[Nn]um)\.|[?!\n])\s")


def _sentence_before(text: str, start: int, width: int) -> str:
    """Up to `width` characters before `start`, from the start of their sentence."""
    return SENTENCE_END.split(text[max(0, start - width) : start])[-1]


def _named_before(pattern: re.Pattern[str], text: str, start: int, width: int = 40) -> bool:
    """The number's name comes before it in its sentence, with no order word or other
    number in between: «права 99 00 123456», not «права потребителя, заказ 9900123456»."""
    before = _sentence_before(text, start, width)
    names = list(pattern.finditer(before))
    if not names:
        return False
    between = before[names[-1].end() :]
    return not (
        NOT_SSN_CONTEXT.search(between)
        or NOT_PHONE_CONTEXT.search(between)
        or re.search(r"\d", between)
    )


def _near_in_sentence(
    pattern: re.Pattern[str], text: str, start: int, end: int, width: int = 25
) -> bool:
    """Like `_near`, but a sentence end in between cuts the window: in «Как отследить
    заказ? 89031234567» the order is another sentence's."""
    before = _sentence_before(text, start, width)
    after = SENTENCE_END.split(text[end : end + 5])[0]
    return bool(pattern.search(before + text[start:end] + after))


def find_pii(text: str, *, names: bool = True, english_model: bool = True) -> list[Span]:
    """Non-overlapping spans in text order; the more specific kind wins (an e-mail before a
    name inside it, a card before a phone made of the same digits). Without
    `english_model`, English names come from the name lists and shapes alone (no spaCy)."""
    found: list[Span] = []

    def add(start: int, end: int, kind: str) -> None:
        if end > start and all(end <= s.start or start >= s.end for s in found):
            found.append(Span(start, end, kind))

    n = _digit_count(text)
    for m in EMAIL.finditer(text):
        add(m.start(), m.end(), "EMAIL")
    for m in EMAIL_OBFUSCATED.finditer(text):
        add(m.start(), m.end(), "EMAIL")
    for m in IBAN.finditer(text) if n >= 2 else ():
        if iban_ok(m.group()):
            add(m.start(), m.end(), "ACCOUNT")
    for m in RU_ACCOUNT.finditer(text) if n >= 20 else ():
        add(m.start(), m.end(), "ACCOUNT")
    for m in CARD.finditer(text) if n >= 12 else ():
        digits = _digits(m.group())
        long_enough = len(digits) >= 13 or (
            len(digits) == 12 and _near(CARD_CONTEXT, text, m.start(), m.end(), 30)
        )
        # a card's sixteen digits named as one («карта 4276 3800 1234 5678») are masked even
        # when a digit is mistyped: the other fifteen still give the card away
        if (
            long_enough
            and len(digits) <= 19
            and (
                luhn_ok(digits)
                or (len(digits) == 16 and _named_before(CARD_CONTEXT, text, m.start(), 25))
            )
        ):
            add(m.start(), m.end(), "CARD")
    for m in SNILS.finditer(text) if n >= 11 else ():
        if snils_ok("".join(m.groups())):
            add(m.start(), m.end(), "SNILS")
    for m in SSN.finditer(text) if n >= 9 else ():
        area, sep, group, serial = m.groups()
        # the dashed form is an SSN's own shape in English; in Russian text, or written
        # otherwise, it must be named as one («номер 123-45-6789» may be an order)
        shaped = (
            sep == "-"
            and not CYRILLIC.search(text)
            and not _near_in_sentence(NOT_SSN_CONTEXT, text, m.start(), m.end())
        )
        if ssn_ok(area, group, serial) and (
            shaped or _near(SSN_CONTEXT, text, m.start(), m.end(), 40)
        ):
            add(m.start(), m.end(), "SSN")
    for m in INN.finditer(text) if n >= 10 else ():
        digits = m.group()
        if inn_ok(digits) and _near(INN_CONTEXT, text, m.start(), m.end()):
            add(m.start(), m.end(), "INN")
    for pattern, named in DRIVER_LICENSE_NAMED if n >= 5 else ():
        for m in pattern.finditer(text):
            if _named_before(named, text, m.start()):
                add(m.start(), m.end(), "DRIVER_LICENSE")
    for m in PASSPORT.finditer(text) if n >= 10 else ():
        if _near(PASSPORT_CONTEXT, text, m.start(), m.end(), 40):
            add(m.start(), m.end(), "PASSPORT")
    # No valid number anywhere has fewer digits than MIN_PHONE_DIGITS (country code and the
    # shortest national number): most chat lines skip libphonenumber, a tenth of a message.
    regions = ("RU", "US") if n >= MIN_PHONE_DIGITS and PHONE_RUN.search(text) else ()
    for region in regions:
        for p in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            # "+7 916 …" or a phone word next to it is a phone even in a sentence about an
            # order; otherwise order and money words nearby mean an order number or a sum
            if (
                p.raw_string.startswith("+")
                or _near(PHONE_WORD, text, p.start, p.end, 15)
                or not _near_in_sentence(NOT_PHONE_CONTEXT, text, p.start, p.end, 20)
            ):
                add(p.start, p.end, "PHONE")
    for m in LOOSE_PHONE.finditer(text) if n >= 7 else ():
        digits = _digits(m.group())
        groups = len(re.findall(r"\d+", m.group()))
        if (
            not 7 <= len(digits) <= 15
            or NOT_A_PHONE.search(m.group())
            or text[m.end() : m.end() + 1] == ":"  # a time follows: part of a timestamp
            or _near_in_sentence(NOT_PHONE_CONTEXT, text, m.start(), m.end(), 20)
        ):
            continue
        if groups >= 3 or _near(PHONE_CONTEXT, text, m.start(), m.end(), 40):
            add(m.start(), m.end(), "PHONE")
    if names:
        for start, end, kind in pii_en.english_pii(text, model=english_model):
            add(start, end, kind)
    streets = (RU_ADDRESS_NAME_FIRST, RU_ADDRESS) if STREET_HINT.search(text) else ()
    for pattern in (*streets, RU_ADDRESS_BARE) if n else streets:
        for m in pattern.finditer(text):
            end = _without_count(text, m)
            # «на улице Ленина 5 магазинов»: the street alone, if the pattern takes one
            if end == m.end() or pattern.fullmatch(text, m.start(), end):
                add(m.start(), end, "ADDRESS")
    for pattern in (TOWN_HOUSE, EN_ADDRESS) if n else ():
        for m in pattern.finditer(text):
            add(m.start(), m.end(), "ADDRESS")
    for m in RU_ADDRESS_CUED.finditer(text) if n else ():
        add(m.start("address"), m.end("address"), "ADDRESS")
    for m in TOWN_STREET.finditer(text) if n else ():
        if _town(m.group("town")) and not _a_count(text, m.group("house"), m.end()):
            add(m.start(), m.end(), "ADDRESS")
    if names and CYRILLIC.search(text):
        for start, end in ru_names.names(text):
            add(start, end, "PERSON")
        for start, end in pii_en_names.latin_names(text) if LATIN_CAPITAL.search(text) else ():
            add(start, end, "PERSON")
    if names and (NAME_CONTEXT.search(text) or _name_opens_sentence(text)):
        for e in ner.entities(text):
            if e.type == "PER":
                person = _person(text, e.start, e.stop)
                if person:
                    add(*person, "PERSON")
            elif e.type == "LOC" and (
                _street_after(text, e.stop)
                or (_near(RESIDENCE, text, e.start, e.stop, 40) and not _country(e.text))
            ):
                # a city alone is no one's personal data («погода в Казани?»); where
                # someone lives or wants a delivery is, and so is a town with a street;
                # a country of millions is not («живу во Франции, доставка есть?»)
                add(e.start, e.stop, "ADDRESS")
    found.sort(key=lambda s: s.start)
    # the English address patterns join their own parts; the Russian NER finds a town and
    # a street apart and leaves their house number out
    if CYRILLIC.search(text) and any(s.type == "ADDRESS" for s in found):
        return _whole_addresses(text, found)
    return found


def _person(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """natasha's PER without the words its tagger, trained on news, takes in with a name:
    the request's verb before it («Напиши Саре»), a verb after it («Наталья нахамила»);
    nothing when what opens a sentence is a verb or a word that is never a name («Заберу
    сам…», «Курьер не приехал…»), or a company («Амазона»)."""
    verb = FIRST_WORD.match(text, start, stop)
    if verb and ru_names.verb_not_name(verb.group(1)):
        start = verb.end()
    after = LAST_LOWER_WORD.search(text, start, stop)
    if after and ru_names.verb_no_name(after.group(1)):
        stop = after.start()
    span = text[start:stop]
    if SENTENCE_OPENS.search(text, max(0, start - 3), start) and (
        ru_names.verb_not_name(span) or ru_names.never_a_name(span)
    ):
        return None
    return None if ru_names.brand(span) else (start, stop)


def _without_count(text: str, m: re.Match[str]) -> int:
    """Where a street match ends without its last number when that number counts the word
    after it («на улице Мира 5 домов», «в 3-й линии метро 5 станций», «на Ленина 12 лет
    назад»): a noun in the genitive the number asks for is counted, a house never is."""
    bare = TRAILING_NUMBER.search(m.group())
    after = WORD_NEXT.match(text, m.end())
    if bare is None or after is None or not _counted(int(bare.group(1)), after.group(1)):
        return m.end()
    return m.start() + bare.start()


@lru_cache(maxsize=4096)
def _counted(number: int, word: str) -> bool:
    """«3 дома», «5 домов»: after 2–4 a genitive singular, after 5–20 and the like a
    genitive plural; after 1 the nominative («21 год»), which «Ленина 1 подъезд» shares, so
    no count is read there."""
    if word.lower() in HOUSE_PART_WORDS:
        return False
    last, tens = number % 10, number % 100
    if last == 1 and tens != 11:
        return False
    wanted = "sing" if 2 <= last <= 4 and not 12 <= tens <= 14 else "plur"
    return any(
        {"NOUN", "gent", wanted} <= p.tag.grammemes
        for p in morph.analyzer().parse(word.lower())
        if p.score >= 0.1
    )


def _a_count(text: str, house: str, end: int) -> bool:
    """A bare number followed by a word in lower case is a count, not a house («в Казани 5
    лет», «Москва Сити 5 этаж»)."""
    return bool(BARE_HOUSE.fullmatch(house) and LOWER_WORD_NEXT.match(text, end))


# what customers call countries besides the names CLDR gives («Англия», «Штаты», «Южная
# Корея» where CLDR has «Республика Корея», «ОАЭ» only, «Соединенные Штаты» without «Америки»)
COUNTRIES_SPOKEN = frozenset(
    {"англия", "америка", "штаты", "белоруссия", "киргизия", "молдавия", "голландия",
     "соединенные штаты америки", "объединенные арабские эмираты", "южная корея",
     "северная корея", "корея", "южная африка", "эмираты"}
)  # fmt: skip


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Countries' names in Russian and English (CLDR's, from babel), in lower case."""
    from babel import Locale

    names = {n for lang in ("ru", "en") for n in Locale(lang).territories.values()}
    return frozenset(fold(n) for n in names) | COUNTRIES_SPOKEN


@lru_cache(maxsize=4096)
def _country(span: str) -> bool:
    """«Франции», «Казахстане», «Соединённых Штатах Америки»: a country, in any case."""
    words = fold(span).split()
    if " ".join(words) in _country_names():
        return True
    parsed = [morph.analyzer().parse(word)[0] for word in words]
    nominative = [fold((p.inflect({"nomn"}) or p).word) for p in parsed]
    # «штаты» stays plural; a genitive tail stays as it is («…Штатах Америки»)
    return any(
        " ".join(named) in _country_names() for named in (nominative, [*nominative[:-1], words[-1]])
    )


@lru_cache(maxsize=4096)
def _town(word: str) -> bool:
    """The word's likeliest reading is a place's name («Москва», «Химки», «Тверская»)."""
    return "Geox" in morph.analyzer().parse(word.lower())[0].tag


def _house_after(text: str, end: int) -> re.Match[str] | None:
    """The street and house right after an address part; a bare number that is a count
    is none, unless a street names it."""
    m = ADDRESS_AFTER.match(text, end)
    if m is None or m.group("street") or not _a_count(text, m.group("house"), m.end()):
        return m
    return None


def _name_opens_sentence(text: str) -> bool:
    return any(
        ru_names.name_part(m.group(1)) in ("Name", "Surn")
        for m in SENTENCE_FIRST_WORD.finditer(text)
    )


def _street_after(text: str, end: int) -> bool:
    """A street or a flat follows: a town so followed is an address even without «живу» or
    «адрес» near it («Москва, Тверская 7», «г Москва Тверская 7 кв 3»)."""
    m = _house_after(text, end)
    return m is not None and bool(m.group("street") or FLAT_OR_BUILDING.search(m.group("house")))


def _whole_country(text: str, start: int, place: str) -> int:
    """Where a country of several words ends in `place` begins («Южной Корее, Сеул, улица
    Мира 5»): the mask took «Корее» alone and left «живу в Южной [ADDRESS]»."""
    m = WORDS_BEFORE.search(text, max(0, start - 60), start)
    if m is not None:
        for group in ("first", "second"):
            if m.group(group) and _country(text[m.start(group) : start] + place):
                return m.start(group)
    return start


def _whole_addresses(text: str, spans: list[Span]) -> list[Span]:
    """Each address widened over the «г.», postcode, known town, street and house around it, and
    neighbours only a comma apart joined: one mask, not «г. [ADDRESS], [ADDRESS] 12». A name
    or town inside the widened span is part of the address (streets are named after people);
    any other kind of span stops the widening."""
    out: list[Span] = []
    for span in spans:
        if out and out[-1].type == "ADDRESS" and out[-1].end > span.start:
            # reached by the address before it: a part of it
            out[-1] = Span(out[-1].start, max(out[-1].end, span.end), "ADDRESS")
            continue
        if span.type != "ADDRESS":
            out.append(span)
            continue
        start, end = span.start, span.end
        town = TOWN_BEFORE.search(text, max(0, start - 40), start)
        if (
            town
            and (town.group("word") or _town(town.group("town")))
            and (not out or out[-1].end <= town.start())
        ):
            start = town.start()
            if not town.group("word"):
                start = _whole_country(text, start, town.group("town"))
        before = ADDRESS_BEFORE.search(text, max(0, start - 20), start)
        if before and before.start() < start and (not out or out[-1].end <= before.start()):
            start = before.start()
        after = _house_after(text, end)
        if after and all(
            s.type in ("ADDRESS", "PERSON") or s.end <= end or s.start >= after.end() for s in spans
        ):
            end = after.end()
        if out and out[-1].type == "ADDRESS" and ADDRESS_GAP.fullmatch(text, out[-1].end, start):
            start = out.pop().start
        out.append(Span(start, end, "ADDRESS"))
    return out


def mask_text(text: str, *, names: bool = True, english_model: bool = True) -> str:
    """Each span replaced by its type in brackets: «Меня зовут [PERSON], карта [CARD]»."""
    for span in reversed(find_pii(text, names=names, english_model=english_model)):
        text = text[: span.start] + f"[{span.type}]" + text[span.end :]
    return text


@lru_cache(maxsize=1024)
def mask_repeated(text: str) -> str:
    """`mask_text` kept per text, for texts sent again and again: the bot quotes the same
    popular passages to customer after customer, and masking one costs milliseconds (NER)."""
    return mask_text(text)


def mask_json(value: Any) -> Any:
    """Every string inside a JSON value (lists, objects, nested) masked; keys, numbers and
    booleans stay: a stored transcript or list of facts loses the person, not its shape."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_json(v) for k, v in value.items()}
    return value
