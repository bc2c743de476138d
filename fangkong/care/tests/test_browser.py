"""Real Chromium at 360 px, zh-CN: a helper opens the home page, taps a family of theirs,
and logs a service in a few taps; a negative quantity is refused under its field with
the focus on it, and nothing is saved. Screenshots: /tmp/fk_care_home.png,
/tmp/fk_care_log_error.png, /tmp/fk_care_log.png (1366 px: /tmp/fk_care_log_wide.png)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from fangkong.care import services
from fangkong.care.models import ServiceLog
from fangkong.care.tests.base import person
from fangkong.core.models import Organisation, Role
from fangkong.core.models.territory import OrgKind
from fangkong.core.testing import User, browser_session, make_user, make_wenchang_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def family():
    _root, city, _county, _town, community = make_wenchang_chain()
    rsj = Organisation.objects.create(code="rsj", name="安康市人社局", short_name="市人社局",
                                      kind=OrgKind.DEPARTMENT, org_unit=city)
    hq = make_user("hq", Role.HQ_STAFF, city)
    helper_user = make_user("helper01", Role.HELPER, city, organisation=rsj, first_name="杨帆")
    tf, _c = services.save_task_force(hq, city, name="保障专班", organisation=rsj,
                                      leader="局长", contact_name="联络员")
    helper, _c = services.save_helper(hq, tf, code="BF1", name="杨帆", organisation=rsj,
                                      user=helper_user)
    worker, _c = services.register_worker(
        hq, tf, community, number="YH1", person=person("王医生"), member_unit=rsj,
        hospital="安康市中心医院", registered_on=date(2020, 2, 1))
    services.pair(hq, helper, worker=worker, started_on=date(2020, 2, 1))
    return {"user": helper_user, "worker": worker}


def test_a_helper_logs_a_service_from_a_phone(page, live_server, family) -> None:
    browser_session(page, live_server, family["user"])
    page.set_viewport_size({"width": 360, "height": 780})
    started = time.monotonic()
    page.goto(f"{live_server.url}/")
    assert page.locator("#my-families").is_visible()
    page.screenshot(path="/tmp/fk_care_home.png", full_page=True)
    page.click("#my-families a.btn-primary")
    page.wait_for_load_state("networkidle")
    assert "记录服务" in page.locator("h1").inner_text()
    page.click("label.chip:has-text('心理保障')")
    page.click("label.chip:has-text('人次')")
    page.fill("#id_quantity", "-1")
    page.fill("#id_note", "电话心理疏导")
    page.click("form.quick-log button[type=submit]")
    # The form is sent through the offline queue (data-offline): a live refusal puts the
    # page's answer in place, the error under the field and the focus on it.
    error = page.wait_for_selector(".has-error .field-error")
    assert "大于零" in error.inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === "
                           "'id_quantity'")
    assert not ServiceLog.objects.exists()
    page.screenshot(path="/tmp/fk_care_log_error.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#id_quantity", "1")
    page.click("form.quick-log button[type=submit]")
    page.wait_for_selector("text=电话心理疏导")
    page.wait_for_load_state("networkidle")
    assert time.monotonic() - started < 30
    log = ServiceLog.objects.get()
    assert (log.category, log.quantity, log.unit, log.worker) == ("mind", 1, "人次",
                                                                 family["worker"])
    assert page.locator("text=电话心理疏导").first.is_visible()
    page.screenshot(path="/tmp/fk_care_log.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path="/tmp/fk_care_log_wide.png", full_page=True)


def test_another_familys_log_page_is_not_found(page, live_server, family) -> None:
    other = services.register_worker(
        User.objects.get(username="hq"), family["worker"].task_force,
        family["worker"].org_unit, number="YH2", person=person("李护士"),
        member_unit=family["worker"].member_unit, hospital="安康市中心医院",
        registered_on=date(2020, 2, 1))[0]
    browser_session(page, live_server, family["user"])
    answer = page.goto(f"{live_server.url}/care/workers/{other.pk}/log/")
    assert answer.status == 404
