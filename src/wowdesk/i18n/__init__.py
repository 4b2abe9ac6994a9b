"""One i18n mechanism for pages, JS, API errors and CLI: gettext catalogs (.po) per language.

msgids are English; Russian is the default language. Catalogs are read from the .po files
at start-up and compiled in memory, so there is no build step to forget.
"""

from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("ru", "en")
DOMAIN = "wowdesk"

_current: ContextVar[str] = ContextVar("wowdesk_language", default="ru")


@cache
def translations(language: str) -> _gettext.NullTranslations:
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def activate(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; choose one of {LANGUAGES}")
    _current.set(language)


def current_language() -> str:
    return _current.get()


def gettext(message: str, **params: Any) -> str:
    text = translations(_current.get()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


_ = gettext


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is translated later (roles, statuses)."""
    return message


DYNAMIC = (
    N_("operator"),
    N_("supervisor"),
    N_("admin"),
    N_("bot"),
    N_("queued"),
    N_("assigned"),
    N_("wrapup"),
    N_("closed"),
    N_("draft"),
    N_("published"),
    N_("answer"),
    N_("handoff"),
    N_("resolved"),
)
