from __future__ import annotations

from sqlalchemy.orm import Session

from wowdesk.customers import service


def test_same_identity_is_the_same_customer(db: Session) -> None:
    first = service.do_identify(db, channel="web", external_id="browser-1", display_name="Ольга")
    again = service.do_identify(db, channel="web", external_id="browser-1")
    other_channel = service.do_identify(db, channel="mail", external_id="browser-1")
    assert first.id == again.id != other_channel.id
    assert again.display_name == "Ольга"
    assert [i.channel for i in service.list_identities(db, first.id)] == ["web"]
    assert [c.id for c in service.search_customers(db, "Ольг")] == [first.id]
