"""Set-password links as addresses, and e-mailing them (Flask-Mail) in each person's language.

Links in e-mails are built on PUBLIC_URL when it is set, never on a Host header a
"forgot password" requester could forge; without it (development) on the request's
own address.
"""

import smtplib
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from babel.dates import format_datetime, get_timezone, get_timezone_name
from flask import current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Connection, Message

from lms.extensions import db
from lms.models import Invitation, LinkPurpose
from lms.models.base import utcnow
from lms.services import invitations as links


def lifetimes() -> links.Lifetimes:
    cfg = current_app.config
    return links.Lifetimes(invite=timedelta(days=cfg["INVITATION_DAYS"]),
                           reset=timedelta(minutes=cfg["PASSWORD_RESET_MINUTES"]))


def link_for(invitation: Invitation) -> str:
    value = links.token(invitation, current_app.config["SECRET_KEY"])
    base = current_app.config["PUBLIC_URL"]
    if base:
        return base + url_for("auth.set_password", token=value)
    return url_for("auth.set_password", token=value, _external=True)


def expires_at(invitation: Invitation) -> datetime:
    return invitation.expires_at(lifetimes().of(invitation.purpose))


def local_text(moment: datetime, locale: str) -> str:
    """A stored UTC time as plain text in the program's zone, with its name (for CSV and mail)."""
    zone = get_timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return f"{format_datetime(moment, 'yyyy-MM-dd HH:mm', tzinfo=zone, locale=locale)} " \
           f"{get_timezone_name(zone, locale=locale)}"


class _Connection(Connection):
    """Flask-Mail's connection with a timeout (it has none): a mail server that stops
    answering must not hold an admin's request, and the worker, for ever."""

    def configure_host(self) -> smtplib.SMTP:
        kind = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = kind(self.mail.server, self.mail.port, timeout=current_app.config["MAIL_TIMEOUT_SECONDS"])
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _message(invitation: Invitation) -> Message:
    user = invitation.user
    with force_locale(user.locale):
        invite = invitation.purpose == LinkPurpose.INVITE
        subject = _("Your Reskill account: set your password") if invite else _("Reset your Reskill password")
        body = render_template("mail/invitation.txt" if invite else "mail/reset.txt", user=user,
                               link=link_for(invitation), expires=local_text(expires_at(invitation), user.locale))
    return Message(subject=subject, recipients=[user.email], body=body)


def send(items: Iterable[Invitation]) -> list[Invitation]:
    """E-mail each link (one SMTP connection); record on each row whether it went out.
    Returns the invitations that could not be sent; the links stay valid either way.
    The caller commits."""
    items = list(items)
    failed: list[Invitation] = []
    if not items or not mail_enabled():
        return failed
    messages = [(item, _message(item)) for item in items]  # before connecting: nothing else can fail
    sent: set[int] = set()
    try:
        with _Connection(current_app.extensions["mail"]) as connection:
            for item, message in messages:
                try:
                    connection.send(message)
                except Exception as error:  # noqa: BLE001  # one refused address must not stop the rest
                    _failed(item, error, failed)
                else:
                    item.emailed_at, item.mail_error = utcnow(), None
                    sent.add(item.id)
    except Exception as error:  # noqa: BLE001  # server down or refusing us: report it, keep the links
        for item, _msg in messages:
            if item.id not in sent and item not in failed:
                _failed(item, error, failed)
    return failed


def _failed(item: Invitation, error: Exception, failed: list) -> None:
    current_app.logger.warning("mail to user %s failed: %s", item.user_id, error)
    item.mail_error = f"{type(error).__name__}: {error}"[:255]
    failed.append(item)


def send_later(invitation_id: int) -> None:
    """E-mail one link from a thread, after the response: a "forgot password" answer
    takes the same time whether or not an e-mail goes out."""
    app = current_app._get_current_object()
    base_url = app.config["PUBLIC_URL"] or request.url_root  # production requires PUBLIC_URL with mail

    def run() -> None:
        with app.test_request_context(base_url=base_url):
            try:
                invitation = db.session.get(Invitation, invitation_id)
                if invitation is not None:
                    send([invitation])
                    db.session.commit()
            except Exception:  # nobody waits on this thread: log, the person can ask again
                app.logger.exception("e-mailing reset link %s failed", invitation_id)
            finally:
                db.session.remove()

    threading.Thread(target=run, daemon=True).start()
