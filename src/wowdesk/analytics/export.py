"""The same KPI table as CSV or XLSX (and JSON for tools): one row per group, one column
per KPI, raw units (seconds, shares 0–1, scores 1–5), so spreadsheets can compute on it."""

from __future__ import annotations

from typing import Any

from wowdesk.analytics.definitions import KPIS
from wowdesk.analytics.service import Row
from wowdesk.http import tables
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
    return tables.to_csv(header(), records(rows))


def to_xlsx(rows: list[Row]) -> bytes:
    # the people's names under the keys
    labels = ["", "", *(_(k.label) for k in KPIS)]
    return tables.to_xlsx(header(), records(rows), title="KPI", labels=labels)
