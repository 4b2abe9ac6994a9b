"""Staff pages under a Content-Security-Policy with no inline script and no framing, the
customer chat frameable by the sites that embed it, and /docs offline (issue 16, item 11)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.helpers import add_user, login

TEMPLATES = Path(__file__).parents[2] / "src" / "wowdesk" / "web" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


def test_staff_pages_forbid_inline_script_and_framing(client: TestClient) -> None:
    login(client, add_user(client, "supervisor"))
    for path in ("/login", "/console", "/analytics", "/routing", "/docs"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = _csp(response)
        assert csp["script-src"] == "script-src 'self'", path
        assert csp["frame-ancestors"] == "frame-ancestors 'none'", path
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert not INLINE_SCRIPT.search(response.text), (path, INLINE_SCRIPT.search(response.text))
    api = client.get("/api/v1/me")
    assert "frame-ancestors 'none'" in api.headers["content-security-policy"]


def test_the_customer_chat_may_be_framed_by_the_widget(client: TestClient) -> None:
    response = client.get("/chat?embed=1")
    assert _csp(response)["frame-ancestors"] == "frame-ancestors *"
    assert "x-frame-options" not in response.headers
    assert _csp(response)["script-src"] == "script-src 'self'"


def test_no_template_has_inline_script_or_handlers() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not INLINE_SCRIPT.search(text), path
        assert not INLINE_HANDLER.search(text), path


def test_docs_work_offline_from_packaged_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing remote
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source
    assert "SwaggerUIBundle" in client.get("/static/js/docs.js").text
    assert client.get("/openapi.json").json()["paths"]
