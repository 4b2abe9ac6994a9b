from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.customers.factories import add_order
from wowdesk.customers import loyalty, service
from wowdesk.i18n import activate

NBSP = "\u00a0"


@given(
    total=st.integers(min_value=0, max_value=10**13),
    threshold=st.integers(min_value=0, max_value=10**9),
    percent=st.decimals(min_value=Decimal("0.1"), max_value=100, places=1),
)
def test_remaining_is_the_threshold_minus_whole_rubles_and_never_negative(
    total: int, threshold: int, percent: Decimal
) -> None:
    state = loyalty.loyalty(total, threshold, percent)
    assert state.total_rub == total // 100  # whole rubles, rounded down
    assert state.remaining_rub == max(0, threshold - state.total_rub)
    assert state.remaining_rub >= 0
    # the discount is reached exactly when the kopecks reach the threshold, never before
    assert state.reached == (total >= threshold * 100)
    assert state.percent == percent


def test_a_kopeck_short_is_still_a_ruble_short() -> None:
    state = loyalty.loyalty(100_000 * 100 - 1, 100_000, Decimal("2.5"))
    assert (state.total_rub, state.remaining_rub, state.reached) == (99_999, 1, False)
    assert loyalty.loyalty(100_000 * 100, 100_000, Decimal("2.5")).reached


def test_negative_totals_are_refused() -> None:
    with pytest.raises(ValueError):
        loyalty.loyalty(-1, 100_000, Decimal("2.5"))


def test_label_in_russian_and_english() -> None:
    half = loyalty.loyalty(50_000 * 100, 100_000, Decimal("2.5"))
    assert loyalty.label(half) == f"ещё 50{NBSP}000{NBSP}₽ до скидки 2,5{NBSP}%"
    done = loyalty.loyalty(123_456_78, 100_000, Decimal("2.5"))
    assert loyalty.label(done) == f"Действует скидка 2,5{NBSP}%: заказы на 123{NBSP}456{NBSP}₽"
    activate("en")
    assert loyalty.label(half) == f"50,000{NBSP}₽ left until the 2.5{NBSP}% discount"


def test_loyalty_of_counts_kept_orders_only(db: Session) -> None:
    customer = service.do_identify(db, channel="web", external_id="loyal-1")
    add_order(db, customer, ("диван", 42_000), ("подушка", 3_000))
    add_order(db, customer, ("торшер", 5_000), status="shipped")
    add_order(db, customer, ("кресло", 12_000), status="cancelled")
    add_order(db, customer, ("кресло", 7_000), status="returned")
    programme = loyalty.Programme(100_000, Decimal("2.5"))
    state = loyalty.loyalty_of(db, customer.id, programme)
    assert (state.total_rub, state.remaining_rub, state.reached) == (50_000, 50_000, False)
    lower = loyalty.loyalty_of(db, customer.id, loyalty.Programme(40_000, Decimal("5")))
    assert (lower.remaining_rub, lower.reached, lower.percent) == (0, True, Decimal("5"))
