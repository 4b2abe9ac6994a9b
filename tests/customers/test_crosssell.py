from __future__ import annotations

import time
from itertools import permutations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.customers.factories import add_case, add_order
from tests.helpers import new_conversation
from wowdesk.app import create_app
from wowdesk.assist import customer_360
from wowdesk.config import Settings
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.customers import crosssell, service
from wowdesk.customers.crosssell import Rule
from wowdesk.i18n import activate

# 10 orders worked out by hand:
#   sofa 6 orders, table 4, rug 3, lamp 3; sofa+table 4, sofa+rug 2, table+rug 1
BASKETS = [
    {"диван", "журнальный стол"},
    {"диван", "журнальный стол", "ковёр"},
    {"диван", "журнальный стол"},
    {"диван", "журнальный стол"},
    {"диван", "ковёр"},
    {"диван"},
    {"ковёр"},
    {"торшер"},
    {"торшер"},
    {"торшер"},
]


def test_pairwise_rules_on_a_known_basket_set() -> None:
    rules = {(r.antecedent, r.consequent): r for r in crosssell.mine_rules(BASKETS, min_count=2)}
    # sofa → table: support 4/10, confidence 4/6, lift (4/6) / (4/10)
    assert rules[("диван", "журнальный стол")] == Rule(
        "диван", "журнальный стол", 4, 0.4, pytest.approx(4 / 6), pytest.approx(5 / 3)
    )
    # table → sofa: every table buyer had a sofa: confidence 1, lift 1 / (6/10)
    assert rules[("журнальный стол", "диван")] == Rule(
        "журнальный стол", "диван", 4, 0.4, 1.0, pytest.approx(10 / 6)
    )
    # sofa → rug: 2/6 against a base rate of 3/10: lift 10/9, kept
    assert rules[("диван", "ковёр")].lift == pytest.approx(10 / 9)
    # table+rug is one order only (below min_count); the lamp is never bought with anything
    assert ("журнальный стол", "ковёр") not in rules
    assert not any("торшер" in pair for pair in rules)
    assert next(iter(rules)) == ("журнальный стол", "диван")  # strongest first


@given(st.lists(st.frozensets(st.sampled_from("abcde"), min_size=1, max_size=4), max_size=40))
def test_rules_follow_the_definitions_on_any_baskets(baskets: list[frozenset[str]]) -> None:
    found = {(r.antecedent, r.consequent): r for r in crosssell.mine_rules(baskets, min_count=1)}
    n = len(baskets)
    for a, b in permutations("abcde", 2):
        with_a = sum(a in x for x in baskets)
        with_b = sum(b in x for x in baskets)
        both = sum(a in x and b in x for x in baskets)
        if not (both and both * n > with_a * with_b):  # never together, or not above chance
            assert (a, b) not in found
            continue
        rule = found[(a, b)]
        assert rule.pair_count == both
        assert rule.support == pytest.approx(both / n)
        assert rule.confidence == pytest.approx(both / with_a)
        assert rule.lift == pytest.approx((both / with_a) / (with_b / n))
        assert rule.lift > 1


def test_rules_below_chance_are_dropped() -> None:
    # a and b are each in every other basket, and together as often as chance: lift 1
    baskets = [{"a", "b"}, {"a"}, {"b"}, set()]
    assert crosssell.mine_rules(baskets, min_count=1) == []
    assert crosssell.mine_rules(BASKETS, min_count=2, min_confidence=0.5) == [
        r for r in crosssell.mine_rules(BASKETS, min_count=2) if r.confidence >= 0.5
    ]


def _shop(db: Session) -> None:
    for n, basket in enumerate(BASKETS):
        buyer = service.do_identify(db, channel="shop", external_id=f"buyer-{n}")
        add_order(db, buyer, *((item, 1000) for item in sorted(basket)))


def test_offers_come_from_own_orders_and_skip_what_was_bought(db: Session) -> None:
    _shop(db)
    assert crosssell.do_refresh_rules(db, min_count=2, min_confidence=0.2) == 4
    me = service.do_identify(db, channel="web", external_id="me")
    assert crosssell.offers_for(db, me.id) == []  # nothing bought, nothing to go on
    add_order(db, me, ("диван", 40_000))
    offers = crosssell.offers_for(db, me.id)
    assert [o.item for o in offers] == ["журнальный стол", "ковёр"]
    assert offers[0].reason == "часто берут вместе с диваном: журнальный стол"
    assert offers[0].confidence == pytest.approx(4 / 6)
    add_order(db, me, ("журнальный стол", 8_000))
    assert [o.item for o in crosssell.offers_for(db, me.id)] == ["ковёр"]
    assert crosssell.offers_for(db, me.id, limit=0) == []
    # a cancelled order is no purchase: the rug is offered again after it
    add_order(db, me, ("ковёр", 5_000), status="cancelled")
    assert [o.item for o in crosssell.offers_for(db, me.id)] == ["ковёр"]


