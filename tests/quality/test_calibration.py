"""Calibration: percent agreement and Cohen's kappa on a known table, and a session."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.helpers import make_user
from tests.quality.factories import dialogue
from wowdesk.errors import Conflict, Forbidden, Invalid
from wowdesk.quality import autoqa, calibration


def test_kappa_on_the_textbook_table() -> None:
    """Wikipedia's example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → p_o 0.7, κ 0.4."""
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert calibration.percent_agreement(a, b) == pytest.approx(0.7)
    assert calibration.cohen_kappa(a, b) == pytest.approx(0.4)


def test_kappa_edges() -> None:
    assert calibration.cohen_kappa([1, 0, 1], [1, 0, 1]) == pytest.approx(1.0)
    assert calibration.cohen_kappa([1, 0], [0, 1]) == pytest.approx(-1.0)
    assert calibration.cohen_kappa([1, 1], [1, 1]) == 1.0  # one label, full agreement
    assert calibration.cohen_kappa([None, 1], [1, None]) is None  # nothing rated by both


def test_session_agreement_between_reviewers_and_with_auto_qa(db: Session) -> None:
    convs = [
        dialogue(
            db,
            [
                ("customer", "где заказ"),
                ("operator", "Заказ будет доставлен завтра. Всего доброго!"),
            ],
        ),
        dialogue(db, [("customer", "где заказ"), ("operator", "Не знаю")]),
    ]
    for conv in convs:
        autoqa.do_score(db, autoqa.Scorer(), conv)
    a, b, c = (make_user(db, "supervisor") for _ in range(3))
    session = calibration.do_create(db, a, "Декабрь", [x.id for x in convs], [a.id, b.id])
    with pytest.raises(Invalid):
        calibration.do_create(db, a, "Один", [convs[0].id], [a.id])
    with pytest.raises(Forbidden):
        calibration.do_rate(db, c, session, convs[0].id, {"closing": 1})
    calibration.do_rate(db, a, session, convs[0].id, {"closing": 1, "next_step": 1})
    calibration.do_rate(db, a, session, convs[1].id, {"closing": 0, "next_step": 0})
    calibration.do_rate(db, b, session, convs[0].id, {"closing": 1, "next_step": 0})
    calibration.do_rate(db, b, session, convs[1].id, {"closing": 0, "next_step": 0})
    with pytest.raises(Conflict):
        calibration.do_rate(db, b, session, convs[1].id, {"closing": 1})
    by_key = {r.key: r for r in calibration.report(db, session)}
    assert by_key["closing"].percent == 1.0 and by_key["closing"].kappa == 1.0
    assert by_key["next_step"].percent == 0.5
    # auto-QA says closing met / not met exactly as both reviewers did
    assert by_key["closing"].auto_percent == 1.0
    assert by_key["tone"].percent is None  # nobody scored it
