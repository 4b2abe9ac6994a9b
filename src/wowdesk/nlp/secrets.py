"""Secrets guards: nobody on our side asks a customer for an SMS code, a password, a CVV, a
PIN or a full card number, and a secret a customer sends is hidden before it is stored.

Fraudsters pose as support ("назовите код из СМС, это для отмены операции"), so a request
for a secret in an outgoing message is a strong signal, whoever wrote it: the bot's answer is
never sent, an operator's message is held (warn) or refused (block). Warnings about secrets
("никому не сообщайте код из СМС") must pass, and the knowledge base is full of them, so a
request needs both a secret and a verb that asks for it (imperative or second person, a
"нам нужен ваш…", a "какой у вас…?") that is not negated. Russian verbs are recognised by
their lemma and mood (the process's one pymorphy3, `nlp.morph`), nouns by Snowball stems, so
inflected forms ("продиктуй", "паролем", "кодами из СМС") are covered.

Pure detectors: the policy applied to an operator's message and the audit live in
`conversations.secrets_policy`, the bot's output check in `nlp.unsafe_answers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from razdel import sentenize

from wowdesk.i18n import N_, gettext
from wowdesk.nlp import morph
from wowdesk.nlp.deobfuscate import normalise
from wowdesk.nlp.pii import Span, find_pii
from wowdesk.nlp.secret_model import default_model
from wowdesk.nlp.text import CYRILLIC, fold, spans, stem

KINDS = ("SMS_CODE", "CVV", "PIN", "PASSWORD", "CARD")
KIND_LABELS = {
    "SMS_CODE": N_("SMS codes"),
    "CVV": N_("CVV/CVC"),
    "PIN": N_("PIN codes"),
    "PASSWORD": N_("passwords"),
    "CARD": N_("full card numbers"),
}
POLICIES = ("warn", "block")


@dataclass(frozen=True)
class Finding:
    """A request for a secret: its kind, the sentence that asks and the word that asks."""

    kind: str
    start: int
    end: int
    cue: str


# --- what a secret is called ------------------------------------------------------------

# cheap gate before any tokenising: most messages mention no secret at all
MENTION_GATE = re.compile(
    r"парол|код|смс|sms|эсэмэс|cvv|cvc|cvp|цвв|карт|card|pin|пин|passw|code|otp|цифр|digit"
    r"|реквизит|одноразов",
    re.IGNORECASE,
)
CVV_WORD = re.compile(r"(?:cvv|cvc|cvp|cid|цвв|свв|сvv)2?(?:-?код|-?code)?")
PIN_WORD = re.compile(r"(?:пин|pin)(?:-?код|-?code)?|пинкод|pincode")
SMS_WORD = re.compile(r"(?:смс|sms|эсэмэс|смск)\w*")
CODE_STEMS = {"код", "code", "passcod", "otp"}
PASSWORD_STEMS = {"парол", "password", "passphras", "pwd"}
NUMBER_STEMS = {"номер", "number", "num"}
CARD_STEMS = {"карт", "карточк", "card", "visa", "mastercard"}
DIGIT_STEMS = {"цифр", "digit"}
DATA_STEMS = {"данн", "реквизит", "detail"}
PHOTO_STEMS = {"фот", "сфот", "снимок", "сним", "photo", "pictur", "imag", "скан", "scan"}
# a code is an SMS / one-time code when one of these is near it
SMS_QUALIFIERS = {
    "смс", "sms", "смск", "эсэмэс", "одноразов", "подтвержден", "подтвержд", "пуш", "push",
    "otp", "verif", "verifi", "confirm", "confirmat", "one-tim", "2fa", "двухфакторн",
    "пришедш", "пришел", "пришл", "придет", "присла", "отправ", "высла", "text", "sent",
    "receiv",
    "банк", "bank", "сообщен", "messag", "вход", "login",
}  # fmt: skip
# codes that are no secret: promo codes, order and tracking numbers, pickup codes
NOT_SECRET_CODES = {
    "промокод", "промо", "promo", "discount", "скидочн", "купон", "coupon", "заказ", "order",
    "трек", "трек-номер", "track", "tracking", "получен", "почтов", "postal", "zip", "индекс",
    "стран", "countri", "ошибк", "error", "товар", "product", "артикул", "sku", "region",
}  # fmt: skip
BOTH_SIDES = {"обе", "обеих", "двух", "both", "сторон", "side"}
BACK_STEMS = {"оборот", "оборотн", "обратн", "задн", "сзад", "back", "revers", "rear"}
ALL_STEMS = {"все", "всех", "16", "шестнадца", "полн", "полност", "цел", "all", "full", "entir"}
LAST_STEMS = {"последн", "last", "first", "перв"}
NOT_BANK_CARD = {"лояльн", "loyalti", "бонусн", "клиентск", "подарочн", "gift", "скидочн"}


def _has(stems: Iterable[str], prefixes: set[str]) -> bool:
    """Some stem starts with one of the prefixes ("пуш-уведомлен" has "пуш")."""
    return any(x.startswith(p) for x in stems for p in prefixes)


def _mentions(words: Sequence[str], sms_before: bool = False) -> list[tuple[int, str]]:
    """(word index, kind) of every secret named in a sentence; `sms_before`: the sentence
    before spoke of an SMS ("Вам придёт СМС. Продиктуйте цифры")."""
    stems = [stem(w) for w in words]
    found: list[tuple[int, str]] = []
    for i, (w, s) in enumerate(zip(words, stems, strict=True)):
        near = set(stems[max(0, i - 3) : i + 6])
        wide = set(stems[max(0, i - 3) : i + 9])
        kind = ""
        if CVV_WORD.fullmatch(w):
            kind = "CVV"
        elif PIN_WORD.fullmatch(w):
            kind = "PIN"
        elif SMS_WORD.match(w) and ("код" in w or "code" in w or "парол" in w):
            kind = "SMS_CODE"  # "смс-код"
        elif s in CODE_STEMS:
            if (set(stems[i + 1 : i + 3]) | set(stems[max(0, i - 1) : i])) & NOT_SECRET_CODES:
                continue
            sms = sms_before or any(SMS_WORD.match(x) for x in near)
            if s == "otp" or sms or _has(near, SMS_QUALIFIERS):
                kind = "SMS_CODE"
            elif near & {"безопасн", "secur", "cvv", "cvc"}:
                kind = "CVV"
        elif s in PASSWORD_STEMS:
            one_time = near & {"одноразов", "смс", "sms", "one-tim", "otp"}
            kind = "SMS_CODE" if one_time else "PASSWORD"
        elif s in NUMBER_STEMS and near & CARD_STEMS and not _has(near, NOT_BANK_CARD | LAST_STEMS):
            kind = "CARD"
        elif s in DATA_STEMS and set(stems[i + 1 : i + 4]) & CARD_STEMS:
            kind = "CARD"  # "данные карты": number, expiry and CVV at once
        elif s in DIGIT_STEMS and near & BACK_STEMS:
            kind = "CVV"  # "три цифры на обороте"
        elif s in DIGIT_STEMS and (sms_before or any(SMS_WORD.match(x) for x in near)):
            kind = "SMS_CODE"  # "цифры из СМС"
        elif s in DIGIT_STEMS and near & CARD_STEMS and near & ALL_STEMS:
            kind = "CARD"
        elif _has({s}, PHOTO_STEMS) and wide & CARD_STEMS and wide & (BACK_STEMS | BOTH_SIDES):
            kind = "CVV"  # a photo of both sides shows the CVV
        if kind and not _instrument_at(words, i) and (i, kind) not in found:
            found.append((i, kind))
    return found


@lru_cache(maxsize=10_000)
def _instrument(word: str) -> bool:
    """ "подтвердите кодами из СМС", "войдите с паролем": the secret is a tool the customer
    uses, not something handed over (every noun reading is instrumental)."""
    if not CYRILLIC.search(word):
        return False
    nouns = [p.tag for p in morph.analyzer().parse(word) if p.tag.POS == "NOUN"]
    return bool(nouns) and all(t.case == "ablt" for t in nouns)


def _instrument_at(words: Sequence[str], i: int) -> bool:
    """ "сообщение с кодом" is the code's carrier, not an instrument."""
    return _instrument(words[i]) and (i == 0 or words[i - 1] not in ("с", "со"))


