"""The gradebook and the dossier at 1280 and 390 px: the page never scrolls sideways (the grid
scrolls in its own box); printed, they are A4 landscape and the grid fits the page's width."""

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Cohort, Enrollment
from lms.services.demo import DEMO_PASSWORD
from tests.demo_data import load_demo
from tests.e2e.helpers import login

PRINT_WIDTH = 1047  # A4 landscape less 2 × 10 mm margins, in CSS px


def test_report_pages_fit_the_window_and_print_landscape(app, live_server, page, tmp_path):
    load_demo(app)
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort.id))
        enrollment = db.session.scalar(sa.select(Enrollment.id))
    login(page, live_server, "admin@example.com", "zh_CN", DEMO_PASSWORD)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in (f"/admin/cohorts/{cohort}/gradebook", f"/admin/enrollments/{enrollment}/dossier"):
            page.goto(live_server + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, url)
    page.goto(live_server + f"/admin/cohorts/{cohort}/gradebook")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINT_WIDTH, "height": 700})
    assert page.evaluate("document.getElementById('gradebook').scrollWidth") <= PRINT_WIDTH
    pdf = tmp_path / "gradebook.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    box = [float(v) for v in re.search(rb"MediaBox\s*\[([^\]]*)\]", pdf.read_bytes()).group(1).split()]
    assert box[2] > box[3]  # landscape
