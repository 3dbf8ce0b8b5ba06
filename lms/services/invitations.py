"""Set-password links: invitations for accounts without a password, and "forgot password".

A link is `[invitation id, nonce]` signed with the app's key (itsdangerous), not a
random token stored hashed: the admin can copy a person's link again at any time
(the same row signs to the same link), and revoking or resending gives the row a new
nonce or ends it, so every copy of the old link stops working. The row decides
everything else (used, revoked, expired, the person deactivated), so a link is
single-use and expires even though the signature itself never does.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from lms.models import Enrollment, EnrollmentStatus, Invitation, LinkPurpose, LinkState, ResetRequest, User
from lms.models.base import utcnow
from lms.models.invitations import new_nonce
from lms.services.audit import record
from lms.services.auth import normalize_email
from lms.services.passwords import hash_password

SALT = "reskill.set-password"


@dataclass(frozen=True)
class Lifetimes:
    invite: timedelta = timedelta(days=7)
    reset: timedelta = timedelta(hours=1)

    def of(self, purpose: LinkPurpose) -> timedelta:
        return self.invite if purpose == LinkPurpose.INVITE else self.reset


class LinkProblem(Exception):
    """The link cannot be used; `state` says why (None: not a link of ours)."""

    def __init__(self, state: Optional[LinkState]):
        super().__init__(state)
        self.state = state


def token(invitation: Invitation, secret: str) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps([invitation.id, invitation.nonce])


def find(session: Session, value: str, secret: str, lifetimes: Lifetimes) -> Invitation:
    """The pending invitation a link names; raises LinkProblem when it is not usable."""
    try:
        invitation_id, nonce = URLSafeSerializer(secret, salt=SALT).loads(value)
    except (BadSignature, TypeError, ValueError):
        raise LinkProblem(None) from None
    invitation = session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or invitation.nonce != nonce:
        raise LinkProblem(LinkState.REVOKED)  # a resend or revoke gave the row a new nonce
    state = invitation.state(lifetimes.of(invitation.purpose))
    if state != LinkState.PENDING:
        raise LinkProblem(state)
    if not invitation.user.active:
        raise LinkProblem(LinkState.REVOKED)
    return invitation


def _end_live(session: Session, user_id: int, purposes=tuple(LinkPurpose)) -> list[Invitation]:
    live = list(session.scalars(sa.select(Invitation).where(
        Invitation.user_id == user_id, Invitation.purpose.in_(list(purposes)),
        Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))))
    for invitation in live:
        invitation.revoked_at = utcnow()
        invitation.nonce = new_nonce()
    return live


def invite(session: Session, actor: Optional[User], user: User, action: str = "invitation.create") -> Invitation:
    """A new invitation for `user`; any earlier one stops working. Audited."""
    _end_live(session, user.id, (LinkPurpose.INVITE,))
    invitation = Invitation(user_id=user.id, purpose=LinkPurpose.INVITE,
                            created_by_id=actor.id if actor is not None else None)
    invitation.user = user
    session.add(invitation)
    session.flush()
    record(session, actor, action, "user", user.id, after={"invitation_id": invitation.id})
    return invitation


def resend(session: Session, actor: User, user: User) -> Invitation:
    """A new link (with a new expiry) for someone who has not set a password; the old one dies."""
    return invite(session, actor, user, "invitation.resend")


def revoke(session: Session, actor: User, user: User) -> bool:
    """End the person's open invitation; False when there was none."""
    ended = _end_live(session, user.id, (LinkPurpose.INVITE,))
    if ended:
        record(session, actor, "invitation.revoke", "user", user.id,
               before={"invitation_id": ended[-1].id})
    return bool(ended)


def end_links(session: Session, user: User) -> None:
    """Every open link of `user` stops working (a password was set another way)."""
    _end_live(session, user.id)


