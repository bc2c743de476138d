"""Real Chromium at 360 px, zh-CN: the checkpoint duty screen and the QR page as a worker
at the gate and a resident meet them (issue #11, items 1, 2, 3, 5, 16 and 18).

Screenshots go to /tmp/fk_gate_*.png.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.checkpoints.models import Checkpoint, DutyRoster, Passage, PassageDaily
from fangkong.core.models import Person, Role
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ID_NUMBER = make_id_number("610902", timezone.datetime(1984, 7, 3).date(), 15)
OTHER_ID = make_id_number("610902", timezone.datetime(1979, 2, 11).date(), 31)
HUBEI_ID = make_id_number("420102", timezone.datetime(1990, 1, 5).date(), 22)
PHONE = {"width": 360, "height": 740}

# Records what the page asked the phone to do: navigator.vibrate is there in Chromium
# but does nothing without a real device.
VIBRATE = (
    "window.__vibrated = [];"
    "Object.defineProperty(navigator, 'vibrate', {configurable: true, value:"
    " function (pattern) { window.__vibrated.push(pattern); return true; }});"
)


@pytest.fixture
def site():
    _root, _city, _county, _town, community = make_wenchang_chain()
    checkpoint = Checkpoint.objects.create(org_unit=community, name="文昌花园东门")
    gate = make_user("gate01", Role.CHECKPOINT_DUTY, community, first_name="赵刚")
    DutyRoster.objects.create(checkpoint=checkpoint, user=gate, day=timezone.localdate(),
                              org_unit=community)
    return {"checkpoint": checkpoint, "gate": gate, "community": community}


def open_duty(page, live_server, site) -> None:
    page.add_init_script(VIBRATE)
    browser_session(page, live_server, site["gate"])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    page.wait_for_selector("#duty-panel")


def fill(page, name: str, id_number: str, temperature: str = "", plate: str = "") -> None:
    page.fill("#id_name", name)
    page.fill("#id_id_number", id_number)
    page.fill("#id_temperature", temperature)
    page.fill("#id_plate", plate)


def tap_in(page) -> None:
    """Like a thumb: the button is scrolled to (the form is below the fold) and tapped."""
    button = page.locator(".duty-form button[value=in]")
    button.scroll_into_view_if_needed()
    button.click()


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= -2 and box["y"] + 40 <= PHONE["height"]


def focused_matches(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def self_register(checkpoint, name="李娜", id_number=HUBEI_ID, temperature="37.6",
                  plate="", direction="in") -> None:
    Client().post(f"/checkpoints/r/{checkpoint.public_key}/", {
        "client_id": str(uuid.uuid4()), "direction": direction, "name": name,
        "id_number": id_number, "phone": "13800002222", "temperature": temperature,
        "plate": plate, "mask": "on", "resident": "on",
    })


# --- item 1: the stop is seen --------------------------------------------------------


def test_a_fever_is_a_red_stop_with_the_name_and_reading_where_the_finger_is(
        page, live_server, site) -> None:
    open_duty(page, live_server, site)
    form = page.locator(".duty-form")
    assert form.get_attribute("data-fever-threshold") == "37.3"
    fill(page, "孙强", ID_NUMBER, "38.2")
    tap_in(page)
    stop = page.locator("[data-stop]")
    expect(stop).to_be_visible()
    expect(stop).to_contain_text("停！发热")
    expect(stop).to_contain_text("孙强")
    expect(stop).to_contain_text("38.2 °C")
    expect(stop).to_contain_text("请勿放行")
    assert stop.get_attribute("role") == "alert"
    assert in_view(page, stop), "the stop is off the screen"
    assert focused_matches(page, "[data-stop]"), "the stop does not have the focus"
    assert page.evaluate("window.__vibrated.length") >= 1, "the phone did not vibrate"
    width = stop.bounding_box()["width"]
    assert width >= PHONE["width"] - 40, f"the stop is not full width ({width}px)"
    page.screenshot(path="/tmp/fk_gate_fever_stop.png")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path="/tmp/fk_gate_fever_stop_1366.png", full_page=True)


def test_a_plate_of_a_watched_province_is_a_stop_too(page, live_server, site) -> None:
    open_duty(page, live_server, site)
    fill(page, "刘洋", HUBEI_ID, "36.5", "鄂A12345")
    page.uncheck("#id_resident")
    page.fill("#id_origin", "湖北武汉")
    tap_in(page)
    stop = page.locator("[data-stop]")
    expect(stop).to_contain_text("重点地区车辆")
    expect(stop).to_contain_text("鄂A12345")
    expect(stop).to_contain_text("刘洋")
    assert in_view(page, stop)
    assert focused_matches(page, "[data-stop]")
    assert page.evaluate("window.__vibrated.length") >= 1


def test_a_validation_error_is_next_to_its_field_and_on_the_screen(
        page, live_server, site) -> None:
    open_duty(page, live_server, site)
    fill(page, "孙强", ID_NUMBER, "")
    tap_in(page)
    error = page.locator(".field.has-error .field-error").first
    expect(error).to_contain_text("体温")
    # The message sits in the temperature field's own box, and that field has the focus.
    assert page.locator(".field.has-error #id_temperature").count() == 1
    assert focused_matches(page, "#id_temperature")
    assert in_view(page, page.locator("#id_temperature"))
    assert page.input_value("#id_name") == "孙强"  # what was typed is kept
    page.screenshot(path="/tmp/fk_gate_error.png")
    assert not Passage.objects.exists()

    # A recent person going in again without a reading: the error is in their row.
    page.fill("#id_temperature", "36.5")
    tap_in(page)
    row = page.locator(".recent-row", has_text="孙*")
    row.locator("button.dir-in").click()
    expect(page.locator(".recent-row", has_text="孙*").locator(".field-error")).to_contain_text(
        "体温")
    assert focused_matches(page, ".recent-row input[aria-invalid=true]")
    assert in_view(page, page.locator(".recent-row input[aria-invalid=true]"))
    assert Passage.objects.count() == 1


# --- item 2: a refused entry is not an entry -----------------------------------------


def test_a_fever_is_not_counted_as_in_until_the_worker_lets_them_through(
        page, live_server, site) -> None:
    open_duty(page, live_server, site)
    counts = page.locator(".duty-counts")
    fill(page, "孙强", ID_NUMBER, "38.2")
    tap_in(page)
    stop = page.locator("[data-stop]")
    # Not let through by default; the worker picks what was done.
    expect(stop.locator("button[aria-pressed=true]")).to_have_text("不予放行")
    expect(counts.locator("div", has_text="进").locator("dd")).to_have_text("0")
    expect(counts.locator("div", has_text="发热").locator("dd")).to_have_text("1")
    for label in ("放行", "劝返", "不予放行", "转送"):
        expect(stop.get_by_role("button", name=label, exact=True)).to_be_visible()
    stop.get_by_role("button", name="转送", exact=True).click()
    expect(page.locator(".duty-notice")).to_contain_text("孙*：转送。")
    expect(page.locator(".recent-row", has_text="孙*")).to_contain_text("转送")
    passage = Passage.objects.get()
    assert passage.outcome == "referred"
    assert PassageDaily.objects.get().passages_in == 0
    # A normal entry counts.
    fill(page, "张伟", OTHER_ID, "36.5")
    tap_in(page)
    expect(counts.locator("div", has_text="进").locator("dd")).to_have_text("1")


# --- item 3: the typed name is never silently replaced -------------------------------


def test_name_and_id_disagree_the_worker_is_told_and_chooses(page, live_server, site) -> None:
    Person.objects.create(id_number=ID_NUMBER, name="王芳", sex="F",
                          birth_date=timezone.datetime(1984, 7, 3).date(),
                          org_unit=site["community"])
    open_duty(page, live_server, site)
    fill(page, "孙强", ID_NUMBER, "38.2")
    tap_in(page)
    check = page.locator(".name-check")
    expect(check).to_contain_text("姓名与身份证号码不一致")
    expect(check).to_contain_text("孙强")
    assert "王" not in check.inner_text()  # gate01 may not see the registry's row
    assert in_view(page, check) and focused_matches(page, ".name-check")
    assert not Passage.objects.exists()
    page.screenshot(path="/tmp/fk_gate_name_check.png")

    # "The ID was mistyped": back to the form, values kept, the ID field to correct.
    check.get_by_role("button", name="身份证号码输错了").click()
    expect(page.locator(".field.has-error")).to_contain_text("核对")
    assert focused_matches(page, "#id_id_number")
    assert page.input_value("#id_name") == "孙强"
    assert page.input_value("#id_temperature") == "38.2"
    assert not Passage.objects.exists()

    # Again, and "the registry is wrong": registered as typed, flagged for the community.
    tap_in(page)
    page.locator(".name-check").get_by_role("button", name="登记库有误，按输入登记").click()
    expect(page.locator("[data-stop]")).to_contain_text("孙强")
    expect(page.locator(".duty-notice")).to_contain_text("已提请社区核对")
    passage = Passage.objects.get()
    assert (passage.name, passage.name_disputed) == ("孙强", True)
    assert Person.objects.get(id_number=ID_NUMBER).name == "王芳"


# --- item 5: pending self-registrations ----------------------------------------------


def test_a_self_registration_appears_without_reload_and_is_confirmed_explicitly(
        page, live_server, site) -> None:
    checkpoint = site["checkpoint"]
    open_duty(page, live_server, site)
    expect(page.locator(".pending-row")).to_have_count(0)
    self_register(checkpoint)
    row = page.locator(".pending-row", has_text="李*")
    expect(row).to_be_visible(timeout=6000)  # no reload
    expect(row.locator(".self-reported")).to_contain_text("自报体温")
    expect(row.locator(".self-reported")).to_contain_text("37.6 °C")
    expect(row.locator(".self-reported")).to_contain_text("未实测")
    # "Confirm" with nothing measured confirms nothing.
    row.get_by_role("button", name="按实测体温确认").click()
    # Said next to the reading to enter, which takes the focus.
    row = page.locator(".pending-row", has_text="李*")
    expect(row.locator(".field-error")).to_contain_text("或按居民自报的体温确认")
    assert focused_matches(page, ".pending-row input[name=temperature]")
    assert Passage.objects.get().status == "pending"
    page.locator(".pending-row", has_text="李*").get_by_role(
        "button", name="按自报体温 37.6 °C 确认").click()
    expect(page.locator("[data-stop]")).to_contain_text("37.6 °C")
    assert Passage.objects.get().status == "confirmed"
    page.screenshot(path="/tmp/fk_gate_pending_confirmed.png", full_page=True)


def test_the_poll_waits_while_the_worker_types_in_the_pending_list(
        page, live_server, site) -> None:
    checkpoint = site["checkpoint"]
    self_register(checkpoint)
    open_duty(page, live_server, site)
    field = page.locator(".pending-row input[name=temperature]")
    field.fill("36.8")
    self_register(checkpoint, name="周敏", id_number=OTHER_ID, temperature="36.4")
    page.wait_for_timeout(5000)
    assert page.input_value(".pending-row input[name=temperature]") == "36.8"
    expect(page.locator(".pending-row", has_text="周*")).to_have_count(0)
    field.fill("")
    page.locator("h1").first.click()  # the focus leaves the list
    expect(page.locator(".pending-row", has_text="周*")).to_be_visible(timeout=6000)


def test_discard_asks_and_can_be_undone_the_same_day(page, live_server, site) -> None:
    self_register(site["checkpoint"])
    open_duty(page, live_server, site)
    row = page.locator(".pending-row", has_text="李*")
    row.get_by_role("button", name="作废").click()
    ask = page.locator(".discard-ask")
    expect(ask).to_contain_text("确定作废李*的登记吗")
    assert focused_matches(page, ".discard-ask")
    assert Passage.objects.get().status == "pending"  # the first tap only asks
    ask.get_by_role("button", name="不作废").click()
    expect(page.locator(".discard-ask")).to_have_count(0)
    assert Passage.objects.get().status == "pending"
    page.locator(".pending-row", has_text="李*").get_by_role("button", name="作废").click()
    page.locator(".discard-ask").get_by_role("button", name="确定作废").click()
    expect(page.locator(".duty-notice")).to_contain_text("今天可撤销")
    assert Passage.objects.get().status == "rejected"
    page.screenshot(path="/tmp/fk_gate_discarded.png", full_page=True)
    page.locator(".discarded-row").get_by_role("button", name="撤销作废").click()
    expect(page.locator(".pending-row", has_text="李*")).to_be_visible()
    assert Passage.objects.get().status == "pending"


# --- item 16: "remember me" on the QR page -------------------------------------------


def test_the_qr_page_remembers_nothing_unless_asked_and_says_what_it_keeps(
        page, live_server, site) -> None:
    checkpoint = site["checkpoint"]
    page.set_viewport_size(PHONE)
    url = f"{live_server.url}/checkpoints/r/{checkpoint.public_key}/"
    page.goto(url)
    remember = page.locator("#remember")
    expect(remember).not_to_be_checked()
    expect(page.locator("#remember-what")).to_contain_text("身份证号码")
    expect(page.locator("#remember-what")).to_contain_text("不会发送")
    page.fill("#id_name", "王芳")
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_temperature", "36.4")
    page.click("button[value=in]")
    page.wait_for_url("**/done/**")
    assert page.evaluate("localStorage.getItem('fangkong.selfreg.details')") is None
    page.goto(url)
    assert page.input_value("#id_name") == ""
    # Ticked: kept on the phone, and the box stays ticked next time.
    page.fill("#id_name", "王芳")
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_temperature", "36.4")
    page.check("#remember")
    page.click("button[value=out]")
    page.wait_for_url("**/done/**")
    page.goto(url)
    assert page.input_value("#id_name") == "王芳"
    expect(page.locator("#remember")).to_be_checked()
    page.screenshot(path="/tmp/fk_gate_qr.png", full_page=True)


# --- item 18: finger-sized targets, no word broken -----------------------------------

TARGETS = ("button:visible, a.btn:visible, input:not([type=hidden]):not([type=checkbox]):visible,"
           " .link-button:visible")
# How many lines each short label takes: a label of up to six characters on two lines
# is a word broken ("修/改").
LINES = """(selector) => Array.from(document.querySelectorAll(selector)).filter(
  (el) => el.offsetParent !== null && el.textContent.trim().length > 0
          && el.textContent.trim().length <= 6).map((el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let lines = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange(); range.selectNodeContents(node);
      const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
      lines = Math.max(lines, tops.size);
    }
    return [el.textContent.trim(), lines];
  }).filter(([, n]) => n > 1)"""


def small_targets(page, targets: str = TARGETS) -> list:
    found = []
    for element in page.locator(targets).all():
        box = element.bounding_box()
        if box and box["height"] < 44:
            found.append((element.inner_text() or element.get_attribute("name"), box["height"]))
    return found


@pytest.mark.parametrize("width", [360, 1366])
def test_the_duty_screen_and_qr_page_have_finger_sized_targets_and_whole_words(
        page, live_server, site, width) -> None:
    checkpoint = site["checkpoint"]
    self_register(checkpoint)
    open_duty(page, live_server, site)
    page.set_viewport_size({"width": width, "height": 900})
    fill(page, "孙强", ID_NUMBER, "38.2")
    tap_in(page)
    page.locator("[data-stop]").wait_for()
    # The screen says which day its counts are.
    expect(page.locator(".duty-head")).to_contain_text("今天")
    assert small_targets(page) == [], "targets under 44 px on the duty screen"
    assert page.evaluate(LINES, "#duty-panel .btn, #duty-panel h2, #duty-panel dt") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"/tmp/fk_gate_duty_{width}.png", full_page=True)
    page.goto(f"{live_server.url}/checkpoints/r/{checkpoint.public_key}/")
    page.click("button[value=in]")  # an empty form: every error showing
    page.locator(".field-error").first.wait_for()
    assert small_targets(page, f"{TARGETS}, .selfreg a:visible") == [], \
        "targets under 44 px on the QR page"
    assert page.evaluate(LINES, ".selfreg .btn, .selfreg label") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"/tmp/fk_gate_qr_{width}.png", full_page=True)
