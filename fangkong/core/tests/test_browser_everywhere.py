"""In Chromium (zh-CN), what every page owes a hurried user (issue #11, items 15 and 18):

- tap targets at least 44 px high at 360 px (buttons, inputs, checkbox labels, links used
  as actions in tables, lists, tabs and pagers), measured by ``tap_targets.js``;
- no word broken over two lines at 1366 px (the audit log's 新/增), nor a button label;
- home cards say which day they count, and an old data set leads to its last day;
- a checkpoint duty user's home lists the open alerts of its own checkpoint (and no
  other), and a read-only province user is offered no close button in the alerts inbox.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from fangkong.checkpoints import services as checkpoint_services
from fangkong.checkpoints.models import Checkpoint, DutyRoster, Passage
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.models import Alert, Role
from fangkong.core.services.alerts import open_alert
from fangkong.core.testing import (
    browser_session,
    make_person,
    make_user,
    make_wenchang_chain,
)
from fangkong.lib.identity import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
MEASURE = (Path(__file__).parent / "tap_targets.js").read_text(encoding="utf-8")


@pytest.fixture
def town(settings):
    """文昌社区 with two checkpoints, a duty user rostered at one of them, its worker,
    the county, the province viewer and HQ; a fever at each checkpoint."""
    province, city, county, _town, community = make_wenchang_chain()
    east = Checkpoint.objects.create(org_unit=community, name="文昌花园东门")
    west = Checkpoint.objects.create(org_unit=community, name="文昌新村西门")
    users = {
        "gate01": make_user("gate01", Role.CHECKPOINT_DUTY, community, first_name="赵刚"),
        "wenchang": make_user("wenchang", Role.COMMUNITY_WORKER, community, first_name="张丽"),
        "hanbin": make_user("hanbin", Role.TERRITORY_STAFF, county, first_name="王晓燕"),
        "province": make_user("province", Role.PROVINCE_VIEWER, city, first_name="省专班"),
        "hq": make_user("hq", Role.HQ_STAFF, city, first_name="周建华"),
    }
    DutyRoster.objects.create(checkpoint=east, user=users["gate01"],
                              day=timezone.localdate(), org_unit=community)
    for n, (checkpoint, name) in enumerate(((east, "张伟"), (west, "李娜"))):
        id_number = make_id_number("610902", dt.date(1980 + n, 3, 4), 11 + n)
        checkpoint_services.register_passage(users["wenchang"], checkpoint, clean_passage({
            "client_id": str(uuid.uuid4()), "direction": "in", "name": name,
            "id_number": id_number, "temperature": "38.4", "phone": "13800138000"}))
    # A fever is not let through (not counted as in); one resident who is, is.
    checkpoint_services.register_passage(users["wenchang"], east, clean_passage({
        "client_id": str(uuid.uuid4()), "direction": "in", "name": "赵敏",
        "id_number": make_id_number("610902", dt.date(1990, 5, 6), 21), "temperature": "36.5"}))
    # A long title and detail: the audit log's last column takes the width (新/增 wrapped).
    open_alert(kind="plate", org_unit=community, subject="browser:plate",
               title="鄂A12345 自湖北武汉驶入文昌花园东门，驾驶人自述途经孝感、随州，请社区网格员"
                     "立即核实行程并登记居家观察信息",
               detail="车上共三人，均为文昌社区常住居民，已于二月初离开安康前往湖北探亲，"
                      "途中未发现发热咳嗽等症状，体温均在三十六度五左右，已告知居家观察要求")
    for k in range(3):
        make_person(community, name=f"居民{k}")
    return {"users": users, "east": east, "west": west, "community": community}


def measure(page, path: str, live_server) -> dict:
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    return page.evaluate(MEASURE)


def test_tap_targets_are_finger_sized_at_360_px(page, live_server, town):
    page.set_viewport_size(PHONE)
    pages = {
        "hq": ["/", "/core/alerts/", "/core/alerts/?status=all", "/core/rules/",
               "/core/audit/", "/core/audit/pii/", "/core/people/", "/core/units/",
               "/core/jobs/", "/checkpoints/"],
        "wenchang": ["/", "/core/alerts/", "/core/people/"],
        "gate01": ["/"],
    }
    small = {}
    for username, paths in pages.items():
        browser_session(page, live_server, town["users"][username])
        for path in paths:
            found = measure(page, path, live_server)["small"]
            if found:
                small[f"{username} {path}"] = found
    assert small == {}


def test_no_word_breaks_over_two_lines_at_1366_px(page, live_server, town):
    page.set_viewport_size(DESKTOP)
    browser_session(page, live_server, town["users"]["hq"])
    wrapped = {}
    for path in ("/", "/core/alerts/?status=all", "/core/audit/", "/core/audit/pii/",
                 "/core/rules/", "/core/people/", "/checkpoints/"):
        found = measure(page, path, live_server)["wrapped"]
        if found:
            wrapped[path] = found
    assert wrapped == {}


def test_home_cards_say_which_day_they_count(page, live_server, town):
    page.set_viewport_size(PHONE)
    browser_session(page, live_server, town["users"]["wenchang"])
    page.goto(f"{live_server.url}/")
    today = timezone.localdate()
    assert page.inner_text("#cards-day") == today.isoformat()
    assert page.locator("#cards-old-day").count() == 0
    passages = page.locator("[data-indicator='checkpoints.passages']")
    assert "1人次" in passages.inner_text().replace(" ", "")
    assert f"{today:%m-%d} 当日" in passages.inner_text()
    assert f"截至 {today:%m-%d}" in page.inner_text("[data-indicator='core.people_registered']")
    assert "当前" in page.inner_text("[data-indicator='core.open_alerts']")


def test_an_old_data_set_opens_the_home_on_its_last_day(page, live_server, town):
    """The demo city's case: its records end years before the machine's today."""
    old = timezone.localdate() - dt.timedelta(days=400)
    Passage.objects.update(day=old)
    from fangkong.checkpoints.models import PassageDaily
    PassageDaily.objects.update(day=old)
    page.set_viewport_size(PHONE)
    browser_session(page, live_server, town["users"]["wenchang"])
    page.goto(f"{live_server.url}/")
    assert page.inner_text("#cards-day") == old.isoformat()
    notice = page.inner_text("#cards-old-day")
    assert old.isoformat() in notice and "还没有记录" in notice
    assert "1人次" in page.inner_text("[data-indicator='checkpoints.passages']").replace(" ", "")
    assert f"{old:%m-%d} 当日" in page.inner_text("[data-indicator='checkpoints.passages']")


def test_a_duty_users_home_lists_its_own_checkpoints_open_alerts(page, live_server, town):
    page.set_viewport_size(PHONE)
    browser_session(page, live_server, town["users"]["gate01"])
    page.goto(f"{live_server.url}/")
    alerts = page.inner_text(".alert-list")
    assert "文昌花园东门" in alerts and "发热" in alerts
    assert "文昌新村西门" not in alerts  # another checkpoint's
    assert "鄂A12345" not in alerts  # the community's, raised by no passage of its gate
    assert page.locator(".alert-list li").count() == 1
    # It may read them, not close them (that is the community's): no inbox link either.
    assert page.locator("a[href='/core/alerts/']").count() == 0
    assert page.goto(f"{live_server.url}/core/alerts/").status == 403


def test_a_read_only_province_user_is_offered_no_close_button(page, live_server, town):
    page.set_viewport_size(PHONE)
    browser_session(page, live_server, town["users"]["province"])
    page.goto(f"{live_server.url}/core/alerts/")
    assert page.locator(".alert-card").count() == Alert.objects.filter(status="open").count()
    assert page.locator(".alert-card form, .alert-card button").count() == 0
    browser_session(page, live_server, town["users"]["wenchang"])
    page.goto(f"{live_server.url}/core/alerts/")
    assert page.locator(".alert-card form.alert-close").count() == 3
