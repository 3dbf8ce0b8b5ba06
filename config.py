"""Configuration: fixed settings as class attributes, the rest read from the environment
when the app is built (`from_env`), so a test can set the environment first.

`create_app()` picks a class by name (argument or `LMS_CONFIG`): development (the
default, for the quick start), testing, production. Production fails closed: it
refuses to start without a real `SECRET_KEY` and a PostgreSQL `DATABASE_URL`.
"""

import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

BASE_DIR = Path(__file__).resolve().parent
KEY_FILE_NAME = "secret_key"
MIN_SECRET_KEY_LENGTH = 32
# Signing keys this code base has shipped or shown; never good enough for production.
KNOWN_SECRET_KEYS = {"dev-only-not-secret", "testing-secret"}
# Testing signs with a key made per process: apps built by one test session accept each
# other's cookies, and no key in the code works anywhere.
_TESTING_KEY = secrets.token_hex(32)


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may run with."""


def instance_dir(env: Mapping[str, str]) -> Path:
    """Where the SQLite file, uploads and the development key live: `LMS_INSTANCE_DIR` or ./instance."""
    return Path(env.get("LMS_INSTANCE_DIR") or BASE_DIR / "instance").absolute()


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {env[name]!r}") from None


def _upload_storage(env: Mapping[str, str]) -> str:
    kind = (env.get("UPLOAD_STORAGE") or "local").lower()
    if kind not in {"local", "database"}:
        raise ConfigError(f"UPLOAD_STORAGE must be local or database, not {env['UPLOAD_STORAGE']!r}")
    return kind


def _retention_days(env: Mapping[str, str]) -> int:
    days = _int_env(env, "RETENTION_DAYS", 180)
    if days < 0:
        raise ConfigError(f"RETENTION_DAYS must be 0 (keep everything) or more, not {days}")
    return days


def instance_secret_key(folder: Path) -> str:
    """The key in `folder/secret_key`, generated on first use (mode 0600) and reused after.

    One key per installation, never a constant in the code: sessions survive a restart
    and every worker signs alike, but nobody can sign with a key read in this repository.
    """
    path = folder / KEY_FILE_NAME
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{KEY_FILE_NAME}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32) + "\n")
            # link() never replaces an existing file, so processes starting at once agree on one key.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"{path} holds no usable key; delete it and a new one is generated")
    return key


def mail_settings(env: Mapping[str, str]) -> dict:
    """Flask-Mail's settings; without MAIL_SERVER nothing is e-mailed (links are copied by hand)."""
    flag = partial(_bool_env, env)
    return {
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int_env(env, "MAIL_PORT", 25),
        "MAIL_USE_TLS": flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": flag("MAIL_USE_SSL"),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or None,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT_SECONDS": _int_env(env, "MAIL_TIMEOUT_SECONDS", 10),
    }


