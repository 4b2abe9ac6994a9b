"""Scorecards: sections of weighted criteria, kept in versions, and the scoring itself.

`score_transcript(definition, transcript)` is the pure core every caller shares: auto-QA
of closed conversations, the training simulator (issue 19), the tests. A criterion is
automatic (its rule decides), manual (a reviewer decides; auto-QA leaves it open) or both
(the rule decides until a reviewer overrides). The total is the weighted share of passed
criteria among those decided; a failed critical criterion zeroes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Invalid, NotFound
from wowdesk.i18n import gettext as _
from wowdesk.operators.models import User
from wowdesk.quality.criteria import RULES, Evidence
from wowdesk.quality.models import Scorecard, ScorecardKind, ScorecardVersion
from wowdesk.quality.transcript import Transcript

MODES = ("auto", "manual", "both")
MAX_CRITERIA = 60


@dataclass(frozen=True)
class CriterionResult:
    key: str
    title: str
    section: str
    weight: float
    critical: bool
    mode: str
    value: int | None
    evidence: list[Evidence] = field(default_factory=list)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "section": self.section,
            "weight": self.weight,
            "critical": self.critical,
            "mode": self.mode,
            "value": self.value,
            "evidence": [{"seq": e.seq, "phrase": e.phrase} for e in self.evidence],
            "note": self.note,
        }


@dataclass(frozen=True)
class Result:
    total: float
    critical_failed: bool
    criteria: list[CriterionResult]

    def value(self, key: str) -> int | None:
        return next((c.value for c in self.criteria if c.key == key), None)


def criteria_of(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**c, "section": s["title"]} for s in definition.get("sections", []) for c in s["criteria"]
    ]


def total_of(results: list[dict[str, Any]]) -> tuple[float, bool]:
    """Weighted share of passed among decided criteria (0–100); a failed critical → 0."""
    critical = any(r["critical"] and r["value"] == 0 for r in results)
    decided = [r for r in results if r["value"] is not None and r["weight"] > 0]
    weight = sum(r["weight"] for r in decided)
    if critical:
        return 0.0, True
    if not weight:
        return 100.0, False
    return round(100.0 * sum(r["weight"] * r["value"] for r in decided) / weight, 1), False


def score_transcript(definition: dict[str, Any], transcript: Transcript) -> Result:
    """Applies every automatic rule of the scorecard; manual criteria stay undecided."""
    out: list[CriterionResult] = []
    for c in criteria_of(definition):
        outcome = None
        if c["mode"] != "manual" and c.get("rule") in RULES:
            outcome = RULES[c["rule"]][0](transcript)
        out.append(
            CriterionResult(
                key=c["key"],
                title=c["title"],
                section=c["section"],
                weight=float(c["weight"]),
                critical=bool(c["critical"]),
                mode=c["mode"],
                value=outcome.value if outcome else None,
                evidence=outcome.evidence if outcome else [],
                note=outcome.note if outcome else "",
            )
        )
    total, critical = total_of([r.as_json() for r in out])
    return Result(total, critical, out)


# --- the definition an editor sends ------------------------------------------------------


def check_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """Normalises an edited scorecard or refuses it with what is wrong."""
    sections = definition.get("sections") if isinstance(definition, dict) else None
    if not isinstance(sections, list) or not sections:
        raise Invalid("A scorecard needs at least one section", code="invalid_scorecard")
    keys: set[str] = set()
    clean = []
    for s in sections:
        title = str(s.get("title", "")).strip() if isinstance(s, dict) else ""
        items = s.get("criteria") if isinstance(s, dict) else None
        if not title or not isinstance(items, list) or not items:
            raise Invalid("Each section needs a title and criteria", code="invalid_scorecard")
        criteria = []
        for c in items:
            criteria.append(_check_criterion(c, keys))
        clean.append({"title": title[:200], "criteria": criteria})
    if len(keys) > MAX_CRITERIA:
        raise Invalid("Too many criteria: at most {n}", n=MAX_CRITERIA, code="invalid_scorecard")
    return {"sections": clean}


def _check_criterion(c: Any, keys: set[str]) -> dict[str, Any]:
    if not isinstance(c, dict):
        raise Invalid("A criterion must be an object", code="invalid_scorecard")
    key = str(c.get("key", "")).strip()
    title = str(c.get("title", "")).strip()
    mode = c.get("mode", "auto")
    rule = c.get("rule") or None
    if not key or not key.replace("_", "").isalnum() or len(key) > 64:
        raise Invalid("Criterion key «{key}» must be letters, digits, _", key=key)
    if key in keys:
        raise Invalid("Criterion key «{key}» is used twice", key=key, code="invalid_scorecard")
    keys.add(key)
    if not title:
        raise Invalid("Criterion «{key}» needs a title", key=key, code="invalid_scorecard")
    if mode not in MODES:
        raise Invalid("Criterion «{key}»: mode must be auto, manual or both", key=key)
    if mode != "manual" and rule not in RULES:
        raise Invalid("Criterion «{key}»: unknown rule {rule}", key=key, rule=str(rule))
    try:
        weight = float(c.get("weight", 1))
    except (TypeError, ValueError) as exc:
        raise Invalid("Criterion «{key}»: the weight must be a number", key=key) from exc
    if not 0 <= weight <= 100:
        raise Invalid("Criterion «{key}»: the weight must be 0–100", key=key)
    return {
        "key": key,
        "title": title[:200],
        "weight": weight,
        "mode": mode,
        "critical": bool(c.get("critical", False)),
        "rule": rule if mode != "manual" else None,
    }


# --- stored scorecards -----------------------------------------------------------------


def _c(
    key: str,
    weight: float,
    rule: str | None = None,
    *,
    mode: str = "auto",
    critical: bool = False,
    title: str = "",
) -> dict[str, Any]:
    return {
        "key": key,
        "title": title or _(RULES[rule or key][1]),
        "weight": weight,
        "mode": mode,
        "critical": critical,
        "rule": rule or (key if mode != "manual" else None),
    }


def default_operator_definition() -> dict[str, Any]:
    """What good operators do, from a contact-center lead's checklist."""
    return {
        "sections": [
            {
                "title": _("Opening"),
                "criteria": [_c("greeting", 5), _c("customer_name", 5)],
            },
            {
                "title": _("Understanding the customer"),
                "criteria": [
                    _c("empathy", 10, mode="both"),
                    _c("no_repeat", 10),
                    _c("sentiment_trajectory", 5),
                ],
            },
            {
                "title": _("Safety and accuracy"),
                "criteria": [
                    _c("safe_verification", 10),
                    _c("kb_match", 15, mode="both"),
                    _c("no_secret_request", 0, critical=True),
                    _c("no_disclosure", 0, critical=True),
                    _c("no_unfounded_promise", 0, critical=True, mode="both"),
                ],
            },
            {
                "title": _("Resolution"),
                "criteria": [
                    _c("next_step", 15, mode="both"),
                    _c("closing", 5),
                    _c("response_time", 10),
                    _c("tone", 10, mode="manual", title=_("Polite, confident tone")),
                ],
            },
        ]
    }


