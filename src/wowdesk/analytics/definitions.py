"""Every KPI in one place: what it means, its formula over the daily facts, its unit, which
direction is better and its default target. Pages, reports, exports and the README table
all read this list, so a definition cannot differ between two screens."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from wowdesk.i18n import N_

Sums = Mapping[str, float]
Unit = Literal["seconds", "share", "score", "count"]


def ratio(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str  # translated where shown
    unit: Unit
    higher_is_better: bool
    formula: str
    compute: Callable[[Sums], float | None]
    default_target: float | None = None


def _fcr(s: Sums) -> float | None:
    repeats = ratio(s["fcr_repeats"], s["fcr_eligible"])
    return None if repeats is None else 1.0 - repeats


def _offered_done(s: Sums) -> float:
    return s["answered"] + s["abandoned"]


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "contacts",
        N_("Contacts"),
        "count",
        True,
        N_("conversations created in the period"),
        lambda s: s["contacts"],
    ),
    Kpi(
        "aht",
        N_("AHT"),
        "seconds",
        False,
        N_("Σ(wrap-up done − taken by the operator) / conversations handled; ACW included"),
        lambda s: ratio(s["handle_seconds"], s["handled"]),
        480.0,
    ),
    Kpi(
        "acw",
        N_("ACW"),
        "seconds",
        False,
        N_("Σ(wrap-up done − closed) / conversations with wrap-up done"),
        lambda s: ratio(s["acw_seconds"], s["acw_count"]),
        60.0,
    ),
    Kpi(
        "frt",
        N_("FRT"),
        "seconds",
        False,
        N_("Σ(first operator reply − handed to people) / conversations with an operator reply"),
        lambda s: ratio(s["frt_seconds"], s["frt_count"]),
        60.0,
    ),
    Kpi(
        "asa",
        N_("ASA"),
        "seconds",
        False,
        N_("Σ(taken by an operator − handed to people) / answered"),
        lambda s: ratio(s["wait_seconds"], s["answered"]),
        20.0,
    ),
    Kpi(
        "service_level",
        N_("Service level"),
        "share",
        True,
        N_("answered within T seconds / (answered + abandoned)"),
        lambda s: ratio(s["answered_in_sl"], _offered_done(s)),
        0.8,
    ),
    Kpi(
        "abandonment",
        N_("Abandonment"),
        "share",
        False,
        N_("left the queue without an operator / (answered + abandoned)"),
        lambda s: ratio(s["abandoned"], _offered_done(s)),
        0.05,
    ),
    Kpi(
        "csat",
        N_("CSAT"),
        "score",
        True,
        N_("average rating 1–5"),
        lambda s: ratio(s["csat_sum"], s["csat_count"]),
        4.5,
    ),
    Kpi(
        "csat_good",
        N_("CSAT 4–5"),
        "share",
        True,
        N_("ratings of 4 or 5 / ratings"),
        lambda s: ratio(s["csat_good"], s["csat_count"]),
        0.85,
    ),
    Kpi(
        "fcr",
        N_("FCR"),
        "share",
        True,
        N_("1 − handled conversations whose customer came back on the same topic within 7 days"),
        _fcr,
        0.8,
    ),
    Kpi(
        "containment",
        N_("Bot containment"),
        "share",
        True,
        N_("closed by the bot with no person / conversations the bot answered"),
        lambda s: ratio(s["bot_contained"], s["bot_answered"]),
        0.5,
    ),
    Kpi(
        "transfer_rate",
        N_("Transfer rate"),
        "share",
        False,
        N_("handled conversations passed to another operator or queue / handled"),
        lambda s: ratio(s["transferred"], s["handled"]),
        0.1,
    ),
    Kpi(
        "occupancy",
        N_("Occupancy"),
        "share",
        True,
        N_("Σ handle time / time on the line (status online); operators only"),
        lambda s: ratio(s["handle_seconds"], s.get("available_seconds", 0.0)),
        0.85,
    ),
    Kpi(
        "adherence",
        N_("Schedule adherence"),
        "share",
        True,
        N_("time online within planned shifts / planned shift time (punctuality)"),
        lambda s: ratio(s.get("adherent_seconds", 0.0), s.get("scheduled_seconds", 0.0)),
        0.95,
    ),
)

# quality's scores (one per closed conversation, the bot's too); see quality/kpis.py
QA_KPIS: tuple[Kpi, ...] = (
    Kpi(
        "qa_score",
        N_("QA score"),
        "share",
        True,
        N_("Σ automatic QA scores (after overrides, as a share of 100) / scored conversations"),
        lambda s: ratio(s.get("qa_points", 0.0) / 100, s.get("qa_scored", 0.0)),
        0.85,
    ),
    Kpi(
        "critical_error_rate",
        N_("Critical-error rate"),
        "share",
        False,
        N_("scored conversations with a critical error / scored conversations"),
        lambda s: ratio(s.get("qa_critical", 0.0), s.get("qa_scored", 0.0)),
        0.01,
    ),
    Kpi(
        "repeat_rate",
        N_("Customer had to repeat"),
        "share",
        False,
        N_("scored conversations where the customer had to repeat / scored conversations"),
        lambda s: ratio(s.get("qa_repeat", 0.0), s.get("qa_scored", 0.0)),
        0.05,
    ),
)
KPIS = (*KPIS, *QA_KPIS)

BY_KEY = {k.key: k for k in KPIS}


def evaluate(sums: Sums) -> dict[str, float | None]:
    return {k.key: k.compute(sums) for k in KPIS}
