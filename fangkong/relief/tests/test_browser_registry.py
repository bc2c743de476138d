"""Real Chromium at 360 px, zh-CN: 白河县's office adds a version of its own relief rule
(an overlapping date refused under the field, then saved), and corrects a household
(an error under the field, then saved, the change in the history). Screenshots:
/tmp/fk_relief_rule_error.png, /tmp/fk_relief_rule_saved.png,
/tmp/fk_relief_household_edit_error.png, /tmp/fk_relief_household_edited.png."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from fangkong.core.models import ParameterValue, Role
from fangkong.core.models.territory import Level
from fangkong.core.testing import browser_session, make_unit, make_user
from fangkong.relief import rules as R
from fangkong.relief import services
from fangkong.relief.models import PoorHousehold
from fangkong.relief.tests.base import ACCOUNT, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def baihe():
    province = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    city = make_unit(province, "610900", "安康市", Level.CITY)
    county = make_unit(city, R.OWNER_COUNTY, "白河县", Level.COUNTY)
    town = make_unit(county, "610929101", "城关镇", Level.TOWN)
    village = make_unit(town, "610929101202", "马庄村", Level.COMMUNITY)
    staff = make_user("baihe", Role.TERRITORY_STAFF, county, first_name="冯秀兰")
    return {"county": county, "village": village, "staff": staff}


def no_sideways_scroll(page, width: int = 360) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways ({scroll}px)"


def test_the_county_office_adds_a_rule_version_at_360_px(page, live_server, baihe) -> None:
    browser_session(page, live_server, baihe["staff"])
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/core/rules/{R.EMPLOYMENT_PER_MEMBER}/")
    assert "白河县" in page.locator("#rule-owner").inner_text()
    page.fill("#id_value", "600")
    page.fill("#id_valid_from", "2020-03-01")
    page.fill("#id_document_number", "白扶办发〔2020〕7号")
    page.fill("#id_reason", "提高生活补贴")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/core/rules/{R.EMPLOYMENT_PER_MEMBER}/")
    # A second version that would start on or before the one just added: refused.
    page.fill("#id_value", "700")
    page.fill("#id_valid_from", "2020-02-15")
    page.fill("#id_reason", "更正")
    page.click("main form button[type=submit]")
    error = page.locator(".has-error .field-error").first
    assert error.is_visible()
    assert "2020-03-01" in error.inner_text()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "id_valid_from", focused
    page.screenshot(path="/tmp/fk_relief_rule_error.png", full_page=True)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path="/tmp/fk_relief_rule_error_wide.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    assert ParameterValue.objects.filter(parameter__code=R.EMPLOYMENT_PER_MEMBER).count() == 2
    page.fill("#id_valid_from", "2020-04-01")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/core/rules/{R.EMPLOYMENT_PER_MEMBER}/")
    assert "冯秀兰" in page.locator("main").inner_text()
    page.screenshot(path="/tmp/fk_relief_rule_saved.png", full_page=True)
    latest = ParameterValue.objects.filter(
        parameter__code=R.EMPLOYMENT_PER_MEMBER).order_by("-valid_from").first()
    assert (latest.typed, latest.created_by) == (Decimal("700"), baihe["staff"])


def test_the_office_corrects_a_household_at_360_px(page, live_server, baihe) -> None:
    household, _ = services.register_household(
        baihe["staff"], baihe["village"], client_id=uuid.uuid4(), number="BH-0001",
        head=person(700, "张建国", "610929"), account_number=ACCOUNT, account_bank="农信社")
    services.register_household(
        baihe["staff"], baihe["village"], client_id=uuid.uuid4(), number="BH-0002",
        head=person(710, "李秀英", "610929"), account_number=ACCOUNT, account_bank="农信社")
    browser_session(page, live_server, baihe["staff"])
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/relief/households/{household.pk}/")
    page.click(f"a[href='/relief/households/{household.pk}/edit/']")
    assert ACCOUNT not in page.content()  # the account stays masked
    page.fill("#id_number", "BH-0002")  # another household's number
    page.fill("#id_account_number", "6230 52")
    page.click("main form.card button[type=submit]")
    error = page.locator(".has-error .field-error").first
    assert error.is_visible()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused in ("id_number", "id_account_number"), focused
    page.screenshot(path="/tmp/fk_relief_household_edit_error.png", full_page=True)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path="/tmp/fk_relief_household_edit_error_wide.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})
    page.fill("#id_number", "BH-0001-1")
    page.fill("#id_account_number", "")
    page.fill("#id_account_bank", "邮储银行")
    page.click("main form.card button[type=submit]")
    page.wait_for_url(f"**/relief/households/{household.pk}/")
    assert "BH-0001-1" in page.locator("h1").inner_text()
    assert "邮储银行" in page.locator(".history").inner_text()
    page.screenshot(path="/tmp/fk_relief_household_edited.png", full_page=True)
    no_sideways_scroll(page)
    household.refresh_from_db()
    assert (household.number, household.account_number, household.account_bank) == (
        "BH-0001-1", ACCOUNT, "邮储银行")
    assert PoorHousehold.objects.count() == 2
