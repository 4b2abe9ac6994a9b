"""The automatic criteria: rules over a masked transcript, each with its evidence.

A rule answers pass (1), fail (0) or not applicable (None) and names the message and the
phrase that decided, so an operator can see why and dispute it. Rules read Russian and
English. They are deliberately plain (phrases, stems, the secrets and facts detectors of
the lower layers): each costs well under a millisecond, so every closed conversation is
scored, and the calibration page shows which of them the team can trust.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from razdel import sentenize

from wowdesk.i18n import N_
from wowdesk.i18n import gettext as _
from wowdesk.nlp import pii
from wowdesk.nlp.facts import Fact, extract_facts, numeric_value
from wowdesk.nlp.secrets import secret_requests
from wowdesk.nlp.text import fold, terms
from wowdesk.quality.sentiment import polarity
from wowdesk.quality.transcript import Line, Transcript


@dataclass(frozen=True)
class Evidence:
    seq: int
    phrase: str


@dataclass(frozen=True)
class Outcome:
    value: int | None  # 1 pass, 0 fail, None not applicable
    evidence: list[Evidence] = field(default_factory=list)
    note: str = ""


NA = Outcome(None)


def _phrase(text: str, start: int, end: int, width: int = 40) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence bounds in text; a line break ends a sentence too (chat writers use Enter
    as their full stop)."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        out.extend((m.start() + s.start, m.start() + s.stop) for s in sentenize(m.group()))
    return out or [(0, len(text))]


def _quote(text: str, start: int, end: int, limit: int = 160) -> str:
    """The sentences holding text[start:end], cut to `limit` characters around it, with
    «…» where the message goes on: what a reader needs to see why it decided."""
    bounds = _sentences(text)
    left = next((a for a, b in bounds if a <= start < b), start)
    right = next((b for a, b in bounds if a < end <= b), end)
    if right - left > limit:
        extra = max(0, limit - (end - start)) // 2
        cut_left, cut_right = max(left, start - extra), min(right, end + extra)
        # at word boundaries: «…например, объявление…», not «…ствовать — например…»
        space = text.find(" ", cut_left, start)
        left = space + 1 if cut_left > left and space >= 0 else cut_left
        space = text.rfind(" ", end, cut_right)
        right = space if cut_right < right and space >= 0 else cut_right
    quote = text[left:right].strip()
    if text[right:].strip():
        quote = quote.rstrip(".") + "…"
    return ("…" if text[:left].strip() else "") + quote


def _head(text: str, limit: int = 100) -> str:
    """The first sentences of a message, as many as fit in `limit` characters."""
    bounds = _sentences(text)
    end = next((b for _a, b in reversed(bounds) if b <= limit), bounds[0][1])
    return _quote(text, 0, min(end, limit), limit)


def _tail(text: str, limit: int = 160) -> str:
    """The last sentence of a message (where a closing would be)."""
    start, end = _sentences(text)[-1]
    return _quote(text, max(start, end - limit), end, limit)


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return _("{s} s", s=s)
    if s < 3600:
        return _("{m} min {s} s", m=s // 60, s=s % 60) if s % 60 else _("{m} min", m=s // 60)
    return _("{h} h {m} min", h=s // 3600, m=s % 3600 // 60)


def _find(pattern: re.Pattern[str], line: Line) -> Evidence | None:
    m = pattern.search(fold(line.text))
    return Evidence(line.seq, _phrase(line.text, m.start(), m.end())) if m else None


def _re(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


GREETING = _re(
    r"\bздравствуй",
    r"\bдобр(ый|ое|ого) (день|утро|вечер|утра|вечера|дня)",
    r"\bприветствую",
    r"\bhello\b",
    r"\bhi\b",
    r"\bgood (morning|afternoon|evening)",
    r"\bwelcome\b",
)
# the agent's own name: «Меня зовут [PERSON]», «с вами [PERSON]», «это [PERSON]», «я [PERSON]»,
# «[PERSON] на связи». A bare name after the greeting («Здравствуйте, [PERSON]!») is the
# customer's: the masked text holds every name as [PERSON], and the operator's own first
# name is masked the same way, so the shape of the sentence is what tells them apart
INTRODUCED = _re(
    r"меня зовут",
    r"\bmy name is\b",
    r"\bс вами,? \[person\]",
    r"(?<!\w)(это|я),? \[person\]",
    r"\[person\],? (на связи|here)\b",
    r"\b(this is|i am|i'm),? \[person\]",
)
# a [PERSON] right after these is the agent's name, not the customer's
SELF_NAMED = re.compile(r"(зовут|name is|с вами|\bэто|(?<!\w)я|this is|i am|i'm),?\s*$")
EMPATHY = _re(
    r"\bпонима[юе]",
    r"\bсожалени",
    r"\bсожалею",
    r"\bизвин",
    r"\bпрош[уy] прощени",
    r"\bнеприятн",
    r"\bпредставляю",
    r"\bразбер[её]мся",
    r"\bunderstand",
    r"\bsorry\b",
    r"\bapologi[sz]e",
    r"\bfrustrat",
    r"\bi see how\b",
)
NEXT_STEP = _re(
    r"\bв течение\b",
    r"\bотправ(ил|ила|лю|им)\b",
    r"\bоформ(ил|ила|лю|им)",
    r"\bсозда(л|ла|м)\b",
    r"\bзаявк",
    r"\bвам (придет|придёт|позвон|напишут|перезвон)",
    r"\bбудет (доставлен|готов|зачислен|возвращ|отправлен)",
    r"\bвернем\b|\bвернём\b",
    r"\bсделан[оа]?\b|\bготово\b|\bисправил",
    r"\bследующ(ий|ие) шаг",
    r"\bwithin\b",
    r"\byou will (receive|get)\b",
    r"\bi('ve| have) (created|sent|arranged|issued|fixed|updated)",
    r"\bnext step",
    r"\bticket\b",
    r"\bis (done|fixed|resolved)\b",
)
CLOSING = _re(
    r"\bвсего доброго",
    r"\bхорошего (дня|вечера)",
    r"\bобращайтесь",
    r"\bчем[- ]?(то|нибудь)? (ещ[её]|еще) (могу|помочь)",
    r"\bмогу (ещ[её]|еще) (чем|что)",
    r"\bдо свидания",
    r"\bрад(а)? был(а)? помочь",
    r"\bhave a (nice|great|good) (day|evening)",
    r"\banything else\b",
    r"\bgoodbye\b",
    r"\bglad (i|to) (could )?help",
    r"\btake care\b",
)
PROMISE = _re(
    r"\bобеща",
    r"\bгарантиру",
    r"\bкомпенсиру",
    r"\bбесплатн",
    r"\bскидк",
    r"\bверн[её]м (вам )?(деньги|всю сумму|средства)",
    r"\bpromise",
    r"\bguarantee",
    r"\bcompensat",
    r"\bfree of charge\b|\bfor free\b",
    r"\bdiscount\b",
    r"\brefund you\b",
)
SAFE_CHECK = _re(
    r"\bпоследн(ей|юю|ий|яя) (покупк|заказ)",
    r"\bкодовое слово",
    r"\bкод подтверждени",
    r"\bпредыдущ(ее|ем) обращени",
    r"\blast (purchase|order)\b",
    r"\bconfirmation code\b",
    r"\bprevious (contact|request)\b",
)
# personal data an operator may only tell a verified customer (masked placeholders)
PRIVATE = re.compile(rf"\[({'|'.join(t for t in pii.TYPES if t != 'PERSON')})\]")
# things a customer should not have to say twice: a question's cue, and the proof the
# customer already gave it
ASKED_AGAIN: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        _re(r"номер (вашего )?заказа", r"order (number|id)", r"номер заявки"),
        _re(r"(заказ|order|заявк)\w*\D{0,20}\d{3,}", r"№\s*\d{3,}", r"#\s*\d{3,}"),
    ),
    (_re(r"телефон", r"phone"), re.compile(r"\[PHONE\]")),
    (_re(r"почт|e-?mail", r"email"), re.compile(r"\[EMAIL\]")),
    (_re(r"адрес", r"address"), re.compile(r"\[ADDRESS\]")),
    (_re(r"как вас зовут", r"your name", r"ваше имя"), _re(r"меня зовут", r"my name is")),
)


def greeting(t: Transcript) -> Outcome:
    """The first reply greets and the agent names themselves (INTRODUCED: «меня зовут»,
    «с вами [PERSON]», «это [PERSON]»…; the customer's name after the greeting is not the
    agent's) and, when set, the company."""
    lines = t.agent_lines
    if not lines:
        return NA
    first = lines[0]
    found = _find(GREETING, first)
    if found is None:
        return Outcome(0, [Evidence(first.seq, _phrase(first.text, 0, 0, 60))], "no_greeting")
    if t.agent == "bot":
        return Outcome(1, [found])
    text = fold(first.text)
    named = INTRODUCED.search(text)
    if not named:
        greeted = _quote(first.text, *_span_of(GREETING, text))
        nameless = _("{said} — the agent does not give their name", said=greeted)
        return Outcome(0, [Evidence(first.seq, nameless)], "no_name")
    said = _quote(first.text, _span_of(GREETING, text)[0], named.end())
    if not t.company:  # WOWDESK_COMPANY_NAME unset: nothing to compare with
        return Outcome(1, [Evidence(first.seq, said)], "company_not_set")
    if _names(t.company, first.text):
        return Outcome(1, [Evidence(first.seq, said)])
    missing = _("{said} — without the company name “{company}”", said=said, company=t.company)
    return Outcome(0, [Evidence(first.seq, missing)], "no_company")


def _span_of(pattern: re.Pattern[str], text: str) -> tuple[int, int]:
    m = pattern.search(text)
    return (m.start(), m.end()) if m else (0, 0)


def _names(company: str, text: str) -> bool:
    """The company is named in any case and quotes: «из Ромашки», «„Ромашка“» for
    Ромашка; every word of a name of several."""
    if fold(company) in fold(text):
        return True
    wanted = terms(company, keep_stop_words=True)
    return bool(wanted) and set(wanted) <= set(terms(text, keep_stop_words=True))


def customer_name(t: Transcript) -> Outcome:
    """Some reply addresses the customer by name (a masked name not in the agent's own
    introduction: «меня зовут [PERSON]», «это [PERSON]», «[PERSON] на связи»…)."""
    for line in t.agent_lines:
        text = line.text
        for m in re.finditer(r"\[PERSON\]", text):
            before = fold(text[max(0, m.start() - 14) : m.start()])
            after = fold(text[m.end() : m.end() + 12])
            if not SELF_NAMED.search(before) and not re.match(r",? (на связи|here)\b", after):
                return Outcome(1, [Evidence(line.seq, _phrase(text, m.start(), m.end()))])
    return Outcome(0, note="no_name")


def _upset(t: Transcript) -> Line | None:
    for line in t.by("customer"):
        if polarity(line.text)[0] < 0:
            return line
    return None


def empathy(t: Transcript) -> Outcome:
    """An upset customer hears an acknowledgement before (or with) the solution."""
    upset = _upset(t)
    if upset is None:
        return NA
    replies = [line for line in t.agent_lines if line.seq > upset.seq]
    if not replies:
        return NA
    cue = polarity(upset.text)[1]
    trigger = Evidence(upset.seq, _phrase(upset.text, *_span(upset.text, cue)))
    # the acknowledgement must come before or with the first reply that solves something
    for line in replies:
        found = _find(EMPATHY, line)
        if found:
            return Outcome(1, [trigger, found])
        if NEXT_STEP.search(fold(line.text)):
            return Outcome(0, [trigger, Evidence(line.seq, _phrase(line.text, 0, 0, 60))])
    return Outcome(0, [trigger], "no_acknowledgement")


def _span(text: str, cue: str) -> tuple[int, int]:
    at = fold(text).find(cue)
    return (at, at + len(cue)) if at >= 0 else (0, 0)


def no_repeat(t: Transcript) -> Outcome:
    """No question the customer already answered (what the handoff card shows)."""
    said = ""
    checked = False
    for line in t.lines:
        if line.author == "customer":
            said += " " + line.text
            continue
        if line.author != t.agent or "?" not in line.text:
            continue
        checked = True
        question = fold(line.text)
        for cue, given in ASKED_AGAIN:
            m = cue.search(question)
            if m and given.search(said):
                return Outcome(
                    0, [Evidence(line.seq, _phrase(line.text, m.start(), m.end()))], "repeat"
                )
    return Outcome(1) if checked or t.agent_lines else NA


def no_secret_request(t: Transcript) -> Outcome:
    """Critical: the agent asked for an SMS code, a password, a CVV or a PIN."""
    for line in t.agent_lines:
        for finding in secret_requests(line.text):
            return Outcome(
                0,
                [Evidence(line.seq, _phrase(line.text, finding.start, finding.end))],
                finding.kind,
            )
    return Outcome(1) if t.agent_lines else NA


def no_disclosure(t: Transcript) -> Outcome:
    """Critical: personal data told to a customer not verified, which the customer had not
    given in this conversation themselves."""
    given: set[str] = set()
    asked_safely = t.verified
    for line in t.lines:
        if line.author == "customer":
            given.update(PRIVATE.findall(line.text))
            continue
        if line.author != t.agent:
            continue
        if SAFE_CHECK.search(fold(line.text)):
            asked_safely = True
        for m in PRIVATE.finditer(line.text):
            if m.group(1) not in given and not asked_safely:
                return Outcome(
                    0, [Evidence(line.seq, _phrase(line.text, m.start(), m.end()))], "disclosed"
                )
    return Outcome(1) if t.agent_lines else NA


def safe_verification(t: Transcript) -> Outcome:
    """Where personal data was discussed, the customer was checked the safe way (a code
    through the registered channel, a question about the last purchase), never by secrets."""
    private = [line for line in t.agent_lines if PRIVATE.search(line.text)]
    if not private and not t.verified:
        return NA
    if no_secret_request(t).value == 0:
        return no_secret_request(t)
    if t.verified:
        return Outcome(1, note="verified")
    for line in t.agent_lines:
        found = _find(SAFE_CHECK, line)
        if found and line.seq <= private[0].seq:
            return Outcome(1, [found])
    first = private[0]
    return Outcome(0, [Evidence(first.seq, _phrase(first.text, 0, 0, 60))], "not_verified")


def _close_passages(sentence: str, passages: tuple[str, ...], share: float) -> list[str]:
    stems = set(terms(sentence))
    if not stems:
        return []
    return [p for p in passages if len(stems & set(terms(p))) / len(stems) >= share]


def kb_match(t: Transcript) -> Outcome:
    """No fact (number, amount, percentage, term) contradicts the knowledge base passage the
    reply is about: the passage states a figure and the reply states another."""
    if not t.kb_passages:
        return NA
    checked = False
    for line in t.agent_lines:
        facts = [f for f in extract_facts(line.text, entities=False) if numeric_value(f)]
        if not facts:
            continue
        near = _close_passages(line.text, t.kb_passages, 0.3)
        if not near:
            continue
        stated = {numeric_value(f) for p in near for f in extract_facts(p, entities=False)} - {None}
        if not stated:
            continue
        checked = True
        for fact in facts:
            if numeric_value(fact) not in stated:
                return Outcome(0, [_contradiction(line, fact, near)], "contradicted")
    return Outcome(1) if checked else NA


def _contradiction(line: Line, fact: Fact, passages: list[str]) -> Evidence:
    """The reply's sentence with the figure, beside the knowledge base's sentence closest
    to it that states a figure."""
    said = _quote(line.text, fact.start, fact.end)
    stems = set(terms(said))
    best: tuple[int, str] = (-1, "")
    for passage in passages:
        for start, end in _sentences(passage):
            sentence = passage[start:end]
            figures = [f for f in extract_facts(sentence, entities=False) if numeric_value(f)]
            if figures:
                shared = len(stems & set(terms(sentence)))
                if shared > best[0]:
                    best = (shared, _quote(sentence, figures[0].start, figures[0].end))
    return Evidence(
        line.seq,
        _(
            "{said} ({figure}; the knowledge base says: “{source}”)",
            said=said,
            figure=fact.text.strip(),
            source=best[1],
        ),
    )


def no_unfounded_promise(t: Transcript) -> Outcome:
    """Critical: a promise (refund, compensation, discount, guarantee) that no article or
    template allows."""
    sources = t.kb_passages + t.templates
    for line in t.agent_lines:
        m = PROMISE.search(fold(line.text))
        if not m:
            continue
        if re.search(
            r"\bне (могу|можем) (обещ|гарант)|\bcan(no|')t (promise|guarantee)", fold(line.text)
        ):
            continue
        if not _close_passages(line.text, sources, 0.5):
            return Outcome(
                0, [Evidence(line.seq, _phrase(line.text, m.start(), m.end()))], "unfounded"
            )
    return Outcome(1) if t.agent_lines else NA


def next_step(t: Transcript) -> Outcome:
    """The customer leaves knowing what happens next (or that it is done)."""
    lines = t.agent_lines
    if not lines:
        return NA
    for line in reversed(lines[-4:]):
        found = _find(NEXT_STEP, line)
        if found:
            return Outcome(1, [found])
    if t.agent == "bot" and t.extra.get("resolved"):
        return Outcome(1, note="resolved")
    return Outcome(0, note="no_next_step")


def closing(t: Transcript) -> Outcome:
    lines = t.agent_lines
    if not lines:
        return NA
    for line in reversed(lines[-2:]):
        found = _find(CLOSING, line)
        if found:
            return Outcome(1, [found])
    last = lines[-1]  # where a closing would be: the end of the last reply
    return Outcome(0, [Evidence(last.seq, _tail(last.text))], "no_closing")


def response_time(t: Transcript) -> Outcome:
    """The first reply and each answer to the customer within the targets.

    The first reply counts from when the conversation reached the operator (`assigned_at`
    in `t.extra`; auto-QA gives the «joined» time of whoever wrote it), or from when the
    customer wrote if that was later: the minutes in the queue before are the contact
    center's service level and ASA, which no operator can shorten. A transcript that only
    knows the bot's handoff counts from there."""
    lines = [line for line in t.lines if line.at is not None]
    if not lines or not t.agent_lines:
        return NA
    assigned = t.extra.get("assigned_at")
    reached = assigned if isinstance(assigned, datetime) else t.handed_off_at
    since = "assigned" if isinstance(assigned, datetime) else "handoff"
    waiting: Line | None = None
    first = True
    worst: tuple[float, Evidence] | None = None
    for line in lines:
        if line.author == "customer":
            waiting = waiting or line
        elif line.author == t.agent and waiting is not None:
            assert waiting.at is not None and line.at is not None
            counted = first and reached is not None and reached > waiting.at
            start = reached if counted and reached is not None else waiting.at
            seconds = (line.at - start).total_seconds()
            target = t.first_reply_target_s if first else t.reply_target_s
            if seconds > target and (worst is None or seconds - target > worst[0]):
                why = since if counted else ""
                worst = (seconds - target, _slow(line, waiting, seconds, target, why))
            first = False
            waiting = None
    if first:
        return NA
    if worst:
        return Outcome(0, [worst[1]], "slow")
    return Outcome(1)


def _slow(line: Line, waiting: Line, seconds: float, target: float, since: str) -> Evidence:
    """The slow reply named by how long the customer waited, from when, and for what."""
    asked = _head(waiting.text)
    params = {"waited": _duration(seconds), "target": _duration(target), "asked": asked}
    if since == "assigned":
        said = _(
            "first reply {waited} after the conversation reached the operator"
            " (target {target}) to “{asked}”",
            **params,
        )
    elif since == "handoff":
        said = _("first reply {waited} after the handoff (target {target}) to “{asked}”", **params)
    else:
        said = _("reply after {waited} (target {target}) to “{asked}”", **params)
    return Evidence(line.seq, said)


def sentiment_trajectory(t: Transcript) -> Outcome:
    """A customer who started upset and ended calm or pleased is a plus."""
    said = t.by("customer")
    if len(said) < 2:
        return NA
    start, cue = polarity(said[0].text)
    if start >= 0:
        return NA
    end, end_cue = polarity(said[-1].text)
    evidence = [Evidence(said[0].seq, cue), Evidence(said[-1].seq, end_cue or said[-1].text[:60])]
    return Outcome(1 if end > 0 or (end == 0 and (t.csat or 0) >= 4) else 0, evidence)


Rule = Callable[[Transcript], Outcome]

# the rule a criterion names in its scorecard, and its title for the editor
RULES: dict[str, tuple[Rule, str]] = {
    "greeting": (greeting, N_("Greeting with own name (and the company's when it is set)")),
    "customer_name": (customer_name, N_("Addresses the customer by name")),
    "empathy": (empathy, N_("Empathy before the solution when the customer is upset")),
    "no_repeat": (no_repeat, N_("The customer did not have to repeat")),
    "safe_verification": (safe_verification, N_("Verification done the safe way")),
    "kb_match": (kb_match, N_("The answer matches the knowledge base")),
    "next_step": (next_step, N_("A clear next step or resolution")),
    "closing": (closing, N_("Closing")),
    "response_time": (response_time, N_("Response times within targets")),
    "sentiment_trajectory": (sentiment_trajectory, N_("The customer ended calmer than started")),
    "no_secret_request": (no_secret_request, N_("Never asks for an SMS code, password or CVV")),
    "no_disclosure": (no_disclosure, N_("No personal data to an unverified customer")),
    "no_unfounded_promise": (no_unfounded_promise, N_("No promise the rules do not allow")),
}
