from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from tests.customers.test_import import GOOD
from tests.helpers import add_user, assert_json_error, login, start
from wowdesk.customers import crosssell, service, views


def as_role(client: TestClient, role: str) -> dict[str, str]:
    return {"X-CSRF-Token": login(client, add_user(client, role))}


def upload(
    client: TestClient, headers: dict[str, str], text: str, path: str = "/api/v1/customers/import"
) -> httpx.Response:  # type: ignore[no-untyped-def]
    files = {"file": ("orders.csv", text.encode("utf-8"), "text/csv")}
    return client.post(path, files=files, headers=headers)


def test_masking_helpers() -> None:
    assert views.mask_email("ivanova@mail.ru") == "i***@mail.ru"
    assert views.mask_phone("+79161234567") == "+7 *** ***-45-67"
    assert views.mask_phone("8 (916) 123-45-67") == "+7 *** ***-45-67"
    assert views.mask_contact("demo-alexey") == "demo-alexey"  # a browser id is no contact
    assert views.mask_contact("ivanova@mail.ru") == "i***@mail.ru"


def test_operators_read_profiles_with_masked_contacts_supervisors_in_full(
    client: TestClient,
) -> None:
    conv_id, _token = start(
        client, "Здравствуйте, когда начислят скидку?", identity="buyer-1", signed=True
    )
    boss = as_role(client, "supervisor")
    text = (
        "order_id,placed_at,customer_ref,customer_channel,customer_email,customer_phone,"
        "customer_segment,product,price\n"
        "A-1,2026-09-14,buyer-1,web,Olga@Example.ru,8 916 123-45-67,постоянный,Диван,45001\n"
    )
    report = upload(client, boss, text)
    assert report.status_code == 200, report.text
    assert report.json()["created"] == 1 and report.json()["customers_created"] == 0

    conv = client.get(f"/api/v1/conversations/{conv_id}", headers=boss).json()["conversation"]
    customer_id = conv["customer_id"]
    full = client.get(
        f"/api/v1/customers/{customer_id}/profile", params={"conversation_id": conv_id}
    )
    assert full.status_code == 200, full.text
    p = full.json()
    assert p["customer"]["email"] == "olga@example.ru" and not p["customer"]["contacts_masked"]
    assert p["customer"]["phone"] == "+79161234567"
    assert p["customer"]["segment"] == "постоянный"
    assert p["loyalty"]["remaining_rub"] == 100_000 - 45_001
    assert p["loyalty"]["label"] == "ещё 54\u00a0999\u00a0₽ до скидки 2,5\u00a0%"
    assert [o["order_id"] for o in p["orders"]] == ["A-1"]
    assert p["orders"][0]["status_label"] == "выполнен"
    assert p["calm"] and p["offers"] == []  # no rules mined yet
    # a customer since their first purchase, not since the record the chat made today
    assert p["customer"]["since"].startswith("2026-09-1")
    assert p["customer"]["created_at"] > p["customer"]["since"]

    client.post("/logout", headers=boss)
    operator = as_role(client, "operator")
    masked = client.get(f"/api/v1/customers/{customer_id}/profile").json()
    assert masked["customer"]["email"] == "o***@example.ru"
    assert masked["customer"]["phone"] == "+7 *** ***-45-67"
    assert masked["customer"]["contacts_masked"]
    # the plain customer API masks the same way
    found = client.get("/api/v1/customers", params={"q": "olga@"}).json()
    assert [(c["email"], c["phone"]) for c in found] == [("o***@example.ru", "+7 *** ***-45-67")]
    assert client.get(f"/api/v1/customers/{customer_id}").json()["email"] == "o***@example.ru"
    assert {(i["channel"], i["external_id"]) for i in masked["identities"]} == {("web", "buyer-1")}
    # operators may not import or add orders
    assert_json_error(upload(client, operator, GOOD), 403)
    order = {
        "order_id": "X-1",
        "placed_at": "2026-10-01T10:00:00",
        "lines": [{"product": "Стол", "price": "10.5"}],
    }
    assert_json_error(
        client.post(f"/api/v1/customers/{customer_id}/orders", json=order, headers=operator), 403
    )
    other, _ = start(client, "Добрый день", identity="someone-else")
    assert_json_error(
        client.get(f"/api/v1/customers/{customer_id}/profile", params={"conversation_id": other}),
        422,
        "other_customer",
    )
    assert_json_error(client.get("/api/v1/customers/999999/profile"), 404)


def test_an_operator_names_or_renames_a_customer(client: TestClient) -> None:
    """What the operator heard is what the inbox and Customer 360 show next: the chat
    widget's name field may hold a nickname or someone else's name."""
    conv_id, _token = start(client, "Здравствуйте, это Оля, я с маминого телефона")
    operator = as_role(client, "operator")
    customer_id = client.get(f"/api/v1/conversations/{conv_id}").json()["conversation"][
        "customer_id"
    ]
    url = f"/api/v1/customers/{customer_id}"
    assert client.get(url).json()["display_name"] == "Мария"
    named = client.patch(url, json={"display_name": "  Ольга   Соколова "}, headers=operator)
    assert named.status_code == 200, named.text
    assert named.json()["display_name"] == "Ольга Соколова"
    profile = client.get(f"/api/v1/customers/{customer_id}/profile").json()
    assert profile["customer"]["display_name"] == "Ольга Соколова"
    for bad in ({"display_name": ""}, {"display_name": "   "}, {"display_name": "я" * 201}, {}):
        assert_json_error(client.patch(url, json=bad, headers=operator), 422)
    assert client.get(url).json()["display_name"] == "Ольга Соколова"  # nothing half-saved
    assert_json_error(
        client.patch("/api/v1/customers/999999", json={"display_name": "Ольга"}, headers=operator),
        404,
    )
    client.post("/logout", headers=operator)
    assert_json_error(client.patch(url, json={"display_name": "Кто-то"}), 401)


