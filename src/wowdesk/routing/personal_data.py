"""A ticket remembers where to answer (an e-mail address) or whom to call back (a phone):
erased with the customer, and at the end of the contacts' retention. The transfer note an
operator left on it is masked then too."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.nlp.pii import mask_text
from wowdesk.routing.models import Ticket, TicketState


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> int:
    """Contacts leave the tickets; a ticket still waiting for a mail answer or a callback
    leaves the queues (there is nobody left to answer). Returns the tickets changed."""
    if not conversation_ids:
        return 0
    changed = 0
    for ticket in db.scalars(select(Ticket).where(Ticket.conversation_id.in_(conversation_ids))):
        if ticket.contact or ticket.mail_to:
            ticket.contact = {}
            ticket.mail_to = ""
            changed += 1
        if ticket.note:
            ticket.note = mask_text(ticket.note)
        if ticket.state in (TicketState.email, TicketState.callback):
            ticket.state = TicketState.left
    db.flush()
    return changed
