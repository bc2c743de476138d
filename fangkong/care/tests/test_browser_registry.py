"""Real Chromium at 360 px, zh-CN: the task force's coordinator ``renshe01`` registers a
worker sent to Hubei from the workers list; sent first without the member-unit contact,
the page answers with the message under the contact field and the focus on it, nothing
saved; filled in, the worker is registered once. Screenshots:
/tmp/fk_care_register_error.png (1366 px: /tmp/fk_care_register_error_wide.png),
/tmp/fk_care_registered.png."""

from __future__ import annotations

from datetime import date

import pytest

from fangkong.care import services
from fangkong.care.models import MedicalWorker
from fangkong.core.models import Organisation, Person, Role
from fangkong.core.models.territory import OrgKind
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID_NUMBER = make_id_number("610902", date(1986, 7, 3), 418)


@pytest.fixture
def coordinator():
    _root, city, _county, _town, _community = make_wenchang_chain()
    rsj = Organisation.objects.create(code="rsj", name="安康市人社局", short_name="市人社局",
                                      kind=OrgKind.DEPARTMENT, org_unit=city)
    zgh = Organisation.objects.create(code="zgh", name="安康市总工会", short_name="市总工会",
                                      kind=OrgKind.DEPARTMENT, org_unit=city)
    hq = make_user("hq", Role.HQ_STAFF, city)
    user = make_user("renshe01", Role.TASK_FORCE, city, organisation=rsj,
                     first_name="人社局专班")
    services.save_task_force(hq, city, name="一线医务人员及家属一对一保障专班",
                             organisation=rsj, leader="局长", contact_name="联络员",
                             members=[{"organisation": zgh}])
    return user


def test_renshe01_registers_a_worker_sent_to_hubei_from_a_phone(page, live_server,
                                                                  coordinator) -> None:
    browser_session(page, live_server, coordinator)
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/care/workers/")
    page.click("a:has-text('登记医务人员')")
    page.wait_for_load_state("networkidle")
    assert "登记一线医务人员" in page.locator("h1").inner_text()
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_name", "周医生")
    page.fill("#id_phone", "13912340001")
    page.select_option("#id_member_unit", label="市总工会")
    page.fill("#id_hospital", "安康市中心医院")
    page.fill("#id_department", "呼吸科")
    page.click("label.chip:has-text('援鄂')")
    page.fill("#id_deployed_from", "2020-02-09")
    page.fill("#id_registered_on", "2020-02-10")
    page.click("form.register-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    error = page.locator(".field.has-error:has(#id_unit_contact) .field-error")
    assert "联系人" in error.inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === "
                           "'id_unit_contact'")
    assert not MedicalWorker.objects.exists()
    assert not Person.objects.filter(id_number=ID_NUMBER).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/fk_care_register_error.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path="/tmp/fk_care_register_error_wide.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    # What was typed is still there; the contact is the one thing to add.
    assert page.input_value("#id_hospital") == "安康市中心医院"
    page.fill("#id_unit_contact", "王联络")
    page.click("form.register-form button[type=submit]")
    page.wait_for_selector("h1:has-text('周医生')")
    worker = MedicalWorker.objects.get()
    assert (worker.deployment, worker.unit_contact, worker.member_unit.code,
            worker.deployed_from) == ("hubei", "王联络", "zgh", date(2020, 2, 9))
    assert worker.person.id_number == ID_NUMBER
    assert page.locator("text=王联络").first.is_visible()
    page.screenshot(path="/tmp/fk_care_registered.png", full_page=True)
