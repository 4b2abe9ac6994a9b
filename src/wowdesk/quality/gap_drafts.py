"""Quality's mined drafts in the /kb drafts queue: kb sits below quality, so `register`
(called by `create_app`) gives kb's registry a function telling, for draft articles, which
cluster of handed-off questions each came from (size, source conversations), and the
«mine now» action of /quality/gaps."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.i18n import N_, gettext
from wowdesk.kb import drafts
from wowdesk.quality.models import GapDraft

KEY = "quality.gaps"
MINE = drafts.Action("/quality/gaps", N_("Mine the last 7 days now"))


def provenance(db: Session, article_ids: list[int]) -> list[drafts.Provenance]:
    rows = db.scalars(select(GapDraft).where(GapDraft.article_id.in_(article_ids)))
    return [
        drafts.Provenance(
            article_id=int(row.article_id),
            origin=gettext("Knowledge gaps"),
            size=row.size,
            conversation_ids=[int(c) for c in row.conversation_ids],
            conversation_url="/quality/conversations/{id}",
            question=row.question,
            made_at=row.created_at,
        )
        for row in rows
        if row.article_id is not None
    ]


def register() -> None:
    drafts.register(KEY, provenance, MINE)