def test_orders_api_and_a_bad_upload(client: TestClient) -> None:
    conv_id, _token = start(client, "Добрый день", identity="buyer-2", signed=True)
    boss = as_role(client, "supervisor")
    customer_id = client.get(f"/api/v1/conversations/{conv_id}").json()["conversation"][
        "customer_id"
    ]
    order = {
        "order_id": "X-1",
        "placed_at": "2026-10-01T10:00:00",
        "status": "shipped",
        "lines": [
            {"product": "Диван", "category": "Диван", "price": "42000.50"},
            {"product": "Подушка", "price": 1500, "quantity": 2},
        ],
    }
    url = f"/api/v1/customers/{customer_id}/orders"
    made = client.post(url, json=order, headers=boss)
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["outcome"] == "created"
    assert body["order"]["total_kopecks"] == 42000_50 + 2 * 1500_00
    assert body["order"]["placed_at"].startswith("2026-10-01T07:00:00")  # Moscow → UTC
    assert body["order"]["lines"][0]["category"] == "диван"
    assert client.post(url, json=order, headers=boss).json()["outcome"] == "unchanged"
    listed = client.get(url).json()
    assert [o["order_id"] for o in listed] == ["X-1"]
    assert_json_error(client.post(url, json={**order, "lines": []}, headers=boss), 422)
    bad_price = {**order, "lines": [{"product": "x", "price": "1.234"}]}
    assert_json_error(client.post(url, json=bad_price, headers=boss), 422)

    broken = GOOD + "A-9,завтра,completed,,C-2,,,,,X,Стол,стол,1,100\n"
    refused = upload(client, boss, broken)
    error = assert_json_error(refused, 422, "invalid_rows")
    assert error["rows"] == [{"line": 6, "message": "Не дата: завтра"}]
    assert client.get("/api/v1/customers", params={"q": "Ольга"}).json() == []  # nothing written

    cases = (
        "case_id,opened_at,department,title,kind,customer_ref,customer_channel\n"
        "S-1,2026-11-01,Безопасность,Вход,complaint,buyer-2,web\n"
    )
    done = upload(client, boss, cases, "/api/v1/customers/cases/import")
    assert done.status_code == 200 and done.json()["created"] == 1, done.text
    p = client.get(
        f"/api/v1/customers/{customer_id}/profile", params={"conversation_id": conv_id}
    ).json()
    assert [c["title"] for c in p["cases"]] == ["Вход"]
    assert not p["calm"] and p["quiet_reasons"] == ["в другом отделе открыта жалоба"]


def test_offers_reach_the_profile_when_calm(client: TestClient) -> None:
    factory: sessionmaker[OrmSession] = client.app.state.sessionmaker  # type: ignore[attr-defined]
    calm_id, _ = start(client, "Подскажите про скидку", identity="calm-1", signed=True)
    upset_id, _ = start(client, "Безобразие, где мой заказ?!", identity="calm-1", signed=True)
    boss = as_role(client, "supervisor")
    shop = "order_id,placed_at,customer_ref,customer_channel,product,category,price\n"
    for n in range(3):
        shop += f"B-{n},2026-10-01,b{n},shop,Диван,диван,40000\n"
        shop += f"B-{n},2026-10-01,b{n},shop,Стол,журнальный стол,8000\n"
    shop += "L-1,2026-10-01,b1,shop,Торшер,торшер,5000\nL-2,2026-10-01,b2,shop,Торшер,торшер,5000\n"
    # sofa in 4 of 6 orders, table in 3, both in 3: confidence 3/4, lift 3/4 ÷ 3/6 = 1.5
    shop += "M-1,2026-10-01,calm-1,web,Диван,диван,40000\n"
    assert upload(client, boss, shop).status_code == 200
    with factory() as db:
        crosssell.do_refresh_rules(db, min_count=2)
        db.commit()
        customer = service.find_customer(db, channel="web", external_id="calm-1")
        assert customer is not None
        customer_id = customer.id
    calm = client.get(
        f"/api/v1/customers/{customer_id}/profile", params={"conversation_id": calm_id}
    ).json()
    assert calm["offers"] == [
        {
            "item": "журнальный стол",
            "reason": "часто берут вместе с диваном: журнальный стол",
            "confidence": 0.75,
        }
    ]
    upset = client.get(
        f"/api/v1/customers/{customer_id}/profile", params={"conversation_id": upset_id}
    ).json()
    assert upset["offers"] == [] and upset["quiet_reasons"] == ["клиент расстроен"]
    # earlier conversations: the other one, with its outcome
    assert [c["id"] for c in calm["conversations"]] == [upset_id]
    assert calm["conversations"][0]["status"] == "queued"
