"""Real Chromium at 360 px in Chinese: receiving, issuing (with the overdraw refused next
to the quantity), and a transfer sent by the city and received by the community.

Screenshots: /tmp/fk_supplies_*.png.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from playwright.sync_api import expect

from fangkong.core.models import Role
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.supplies import services
from fangkong.supplies.models import Balance, Category, Kind, Movement
from fangkong.supplies.services import Line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
login = browser_session


@pytest.fixture
def site():
    _root, city, _county, _town, community = make_wenchang_chain()
    hq = make_user("hq", Role.HQ_STAFF, city, first_name="周建华")
    worker = make_user("wenchang", Role.COMMUNITY_WORKER, community, first_name="张丽")
    mask, _ = services.save_item(hq, code="mask-yy0469", name="医用外科口罩",
                                 category=Category.MASK, unit="只", standard="YY 0469-2011")
    store, _ = services.create_warehouse(hq, city, name="市物资储备库", items=[mask])
    point, _ = services.create_warehouse(hq, community, name="文昌社区物资点", items=[mask])
    return {"hq": hq, "worker": worker, "mask": mask, "store": store, "point": point}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"


def test_receiving_a_donation(page, live_server, site) -> None:
    login(page, live_server, site["hq"])
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/supplies/warehouses/{site['store'].pk}/")
    page.get_by_role("link", name="入库", exact=True).first.click()
    page.select_option("#id_item", "mask-yy0469")
    page.fill("#id_quantity", "500")
    page.select_option("#id_source", "donation")
    page.click("button[type=submit].btn-primary")
    # A donation without its donor: said next to the donor field, nothing saved.
    expect(page.locator(".has-error .field-error")).to_contain_text("请填写捐赠方")
    assert not Movement.objects.exists()
    page.fill("#id_donor", "安康市红十字会")
    page.screenshot(path="/tmp/fk_supplies_receive.png", full_page=True)
    page.click("button[type=submit].btn-primary")
    expect(page.locator("h1")).to_contain_text("入库")
    assert Balance.objects.get(warehouse=site["store"]).quantity == 500
    no_sideways_scroll(page)


def test_issuing_refuses_an_overdraw_next_to_the_quantity(page, live_server, site) -> None:
    services.receive(site["hq"], site["point"], client_id=uuid.uuid4(), day=date(2020, 2, 20),
                     lines=[Line(site["mask"], 30)], source="allocation")
    login(page, live_server, site["worker"])
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/supplies/warehouses/{site['point'].pk}/issue/")
    expect(page.locator("#id_item")).to_contain_text("30 只")
    page.select_option("#id_item", "mask-yy0469")
    page.fill("#id_quantity", "31")
    page.select_option("#id_recipient_kind", "checkpoint")
    page.fill("#id_recipient_label", "文昌花园东门")
    page.click("button[type=submit].btn-primary")
    error = page.locator(".field.has-error", has=page.locator("#id_quantity"))
    expect(error.locator(".field-error")).to_contain_text("仅剩 30 只")
    expect(page.locator("#id_quantity")).to_be_focused()
    page.screenshot(path="/tmp/fk_supplies_overdraw.png", full_page=True)
    assert not Movement.objects.filter(kind=Kind.ISSUE).exists()
    button = page.locator("button[type=submit].btn-primary")
    assert button.bounding_box()["height"] >= 44
    page.fill("#id_quantity", "30")
    button.click()
    expect(page.locator("h1")).to_contain_text("发放")
    assert Balance.objects.get(warehouse=site["point"]).quantity == 0
    no_sideways_scroll(page)


def test_a_transfer_sent_then_received(page, live_server, site) -> None:
    services.receive(site["hq"], site["store"], client_id=uuid.uuid4(), day=date(2020, 2, 20),
                     lines=[Line(site["mask"], 1000)], source="allocation")
    login(page, live_server, site["hq"])
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/supplies/warehouses/{site['store'].pk}/transfer/")
    page.select_option("#id_item", "mask-yy0469")
    page.fill("#id_quantity", "400")
    page.select_option("#id_to_warehouse", str(site["point"].pk))
    page.click("button[type=submit].btn-primary")
    expect(page.locator("h1")).to_contain_text("在途")
    assert Balance.objects.get(warehouse=site["store"]).quantity == 600

    page.context.clear_cookies()
    login(page, live_server, site["worker"])
    page.goto(f"{live_server.url}/supplies/warehouses/{site['point'].pk}/")
    page.screenshot(path="/tmp/fk_supplies_arriving.png", full_page=True)
    page.locator("ul.plain").get_by_role("link", name="入库").click()
    mask = site["mask"].pk
    page.fill(f"#id_received_{mask}", "420")
    page.click("button[type=submit].btn-primary")
    expect(page.locator(".field.has-error .field-error")).to_contain_text("多收")
    page.fill(f"#id_received_{mask}", "390")
    page.fill(f"#id_damaged_{mask}", "6")
    page.click("button[type=submit].btn-primary")
    expect(page.locator("h1")).to_contain_text("调拨接收")
    expect(page.locator("table")).to_contain_text("4")  # short
    page.screenshot(path="/tmp/fk_supplies_received.png", full_page=True)
    assert Balance.objects.get(warehouse=site["point"]).quantity == 390
    no_sideways_scroll(page)
