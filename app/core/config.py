"""Settings from the environment (and a `.env` file), validated once at start-up."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET = "dev-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    duta_env: Literal["development", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'duta.sqlite3'}"
    secret_key: str = DEFAULT_SECRET
    # Bearer tokens of the JSON API live this long.
    token_minutes: int = 12 * 60
    session_days: int = 14
    # An account locks after this many failed logins inside the window;
    # an address only after many more, so one office behind one NAT is not locked out.
    login_window_minutes: int = 15
    login_max_failures_user: int = 5
    login_max_failures_ip: int = 100
    # Before the lock, repeated failures slow down: after the n-th failure of an account, its next
    # attempt is taken only after this many seconds times 2^(n-1) (1, 2, 4, 8 s by default).
    login_backoff_seconds: float = 1.0
    # A partner's API client may send this many requests a minute (app/auth/clients.py); more get 429.
    partner_requests_per_minute: int = 60
    # Where the public reaches the app (https://duta.example.id): the member cards' QR codes point there.
    # Empty: the address the request came to (fine behind a proxy passing the public host name).
    public_url: str = ""
    # The branch serving prospective migrant workers (PMI) of the region: Medan Utara's, as the
    # demo names it; when no branch has this code, the branch of the worker's regency serves.
    pmi_branch: str = "MDN-UTARA"
    default_locale: str = "id"
    timezone: str = "Asia/Jakarta"

    @property
    def production(self) -> bool:
        return self.duta_env == "production"

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self):
        if self.duta_env == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("SECRET_KEY must be set in production (DUTA_ENV=production)")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
