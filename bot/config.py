"""Settings from the environment, built once at start and passed down."""

from __future__ import annotations

import base64
import binascii
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from bot.core.network_config import AlertAdvice
    from bot.core.resources import Book

TELEGRAM_API = "https://api.telegram.org/bot"
# The name of the master key's systemd credential (LoadCredential=, LoadCredentialEncrypted=):
# found in $CREDENTIALS_DIRECTORY when COMPANERA_MASTER_KEY_FILE is not set.
MASTER_KEY_CREDENTIAL = "companera-master-key"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret token


class Settings(BaseSettings):
    """The configuration contract of DESIGN.md, read from environment variables."""

    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", case_sensitive=False, populate_by_name=True
    )

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_url: str = Field(default=TELEGRAM_API, alias="TELEGRAM_API_URL")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("data"), alias="COMPANERA_DATA_DIR")
    master_key: str | None = Field(default=None, alias="COMPANERA_MASTER_KEY", repr=False)
    master_key_file: Path | None = Field(default=None, alias="COMPANERA_MASTER_KEY_FILE")
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_secret: str | None = Field(default=None, alias="WEBHOOK_SECRET", repr=False)
    host: str = Field(default="127.0.0.1", min_length=1, alias="HOST")
    port: int = Field(default=8080, ge=1, le=65535, alias="PORT")
    metrics_host: str = Field(default="127.0.0.1", min_length=1, alias="METRICS_HOST")
    metrics_port: int = Field(default=9464, ge=0, le=65535, alias="METRICS_PORT")
    outbox_lease_seconds: int = Field(default=30, ge=3, le=600, alias="OUTBOX_LEASE_SECONDS")

    checkin_grace_seconds: int = Field(default=300, ge=0, le=3600, alias="CHECKIN_GRACE_SECONDS")
    reminder_lead_seconds: int = Field(default=600, ge=0, le=3600, alias="REMINDER_LEAD_SECONDS")
    alert_repeat_seconds: int = Field(default=600, ge=60, alias="ALERT_REPEAT_SECONDS")
    alert_repeats: int = Field(default=3, ge=0, le=10, alias="ALERT_REPEATS")
    details_ttl_after_alert_seconds: int = Field(
        default=86400, ge=3600, alias="DETAILS_TTL_AFTER_ALERT_SECONDS"
    )
    checkin_row_ttl_seconds: int = Field(
        default=7 * 86400, ge=3600, alias="CHECKIN_ROW_TTL_SECONDS"
    )
    invite_ttl_seconds: int = Field(default=86400, ge=60, alias="INVITE_TTL_SECONDS")
    outbox_sent_ttl_seconds: int = Field(default=86400, ge=0, alias="OUTBOX_SENT_TTL_SECONDS")
    outbox_failed_ttl_seconds: int = Field(
        default=7 * 86400, ge=3600, alias="OUTBOX_FAILED_TTL_SECONDS"
    )
    delivery_give_up_seconds: int = Field(default=86400, ge=600, alias="DELIVERY_GIVE_UP_SECONDS")
    max_contacts: int = Field(default=5, ge=1, le=20, alias="MAX_CONTACTS")
    network_pass_ttl_seconds: int = Field(
        default=7 * 86400, ge=3600, alias="NETWORK_PASS_TTL_SECONDS"
    )
    checks_per_hour: int = Field(default=20, ge=1, le=1000, alias="CHECKS_PER_HOUR")
    warnings_per_day: int = Field(default=5, ge=1, le=100, alias="WARNINGS_PER_DAY")
    warnings_burst: int = Field(default=10, ge=1, le=1000, alias="WARNINGS_BURST")
    warnings_burst_seconds: int = Field(
        default=600, ge=60, le=86400, alias="WARNINGS_BURST_SECONDS"
    )
    member_idle_days: int = Field(default=180, ge=30, alias="MEMBER_IDLE_DAYS")
    member_idle_notice_days: int = Field(default=7, ge=1, le=29, alias="MEMBER_IDLE_NOTICE_DAYS")
    default_timezone: str = Field(
        default="America/Mexico_City", alias="COMPANERA_DEFAULT_TIMEZONE"
    )
    log_format: str = Field(default="text", pattern="^(text|json)$", alias="COMPANERA_LOG_FORMAT")
    alert_advice: str | None = Field(default=None, alias="ALERT_ADVICE")
    resources_path: Path | None = Field(default=None, alias="RESOURCES_PATH")

    @field_validator("master_key")
    @classmethod
    def _master_key_is_32_bytes(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("must be base64 (make one with `companera keygen`)") from None
        if len(raw) != 32:
            raise ValueError("must decode to 32 bytes (make one with `companera keygen`)")
        return value

    @model_validator(mode="after")
    def _master_key_from_its_file(self) -> Settings:
        """Read the key file once, here: COMPANERA_MASTER_KEY_FILE, else the systemd
        credential. The key is then held like COMPANERA_MASTER_KEY's."""
        path = self.master_key_file or _credential(MASTER_KEY_CREDENTIAL)
        if path is None:
            return self
        if self.master_key:
            raise ValueError(
                f"the master key is given twice: COMPANERA_MASTER_KEY and the file {path}; "
                "remove COMPANERA_MASTER_KEY (from the env file too)"
            )
        self.master_key = _read_key_file(path)
        return self

    @field_validator("alert_advice")
    @classmethod
    def _advice_reads(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from bot.core.network_config import ConfigInvalid, parse_advice

        try:
            parse_advice(value)
        except ConfigInvalid as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("resources_path")
    @classmethod
    def _resources_read(cls, value: Path | None) -> Path | None:
        if value is None or not str(value).strip():
            return None
        from bot.core.network_config import ConfigInvalid
        from bot.core.resources import load_book

        try:
            load_book(value)
        except ConfigInvalid as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _SECRET.fullmatch(value):
            raise ValueError("must be 1 to 256 characters: letters, digits, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError(
                "WEBHOOK_SECRET is required with WEBHOOK_URL (make one: openssl rand -hex 32)"
            )
        if self.webhook_url and not self.webhook_url.startswith(("https://", "http://")):
            raise ValueError("WEBHOOK_URL must start with https:// (http:// only for local tests)")
        if self.metrics_port == self.port:
            raise ValueError("METRICS_PORT must differ from PORT (or be 0: no /metrics, /healthz)")
        return self

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known time zone, for example America/Lima") from None
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """The async database url: DATABASE_URL, or a SQLite file in the data dir."""
        if self.database_url:
            return _async_driver(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'companera.db').resolve()}"

    @property
    def alerts(self) -> AlertAdvice | None:
        """The deployment's advice in alerts (ALERT_ADVICE), for workers in no network that
        gives its own; None: the catalog's."""
        from bot.core.network_config import parse_advice

        return parse_advice(self.alert_advice) if self.alert_advice else None

    @property
    def resources(self) -> Book:
        """The resources shown in /help: the shipped files with RESOURCES_PATH's."""
        from bot.core.resources import load_book

        return load_book(self.resources_path)

    @property
    def master_key_bytes(self) -> bytes | None:
        """The decoded master key, when one is configured."""
        return base64.b64decode(self.master_key) if self.master_key else None


def _credential(name: str) -> Path | None:
    """A systemd credential of this service, if it was given one by that name."""
    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    path = Path(directory) / name if directory else None
    return path if path is not None and path.exists() else None


def _read_key_file(path: Path) -> str:
    """The base64 key a file holds (`companera keygen > file`), surrounding whitespace
    allowed. Errors name the file, never what it holds."""
    try:
        with path.open("rb") as file:
            raw = file.read(4096)
    except OSError as error:
        raise ValueError(
            f"COMPANERA_MASTER_KEY_FILE: cannot read {path}: {error.strerror}"
        ) from None
    try:
        text = raw.decode("ascii").strip()
        key = base64.b64decode(text, validate=True)
    except (UnicodeDecodeError, binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError(
            f"COMPANERA_MASTER_KEY_FILE: {path} holds no master key (base64 of 32 bytes on "
            "one line, as `companera keygen` prints it)"
        )
    return text


def _async_driver(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// spellings and pick the async driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and is safe to print."""


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning pydantic's report into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        if not first["loc"]:  # a rule across settings names them itself
            raise SettingsError(first["msg"].removeprefix("Value error, ")) from None
        raise SettingsError(f"{first['loc'][0]}: {first['msg']}") from None
