"""Russian personal names the news-trained NER misses: chat writing ignores capitals.

natasha's tagger learned from news, where every name is capitalised; customers write «я
петр сидоров», «анна кузнецова», «ИВАНОВ ПЁТР» or «Я Пётр Сидоров». pymorphy3's
dictionary knows which words are first names, surnames and patronymics (tags Name, Surn,
Patr) in any case, so a run of two or three such words with at least one first name is a
name, and so is a lone first name or surname right after «я», «меня зовут», «это», «на имя».
Words that are also common nouns («вера», «роза», «ветров») only count next to a word whose
likeliest reading is a name, or after those cues, never alone. A surname or first name next
to initials («Иванов И.И.») is a name with its initials.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from wowdesk.nlp import morph
from wowdesk.nlp.text import stem

WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)?")
CUE = re.compile(
    r"(?:^|[\s,.!?:;(])(?:я|меня\s+зовут|зовут|это|на\s+имя|фио:?|получатель:?|my\s+name\s+is)\s*$",
    re.I,
)
# a name one speaks to: after a greeting, thanks or «уважаемый» («Здравствуйте, Мария!»,
# «спасибо Алексей»), opening a sentence before a comma («Мария, ваш заказ готов»), after
# «хорошо,» and the like («Хорошо, Мария, проверю»), or closing one after a comma («…за
# ожидание, Алексей!»). Operators address customers so all day, and natasha's tagger,
# trained on news, misses the name there («Здравствуйте, Мария! Спасибо.»). Between two
# commas elsewhere a name-like word is more often a list's item («роза, лилия, гербера»).
GREETED = re.compile(
    r"(?:^|[\s,.!?:;(])(?:здравствуй(?:те)?|здрасте|добр(?:ый|ое|ого|ой)\s+(?:день|дня|вечер|"
    r"вечера|утро|утра|ночи)|привет|приветствую|спасибо|благодарю|уважаем(?:ый|ая|ые)|"
    r"дорог(?:ой|ая)|до\s+свидания|всего\s+доброго)\s*[,!]?\s*$",
    re.I,
)
SENTENCE_OPENS = re.compile(r"(?:^|[.!?…\n])\s*$")
AFTER_A_WORD_OF_REPLY = re.compile(
    r"(?:^|[.!?…\n]\s*)(?:хорошо|да|нет|конечно|понятно|отлично|извините|простите|ок|итак)"
    r"\s*,\s*$",
    re.I,
)
COMMA_BEFORE = re.compile(r",\s*$")
SET_APART_AFTER = re.compile(r"\s*[,!]")
CLOSES_SENTENCE = re.compile(r"\s*(?:[!?]|\.(?!\w)|$)")
MIN_SCORE = 0.1
NAME_TAGS = ("Name", "Surn", "Patr")  # pymorphy3's grammemes of a first name, surname, patronymic
# «Иванов И.И.», «Петрову А. С.», «И.И. Иванов»: a surname next to initials, as customers
# sign letters and name recipients; the NER misses it at a message's start and leaves the
# initials out elsewhere («получатель [PERSON] Е.В.»)
INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
CAPITALISED = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
WITH_INITIALS = re.compile(
    rf"(?<![\w.])(?:(?P<before>{CAPITALISED})\s+{INITIALS}|{INITIALS}\s?(?P<after>{CAPITALISED}))"
    r"(?!\w)"
)


# companies customers name in Russian that natasha's tagger, trained on news, takes for
# people («Заказ с Амазона» → «с [PERSON]», «Закажите мне Убер»); compared by stem, so
# every case counts; «Мир» (the card), «Али» and «Зара» are left out: they are names too
BRANDS = """
амазон алиэкспресс озон вайлдберриз валберис яндекс сбер сбербанк тинькофф альфа втб
газпромбанк райффайзен совкомбанк почтабанк мегафон билайн мтс теле2 ростелеком йота авито
юла убер ситимобил делимобиль самокат лента магнит пятерочка перекресток ашан икеа леруа
эльдорадо ситилинк днс мвидео эппл айфон самсунг сяоми хуавей гугл фейсбук инстаграм
телеграм ватсап вайбер вконтакте кинопоиск окко нетфликс спотифай стим плейстейшн виза
мастеркард маэстро киви юмани вебмани пэйпал уолмарт ебэй ибей адидас найк пума твиттер
пандора шазам сири ютуб тикток твич дискорд зум скайп
""".split()  # noqa: SIM905


@lru_cache(maxsize=1)
def _brand_stems() -> frozenset[str]:
    return frozenset(stem(b) for b in BRANDS)


def brand(span: str) -> bool:
    """Every word of the span is a company's name and no person's («Амазона»; not «Яндекс
    Маркет», not «Юлии», whose stem is «Юла»'s)."""
    found = WORD.findall(span)
    return bool(found) and all(
        stem(w.lower()) in _brand_stems() and name_part(w) is None for w in found
    )


@lru_cache(maxsize=50_000)
def name_part(word: str) -> str | None:
    """'Name', 'Surn' or 'Patr' when a likely reading of the word is one, else None."""
    if len(word) < 2:
        return None
    for parsed in morph.analyzer().parse(word.lower()):
        if parsed.score < MIN_SCORE:
            break
        for part in NAME_TAGS:
            if part in parsed.tag:
                return part
    return None


def verb_not_name(word: str) -> bool:
    """A request's verb the dictionary knows, with no name reading («Закажи», «Отправьте»,
    «Покупаю»): natasha's tagger, trained on news, takes the capitalised verb that opens a
    request for a name (39 of 5 480 Russian HWU64 and noisy support messages). Words the
    dictionary only guesses («Сайнсбери») and past forms («Лили») stay names."""
    lower = word.lower()
    if not WORD.fullmatch(word) or name_part(word) or not morph.analyzer().word_is_known(lower):
        return False
    # «Напомните» reads first as a future («you will remind»), then as the request it is
    return any(
        p.tag.POS == "VERB" and ("impr" in p.tag or ("1per" in p.tag and "pres" in p.tag))
        for p in morph.analyzer().parse(lower)
    )


def _no_name_reading(word: str) -> list[Any]:
    """The dictionary's readings of a word it knows and never reads as a name; none for a
    name («Роза», «Лили», «Джек» are names too) or a word it does not know («Гайа»)."""
    lower = word.lower()
    if not WORD.fullmatch(word) or not morph.analyzer().word_is_known(lower):
        return []
    readings = morph.analyzer().parse(lower)
    return [] if any(part in p.tag for p in readings for part in NAME_TAGS) else readings


def never_a_name(word: str) -> bool:
    """A word the dictionary knows with no name reading at all («Курьер», «Заберу»)."""
    return bool(_no_name_reading(word))


def verb_no_name(word: str) -> bool:
    """A verb that is never a name: what the tagger takes in after one («Наталья
    нахамила»)."""
    readings = _no_name_reading(word)
    return bool(readings) and readings[0].tag.POS in VERBS


VERBS = frozenset({"VERB", "INFN", "GRND", "PRTS"})


def _common_word(word: str, parts: tuple[str, ...] = NAME_TAGS) -> bool:
    """The likeliest reading is not a name: «вера» is faith before it is Vera."""
    best = morph.analyzer().parse(word.lower())[0]
    return not any(part in best.tag for part in parts)


def _with_initials(text: str) -> list[tuple[int, int]]:
    return [
        m.span()
        for m in WITH_INITIALS.finditer(text)
        if name_part(m.group("before") or m.group("after")) in ("Surn", "Name")
    ]


def names(text: str) -> list[tuple[int, int]]:
    """Spans of personal names in Russian text, whatever their capitals."""
    spans = _with_initials(text) if "." in text else []
    taken = {i for start, end in spans for i in range(start, end)}
    words = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text) if m.start() not in taken]
    i = 0
    while i < len(words):
        run: list[str] = []
        j = i
        while j < len(words) and len(run) < 3:
            part = name_part(words[j][2])
            between = text[words[j - 1][1] : words[j][0]] if run else ""
            if part is None or (run and between.strip()):
                break
            run.append(part)
            j += 1
        cue = bool(CUE.search(text[: words[i][0]]))
        surely = any(not _common_word(w[2], ("Name", "Patr")) for w in words[i:j])
        if len(run) >= 2 and "Name" in run and surely:
            spans.append((words[i][0], words[j - 1][1]))
            i = j
            continue
        if len(run) >= 2 and cue:
            spans.append((words[i][0], words[j - 1][1]))
            i = j
            continue
        if len(run) == 1 and run[0] in ("Name", "Surn"):
            start, end, word = words[i]
            if (cue and (word[:1].isupper() or not _common_word(word))) or _addressed(
                text, start, end, word
            ):
                spans.append((start, end))
        i += 1
    return sorted(spans)


def _addressed(text: str, start: int, end: int, word: str) -> bool:
    """A first name one speaks to (see `GREETED`): a name whatever its case, unless its
    likeliest reading is a common word («Вера», «Надежда»), which counts only capitalised
    after a greeting («Здравствуйте, Вера!»): «Вера, надежда и любовь» is no one."""
    if name_part(word) != "Name" or word.lower() in BRANDS:  # «Сири, найди билеты»
        return False
    greeted = bool(GREETED.search(text, 0, start))
    if _common_word(word):
        return greeted and word[:1].isupper()
    if greeted:
        return True
    if SENTENCE_OPENS.search(text, 0, start) or AFTER_A_WORD_OF_REPLY.search(text, 0, start):
        return bool(SET_APART_AFTER.match(text, end) or CLOSES_SENTENCE.match(text, end))
    return bool(COMMA_BEFORE.search(text, 0, start) and CLOSES_SENTENCE.match(text, end))
