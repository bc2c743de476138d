"""Issue #11 in a real Chromium at 360 px, zh-CN: the district sends one-click reminders
and returns a report, the community worker finds both on her home page and in her
notices (item 9), fills in with yesterday's value and the total beside each field and a
summary of errors at the top that takes the focus (item 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.core.models import Level, Notice, Role
from fangkong.core.testing import PASSWORD, browser_log_in, make_unit, make_user
from fangkong.reports import services
from fangkong.reports.models import Reporter, Submission
from fangkong.reports.tests.base import make_form

PHONE = {"width": 360, "height": 740}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district():
    province = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    city = make_unit(province, "610900", "安康市", Level.CITY)
    county = make_unit(city, "610902", "汉滨区", Level.COUNTY)
    town = make_unit(county, "610902002", "新城街道", Level.TOWN)
    wenchang = make_unit(town, "610902002002", "文昌社区", Level.COMMUNITY)
    linjiang = make_unit(town, "610902002003", "临江社区", Level.COMMUNITY)
    hq = make_user("hq", Role.HQ_STAFF, city)
    make_user("hanbin", Role.TERRITORY_STAFF, county, first_name="王晓燕")
    make_user("wenchang", Role.COMMUNITY_WORKER, wenchang, first_name="张丽")
    make_user("linjiang", Role.COMMUNITY_WORKER, linjiang, first_name="李娜")
    form = make_form("community_daily", deadline_days=0)
    services.add_reporters(hq, form, units=[wenchang, linjiang])
    today = timezone.localdate()
    for back, screened in ((2, 120), (1, 80)):
        for reporter in Reporter.objects.filter(form=form):
            services.save_report(hq, reporter, today - dt.timedelta(days=back), {
                "people_screened": screened, "fever_found": 0, "projects_total": 5,
                "projects_resumed": 2}, submit=True)
    services.save_report(hq, Reporter.objects.get(code="610902002003"), today, {
        "people_screened": 60, "fever_found": 0}, submit=True)
    return form


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    browser_log_in(page, live_server, username, PASSWORD)


def test_reminder_and_return_reach_the_community_worker(page, live_server, district):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "hanbin")
    page.goto(f"{live_server.url}/reports/community_daily/completeness/?unit=610902")
    page.click("#remind-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已向1个单位（1人）发送催报" in page.inner_text(".messages")
    # The district returns 临江社区's report from its page.
    sub = Submission.objects.get(reporter__code="610902002003", date=timezone.localdate())
    page.goto(f"{live_server.url}/reports/community_daily/submissions/{sub.pk}/")
    page.fill("#id_reason", "排查人数与入户登记不符")
    page.click("#review button[name=action][value=return]")
    page.wait_for_load_state("networkidle")
    assert Notice.objects.filter(user__username="linjiang", kind="reports.returned").exists()

    log_in(page, live_server, "wenchang")
    page.goto(f"{live_server.url}/")
    card = page.locator("#home-notices")
    assert "催报" in card.inner_text()
    assert page.inner_text("#nav-notices [data-unread]") == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#home-notices .notice-link")
    page.wait_for_load_state("networkidle")
    assert "/reports/community_daily/fill/" in page.url
    assert page.locator("#nav-notices [data-unread]").count() == 0  # read now

    log_in(page, live_server, "linjiang")
    page.goto(f"{live_server.url}/core/notices/")
    text = page.inner_text("#notice-list")
    assert "退回" in text and "排查人数与入户登记不符" in text


def test_filling_shows_yesterday_and_the_total_and_summarises_errors(page, live_server,
                                                                     district):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "wenchang")
    page.goto(f"{live_server.url}/reports/community_daily/fill/?unit=610902002002")
    field = page.locator("[data-indicator=people_screened]")
    assert field.locator("[data-yesterday]").inner_text() == "80"
    assert field.locator("[data-cumulative]").inner_text() == "200"
    assert "昨日" in field.inner_text() and "截至昨日累计" in field.inner_text()
    page.fill("#id_v_people_screened", "")
    page.fill("#id_v_projects_total", "1")
    page.fill("#id_v_projects_resumed", "9")
    page.locator("button[name=submit]").scroll_into_view_if_needed()
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = summary.bounding_box()
    assert box and 0 <= box["y"] < PHONE["height"]  # where the eye is, not scrolled away
    text = summary.inner_text()
    assert "排查人员" in text and "已复工项目" in text
    page.click("[data-error-summary] a[href='#id_v_projects_resumed']")
    assert page.evaluate("document.activeElement.id") == "id_v_projects_resumed"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not Submission.objects.filter(reporter__code="610902002002",
                                         date=timezone.localdate()).exists()
