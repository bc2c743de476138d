"""Real Chromium at 360 px, zh-CN: the task force's coordinator (the demo's ``renshe01``)
opens the task forces from the care pages, adds a member unit with a mistyped phone,
gets the error under the field with the focus on it and nothing saved, fixes it and
sees the unit among the members. Screenshots: /tmp/fk_care_member_error.png (360 px),
/tmp/fk_care_member_error_wide.png (1366 px), /tmp/fk_care_taskforce.png."""

from __future__ import annotations

import pytest

from fangkong.care import services
from fangkong.care.models import TaskForceMember
from fangkong.core.models import Organisation, Role
from fangkong.core.models.territory import OrgKind
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def task_force():
    _root, city, _county, _town, _community = make_wenchang_chain()
    rsj = Organisation.objects.create(code="rsj", name="安康市人社局", short_name="市人社局",
                                      kind=OrgKind.DEPARTMENT, org_unit=city)
    Organisation.objects.create(code="wjw", name="安康市卫生健康委员会", short_name="市卫健委",
                                kind=OrgKind.DEPARTMENT, is_member_unit=True, org_unit=city)
    hq = make_user("hq", Role.HQ_STAFF, city)
    coordinator = make_user("renshe01", Role.TASK_FORCE, city, organisation=rsj)
    tf, _c = services.save_task_force(hq, city, name="一线医务人员及家属一对一保障专班",
                                      organisation=rsj, leader="市人社局局长",
                                      contact_name="专班联络员", contact_phone="13909150001")
    return {"user": coordinator, "tf": tf}


def test_the_coordinator_adds_a_member_unit_after_one_error(page, live_server,
                                                            task_force) -> None:
    browser_session(page, live_server, task_force["user"])
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/care/workers/")
    page.click("nav.subnav a:has-text('工作专班')")
    page.click("text=一线医务人员及家属一对一保障专班")
    page.wait_for_load_state("networkidle")
    assert "139****0001" in page.locator("#facts").inner_text()
    page.click("a:has-text('添加成员单位')")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_organisation", label="安康市卫生健康委员会")
    page.fill("#id_leader", "市卫健委副主任")
    page.fill("#id_contact_name", "李联络")
    page.fill("#id_contact_phone", "1390915")
    page.click("form.card button[type=submit]")
    error = page.wait_for_selector(".has-error .field-error")
    assert "11" in error.inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === "
                           "'id_contact_phone'")
    assert not TaskForceMember.objects.exists()
    assert page.input_value("#id_leader") == "市卫健委副主任"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/fk_care_member_error.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path="/tmp/fk_care_member_error_wide.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    page.fill("#id_contact_phone", "139 0915 0002")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#members >> text=安康市卫生健康委员会")
    member = TaskForceMember.objects.get()
    assert (member.organisation.code, member.leader, member.contact_phone) == (
        "wjw", "市卫健委副主任", "13909150002")
    assert "139****0002" in page.locator("#members").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/fk_care_taskforce.png", full_page=True)