def default_bot_definition() -> dict[str, Any]:
    return {
        "sections": [
            {
                "title": _("The bot's answer"),
                "criteria": [
                    _c("kb_match", 30),
                    _c("next_step", 30),
                    _c("no_repeat", 20),
                    _c("sentiment_trajectory", 20),
                    _c("no_secret_request", 0, critical=True),
                    _c("no_disclosure", 0, critical=True),
                ],
            }
        ]
    }


def do_ensure_defaults(db: Session) -> None:
    """The shipped scorecards, once: an operator one and a bot one (both editable)."""
    have = {s.kind for s in db.scalars(select(Scorecard).where(Scorecard.is_default))}
    if ScorecardKind.operator not in have:
        do_create(
            db,
            None,
            _("Operator dialogue"),
            "operator",
            default_operator_definition(),
            default=True,
        )
    if ScorecardKind.bot not in have:
        do_create(db, None, _("Bot dialogue"), "bot", default_bot_definition(), default=True)


def do_create(
    db: Session,
    author: User | None,
    name: str,
    kind: str,
    definition: dict[str, Any],
    *,
    default: bool = False,
) -> Scorecard:
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid("The scorecard needs a name (at most 200 characters)")
    if kind not in ScorecardKind.__members__:
        raise Invalid("Unknown scorecard kind {kind}", kind=kind)
    if db.scalar(select(Scorecard.id).where(Scorecard.name == name)) is not None:
        raise Conflict("A scorecard named «{name}» exists", name=name, code="scorecard_exists")
    definition = check_definition(definition)
    card = Scorecard(name=name, kind=kind, is_default=default, current_version=1)
    db.add(card)
    db.flush()
    db.add(
        ScorecardVersion(
            scorecard_id=card.id,
            version=1,
            definition=definition,
            author_id=author.id if author else None,
        )
    )
    db.flush()
    return card


def do_new_version(
    db: Session, author: User, scorecard_id: int, definition: dict[str, Any]
) -> ScorecardVersion:
    """An edit is a new version; scores keep pointing at the version they used."""
    card = get_scorecard(db, scorecard_id)
    definition = check_definition(definition)
    if definition == current_version(db, card).definition:
        raise Conflict("Nothing changed", code="unchanged")
    card.current_version += 1
    card.updated_at = utcnow()
    version = ScorecardVersion(
        scorecard_id=card.id,
        version=card.current_version,
        definition=definition,
        author_id=author.id,
    )
    db.add(version)
    db.flush()
    return version


def do_make_default(db: Session, scorecard_id: int) -> Scorecard:
    card = get_scorecard(db, scorecard_id)
    for other in db.scalars(select(Scorecard).where(Scorecard.kind == card.kind)):
        other.is_default = other.id == card.id
    db.flush()
    return card


def get_scorecard(db: Session, scorecard_id: int) -> Scorecard:
    card = db.get(Scorecard, scorecard_id)
    if card is None:
        raise NotFound("Scorecard not found")
    return card


def list_scorecards(db: Session) -> list[Scorecard]:
    return list(db.scalars(select(Scorecard).order_by(Scorecard.kind, Scorecard.name)))


def current_version(db: Session, card: Scorecard) -> ScorecardVersion:
    version = db.scalar(
        select(ScorecardVersion).where(
            ScorecardVersion.scorecard_id == card.id,
            ScorecardVersion.version == card.current_version,
        )
    )
    assert version is not None, "a scorecard always has its current version"
    return version


def get_version(db: Session, version_id: int) -> ScorecardVersion:
    version = db.get(ScorecardVersion, version_id)
    if version is None:
        raise NotFound("Scorecard version not found")
    return version


def list_versions(db: Session, scorecard_id: int) -> list[ScorecardVersion]:
    return list(
        db.scalars(
            select(ScorecardVersion)
            .where(ScorecardVersion.scorecard_id == scorecard_id)
            .order_by(ScorecardVersion.version.desc())
        )
    )


def default_version(db: Session, kind: str) -> ScorecardVersion:
    """The version auto-QA applies to a conversation of this kind (made on first use)."""
    card = db.scalar(select(Scorecard).where(Scorecard.kind == kind, Scorecard.is_default))
    if card is None:
        do_ensure_defaults(db)
        card = db.scalar(select(Scorecard).where(Scorecard.kind == kind, Scorecard.is_default))
    assert card is not None
    return current_version(db, card)