def accept(session: Session, invitation: Invitation, password: str, hash_method: str = "scrypt") -> User:
    """Set the password through a checked link: the link is used up, every other open
    link of the person ends, and every session of theirs ends (the caller logs this
    one in with the new token). Audited as the person's own act."""
    user = invitation.user
    user.password_hash = hash_password(password, hash_method)
    user.end_sessions()
    user.last_login_at = utcnow()  # the link logs them in: the people page should not say "never"
    invitation.used_at = utcnow()  # before ending the others, so this one reads as used, not revoked
    _end_live(session, user.id)
    action = "invitation.accept" if invitation.purpose == LinkPurpose.INVITE else "person.password_reset"
    record(session, user, action, "user", user.id, after={"invitation_id": invitation.id})
    return user


def open_invitation(session: Session, user_id: int) -> Optional[Invitation]:
    """The person's latest invitation that is neither used nor revoked (it may have expired)."""
    return session.scalar(sa.select(Invitation).where(
        Invitation.user_id == user_id, Invitation.purpose == LinkPurpose.INVITE,
        Invitation.used_at.is_(None), Invitation.revoked_at.is_(None)).order_by(Invitation.id.desc()).limit(1))


def not_accepted(cohort_id: Optional[int] = None, ids: Optional[tuple[int, int]] = None,
                 created_by_id: Optional[int] = None) -> sa.Select:
    """Open invitations of active people who have no password yet, with their person,
    by name: all of them, those of one cohort's active enrollments, or those made
    between two ids by one admin (one import)."""
    stmt = (sa.select(Invitation, User).join(User, Invitation.user_id == User.id)
            .where(Invitation.purpose == LinkPurpose.INVITE, Invitation.used_at.is_(None),
                   Invitation.revoked_at.is_(None), User.password_hash.is_(None), User.active.is_(True))
            .order_by(User.name, User.id))
    if cohort_id is not None:
        stmt = stmt.where(User.id.in_(sa.select(Enrollment.trainee_id).where(
            Enrollment.cohort_id == cohort_id, Enrollment.status == EnrollmentStatus.ACTIVE)))
    if ids is not None:
        stmt = stmt.where(Invitation.id.between(*ids))
    if created_by_id is not None:
        stmt = stmt.where(Invitation.created_by_id == created_by_id)
    return stmt


def last_id(session: Session) -> int:
    """The highest invitation id so far: an import's invitations are the ones after it."""
    return session.scalar(sa.select(sa.func.max(Invitation.id))) or 0


# --- "forgot password" --------------------------------------------------------------


@dataclass(frozen=True)
class ResetThrottle:
    per_email: int = 5
    per_ip: int = 30
    window: timedelta = timedelta(hours=1)


@dataclass
class ResetOutcome:
    throttled: bool = False
    invitation: Optional[Invitation] = None  # None as well for an unknown or inactive email


def request_reset(session: Session, email: str, ip: str, throttle: ResetThrottle = ResetThrottle(),
                  issue: bool = True) -> ResetOutcome:
    """Record a "forgot password" request and, within the limits, make a reset link for
    an active account with this email (`issue=False`: only count, e.g. without mail). Commits.

    The request is committed before the limits are counted, so parallel requests see
    each other (as login does); a refused one is deleted again so hammering does not
    extend the lock. Unknown emails are counted exactly like known ones.
    """
    email = normalize_email(email)
    attempt = ResetRequest(email=email, ip=ip)
    session.add(attempt)
    session.commit()
    since = utcnow() - throttle.window

    def count(*where) -> int:
        return session.scalar(sa.select(sa.func.count(ResetRequest.id)).where(
            ResetRequest.at >= since, ResetRequest.id != attempt.id, *where))

    if count(ResetRequest.email == email) >= throttle.per_email or count(ResetRequest.ip == ip) >= throttle.per_ip:
        session.delete(attempt)
        session.commit()
        return ResetOutcome(throttled=True)
    session.execute(sa.delete(ResetRequest).where(ResetRequest.at < utcnow() - timedelta(days=2)))
    user = session.scalar(sa.select(User).where(User.email == email, User.active.is_(True)))
    outcome = ResetOutcome()
    if user is not None and issue:
        _end_live(session, user.id, (LinkPurpose.RESET,))
        outcome.invitation = Invitation(user_id=user.id, purpose=LinkPurpose.RESET)
        outcome.invitation.user = user
        session.add(outcome.invitation)
        session.flush()
    session.commit()
    return outcome
