"""Sending the outbox (lms/services/outbox.py): e-mail through Flask-Mail and each program's
webhook, a signed JSON POST. At least once: a delivery is leased before it is sent and marked
sent after, so a sender that dies between the two leaves it to be sent again when the lease
ends (the webhook's `X-Reskill-Delivery` id lets a relay drop a repeat). Quiet hours are
checked again at sending time, so a change of the person's hours counts."""

import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy.orm import Session, joinedload

from lms.models import Delivery, DeliveryChannel, DeliveryState, Notification, Program, ProgramWebhook
from lms.notification_texts import details, headline
from lms.services import webhooks
from lms.services.quiet_hours import held_until

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=10)
BATCH = 200
SIGNATURE_HEADER = "X-Reskill-Signature"
TIMESTAMP_HEADER = "X-Reskill-Timestamp"
DELIVERY_HEADER = "X-Reskill-Delivery"


@dataclass(frozen=True)
class SendSettings:
    timezone: str
    public_url: str  # links are built on it; unset: messages carry no link
    webhook_timeout: int


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 over "<timestamp>.<raw body>" with the webhook's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


_DUE = (sa.select(Delivery.id)
        .where(Delivery.state == DeliveryState.PENDING, Delivery.deliver_after <= sa.bindparam("now"),
               sa.or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < sa.bindparam("now")))
        .order_by(Delivery.urgent.desc(), Delivery.deliver_after, Delivery.id).limit(BATCH))


def _lease(session: Session, delivery_id: int, now: datetime) -> bool:
    return session.execute(
        sa.update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING,
               sa.or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))
        .values(claimed_until=now + LEASE, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount == 1


def send_due(session: Session, now: datetime, settings: SendSettings) -> dict[str, int]:
    """Send every delivery due at `now`, committing each one's lease and result as it goes."""
    counts = {"sent": 0, "held": 0, "failed": 0}
    with ExitStack() as stack:
        smtp = []  # one SMTP connection for the batch, opened at the first e-mail

        def connection():
            if not smtp:
                from lms.invitation_links import _Connection  # Flask-Mail's connection with a timeout

                smtp.append(stack.enter_context(_Connection(current_app.extensions["mail"])))
            return smtp[0]

        for delivery_id in session.scalars(_DUE, {"now": now}).all():
            if not _lease(session, delivery_id, now):
                session.rollback()
                continue  # another sender has it
            session.commit()
            delivery = session.scalar(
                sa.select(Delivery).where(Delivery.id == delivery_id)
                .options(joinedload(Delivery.notification).joinedload(Notification.user)))
            outcome = _deliver(session, delivery, now, settings, connection)
            counts[outcome] += 1
            session.commit()
    return counts


def _deliver(session: Session, delivery: Delivery, now: datetime, settings: SendSettings, connection) -> str:
    user = delivery.notification.user
    if not delivery.urgent:
        until = held_until(user.quiet_start, user.quiet_end, now, settings.timezone)
        if until is not None:  # the hours changed since it was queued: hold it again
            delivery.deliver_after, delivery.held, delivery.claimed_until = until, True, None
            delivery.attempts -= 1
            return "held"
    try:
        if delivery.channel == DeliveryChannel.EMAIL:
            connection().send(email_message(delivery.notification, settings))
        else:
            post_webhook(session, delivery, settings)
    except Exception as error:  # noqa: BLE001  # a refused message is recorded and tried again later
        delivery.last_error = f"{type(error).__name__}: {error}"[:500]
        delivery.claimed_until = None
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            return "failed"
        delivery.deliver_after = now + timedelta(minutes=2 ** delivery.attempts)
        return "failed"
    delivery.state, delivery.sent_at, delivery.claimed_until, delivery.last_error = (
        DeliveryState.SENT, now, None, None)
    return "sent"


def link(note: Notification, settings: SendSettings) -> Optional[str]:
    if not settings.public_url:
        return None
    path = current_app.url_map.bind("localhost").build("main.notification_open", {"notification_id": note.id})
    return settings.public_url + path


def _texts(note: Notification) -> tuple[str, list[str]]:
    with force_locale(note.user.locale):
        return headline(note.kind.value, note.params), details(note.kind.value, note.params)


def email_message(note: Notification, settings: SendSettings) -> Message:
    user = note.user
    with force_locale(user.locale):
        title, lines = _texts(note)
        # the template alone: the app's context processors read the request, and a job has none
        body = current_app.jinja_env.get_template("mail/notification.txt").render(
            user=user, headline=title, lines=lines, link=link(note, settings))
    return Message(subject=f"Reskill: {title}", recipients=[user.email], body=body)


def webhook_body(session: Session, delivery: Delivery, settings: SendSettings) -> bytes:
    note, user = delivery.notification, delivery.notification.user
    title, lines = _texts(note)
    payload = {
        "id": delivery.id, "event": note.kind.value, "urgent": delivery.urgent,
        "program": session.scalar(sa.select(Program.code).where(Program.id == delivery.program_id)),
        "recipient": {"name": user.name, "email": user.email, "locale": user.locale},
        "title": title, "lines": lines, "url": link(note, settings),
        "created_at": note.created_at.replace(microsecond=0).isoformat() + "Z",
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, "the relay answered with a redirect", headers, fp)


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def _check_resolved(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for *_, address in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP):
        if webhooks.forbidden_address(address[0]):
            raise RuntimeError(f"{parts.hostname} resolves to {address[0]}, which cannot be a relay")


def post_webhook(session: Session, delivery: Delivery, settings: SendSettings) -> None:
    hook = session.get(ProgramWebhook, delivery.program_id)
    if hook is None or not hook.active:
        raise RuntimeError("the program's webhook was removed or switched off")
    body = webhook_body(session, delivery, settings)
    stamp = str(int(time.time()))
    request = urllib.request.Request(hook.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(hook.secret, stamp, body), DELIVERY_HEADER: str(delivery.id),
        "User-Agent": "Reskill-webhook/1"})
    # The address is an admin's http(s) URL, checked when saved (lms/services/webhooks.py); its name is
    # resolved and checked again here, and a redirect is not followed (it could lead anywhere).
    _check_resolved(hook.url)
    with _NO_REDIRECTS.open(request, timeout=settings.webhook_timeout) as response:  # nosec B310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(hook.url, response.status, "not 2xx", response.headers, None)
