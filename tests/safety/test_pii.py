from __future__ import annotations

from wowdesk.safety.pii import luhn_ok, mask_text


def test_masks_contacts_and_valid_cards_only() -> None:
    text = (
        "Карта 4111 1111 1111 1111, заказ 1234567812345678, "
        "тел. 8 (912) 345-67-89, mail ivan@mail.ru"
    )
    assert mask_text(text) == "Карта [CARD], заказ 1234567812345678, тел. [PHONE], mail [EMAIL]"


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
