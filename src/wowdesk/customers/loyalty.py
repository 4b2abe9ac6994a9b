"""The loyalty programme: a discount once a customer's orders reach a threshold.

One rule, from the settings (`WOWDESK_LOYALTY_THRESHOLD_RUB`, `WOWDESK_LOYALTY_DISCOUNT_PERCENT`):
a table a supervisor edits would be one more screen for a number that changes once a year,
and the programme's terms are the business's, not the contact center's.

Totals are whole rubles rounded down, so the console never promises a discount the customer
has not earned: 99 999,60 ₽ is 99 999 ₽, one ruble short, and the threshold is reached
exactly when the total in kopecks reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from wowdesk.config import Settings, get_settings
from wowdesk.customers import orders
from wowdesk.i18n import current_language, gettext

NBSP = "\u00a0"


@dataclass(frozen=True)
class Programme:
    threshold_rub: int = 100_000
    percent: Decimal = Decimal("2.5")

    @classmethod
    def from_settings(cls, settings: Settings) -> Programme:
        return cls(settings.loyalty_threshold_rub, settings.loyalty_discount_percent)


@dataclass(frozen=True)
class Loyalty:
    total_rub: int
    threshold_rub: int
    percent: Decimal
    remaining_rub: int
    reached: bool


def loyalty(total_kopecks: int, threshold_rub: int, percent: Decimal) -> Loyalty:
    """remaining = max(0, threshold − total), total in whole rubles rounded down."""
    if total_kopecks < 0 or threshold_rub < 0:
        raise ValueError("totals and thresholds are never negative")
    total_rub = total_kopecks // 100
    remaining = max(0, threshold_rub - total_rub)
    return Loyalty(total_rub, threshold_rub, percent, remaining, remaining == 0)


def loyalty_of(db: Session, customer_id: int, programme: Programme | None = None) -> Loyalty:
    """The customer's standing in the programme (the configured one unless given)."""
    programme = programme or Programme.from_settings(get_settings())
    _count, total = orders.order_stats(db, customer_id)
    return loyalty(total, programme.threshold_rub, programme.percent)


def rubles(amount: int | Decimal) -> str:
    """«50 000 ₽»: the language's digit grouping (a no-break space in Russian)."""
    return f"{format_decimal(amount, locale=current_language())}{NBSP}₽"


def percent_text(value: Decimal) -> str:
    """«2,5 %»: decimal comma in Russian, a no-break space before the sign."""
    return f"{format_decimal(value, locale=current_language())}{NBSP}%"


def label(state: Loyalty) -> str:
    if state.reached:
        return gettext(
            "The {percent} discount applies: orders for {total}",
            percent=percent_text(state.percent),
            total=rubles(state.total_rub),
        )
    return gettext(
        "{remaining} left until the {percent} discount",
        remaining=rubles(state.remaining_rub),
        percent=percent_text(state.percent),
    )