def test_a_rebuild_replaces_the_rules(db: Session) -> None:
    assert crosssell.do_refresh_rules(db) == 0  # no orders, no rules
    _shop(db)
    assert crosssell.do_refresh_rules(db, min_count=2) == 4
    assert crosssell.do_refresh_rules(db, min_count=2) == 4  # again: replaced, not added
    pairs = {(r.antecedent, r.consequent) for r in crosssell.list_rules(db)}
    assert ("диван", "журнальный стол") in pairs and len(pairs) == 4
    assert crosssell.do_refresh_rules(db, min_count=3) == 2  # sofa ↔ table only


def test_reason_puts_the_bought_item_in_the_instrumental_case() -> None:
    assert crosssell.instrumental("журнальный стол") == "журнальным столом"
    assert crosssell.instrumental("детская коляска") == "детской коляской"
    assert crosssell.instrumental("чехол для смартфона") == "чехлом для смартфона"
    assert crosssell.instrumental("наушники") == "наушниками"
    assert crosssell.reason("чехол для смартфона", "защитное стекло") == (
        "часто берут вместе с чехлом для смартфона: защитное стекло"
    )
    # not a Russian noun phrase: quoted after «товаром», which needs no inflection
    assert crosssell.instrumental("iPhone 15") is None
    assert (
        crosssell.reason("iPhone 15", "чехол") == "часто берут вместе с товаром «iPhone 15»: чехол"
    )
    activate("en")
    assert (
        crosssell.reason("sofa", "coffee table") == "Often bought together with sofa: coffee table"
    )


def test_offers_only_in_a_calm_conversation(db: Session) -> None:
    calm = new_conversation(db, "Подскажите, когда начислят скидку?")
    assert customer_360.calm_of(db, calm.customer_id, calm) == customer_360.Calm(True, [])

    upset = new_conversation(db, "Это просто безобразие, третий день жду!")
    state = customer_360.calm_of(db, upset.customer_id, upset)
    assert not state.calm and state.reasons == ["клиент расстроен"]

    # calm at first, then the customer gets angry in a later message
    later = new_conversation(db, "Добрый день")
    conversations.do_customer_message(
        db, later, client_id="c2", text="Кошмар, верните деньги", limit=4000
    )
    reasons = customer_360.calm_of(db, later.customer_id, later).reasons
    assert "клиент расстроен" in reasons
    assert "клиент просит возврат, компенсацию или другое действие" in reasons

    # a complaint open in another department silences offers in every conversation
    customer = service.get_customer(db, calm.customer_id)
    add_case(db, customer, kind="request")
    assert customer_360.calm_of(db, customer.id, calm).calm
    add_case(db, customer, kind="complaint", status="closed")
    assert customer_360.calm_of(db, customer.id, calm).calm
    add_case(db, customer, kind="complaint")
    assert customer_360.calm_of(db, customer.id, calm).reasons == ["в другом отделе открыта жалоба"]


def test_a_complaint_topic_is_not_calm(db: Session) -> None:
    conv = new_conversation(db, "Добрый день")
    topic = topics.do_create_topic(db, "Жалобы")
    conv.topic_id = topic.id
    db.flush()
    assert customer_360.calm_of(db, conv.customer_id, conv).calm
    state = customer_360.calm_of(db, conv.customer_id, conv, {"жалобы", "претензии"})
    assert state.reasons == ["обращение — жалоба"]


def test_the_server_builds_the_rules_in_the_background(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    with factory() as db:
        _shop(db)
        db.commit()
    with TestClient(create_app(settings, factory)):
        deadline = time.monotonic() + 10
        while True:
            with factory() as db:
                if crosssell.list_rules(db):
                    break
            assert time.monotonic() < deadline, "the cross-sell job did not run at start"
            time.sleep(0.05)
    with factory() as db:
        assert len(crosssell.list_rules(db)) == 4
