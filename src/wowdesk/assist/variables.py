"""Filling `{customer.first_name}`-style placeholders: a pure function, no database.

A variable that cannot be filled (unknown, or empty for this conversation) is never
replaced by nothing: it stays in the text as written and is listed as missing, so the
console highlights it and refuses to send until the operator has filled it in. A reply
«Здравствуйте, !» is worse than no template at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from wowdesk.i18n import N_
from wowdesk.nlp.pii import MASKED

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\}")
# «Меня зовут [PERSON]»: the colleague introduced themself, so it is the operator's name
SELF_NAME = re.compile(r"(меня\s+зовут|это|с\s+вами)\s+\[PERSON\]", re.I)

# the variables a template may use, with what they mean (shown to supervisors)
VARIABLES: dict[str, str] = {
    "customer.first_name": N_("the customer's first name"),
    "customer.name": N_("the customer's full name as they gave it"),
    "operator.first_name": N_("your first name"),
    "operator.name": N_("your full name"),
    "conversation.id": N_("the number of the conversation"),
    "conversation.topic": N_("the topic of the conversation"),
    "loyalty.total": N_("the customer's purchases counted by the loyalty programme"),
    "loyalty.threshold": N_("the purchases needed for the loyalty discount"),
    "loyalty.remaining": N_("what is left to buy until the loyalty discount"),
    "loyalty.percent": N_("the loyalty discount"),
}


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: list[str] = field(default_factory=list)


def placeholders(text: str) -> list[str]:
    """The variable names a text uses, each once, in order."""
    return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(text)))


def render_template(text: str, variables: Mapping[str, str | None]) -> Rendered:
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = variables.get(name)
        if value is None or not str(value).strip():
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return str(value).strip()

    return Rendered(PLACEHOLDER.sub(fill, text), missing)


class Deferred(Mapping[str, str | None]):
    """Variables read on the first placeholder that needs one. Most suggestions are articles
    and templates without placeholders, and reading the variables is five queries (about
    3 ms of every suggestion, measured)."""

    def __init__(self, load: Callable[[], Mapping[str, str | None]]) -> None:
        self._load = load
        self._values: Mapping[str, str | None] | None = None

    def _read(self) -> Mapping[str, str | None]:
        if self._values is None:
            self._values = self._load()
        return self._values

    def __getitem__(self, name: str) -> str | None:
        return self._read()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


def has_placeholders(text: str) -> bool:
    return PLACEHOLDER.search(text) is not None


def unmask(text: str) -> str:
    """A colleague's masked answer as a template: their customer's name becomes this
    customer's, their own name the current operator's, and any other masked detail a
    variable nobody fills, so the operator must write it in before sending."""
    text = SELF_NAME.sub(lambda m: f"{m.group(1)} {{operator.first_name}}", text)
    return MASKED.sub(
        lambda m: (
            "{customer.first_name}" if m.group(1) == "PERSON" else "{" + m.group(1).lower() + "}"
        ),
        text,
    )