# --- who asks for it ---------------------------------------------------------------------

REQUEST_VERBS_RU = {
    "назвать", "называть", "сообщить", "сообщать", "продиктовать", "диктовать", "сказать",
    "говорить", "прислать", "присылать", "отправить", "отправлять", "написать", "писать",
    "указать", "указывать", "уточнить", "уточнять", "подтвердить", "подтверждать",
    "предоставить", "предоставлять", "дать", "давать", "скинуть", "скидывать", "зачитать",
    "зачитывать", "прочитать", "прочесть", "читать", "переслать", "пересылать", "подсказать",
    "озвучить", "озвучивать", "передать", "передавать", "показать", "сфотографировать",
    "сфоткать", "выслать", "высылать", "напомнить", "повторить", "проверить",
}  # fmt: skip
ENTER_VERBS_RU = {"ввести", "вводить", "вписать", "вставить", "набрать"}
HERE_WORDS = {"сюда", "здесь", "чат", "чате", "мне", "нам", "here", "chat", "me", "us", "below"}
MODALS_RU = {
    "прошу", "просим", "попрошу", "попросим", "просьба", "можете", "могли", "сможете", "нужно",
    "надо", "необходимо", "требуется", "должны", "должен", "должна", "давайте", "пожалуйста",
    "готовы", "придется", "следует", "стоит",
}  # fmt: skip
NEED_RU = {"нужен", "нужна", "нужно", "нужны", "необходим", "необходима", "необходимо",
           "требуется", "понадобится", "понадобятся", "надо"}  # fmt: skip
