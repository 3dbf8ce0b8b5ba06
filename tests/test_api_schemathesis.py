"""schemathesis against the served OpenAPI document: every operation of /api/v1, called in
process (the WSGI app, no network) with an admin's write token on a small program (a cohort with
mentors, a placed person and their agent, a defect, hand-off events), with data the document
allows and data it does not. No answer may be a 5xx, and every answer must conform to the
document: its status documented for the operation, its content type, its body's schema.

Bounded for CI: a fixed number of examples per operation and mode, derandomized (hypothesis
seeds from the test, not the clock), no shrinking (a failure is reported as generated)."""

import re
import traceback
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lms.api.schemas import NO_CONTROL_CHARS
from lms.extensions import db
from lms.models.base import utcnow
from lms.services import handoffs
from lms.services.buffer_clock import BufferSettings
from lms.services.text import has_control_chars
from tests.api_helpers import make_token
from tests.buffer_fixtures import place
from tests.defect_fixtures import log

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SEVERITIES = ["high", "medium", "low"]
EXAMPLES = 12  # per operation and mode: about 360 calls, 10–15 s of CPU
# Every operation the document must have: a new one is fuzzed only once it is listed here.
OPERATIONS = {
    "GET /api/v1/awards", "GET /api/v1/cohorts", "GET /api/v1/cohorts/{cohort_id}",
    "GET /api/v1/cohorts/{cohort_id}/trainees", "POST /api/v1/cohorts/{cohort_id}/enrollments",
    "GET /api/v1/defects", "POST /api/v1/defects", "POST /api/v1/handoff-events", "GET /api/v1/placements",
    "GET /api/v1/trainees/{trainee_id}",
}


@pytest.fixture
def program(app, trainee_with_mentors, make_user):
    """An admin's write token on a cohort whose trainee is placed, with a defect and hand-off events."""
    admin = make_user("admin", name="管理员")
    start = date.today() - timedelta(days=10)  # a buffer period running now: defects may be logged
    email = trainee_with_mentors.trainee.email
    with app.test_request_context():
        placement_id = place(db.session, trainee_with_mentors.enrollment_id, start)
        log(db.session, placement_id, utcnow())
        report = handoffs.ingest(db.session, None, [_event(f"EV-{n}", email, start, n) for n in range(3)],
                                 BufferSettings.from_config(app.config))
        assert report.ok, report.errors
        db.session.commit()
    return SimpleNamespace(token=make_token(app, admin, "write"), email=email, start=start,
                           cohort_id=trainee_with_mentors.cohort_id, trainee_id=trainee_with_mentors.trainee.id)


def _event(external_id: str, email: str, start: date, n: int) -> dict:
    day = start + timedelta(days=1 + n % 7)
    return {"external_id": external_id, "trainee": email, "agent": "cs-bot",
            "flagged_at": f"{day}T10:{n % 60:02d}:00+08:00", "responded_at": f"{day}T11:{n % 60:02d}:00+08:00",
            "complex": n % 2 == 0, "cross_team": False}


def _realistic(case, facts):
    """The generated case aimed at the rows that exist (so the success paths run on fuzzed text):
    real ids in the path, no opaque cursor, and bodies naming the placed person, their agent, a
    severity of the scale and times in their buffer period."""
    for name in ("cohort_id", "trainee_id"):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = getattr(facts, name)
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
    body = case.body
    if case.operation.label == "POST /api/v1/defects" and isinstance(body, dict):
        pick = len(str(body.get("intent")))
        body.update(reporter=facts.email, severity=SEVERITIES[pick % 3], item_id=None)
        if pick % 2:  # else the generated time, mostly outside the buffer period (a 422 to check)
            body["seen_at"] = None
    elif case.operation.label == "POST /api/v1/handoff-events" and isinstance(body, dict):
        body["events"] = [{**_event(f"X{n}", facts.email, facts.start, n),
                           **{k: e[k] for k in ("external_id", "complex", "cross_team", "category") if k in e}}
                          for n, e in enumerate(body.get("events") or []) if isinstance(e, dict)]
    elif case.operation.label.endswith("/enrollments") and isinstance(body, dict):
        for n, row in enumerate(body.get("trainees") or []):
            if isinstance(row, dict):
                row.update(email=f"fuzz{n}@example.com", name=row.get("name") or f"学员 {n}",
                           target_role="collab_cs", source_role="客服")
    return case


def _fuzz(strategy, headers: dict, failures: list, statuses: list) -> None:
    """Call and check `EXAMPLES` cases of `strategy`, noting each failure (the run goes on)."""

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        try:
            statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)
        except Exception as error:  # noqa: BLE001  # collected: every failing operation is listed
            where = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(f"{case.operation.label}: {type(error).__name__} at {where.filename}:{where.lineno}: "
                            f"{error}\n  sent: path {case.path_parameters} query {case.query} "
                            f"body {str(case.body)[:400]}")

    run()


def test_every_operation_answers_as_documented(app, program, monkeypatch):
    # An unhandled error answers 500 as in production and the request ends cleanly, so the next
    # example runs on a clean app (schemathesis still reports the error with where it was raised).
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers={"Accept-Language": "en"})
    operations = {op.label: op for op in (result.ok() for result in schema.get_all_operations())}
    assert set(operations) == OPERATIONS
    headers = {"Authorization": f"Bearer {program.token}", "Accept-Language": "en"}
    failures, statuses = [], {}
    for label, operation in sorted(operations.items()):
        strategies = {
            "positive": operation.as_strategy(GenerationMode.POSITIVE),
            "aimed": operation.as_strategy(GenerationMode.POSITIVE).map(lambda case: _realistic(case, program)),
            "negative": operation.as_strategy(GenerationMode.NEGATIVE),
        }
        for mode, strategy in strategies.items():
            _fuzz(strategy, headers, failures, statuses.setdefault((label, mode), []))
    first = {}  # the first failure of each operation, and how many
    for failure in failures:
        first.setdefault(failure.split(":", 1)[0], [failure, 0])[1] += 1
    assert not failures, "\n\n".join(f"({n}×) {text}" for text, n in first.values())
    # The aimed cases reached the success path of every operation (not only 401 / 404 / 422).
    unreached = [label for label in OPERATIONS if not any(200 <= s < 300 for s in statuses[(label, "aimed")])]
    assert not unreached, unreached


def test_the_document_states_the_text_rule_the_api_enforces(app, openapi_document):
    """Every text field of a request says in its pattern what `_no_control_chars` refuses, and
    the pattern and the rule agree on every character they name and their neighbours."""
    pattern = re.compile(NO_CONTROL_CHARS)
    for code in [*range(0x00, 0xA1), *range(0x2020, 0x2070), 0x3000, 0xFEFF, 0x1F600]:
        char = chr(code)
        assert (pattern.search(f"a{char}b") is None) == has_control_chars(char), hex(code)
    event = openapi_document.doc["components"]["schemas"]["HandoffEventIn"]["properties"]
    assert event["external_id"]["pattern"] == NO_CONTROL_CHARS and event["external_id"]["minLength"] == 1
    assert event["category"]["pattern"] == NO_CONTROL_CHARS and "minLength" not in event["category"]
