"""Cross-sell: items often bought together, mined from every customer's orders, turned into
up to three offers for one customer with a reason the operator can say aloud.

The rules are pairwise association rules (one item → one item) computed here in a few
lines of counting rather than with mlxtend: an offer needs exactly "who buys A also buys
B", mlxtend would bring pandas and matplotlib into the server for it, and the measures are
the textbook ones, checked in the tests on a basket set worked out by hand:

    support(A→B)    = orders with A and B / all orders
    confidence(A→B) = orders with A and B / orders with A
    lift(A→B)       = confidence(A→B) / (orders with B / all orders)

A transaction is one order (not cancelled or returned); an item is the line's category,
else its product name. Only rules with lift above 1 are kept: bought together more often
than chance would have it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import permutations
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from wowdesk.customers import orders
from wowdesk.customers.models import AssociationRule
from wowdesk.db import advisory_lock, utcnow
from wowdesk.i18n import current_language, gettext
from wowdesk.nlp import morph

_LOCK_KEY = 7_301_120  # PostgreSQL advisory lock: one rebuild at a time across processes


@dataclass(frozen=True)
class Rule:
    antecedent: str
    consequent: str
    pair_count: int
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True)
class Offer:
    item: str
    reason: str
    confidence: float
    because_of: str


def mine_rules(
    baskets: Iterable[Iterable[str]], *, min_count: int = 2, min_confidence: float = 0.0
) -> list[Rule]:
    """Pairwise rules over the baskets, strongest first (confidence, then lift)."""
    item_count: Counter[str] = Counter()
    pair_count: Counter[tuple[str, str]] = Counter()
    total = 0
    for basket in baskets:
        items = sorted(set(basket))
        total += 1
        item_count.update(items)
        pair_count.update(permutations(items, 2))
    rules = []
    for (a, b), both in pair_count.items():
        if both < min_count:
            continue
        confidence = both / item_count[a]
        # lift > 1 compared in integers: a pair exactly at chance must not pass on rounding
        above_chance = both * total > item_count[a] * item_count[b]
        if confidence >= min_confidence and above_chance:
            lift = both * total / (item_count[a] * item_count[b])
            rules.append(Rule(a, b, both, both / total, confidence, lift))
    rules.sort(key=lambda r: (-r.confidence, -r.lift, r.antecedent, r.consequent))
    return rules


def do_refresh_rules(db: Session, *, min_count: int = 2, min_confidence: float = 0.2) -> int:
    """Rebuilds the rule table from all orders (the background job and `wowdesk customers
    rules`); returns how many rules there are now."""
    advisory_lock(db, _LOCK_KEY)
    rules = mine_rules(orders.order_baskets(db), min_count=min_count, min_confidence=min_confidence)
    db.execute(delete(AssociationRule))
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "antecedent": r.antecedent[:200],
            "consequent": r.consequent[:200],
            "pair_count": r.pair_count,
            "support": r.support,
            "confidence": r.confidence,
            "lift": r.lift,
            "computed_at": now,
        }
        for r in rules
    ]
    if rows:
        db.execute(insert(AssociationRule), rows)
    db.flush()
    return len(rows)


def list_rules(db: Session, limit: int = 50) -> list[AssociationRule]:
    return list(
        db.scalars(
            select(AssociationRule)
            .order_by(AssociationRule.confidence.desc(), AssociationRule.lift.desc())
            .limit(limit)
        )
    )


def offers_for(db: Session, customer_id: int, *, limit: int = 3) -> list[Offer]:
    """What this customer has not bought yet but buyers of what they have usually do: the
    strongest rule per offered item, never an item already bought."""
    bought = orders.bought_items(db, customer_id) if limit > 0 else set()
    if not bought:
        return []
    rules = db.scalars(
        select(AssociationRule)
        .where(AssociationRule.antecedent.in_(bought))
        .where(AssociationRule.consequent.not_in(bought))
        .order_by(
            AssociationRule.confidence.desc(),
            AssociationRule.lift.desc(),
            AssociationRule.antecedent,
            AssociationRule.consequent,
        )
    )
    best: dict[str, AssociationRule] = {}
    for rule in rules:
        best.setdefault(rule.consequent, rule)
        if len(best) == limit:
            break
    return [
        Offer(r.consequent, reason(r.antecedent, r.consequent), r.confidence, r.antecedent)
        for r in best.values()
    ]


# --- the reason, in words ---------------------------------------------------------------


def _like(original: str, word: str) -> str:
    return word[:1].upper() + word[1:] if original[:1].isupper() else word


PROPER = frozenset({"Surn", "Name", "Patr", "Geox", "Fixd"})


def _nominative(word: str, parts: tuple[str, ...]) -> Any:
    """The reading of the word as a nominative of these parts of speech, if it has one
    («стол» is more often read as an accusative: the dictionary form is what we have)."""
    for parse in morph.analyzer().parse(word):
        tag = parse.tag
        if tag.POS in parts and tag.case == "nomn" and not (PROPER & tag.grammemes):
            return parse
    return None


def instrumental(phrase: str) -> str | None:
    """«журнальный стол» → «журнальным столом», for «вместе с …». The head is the first word
    read as a nominative noun (not an adjective before a noun); adjectives before it agree
    with it, words after it («чехол для телефона») stay. None when pymorphy cannot read the
    phrase that way."""
    words = phrase.split()
    head = None
    for i, word in enumerate(words):
        # «детская» is also a noun (a nursery), but before «коляска» it is an adjective
        before_noun = i + 1 < len(words) and _nominative(words[i + 1], ("NOUN",)) is not None
        if before_noun and _nominative(word, ("ADJF", "PRTF")) is not None:
            continue
        if _nominative(word, ("NOUN",)) is not None:
            head = i
            break
    if head is None:
        return None
    noun = _nominative(words[head], ("NOUN",)).inflect({"ablt"})
    if noun is None:
        return None
    out = list(words)
    out[head] = _like(words[head], noun.word)
    agree = {"ablt", noun.tag.number or "sing"}
    if noun.tag.number == "sing" and noun.tag.gender:
        agree.add(noun.tag.gender)
    for i in range(head):
        adjective = _nominative(words[i], ("ADJF", "PRTF"))
        form = adjective.inflect(agree) if adjective is not None else None
        if form is None:
            return None
        out[i] = _like(words[i], form.word)
    return " ".join(out)


def reason(antecedent: str, offered: str) -> str:
    """«часто берут вместе с диваном: журнальный стол»; when the bought item cannot be put in
    the instrumental case it is quoted after «с товаром», which needs no inflection."""
    if current_language() != "ru":
        return gettext("Often bought together with {item}: {offer}", item=antecedent, offer=offered)
    form = instrumental(antecedent)
    if form is None:
        return gettext(
            "Often bought together with the product “{item}”: {offer}",
            item=antecedent,
            offer=offered,
        )
    return gettext("Often bought together with {item}: {offer}", item=form, offer=offered)
