"""The bot's words: a retrieved passage framed by fixed templates, nothing else.

Extractive answering sends only text that is in the knowledge base or in these templates,
so the offline default cannot invent facts.
"""

from __future__ import annotations

from wowdesk.i18n import gettext as _


def extractive(passage: str, title: str, url: str) -> str:
    return "\n\n".join(
        (
            _("Hello! Here is what our help centre says:"),
            passage.strip(),
            _("More in the article «{title}»: {url}", title=title, url=url),
            _("Did this answer help? Reply «yes» or «no»."),
        )
    )


def framed(generated: str, title: str, url: str) -> str:
    return "\n\n".join(
        (
            generated.strip(),
            _("More in the article «{title}»: {url}", title=title, url=url),
            _("Did this answer help? Reply «yes» or «no»."),
        )
    )


def handoff_notice() -> str:
    return _(
        "I am passing your question to an operator. They will see our whole conversation, "
        "so you will not need to repeat anything."
    )


def farewell() -> str:
    return _("Glad I could help! If you have another question, just write here.")


def human_greeting() -> str:
    """Manual mode: a person answers from the start, so the customer hears one."""
    return _("Hello! An operator will answer you; they already see your question.")
