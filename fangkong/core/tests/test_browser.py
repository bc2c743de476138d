"""The UI shell in a real Chromium: login as the community worker, Chinese home, language switch.

Run with ``pytest -m browser``; they also run in the full suite. Screenshots of the phone-sized
home page go to the test's tmp directory and to /tmp/fk_home_wenchang.png for a human to look at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fangkong.core.models import Role
from fangkong.core.testing import (
    PASSWORD,
    browser_log_in,
    make_person,
    make_user,
    make_wenchang_chain,
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHARED_SCREENSHOT = Path("/tmp/fk_home_wenchang.png")
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wenchang(settings):
    """The demo's community worker 张丽 at 文昌社区, in a tree like the demo city's."""
    _province, _city, _county, _town, community = make_wenchang_chain()
    for name in ("王芳", "刘洋", "陈静"):
        make_person(community, name=name)
    return make_user("wenchang", Role.COMMUNITY_WORKER, community, first_name="张丽")


log_in = browser_log_in


def test_it_logs_in_and_shows_the_chinese_home_page(page, live_server, wenchang, tmp_path):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "wenchang", PASSWORD)
    assert page.url == f"{live_server.url}/"
    assert page.get_attribute("html", "lang") == "zh-CN"
    body = page.inner_text("body")
    assert "工作概览" in body
    assert "社区工作者 · 文昌社区" in body
    assert "登记人数" in body
    assert "退出" in page.content()
    nav_labels = {t.strip() for t in page.locator("#main-nav .nav-inner > a").all_inner_texts()}
    assert "首页" in nav_labels and "人员" in nav_labels
    assert "审计日志" not in nav_labels
    # The vendored browser assets are served by the app and run.
    assert page.evaluate("typeof window.htmx") == "object"
    # On a phone the menu is folded away and opens with the button (static/js/ui.js).
    assert not page.is_visible("#main-nav")
    page.click(".menu-toggle")
    assert page.is_visible("#main-nav")
    assert page.get_attribute(".menu-toggle", "aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert not page.is_visible("#main-nav")
    page.click(".menu-toggle")
    page.click(".menu-toggle")
    shot = tmp_path / "home_wenchang_phone.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copyfile(shot, SHARED_SCREENSHOT)
    page.set_viewport_size(DESKTOP)
    assert page.is_visible("#main-nav")
    page.screenshot(path=str(tmp_path / "home_wenchang_desktop.png"), full_page=True)
    shutil.copyfile(tmp_path / "home_wenchang_desktop.png", "/tmp/fk_home_wenchang_desktop.png")
    # Last, so that the screenshots exist even when a module's catalogue is missing.
    english = {label for label in nav_labels if not CJK.search(label)}
    assert not english, f"navigation labels not translated: {sorted(english)}"


def test_it_searches_people_with_htmx(page, live_server, wenchang):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "wenchang", PASSWORD)
    page.goto(f"{live_server.url}/core/people/")
    assert "共 3 人" in page.inner_text("#people-rows")
    with page.expect_response(lambda r: "/core/people/?" in r.url):
        page.fill("input[name=q]", "刘")
    expect(page.locator("#people-rows")).to_contain_text("共 1 人")
    assert "刘洋" in page.inner_text("#people-rows")
    assert "王芳" not in page.inner_text("#people-rows")
    assert "q=%E5%88%98" in page.url


def test_it_shows_a_chinese_error_for_a_wrong_password(page, live_server, wenchang):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "wenchang", "not-the-password")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert "用户名或密码错误。" in page.inner_text("[role=alert]")
    assert page.input_value("#id_username") == "wenchang"


def test_it_switches_to_english_and_back(page, live_server, wenchang):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "wenchang", PASSWORD)
    page.click(".topbar-tools button[name=language]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"
    assert "Work overview" in page.inner_text("main")
    page.goto(f"{live_server.url}/core/people/")
    assert "People registry" in page.inner_text("main")
    page.click(".topbar-tools button[name=language]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "人员库" in page.inner_text("main")
    assert page.url == f"{live_server.url}/core/people/"


def test_it_closes_an_alert_in_the_inbox_at_360_px(page, live_server, wenchang):
    from fangkong.core.models import Alert
    from fangkong.core.services.alerts import open_alert

    unit = wenchang.grants.get().org_unit
    alert = open_alert(kind="fever", org_unit=unit, subject="browser:1",
                       title="文昌花园东门体温38.2°C，请复测并处置（长标题在手机上也要换行）")
    open_alert(kind="plate", org_unit=unit, title="鄂A12345 待排查", subject="browser:2")
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "wenchang", PASSWORD)
    page.goto(f"{live_server.url}/core/alerts/?kind=fever")
    assert "发热" in page.inner_text("main")
    assert page.locator(".alert-card").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the inbox scrolls sideways ({width}px)"
    button = page.locator(".alert-close button")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 360
    page.screenshot(path="/tmp/fk_alerts_360_open.png", full_page=True)
    page.fill(f"#outcome-{alert.pk}", "复测36.8°C，已送发热门诊")
    button.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/core/alerts/?kind=fever")
    assert "预警已处置" in page.inner_text("body")
    page.screenshot(path="/tmp/fk_alerts_360.png", full_page=True)
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == ("closed", "复测36.8°C，已送发热门诊")
    assert Alert.objects.filter(status="open").count() == 1
