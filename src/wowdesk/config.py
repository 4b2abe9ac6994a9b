"""Settings from `WOWDESK_*` environment variables (and `.env`), one object for the whole app.

The defaults are the embedded mode: an SQLite file under ./var, no servers to install.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wowdesk.mail import Smtp
from wowdesk.security import derived_token

# the values of operators.models.Role (not imported: the settings load before any model)
ROLES = ("operator", "supervisor", "admin")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WOWDESK_", env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    language: Literal["ru", "en"] = "ru"
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    max_message_chars: int = Field(default=4000, ge=1, le=100_000)
    # a larger request body is refused with 413 (imports and screenshots fit well within)
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    session_hours: float = Field(default=12.0, gt=0)
    cookie_secure: bool = False
    # Where the public chat is served from; empty means "same origin as the request".
    public_url: str = ""
    # The first-line bot answers new conversations before a human does.
    bot_enabled: bool = True
    # a bot turn not started this long after the customer's message goes to a person
    bot_turn_start_seconds: float = Field(default=10.0, gt=0)
    # bot turns one `wowdesk worker` runs at once (turns of one conversation still queue on
    # its row lock)
    bot_worker_turns: int = Field(default=8, ge=1, le=256)
    # Optional OpenAI-compatible endpoint; without it the bot answers extractively, offline.
    llm_url: str = ""
    llm_model: str = ""
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    # Optional sentence-transformers model folder for the dense half of retrieval; without it
    # the navec word vectors shipped with natasha are used.
    embedding_model_path: str = ""
    # Distributed mode: several app processes (on PostgreSQL) share live events through Redis
    # pub/sub, and `wowdesk worker` runs background jobs from it. Empty: one process.
    redis_url: str = ""
    # The dispatcher assigns queued conversations to operators by itself.
    routing_enabled: bool = True
    # Routing: who gets the next conversation among qualified operators with free capacity.
    routing_strategy: Literal["longest_idle", "least_busy", "round_robin"] = "longest_idle"
    # An operator offline (or whose console went silent) this long loses their conversations
    # to the head of the queue.
    routing_grace_seconds: float = Field(default=60.0, ge=0)
    # Above this estimated wait the customer is offered e-mail, a callback or the bot.
    routing_offer_after_minutes: float = Field(default=5.0, ge=0)
    # The contact center's time zone: KPI days and reports follow its calendar.
    timezone: str = "Europe/Moscow"
    # Service level counts conversations answered within this many seconds.
    service_level_seconds: float = Field(default=20.0, ge=0)
    # Quality control: the company name operators greet with (the greeting criterion asks
    # for it when set), how often closed conversations are scored, and the reply targets.
    company_name: str = ""
    qa_every_seconds: float = Field(default=5.0, gt=0)
    qa_first_reply_seconds: float = Field(default=60.0, gt=0)
    qa_reply_seconds: float = Field(default=120.0, gt=0)
    # Share of paid time away from contacts (breaks, training, absence) for staffing.
    staffing_shrinkage: float = Field(default=0.3, ge=0, lt=1)
    # Outgoing e-mail (answers to customers who left a message). Without a host, mails wait
    # in the outbox and the routing board counts them as unsent.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "wowdesk@localhost"
    # Incidents: flags on bot answers about the same article (else topic) within this many
    # minutes of the incident's last flag join it; later ones open a new incident.
    incident_window_minutes: float = Field(default=60.0, gt=0)
    # Screenshots attached to flags (PNG or JPEG) are refused above this size.
    screenshot_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # Where "send to technical support" posts the JSON report and/or mails it (by the SMTP
    # server above); at least one must be set for reports to go anywhere.
    incident_webhook_url: str = ""
    incident_email: str = ""
    incident_webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Roles that may see a message's raw text outside the conversation they serve (every
    # such view is audited); everyone else sees the PII-masked copy. Comma-separated.
    raw_text_roles: str = "supervisor,admin"
    # An operator message asking the customer for an SMS code, a password, a CVV, a PIN or a
    # full card number: "warn" holds it until the operator confirms (audited), "block" refuses.
    secret_request_policy: Literal["warn", "block"] = "warn"  # noqa: S105
    # per channel, the HMAC key the embedding site signs customer ids with (JSON object:
    # {"web": "…", "telegram": "…"}); unsigned ids make unverified customers
    identity_keys: dict[str, str] = Field(default_factory=dict)
    # Loyalty programme: once a customer's orders (not cancelled or returned) reach this
    # many rubles, the discount applies; the console says how much is left.
    loyalty_threshold_rub: int = Field(default=100_000, ge=0)
    loyalty_discount_percent: Decimal = Field(default=Decimal("2.5"), gt=0, le=100)
    # Cross-sell: association rules between order items are rebuilt this often; a pair must
    # be in at least this many orders and the rule this sure to be offered.
    crosssell_refresh_minutes: float = Field(default=60.0, gt=0)
    crosssell_min_orders: int = Field(default=2, ge=1)
    crosssell_min_confidence: float = Field(default=0.2, ge=0, le=1)
    # Conversations on these topics (comma-separated names) count as complaints: no offers.
    complaint_topics: str = "Жалобы,Претензии,Оплата и возвраты"
    # Offline speech recognition of call recordings (`wowdesk calls transcribe`): a local
    # Vosk or faster-whisper model folder; never downloaded. Empty: calls come as transcripts.
    asr_model_path: str = ""
    # Telegram bot (python-telegram-bot): empty token means no Telegram channel. `webhook`
    # needs WOWDESK_PUBLIC_URL (https, reachable by Telegram) and checks the secret header;
    # `polling` asks Telegram for updates (installations without a public URL).
    telegram_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    telegram_mode: Literal["webhook", "polling"] = "polling"
    telegram_webhook_secret: str = ""
    # photos and documents from customers above this size are refused (Telegram's own
    # download limit for bots is 20 MB)
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    # Inbound e-mail: mailboxes read over IMAP, comma-separated
    # `imaps://user:password@host[:port]/INBOX` (or `imap://` for loopback and STARTTLS-less
    # test servers); every mail becomes a message in channel `email`.
    imap_mailboxes: str = ""
    imap_poll_seconds: float = Field(default=30.0, gt=0)
    # The verification code by SMS or push: the company's provider takes a JSON POST here.
    sms_webhook_url: str = ""
    push_webhook_url: str = ""
    provider_timeout_seconds: float = Field(default=10.0, gt=0)
    # Retention (days; 0 keeps forever), applied by the daily job (`wowdesk data retention`):
    # raw message text is replaced by its masked copy, screenshots and customers' files are
    # deleted, calls' recording links dropped, contacts of
    # customers silent this long are erased, and personal-data audit records are dropped.
    # What KPIs and QA need (timestamps, topics, scores, masked text) always stays.
    retention_raw_text_days: int = Field(default=180, ge=0)
    retention_attachments_days: int = Field(default=180, ge=0)
    retention_contacts_days: int = Field(default=1095, ge=0)
    # calls' recording links (the recordings live in the telephony system; the link is
    # how anyone here reaches the customer's voice)
    retention_recordings_days: int = Field(default=180, ge=0)
    retention_audit_days: int = Field(default=1095, ge=0)
    # /metrics: with a token, only `Authorization: Bearer <token>` reads it; without one,
    # only clients on the loopback interface (a Prometheus beside the app, or nginx's deny).
    metrics_token: str = ""
    # "json": one JSON object per log line (with request and conversation ids), for a log
    # collector; "text": the usual human-readable lines.
    log_format: Literal["text", "json"] = "text"

    def complaint_topic_names(self) -> frozenset[str]:
        return frozenset(
            t.strip().casefold() for t in self.complaint_topics.split(",") if t.strip()
        )

    def smtp(self) -> Smtp | None:
        if not self.smtp_host:
            return None
        return Smtp(
            self.smtp_host,
            self.smtp_port,
            self.smtp_username,
            self.smtp_password,
            self.smtp_starttls,
            self.mail_from,
        )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("raw_text_roles")
    @classmethod
    def _known_roles(cls, value: str) -> str:
        roles = [r.strip() for r in value.split(",") if r.strip()]
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"unknown roles {unknown}: use {', '.join(ROLES)}")
        return ",".join(roles)

    def telegram_secret(self) -> str:
        """The webhook's secret token: set, or derived from the secret key (1-256 of
        A-Z, a-z, 0-9, _ and -, as Telegram wants)."""
        if self.telegram_webhook_secret:
            return self.telegram_webhook_secret
        return derived_token(self.resolved_secret_key(), "telegram-webhook")

    def raw_text_role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.raw_text_roles.split(",") if r)

    def topic_model_path(self) -> Path:
        return self.var_dir / "topic_model.joblib"

    def resolved_database_url(self) -> str:
        """SQLite under var_dir unless a URL is given, so a fresh clone runs with no setup."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'wowdesk.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """A stable key survives restarts (sessions stay valid) without asking the user for one."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
