"""Settings, read from the environment (interfaces.md) with pydantic-settings.

Secrets are only ever read from here; nothing else in the code looks at `os.environ`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where the embedded database lives: the user's data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("snp-bot", appauthor=False))


class ConfigurationError(ValueError):
    """A setting is missing or unusable (an encryption key, a URL); the message names it and says
    what to do. The CLI prints it and exits with status 2."""


class Settings(BaseSettings):
    """Every variable of interfaces.md; unset ones keep their documented default."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    snp_database_url: str = ""
    snp_policy_dir: Path | None = None
    snp_policy_url: str = ""
    #: The sentence encoder: the shipped static model, `wordllama-256` (if installed), or a folder
    #: built by scripts/build_static_model.py.
    snp_encoder: str = "minilm-static"
    snp_people_services: str = ""
    snp_encryption_key: str = ""
    snp_ack_reminder_hours: float = Field(48, gt=0)
    snp_retention_days: int = Field(2190, gt=0)
    snp_teams_unauthenticated: bool = False
    #: Additions to interfaces.md (README): a webhook channel for integrations and the benchmark,
    #: and how often the reminder/escalation/retention timer runs.
    snp_webhook_url: str = ""
    snp_timer_seconds: float = Field(60, gt=0)
    #: Worker processes for conversation turns in `serve` (0: in the server's own process).
    snp_conversation_processes: int = Field(1, ge=0, le=64)
    #: The outbox (README, Delivery guarantees): how long one platform call may take before it is
    #: abandoned (the shared HTTP session bypasses the platform clients' own timeouts), how many
    #: deliveries run at once, and how long a notification is retried before it is a dead letter.
    snp_delivery_timeout_seconds: float = Field(20, gt=0, le=300)
    snp_delivery_concurrency: int = Field(8, ge=1, le=256)
    snp_delivery_give_up_hours: float = Field(72, gt=0)
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_tenant_id: str = ""
    port: int = Field(3978, gt=0, lt=65536)

    @property
    def database_url(self) -> str:
        """`SNP_DATABASE_URL`, or an SQLite file in the user's data directory."""
        if self.snp_database_url:
            return self.snp_database_url
        return f"sqlite+aiosqlite:///{default_data_dir() / 'snp-bot.sqlite3'}"

    @property
    def people_services(self) -> list[str]:
        return [e.strip().lower() for e in self.snp_people_services.split(",") if e.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
