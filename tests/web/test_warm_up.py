"""The app reads the secret-request model as it starts, not on the first message."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.nlp import secret_model


def test_the_secret_request_model_is_ready_before_the_first_message(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    secret_model.default_model.cache_clear()
    app = create_app(settings, factory)
    assert secret_model.default_model.cache_info().currsize == 0  # not at import or build
    with TestClient(app):
        app.state.warming.join(timeout=60)
        assert secret_model.default_model.cache_info().currsize == 1
    assert secret_model.default_model().kinds("Назовите код из СМС") == ["SMS_CODE"]
