"""One request transaction: run a service call, commit when it succeeds, roll back
and show its DomainError otherwise (on the form field it names, or flashed), so
views stop repeating try / rollback / commit / flash."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Optional, TypeVar

from flask import flash

from lms.extensions import db
from lms.form_errors import show_error
from lms.services import Conflict, DomainError

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    result: Optional[T] = None
    error: Optional[DomainError] = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The HTTP status to answer with: 409 for a lost race, 400 for a broken rule."""
        if self.error is None:
            return 200
        return 409 if isinstance(self.error, Conflict) else 400


def commit_or_report(work: Callable[[], T], form=None, quiet: bool = False) -> Outcome[T]:
    """Run `work()`; commit on success; on DomainError roll back (nothing half
    written) and report the message on `form` or as a flash (`quiet`: not at all,
    the view shows `Outcome.error` itself)."""
    try:
        result = work()
    except DomainError as error:
        db.session.rollback()
        if quiet:
            pass
        elif form is not None:
            show_error(form, error)
        else:
            flash(error.message, "danger")
        return Outcome(error=error)
    db.session.commit()
    return Outcome(result=result)
