"""Where customers' personal data lives, and what becomes of it: every table of the schema
is classified here, and `tests/privacy/test_inventory.py` walks the SQLAlchemy metadata so
that a new table or a new text column nobody classified fails the build.

- `COLUMNS`: one column holding a customer's personal data, and how it is erased on
  request (`privacy.service.do_erase_customer`), which retention kind expires it
  (`privacy.retention`), and whether the export (`wowdesk customers export`) carries it.
- `ROWS`: tables whose rows are a customer's data as a whole (every column is covered):
  the row is deleted on erasure.
- `NOT_PERSONAL`: tables or single columns that hold no customer's personal data, with the
  reason (staff's own data, codes, masked copies, aggregates, our own identifiers).

Text-like columns (strings, text, JSON) must be classified one way or the other; numbers,
flags and timestamps need not be, unless they identify someone (a Telegram chat id).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, Column, MetaData, String

# how erasure treats a column
DELETE = "delete"  # the row goes
BLANK = "blank"  # emptied ("" / [] / {})
MASK = "mask"  # replaced by its masked copy (PII spans become [PHONE], [PERSON]…)
DIGEST = "digest"  # replaced by a digest (still recognised as seen, says nothing)
ZERO = "zero"  # a numeric id set to 0
KEEP = "keep"  # kept on purpose (the erasure's own audit)
ERASE_ACTIONS = {DELETE, BLANK, MASK, DIGEST, ZERO, KEEP}

# retention kinds (WOWDESK_RETENTION_<KIND>_DAYS); NEVER: only an erasure reaches it
RAW_TEXT, ATTACHMENTS, RECORDINGS, CONTACTS, AUDIT = (
    "raw_text",
    "attachments",
    "recordings",
    "contacts",
    "audit",
)
NEVER = ""
RETENTION_KINDS = {RAW_TEXT, ATTACHMENTS, RECORDINGS, CONTACTS, AUDIT, NEVER}


@dataclass(frozen=True)
class Personal:
    erase: str
    expire: str
    export: bool
    note: str = ""


def _p(erase: str, expire: str, export: bool = True, note: str = "") -> Personal:
    return Personal(erase, expire, export, note)


COLUMNS: dict[str, Personal] = {
    # customers
    "customer.display_name": _p(BLANK, CONTACTS),
    "customer.email": _p(BLANK, CONTACTS),
    "customer.phone": _p(BLANK, CONTACTS),
    "customer.segment": _p(BLANK, CONTACTS),
    # conversations
    "conversation.subject": _p(MASK, RAW_TEXT),
    "conversation.wrapup_note": _p(MASK, RAW_TEXT),
    "message.text": _p(MASK, RAW_TEXT, note="replaced by masked_text"),
    "message.client_id": _p(DIGEST, CONTACTS, False, "a Telegram one names the chat"),
    "message.meta": _p(BLANK, CONTACTS, False, "files' names dropped from the references"),
    "conversation_note.text": _p(MASK, RAW_TEXT),
    "conversation_follow_up.note": _p(MASK, RAW_TEXT),
    "outgoing_mail.to_address": _p(BLANK, RAW_TEXT, False),
    "outgoing_mail.subject": _p(MASK, RAW_TEXT, False),
    "outgoing_mail.body": _p(MASK, RAW_TEXT, False, "the operators' answers, in messages too"),
    "outgoing_mail.in_reply_to": _p(BLANK, RAW_TEXT, False),
    "outgoing_mail.references": _p(BLANK, RAW_TEXT, False),
    "outgoing_mail.last_error": _p(MASK, RAW_TEXT, False, "a server's answer may name the address"),
    # channels
    "telegram_conversation.chat_id": _p(ZERO, CONTACTS),
    "telegram_conversation.user_id": _p(ZERO, CONTACTS),
    "telegram_conversation.last_error": _p(BLANK, CONTACTS, False),
    "mail_thread.address": _p(BLANK, CONTACTS),
    "mail_thread.subject": _p(MASK, CONTACTS),
    "mail_thread.last_message_id": _p(BLANK, CONTACTS, False, "also in references"),
    "mail_thread.references": _p(BLANK, CONTACTS),
    "inbound_mail.message_id": _p(DIGEST, CONTACTS),
    "inbound_mail.sender": _p(BLANK, CONTACTS),
    "call_record.caller": _p(BLANK, CONTACTS),
    "call_record.recording_url": _p(BLANK, RECORDINGS),
    # routing, bot, assist, safety
    "routing_ticket.contact": _p(BLANK, CONTACTS, False, "also the customer's own contacts"),
    "routing_ticket.mail_to": _p(BLANK, CONTACTS, False),
    "routing_ticket.note": _p(MASK, CONTACTS, False, "an operator's transfer note"),
    "handoff_card.summary": _p(MASK, RAW_TEXT, False, "quotes the messages"),
    "handoff_card.facts": _p(BLANK, RAW_TEXT, False),
    "handoff_card.bot_answers": _p(MASK, RAW_TEXT, False),
    "bot_rejected_answer.text": _p(MASK, RAW_TEXT, False, "a generated answer, never sent"),
    "assist_suggestion_log.suggestions": _p(MASK, RAW_TEXT, False),
    "assist_suggestion_log.chosen": _p(MASK, RAW_TEXT, False),
    "assist_suggestion_log.sent_text": _p(MASK, RAW_TEXT, False, "masked when written"),
    "assist_suggestion_log.query": _p(MASK, RAW_TEXT, False, "masked when written"),
    "safety_verification.address": _p(BLANK, CONTACTS, note="masked when written"),
    "safety_verification.code": _p(BLANK, CONTACTS, False),
    # quality: flags and learning material made from dialogues
    "incident_flag.comment": _p(MASK, NEVER, False, "the operator's words on the flag"),
    "incident_flag.answer_text": _p(MASK, NEVER, False, "replaced by answer_masked"),
    "incident_flag.screenshot_name": _p(BLANK, ATTACHMENTS, False, "the file is deleted"),
    "incident_flag.screenshot_type": _p(BLANK, ATTACHMENTS, False),
    "qa_case.title": _p(MASK, NEVER, note="curated library: masked on erasure only"),
    "qa_case.profile": _p(BLANK, NEVER),
    "qa_case.transcript": _p(MASK, NEVER, note="masked when made"),
    "qa_case.what_good": _p(MASK, NEVER, False),
    "qa_case.ideal_scenario": _p(MASK, NEVER, False),
    "qa_case.follow_up": _p(MASK, NEVER),
    "qa_case.search_text": _p(MASK, NEVER, False, "rebuilt from the masked fields"),
    "bot_regression_case.question": _p(MASK, NEVER, False, "the customer's question as asked"),
    "bot_regression_case.bad_answer": _p(MASK, NEVER, False),
    "bot_regression_case.reason": _p(MASK, NEVER, False),
    "qa_proposal.comment": _p(MASK, NEVER, False),
    "qa_proposal.decision": _p(MASK, NEVER, False),
    # training material made from a library case or a regression case
    "training_scenario.title": _p(MASK, NEVER, False),
    "training_scenario.brief": _p(MASK, NEVER, False),
    "training_scenario.goal": _p(MASK, NEVER, False),
    "training_scenario.opening": _p(MASK, NEVER, False),
    "training_scenario.on_secret": _p(MASK, NEVER, False),
    "training_scenario.hidden_facts": _p(MASK, NEVER, False),
    "training_scenario.ideal_path": _p(MASK, NEVER, False),
    "training_scenario.beats": _p(MASK, NEVER, False),
    "training_attempt.transcript": _p(MASK, NEVER, False, "practice with such a scenario"),
    "training_micro_lesson.cases": _p(MASK, NEVER, False, "quotes regression questions"),
}

# tables whose every row is one customer's data: deleted on erasure
ROWS: dict[str, Personal] = {
    "customer_identity": _p(DELETE, CONTACTS),
    "customer_link": _p(DELETE, CONTACTS, note="links say who is the same person"),
    "customer_case": _p(DELETE, CONTACTS, note="other departments' cases"),
    "channel_attachment": _p(DELETE, ATTACHMENTS, note="and the file under var/attachments"),
    "customer_data_access": _p(KEEP, AUDIT, False, "the audit, never with erased data"),
    "raw_text_view": _p(KEEP, AUDIT, False, "the audit of raw-text views"),
}

STAFF = "staff's own data (operators' accounts, work, training, scores), not customers'"
CODES = "codes, ids and numbers"
OURS = "our own identifiers and configuration"
KNOWLEDGE = "knowledge-base and training content written by staff"

NOT_PERSONAL: dict[str, str] = {
    # whole tables
    "app_user": STAFF,
    "team": STAFF,
    "login_event": STAFF,
    "login_session": STAFF,
    "login_throttle": STAFF + " (logins and addresses of staff)",
    "operator_skill": STAFF,
    "operator_state": STAFF,
    "operator_status_change": STAFF,
    "workforce_shift": STAFF,
    "broadcast": STAFF,
    "broadcast_recipient": STAFF,
    "bot_switch": STAFF,
    "bot_switch_change": STAFF,
    "bot_switch_request": STAFF + " (a supervisor's reason to stop the bot)",
    "bot_topic_policy": OURS,
    "bot_decision": CODES + " (the bot's decision per message)",
    "incident": STAFF + " (titles of bot incidents)",
    "incident_change": STAFF,
    "incident_delivery": STAFF + " (where staff were alerted)",
    "qa_scorecard": OURS,
    "qa_scorecard_version": OURS,
    "qa_score": STAFF + " (operators' scores; numbers stay for KPIs)",
    "qa_score_change": STAFF,
    "qa_dispute": STAFF + " (an operator disputes a score)",
    "qa_calibration": STAFF,
    "qa_calibration_rating": STAFF,
    "qa_wow": CODES + " (points and reason codes)",
    "qa_gap_draft": "built from masked text only",
    "kb_article": KNOWLEDGE,
    "kb_article_version": KNOWLEDGE,
    "kb_search_verdict": "a search question (a supervisor's, or a customer's an operator"
    " answered from an article), masked when written",
    "kb_fusion_fit": "weights and figures",
    "topic": OURS,
    "assist_template": KNOWLEDGE,
    "association_rule": "aggregates over all orders",
    "customer_order": "anonymous sales once the customer row is erased (accounting keeps them)",
    "order_line": "anonymous sales (products and prices)",
    "kpi_day": "aggregates",
    "kpi_interval": "aggregates",
    "kpi_staff_day": "aggregates",
    "kpi_target": OURS,
    "mailbox_state": OURS,
    "telegram_update": OURS + " (Telegram's update counter)",
    "safety_guard_event": CODES + " (kinds of secrets asked, never their values)",
    "training_track": KNOWLEDGE,
    "training_module": KNOWLEDGE,
    "training_quiz": KNOWLEDGE,
    "training_quiz_attempt": STAFF,
    "training_progress": STAFF,
    "training_enrollment": STAFF,
    "training_attestation": STAFF,
    "training_feedback": STAFF,
    "training_mentor_comment": STAFF,
    "training_mentorship": STAFF,
    "training_badge": STAFF,
    "training_board_preference": STAFF,
    "training_career": STAFF,
    "training_career_level": KNOWLEDGE,
    "training_contest": STAFF,
    "training_points": STAFF,
    "training_recognition": STAFF,
    "training_micro_assignment": STAFF,
    # single columns of tables that do hold personal data elsewhere
    "customer.tier": CODES,
    "conversation.token_hash": "a digest of the chat's session token",
    "conversation.channel": CODES,
    "conversation.status": CODES,
    "message.author_kind": CODES,
    "message.masked_text": "the masked copy that stays",
    "conversation_note.mentions": CODES + " (staff mentioned)",
    "outgoing_mail.key": OURS,
    "outgoing_mail.message_id": OURS + " (our own Message-ID)",
    "outgoing_mail.state": CODES,
    "inbound_mail.kind": CODES,
    "inbound_mail.mailbox": OURS,
    "call_record.call_id": "the telephony system's id of the call (keeps re-imports single)",
    "call_record.operator_login": STAFF,
    "call_record.source": CODES,
    "routing_ticket.queue": CODES,
    "routing_ticket.channel": CODES,
    "routing_ticket.language": CODES,
    "routing_ticket.risk": CODES,
    "routing_ticket.state": CODES,
    "handoff_card.reasons": CODES,
    "bot_rejected_answer.reasons": CODES,
    "bot_rejected_answer.sources": CODES + " (articles)",
    "assist_suggestion_log.outcome": CODES,
    "safety_verification.channel": CODES,
    "incident_flag.reason": CODES,
    "incident_flag.answer_masked": "the masked copy that stays",
    "incident_flag.question_masked": "the masked copy that stays",
    "incident_flag.sources": CODES + " (articles)",
    "incident_flag.topic": CODES,
    "incident_flag.channel": CODES,
    "qa_case.source": CODES,
    "qa_case.tags": CODES + " (tags staff chose)",
    "qa_proposal.target": CODES,
    "qa_proposal.target_ref": OURS + " (an article or template)",
    "qa_proposal.status": CODES,
    "bot_regression_case.topic": CODES,
    "bot_regression_case.channel": CODES,
    "bot_regression_case.must_contain": KNOWLEDGE + " (phrases a supervisor chose)",
    "bot_regression_case.must_not_contain": KNOWLEDGE + " (phrases a supervisor chose)",
    "training_scenario.slug": OURS,
    "training_scenario.persona": CODES,
    "training_scenario.article_slug": OURS,
    "training_scenario.solution": KNOWLEDGE + " (phrases of the article)",
    "training_attempt.status": CODES,
    "training_attempt.moves": CODES + " (recognised moves)",
    "training_attempt.result": CODES + " (scores)",
    "training_micro_lesson.source": CODES,
    "training_micro_lesson.title": KNOWLEDGE,
    "training_micro_lesson.body": KNOWLEDGE + " (the corrected article)",
    "training_micro_lesson.topic": CODES,
    "training_micro_lesson.template_digest": OURS,
    "telegram_conversation.active": CODES,
}


def personal(key: str) -> Personal | None:
    """How `table.column` is handled, or None when it holds no personal data."""
    table = key.split(".", 1)[0]
    return COLUMNS.get(key) or ROWS.get(table)


def holds_text(column: Column[object]) -> bool:
    """Strings, texts and JSON can hold anything a person typed: they must be classified."""
    return isinstance(column.type, (String, JSON))


def classified(table: str, column: str) -> bool:
    key = f"{table}.{column}"
    return key in COLUMNS or key in NOT_PERSONAL or table in ROWS or table in NOT_PERSONAL


def unclassified(metadata: MetaData) -> list[str]:
    """`table.column` of every text-like column, and `table` of every table, that nobody
    classified: each must be added to COLUMNS/ROWS (and handled) or to NOT_PERSONAL."""
    missing = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        listed = (
            table.name in ROWS
            or table.name in NOT_PERSONAL
            or any(k.startswith(table.name + ".") for k in (*COLUMNS, *NOT_PERSONAL))
        )
        if not listed:
            missing.append(table.name)
        missing += [
            f"{table.name}.{c.name}"
            for c in table.columns
            if holds_text(c) and not classified(table.name, c.name)
        ]
    return missing


def stale(metadata: MetaData) -> list[str]:
    """Entries naming a table or column the schema no longer has."""
    tables = metadata.tables
    out = []
    for key in (*COLUMNS, *NOT_PERSONAL, *ROWS):
        table, _, column = key.partition(".")
        if table not in tables or (column and column not in tables[table].columns):
            out.append(key)
    return sorted(out)
