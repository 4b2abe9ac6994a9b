"""Reads knowledge-base files: a folder of Markdown, a CSV (question,answer,topic) or JSON.

Parsing is separate from storing so that every bad row is reported with its line number
and skipped, while the good rows are imported.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from wowdesk.i18n import gettext as _
from wowdesk.kb.service import SLUG, ImportItem, slugify

MAX_BODY = 50_000


def stable_slug(prefix: str, key: str) -> str:
    digest = hashlib.sha1(key.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}-{digest[:12]}"


def _questions(value: str) -> list[str]:
    """Example questions in one header line or CSV cell: separated by «|» or line breaks."""
    return [q.strip() for q in re.split(r"[\n|]", value) if q.strip()]


def _checked(item: ImportItem, where: str) -> ImportItem | str:
    if not item.title.strip():
        return _("{where}: the title (question) is empty", where=where)
    if not item.body.strip():
        return _("{where}: the text (answer) is empty", where=where)
    if len(item.body) > MAX_BODY or len(item.title) > 300:
        return _("{where}: too long", where=where)
    if len(item.questions) > 20 or any(len(q) > 300 for q in item.questions):
        return _("{where}: at most 20 example questions of at most 300 characters", where=where)
    if not SLUG.match(item.slug):
        return _("{where}: bad id {slug}", where=where, slug=item.slug)
    return item


def parse_markdown(path: Path) -> ImportItem | str:
    """`---` header lines `key: value` (title, topic, tags), then the body; or a `# title`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return _("{where}: the file is not UTF-8", where=path.name)
    meta: dict[str, str] = {}
    body = text
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        try:
            end = lines.index("---", 1)
        except ValueError:
            return _("{where}: the header is not closed with ---", where=f"{path.name}:1")
        for number, line in enumerate(lines[1:end], start=2):
            if not line.strip():
                continue
            if ":" not in line:
                return _("{where}: expected key: value", where=f"{path.name}:{number}")
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip()
        body = "\n".join(lines[end + 1 :])
    title = meta.get("title", "")
    if not title:
        heading = re.search(r"^#\s+(.+)$", body, re.M)
        if heading:
            title = heading.group(1).strip()
            body = body[: heading.start()] + body[heading.end() :]
    slug = meta.get("slug") or re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-")
    tags = [t.strip() for t in meta.get("tags", "").split(",") if t.strip()]
    item = ImportItem(
        slug=slug,
        title=title,
        body=body.strip(),
        topic=meta.get("topic", ""),
        tags=tags,
        questions=_questions(meta.get("questions", "")),
    )
    return _checked(item, path.name)


def parse_csv(path: Path) -> tuple[list[ImportItem], list[str]]:
    items: list[ImportItem] = []
    errors: list[str] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = {f.strip().lower() for f in reader.fieldnames or []}
            if not {"question", "answer"} <= fields:
                return [], [
                    _(
                        "{where}: the header must have question,answer[,topic]",
                        where=f"{path.name}:1",
                    )
                ]
            for row in reader:
                where = f"{path.name}:{reader.line_num}"
                clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
                question = clean.get("question", "")
                slug = clean.get("id") or clean.get("slug") or stable_slug("faq", question or where)
                item = ImportItem(
                    slug=slug.lower(),
                    title=question,
                    body=clean.get("answer", ""),
                    topic=clean.get("topic", ""),
                    tags=[t for t in clean.get("tags", "").split(",") if t.strip()],
                    line=reader.line_num,
                    questions=_questions(clean.get("questions", "")),
                )
                checked = _checked(item, where)
                (errors.append(checked) if isinstance(checked, str) else items.append(checked))
    except UnicodeDecodeError:
        errors.append(_("{where}: the file is not UTF-8", where=path.name))
    except csv.Error as exc:
        errors.append(f"{path.name}: {exc}")
    return items, errors


def parse_json(path: Path) -> tuple[list[ImportItem], list[str]]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [_("{where}: not valid JSON ({problem})", where=path.name, problem=str(exc))]
    if isinstance(data, dict):
        data = data.get("articles", [])
    if not isinstance(data, list):
        return [], [_("{where}: expected a list of articles", where=path.name)]
    items: list[ImportItem] = []
    errors: list[str] = []
    for number, row in enumerate(data, start=1):
        where = f"{path.name}#{number}"
        if not isinstance(row, dict):
            errors.append(_("{where}: expected an object", where=where))
            continue
        title = str(row.get("title") or row.get("question") or "")
        tags = row.get("tags") or []
        asked = row.get("questions") or []
        item = ImportItem(
            slug=str(row.get("slug") or row.get("id") or slugify(title)).lower(),
            title=title,
            body=str(row.get("body") or row.get("answer") or ""),
            topic=str(row.get("topic") or ""),
            tags=[str(t) for t in tags] if isinstance(tags, list) else [],
            line=number,
            questions=[str(q) for q in asked]
            if isinstance(asked, list)
            else _questions(str(asked)),
        )
        checked = _checked(item, where)
        (errors.append(checked) if isinstance(checked, str) else items.append(checked))
    return items, errors


def read_path(path: Path) -> tuple[list[ImportItem], list[str]]:
    if path.is_dir():
        items, errors = [], []
        for md in sorted(path.rglob("*.md")):
            parsed = parse_markdown(md)
            (errors.append(parsed) if isinstance(parsed, str) else items.append(parsed))
        return items, errors
    if not path.exists():
        return [], [_("{where}: no such file or folder", where=str(path))]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_csv(path)
    if suffix == ".json":
        return parse_json(path)
    if suffix == ".md":
        parsed = parse_markdown(path)
        return ([], [parsed]) if isinstance(parsed, str) else ([parsed], [])
    return [], [_("{where}: use a folder of .md files, a .csv or a .json", where=str(path))]
