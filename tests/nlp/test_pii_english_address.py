"""Street addresses in the forms customers write them in English messages: US, British and
continental ones, as one block with the town and postcode lines after them."""

from __future__ import annotations

import pytest

from wowdesk.nlp.pii import mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Send it to 221 Baker Street, Apt. 4B please", "Send it to [ADDRESS] please"),
        ("I live at 36 rue de pologne", "I live at [ADDRESS]"),
        ("Ship to Avenida Pedro Ulisses 888, Apt. 12", "Ship to [ADDRESS]"),
        ("We are on Kaarikatu 32", "We are on [ADDRESS]"),
        ("Pedestrians enter on Hoge Wei 32 St. today", "Pedestrians enter on [ADDRESS] today"),
        ("Address: 83393 Pärna 33", "Address: [ADDRESS]"),
        ("It's in Λεωφόρος Συγγρού 119", "It's in [ADDRESS]"),
        ("My new address is PSC 7951, Box 9972\nAPO AA 69974", "My new address is [ADDRESS]"),
        ("Meet at the corner of 3744 Retreat Avenue and Main Road.", "Meet at [ADDRESS]."),
    ],
)
def test_street_addresses_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_an_address_block_is_masked_whole() -> None:
    text = "Please update it to 2456 Rue de Virton 38\n Suite 510\n Ettelgem\n Belgium 9528?"
    assert mask_text(text) == "Please update it to [ADDRESS]?"


@pytest.mark.parametrize(
    "text",
    [
        "Order 12345 arrived at 5 pm at Gate 5",
        "Meet me at Terminal 2 at 10",
        "I am on Level 3 of the mall",
        "Upgrade to Windows 10 and call me at 3 pm",
        "I bought 2 Apple Watch 7 last week",
        "Version 2 of the app crashes on iPhone 12",
        "the most beautiful place in the world",
        "Room for 2 people on Friday, Street food festival",
    ],
)
def test_numbered_things_that_are_not_addresses(text: str) -> None:
    assert "[ADDRESS]" not in mask_text(text)
