"""In a real Chromium at phone size: a county worker files today's report, then HQ opens the
dashboard (ECharts trend, completeness by county). The dashboard screenshot goes to
/tmp/fk_dashboard.png for a human to look at."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from fangkong.core.models import Level, Role
from fangkong.core.testing import PASSWORD, browser_log_in, make_unit, make_user
from fangkong.reports import services
from fangkong.reports.models import Reporter, Status, Submission
from fangkong.reports.tests.base import make_form

PHONE = {"width": 360, "height": 740}
SHARED_SCREENSHOT = Path("/tmp/fk_dashboard.png")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(settings):
    province = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    city = make_unit(province, "610900", "安康市", Level.CITY)
    counties = [make_unit(city, code, name, Level.COUNTY) for code, name in (
        ("610902", "汉滨区"), ("610921", "汉阴县"), ("610922", "石泉县"), ("610924", "紫阳县"))]
    hq = make_user("hq", Role.HQ_STAFF, city, first_name="周建华")
    make_user("hanbin", Role.TERRITORY_STAFF, counties[0], first_name="王晓燕")
    form = make_form("county_daily", deadline_days=1)
    services.add_reporters(hq, form, units=counties)
    today = timezone.localdate()
    for back in range(1, 14):
        day = today - dt.timedelta(days=back)
        for n, reporter in enumerate(Reporter.objects.filter(form=form).order_by("code")):
            if (back + n) % 6 == 0:
                continue  # a few missing days
            services.save_report(hq, reporter, day, {
                "people_screened": 900 + 40 * back + 100 * n, "fever_found": back % 3,
                "projects_total": 120, "projects_resumed": 100 - back * 5,
                "avg_temp": "36.5"}, submit=True)
    return form


def log_in(page, live_server, username: str) -> None:
    browser_log_in(page, live_server, username, PASSWORD)


def test_a_county_files_today_and_hq_sees_the_dashboard(page, live_server, city, tmp_path):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "hanbin")
    page.goto(f"{live_server.url}/reports/")
    assert "我的报告" in page.inner_text("#my-reports")
    page.click("#my-reports a.btn-primary")  # 填报
    page.wait_for_load_state("networkidle")
    assert "汉滨区" in page.inner_text("main")
    page.fill("#id_v_people_screened", "1234")
    page.fill("#id_v_fever_found", "2")
    page.fill("#id_v_projects_total", "120")
    page.fill("#id_v_projects_resumed", "130")  # breaks the rule
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert "复工项目数不能超过重点项目总数" in page.inner_text("main")
    assert not Submission.objects.filter(date=timezone.localdate()).exists()
    page.fill("#id_v_projects_resumed", "101")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#report-status").strip() == "已提交"
    # No horizontal scrolling on a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    sub = Submission.objects.get(date=timezone.localdate())
    assert sub.status == Status.SUBMITTED and sub.reporter.code == "610902"

    page.context.clear_cookies()
    log_in(page, live_server, "hq")
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.locator("#trend").scroll_into_view_if_needed()  # the chart loads when it is near
    page.wait_for_selector("#trend-chart[data-loaded='1']", timeout=15000)
    body = page.inner_text("main")
    assert "安康市指挥看板" in body
    assert "1 / 4" in page.inner_text("#kpi-reported").replace("/", " / ").replace("  ", " ") \
        or "1/ 4" in page.inner_text("#kpi-reported")
    assert "1234" in page.inner_text("[data-indicator=people_screened]")
    assert "汉滨区" in page.inner_text("#by-unit")
    assert page.locator("#trend-chart canvas").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#trend [data-days='30']")
    page.wait_for_load_state("networkidle")
    shot = tmp_path / "dashboard_phone.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copyfile(shot, SHARED_SCREENSHOT)
    # Drill down to a county.
    page.click("#by-unit a:has-text('汉滨区')")
    page.wait_for_load_state("networkidle")
    assert "汉滨区指挥看板" in page.inner_text("main")


def test_the_completeness_page_draws_its_bars_and_sends_the_reminder(page, live_server, city):
    """Without inline style or Alpine: the bars take their width from data-width (the CSP
    fixture fails the test on any violation); 发送催报 is one click, no text to copy."""
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "hq")
    page.goto(f"{live_server.url}/reports/{city.code}/completeness/")
    bar = page.locator(".bar > span[data-width]").first
    rate = float(bar.get_attribute("data-width"))
    assert page.evaluate("(el) => el.style.width", bar.element_handle()) == f"{rate:g}%"
    assert page.locator("[data-copy]").count() == 0
    page.click("#remind-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "发送催报" in page.inner_text(".messages") or "电话联系" in page.inner_text(
        ".messages")
