"""Real Chromium at 360 px in Chinese: a resident signs up to a drive from its public
page (a wrong ID number refused next to its field first), and a volunteer checks in by
scanning the site's QR code (another site's code refused first).

Screenshots: /tmp/fk_volunteers_*.png.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.core.models import Organisation, Role
from fangkong.core.models.territory import OrgKind
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number
from fangkong.volunteers import services
from fangkong.volunteers.models import Assignment, Signup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city():
    _root, city, _county, _town, community = make_wenchang_chain()
    hq = make_user("hq", Role.HQ_STAFF, city)
    org = Organisation.objects.create(code="sjj", name="安康市审计局", kind=OrgKind.DEPARTMENT,
                                      is_member_unit=True, org_unit=city)
    return {"hq": hq, "org": org, "community": community, "city": city}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"


def test_a_resident_signs_up_to_a_drive(page, live_server, city) -> None:
    drive, _c = services.create_drive(
        city["hq"], city["community"], client_id=uuid.uuid4(), title="青年志愿者招募",
        organisation=city["org"], target=20, opened_at=timezone.now() - timedelta(minutes=5))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/volunteers/v/{drive.public_key}/")
    page.fill("#id_name", "李娜")
    page.fill("#id_id_number", "610902199001011234")  # wrong check digit
    page.fill("#id_phone", "139 1234 5678")
    page.select_option("#id_political", "league")
    page.click("#signup-form button[type=submit]")
    expect(page.locator(".has-error .field-error")).to_contain_text("校验")
    assert not Signup.objects.exists()
    page.fill("#id_id_number", make_id_number("610902", date(1996, 5, 12), 21))
    page.screenshot(path="/tmp/fk_volunteers_signup.png", full_page=True)
    page.click("#signup-form button[type=submit]")
    expect(page.locator("#signup-done")).to_be_visible()
    assert Signup.objects.get().phone == "13912345678"
    no_sideways_scroll(page)
    page.screenshot(path="/tmp/fk_volunteers_signup_done.png", full_page=True)


def test_a_volunteer_checks_in_by_scanning_the_sites_code(page, live_server, city) -> None:
    worker = make_user("wenchang", Role.COMMUNITY_WORKER, city["community"])
    user = make_user("volunteer01", Role.VOLUNTEER, city["community"], organisation=city["org"])
    gate, _c = services.save_site(worker, city["community"], name="文昌路口", kind="checkpoint")
    other, _c = services.save_site(worker, city["community"], name="南门", kind="checkpoint")
    now = timezone.now()
    shift, _c = services.create_shift(worker, gate, client_id=uuid.uuid4(),
                                      starts_at=now - timedelta(minutes=10),
                                      ends_at=now + timedelta(hours=4), capacity=2)
    me, _c = services.enrol(worker, city["community"], name="吴佳怡", health_ok=True,
                            id_number=make_id_number("610902", date(1996, 5, 12), 22),
                            user=user)
    a, _c = services.join(user, shift, me)
    browser_session(page, live_server, user)
    page.set_viewport_size({"width": 360, "height": 740})
    # A photo of another site's code: it names the site, and nothing is saved.
    page.goto(live_server.url + services.scan_url(other))
    expect(page.locator("main")).to_contain_text("您目前在此服务点没有班次")
    page.goto(live_server.url + services.scan_url(gate))
    page.screenshot(path="/tmp/fk_volunteers_scan.png", full_page=True)
    page.get_by_role("button", name="签到").click()
    expect(page.locator("#checked-in")).to_be_visible()
    assert Assignment.objects.get(pk=a.pk).check_in_method == "qr"
    page.get_by_role("button", name="签退").click()
    expect(page.locator("#checked-out")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path="/tmp/fk_volunteers_scanned.png", full_page=True)
    page.goto(f"{live_server.url}/volunteers/mine/")
    expect(page.locator("h1")).to_contain_text("我的班次")
    no_sideways_scroll(page)
    page.screenshot(path="/tmp/fk_volunteers_mine.png", full_page=True)


def test_a_coordinator_creates_a_shift_after_an_end_before_its_start(page, live_server,
                                                                      city) -> None:
    """At 360 px: the end before the start is refused under its field (focused), nothing
    saved; corrected, the shift is created and its page opens."""
    from fangkong.volunteers.models import Shift

    worker = make_user("wenchang", Role.COMMUNITY_WORKER, city["community"])
    gate, _c = services.save_site(worker, city["community"], name="文昌路口", kind="checkpoint")
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    browser_session(page, live_server, worker)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/volunteers/sites/{gate.pk}/")
    page.click("#new-shift")
    page.fill("#id_starts_at", f"{day}T08:00")
    page.fill("#id_ends_at", f"{day}T06:00")
    page.fill("#id_capacity", "3")
    page.fill("#id_requirements", "自带口罩")
    page.click("#shift-form button[type=submit]")
    error = page.locator(".has-error .field-error")
    expect(error).to_contain_text("结束")
    expect(page.locator("#id_ends_at")).to_be_focused()
    assert not Shift.objects.exists()
    no_sideways_scroll(page)
    page.screenshot(path="/tmp/fk_volunteers_shift_error.png", full_page=True)
    page.fill("#id_ends_at", f"{day}T12:00")
    page.click("#shift-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("文昌路口")
    shift = Shift.objects.get()
    assert (shift.capacity, shift.requirements) == (3, "自带口罩")
    assert page.url.endswith(f"/volunteers/shifts/{shift.pk}/")
    no_sideways_scroll(page)
    page.screenshot(path="/tmp/fk_volunteers_shift_created.png", full_page=True)
