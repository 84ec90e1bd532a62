"""Settings read from the environment (and a `.env` file) by pydantic-settings.

Names follow the configuration contract in DESIGN.md. Anything wrong stops start-up with a
`ConfigError` whose message is one line naming the variable and saying how to fix it.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from config.errors import ConfigError

Environment = Literal["development", "test", "production"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///peer_support.db"


def normalise_database_url(raw: str) -> str:
    """Accept the URL forms operators paste (postgres://, sqlite:///) and pick the async driver."""
    url = make_url(raw)
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    else:
        raise ValueError(f"unsupported database '{backend}'")
    return url.render_as_string(hide_password=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    environment: Environment = Field("development", alias="ENVIRONMENT")
    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    port: int = Field(3000, alias="PORT", ge=1, le=65535)
    host: str = Field("0.0.0.0", alias="HOST")
    log_level: str = Field("INFO", alias="LOG_LEVEL")

    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")

    microsoft_app_id: str | None = Field(None, alias="MICROSOFT_APP_ID")
    microsoft_app_password: str | None = Field(None, alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = Field(None, alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"] = Field(
        "SingleTenant", alias="MICROSOFT_APP_TYPE"
    )
    teams_enabled: bool = Field(False, alias="TEAMS_ENABLED")

    encryption_keys: str | None = Field(None, alias="ENCRYPTION_KEYS")
    local_key_file: str = Field(".peer_support/encryption.key", alias="LOCAL_KEY_FILE")

    default_time_zone: str = Field("UTC", alias="DEFAULT_TIME_ZONE")
    default_locale: str = Field("en", alias="DEFAULT_LOCALE")
    default_country: str = Field("US", alias="DEFAULT_COUNTRY", pattern=r"^[A-Z]{2}$")

    worker_poll_seconds: float = Field(2.0, alias="WORKER_POLL_SECONDS", gt=0)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            return normalise_database_url(value)
        except (ArgumentError, ValueError) as exc:
            raise ValueError(str(exc)) from None

    @field_validator("default_time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_id",
        "slack_client_secret",
        "microsoft_app_id",
        "microsoft_app_password",
        "microsoft_app_tenant_id",
        "encryption_keys",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        if self.slack_bot_token and not self.slack_bot_token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN: expected a bot token starting with 'xoxb-' "
                "(Slack app > OAuth & Permissions > Bot User OAuth Token)"
            )
        slack_wanted = self.slack_bot_token or self.slack_client_id or self.slack_app_token
        if slack_wanted and not self.slack_signing_secret and not self.slack_app_token:
            raise ConfigError(
                "SLACK_SIGNING_SECRET: required with a Slack token or client id "
                "(Slack app > Basic Information > Signing Secret)"
            )
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN: expected an app-level token starting with 'xapp-' "
                "(Slack app > Basic Information > App-Level Tokens, scope connections:write)"
            )
        if self.slack_client_id and self.slack_app_token:
            raise ConfigError(
                "SLACK_APP_TOKEN: Socket Mode cannot serve a multi-workspace install "
                "(SLACK_CLIENT_ID), which needs HTTP mode; unset one of the two"
            )
        if self.slack_client_id and self.slack_bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN: unset it for a multi-workspace install (SLACK_CLIENT_ID): "
                "each workspace's bot token comes from its installation"
            )
        if self.slack_app_token and not self.slack_bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN: Socket Mode (SLACK_APP_TOKEN) also needs the bot token"
            )
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            missing = "SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID"
            raise ConfigError(f"{missing}: multi-workspace install needs both client id and secret")
        if self.microsoft_app_id and not self.microsoft_app_password:
            raise ConfigError(
                "MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID (the bot's client secret)"
            )
        if (
            self.microsoft_app_id
            and self.microsoft_app_type == "SingleTenant"
            and not self.microsoft_app_tenant_id
        ):
            raise ConfigError(
                "MICROSOFT_APP_TENANT_ID: a SingleTenant bot needs its Azure tenant id"
            )
        if self.encryption_keys:
            for position, key in enumerate(self.encryption_key_list, start=1):
                try:
                    Fernet(key)
                except ValueError:
                    raise ConfigError(
                        f"ENCRYPTION_KEYS: key {position} is not a valid Fernet key (32 url-safe "
                        "base64 bytes); generate one with `peer-support generate-key`"
                    ) from None
        if self.teams_enabled and not self.microsoft_app_id and self.environment == "production":
            raise ConfigError(
                "TEAMS_ENABLED: Teams without authentication is refused in production; "
                "set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID"
            )
        if self.environment == "production" and not self.encryption_keys:
            raise ConfigError(
                "ENCRYPTION_KEYS: required in production; generate one with "
                "`peer-support generate-key` and keep it in your secret store"
            )
        return self

    @property
    def encryption_key_list(self) -> list[str]:
        """The configured keys, newest first."""
        return [key.strip() for key in (self.encryption_keys or "").split(",") if key.strip()]

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token or self.slack_client_id)


def _first_error_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = error.get("loc") or ()
    field = str(loc[0]) if loc else ""
    alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
    message = error.get("msg", "invalid value").removeprefix("Value error, ")
    ctx_error = (error.get("ctx") or {}).get("error")
    if isinstance(ctx_error, ConfigError):
        return str(ctx_error)
    hint = {
        "DATABASE_URL": "use e.g. sqlite+aiosqlite:///peer_support.db or "
        "postgresql+asyncpg://user:password@host:5432/dbname",
        "PORT": "use a port number between 1 and 65535",
        "ENVIRONMENT": "use development, test or production",
        "DEFAULT_TIME_ZONE": "use an IANA name such as Europe/Madrid or America/New_York",
        "DEFAULT_COUNTRY": "use a two-letter country code such as US, ES, GB or IE",
        "MICROSOFT_APP_TYPE": "use SingleTenant (new Azure bots), MultiTenant or UserAssignedMSI",
    }.get(alias or field)
    line = f"{alias or field}: {message}"
    return f"{line}; {hint}" if hint else line


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning any validation problem into a one-line `ConfigError`."""
    try:
        return Settings(**overrides)
    except ConfigError:
        raise
    except ValidationError as exc:
        raise ConfigError(_first_error_line(exc)) from None