YOURS = {"мне", "нам", "ваш", "ваша", "ваше", "вашу", "вашего", "вашей", "ваши", "ваших",
         "твой", "твою", "твоего", "your", "yours"}  # fmt: skip
WHICH_RU = {"какой", "какая", "какие", "какое", "какую", "каков", "каким"}
TO_YOU = {"ваш", "ваша", "вашей", "вашего", "вам", "вас", "вы", "тебе", "ты", "твой", "пришел",
          "пришла", "пришли", "пришедший", "your", "you"}  # fmt: skip
REQUEST_VERBS_EN = {
    "tell", "give", "send", "share", "provide", "read", "confirm", "dictate", "spell", "write",
    "submit", "say", "text", "forward", "email", "reply", "repeat", "show", "verify", "type",
    "post", "paste", "photograph", "snap", "upload",
}  # fmt: skip
ENTER_VERBS_EN = {"enter", "input", "key"}
NEED_EN = {"need", "needs", "require", "requires", "want"}
STATEMENT_SUBJECTS = {"we", "i", "they", "he", "she", "it", "will", "ll", "shall", "who",
                      "which", "that", "bank", "system", "app", "to", "automatically"}  # fmt: skip
NEGATIONS = {
    "не", "ни", "никогда", "никому", "нельзя", "запрещено", "незачем", "not", "never", "don",
    "doesn", "didn", "won", "shouldn", "mustn", "cannot", "t", "no", "nobody", "neither",
}  # fmt: skip
PRONOUNS = {"его", "ее", "их", "оттуда", "it", "them"}
MAX_REACH = 10  # words from the asking verb to the secret it asks for
MAX_REACH_AFTER = 5
QUOTED = re.compile(r"«[^»]{1,60}»|\"[^\"]{1,60}\"|“[^”]{1,60}”")
POLITE_AFTER_NEGATION = {"могли", "можете", "мог", "могла", "сможете", "хотите", "затруднит"}


@lru_cache(maxsize=50_000)
def _verb_forms(word: str) -> tuple[tuple[str, bool, bool], ...]:
    """(lemma, asks: imperative or 2nd person, infinitive or 1st person) per verb parse."""
    out = []
    for parse in morph.analyzer().parse(word):
        tag = parse.tag
        if tag.POS not in ("VERB", "INFN"):
            continue
        asks = tag.mood == "impr" or tag.person == "2per"
        out.append((parse.normal_form, asks, tag.POS == "INFN" or tag.person == "1per"))
    return tuple(out)


