"""The buffer period in the browser, in zh_CN and en, on the demo data: the coach logs the
missing week's check-in on a 390 px phone and corrects it; the placed person sees day N of 90
and adds a note. Placing someone (and the refusal without the role's tiers) is part of
test_program_journey.py."""

import pytest

from lms.services.demo import DEMO_PASSWORD
from tests.demo_data import load_demo
from tests.e2e.helpers import LOCALES, PHONE, Person

TEXT = {
    "zh_CN": {"saved": "已保存与", "day": "第", "note": "备注已保存"},
    "en": {"saved": "saved", "day": "Day", "note": "Your note is saved"},
}


@pytest.mark.parametrize("locale", LOCALES)
def test_checkin_and_buffer_pages_on_a_phone(app, live_server, browser, locale):
    load_demo(app)
    words = TEXT[locale]

    # the coach's check-in form at 390 px: the missing week comes first
    coach = Person(browser, live_server, "mentor.biz@example.com", locale, DEMO_PASSWORD, viewport=PHONE)
    page = coach.page
    page.goto(f"{live_server}/mentor/buffer")
    page.click("#coached a >> nth=0")
    assert page.locator("#checkin-form").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.input_value("select[name=week]") == "4"
    page.fill("input[name=agent_share]", "65")
    page.fill("input[name=handoffs]", "11")
    page.fill("textarea[name=went_well]", "物流异常处理更快了")
    page.fill("textarea[name=hard]", "跨团队工单等待时间长")
    page.check("input[name=wellbeing][value='4']")
    page.fill("input[name='actions-0-action']", "和仓储组约定响应时限")
    page.fill("input[name='actions-0-owner']", "郑华")
    page.click("#checkin-form input[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/mentor/buffer"))
    assert words["saved"] in page.inner_text("main#content") or words["saved"] in page.content()
    assert page.locator(".gap-weeks").count() == 0  # week 4 was the only gap
    # correcting it: week 4's edit link opens the form with week 4's own answers, still 390 px wide
    page.click("#coached a >> nth=0")
    page.click("#checkin-4 a.edit-checkin")
    assert page.input_value("#checkin-form input[name=week]") == "4"
    assert page.input_value("textarea[name=went_well]") == "物流异常处理更快了"
    assert page.input_value("select[name=week]") == "4"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    errors = coach.close()

    # the placed person's page, on a phone too
    placed = Person(browser, live_server, "trainee7@example.com", locale, DEMO_PASSWORD, viewport=PHONE)
    page = placed.page
    page.goto(f"{live_server}/me/buffer")
    assert words["day"] in page.inner_text("#buffer-day") and "90" in page.inner_text("#buffer-day")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#checkin-4 textarea[name=note]", "希望多安排投诉案例练习")
    page.click("#checkin-4 button[type=submit]")
    assert words["note"] in page.content() and "希望多安排投诉案例练习" in page.content()
    errors += placed.close()
    assert errors == []