def _bool_env(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").lower() in {"1", "true", "yes"}


def production_problems(env: Mapping[str, str]) -> list[str]:
    """Why this environment must not run production; empty when it may."""
    problems = []
    key = env.get("SECRET_KEY", "")
    if len(key) < MIN_SECRET_KEY_LENGTH or key in KNOWN_SECRET_KEYS or len(set(key)) < 10:
        problems.append(
            "SECRET_KEY must be a random value of at least 32 characters, e.g. "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    url = env.get("DATABASE_URL", "")
    try:
        backend = make_url(url).get_backend_name() if url else None
    except ArgumentError:
        backend = "unreadable"
    if backend != "postgresql":
        # SQLite is for one developer: several gunicorn workers writing one file wait on
        # its lock, and a relative path in a container loses the data with the container.
        problems.append(
            "DATABASE_URL must point at PostgreSQL, e.g. postgresql+psycopg://reskill:PASSWORD@db-host:5432/reskill"
        )
    if env.get("MAIL_SERVER") and not env.get("PUBLIC_URL", "").startswith("https://"):
        problems.append("PUBLIC_URL must be the site's https:// address when MAIL_SERVER is set: "
                        "e-mailed links are built on it")
    if env.get("MAIL_SERVER") and not env.get("MAIL_DEFAULT_SENDER"):
        problems.append("MAIL_DEFAULT_SENDER must name the sender when MAIL_SERVER is set")
    if env.get("FLASK_DEBUG", "").lower() not in {"", "0", "false", "no"}:  # Flask's own reading
        problems.append("FLASK_DEBUG must be unset: debug mode shows code and data to whoever sees an error")
    return problems


class Config:
    """Settings every environment shares."""

    # JSON columns (audit before/after) keep Chinese readable in the database, not \uXXXX
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True,
                                       "json_serializer": partial(json.dumps, ensure_ascii=False)}

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "lms" / "translations")
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    PASSWORD_HASH_METHOD = "scrypt"  # nosec B105  # an algorithm name, not a password
    REMEMBER_COOKIE_NAME = "remember_token"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PEOPLE_PER_PAGE = 25
    ROSTER_PER_PAGE = 50  # cohort roster and a mentor's trainees

    # `flask lms demo` makes accounts whose password is printed in the README.
    ALLOW_DEMO_DATA = True
    HSTS_SECONDS = 0  # production: a year (HTTPS only)

    @classmethod
    def from_env(cls, env: Mapping[str, str], folder: Path) -> dict:
        """The settings read from the environment; `folder` is the instance folder."""
        return {
            "SECRET_KEY": cls.secret_key(env, folder),
            "SQLALCHEMY_DATABASE_URI": cls.database_url(env, folder),
            "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(folder / "uploads"),
            # Where uploaded files' bytes live: `local` (UPLOAD_FOLDER, one app host) or
            # `database` (a table of their own, so every host behind a load balancer has them).
            "UPLOAD_STORAGE": _upload_storage(env),
            # PIPL: defect excerpts and screenshots, and the files of graded work, are deleted
            # this many days after their last use (`lms retention purge`); 0 keeps them.
            "RETENTION_DAYS": _retention_days(env),
            # Flask answers a larger request body with 413 before any view runs.
            "MAX_CONTENT_LENGTH": _int_env(env, "MAX_UPLOAD_MB", 10) * 1024 * 1024,
            "COURSES_DIR": env.get("COURSES_DIR") or str(BASE_DIR / "courses"),
            "BABEL_DEFAULT_TIMEZONE": env.get("LMS_TIMEZONE") or "Asia/Shanghai",
            # Login throttling: failures counted in the database so every worker sees them.
            "LOGIN_MAX_FAILURES": _int_env(env, "LOGIN_MAX_FAILURES", 10),
            "LOGIN_WINDOW_MINUTES": _int_env(env, "LOGIN_WINDOW_MINUTES", 15),
            "LOGIN_IP_MAX_FAILURES": _int_env(env, "LOGIN_IP_MAX_FAILURES", 100),
            "LOGIN_ACCOUNT_MAX_FAILURES": _int_env(env, "LOGIN_ACCOUNT_MAX_FAILURES", 50),
            # A remember-me cookie lasts days, not Flask-Login's default year.
            "REMEMBER_COOKIE_DURATION": timedelta(days=_int_env(env, "REMEMBER_DAYS", 14)),
            # A logged-in session ends after this long without a request (ASVS 3.3.2).
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int_env(env, "SESSION_IDLE_HOURS", 12)),
            "HSTS_SECONDS": _int_env(env, "HSTS_SECONDS", cls.HSTS_SECONDS),
            # Set-password links: invitations for new accounts, "forgot password" resets.
            "INVITATION_DAYS": _int_env(env, "INVITATION_DAYS", 7),
            "PASSWORD_RESET_MINUTES": _int_env(env, "PASSWORD_RESET_MINUTES", 60),
            "RESET_MAX_PER_EMAIL": _int_env(env, "RESET_MAX_PER_EMAIL", 5),
            "RESET_MAX_PER_IP": _int_env(env, "RESET_MAX_PER_IP", 30),
            "RESET_WINDOW_MINUTES": _int_env(env, "RESET_WINDOW_MINUTES", 60),
            # The buffer period's collaboration rules (DESIGN.md): service levels agreed with the
            # service platform, the same for every cohort and program, so settings of the
            # installation rather than course content. BUFFER_CLOCK: calendar or working_hours
            # (Chinese public holidays and make-up workdays, WORKDAY_START–WORKDAY_END local time).
            "BUFFER_RESPONSE_MINUTES": _int_env(env, "BUFFER_RESPONSE_MINUTES", 30),
            "BUFFER_COMPLEX_CLOSE_HOURS": _int_env(env, "BUFFER_COMPLEX_CLOSE_HOURS", 24),
            "BUFFER_CLOCK": env.get("BUFFER_CLOCK") or "calendar",
            "WORKDAY_START": env.get("WORKDAY_START") or "09:00",
            "WORKDAY_END": env.get("WORKDAY_END") or "18:00",
            # Placed people a mentor coaches through the buffer, apart from their training capacity.
            "BUFFER_COACH_CAPACITY": _int_env(env, "BUFFER_COACH_CAPACITY", 8),
            # Agent defects (step 11): triage service levels (first response; a complex defect
            # fixed or closed), DEFECT_CLOCK calendar or working_hours (the business calendar above);
            # a report this many days after a verified fix is a recurrence; similar open defects
            # shown before saving reach back DEFECT_SIMILAR_DAYS.
            "DEFECT_RESPONSE_MINUTES": _int_env(env, "DEFECT_RESPONSE_MINUTES", 30),
            "DEFECT_CLOSE_HOURS": _int_env(env, "DEFECT_CLOSE_HOURS", 24),
            "DEFECT_CLOCK": env.get("DEFECT_CLOCK") or "calendar",
            "DEFECT_RECURRENCE_DAYS": _int_env(env, "DEFECT_RECURRENCE_DAYS", 30),
            "DEFECT_SIMILAR_DAYS": _int_env(env, "DEFECT_SIMILAR_DAYS", 14),
            # Agent迭代贡献奖: a measured contribution qualifies at this relative improvement (%)
            # of response efficiency, or this relative fall of the error rate (%), as the courses teach.
            "AWARD_EFFICIENCY_MIN_PCT": _int_env(env, "AWARD_EFFICIENCY_MIN_PCT", 5),
            "AWARD_ERROR_MIN_PCT": _int_env(env, "AWARD_ERROR_MIN_PCT", 3),
            # Scheduled jobs (lms/jobs/): the scheduler's catch-up tick (runs any job whose current period
            # has not run: missed while stopped, crashed, failed), how long a claimed run may go without
            # finishing before another process takes it over where no database lock tells (SQLite), and
            # how often a failed period is tried. Web workers run a scheduler only with
            # LMS_SCHEDULER_IN_PROCESS=1 (the quick start); production runs `flask lms scheduler`.
            "SCHEDULER_IN_PROCESS": env.get("LMS_SCHEDULER_IN_PROCESS") == "1",
            "SCHEDULER_TICK_SECONDS": _int_env(env, "SCHEDULER_TICK_SECONDS", 60),
            "JOB_STALE_SECONDS": _int_env(env, "JOB_STALE_SECONDS", 1800),
            "JOB_MAX_ATTEMPTS": _int_env(env, "JOB_MAX_ATTEMPTS", 3),
            # Reminder rules: a defect still breaching its SLA this long after the breach goes to the
            # admins; "measure the effect" this many days after a fix; an award waiting this long for
            # approval is a reminder; a webhook that does not answer within this long failed.
            "DEFECT_ESCALATE_HOURS": _int_env(env, "DEFECT_ESCALATE_HOURS", 2),
            "CONTRIBUTION_MEASURE_DAYS": _int_env(env, "CONTRIBUTION_MEASURE_DAYS", 21),
            "AWARD_APPROVAL_DAYS": _int_env(env, "AWARD_APPROVAL_DAYS", 7),
            "WEBHOOK_TIMEOUT_SECONDS": _int_env(env, "WEBHOOK_TIMEOUT_SECONDS", 5),
            # The dashboard's figures are computed at most this often per scope and language
            # (report_snapshots, shared by every worker); 0: on every request.
            "REPORT_CACHE_SECONDS": _int_env(env, "REPORT_CACHE_SECONDS", 60),
            # Links in e-mails are built on this address, never on the request's Host header
            # (which a "forgot password" requester controls); unset: the request's own.
            "PUBLIC_URL": (env.get("PUBLIC_URL") or "").rstrip("/"),
            **mail_settings(env),
            # Behind one reverse proxy, the client's IP (which throttling counts by) is in
            # X-Forwarded-For; trusting that header without a proxy would let anyone pick it.
            "PROXY_FIX": env.get("LMS_PROXY_FIX") == "1",
        }

    @classmethod
    def secret_key(cls, env: Mapping[str, str], folder: Path) -> str:
        return env.get("SECRET_KEY") or instance_secret_key(folder)

    @classmethod
    def database_url(cls, env: Mapping[str, str], folder: Path) -> str:
        return env.get("DATABASE_URL") or f"sqlite:///{folder / 'reskill.sqlite3'}"


