"""Extracts every user-facing msgid (Python, templates, page scripts) and updates the catalogs.

Usage: python scripts/i18n.py [--check]
With --check it changes nothing and exits 1 if a msgid lacks a Russian translation.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1] / "src" / "wowdesk"
LOCALES = ROOT / "i18n" / "locales"
ERRORS = ("WowdeskError", "Invalid", "Unauthorized", "Forbidden", "NotFound", "Conflict")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, **dict.fromkeys(ERRORS)}
JS_STRINGS = re.compile(r"js_strings\((.*?)\)\s*\}\}", re.S)
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def extract() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    method_map = [
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2"),
        ("**/templates/**.js", "jinja2"),
    ]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do"}}
    for filename, _lineno, message, _comments, _ctx in extract_from_dir(
        ROOT, method_map, options, keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, []).append(filename)
    for html in (ROOT / "web" / "templates").rglob("*.html"):
        for block in JS_STRINGS.findall(html.read_text()):
            for msgid in QUOTED.findall(block):
                found.setdefault(msgid, []).append(str(html.relative_to(ROOT)))
    return found


def load(language: str) -> Catalog:
    po = LOCALES / language / "LC_MESSAGES" / "wowdesk.po"
    if po.exists():
        with po.open("rb") as fh:
            return read_po(fh, locale=language)
    return Catalog(locale=language, domain="wowdesk")


def main() -> int:
    msgids = extract()
    check = "--check" in sys.argv
    missing = []
    for language in ("ru", "en"):
        catalog = load(language)
        fresh = Catalog(locale=language, domain="wowdesk", project="wowdesk")
        for msgid in sorted(msgids):
            old = catalog.get(msgid)
            fresh.add(
                msgid,
                old.string if old else "",
                locations=[(f, 0) for f in sorted(set(msgids[msgid]))[:3]],
            )
            if language == "ru" and not (old and old.string):
                missing.append(msgid)
        if not check:
            po = LOCALES / language / "LC_MESSAGES" / "wowdesk.po"
            po.parent.mkdir(parents=True, exist_ok=True)
            with po.open("wb") as fh:
                write_po(fh, fresh, width=100, omit_header=False, include_lineno=False)
    for msgid in missing:
        print(f"untranslated (ru): {msgid!r}")
    return 1 if (check and missing) else 0


if __name__ == "__main__":
    raise SystemExit(main())
