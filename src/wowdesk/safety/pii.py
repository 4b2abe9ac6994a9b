"""Masks personal data in free text: e-mails, bank cards (Luhn-checked) and phone numbers.

The raw text stays in `message.text` for roles allowed to see it; everything that leaves the
operational path (analytics, logs, prompts) uses the masked copy.
"""

from __future__ import annotations

import re

import phonenumbers

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


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


def _mask_cards(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group())
        return "[CARD]" if 13 <= len(digits) <= 19 and luhn_ok(digits) else m.group()

    return CARD.sub(repl, text)


def _mask_phones(text: str) -> str:
    spans = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "RU", leniency=phonenumbers.Leniency.VALID)
    ]
    for start, end in reversed(spans):
        text = text[:start] + "[PHONE]" + text[end:]
    return text


def mask_text(text: str) -> str:
    return _mask_phones(_mask_cards(EMAIL.sub("[EMAIL]", text)))
