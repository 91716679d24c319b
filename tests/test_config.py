"""Settings come from the environment; production refuses to start without secrets."""

import pytest

from lab import create_app
from lab.config import ConfigError, from_environment, normalise_database_url


def test_development_generates_a_secret_key_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = from_environment(str(tmp_path))["SECRET_KEY"]
    second = from_environment(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment(str(tmp_path))


def test_production_cookies_are_secure_and_admins_need_two_factor(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "SECURITY_PASSWORD_SALT", "TOTP_SECRET"):
        monkeypatch.setenv(name, "x" * 40)
    monkeypatch.setenv("LAB_ENV", "production")
    config = from_environment(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["TWO_FACTOR_REQUIRED_FOR_ADMINS"]
    assert config["MAIL_BACKEND"] == "smtp"


def test_unknown_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_ENV", "staging")
    with pytest.raises(ConfigError):
        from_environment(str(tmp_path))


@pytest.mark.parametrize("url,expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
])
def test_database_urls_use_psycopg_3(url, expected):
    assert normalise_database_url(url) == expected


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/testlab.sqlite")


def test_redis_url_keeps_rate_limits_in_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
