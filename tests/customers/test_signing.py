"""Verified identities (issue 16, item 3): anyone can claim an identity, only the site's
key signs it. An unsigned claim is an unverified customer of its own, never the customer
who owns that identity, so guessing an id shows nobody's orders or cases."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.customers.test_api import as_role
from tests.helpers import WEB_IDENTITY_KEY, assert_json_error, start
from wowdesk.customers import service as customers
from wowdesk.customers.signing import check_identity_signature, sign_identity
from wowdesk.errors import Forbidden, Invalid

KEYS = {"web": "k-web", "telegram": "k-tg"}


def test_signatures_are_per_channel_and_unsigned_means_unverified() -> None:
    good = sign_identity("k-web", "42")
    assert check_identity_signature(KEYS, "web", "42", good)
    assert check_identity_signature(KEYS, "web", "42", good.upper())
    assert not check_identity_signature(KEYS, "web", "42", None)
    with pytest.raises(Forbidden):
        check_identity_signature(KEYS, "telegram", "42", good)  # the web key signs only web
    with pytest.raises(Forbidden):
        check_identity_signature(KEYS, "web", "43", good)
    with pytest.raises(Invalid):
        check_identity_signature(KEYS, "email", "42", good)  # no key for that channel


def _open(client: TestClient, identity: str, signature: str | None = None, **extra: str):  # type: ignore[no-untyped-def]
    body = {"identity": identity, "message": {"client_id": uuid.uuid4().hex, "text": "Привет"}}
    body.update(extra)
    if signature is not None:
        body["identity_signature"] = signature
    return client.post("/api/v1/chat/conversations", json=body)


def _profile(client: TestClient, conv_id: int, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    conv = client.get(f"/api/v1/conversations/{conv_id}", headers=headers).json()["conversation"]
    url = f"/api/v1/customers/{conv['customer_id']}/profile"
    return client.get(url, params={"conversation_id": conv_id}, headers=headers).json()  # type: ignore[no-any-return]


def test_an_unsigned_claim_on_a_known_identity_reaches_nobody(client: TestClient) -> None:
    owner = f"shop-{uuid.uuid4().hex[:8]}"
    owned, _ = start(client, "Где мой заказ?", identity=owner, signed=True)
    boss = as_role(client, "supervisor")
    order = {
        "order_id": f"O-{owner}",
        "placed_at": "2026-10-01T10:00:00",
        "lines": [{"product": "Диван", "price": 45000}],
    }
    owner_profile = _profile(client, owned, boss)
    owner_id = owner_profile["customer"]["id"]
    made = client.post(f"/api/v1/customers/{owner_id}/orders", json=order, headers=boss)
    assert made.status_code == 200, made.text

    forged = _open(client, owner, email="attacker@example.com")
    assert forged.status_code == 201, forged.text
    forged_id = forged.json()["conversation"]["id"]
    profile = _profile(client, forged_id, boss)
    assert profile["customer"]["id"] != owner_id
    assert profile["customer"]["verified"] is False and profile["orders"] == []
    assert [i["verified"] for i in profile["identities"]] == [False]
    # the same unsigned id again is the same unverified customer (a returning browser)
    again = _open(client, owner).json()["conversation"]["customer_id"]
    assert again == profile["customer"]["id"]
    # signed again: the owner, with the order
    signed = _open(client, owner, sign_identity(WEB_IDENTITY_KEY, owner))
    assert signed.json()["conversation"]["customer_id"] == owner_id
    assert _profile(client, signed.json()["conversation"]["id"], boss)["customer"]["verified"]

    assert_json_error(_open(client, owner, "0" * 64), 403, "bad_identity_signature")
    assert_json_error(
        _open(client, owner, sign_identity(WEB_IDENTITY_KEY, owner), channel="email"),
        422,
        "no_identity_key",
    )


def test_an_unverified_customers_contacts_match_no_import(db: Session) -> None:
    claimed = customers.do_identify(
        db, channel="web", external_id="x-1", email="olga@example.com", verified=False
    )
    found, created = customers.do_match_customer(db, email="olga@example.com", name="Ольга")
    assert created and found.id != claimed.id
    assert customers.find_customer(db, channel="web", external_id="x-1") is None


def test_the_console_says_the_customer_is_unverified(client: TestClient) -> None:
    headers = as_role(client, "operator")
    page = client.get("/console", headers=headers)
    assert 'data-testid="profile-unverified"' in page.text
