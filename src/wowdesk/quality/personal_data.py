"""What quality keeps of customers: screenshots attached to flags (they show the
conversation as the operator saw it), the flagged answers' raw copies and operators'
comments, and the learning material made from real dialogues (library cases, regression
cases with the customer's question as asked, improvement proposals). Files are only
named here; the caller removes them once its transaction has committed, so a rolled-back
erasure never loses a screenshot it still points at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.nlp.pii import mask_json, mask_text
from wowdesk.nlp.text import terms
from wowdesk.quality.models import Flag, LibraryCase, Proposal, RegressionCase


def _strip(flags: list[Flag]) -> list[str]:
    names = []
    for flag in flags:
        if flag.screenshot_name:
            names.append(flag.screenshot_name)
            flag.screenshot_name = ""
            flag.screenshot_type = ""
            flag.screenshot_bytes = 0
    return names


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> list[str]:
    """Flags on these conversations lose their screenshots and raw answer copies; returns
    the screenshot files to remove."""
    if not conversation_ids:
        return []
    flags = list(db.scalars(select(Flag).where(Flag.conversation_id.in_(conversation_ids))))
    for flag in flags:
        flag.answer_text = flag.answer_masked
        flag.comment = mask_text(flag.comment)
    names = _strip(flags)
    db.flush()
    return names


def screenshots_before(db: Session, before: datetime) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Flag)
            .where(Flag.created_at < before, Flag.screenshot_name != "")
        )
        or 0
    )


def do_expire_screenshots(db: Session, before: datetime) -> list[str]:
    """Screenshots of flags made before `before` go (the flag, its reason and masked copies
    stay for the incident's history); returns the files to remove."""
    flags = list(
        db.scalars(select(Flag).where(Flag.created_at < before, Flag.screenshot_name != ""))
    )
    names = _strip(flags)
    db.flush()
    return names


@dataclass
class MaterialErased:
    """Learning material of erased conversations, anonymised: the library cases (training
    scenarios made from them follow) and the regression cases' questions as they were
    (micro-lessons quote them)."""

    cases: list[int] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    regression_cases: int = 0
    proposals: int = 0


def _case_search_text(case: LibraryCase) -> str:
    parts = [case.title, " ".join(case.tags), case.profile, case.what_good, case.ideal_scenario]
    parts += [str(line.get("text", "")) for line in case.transcript if isinstance(line, dict)]
    return " ".join(sorted(set(terms(" ".join(parts)))))


def do_erase_material(db: Session, conversation_ids: list[int]) -> MaterialErased:
    """Library cases, regression cases and proposals made from these conversations keep
    their lesson with the person masked out: every text masked, the customer's profile
    dropped. They stay linked to the (anonymised) conversation, so the library, the bot's
    regression run and the scores do not change."""
    done = MaterialErased()
    if not conversation_ids:
        return done
    for case in db.scalars(
        select(LibraryCase).where(LibraryCase.conversation_id.in_(conversation_ids))
    ):
        done.cases.append(case.id)
        case.title = mask_text(case.title)
        case.profile = ""
        case.what_good = mask_text(case.what_good)
        case.ideal_scenario = mask_text(case.ideal_scenario)
        case.follow_up = mask_text(case.follow_up)
        case.transcript = mask_json(case.transcript)
        case.search_text = _case_search_text(case)
    for reg in db.scalars(
        select(RegressionCase).where(RegressionCase.conversation_id.in_(conversation_ids))
    ):
        masked = mask_text(reg.question)
        if masked != reg.question:
            done.questions.append(reg.question)
        reg.question = masked
        reg.bad_answer = mask_text(reg.bad_answer)
        reg.reason = mask_text(reg.reason)
        done.regression_cases += 1
    for prop in db.scalars(select(Proposal).where(Proposal.conversation_id.in_(conversation_ids))):
        prop.comment = mask_text(prop.comment)
        prop.decision = mask_text(prop.decision)
        done.proposals += 1
    db.flush()
    return done


def export_material(db: Session, conversation_ids: list[int]) -> dict[str, list[Any]]:
    """Library cases made from the customer's conversations (as stored, masked already)."""
    if not conversation_ids:
        return {"library_cases": []}
    return {
        "library_cases": [
            {
                "conversation_id": c.conversation_id,
                "title": c.title,
                "profile": c.profile,
                "transcript": c.transcript,
                "follow_up": c.follow_up,
                "created_at": c.created_at.isoformat(),
            }
            for c in db.scalars(
                select(LibraryCase)
                .where(LibraryCase.conversation_id.in_(conversation_ids))
                .order_by(LibraryCase.id)
            )
        ]
    }