def _cue(words: Sequence[str], i: int, question: bool) -> bool:
    """Whether words[i] asks the reader for something."""
    w = words[i]
    before = words[max(0, i - 3) : i]
    clause = set(words)
    if CYRILLIC.search(w):
        if w in NEED_RU:
            return bool(clause & YOURS)
        if w in WHICH_RU:
            return question and bool(clause & TO_YOU)
        for lemma, asks, plain in _verb_forms(w):
            if lemma in ENTER_VERBS_RU:
                return bool(clause & HERE_WORDS)
            if lemma in REQUEST_VERBS_RU:
                return asks or (plain and bool(set(before) & MODALS_RU))
        return False
    if w in NEED_EN:
        return "your" in words[i + 1 : i + 4]
    if w == "what" or w == "which":
        return question and bool({"your", "you"} & set(words[i + 1 : i + 7]))
    if w in ENTER_VERBS_EN:
        return bool(clause & HERE_WORDS)
    if w in REQUEST_VERBS_EN:
        prev = words[i - 1] if i else ""
        return prev == "you" or (
            prev not in STATEMENT_SUBJECTS
            and (not before or before[-1] not in {"we", "i", "ll", "will"})
        )
    return False


def _negated(words: Sequence[str], i: int) -> bool:
    for j in range(max(0, i - 3), i):
        if words[j] in NEGATIONS:
            following = words[j + 1] if j + 1 < len(words) else ""
            if following not in POLITE_AFTER_NEGATION:
                return True
    return False


def _is_verb(word: str) -> bool:
    """A finite verb starts another clause; an infinitive continues the request ("нам нужно
    получить ваш пароль")."""
    if not CYRILLIC.search(word):
        return False
    parses = morph.analyzer().parse(word)
    return bool(parses) and parses[0].tag.POS == "VERB"


def _governing(words: Sequence[str], cues: list[int], index: int) -> int | None:
    """The asking word that governs the secret at `index`: the nearest one before it with no
    other verb in between ("подтвердите номер и задайте новый пароль" asks for no password),
    or else one just after it ("код из СМС продиктуйте")."""
    earlier = [c for c in cues if c <= index and index - c <= MAX_REACH]
    if earlier:
        cue = earlier[-1]
        if not any(_is_verb(words[j]) for j in range(cue + 1, index)):
            return cue
    later = [c for c in cues if index < c <= index + MAX_REACH_AFTER]
    if later and not any(_is_verb(words[j]) for j in range(index + 1, later[0])):
        return later[0]
    return None


def _quoted(text: str, tokens: Sequence[tuple[int, int, str]]) -> set[int]:
    inside = [(m.start(), m.end()) for m in QUOTED.finditer(text)]
    return {i for i, (start, _e, _w) in enumerate(tokens) if any(a < start < b for a, b in inside)}


def secret_requests(text: str) -> list[Finding]:
    """Every secret the text asks its reader for, one finding per kind and sentence: the
    rules over the text as written and over its normalised form («к0д из с.м.с» reads «код
    из смс»), and the model (`nlp.secret_model`) over each normalised sentence for the
    phrasings rules cannot enumerate («cvv?», «Диктуйте код.»). The rules are the floor:
    what they find is found whatever the model says."""
    findings = _rule_requests(text)
    norm = normalise(text)

    def add(kind: str, start: int, end: int, cue: str) -> None:
        first, last = norm.original_span(start, end)
        if not any(f.kind == kind and f.start <= first < f.end for f in findings):
            findings.append(Finding(kind, first, last, cue))

    if norm.text != fold(text):
        for f in _rule_requests(norm.text):
            add(f.kind, f.start, f.end, f.cue)
    model = default_model()
    for start, stop in _sentences(text):
        sentence = text[start:stop]
        if NOT_SECRET_CONTEXT.search(normalise(sentence).text):
            continue
        for kind in model.kinds(sentence):
            if not any(f.kind == kind and f.start <= start < f.end for f in findings):
                findings.append(Finding(kind, start, stop, "model"))
    return findings


def _sentences(text: str) -> list[tuple[int, int]]:
    """razdel's sentences, cut again after end punctuation even before a small letter: a
    model that appends «cvv?» to a sentence writes no capital."""
    out = []
    for sentence in sentenize(text):
        start = sentence.start
        for m in SENTENCE_END.finditer(sentence.text):
            out.append((start, sentence.start + m.start()))
            start = sentence.start + m.end()
        out.append((start, sentence.stop))
    return [(a, b) for a, b in out if b > a]


SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


# codes that are no secret (pickup, error, order, promo): the model does not decide those,
# the rules do
NOT_SECRET_CONTEXT = re.compile(
    r"код\w* (?:получени|ошибк|заказ|пункт|регион|товар|страны|домофон)|промо|номер\w* заказ"
    r"|трек|код\w* (?:для )?(?:курьер|получени|пункт)"
    r"|error code|promo|order number|tracking|pickup code",
)


