"""Proposals: from any conversation an operator proposes a change to an article, a
template or a regulation; the content queue moves it new → in review → accepted or
rejected, and the proposer is told when it is decided (a live event to their console)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations import service as conversations
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Invalid, NotFound
from wowdesk.i18n import N_
from wowdesk.operators.models import User
from wowdesk.quality.models import Proposal, ProposalStatus
from wowdesk.quality.schemas import ProposalDecided

TARGETS = {
    "article": N_("an article"),
    "template": N_("a template"),
    "regulation": N_("a regulation"),
}
STATUSES = (N_("new"), N_("in_review"), N_("accepted"), N_("rejected"))
NEXT = {
    ProposalStatus.new: (
        ProposalStatus.in_review,
        ProposalStatus.accepted,
        ProposalStatus.rejected,
    ),
    ProposalStatus.in_review: (ProposalStatus.accepted, ProposalStatus.rejected),
}


def do_propose(
    db: Session,
    user: User,
    *,
    target: str,
    comment: str,
    target_ref: str = "",
    conversation_id: int | None = None,
) -> Proposal:
    if target not in TARGETS:
        raise Invalid("Propose a change to an article, a template or a regulation")
    comment = comment.strip()
    if not comment:
        raise Invalid("Say what should change", code="comment_required")
    if conversation_id is not None:
        conversations.access_conversation(db, user, conversation_id)
    proposal = Proposal(
        conversation_id=conversation_id,
        target=target,
        target_ref=target_ref.strip()[:300],
        comment=comment[:4000],
        proposer_id=user.id,
    )
    db.add(proposal)
    db.flush()
    return proposal


def get_proposal(db: Session, proposal_id: int) -> Proposal:
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("Proposal not found")
    return proposal


def list_proposals(
    db: Session, status: str | None = None, proposer_id: int | None = None, limit: int = 200
) -> list[Proposal]:
    stmt = select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Proposal.status == status)
    if proposer_id is not None:
        stmt = stmt.where(Proposal.proposer_id == proposer_id)
    return list(db.scalars(stmt))


def do_set_status(
    db: Session, user: User, proposal: Proposal, status: str, decision: str = ""
) -> Proposal:
    allowed = NEXT.get(ProposalStatus(proposal.status), ())
    if status not in allowed:
        raise Conflict(
            "A proposal that is {current} cannot become {status}",
            code="invalid_transition",
            current=proposal.status,
            status=status,
        )
    proposal.status = status
    if status in (ProposalStatus.accepted, ProposalStatus.rejected):
        proposal.decided_by = user.id
        proposal.decided_at = utcnow()
        proposal.decision = decision.strip()[:2000]
        if proposal.proposer_id:
            events.publish_on_commit(
                db,
                [events.operator_channel(proposal.proposer_id)],
                ProposalDecided(op=status, id=proposal.id),
            )
    db.flush()
    return proposal
