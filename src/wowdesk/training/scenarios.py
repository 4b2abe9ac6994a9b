"""A scenario as a mentor writes it, checked; and a draft scenario made from a case-library
dialogue (the real customer's lines become the script, the operator's the ideal path)."""

from __future__ import annotations

import re
from typing import Any

from wowdesk.errors import Invalid
from wowdesk.training.models import Persona

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,99}$")
MAX_BEATS = 30
MAX_MOVES = 10


def _text(data: dict[str, Any], key: str, limit: int, required: bool = False) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise Invalid("The scenario needs «{field}»", field=key, code="invalid_scenario")
    return value[:limit]


def _lines(value: Any, limit: int = 50) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        return []
    return [str(x).strip()[:2000] for x in value if str(x).strip()][:limit]


def check_move(m: Any, beat: int, beats: int) -> dict[str, Any]:
    if not isinstance(m, dict):
        raise Invalid("A move must be an object", code="invalid_scenario")
    key = str(m.get("key", "")).strip()
    examples = _lines(m.get("examples"), 10)
    if not key or not examples:
        raise Invalid("Beat {n}: each move needs a key and examples", n=beat + 1)
    nxt = m.get("next", beat + 1)
    if nxt != "end":
        try:
            nxt = int(nxt)
        except (TypeError, ValueError) as exc:
            raise Invalid("Beat {n}: «next» must be a beat number or end", n=beat + 1) from exc
        if not 0 <= nxt <= beats:
            raise Invalid("Beat {n}: «next» must be a beat number or end", n=beat + 1)
    return {
        "key": key[:64],
        "title": str(m.get("title") or key).strip()[:200],
        "examples": examples,
        "reply": str(m.get("reply") or "").strip()[:2000],
        "next": nxt,
    }


def check_scenario(data: dict[str, Any]) -> dict[str, Any]:
    """The normalised scenario or Invalid with what is wrong."""
    slug = _text(data, "slug", 100, True).lower()
    if not SLUG.match(slug):
        raise Invalid("The id may hold latin letters, digits and -", code="invalid_scenario")
    persona = _text(data, "persona", 32, True)
    if persona not in Persona.__members__:
        raise Invalid("Unknown persona {persona}", persona=persona, code="invalid_scenario")
    beats_in = data.get("beats")
    if not isinstance(beats_in, list) or not beats_in or len(beats_in) > MAX_BEATS:
        raise Invalid("The scenario needs 1–{n} beats", n=MAX_BEATS, code="invalid_scenario")
    beats = []
    for i, b in enumerate(beats_in):
        moves = b.get("moves") if isinstance(b, dict) else None
        if not isinstance(moves, list) or not moves or len(moves) > MAX_MOVES:
            raise Invalid("Beat {n} needs 1–{m} moves", n=i + 1, m=MAX_MOVES)
        beats.append(
            {
                "moves": [check_move(m, i, len(beats_in)) for m in moves],
                "otherwise": str(b.get("otherwise") or "").strip()[:2000],
            }
        )
    return {
        "slug": slug,
        "title": _text(data, "title", 300, True),
        "persona": persona,
        "brief": _text(data, "brief", 4000),
        "hidden_facts": _lines(data.get("hidden_facts")),
        "goal": _text(data, "goal", 4000),
        "article_slug": _text(data, "article_slug", 200),
        "solution": _lines(data.get("solution"), 20),
        "ideal_path": _lines(data.get("ideal_path")),
        "opening": _text(data, "opening", 2000, True),
        "beats": beats,
        "on_secret": _text(data, "on_secret", 2000),
    }


def draft_from_dialogue(
    transcript: list[dict[str, Any]], title: str, slug: str, persona: str = "calm"
) -> dict[str, Any]:
    """A scenario from a masked dialogue: the customer's first words open it, each operator
    reply is the move expected at its beat (its own words the example) and the customer's
    next words the answer. The mentor then adds paraphrases, the goal and the solution."""
    said = [
        (str(x.get("author")), str(x.get("text", "")).strip())
        for x in transcript
        if str(x.get("text", "")).strip() and x.get("author") in ("customer", "operator")
    ]
    while said and said[0][0] != "customer":
        said.pop(0)
    if not said:
        raise Invalid("The dialogue has no customer line to start from", code="invalid_scenario")
    opening = said[0][1]
    beats: list[dict[str, Any]] = []
    i = 1
    while i < len(said):
        if said[i][0] != "operator":
            i += 1
            continue
        operator = said[i][1]
        answer = []
        j = i + 1
        while j < len(said) and said[j][0] == "customer":
            answer.append(said[j][1])
            j += 1
        beats.append(
            {
                "moves": [
                    {
                        "key": f"step{len(beats) + 1}",
                        "examples": [operator],
                        "reply": " ".join(answer),
                        "next": len(beats) + 1,
                    }
                ],
                "otherwise": "",
            }
        )
        i = j
    if not beats:
        raise Invalid("The dialogue has no operator reply", code="invalid_scenario")
    beats[-1]["moves"][0]["next"] = "end"
    return check_scenario(
        {
            "slug": slug,
            "title": title,
            "persona": persona,
            "opening": opening,
            "beats": beats,
            "ideal_path": [t for a, t in said if a == "operator"],
        }
    )