def _rule_requests(text: str) -> list[Finding]:
    if not MENTION_GATE.search(text):
        return []
    findings: list[Finding] = []
    previous: list[str] = []  # kinds the sentence before named: "Пришёл код? Назовите его."
    sms_before = False
    for sentence in sentenize(text):
        tokens = spans(sentence.text)
        words = [t[2] for t in tokens]
        question = "?" in sentence.text
        gate = MENTION_GATE.search(sentence.text)
        mentions = _mentions(words, sms_before) if gate or sms_before else []
        sms_before = bool(SMS_WORD.search(fold(sentence.text)))
        if not mentions:
            pronouns = [i for i, w in enumerate(words) if w in PRONOUNS]
            cues = [i for i in range(len(words)) if _cue(words, i, question)] if pronouns else []
            for asking in cues:
                if not _negated(words, asking) and any(0 < p - asking <= 3 for p in pronouns):
                    for kind in previous:
                        findings.append(Finding(kind, sentence.start, sentence.stop, words[asking]))
                    break
            previous = []
            continue
        previous = [kind for _i, kind in mentions]
        cues = [i for i in range(len(words)) if _cue(words, i, question)]
        quoted = _quoted(sentence.text, tokens)
        for index, kind in mentions:
            if index in quoted:
                continue  # «Забыли пароль?» names a button, nobody asks for it
            cue = _governing(words, cues, index)
            if cue is None or _negated(words, cue):
                continue
            if all(f.kind != kind or f.start != sentence.start for f in findings):
                findings.append(Finding(kind, sentence.start, sentence.stop, words[cue]))
    return findings


def requested_kinds(text: str, previous: str = "") -> list[str]:
    """The kinds of secret `text` asks for, read on its own and as the continuation of
    `previous` (the same writer's messages just before it): «Назовите, пожалуйста,» then
    «код из СМС» is one request. A kind the previous messages already asked for on their own
    was judged then and is not counted again."""
    kinds = {f.kind for f in secret_requests(text)}
    if previous.strip():
        before = {f.kind for f in secret_requests(previous)}
        joined = previous.rstrip() + " " + text
        cut = len(joined) - len(text)
        kinds |= {f.kind for f in secret_requests(joined) if f.end > cut} - before
    return sorted(kinds, key=KINDS.index)


def kinds_label(kinds: Iterable[str]) -> str:
    """ "коды из СМС, CVV/CVC" in the user's language."""
    return ", ".join(gettext(KIND_LABELS[k]) for k in KINDS if k in set(kinds))


# --- secrets in a customer's text ---------------------------------------------------------

_SEP = r"\s*(?:[:=—–-]|\bэто\b|\bis\b)?\s*"
CVV_IN = re.compile(
    r"(?:\b(?:cvv|cvc|cvp|цвв|свв)2?(?:[- ]?(?:код|code))?|код\w* безопасности|security code"
    r"|(?:три|3)\s+цифр\w*(?:\s+\w+){0,4}?\s+"
    r"(?:на обороте|сзади|с обратной стороны|на обратной стороне)"
    r"|(?:three|3)\s+digits(?:\s+\w+){0,3}?\s+on the back)"
    + _SEP
    + r"(?:карты\s*)?(\d{3,4})(?!\d)",
    re.IGNORECASE,
)
CVV_AFTER = re.compile(r"(?<![\d.,])(\d{3})\s*(?:[—–-]|это)?\s*(?:cvv|cvc)2?\b", re.IGNORECASE)
PIN_IN = re.compile(r"\b(?:пин|pin)(?:[- ]?(?:код|code))?" + _SEP + r"(\d{4,6})(?!\d)", re.I)
SMS_CODE_IN = re.compile(
    r"(?:\b(?:код|code|otp|пароль|password)\w*|\b(?:смс|sms)\w*)"
    r"(?P<gap>[^\d\n]{0,40}?)(?<![\w+])(\d{4,8}|\d{3} \d{3})(?![.,]\d|\w)",
    re.IGNORECASE,
)
SMS_CONTEXT = re.compile(
    r"смс|sms|эсэмэс|одноразов|one[- ]time|otp|подтвержд|verif|confirm|2fa|пуш|push|пришел|пришёл"
    r"|пришедш|вход|login|банк|bank",
    re.IGNORECASE,
)
NOT_CODE_CONTEXT = re.compile(
    r"заказ|order|трек|track|промо|promo|купон|coupon|получени|артикул|индекс|zip|№|руб|₽",
    re.IGNORECASE,
)
PASSWORD_IN = re.compile(
    r"\b(?:пароль|пароля|паролем|password|passcode|pwd)"
    r"(?P<owner>\s+(?:от|for|to)\s+(?:[\wёЁ-]+\s+){0,2}?[\wёЁ-]+)?"
    r"(?P<sep>[ \t]*(?:[:=—–-]|\bэто\b|\bis\b|\bтакой\b)[ \t]*|[ \t]+)"
    r"(?P<secret>[^\s,;]{3,64})",
    re.IGNORECASE,
)
PASSWORD_NOT = {
    "не", "я", "от", "был", "была", "забыл", "забыла", "сменил", "сменила", "поменял",
    "и", "а", "но", "на", "в", "к", "was", "not", "and", "reset", "to", "for", "the",
    "my", "is", "changed", "forgot", "does", "doesn't", "didn't", "works", "не подходит",
    "подходит", "неверный", "неправильный", "wrong", "incorrect", "expired",
}  # fmt: skip


