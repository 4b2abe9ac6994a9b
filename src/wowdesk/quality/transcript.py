"""What a criterion reads: the masked transcript of one conversation and its facts.

No database here: auto-QA builds a `Transcript` from the tables, the training issue builds
one from a simulated dialogue, the tests from hand-made lines. Times are optional (a
hand-made transcript has none; the response-time criterion is then not applicable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Line:
    seq: int
    author: str  # customer | operator | bot | system
    text: str  # masked
    at: datetime | None = None


@dataclass(frozen=True)
class Transcript:
    lines: tuple[Line, ...]
    company: str = ""
    # the customer's words before an operator joined (what the handoff card already says)
    handed_off_at: datetime | None = None
    verified: bool = False  # a confirmation went through the customer's registered channel
    kb_passages: tuple[str, ...] = ()  # what the knowledge base says on this conversation
    templates: tuple[str, ...] = ()  # the approved reply templates
    csat: int | None = None
    first_reply_target_s: float = 60.0
    reply_target_s: float = 120.0
    agent: str = "operator"  # whose work is scored: operator | bot
    extra: dict[str, object] = field(default_factory=dict)

    def by(self, author: str) -> list[Line]:
        return [line for line in self.lines if line.author == author]

    @property
    def agent_lines(self) -> list[Line]:
        return self.by(self.agent)
