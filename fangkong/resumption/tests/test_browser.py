"""Real Chromium at 360 px: a liaison files, the county returns the filing with two items
missing, the liaison completes it, the county approves it (notice PDF); then a phone with
no login opens a pass's verification link, and a forged one. Screenshots:
/tmp/fk_resumption_*.png."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from fangkong.core.models import Organisation, OrgKind, Role
from fangkong.core.models.territory import Level
from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import browser_session, make_unit, make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number
from fangkong.resumption.models import Status
from fangkong.resumption.services import filing as filing_svc
from fangkong.resumption.services import passes as pass_svc
from fangkong.resumption.services import workers as worker_svc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _province, city, _county, _town, _community = make_wenchang_chain()
    ziyang = make_unit(city, "610924", "紫阳县", Level.COUNTY)
    town = make_unit(ziyang, "610924100", "城关镇", Level.TOWN)
    org = Organisation.objects.create(code="zy-tea", name="汉水茶业", kind=OrgKind.ENTERPRISE,
                                      org_unit=town)
    liaison = make_user("qiye01", Role.ENTERPRISE_LIAISON, town, organisation=org,
                        first_name="黄志明")
    county = make_user("ziyang", Role.TERRITORY_STAFF, ziyang, first_name="陈国强")
    ent, _ = filing_svc.register_enterprise(
        county, town, client_id=uuid.uuid4(), name="紫阳县汉水富硒茶业有限公司",
        uscc="91610924MA0000001D", industry="agriculture", is_key_project=False,
        headcount=86, liaison_name="黄志明", liaison_phone="13912345678")
    ent.organisation = org
    ent.save(update_fields=["organisation"])
    return {"liaison": liaison, "county": county, "ent": ent, "town": town}


def no_sideways_scroll(page, width: int = 360) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways ({scroll}px)"


def test_filing_return_with_two_items_approve_and_verify_a_pass(
        page, browser, live_server, site) -> None:
    ent = site["ent"]
    page.set_viewport_size({"width": 360, "height": 780})
    browser_session(page, live_server, site["liaison"])
    page.goto(f"{live_server.url}/resumption/mine/")
    assert page.locator("#checklist").is_visible()
    # Submitting with nothing filled: every missing item at once, nothing filed.
    page.click("#submit-filing")
    assert page.locator(".field-error").count() >= 9
    assert page.locator("#filing-status").inner_text() != ""
    page.screenshot(path="/tmp/fk_resumption_filing_errors.png", full_page=True)
    no_sideways_scroll(page)
    page.fill("#id_planned_start", "2020-03-01")
    for code in filing_svc.ITEM_CODES:
        page.fill(f"#id_{code}_answer", "已落实")
        if code in filing_svc.NEEDS_DAYS:
            page.fill(f"#id_{code}_days", "5")
    page.click("#submit-filing")
    page.wait_for_load_state()
    ent.refresh_from_db()
    assert ent.status == Status.FILED

    browser_session(page, live_server, site["county"])
    page.goto(f"{live_server.url}/resumption/enterprises/{ent.pk}/filing/")
    page.check("#id_masks_missing")
    page.fill("#id_masks_comment", "口罩储备不足7天")
    page.check("#id_isolation_missing")
    page.fill("#id_isolation_comment", "未说明隔离室位置")
    page.screenshot(path="/tmp/fk_resumption_review.png", full_page=True)
    no_sideways_scroll(page)
    page.click("#return-filing")
    page.wait_for_load_state()
    ent.refresh_from_db()
    assert ent.status == Status.RETURNED

    browser_session(page, live_server, site["liaison"])
    page.goto(f"{live_server.url}/resumption/enterprises/{ent.pk}/filing/")
    returned = page.locator("#returned-items").inner_text()
    assert "口罩储备不足7天" in returned and "未说明隔离室位置" in returned
    page.screenshot(path="/tmp/fk_resumption_returned.png", full_page=True)
    page.fill("#id_masks_days", "14")
    page.fill("#id_isolation_answer", "办公楼一层东侧隔离室1间")
    page.click("#submit-filing")
    page.wait_for_load_state()

    browser_session(page, live_server, site["county"])
    page.goto(f"{live_server.url}/resumption/enterprises/{ent.pk}/filing/")
    page.click("#approve-filing")
    page.wait_for_load_state()
    ent.refresh_from_db()
    assert ent.status == Status.APPROVED
    assert page.locator("#notice-link").is_visible()
    pdf = page.request.get(live_server.url + page.locator("#notice-link").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.screenshot(path="/tmp/fk_resumption_approved.png", full_page=True)

    # A pass for a worker of the enterprise, checked by a phone without a login.
    person = clean_person_data(id_number=make_id_number("610924", date(1988, 5, 6), 17),
                               name="孙立军", phone="13800001111")
    worker, _ = worker_svc.register_worker(
        site["county"], site["town"], client_id=uuid.uuid4(), person=person, home="城关镇",
        skills="采茶", employer=ent, destination="")
    record, _ = pass_svc.issue(site["county"], "worker", worker=worker,
                               client_id=uuid.uuid4(), days=7)
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN")
    check = phone.new_page()
    check.goto(f"{live_server.url}/resumption/verify/?token={record.token}")
    assert check.locator("#verdict").get_attribute("data-status") == "valid"
    text = check.locator("main").inner_text()
    assert "孙*" in text and person.id_number[-4:] in text
    assert person.id_number not in text and "13800001111" not in text
    check.screenshot(path="/tmp/fk_resumption_verify.png", full_page=True)
    no_sideways_scroll(check)
    head, body, sig = record.token.split(".")
    check.goto(f"{live_server.url}/resumption/verify/?token={head}.{body}.{sig[::-1]}")
    assert check.locator("#verdict").get_attribute("data-status") == "invalid_signature"
    assert "孙*" not in check.locator("main").inner_text()
    pass_svc.revoke(site["county"], record, reason="误发")
    check.goto(f"{live_server.url}/resumption/verify/?token={record.token}")
    assert check.locator("#verdict").get_attribute("data-status") == "revoked"
    phone.close()
