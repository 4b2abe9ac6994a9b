"""The scripted customer and the score of a practice dialogue. Pure: no database.

A scenario's `beats` are the customer's side in order. At each beat the trainee's reply is
matched to the beat's expected moves (`matching.choose`); the move chosen gives the
customer's answer and the next beat, no move gives the beat's `otherwise` answer (the
customer presses again and the beat stays). A request for a secret ends the dialogue: the
customer answers with the scenario's `on_secret` line.

The score is the quality scorecard applied to the practice transcript (the same criteria
and evidence as a real conversation) plus the scenario's goal: the knowledge base's
solution said, no secret asked for, the customer brought to the end of the script."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wowdesk.i18n import N_
from wowdesk.i18n import gettext as _
from wowdesk.nlp.pii import mask_text
from wowdesk.nlp.secrets import secret_requests
from wowdesk.quality import scorecards
from wowdesk.quality.transcript import Line, Transcript
from wowdesk.training.matching import choose, coverage

# the final score: the scorecard's share and the goal's share
QA_SHARE = 0.6
GOAL_SHARE = 0.4
# the goal's parts (their points sum to 100)
GOAL_POINTS = {"solution": 50.0, "no_secret": 25.0, "resolved": 25.0}
GOAL_TITLES = {
    "solution": N_("Gave the knowledge base's solution"),
    "no_secret": N_("Did not ask for a secret"),
    "resolved": N_("Brought the customer to the end of the script"),
}
# a solution phrase counts as said when a reply covers this share of its stems
SOLUTION_COVERAGE = 0.6


@dataclass
class State:
    """Where a dialogue is: the beat, the lines so far and the moves recognised."""

    beat: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)
    ended: bool = False  # the customer has nothing more to say

    def add(self, author: str, text: str) -> None:
        self.lines.append({"seq": len(self.lines) + 1, "author": author, "text": text})


def start(scenario: dict[str, Any]) -> State:
    state = State()
    state.add("customer", scenario["opening"])
    return state


def reply(scenario: dict[str, Any], state: State, text: str) -> str | None:
    """The trainee says `text`; returns the customer's answer (None: the customer is silent,
    the script is over). Mutates `state`."""
    state.add("operator", text)
    if state.ended:
        return None
    if secret_requests(text):
        state.ended = True
        state.moves.append("secret_requested")
        answer = scenario.get("on_secret") or _("You are asking for a code? I am ending this.")
        state.add("customer", answer)
        return answer
    beats = scenario.get("beats", [])
    beat = beats[state.beat]
    match = choose(text, beat.get("moves", []))
    if match is None:
        answer = str(beat.get("otherwise", ""))
    else:
        state.moves.append(str(match.move["key"]))
        answer = str(match.move.get("reply", ""))
        nxt = match.move.get("next", state.beat + 1)
        if nxt == "end" or int(nxt) >= len(beats):
            state.ended = True
            state.beat = len(beats)
        else:
            state.beat = int(nxt)
    if answer:
        state.add("customer", answer)
        return answer
    return None


def transcript_of(
    lines: list[dict[str, Any]], passages: tuple[str, ...], templates: tuple[str, ...]
) -> Transcript:
    """The practice lines as auto-QA sees a real conversation: masked (a name becomes
    [PERSON], which is what the «addresses the customer by name» criterion looks for)."""
    return Transcript(
        lines=tuple(
            Line(int(x["seq"]), str(x["author"]), mask_text(str(x["text"]))) for x in lines
        ),
        kb_passages=passages,
        templates=templates,
        agent="operator",
    )


def goal_of(scenario: dict[str, Any], state: State) -> list[dict[str, Any]]:
    """The goal's checks, each with its points, whether it passed and the evidence."""
    said = [x for x in state.lines if x["author"] == "operator"]
    missing = [
        p
        for p in scenario.get("solution", [])
        if not any(coverage(x["text"], p) >= SOLUTION_COVERAGE for x in said)
    ]
    asked = [
        {"seq": x["seq"], "phrase": x["text"][f.start : f.end]}
        for x in said
        for f in secret_requests(x["text"])
    ]
    solution_given = bool(scenario.get("solution")) and not missing
    return [
        {"key": "solution", "passed": solution_given, "missing": missing},
        {"key": "no_secret", "passed": not asked, "evidence": asked},
        {
            "key": "resolved",
            "passed": state.beat >= len(scenario.get("beats", [])) and not asked,
        },
    ]


def score(
    scenario: dict[str, Any],
    state: State,
    definition: dict[str, Any],
    passages: tuple[str, ...] = (),
    templates: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The attempt's score: the scorecard's result, the goal, the total and every place
    where points were lost (criterion or goal part, points, evidence), largest first."""
    qa = scorecards.score_transcript(definition, transcript_of(state.lines, passages, templates))
    goal = goal_of(scenario, state)
    goal_percent = sum(GOAL_POINTS[g["key"]] for g in goal if g["passed"])
    secret = not goal[1]["passed"]
    total = 0.0 if secret or qa.critical_failed else QA_SHARE * qa.total + GOAL_SHARE * goal_percent
    decided = sum(c.weight for c in qa.criteria if c.value is not None and c.weight > 0)
    lost: list[dict[str, Any]] = []
    for c in qa.criteria:
        if c.value == 0:
            points = QA_SHARE * 100 * c.weight / decided if decided else 0.0
            lost.append(
                {
                    "where": "scorecard",
                    "key": c.key,
                    "title": c.title,
                    "critical": c.critical,
                    "points": round(points, 1),
                    "evidence": [{"seq": e.seq, "phrase": e.phrase} for e in c.evidence],
                    "note": c.note,
                }
            )
    for g in goal:
        if not g["passed"]:
            lost.append(
                {
                    "where": "goal",
                    "key": g["key"],
                    "title": _(GOAL_TITLES[g["key"]]),
                    "critical": g["key"] == "no_secret",
                    "points": round(GOAL_SHARE * GOAL_POINTS[g["key"]], 1),
                    "evidence": g.get("evidence", []),
                    "note": "; ".join(g.get("missing", [])),
                }
            )
    lost.sort(key=lambda x: (not x["critical"], -x["points"]))
    return {
        "total": round(total, 1),
        "qa_total": qa.total,
        "critical_failed": qa.critical_failed or secret,
        "goal_percent": goal_percent,
        "goal": [{**g, "title": _(GOAL_TITLES[g["key"]])} for g in goal],
        "criteria": [c.as_json() for c in qa.criteria],
        "lost": lost,
        "moves": list(state.moves),
        "ideal_path": list(scenario.get("ideal_path", [])),
    }
