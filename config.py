"""Configuration classes, read from the environment.

`create_app()` picks one by name (argument or `LMS_CONFIG`): development (default),
testing, production.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _sqlite_default() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'reskill.sqlite3'}"


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_default()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    # Flask answers a larger request body with 413 before any view runs.
    MAX_CONTENT_LENGTH = _int_env("MAX_UPLOAD_MB", 10) * 1024 * 1024
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("LMS_TIMEZONE", "Asia/Shanghai")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "lms" / "translations")
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    # Login throttling: failures counted in the database so every worker sees them.
    LOGIN_MAX_FAILURES = _int_env("LOGIN_MAX_FAILURES", 10)
    LOGIN_WINDOW_MINUTES = _int_env("LOGIN_WINDOW_MINUTES", 15)
    LOGIN_IP_MAX_FAILURES = _int_env("LOGIN_IP_MAX_FAILURES", 100)
    LOGIN_ACCOUNT_MAX_FAILURES = _int_env("LOGIN_ACCOUNT_MAX_FAILURES", 50)

    PASSWORD_HASH_METHOD = "scrypt"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=_int_env("REMEMBER_DAYS", 14))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PEOPLE_PER_PAGE = 25


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("LMS_TEST_DATABASE_URL") or "sqlite://"
    # Cheap hashing keeps the suite fast; production uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    HSTS_SECONDS = _int_env("HSTS_SECONDS", 31536000)
    SESSION_COOKIE_SECURE = os.environ.get("LMS_INSECURE_COOKIES") != "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @classmethod
    def validate(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32 or key == Config.SECRET_KEY:
            raise RuntimeError(
                "Production needs SECRET_KEY set to a random value of at least 32 "
                "characters, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("Production needs DATABASE_URL (PostgreSQL).")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
