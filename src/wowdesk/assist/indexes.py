"""The assistant's in-memory parts, one per process (app or worker), like the bot's engine:
the knowledge index it shares with the bot (never a second one) and the index of
colleagues' well-rated answers. No database session lives here; the service passes one in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from wowdesk.assist.colleagues import ColleagueIndex
from wowdesk.kb.knowledge import Knowledge
from wowdesk.kb.retrieval import Hit


@dataclass
class Assistant:
    knowledge: Knowledge
    colleagues: ColleagueIndex = field(default_factory=ColleagueIndex)

    def search_kb(self, db: Session, text: str, k: int = 3) -> list[Hit]:
        return self.knowledge.search(db, text, k=k)

    def refresh(self, db: Session) -> int:
        """New well-rated answers into the colleagues' index (the background job's unit)."""
        return self.colleagues.refresh(db)

    def refresh_if_loaded(self, db: Session) -> int:
        """The app's periodic job: keeps a loaded index current, but never loads it. An idle
        process then holds no word vectors or scikit-learn; the first suggestion loads them
        (`ensure_loaded`)."""
        return self.colleagues.refresh(db) if self.colleagues.loaded else 0

    def ensure_loaded(self, db: Session) -> None:
        """The first suggestion in a fresh process must not wait for the periodic job."""
        if not self.colleagues.loaded:
            self.colleagues.refresh(db)
