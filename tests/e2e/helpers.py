"""What the browser tests share: logging in through the form, a watch that fails a test on
any console error or failed request, axe-core's accessibility check and step screenshots."""

import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_FILE_PATH, AXE_SCRIPT

from tests.conftest import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCALES = ["zh_CN", "en"]
# Screenshots of the journeys land here (a CI artefact folder, gitignored); LMS_ARTIFACTS moves it.
ARTIFACTS = Path(os.environ.get("LMS_ARTIFACTS") or Path(__file__).resolve().parents[2] / "artifacts")


def switch_locale(page, locale: str) -> None:
    """The navbar's language button on the page shown (opening the collapsed menu on a phone)."""
    if page.viewport_size and page.viewport_size["width"] < 992:
        page.click(".navbar-toggler")
    with page.expect_navigation():  # the choice posts, then the same page comes back in that language
        page.click(f"button[name=locale][value={locale}]")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if locale == "zh_CN" else "en")


def choose_locale(page, base: str, locale: str) -> None:
    """Pick the language on the login page, before logging in."""
    page.goto(f"{base}/auth/login")
    switch_locale(page, locale)


def login(page, base: str, email: str, locale: str, password: str = PASSWORD) -> None:
    """Log in through the login form, choosing the language there first."""
    choose_locale(page, base, locale)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)


class Watch:
    """Everything that went wrong in one page: console errors, uncaught script errors, any
    response of 400 or more and any request that failed to load.

    A test that provokes an error answer on purpose says so with `expecting(status)`."""

    def __init__(self, page):
        self.errors: list[str] = []
        self._expected: list[int] = []
        self.expected_seen: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    @staticmethod
    def _ours(url: str) -> bool:
        # The CSP lets pages load from their own origin only, so every http(s) request is the app's.
        return url.startswith(("http://", "https://"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs every error answer once more on the console; the response handler judges those.
        if re.search(r"the server responded with a status of \d+", message.text):
            return
        self.errors.append(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.status < 400 or not self._ours(response.url):
            return
        where = f"{response.status} {response.request.method} {urlsplit(response.url).path}"
        if response.status in self._expected:
            self.expected_seen.append(where)
        else:
            self.errors.append(f"response: {where}")

    def _failed(self, request) -> None:
        if self._ours(request.url):
            self.errors.append(f"request failed: {request.method} {request.url} {request.failure}")

    @contextmanager
    def expecting(self, status: int):
        """Within the block an answer of `status` is what the test provoked (and it must come)."""
        before = len(self.expected_seen)
        self._expected.append(status)
        try:
            yield
        finally:
            self._expected.remove(status)
        assert len(self.expected_seen) > before, f"expected a {status} answer"


class Person:
    """One browser context for one person (logged in; None: nobody yet), its page, and what
    went wrong in it."""

    def __init__(self, browser, base: str, email: Optional[str], locale: str, password: str = PASSWORD,
                 viewport: dict = DESKTOP, **context_args):
        self.context = browser.new_context(viewport=viewport, **context_args)
        self.page = self.context.new_page()
        self.watch = Watch(self.page)
        self.base = base
        self.closed = False
        if email:
            login(self.page, base, email, locale, password)
        else:
            choose_locale(self.page, base, locale)

    def goto(self, path: str):
        return self.page.goto(self.base + path)

    def close(self) -> list[str]:
        if not self.closed:
            self.context.close()
            self.closed = True
        return self.watch.errors


# Only these fail a test; "moderate" and "minor" findings are reported by axe but advisory.
FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page, where: str = "") -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per rule."""
    if page.evaluate("typeof window.axe === 'undefined'"):
        page.evaluate(AXE_SCRIPT)
        if not getattr(page.context, "axe_init_script", False):
            # and into every page the context opens from now on: cheaper than sending it each time
            page.context.add_init_script(path=AXE_FILE_PATH)
            page.context.axe_init_script = True
    results = page.evaluate("axe.run({resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        found.append(f"{where or urlsplit(page.url).path}: {violation['id']} ({violation['impact']}) "
                     f"×{len(violation['nodes'])}: {targets}")
    return found


class Steps:
    """Numbered screenshots of a journey, `ARTIFACTS/journeys/<locale>/<NN-step>.png`, and the axe
    check of every page shown: `steps.shot(page, "trainee-submits")` after each step."""

    def __init__(self, name: str, locale: str):
        self.folder = ARTIFACTS / name / locale
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):  # a rerun shows this run only
            old.unlink()
        self.count = 0
        self.violations: list[str] = []

    def shot(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        self.violations += axe_violations(page, f"{self.count:02d}-{step} {urlsplit(page.url).path}")
        return path


# Table cells whose Chinese text wraps about one character per line: their content box is
# narrower than two characters. Such a table must scroll in its box rather than squeeze.
_SQUEEZED = """() => Array.from(document.querySelectorAll("table th, table td")).filter((cell) => {
  if (!/[\\u3400-\\u9fff]{2}/.test(cell.innerText) || !cell.getClientRects().length) return false;
  if (cell.querySelector(":scope > .visually-hidden:only-child")) return false;  // a heading for screen readers
  const style = getComputedStyle(cell);
  const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return inner < 2 * parseFloat(style.fontSize);
}).map((cell) => cell.innerText.trim().slice(0, 12))"""


def squeezed_cells(page) -> list[str]:
    return page.evaluate(_SQUEEZED)


def pass_tier(app, trainee_email: str, tier_code: str, skip: tuple[str, ...] = ()) -> None:
    """Every required assessment of a tier of the trainee's role, but those in `skip`, handed in
    with the demo's strong answers and passed by the trainee's own mentors, through the same
    services as the pages (as `flask lms demo` does): the weeks of work a journey does not
    click through one by one."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import Assessment, Enrollment, MentorAssignment, User
    from lms.services import progress
    from lms.services.demo_activity import _grade_all, _submit
    from lms.services.demo_answers import STRONG

    with app.app_context():
        trainee = db.session.scalar(sa.select(User).where(User.email == trainee_email))
        enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.trainee_id == trainee.id))
        mentors = {a.kind: a.mentor for a in db.session.scalars(sa.select(MentorAssignment).where(
            MentorAssignment.enrollment_id == enrollment.id, MentorAssignment.ended_at.is_(None)))}
        tiers = progress.role_outline(db.session, enrollment.cohort.program, enrollment.target_role.value)
        passed = progress.passed_assessment_ids(db.session, trainee.id)
        for item in progress.required_assessments(next(t for t in tiers if t.code == tier_code)):
            if item.code not in skip and item.id not in passed:
                submission = _submit(db.session, trainee, db.session.get(Assessment, item.id),
                                     app.config["UPLOAD_FOLDER"], STRONG)
                _grade_all(db.session, submission, mentors, 3, "好 good")
        db.session.commit()
