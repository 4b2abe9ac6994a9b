"""QA pages with nothing on them yet say what would be there and how it gets there."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import add_user, login

HTML = {"accept": "text/html"}


def test_empty_calibration_and_proposals_explain_themselves(client: TestClient) -> None:
    """Both showed a lone «—» on a fresh install."""
    login(client, add_user(client, "supervisor"))
    calibration = client.get("/quality/calibration", headers=HTML)
    assert calibration.status_code == 200 and "Сессий пока нет" in calibration.text
    proposals = client.get("/quality/proposals", headers=HTML)
    assert proposals.status_code == 200
    assert "Решать нечего" in proposals.text and "Вы пока ничего не предлагали" in proposals.text
