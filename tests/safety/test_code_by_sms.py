"""The confirmation code by SMS or push through the company's provider: a real HTTP receiver
on loopback plays the provider's webhook."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import add_user, assert_json_error, login, start
from tests.webhook import Receiver, local_webhook
from wowdesk.app import create_app
from wowdesk.config import Settings


@pytest.fixture
def provider() -> Iterator[Receiver]:
    with local_webhook() as receiver:
        yield receiver


@pytest.fixture
def sms_client(
    settings: Settings, factory: sessionmaker[Session], provider: Receiver
) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"sms_webhook_url": provider.url})
    with TestClient(create_app(configured, factory)) as client:
        yield client


def test_the_code_goes_by_sms_through_the_provider(
    sms_client: TestClient, provider: Receiver
) -> None:
    client = sms_client
    opened = client.post(
        "/api/v1/chat/conversations",
        json={
            "identity": "masha-1",
            "phone": "+79161234567",
            "message": {"client_id": "first", "text": "Это правда вы пишете?"},
        },
    )
    conv_id = opened.json()["conversation"]["id"]
    csrf = {"X-CSRF-Token": login(client, add_user(client))}
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers=csrf)
    facts = client.get(f"/api/v1/safety/conversations/{conv_id}/verification").json()
    assert facts["sms_address"] == "+7 *** ***-45-67" and facts["push"] is False
    url = f"/api/v1/safety/conversations/{conv_id}/verification/sms"
    assert_json_error(client.post(url), 403, "csrf")
    provider.status = 500
    assert_json_error(client.post(url, headers=csrf), 502, "verification_not_delivered")
    provider.status = 200  # the refused attempt did not spend the rate limit
    sent = client.post(url, headers=csrf)
    assert sent.status_code == 201, sent.text
    code = sent.json()["code"]
    body = provider.requests[-1].json()
    assert body["channel"] == "sms" and body["to"] == "+79161234567" and code in body["text"]
    assert provider.requests[-1].headers["X-Wowdesk-Event"] == "verification.code"
    messages = client.get(f"/api/v1/conversations/{conv_id}/messages").json()
    assert "SMS" in messages[-1]["text"]
    assert_json_error(client.post(url, headers=csrf), 409, "verification_rate_limited")
    push = f"/api/v1/safety/conversations/{conv_id}/verification/push"
    assert_json_error(client.post(push, headers=csrf), 409, "no_provider")


def test_no_phone_no_sms(sms_client: TestClient) -> None:
    conv_id, _token = start(sms_client, "Кто мне пишет?")
    csrf = {"X-CSRF-Token": login(sms_client, add_user(sms_client))}
    sms_client.post(f"/api/v1/conversations/{conv_id}/assign", headers=csrf)
    url = f"/api/v1/safety/conversations/{conv_id}/verification/sms"
    assert_json_error(sms_client.post(url, headers=csrf), 409, "no_registered_channel")
