"""The admin's personal-data routes and page, and the audit of contacts shown in full."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.helpers import add_user, assert_json_error, form_csrf, login, start

PHONE = "+79161234567"


def _customer(client: TestClient, identity: str) -> tuple[int, int]:
    conv_id, _token = start(client, f"Перезвоните мне на {PHONE}", identity=identity)
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    from wowdesk.conversations import service as conversations
    from wowdesk.customers import service as customers

    with factory() as db:
        customer_id = conversations.get_conversation(db, conv_id).customer_id
        customers.do_set_contact(db, customer_id, phone=PHONE)
        db.commit()
    return conv_id, customer_id


def test_contacts_in_the_360_panel_are_audited_for_raw_roles_only(client: TestClient) -> None:
    _conv_id, customer_id = _customer(client, "browser-360")
    operator = add_user(client, "operator")
    login(client, operator)
    shown = client.get(f"/api/v1/customers/{customer_id}/profile").json()
    assert shown["customer"]["phone"] != PHONE and shown["customer"]["contacts_masked"]
    supervisor = add_user(client, "supervisor")
    login(client, supervisor)
    shown = client.get(f"/api/v1/customers/{customer_id}/profile").json()
    assert shown["customer"]["phone"] == PHONE
    admin = add_user(client, "admin")
    csrf = login(client, admin)
    rows = client.get("/api/v1/privacy/audit", params={"customer_id": customer_id}).json()
    assert [(r["action"], r["username"], r["place"]) for r in rows] == [
        ("contacts", supervisor, "console")
    ]
    assert client.headers.get("x-csrf-token") is None and csrf


def test_admin_exports_then_erases_through_the_api(client: TestClient) -> None:
    _conv_id, customer_id = _customer(client, "browser-api")
    supervisor = add_user(client, "supervisor")
    csrf = login(client, supervisor)
    refused = client.post(
        f"/api/v1/privacy/customers/{customer_id}/erase",
        json={"reference": "x"},
        headers={"x-csrf-token": csrf},
    )
    assert_json_error(refused, 403)
    admin = add_user(client, "admin")
    csrf = login(client, admin)
    exported = client.get(f"/api/v1/privacy/customers/{customer_id}/export").json()
    assert exported["customer"]["phone"] == PHONE
    assert PHONE in exported["conversations"][0]["messages"][0]["text"]
    missing = client.post(
        f"/api/v1/privacy/customers/{customer_id}/erase", json={}, headers={"x-csrf-token": csrf}
    )
    assert_json_error(missing, 422)
    unknown = client.post(
        "/api/v1/privacy/customers/999999/erase",
        json={"reference": "Заявка 1"},
        headers={"x-csrf-token": csrf},
    )
    assert_json_error(unknown, 404)
    erased = client.post(
        f"/api/v1/privacy/customers/{customer_id}/erase",
        json={"reference": "Заявка 2"},
        headers={"x-csrf-token": csrf},
    )
    assert erased.status_code == 200, erased.text
    assert erased.json()["conversations"] == 1
    assert client.get("/api/v1/customers", params={"q": PHONE[-7:]}).json() == []
    after = client.get(f"/api/v1/privacy/customers/{customer_id}/export").json()
    assert after["customer"]["phone"] is None and after["identities"] == []
    assert PHONE not in str(after["conversations"])
    # the audit page finds both, and its CSV holds the same rows
    page = client.get("/admin/privacy", params={"q": "Заявка"})
    assert page.status_code == 200 and "Заявка 2" in page.text
    table = client.get("/admin/privacy", params={"customer": str(customer_id), "format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == ["export", "erasure", "export"]
    assert {r["username"] for r in rows} == {admin}
    assert all(PHONE not in ",".join(r.values()) for r in rows)


def test_erase_form_on_the_admin_page(client: TestClient) -> None:
    _conv_id, customer_id = _customer(client, "browser-form")
    admin = add_user(client, "admin")
    login(client, admin)
    page = client.get("/admin/privacy")
    token = form_csrf(page.text)
    empty = client.post(
        "/admin/privacy/erase",
        data={"customer_id": str(customer_id), "reference": "", "csrf_token": token},
    )
    assert empty.status_code == 422 and 'data-testid="privacy-error"' in empty.text
    done = client.post(
        "/admin/privacy/erase",
        data={
            "customer_id": str(customer_id),
            "reference": "Письмо 3",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "privacy-erased" in client.get(done.headers["location"]).text
