from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime


class Shift(Base):
    """A planned stretch of work: what schedule adherence compares the status history with,
    and what the schedule page counts as planned agents per half hour."""

    __tablename__ = "workforce_shift"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="shift_order"),
        Index("ix_workforce_shift_starts", "starts_at"),
        Index("ix_workforce_shift_user_starts", "user_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
