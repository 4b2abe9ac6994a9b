"""Triage of one customer message: topic, complexity and risk flags, each with its reason.

Risk flags are explicit word patterns, not a model: a supervisor must be able to read why a
message went to a human, and a pattern that matched is exactly that reason. Patterns match
word stems so Russian endings («оператора», «оператору») need no list of forms. The one
exception is a request to act on the account (`bot.request_form`): «как вернуть товар?» and
«верните деньги за заказ 123» share their words, so that flag reads the request's grammar,
and the topic model names what it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wowdesk.bot.request_form import account_request
from wowdesk.i18n import N_

_W = r"(?<![\w])"  # start of a word

FLAG_PATTERNS: dict[str, tuple[str, ...]] = {
    "asks_human": (
        rf"{_W}оператор",
        rf"{_W}жив(ой|ого|ому|ым)\s+(человек|сотрудник)",
        rf"{_W}позови",
        rf"{_W}соедини",
        rf"{_W}специалист",
        rf"{_W}человек(а|ом|у)?\b.{{0,20}}(нужен|пожалуйста)",
        rf"{_W}не\s+(с\s+)?бот",
        rf"{_W}(agent|human|operator|real person|representative)\b",
    ),
    "negative_emotion": (
        rf"{_W}ужас",
        rf"{_W}кошмар",
        rf"{_W}безобраз",
        rf"{_W}достал[аи]?\b",
        rf"{_W}бесит",
        rf"{_W}возмутительн",
        rf"{_W}издеваете",
        rf"{_W}отвратительн",
        rf"{_W}хамств",
        rf"{_W}позор",
        rf"{_W}обманщик",
        rf"{_W}разочарова",
        rf"{_W}(terrible|awful|angry|disgusting)",
        r"!{3,}",
    ),
    "fraud_security": (
        rf"{_W}мошен",
        rf"{_W}обман",
        rf"{_W}взлом",
        rf"{_W}украл",
        rf"{_W}(смс|sms)[\s-]*код",
        rf"{_W}код\s+из\s+(смс|sms)",
        rf"{_W}парол",
        rf"{_W}(cvv|cvc)",
        rf"{_W}номер\w*\s+карт",
        rf"{_W}фишинг",
        rf"{_W}подозрительн",
        rf"{_W}списал\w*\s+без",
        rf"{_W}не\s+я\s+(оплачивал|заказывал|входил)",
        rf"{_W}(fraud|scam|hacked|password|phishing)",
    ),
    "legal_threat": (
        rf"{_W}суд(а|е|ом)?\b",
        rf"{_W}прокуратур",
        rf"{_W}роспотребнадзор",
        rf"{_W}юрист",
        rf"{_W}адвокат",
        rf"{_W}иск\b",
        rf"{_W}полици",
        rf"{_W}претензи",
        rf"{_W}(lawyer|lawsuit|sue|court)\b",
    ),
}

FLAG_LABELS = {
    "asks_human": N_("the customer asks for a human"),
    "negative_emotion": N_("strong negative emotion"),
    "fraud_security": N_("fraud or account security risk"),
    "legal_threat": N_("legal threat"),
    "account_action": N_("needs an action on the account"),
    "multiple_questions": N_("several questions at once"),
    "long_message": N_("long, detailed message"),
}

_COMPILED = {flag: [re.compile(p, re.I) for p in pats] for flag, pats in FLAG_PATTERNS.items()}
LONG_MESSAGE = 500


@dataclass(frozen=True)
class Flag:
    code: str
    evidence: str


@dataclass(frozen=True)
class Triage:
    topic: str
    topic_confidence: float
    flags: tuple[Flag, ...] = field(default=())

    @property
    def complex(self) -> bool:
        return bool(self.flags)

    def codes(self) -> list[str]:
        return [f.code for f in self.flags]


def _prepare(text: str) -> str:
    return text.lower().replace("ё", "е")


def risk_flags(text: str, topic: str = "") -> tuple[Flag, ...]:
    prepared = _prepare(text)
    flags: list[Flag] = []
    for code, patterns in _COMPILED.items():
        for pattern in patterns:
            match = pattern.search(prepared)
            if match:
                start, end = max(0, match.start() - 15), min(len(text), match.end() + 15)
                flags.append(Flag(code, text[start:end].strip()))
                break
    request = account_request(text)
    if request is not None:
        flags.append(Flag("account_action", f"{request} ({topic})" if topic else request))
    questions = [q for q in re.split(r"[?？]", text) if len(q.strip()) > 8]
    if text.count("?") >= 2 and len(questions) >= 2:
        flags.append(Flag("multiple_questions", f"{text.count('?')} ?"))
    elif re.search(r"(^|\n)\s*(2[.)]|во-вторых|и ещ[её] (один )?вопрос)", _prepare(text)):
        flags.append(Flag("multiple_questions", "2)"))
    if len(text) > LONG_MESSAGE:
        flags.append(Flag("long_message", f"{len(text)}"))
    return tuple(flags)


def triage(text: str, topic: str, topic_confidence: float) -> Triage:
    return Triage(topic=topic, topic_confidence=topic_confidence, flags=risk_flags(text, topic))


DID_NOT_HELP = re.compile(
    r"(не\s+помог|не\s+то\b|не\s+об\s+этом|не\s+понял|бесполезн|не\s+отвечает\s+на|"
    r"^\s*нет[.!]?\s*$|didn'?t help|not helpful|^\s*no[.!]?\s*$)",
    re.I,
)
HELPED = re.compile(r"^\s*(да|спасибо|помог|понятно|ок|отлично|yes|thanks?)\b", re.I)


def says_not_helped(text: str) -> bool:
    return bool(DID_NOT_HELP.search(_prepare(text)))


def says_helped(text: str) -> bool:
    return bool(HELPED.search(_prepare(text))) and not says_not_helped(text)
