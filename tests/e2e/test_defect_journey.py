"""The journey continues from placement, in zh_CN and en: the placed trainee logs a defect
on a 390 px phone (masked on save), the reviewer confirms it within the SLA, fixes and
verifies it, measures the contribution it earned, and another admin approves the award."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AgentDefect, Contribution, ContributionState, DefectState
from tests.demo_data import load_demo
from tests.e2e.test_journey import Watch
from tests.e2e.test_narrow import _login

TEXT = {"zh_CN": {"logged": "缺陷已登记", "qualifies": "符合条件", "awarded": "奖励已批准"},
        "en": {"logged": "Defect logged", "qualifies": "qualifies", "awarded": "Award approved"}}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_defect_to_award(app, live_server, browser, locale):
    load_demo(app)
    words = TEXT[locale]
    errors = []

    # the placed trainee, between two conversations, on a phone
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch = Watch(page)
    _login(page, live_server, "trainee7@example.com", locale)
    page.goto(f"{live_server}/me/buffer")
    page.click("#log-defect")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("select[name=type]", "wrong_answer")
    page.fill("input[name=intent]", "运费险说明")
    page.check("input[name=severity][value=medium]")
    page.fill("textarea[name=excerpt]", "[10:31] 顾客：有运费险吗？我电话 139 1234 5678\n[10:31] 智能体：没有运费险哦")
    page.fill("textarea[name=agent_said]", "没有运费险")
    page.fill("textarea[name=should_say]", "本商品赠送运费险，退货时自动理赔。")
    page.click("#defect-form button[type=submit]")
    page.wait_for_url(lambda url: "/me/buffer/defects/" in url and not url.endswith("/new"))
    body = page.inner_text("main#content")
    assert words["logged"] in page.content() and "139****5678" in body and "1234 5678" not in body
    errors += watch.errors
    context.close()
    with app.app_context():
        defect_id = db.session.scalar(sa.select(AgentDefect.id).where(AgentDefect.intent == "运费险说明"))

    # the reviewer confirms within the SLA, fixes and verifies
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    _login(page, live_server, "ops@example.com", locale)
    page.goto(f"{live_server}/triage/")
    page.click(f"#board a[href='/triage/defects/{defect_id}']")
    for target in ("confirmed", "in_fix", "fixed", "verified"):
        page.click(f"button[name=move][value={target}]")
        page.wait_for_load_state()
    assert page.locator(".sla-breached").count() == 0
    with app.app_context():
        assert db.session.get(AgentDefect, defect_id).state == DefectState.VERIFIED
        contribution_id = db.session.scalar(sa.select(Contribution.id).where(Contribution.defect_id == defect_id))
    page.goto(f"{live_server}/triage/contributions/{contribution_id}")
    page.fill("input[name=release_on]", "2026-10-12")
    page.fill("input[name=before_samples]", "1200")
    page.fill("input[name=after_samples]", "1180")
    page.fill("input[name=efficiency_before]", "40")
    page.fill("input[name=efficiency_after]", "38")
    page.fill("input[name=error_before]", "6.0")
    page.fill("input[name=error_after]", "5.8")
    page.click("#measure button[type=submit]")
    page.wait_for_load_state()
    assert words["qualifies"] in page.inner_text("#award-rule")
    errors += watch.errors
    context.close()

    # another admin approves the award (the measurer cannot)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    _login(page, live_server, "admin@example.com", locale)
    page.goto(f"{live_server}/triage/contributions/{contribution_id}")
    page.click("#award button[type=submit]")
    assert words["awarded"] in page.content()
    errors += watch.errors
    context.close()
    with app.app_context():
        assert db.session.get(Contribution, contribution_id).state == ContributionState.AWARDED
    assert errors == []
