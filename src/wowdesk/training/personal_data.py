"""Training material made from real dialogues: scenarios built from a library case (their
brief, beats and hidden facts retell the customer's story), trainees' practice dialogues
with such a scenario, and micro-lessons quoting regression cases (the customer's question
as asked). When the customer is erased, these keep their lesson with the person masked;
scores, progress and points stay."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.nlp.pii import mask_json, mask_text
from wowdesk.training.models import Attempt, MicroLesson, Scenario


def do_erase_from_cases(db: Session, case_ids: list[int]) -> int:
    """Scenarios made from these library cases, and practice with them, masked. Returns the
    scenarios changed."""
    if not case_ids:
        return 0
    scenarios = list(db.scalars(select(Scenario).where(Scenario.case_id.in_(case_ids))))
    for sc in scenarios:
        for attr in ("title", "brief", "goal", "opening", "on_secret"):
            setattr(sc, attr, mask_text(getattr(sc, attr)))
        for attr in ("hidden_facts", "ideal_path", "beats"):
            setattr(sc, attr, mask_json(getattr(sc, attr)))
    if scenarios:
        for attempt in db.scalars(
            select(Attempt).where(Attempt.scenario_id.in_([s.id for s in scenarios]))
        ):
            attempt.transcript = mask_json(attempt.transcript)
    db.flush()
    return len(scenarios)


def do_erase_questions(db: Session, questions: list[str]) -> int:
    """Micro-lessons quoting these questions (copied from regression cases when the lesson
    was made) quote them masked. Returns the lessons changed."""
    wanted = {q for q in questions if q}
    if not wanted:
        return 0
    changed = 0
    for lesson in db.scalars(select(MicroLesson)):  # a few hundred at most
        cases = list(lesson.cases or [])
        hit = False
        for i, case in enumerate(cases):
            if isinstance(case, dict) and case.get("question") in wanted:
                masked = {k: mask_text(str(case.get(k) or "")) for k in ("question", "bad_answer")}
                cases[i] = {**case, **masked}
                hit = True
        if hit:
            lesson.cases = cases
            changed += 1
    db.flush()
    return changed
