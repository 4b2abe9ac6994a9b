"""Real KPIs for attestation, points and contests. Analytics computes them and sits above
training, so training cannot import it: the app registers analytics' function here at
start-up (`register`), and training asks through `results`. Without a source (a unit test,
a tool that did not register one) there are no KPI figures and KPI criteria fail as
«no data», never pass by default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class KpiResult:
    key: str
    label: str
    value: float | None
    target: float | None
    higher_is_better: bool
    unit: str  # seconds, share, score, count
    contacts: int = 0  # conversations behind the figure

    @property
    def met(self) -> bool:
        """At or better than target; no figure or no target is not met."""
        if self.value is None or self.target is None:
            return False
        if self.higher_is_better:
            return self.value >= self.target
        return self.value <= self.target


KpiSource = Callable[[Session, int, date, date], list[KpiResult]]
_sources: dict[str, KpiSource] = {}
_keys: dict[str, str] = {}  # key -> label, what criteria and contests may name


def register(source: KpiSource, keys: dict[str, str]) -> None:
    _sources["kpis"] = source
    _keys.clear()
    _keys.update(keys)


def known() -> dict[str, str]:
    return dict(_keys)


def results(db: Session, user_id: int, start: date, end: date) -> list[KpiResult]:
    source = _sources.get("kpis")
    return source(db, user_id, start, end) if source is not None else []
