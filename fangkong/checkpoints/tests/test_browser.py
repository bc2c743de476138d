"""Real Chromium: self-registration on a phone (390×844) and the duty screen (360 px).

Screenshots go to /tmp/fk_selfreg.png, /tmp/fk_selfreg_form.png and /tmp/fk_duty.png.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.checkpoints.models import Checkpoint, DutyRoster, Passage
from fangkong.core.models import Role
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ID_NUMBER = make_id_number("610902", timezone.datetime(1984, 7, 3).date(), 15)


@pytest.fixture
def site(settings):
    _root, _city, _county, _town, community = make_wenchang_chain()
    checkpoint = Checkpoint.objects.create(org_unit=community, name="文昌花园东门")
    gate = make_user("gate01", Role.CHECKPOINT_DUTY, community, first_name="赵刚")
    DutyRoster.objects.create(checkpoint=checkpoint, user=gate, day=timezone.localdate(),
                              org_unit=community)
    return {"checkpoint": checkpoint, "gate": gate}


login = browser_session


def test_self_registration_on_a_phone(page, live_server, site) -> None:
    checkpoint = site["checkpoint"]
    page.set_viewport_size({"width": 390, "height": 844})
    url = f"{live_server.url}/checkpoints/r/{checkpoint.public_key}/"
    page.goto(url)
    assert page.locator("h1").inner_text() == "进出登记"
    page.fill("#id_name", "王芳")
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_temperature", "36.4")
    page.fill("#id_plate", "陕G12345")
    page.check("#remember")  # off unless the resident asks (issue #11, item 16)
    page.screenshot(path="/tmp/fk_selfreg_form.png", full_page=True)
    page.click("button[value=in]")
    page.wait_for_url("**/done/**")
    assert "请向值守人员出示此页面" in page.content()
    assert ID_NUMBER not in page.content()
    page.screenshot(path="/tmp/fk_selfreg.png", full_page=True)
    passage = Passage.objects.get()
    assert (passage.status, passage.channel, passage.plate) == ("pending", "self", "陕G12345")

    # The phone remembers the details for the next time.
    page.goto(url)
    assert page.input_value("#id_name") == "王芳"
    assert page.input_value("#id_id_number") == ID_NUMBER
    assert page.locator(".remembered").is_visible()
    page.click("button.forget")
    assert page.input_value("#id_name") == ""

    # A bad temperature is refused with a message next to the field; nothing is saved.
    page.fill("#id_name", "王芳")
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_temperature", "47")
    page.click("button[value=in]")
    assert "体温应在 34.0 至 43.0 °C 之间" in page.locator(".field-error").first.inner_text()
    assert Passage.objects.count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"


def test_duty_screen_at_360_px(page, live_server, site) -> None:
    checkpoint = site["checkpoint"]
    client = Client()
    client.post(f"/checkpoints/r/{checkpoint.public_key}/", {
        "client_id": "5b1f1d8e-7f1c-4c55-9a51-0f6c9b1c2d3e", "direction": "in",
        "name": "李娜", "id_number": make_id_number("420102", timezone.datetime(1990, 1, 5)
                                                     .date(), 22),
        "phone": "13800002222", "temperature": "37.6", "plate": "鄂A12345", "mask": "on",
        "origin": "湖北武汉",
    })
    assert Passage.objects.filter(status="pending").count() == 1
    login(page, live_server, site["gate"])
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/checkpoints/duty/")
    page.wait_for_selector("#duty-panel")
    assert "文昌花园东门" in page.locator("h1").first.inner_text()
    page.screenshot(path="/tmp/fk_duty_pending.png", full_page=True)
    confirm = page.locator(".pending-row button[value=confirm_self]")
    box = confirm.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    confirm.click()
    page.wait_for_selector(".duty-notice.fever")
    assert "发热" in page.locator(".duty-notice").inner_text()
    assert "发热" in page.locator("[data-stop]").inner_text()

    page.fill("#id_name", "张伟")
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_temperature", "36.5")
    page.click(".duty-form button[value=in]")
    # Locator waits, not wait_for_function: its string predicates are eval'ed, which
    # the Content-Security-Policy (rightly) refuses.
    expect(page.locator(".duty-notice")).to_contain_text("张*")
    assert Passage.objects.filter(status="confirmed").count() == 2
    # One tap: the recent person goes out again.
    page.locator(".recent-row", has_text="张*").locator("button.dir-out").click()
    expect(page.locator(".duty-notice")).to_contain_text("出")
    assert Passage.objects.filter(direction="out").count() == 1
    content = page.content()
    assert ID_NUMBER not in content and "13800002222" not in content
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the duty screen scrolls sideways ({width}px)"
    page.mouse.move(0, 0)
    page.screenshot(path="/tmp/fk_duty.png", full_page=True)


def test_household_import_checks_then_imports_the_same_file(page, live_server, site,
                                                            tmp_path) -> None:
    """At 360 px: "check" saves nothing; "import" sends the checked file again."""
    from fangkong.checkpoints.models import Household, HouseholdMember
    from fangkong.checkpoints.tests.test_community import ids, workbook

    community = site["checkpoint"].org_unit
    login(page, live_server, make_user("wenchang", Role.COMMUNITY_WORKER, community))
    path = tmp_path / "households.xlsx"
    a = ids(2)
    path.write_bytes(workbook([["1-1-101", "文昌路1号", "张三", a[0], "", "户主", "是"],
                               ["1-1-101", "文昌路1号", "李四", a[1], "", "配偶", "是"]]))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/checkpoints/households/import")
    page.set_input_files("#id_file", str(path))
    page.click("button[value=check]")
    commit = page.locator("#import-result button[value=commit]")
    commit.wait_for()
    assert not Household.objects.exists()
    page.screenshot(path="/tmp/fk_household_import.png", full_page=True)
    commit.click()
    page.locator("#import-result a[href='/checkpoints/households/']").wait_for()
    assert HouseholdMember.objects.filter(household__number="1-1-101").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
