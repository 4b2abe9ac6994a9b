"""The KPI report every screen and export shows: rows for a grouping, the team to compare
with, the targets, and the definitions with their formulas."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy.orm import Session

from wowdesk.analytics import overview, service
from wowdesk.analytics.definitions import KPIS
from wowdesk.analytics.schemas import KpiDefinitionOut, KpiReportOut, KpiRowOut, NobodyOut
from wowdesk.i18n import gettext as _

# a customer who left the queue before anyone took them is no operator's doing: an
# operator's row read «Доля потерянных 0.0 %» on every line
NOT_AN_OPERATORS = ("abandonment",)


def _row(row: service.Row, operators_own: bool = False) -> KpiRowOut:
    values = dict(row.values)
    if operators_own:
        values.update(dict.fromkeys(NOT_AN_OPERATORS))
    return KpiRowOut(key=row.key, label=row.label, values=values)


def definitions() -> list[KpiDefinitionOut]:
    return [
        KpiDefinitionOut(
            key=k.key,
            label=_(k.label),
            unit=k.unit,
            higher_is_better=k.higher_is_better,
            formula=_(k.formula),
        )
        for k in KPIS
    ]


def kpi_report(
    db: Session,
    start: date,
    end: date,
    *,
    group: service.Group,
    filters: service.Filters,
    timezone: str,
) -> KpiReportOut:
    rows = service.summarize(db, start, end, group=group, filters=filters, timezone=timezone)
    team = None
    if filters.operator_id is not None:
        without = dataclasses.replace(filters, operator_id=None)
        team_rows = service.summarize(db, start, end, filters=without, timezone=timezone)
        team = _row(team_rows[0]) if team_rows else None
    lost = next((r for r in rows if group == "operator" and r.key == "0"), None)
    return KpiReportOut(
        nobody=NobodyOut(**dataclasses.asdict(overview.nobody(lost))) if lost else None,
        start=start.isoformat(),
        end=end.isoformat(),
        group=group,
        definitions=definitions(),
        rows=[
            _row(r, filters.operator_id is not None or (group == "operator" and r.key != "0"))
            for r in rows
        ],
        team=team,
        targets=service.targets(db, filters.channel or ""),
    )
