"""Each program's outgoing webhook: an http(s) address and the secret its messages are signed
with (lms/services/sending.py). The secret is generated here (or typed by the admin, when the
relay gave one) and shown once; pages show only its last characters, and the address with
its query hidden (bot addresses carry their key there)."""

import secrets
from typing import Optional
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import Program, ProgramWebhook
from lms.models.base import utcnow
from lms.services import DomainError
from lms.services.audit import record

MIN_SECRET = 16


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise DomainError(str(_l("Give the relay's address, starting with https:// (or http:// inside your "
                                 "network).")), field="url")
    if parts.username or parts.password:
        raise DomainError(str(_l("Leave the user name and password out of the address.")), field="url")
    return url


def shown_url(url: str) -> str:
    """The address as pages show it: the query (a bot's key) hidden."""
    parts = urlsplit(url)
    return parts._replace(query="…" if parts.query else "", fragment="").geturl()


def shown_secret(secret: str) -> str:
    return "…" + secret[-4:]


def save(session: Session, actor, program: Program, url: str, active: bool, secret: Optional[str] = None,
         new_secret: bool = False) -> Optional[str]:
    """Save the program's webhook. A typed secret replaces the old one; `new_secret` (or a first
    save without one) generates one. Returns a generated secret, to show this once."""
    url = check_url(url)
    secret = (secret or "").strip()
    if secret and len(secret) < MIN_SECRET:
        raise DomainError(str(_l("A secret needs at least %(n)d characters; leave it empty to have one made.",
                                 n=MIN_SECRET)), field="secret")
    hook = session.get(ProgramWebhook, program.id)
    generated = None
    if not secret and (hook is None or new_secret):
        secret = generated = secrets.token_urlsafe(32)
    if hook is None:
        hook = ProgramWebhook(program_id=program.id, url=url, secret=secret, active=active)
        session.add(hook)
    else:
        hook.url, hook.active = url, active
        if secret:
            hook.secret = secret
    hook.updated_by_id, hook.updated_at = (actor.id if actor else None), utcnow()
    record(session, actor, "webhook.save", "program", program.id,
           after={"url": shown_url(url), "active": active, "new_secret": bool(secret)})
    session.flush()
    return generated
