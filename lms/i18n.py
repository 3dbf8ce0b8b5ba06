"""Locale choice: the user's saved preference, else the session's, else zh_CN."""

from flask import current_app, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            return current_user.locale
        if session.get("locale") in languages:
            return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_i18n(app, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages():
        return {"languages": app.config["LANGUAGES"], "current_locale": select_locale()}
