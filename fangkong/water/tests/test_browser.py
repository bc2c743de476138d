"""Real Chromium at 360 px in Chinese: an operator enters a plant-outlet free chlorine of
0.1 mg/L; the warning (≥ 0.3 mg/L, GB 5749-2022 表2) comes up where the finger is and
takes the focus; then the re-test within the limit. Screenshots: /tmp/fk_water_*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangkong.core.models import Organisation, Role
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.water import services
from fangkong.water.models import Exceedance, Reading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    _root, city, _county, _town, community = make_wenchang_chain()
    utility = Organisation.objects.create(code="swater", name="安康水务集团", kind="utility",
                                          org_unit=city)
    operator = make_user("shuiwu01", Role.UTILITY_OPERATOR, city, organisation=utility,
                         first_name="何建平")
    works, _ = services.save_station(operator, utility, community, name="江北水厂",
                                     kind="works")
    outlet, _ = services.save_point(operator, works, community, name="江北水厂出厂水",
                                    point_type="outlet")
    return {"operator": operator, "outlet": outlet}


def test_an_operator_enters_a_reading_outside_its_limit(page, live_server, site) -> None:
    browser_session(page, live_server, site["operator"])
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/water/points/{site['outlet'].pk}/")
    page.select_option("#id_indicator", "ph")
    page.fill("#id_value", "15")
    page.fill("#id_instrument", "HACH DR300")
    page.click("button[type=submit].btn-primary")
    # pH 15 is no water: refused under the field, which takes the focus; nothing saved.
    expect(page.locator(".has-error .field-error")).to_contain_text("0至14")
    expect(page.locator("#id_value")).to_be_focused()
    assert not Reading.objects.exists()
    page.select_option("#id_indicator", "free_chlorine")
    page.fill("#id_value", "0.1")
    page.click("button[type=submit].btn-primary")
    stop = page.locator("#water-stop")
    expect(stop).to_be_visible()
    expect(stop).to_contain_text("≥ 0.3 mg/L (GB 5749-2022 表2)")
    expect(stop).to_be_focused()
    box = stop.bounding_box()
    assert box is not None and 0 <= box["y"] < 740, "the warning is off the screen"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"
    page.screenshot(path="/tmp/fk_water_exceedance.png")
    exceedance = Exceedance.objects.get()
    assert exceedance.alert.status == "open"
    stop.get_by_role("link", name="录入复检").click()
    page.fill("#id_value", "0.42")
    page.click("button[type=submit].btn-primary")
    expect(page.locator(".water-ok")).to_contain_text("0.42")
    exceedance.refresh_from_db()
    assert exceedance.retest is not None and exceedance.retest.within_limits
    page.screenshot(path="/tmp/fk_water_retest.png", full_page=True)


def test_an_operator_adds_a_sampling_point_after_one_error(page, live_server, site) -> None:
    """From the station page at 360 px: a hospital point without the hospital's name is
    refused under that field, which takes the focus; nothing is saved; then it is."""
    from fangkong.water.models import SamplingPoint

    works = site["outlet"].station
    browser_session(page, live_server, site["operator"])
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/water/stations/{works.pk}/")
    page.get_by_role("link", name="新增采样点").click()
    expect(page.locator("#id_station")).to_have_value(str(works.pk))
    page.fill("#id_name", "江北医院末梢水")
    page.select_option("#id_point_type", "network_end")
    page.select_option("#id_near_kind", "hospital")
    page.select_option("#id_unit", index=1)
    page.click("button[type=submit].btn-primary")
    expect(page.locator(".has-error .field-error")).to_contain_text("请填写医院或小区名称")
    expect(page.locator("#id_near_name")).to_be_focused()
    assert SamplingPoint.objects.count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"
    page.screenshot(path="/tmp/fk_water_point_error.png", full_page=True)
    page.fill("#id_near_name", "江北医院")
    page.click("button[type=submit].btn-primary")
    expect(page.locator("h1")).to_have_text("江北医院末梢水")
    point = SamplingPoint.objects.get(name="江北医院末梢水")
    assert (point.near_kind, point.near_name, point.station_id) == ("hospital", "江北医院",
                                                                     works.pk)
    # Back to the form and send it again (the key sent is kept): still one point.
    page.go_back()
    page.fill("#id_name", "江北医院末梢水")
    page.fill("#id_near_name", "江北医院")
    page.click("button[type=submit].btn-primary")
    expect(page.locator("h1")).to_have_text("江北医院末梢水")
    assert SamplingPoint.objects.filter(name="江北医院末梢水").count() == 1


def test_an_operator_records_readings_offline_and_they_arrive_once(browser, live_server,
                                                                    site) -> None:
    """At 360 px with no network: pH 15 is refused on the phone (the server's words,
    beside the field, nothing queued); pH 7.2 and a free chlorine of 0.1 wait as 待发送,
    also over a reload of the page (the service worker's shell); back online they arrive
    once, the chlorine opening its exceedance."""
    import time

    from django.test import Client

    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740},
                                  service_workers="allow")
    client = Client()
    client.force_login(site["operator"])
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if m.type == "error" and (
        "Content Security Policy" in m.text) else None)
    path = f"/water/points/{site['outlet'].pk}/"
    page.goto(live_server.url + path)
    page.wait_for_selector("form[data-offline=water-reading]")
    end = time.monotonic() + 15
    while not page.evaluate("""(path) => caches.keys().then((names) => Promise.all(
          names.map((n) => caches.open(n).then((c) => c.match(path)))))
          .then((hits) => hits.some(Boolean))""", path):
        assert time.monotonic() < end, "the shell of the reading page was not kept"
        page.wait_for_timeout(200)

    context.set_offline(True)
    items = page.locator("[data-offline-item]")
    page.select_option("#id_indicator", "ph")
    page.fill("#id_value", "15")
    page.click("form[data-offline] button[type=submit]")
    expect(page.locator("[data-phone-error]")).to_contain_text("0至14")
    expect(page.locator("#id_value")).to_be_focused()
    assert items.count() == 0
    page.screenshot(path="/tmp/fk_water_offline_error.png", full_page=True)
    page.fill("#id_value", "7.2")
    page.click("form[data-offline] button[type=submit]")
    expect(page.locator("[data-offline-note]")).to_contain_text("已保存在本机")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("待发送")
    # Ready for the next reading: the result empty, the sampler and indicator kept.
    expect(page.locator("#id_value")).to_have_value("")
    expect(page.locator("#id_sampler")).to_have_value("何建平")
    expect(page.locator("#id_indicator")).to_have_value("ph")
    page.select_option("#id_indicator", "free_chlorine")
    page.fill("#id_value", "0.1")
    page.click("form[data-offline] button[type=submit]")
    expect(items).to_have_count(2)

    page.goto(live_server.url + path)  # opened again with no network: the shell
    expect(items).to_have_count(2)
    assert page.locator("[data-offline-item][data-status=pending]").count() == 2
    expect(page.locator("[data-offline-status]")).to_contain_text("无网络")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"
    page.screenshot(path="/tmp/fk_water_offline_queue.png", full_page=True)
    assert not Reading.objects.exists()

    context.set_offline(False)
    expect(page.locator("[data-offline-item][data-status=sent]")).to_have_count(
        2, timeout=30000)
    assert sorted((r.indicator, str(r.value), r.within_limits)
                  for r in Reading.objects.all()) == [
        ("free_chlorine", "0.1000", False), ("ph", "7.2000", True)]
    assert Exceedance.objects.count() == 1
    assert all(r.made_at is not None for r in Reading.objects.all())
    page.reload()
    page.wait_for_timeout(1500)
    assert Reading.objects.count() == 2 and Exceedance.objects.count() == 1
    assert not csp, csp
    context.close()
