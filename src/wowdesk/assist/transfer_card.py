"""The summary a colleague receives with a transferred conversation: what the customer
wants, the facts they gave, and what was already tried, so nobody asks them to repeat.

Built from masked text only, extractively (the customer's own sentences, the bot's fact
finder), like the bot's own handoff card, whose place in the console it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from wowdesk.bot.handoff_card import collect_facts, summarize

MAX_TRIED = 5
MAX_LINE = 300


@dataclass(frozen=True)
class Line:
    kind: str  # customer | operator | bot
    author: str
    text: str  # masked


@dataclass(frozen=True)
class Summary:
    request: str
    facts: list[dict[str, str]]
    tried: list[str]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1].rsplit(" ", 1)[0] + "…"


def build_summary(lines: list[Line], offered_articles: list[str]) -> Summary:
    """The request is the first question and, when the customer said more since, the last;
    «tried» is the latest answers of the bot and operators and the articles offered."""
    asked = [line.text for line in lines if line.kind == "customer"]
    request = summarize(asked[:1])
    if len(asked) > 1:
        last = summarize(asked[-1:])
        if last and last not in request:
            request = f"{request} … {last}" if request else last
    tried = [f"{line.author}: {_short(line.text)}" for line in lines if line.kind != "customer"]
    tried = tried[-MAX_TRIED:] + [f"«{title}»" for title in offered_articles]
    return Summary(request=request, facts=collect_facts(asked), tried=tried)
