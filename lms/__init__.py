"""Reskill: the app factory."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ConfigError, config_class, instance_dir
from lms.extensions import babel, bootstrap, csrf, db, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app: read config, bind extensions, register blueprints and CLI.

    The environment is read here, not at import: production raises `config.ConfigError`
    before anything is built when it is not safe to run.
    """
    name = config_name or os.environ.get("LMS_CONFIG")
    if name is None and not (os.environ.get("DATABASE_URL") or "sqlite").startswith("sqlite"):
        # An operator who set a server database but forgot LMS_CONFIG would get
        # development (no Secure cookies, no HSTS, demo data allowed): refuse.
        raise ConfigError("DATABASE_URL names a database server but LMS_CONFIG is unset: set "
                          "LMS_CONFIG=production, or LMS_CONFIG=development to develop against it")
    config = config_class(name or "development")
    folder = instance_dir(os.environ)
    settings = config.from_env(os.environ, folder)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(folder),
    )
    app.config.from_object(config)
    app.config.update(settings)
    app.config.update(overrides or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX"]:
        # One proxy in front: take the client's address, scheme and host from its X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from lms import models  # noqa: F401  (register every table with the metadata)
    from lms.db_setup import configure_engine_events

    db.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    mail.init_app(app)

    from lms.i18n import init_i18n
    from lms.login import init_login

    init_login(app, login_manager)
    init_i18n(app, babel)

    from lms.templating import init_templating

    init_templating(app)

    from lms.labels import init_labels

    init_labels(app)

    from lms import converters, input_guard, permissions

    app.url_map.converters["int"] = converters.BoundedIntConverter  # before any rule is added
    app.before_request(input_guard.refuse_control_chars)
    app.before_request(permissions.enforce)

    from lms.security_headers import init_security_headers

    init_security_headers(app)

    from lms.admin import bp as admin_bp
    from lms.auth import bp as auth_bp
    from lms.catalog import bp as catalog_bp
    from lms.lead import bp as lead_bp
    from lms.main import bp as main_bp
    from lms.mentor import bp as mentor_bp
    from lms.trainee import bp as trainee_bp
    from lms.triage import bp as triage_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(mentor_bp)
    app.register_blueprint(trainee_bp)
    app.register_blueprint(lead_bp)
    app.register_blueprint(triage_bp)

    from lms.api import init_api

    init_api(app)

    from lms.errors import register_error_handlers

    register_error_handlers(app)

    from lms.cli import register_cli

    register_cli(app)
    if app.config["SCHEDULER_IN_PROCESS"]:  # the quick start; production runs `flask lms scheduler`
        from lms.jobs.scheduler import attach_in_process

        attach_in_process(app)
    return app