class DevelopmentConfig(Config):
    """The quick start: SQLite and a generated key under instance/; DEBUG only with FLASK_DEBUG=1."""


class TestingConfig(Config):
    TESTING = True
    # Cheap hashing keeps the suite fast; production uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # nosec B105  # an algorithm name

    @classmethod
    def secret_key(cls, env: Mapping[str, str], folder: Path) -> str:
        return _TESTING_KEY

    @classmethod
    def database_url(cls, env: Mapping[str, str], folder: Path) -> str:
        return env.get("LMS_TEST_DATABASE_URL") or "sqlite://"

    @classmethod
    def from_env(cls, env: Mapping[str, str], folder: Path) -> dict:
        # A job held open between its work and its commit, so a test can kill a scheduler process
        # mid-run (tests/test_scheduler_processes.py); testing only, never read elsewhere.
        return {**super().from_env(env, folder), "JOB_PAUSE_SECONDS": float(env.get("LMS_JOB_PAUSE_SECONDS") or 0)}


class ProductionConfig(Config):
    DEBUG = False
    ALLOW_DEMO_DATA = False
    HSTS_SECONDS = 31536000
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def from_env(cls, env: Mapping[str, str], folder: Path) -> dict:
        problems = production_problems(env)
        if problems:
            raise ConfigError("Production refuses to start:\n- " + "\n- ".join(problems))
        settings = super().from_env(env, folder)
        if env.get("LMS_INSECURE_COOKIES") == "1":  # a trial over plain HTTP, never a real site
            settings.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
        else:
            # __Host-: the browser accepts the cookie only from this host over HTTPS,
            # so a sibling subdomain or a plain-HTTP page cannot plant one.
            settings.update(SESSION_COOKIE_NAME="__Host-session", REMEMBER_COOKIE_NAME="__Host-remember_token")
        return settings


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str) -> type[Config]:
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"LMS_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}") from None
