"""Real Chromium at 360 px in Chinese: a trainee scans the session's door QR code and
checks in (refused first without a mask, and at another session's door), then sees
their seat. Screenshots: /tmp/fk_training_*.png."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
import segno
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.core.models import Role
from fangkong.core.testing import make_user, make_wenchang_chain
from fangkong.training import services
from fangkong.training.models import Attendance
from fangkong.training.tests.base import make_session, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    _root, _city, county, _town, community = make_wenchang_chain()
    staff = make_user("hanbin", Role.TERRITORY_STAFF, county, first_name="王晓燕")
    session = make_session(staff, community, starts_at=timezone.now() + timedelta(minutes=10))
    other = make_session(staff, community, title="第二期", starts_at=timezone.now())
    enrolment, _ = services.enrol(None, session, client_id=uuid.uuid4(), person=person(7),
                                  business_name="秦老四凉皮", business_kind="restaurant",
                                  attend_mode="offline")
    return {"staff": staff, "session": session, "other": other, "e": enrolment}


def door_url_in_qr(live_server, staff, session) -> str:
    """The URL the session page's door QR image encodes (the same code segno makes)."""
    client = Client()
    client.force_login(staff)
    svg = client.get(f"/training/sessions/{session.pk}/qr-door.svg").content
    url = f"{live_server.url}/training/c/{services.checkin_token(session)}/"
    expected = io.BytesIO()
    segno.make(f"http://testserver/training/c/{services.checkin_token(session)}/", error="q",
               micro=False).save(expected, kind="svg", scale=6, border=4, xmldecl=False)
    assert svg == expected.getvalue()
    return url


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"


def test_a_trainee_checks_in_by_the_door_qr_code(page, live_server, site) -> None:
    e = site["e"]
    page.set_viewport_size({"width": 360, "height": 740})
    # At the next session's door first: that code is not theirs.
    page.goto(door_url_in_qr(live_server, site["staff"], site["other"]))
    page.fill("#id_id_number", e.person.id_number)
    page.fill("#id_phone", e.phone)
    page.check("#id_mask_worn")
    page.click("#checkin-form button[type=submit]")
    error = page.locator(".field.has-error", has=page.locator("#id_id_number"))
    expect(error.locator(".field-error")).to_contain_text("不是本期培训")
    assert not Attendance.objects.exists()

    page.goto(door_url_in_qr(live_server, site["staff"], site["session"]))
    expect(page.locator("h1")).to_contain_text("疫情应对")
    page.fill("#id_id_number", e.person.id_number.lower())
    page.fill("#id_phone", f"+86 {e.phone[:3]} {e.phone[3:7]} {e.phone[7:]}")
    page.click("#checkin-form button[type=submit]")
    mask = page.locator(".field.has-error", has=page.locator("#id_mask_worn"))
    expect(mask.locator(".field-error")).to_contain_text("佩戴口罩")
    page.screenshot(path="/tmp/fk_training_checkin_mask.png", full_page=True)
    assert not Attendance.objects.exists()
    page.check("#id_mask_worn")
    button = page.locator("#checkin-form button[type=submit]")
    assert button.bounding_box()["height"] >= 44
    button.click()
    expect(page.locator(".checked-in h2")).to_contain_text("签到成功")
    expect(page.locator(".seat-label")).to_contain_text("第1排第1座")
    page.screenshot(path="/tmp/fk_training_checked_in.png", full_page=True)
    attendance = Attendance.objects.get()
    assert (attendance.enrolment_id, attendance.method, attendance.mask_worn) == (
        e.pk, "qr", True)
    no_sideways_scroll(page)
