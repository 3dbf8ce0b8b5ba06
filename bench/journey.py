"""The mixed load script: what one virtual user does, one journey after another, as a browser
would (forms fetched, their CSRF tokens and hidden fields posted back, redirects followed), and
as several people: a trainee logs in, opens their home and a lesson, marks it done and submits an
assessment; their AI mentor grades the oldest work in the queue; an admin opens the dashboards;
a placed person logs a defect of their agent.

Plain Python over a small `Browser` interface, so the same script runs under locust against
gunicorn (bench/locustfile.py) and through Flask's test client in the suite
(tests/test_bench_smoke.py), which keeps it from rotting.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import urlsplit

# Request names in the report, by path (the first match wins); the journey names its own
# requests, these name the pages redirects lead to.
PAGE_NAMES = [
    (r"/auth/login", "login form"),
    (r"/", "index (redirect)"),
    (r"/me/", "trainee home"),
    (r"/me/lessons/\d+", "lesson"),
    (r"/me/assessments/\d+", "assessment"),
    (r"/mentor/", "mentor home"),
    (r"/mentor/queue", "grading queue"),
    (r"/mentor/submissions/\d+", "submission"),
    (r"/admin/", "admin home"),
    (r"/me/buffer", "buffer home"),
    (r"/me/buffer/defects/new", "defect form"),
    (r"/me/buffer/defects/\d+", "defect page"),
]
QUEUE_LINK = re.compile(r'href="(/mentor/submissions/\d+)"')


class JourneyError(RuntimeError):
    """The app answered something a person could not go on from (named in the report)."""


@dataclass
class Page:
    status: int
    text: str
    location: str = ""  # of a redirect: path and query only


class Browser(Protocol):
    """One person's browser: keeps its cookies; never follows redirects by itself."""

    def get(self, path: str, name: str) -> Page: ...

    def post(self, path: str, data: dict[str, str], name: str) -> Page: ...

    def new_person(self) -> None:
        """Forget the cookies: the next requests come from someone else's browser."""


@dataclass
class Cast:
    """Who one virtual user plays, and what they open (ids from the seeded database)."""

    trainees: list[str]  # fresh trainees: each journey takes the next one (their first submission)
    mentor: str  # the AI mentor of those trainees
    admin: str
    placed: str  # a placed person with a running buffer period
    password: str
    lesson_id: int
    assessment_id: int
    answers: dict[str, str]  # field name → answer (without the form's f_ prefix)
    dashboards: list[tuple[str, str]]  # (name, path) of the admin's pages
    offset: int = 0  # the part this user starts with (see `part_of`)
    next_trainee: int = 0


def page_name(path: str) -> str:
    path = urlsplit(path).path
    for pattern, name in PAGE_NAMES:
        if re.fullmatch(pattern, path):
            return name
    return path


# --- forms -----------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    attrs: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)  # what a browser sends untouched
    options: dict[str, list[str]] = field(default_factory=dict)  # radio and select choices
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def filled(self, answers: dict[str, str], button: str | None = None) -> dict[str, str]:
        """The form as sent: its values, `answers` over them, and the button clicked (`name`,
        or `name=value` among buttons of one name)."""
        data = {**self.values, **answers}
        if button is not None:
            name, _, value = button.partition("=")
            sent = [v for n, v in self.buttons if n == name and (not value or v == value)]
            if not sent:
                raise JourneyError(f"no button {button} in the form")
            data[name] = sent[0]
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "submit":
                form.buttons.append((name, a.get("value", "")))
            elif kind == "radio":
                form.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.values[name] = a.get("value", "on")
            elif kind == "checkbox":
                if "checked" in a:
                    form.values[name] = a.get("value", "on")
            elif kind != "file":
                form.values[name] = a.get("value", "")
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            form.options[name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form.options[self._select].append(value)
            if "selected" in a or self._select not in form.values:
                form.values[self._select] = value

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            values = self.forms[-1].values  # a browser drops the newline that opens a textarea
            values[self._textarea] = re.sub(r"^\r?\n", "", values[self._textarea])
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].values[self._textarea] += data


