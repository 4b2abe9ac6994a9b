from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class KpiDay(Base):
    """Pre-aggregated facts per local day, operator (0: none), channel and topic (0: none):
    a month of KPIs is a sum over a few thousand of these rows, whatever the history's size.
    Rebuilt from the conversations by `service.do_refresh`; never edited by hand."""

    __tablename__ = "kpi_day"
    __table_args__ = (
        UniqueConstraint("day", "operator_id", "channel", "topic_id", name="uq_kpi_day_key"),
        Index("ix_kpi_day_operator_day", "operator_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    operator_id: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(32), default="")
    topic_id: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    bot_answered: Mapped[int] = mapped_column(Integer, default=0)
    bot_contained: Mapped[int] = mapped_column(Integer, default=0)
    offered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    answered_in_sl: Mapped[int] = mapped_column(Integer, default=0)
    wait_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    handle_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    acw_count: Mapped[int] = mapped_column(Integer, default=0)
    acw_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    frt_count: Mapped[int] = mapped_column(Integer, default=0)
    frt_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    csat_count: Mapped[int] = mapped_column(Integer, default=0)
    csat_sum: Mapped[int] = mapped_column(Integer, default=0)
    csat_good: Mapped[int] = mapped_column(Integer, default=0)
    fcr_eligible: Mapped[int] = mapped_column(Integer, default=0)
    fcr_repeats: Mapped[int] = mapped_column(Integer, default=0)
    transferred: Mapped[int] = mapped_column(Integer, default=0)


class KpiTarget(Base):
    """A target («таргет») for one KPI, for all channels ("") or one channel."""

    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("kpi", "channel", name="uq_kpi_target_kpi_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32), default="")
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # set for a target relative to a baseline period («AHT −20 %»): `value` is then the
    # baseline's figure times (1 + relative), frozen when it was set
    relative: Mapped[float | None] = mapped_column(Float)
    baseline_start: Mapped[date | None] = mapped_column(Date)
    baseline_end: Mapped[date | None] = mapped_column(Date)
    baseline_value: Mapped[float | None] = mapped_column(Float)


class KpiInterval(Base):
    """Contacts and handle time per local day, half hour (slot 0..47) and channel, for
    forecasts and staffing; rebuilt with `KpiDay`."""

    __tablename__ = "kpi_interval"
    __table_args__ = (
        UniqueConstraint("day", "slot", "channel", name="uq_kpi_interval_day_slot_channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    offered: Mapped[int] = mapped_column(Integer, default=0)
    bot_contained: Mapped[int] = mapped_column(Integer, default=0)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    handle_seconds: Mapped[float] = mapped_column(Float, default=0.0)


class KpiStaffDay(Base):
    """Operators' time per local day: online («на линии»), planned in shifts, and planned
    time spent online. Occupancy and adherence are sums over these rows, so a report never
    walks status changes or shifts; rebuilt with `KpiDay` by `service.do_refresh`."""

    __tablename__ = "kpi_staff_day"
    __table_args__ = (
        UniqueConstraint("day", "operator_id", name="uq_kpi_staff_day_key"),
        Index("ix_kpi_staff_day_operator_day", "operator_id", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    operator_id: Mapped[int] = mapped_column(Integer)
    available_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    scheduled_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    adherent_seconds: Mapped[float] = mapped_column(Float, default=0.0)