def _password_value(match: re.Match[str], text: str) -> tuple[int, int] | None:
    value = match.group("secret").rstrip(".!?)»\"'")
    if not value or fold(value) in PASSWORD_NOT:
        return None
    if not re.search(r"\w", value):
        return None
    # after a dash a plain word is the sentence going on ("задайте пароль — доступ вернётся")
    explicit = match.group("sep").strip() in (":", "=", "это", "is", "такой")
    latin_in_cyrillic = bool(re.fullmatch(r"[A-Za-z0-9_!@#$%^&*.+-]+", value)) and bool(
        CYRILLIC.search(text)
    )
    looks_made_up = bool(re.search(r"\d|[!@#$%^&*_]|[a-zа-я][A-ZА-Я]", value))
    if not (explicit or looks_made_up or latin_in_cyrillic):
        return None
    start = match.start("secret")
    return start, start + len(value)


def secrets_in(text: str) -> list[Span]:
    """Secrets a customer wrote: Luhn-valid card numbers, a CVV next to its name, one-time
    codes next to a code word in an SMS context, PINs, and the password after "пароль:"."""
    found: list[Span] = []

    def add(start: int, end: int, kind: str) -> None:
        if end > start and all(end <= s.start or start >= s.end for s in found):
            found.append(Span(start, end, kind))

    if sum(ch.isdigit() for ch in text) >= 12:
        for span in find_pii(text, names=False):
            if span.type == "CARD":
                add(span.start, span.end, "CARD")
    for m in CVV_IN.finditer(text):
        add(m.start(1), m.end(1), "CVV")
    for m in CVV_AFTER.finditer(text):
        add(m.start(1), m.end(1), "CVV")
    for m in PIN_IN.finditer(text):
        add(m.start(1), m.end(1), "PIN")
    for m in SMS_CODE_IN.finditer(text):
        window = text[max(0, m.start() - 40) : m.end() + 30]
        if not SMS_CONTEXT.search(window) or NOT_CODE_CONTEXT.search(m.group("gap")):
            continue
        add(m.start(2), m.end(2), "SMS_CODE")
    if MENTION_GATE.search(text):
        for m in PASSWORD_IN.finditer(text):
            value = _password_value(m, text)
            if value is not None:
                add(*value, "PASSWORD")
    return sorted(found, key=lambda s: s.start)


def mask_secrets(text: str) -> str:
    """Each secret replaced by its kind in brackets: «код [SMS_CODE], карта [CARD]»."""
    return masked_with_kinds(text)[0]


def masked_with_kinds(text: str) -> tuple[str, list[str]]:
    found = secrets_in(text)
    for span in reversed(found):
        text = text[: span.start] + f"[{span.type}]" + text[span.end :]
    kinds = [k for k in KINDS if any(s.type == k for s in found)]
    return text, kinds


def customer_notice() -> str:
    return gettext(
        "Please never send SMS codes, passwords, CVV or full card numbers — our staff never "
        "ask for them. We have hidden them from your message."
    )
