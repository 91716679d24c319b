"""Settings read from the environment; see the README's configuration table."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret(name: str, instance_path: Path, production: bool) -> str:
    """A secret from the environment; in development generated once into instance/."""
    key = os.environ.get(name)
    if key:
        return key
    if production:
        raise ConfigError(f"{name} must be set when LAB_ENV=production.")
    key_file = instance_path / name.lower()
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # written aside, then linked into place: processes starting together (parallel
        # test workers, several app servers) all end up reading the one key that won
        draft = instance_path / f".{name.lower()}.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Let people write postgres:// or postgresql:// and still get psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None


def _int_mapping(name: str) -> dict[str, int]:
    """A setting like EARNING_RULES="helpful_vote=3,answer_accepted=20": names to numbers."""
    mapping = {}
    for part in filter(None, (p.strip() for p in os.environ.get(name, "").split(","))):
        key, _, number = part.partition("=")
        try:
            mapping[key.strip()] = int(number)
        except ValueError:
            raise ConfigError(f"{name}: {part!r} is not name=number.") from None
    return mapping


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    instance = Path(instance_path)
    env = os.environ.get("LAB_ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigError("LAB_ENV must be 'development' or 'production'.")
    production = env == "production"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'testlab.sqlite'}"
    mail_backend = os.environ.get("MAIL_BACKEND", "smtp" if production else "console")

    return {
        "LAB_ENV": env,
        "SECRET_KEY": _secret("SECRET_KEY", instance, production),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SECURITY_PASSWORD_SALT": _secret("SECURITY_PASSWORD_SALT", instance, production),
        # encrypts the members' two-factor secrets at rest
        "SECURITY_TOTP_SECRETS": {"1": _secret("TOTP_SECRET", instance, production)},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "20 per hour"),
        "MAIL_BACKEND": mail_backend,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Testlab <testlab@localhost>"),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "5")),
        # In development the console backend prints each mail at once, so confirmation
        # links show up in the terminal of `make run` without running send-mail.
        "MAIL_SEND_IMMEDIATELY": _flag("MAIL_SEND_IMMEDIATELY", mail_backend == "console"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # links in mails written outside a request (CLI jobs) start with this
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        # manual awards above this many points need a second admin's approval
        "AWARD_APPROVAL_THRESHOLD": _int("AWARD_APPROVAL_THRESHOLD", 500),
        "EARNING_RULES": _int_mapping("EARNING_RULES"),
        # hours to the first staff response, e.g. "report.critical=2,question=12"
        "RESPONSE_TARGETS": _int_mapping("RESPONSE_TARGETS"),
        # community: minutes an author may edit a post; posts an hour below "helper" level
        "COMMUNITY_EDIT_MINUTES": _int("COMMUNITY_EDIT_MINUTES", 30),
        "NEW_MEMBER_POSTS_PER_HOUR": _int("NEW_MEMBER_POSTS_PER_HOUR", 5),
        # helpful votes from one member to another that pay points, per day
        "VOTES_PER_PAIR_PER_DAY": _int("VOTES_PER_PAIR_PER_DAY", 3),
        # testers' addresses are deleted this many days after their device came back or
        # was given away, or their campaign closed (`flask lab purge`)
        "ADDRESS_RETENTION_DAYS": _int("ADDRESS_RETENTION_DAYS", 30),
        # days a tester has to send a device back once asked, and where it goes
        "RETURN_DAYS": _int("RETURN_DAYS", 14),
        "RETURN_ADDRESS": os.environ.get(
            "RETURN_ADDRESS", "Testlab Geräterückgabe, Postfach 10 20 30, 53001 Bonn"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or None,
        "PRIVATE_UPLOAD_FOLDER": os.environ.get("PRIVATE_UPLOAD_FOLDER") or None,
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        # A DNS lookup per registration catches typos in the domain; off by default
        # because it needs network access and adds latency.
        "SECURITY_EMAIL_VALIDATOR_ARGS": {
            "check_deliverability": _flag("EMAIL_CHECK_DELIVERABILITY", False)},
        "TWO_FACTOR_REQUIRED_FOR_ADMINS": _flag("TWO_FACTOR_REQUIRED_FOR_ADMINS", production),
    }


class Defaults:
    """Settings that are the same everywhere; the environment adds to them."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # report attachments: up to 3 files, videos up to 20 MB each (lab.feedback.attachments)
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = {"de": "Deutsch", "en": "English"}

    BOOTSTRAP_SERVE_LOCAL = True

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"

    # Flask-Security-Too
    SECURITY_PASSWORD_HASH = "argon2"
    SECURITY_PASSWORD_LENGTH_MIN = 10
    SECURITY_PASSWORD_MIN_SCORE = 3  # zxcvbn score 0-4, checked by lab.accounts.security
    SECURITY_REGISTERABLE = True
    SECURITY_CONFIRMABLE = True
    SECURITY_RECOVERABLE = True
    SECURITY_CHANGEABLE = True
    SECURITY_TRACKABLE = True
    SECURITY_TWO_FACTOR = True
    SECURITY_TWO_FACTOR_ENABLED_METHODS = ["authenticator"]
    SECURITY_TWO_FACTOR_RESCUE_EMAIL = False
    SECURITY_TOTP_ISSUER = "Testlab"
    SECURITY_SEND_REGISTER_EMAIL = True
    SECURITY_LOGIN_WITHOUT_CONFIRMATION = False
    SECURITY_RESET_URL = "/reset"
    SECURITY_CONFIRM_URL = "/confirm"
    SECURITY_CHANGE_URL = "/me/password"
    SECURITY_POST_LOGIN_VIEW = "/me/profile"
    SECURITY_POST_REGISTER_VIEW = "/register/done"
    SECURITY_POST_CONFIRM_VIEW = "/login"
    SECURITY_LOGOUT_METHODS = ["POST"]
    SECURITY_EMAIL_SENDER = "Testlab <testlab@localhost>"
    SECURITY_FLASH_MESSAGES = True
