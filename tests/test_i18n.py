from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import assert_json_error
from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.conversations.service import CHANNELS
from wowdesk.http import templating
from wowdesk.i18n import activate, translations

ROOT = Path(__file__).resolve().parents[1]


def test_every_msgid_has_a_russian_translation() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/i18n.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_english_through_the_same_catalog_mechanism(
    tmp_path: Path, database_url: str, factory: sessionmaker[Session]
) -> None:
    app = create_app(Settings(var_dir=tmp_path, database_url=database_url, language="en"), factory)
    with TestClient(app) as client:
        assert "Log in" in client.get("/login").text
        error = assert_json_error(
            client.get("/api/v1/chat/conversations/1", headers={"X-Conversation-Token": "x"}), 404
        )
        assert error["message"] == "Conversation not found"


def test_russian_is_the_default(client: TestClient) -> None:
    assert "Войти" in client.get("/login").text
    assert "Напишите сообщение" in client.get("/chat").text


def test_pages_fill_placeholders_and_escape_what_fills_them() -> None:
    """Jinja's own newstyle gettext fills %(n)s only: the catalogs' {n} reached the pages."""
    page = templating.env.from_string(
        '{{ _("last {n} days", n=7) }} / {{ _("Line {n}: {error}", n=3, error="<b>x</b>") }}'
    )
    activate("ru")
    try:
        assert page.render() == "за 7 дн. / Строка 3: &lt;b&gt;x&lt;/b&gt;"
        activate("en")
        assert page.render() == "last 7 days / Line 3: &lt;b&gt;x&lt;/b&gt;"
    finally:
        activate("ru")


def test_codes_shown_on_pages_have_english_names() -> None:
    """A status, model or channel code is a msgid like «in_review»: without an English
    msgstr the English pages showed the code itself."""
    catalog = translations("en")
    codes = [m for m in _catalog_ids("en") if re.fullmatch(r"[a-z]+(?:_[a-z]+)+|wrapup", m)]
    assert codes, "no code-like msgids found"
    untranslated = [m for m in codes if catalog.gettext(m) == m]
    assert not untranslated


def test_channels_are_named_in_both_languages() -> None:
    """Pages show `_(channel)`: «Канал: web» on the Russian safety page, «web» in analytics."""
    names = {lang: translations(lang) for lang in ("ru", "en")}
    assert [names["ru"].gettext(c) for c in CHANNELS] == ["веб-чат", "Telegram", "почта", "телефон"]
    assert [names["en"].gettext(c) for c in CHANNELS] == ["web chat", "Telegram", "e-mail", "phone"]


def _catalog_ids(language: str) -> list[str]:
    po = ROOT / "src" / "wowdesk" / "i18n" / "locales" / language / "LC_MESSAGES" / "wowdesk.po"
    return re.findall(r'^msgid "([^"]+)"$', po.read_text(), flags=re.M)


def test_a_per_cent_sign_is_written_once() -> None:
    """Pages fill `{n}` with str.format, never %-formatting: a catalog's «%%» reached the
    /analytics targets form as «Изменение, %%»."""
    for lang in ("ru", "en"):
        catalog = translations(lang)
        doubled = [m for m in _catalog_ids(lang) if "%%" in catalog.gettext(m)]
        assert doubled == [], lang


def test_pages_write_stored_moments_on_the_contact_centers_clock() -> None:
    """Stored moments are UTC: /kb and the QA pages printed them so, three hours off
    Moscow and sometimes a day (an article saved at 02:32 on 08.12 read «07.12 23:32»)."""
    request = SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(settings=Settings(timezone="Europe/Moscow")))
    )
    page = templating.env.from_string('{{ at|local }} · {{ at|local("%H:%M") }} · {{ none|local }}')
    moment = datetime(2026, 12, 7, 23, 32, tzinfo=UTC)
    assert page.render(request=request, at=moment, none=None) == "08.12.2026 02:32 · 02:32 · "
    assert templating.env.from_string("{{ d|local('%d.%m') }}").render(d=date(2026, 12, 8)) == (
        "08.12"
    )