def find_form(html: str, *, form_id: str | None = None, field: str | None = None, action: str | None = None) -> Form:
    """The form with this id, or posting to `action`, or the first one holding `field`."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (form_id and form.attrs.get("id") == form_id) or (action and form.action == action) or (
                field and (field in form.values or field in form.options)):
            return form
    raise JourneyError(f"no form {form_id or action or 'with ' + str(field)} on the page")


# --- the journey -----------------------------------------------------------------------


def _expect(page: Page, statuses: tuple[int, ...], what: str) -> Page:
    if page.status not in statuses:
        raise JourneyError(f"{what}: {page.status} (expected {'/'.join(map(str, statuses))})")
    return page


def follow(browser: Browser, page: Page, limit: int = 5) -> Page:
    """GET where a redirect points, as a browser does, until a page answers."""
    for _ in range(limit):
        if page.status not in (301, 302, 303, 307, 308):
            return page
        page = browser.get(page.location, page_name(page.location))
    raise JourneyError(f"more than {limit} redirects")


def log_in(browser: Browser, email: str, password: str) -> Page:
    browser.new_person()
    form = find_form(_expect(browser.get("/auth/login", "login form"), (200,), "login form").text, field="email")
    page = browser.post("/auth/login", form.filled({"email": email, "password": password}), "login")
    if page.status != 302 or "/auth/login" in page.location:
        raise JourneyError(f"login as {email}: {page.status} {page.location}")
    return _expect(follow(browser, page), (200,), f"home of {email}")


def trainee_part(browser: Browser, cast: Cast) -> None:
    """Log in, home, a lesson marked done, then the assessment submitted with its answers."""
    if cast.next_trainee >= len(cast.trainees):
        raise JourneyError("no fresh trainee left for this virtual user")
    email = cast.trainees[cast.next_trainee]
    cast.next_trainee += 1
    log_in(browser, email, cast.password)  # lands on the trainee home
    lesson = f"/me/lessons/{cast.lesson_id}"
    done = find_form(_expect(browser.get(lesson, "lesson"), (200,), "lesson").text, action=f"{lesson}/done")
    if ("done", "1") in done.buttons:  # not marked yet (a trainee an earlier run left half-way has)
        _expect(follow(browser, browser.post(f"{lesson}/done", done.filled({}, "done=1"), "lesson done")), (200,),
                "after lesson done")
    path = f"/me/assessments/{cast.assessment_id}"
    form = find_form(_expect(browser.get(path, "assessment"), (200,), "assessment").text, form_id="answer-form")
    answers = {f"f_{name}": value for name, value in cast.answers.items()}
    submitted = browser.post(path, form.filled(answers, "action=submit"), "submit")
    _expect(follow(browser, _expect(submitted, (302,), "submit")), (200,), "after submit")


def mentor_part(browser: Browser, cast: Cast) -> bool:
    """The AI mentor grades the oldest submission waiting in their queue (False: none waits)."""
    log_in(browser, cast.mentor, cast.password)
    queue = _expect(browser.get("/mentor/queue", "grading queue"), (200,), "grading queue")
    link = QUEUE_LINK.search(queue.text)
    if link is None:
        return False
    path = link.group(1)
    form = find_form(_expect(browser.get(path, "submission"), (200,), "submission").text, form_id="grade-form")
    levels = {name: max(values, key=int) for name, values in form.options.items() if name.startswith("c_")}
    data = form.filled({**levels, "feedback": "结构清晰，数据核对到位。"}, "submit")
    saved = browser.post(path, data, "grade")
    _expect(follow(browser, _expect(saved, (302,), "grade")), (200,), "after grade")
    return True


def admin_part(browser: Browser, cast: Cast) -> None:
    log_in(browser, cast.admin, cast.password)  # lands on the admin home
    for name, path in cast.dashboards:
        if path != "/admin/":
            _expect(browser.get(path, name), (200,), name)


def defect_part(browser: Browser, cast: Cast, n: int) -> None:
    """The placed person logs a defect of their agent; when similar open defects are shown
    first, they log theirs anyway (the form comes back marked as checked)."""
    log_in(browser, cast.placed, cast.password)
    _expect(browser.get("/me/buffer", "buffer home"), (200,), "buffer home")
    path = "/me/buffer/defects/new"
    form = find_form(_expect(browser.get(path, "defect form"), (200,), "defect form").text, form_id="defect-form")
    types = [v for v in form.options.get("type", []) if v]
    answers = {"type": types[n % len(types)], "intent": f"活动咨询 {n % 7}",
               "severity": form.options["severity"][n % len(form.options["severity"])],
               "excerpt": f"[20:{n % 60:02d}] 顾客：这款参加满300减50吗？电话 138-1234-5678\n"
                          "[20:31] 智能体：参加的！满300自动减50哦~",
               "agent_said": "参加满300减50", "should_say": "这款不参加当前满300减50活动。"}
    page = browser.post(path, form.filled(answers), "log defect")
    if page.status == 200:  # similar open defects shown: log it anyway, from the form as returned
        again = find_form(page.text, form_id="defect-form")
        page = browser.post(path, again.filled({}), "log defect (after similar)")
    _expect(follow(browser, _expect(page, (302,), "log defect")), (200,), "defect page")


PARTS = {"trainee": trainee_part, "mentor": mentor_part, "admin": admin_part, "defect": defect_part}


def part_of(cast: Cast, n: int) -> str:
    """The part a virtual user plays in its n-th step: the parts in turn, each user starting at its
    own (`cast.offset`), so from the first seconds every kind of request is in the mix."""
    names = list(PARTS)
    return names[(cast.offset + n) % len(names)]


def step(browser: Browser, cast: Cast, n: int) -> str:
    """The n-th step of a virtual user: one part of the script; returns its name."""
    name = part_of(cast, n)
    if name == "defect":
        defect_part(browser, cast, n)
    else:
        PARTS[name](browser, cast)
    return name


def journey(browser: Browser, cast: Cast, n: int) -> None:
    """The whole script once, in order (`n`: the round's number, varies the defect)."""
    trainee_part(browser, cast)
    mentor_part(browser, cast)
    admin_part(browser, cast)
    defect_part(browser, cast, n)
