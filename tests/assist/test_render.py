"""Template rendering: a variable that cannot be filled is listed and stays visible, never
sent blank."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wowdesk.assist.service import first_name, loyalty_variables
from wowdesk.assist.variables import (
    PLACEHOLDER,
    has_placeholders,
    placeholders,
    render_template,
    unmask,
)
from wowdesk.customers.loyalty import loyalty

GREETING = "Здравствуйте, {customer.first_name}! Меня зовут {operator.first_name}."


def test_known_variables_are_filled() -> None:
    out = render_template(GREETING, {"customer.first_name": "Мария", "operator.first_name": "Анна"})
    assert out.text == "Здравствуйте, Мария! Меня зовут Анна."
    assert out.missing == []


def test_missing_and_empty_variables_stay_visible_and_are_listed_once() -> None:
    text = "{customer.first_name}, до скидки осталось {loyalty.remaining}. {customer.first_name}!"
    out = render_template(text, {"customer.first_name": "  ", "operator.name": "Анна"})
    assert out.text == text  # nothing filled blank
    assert out.missing == ["customer.first_name", "loyalty.remaining"]
    assert has_placeholders(out.text)
    unknown = render_template("Код {no.such.thing} и {x}", {})
    assert unknown.missing == ["no.such.thing", "x"] and unknown.text == "Код {no.such.thing} и {x}"


def test_text_without_variables_and_stray_braces_pass_through() -> None:
    assert render_template("Спасибо за ожидание!", {}).text == "Спасибо за ожидание!"
    odd = render_template("Смайлик {: и { } и {Заглавные}", {"x": "y"})
    assert odd.text == "Смайлик {: и { } и {Заглавные}" and odd.missing == []
    assert placeholders("{a.b} {c} {a.b}") == ["a.b", "c"]


values = st.dictionaries(
    st.sampled_from(["customer.first_name", "operator.name", "loyalty.remaining"]),
    st.one_of(st.none(), st.just(""), st.text("абв xyZ", min_size=1, max_size=8)),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_every_placeholder_is_either_filled_with_text_or_reported(
    variables: dict[str, str | None],
) -> None:
    text = "{customer.first_name} / {operator.name} / {loyalty.remaining}"
    out = render_template(text, variables)
    parts = out.text.split(" / ")
    for name, part in zip(
        ["customer.first_name", "operator.name", "loyalty.remaining"], parts, strict=True
    ):
        if name in out.missing:
            assert part == "{" + name + "}"
        else:
            assert part.strip() and part == str(variables[name]).strip()
    assert set(out.missing) == {m.group(1) for m in PLACEHOLDER.finditer(out.text)}


def test_colleagues_masked_answers_become_this_conversations_names() -> None:
    masked = "Здравствуйте, [PERSON]! Меня зовут [PERSON]. Курьер позвонит на [PHONE]."
    assert unmask(masked) == (
        "Здравствуйте, {customer.first_name}! Меня зовут {operator.first_name}. "
        "Курьер позвонит на {phone}."
    )
    out = render_template(
        unmask(masked), {"customer.first_name": "Ольга", "operator.first_name": "Анна"}
    )
    assert out.text.startswith("Здравствуйте, Ольга! Меня зовут Анна.")
    assert out.missing == ["phone"]  # another customer's phone is never suggested
    # every masked type becomes a blank to fill, the SSN added last too
    assert unmask("SSN on file: [SSN], card [CARD].") == "SSN on file: {ssn}, card {card}."


def test_first_names_and_loyalty_figures() -> None:
    assert first_name("Мария Кузнецова") == "Мария"
    assert first_name("Клиент 1042") is None
    assert first_name("tg:12345") is None
    assert first_name("") is None
    figures = loyalty_variables(loyalty(95_000_00, 100_000, Decimal("2.5")))
    assert figures["loyalty.remaining"] == "5\u00a0000\u00a0₽"
    assert figures["loyalty.percent"] == "2,5\u00a0%"
    assert figures["loyalty.threshold"] == "100\u00a0000\u00a0₽"
    reached = loyalty_variables(loyalty(120_000_00, 100_000, Decimal("2.5")))
    assert reached["loyalty.remaining"] is None  # nothing is «left»: shown as missing
    assert loyalty_variables(None) == {}
