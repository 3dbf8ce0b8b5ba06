"""The grading page previews the weighted total and pass/fail as the mentor picks levels."""

from lms.extensions import db
from lms.models import Submission
from tests.e2e.helpers import Person
from tests.test_assessments import AI_TASK, GOOD_AI_ANSWERS, _submitted


def test_live_total_follows_the_levels_picked(app, live_server, browser, trainee_with_mentors):
    t = trainee_with_mentors
    sid = _submitted(app, t.trainee, AI_TASK, GOOD_AI_ANSWERS)
    with app.app_context():
        criteria = [c for c in db.session.get(Submission, sid).assessment.criteria if c.archived_at is None]
        codes = [(c.code, c.max_points) for c in criteria]
    person = Person(browser, live_server, t.ai.email, "en")
    page = person.page
    page.goto(f"{live_server}/mentor/submissions/{sid}")
    total = page.locator("#live-total")
    assert "choose a level for every criterion" in total.inner_text()
    page.check(f"input[name='c_{codes[0][0]}'][value='{codes[0][1]}']")  # one of three: no partial total
    assert "%" not in total.inner_text() and "choose a level for every criterion" in total.inner_text()
    for code, top in codes:  # all top levels: 100 %
        page.check(f"input[name='c_{code}'][value='{top}']")
    assert "100.0%" in total.inner_text() and "passes" in total.inner_text()
    for code, _top in codes:  # all zero: 0 %
        page.check(f"input[name='c_{code}'][value='0']")
    assert "0.0%" in total.inner_text() and "does not pass" in total.inner_text()
    # AI_TASK weights 30/40/30 with max 3: 3, 2, 2 → 76.7 %, as grading.weighted_score gives
    for (code, _top), points in zip(codes, (3, 2, 2), strict=True):
        page.check(f"input[name='c_{code}'][value='{points}']")
    assert "76.7%" in total.inner_text() and "passes" in total.inner_text()
    assert person.close() == []
