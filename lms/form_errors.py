"""Showing a service's DomainError on the form that caused it."""

from flask import flash

from lms.services import DomainError


def show_error(form, error: DomainError) -> None:
    """Attach the message to the named field, or flash it when no field fits."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        flash(error.message, "danger")
