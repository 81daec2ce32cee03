"""Settings of one service, read from ASSIST_* environment variables (pydantic-settings)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_NAMES = ("intake", "verification", "approval", "disbursement", "complaints", "audit")
DEFAULT_PORTS = {
    "intake": 8001,
    "verification": 8002,
    "approval": 8003,
    "disbursement": 8004,
    "complaints": 8005,
    "audit": 8006,
}


class Settings(BaseSettings):
    """Configuration of one service process; every field can be set as ``ASSIST_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ASSIST_", extra="ignore")

    service: str = Field(description="service name, set by the service itself")
    county: str = Field("230722", description="the county (6-digit division code) of this install")
    data_dir: Path = Field(Path("data"), description="folder for SQLite files, secrets, calendars")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy async URL; default: a SQLite file per service under data_dir",
    )
    migration_database_url: str | None = Field(
        None,
        description="PostgreSQL: the URL of the role that owns the service's tables, used only "
        "to migrate them; the service itself connects with database_url as a role that may "
        "not alter them (the audit log: INSERT and SELECT only; deploy/postgres). "
        "Default: database_url")
    db_schema: str | None = Field(
        None, description="PostgreSQL schema of this service's tables; default: the service name"
    )
    migrate_on_start: bool = True
    db_pool_size: int = Field(
        20, ge=1, le=500,
        description="PostgreSQL: connections this service keeps for its units of work, each "
        "opened when first needed and kept (4 more for health checks); requests beyond them "
        "wait their turn. Six services at the default need up to 6 × 24 = 144 "
        "(docs/operations.md)")

    nats_url: str = "nats://127.0.0.1:4223"
    stream: str = "ASSIST"
    stream_replicas: int = 1
    nats_connect_timeout_s: float = 2.0

    relay_batch_size: int = 100
    relay_poll_interval_s: float = 0.5
    relay_max_backoff_s: float = 2.0
    consumer_batch_size: int = 50
    consumer_linger_s: float = Field(
        0.05, ge=0, le=1, description="after a batch smaller than consumer_batch_size, wait "
        "this long before the next pull, so that events arriving meanwhile go in one batch")
    consumer_max_deliveries: int = Field(
        10, ge=1, description="deliveries of a *not yet* event before it is parked")
    consumer_retry_base_s: float = Field(0.5, description="first redelivery delay")
    consumer_retry_max_s: float = Field(30.0, description="longest redelivery delay")
    consumer_max_ack_pending: int = Field(200, ge=1, description="events in flight per consumer")

    jwt_secret: str | None = Field(None, description="HS256 secret; default: data_dir/jwt-secret")
    jwt_jwks_url: str | None = Field(None, description="RS256 key set of an identity provider")
    jwt_issuer: str = "assist-embedded"
    jwt_audience: str | None = None
    jwt_max_lifetime_s: int = Field(
        24 * 3600, ge=0,
        description="longest validity a token may have (exp - iat), seconds; longer ones, and "
        "tokens without iat, are refused; 0: no maximum")
    jwt_leeway_s: int = Field(
        30, ge=0, le=600, description="clock skew allowed when checking a token's exp, nbf, iat")
    trusted_proxies: str = Field(
        "",
        description="comma-separated IPs or CIDR networks of reverse proxies whose "
        "X-Forwarded-For is believed; default: none (the source address is the socket peer)")

    event_keys: str | None = Field(
        None,
        description="keys that seal personal data in events, as JSON {current, keys}; "
        "default: data_dir/event-keys.json",
    )

    calendar_dir: Path | None = Field(
        None, description="folder of loaded calendar years (*.json); default: data_dir/calendar"
    )
    temp_aid_working_days: int = 10
    complaint_phone: str = Field(
        "12345", min_length=3, max_length=40,
        description="the county's complaint telephone, shown on every public notice and the "
        "standing notice board (R-AP-3, R-DY-1)")
    referral_followup_working_days: int = Field(
        5, ge=1, description="working days to follow a referral up (R-IN-2)")
    paper_backdate_working_days: int = Field(
        5, ge=0, description="how many working days back a paper application's receipt date "
        "may lie when it is entered")
    complaint_handling_working_days: int = Field(
        15, ge=1, le=120, description="working days a complaint, report or petition is handled "
        "in from its registration (R-CO-3); the guideline sets none, so the county sets it")
    complaint_answer_working_days: int = Field(
        20, ge=1, le=120, description="working days from registration by which the result is "
        "sent back to a complainant who asked for it (R-CO-3); at least the handling period")
    complaint_public_per_hour: int = Field(
        5, ge=1, le=1000, description="complaints one source address may file an hour on the "
        "public form (R-CO-1), beside the public rate limit")
    hotline_hours: str = Field(
        "08:30-12:00,13:30-17:30", pattern=r"^\d\d:\d\d-\d\d:\d\d(,\d\d:\d\d-\d\d:\d\d)*$",
        description="the hotline's working hours on working days, Asia/Shanghai, as HH:MM-HH:MM "
        "ranges separated by commas: the calls the answer rate counts (R-CO-5)")
    idempotency_ttl_h: float = Field(
        24.0, gt=0, le=24 * 366,
        description="hours a POST's Idempotency-Key and its answer are kept (shared.idempotency)")
    public_rate_per_minute: int = Field(
        60, ge=0, le=100_000,
        description="requests a minute one source address may make to the public endpoints "
        "(the benefit self-check, the deadline calculator; shared.ratelimit); 0: no limit")
    max_body_bytes: int = Field(
        1_048_576, ge=1024,
        description="largest request body accepted (413 beyond it, before it is read)")
    max_upload_bytes: int = Field(
        10 * 1_048_576, ge=1024,
        description="largest body of a route that takes uploads (evidence files): those routes "
        "declare it (shared.body_limit.UPLOAD); 413 beyond it, before it is read")
    evidence_dir: Path | None = Field(
        None, description="where evidence files are stored; default: data_dir/evidence/<service>")
    check_sources: str | None = Field(
        None,
        description="verification's check sources (R-VE-4): JSON {name: {kind, items, ...}}, or "
        "the path of a JSON file holding it; default: a data-file (CSV) source per item")
    check_data_dir: Path | None = Field(
        None, description="folder department data files may be loaded from by path; default: "
        "data_dir/check-data")
    delegation_peers: str | None = Field(
        None,
        description="other counties reached over REST for delegations (R-VE-3): JSON {county: "
        "{url, token | token_file}}, or the path of a JSON file; other counties: shared NATS")
    courier_poll_interval_s: float = Field(
        1.0, gt=0, description="how often verification looks for due check runs and deliveries")
    delegation_retry_max_s: float = Field(
        300.0, gt=0, description="longest wait between two tries of a delivery to another county")
    audit_signing_key: str | None = Field(
        None, description="the audit log's Ed25519 checkpoint key: a PEM private key or the path "
        "of one; default: data_dir/audit-signing-key.pem, generated on first start (R-AU-2)")
    audit_retired_keys: str | None = Field(
        None, description="the audit log's earlier checkpoint keys, retired by a rotation: lines "
        "'<verifier key> <time retired, RFC 3339>', or the path of a file of them; default: "
        "data_dir/audit-retired-keys.txt, written by python -m tools.auditkey rotate (R-AU-2)")
    audit_checkpoint_file: Path | None = Field(
        None, description="file every signed checkpoint of the audit log is appended to, for "
        "the operator to keep elsewhere; default: data_dir/audit-checkpoints.txt")
    audit_witness_url: str | None = Field(
        None, description="a witness the audit log POSTs each checkpoint to (tlog-witness "
        "add-checkpoint body), retried until accepted; default: none")
    audit_witness_timeout_s: float = Field(10.0, gt=0, description="wait for the witness")
    audit_witness_retry_max_s: float = Field(
        300.0, gt=0, description="longest wait between two tries of a checkpoint's delivery")
    scheduler_poll_interval_s: float = Field(
        5.0, gt=0, le=300, description="how often a service with scheduled jobs looks for due "
        "ones (shared.scheduler)")
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        entries = [e.strip() for e in value.split(",") if e.strip()]
        for entry in entries:
            ipaddress.ip_network(entry, strict=False)  # ValueError names the bad entry
        return ",".join(entries)

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies``, parsed."""
        return tuple(ipaddress.ip_network(e, strict=False)
                     for e in self.trusted_proxies.split(",") if e)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to a SQLite file for this service."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service}.db').as_posix()}"

    def for_migrations(self) -> Settings:
        """These settings with the owner's URL, if one is given (``migration_database_url``)."""
        if not self.migration_database_url:
            return self
        return self.model_copy(update={"database_url": self.migration_database_url})

    @property
    def is_postgres(self) -> bool:
        return self.sqlalchemy_url.startswith("postgresql")

    @property
    def pg_schema(self) -> str | None:
        """PostgreSQL schema for this service; SQLite has none (one file per service)."""
        return (self.db_schema or self.service) if self.is_postgres else None

    @property
    def calendar_path(self) -> Path:
        return self.calendar_dir or self.data_dir / "calendar"

    @property
    def evidence_path(self) -> Path:
        return self.evidence_dir or self.data_dir / "evidence" / self.service

    @property
    def jwt_secret_file(self) -> Path:
        return self.data_dir / "jwt-secret"

    @property
    def check_data_path(self) -> Path:
        return self.check_data_dir or self.data_dir / "check-data"

    @property
    def audit_checkpoint_path(self) -> Path:
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.txt"

    @property
    def event_keys_file(self) -> Path:
        return self.data_dir / "event-keys.json"
