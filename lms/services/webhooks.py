"""Each program's outgoing webhook: an http(s) address and the secret its messages are signed
with (lms/services/sending.py). The secret is generated here (or typed by the admin, when the
relay gave one) and shown once; pages show only its last characters, and the address with
its query hidden (bot addresses carry their key there)."""

import ipaddress
import re
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
# RFC 3986's characters less the single quote, %-escapes well formed: no space, quote or angle
# bracket ever reaches a page's markup or the relay's request line.
_URL_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=]|%[0-9A-Fa-f]{2})+")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _host_ok(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in host.rstrip(".").split("."))


def forbidden_address(address: str) -> bool:
    """Addresses a relay never has: link-local (the cloud metadata service at 169.254.169.254),
    multicast, unspecified and reserved ones. Loopback and private networks stay allowed: a relay
    inside the company's network, or beside the app, is the usual set-up (README)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved


def _literal_forbidden(host: str) -> bool:
    try:
        return forbidden_address(host)
    except ValueError:  # a name: checked again, resolved, at sending time
        return False


def _port_ok(parts) -> bool:
    try:
        parts.port  # noqa: B018  # raises for a port that is not a number in range
    except ValueError:
        return False
    return True


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and not _URL_CHARS.fullmatch(url):
        raise DomainError(str(_l("An address has no spaces, quotes or angle brackets: copy it as the relay "
                                 "gives it.")), field="url")
    if parts.scheme not in ("http", "https") or not parts.hostname or not _host_ok(parts.hostname) \
            or not _port_ok(parts):
        raise DomainError(str(_l("Give the relay's address, starting with https:// (or http:// inside your "
                                 "network).")), field="url")
    if parts.username or parts.password:
        raise DomainError(str(_l("Leave the user name and password out of the address.")), field="url")
    if _literal_forbidden(parts.hostname):
        raise DomainError(str(_l("This address cannot be a relay (link-local, multicast or reserved).")),
                          field="url")
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
