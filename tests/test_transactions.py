"""The request-transaction helper: commit on success, roll back and report otherwise."""

import sqlalchemy as sa
from flask import get_flashed_messages

from lms.models import Cohort
from lms.services import Conflict, DomainError
from lms.services import cohorts as cohort_service
from lms.transactions import commit_or_report


def _values(code):
    from datetime import date

    return {"code": code, "name": "Name", "start_date": date(2026, 9, 7)}


def test_success_is_committed(session, catalog):
    from lms.models import Program

    program = session.get(Program, catalog)
    outcome = commit_or_report(lambda: cohort_service.create_cohort(session, None, program, _values("OK1")))
    assert outcome.ok and outcome.status == 200
    session.expire_all()
    session.rollback()  # a commit happened: rolling back now loses nothing
    assert session.scalar(sa.select(Cohort.code)) == "OK1"


def test_a_broken_rule_rolls_back_everything_and_is_flashed(session, catalog):
    from lms.models import Program

    program = session.get(Program, catalog)

    def half_then_fail():
        cohort_service.create_cohort(session, None, program, _values("HALF"))
        raise DomainError("nope")

    outcome = commit_or_report(half_then_fail)
    assert not outcome.ok and outcome.status == 400
    assert session.scalar(sa.select(Cohort.id)) is None
    assert get_flashed_messages(with_categories=True) == [("danger", "nope")]


def test_a_lost_race_answers_409_and_a_field_error_lands_on_the_form(session):
    class Field:
        errors: list = []

    form = type("Form", (), {"code": Field()})()

    def fail():
        raise Conflict("taken", field="code")

    outcome = commit_or_report(fail, form)
    assert outcome.status == 409 and form.code.errors == ["taken"]
