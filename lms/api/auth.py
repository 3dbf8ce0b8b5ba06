"""Bearer-token authentication for /api/v1, called by `permissions.enforce` for every view
declared with `require_token`: the token names its holder, whose rights (the role table and
the object policies of lms/permissions.py) it carries within its scope.

The session cookie is never read here: an API call made from a logged-in browser is refused
like any other without a token, so a page on another site cannot ride on it (no CSRF).
"""

from flask import g, request
from flask_babel import lazy_gettext as _l

from lms.api.errors import problem
from lms.extensions import db
from lms.models import TokenScope, User
from lms.models.base import utcnow
from lms.permissions import TokenRule, token_permits, token_valid
from lms.services import api_tokens

REALM = 'Bearer realm="reskill"'


def _refuse(detail, error: str | None = "invalid_token"):
    challenge = f'{REALM}, error="{error}"' if error else REALM
    return problem(401, detail, kind="invalid-token" if error else None, headers={"WWW-Authenticate": challenge})


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def authenticate(rule: TokenRule):
    """None when the request's token may do what the view declares; else the 401 / 403 problem."""
    sent = _bearer()
    if sent is None:
        return _refuse(_l("Send a token: Authorization: Bearer <token>. Admins make tokens under "
                          "People → API tokens."), error=None)
    now = utcnow()
    token = api_tokens.find(db.session, sent)
    if token is None:
        return _refuse(_l("This is not a valid token."))
    holder = token.user
    if not token_valid(token, holder, now):
        if token.revoked_at is not None:
            return _refuse(_l("This token was revoked."))
        if token.expired(now):
            return _refuse(_l("This token has expired."))
        return _refuse(_l("The account holding this token is no longer active."))
    if not token_permits(token, holder, rule):
        read_only = token.scope == TokenScope.READ and rule.scope == TokenScope.WRITE
        detail = (_l("This token is read-only: this needs a write token.") if read_only
                  else _l("The account holding this token may not do this."))
        return problem(403, detail, kind="insufficient-scope",
                       headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope"'} if read_only else None)
    g.api_token_id, g.api_holder_id = token.id, holder.id
    g.api_holder = holder
    if api_tokens.touch(db.session, token, now):
        db.session.commit()
    return None


def holder() -> User:
    """The user whose token this request carries (only inside a `require_token` view)."""
    return g.api_holder


def current_token_id() -> int:
    return g.api_token_id

