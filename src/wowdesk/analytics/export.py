"""The same KPI table as CSV or XLSX (and JSON for tools): one row per group, one column
per KPI, raw units (seconds, shares 0–1, scores 1–5), so spreadsheets can compute on it."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook, load_workbook

from wowdesk.analytics.definitions import KPIS
from wowdesk.analytics.service import Row
from wowdesk.i18n import gettext as _

FORMATS = ("csv", "xlsx", "json")


def header() -> list[str]:
    return ["group", "label", *(k.key for k in KPIS)]


def records(rows: list[Row]) -> list[list[Any]]:
    out = []
    for row in rows:
        values = [_cell(k.unit, row.values.get(k.key)) for k in KPIS]
        out.append([row.key, row.label, *values])
    return out


def _cell(unit: str, value: float | None) -> float | int | None:
    if value is None:
        return None
    return round(value) if unit == "count" else round(value, 4)


def as_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [dict(zip(header(), r, strict=True)) for r in records(rows)]


def to_csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    writer.writerows([["" if v is None else v for v in r] for r in records(rows)])
    return buffer.getvalue()


def to_xlsx(rows: list[Row]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "KPI"
    sheet.append(header())
    sheet.append(["", "", *(_(k.label) for k in KPIS)])  # the people's names under the keys
    for r in records(rows):
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes) -> list[list[Any]]:
    """The rows of an exported workbook (first sheet), for checks and round trips."""
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
