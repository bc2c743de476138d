"""Real Chromium at 360 px, zh-CN: the policy calculator (an error next to its field,
then a result with its explanation and trace) and building, exporting and settling a
payment batch. Screenshots: /tmp/fk_relief_calc_error.png, /tmp/fk_relief_calc.png,
/tmp/fk_relief_batch.png (and 1366 px: /tmp/fk_relief_calc_error_wide.png)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from fangkong.core.models import Role
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.relief import services
from fangkong.relief.models import ApplicationStatus, PaymentBatch
from fangkong.relief.tests.base import ACCOUNT, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    _root, _city, county, _town, community = make_wenchang_chain()
    staff = make_user("baihe", Role.TERRITORY_STAFF, county, first_name="冯秀兰")
    return {"county": county, "community": community, "staff": staff}


def no_sideways_scroll(page, width: int = 360) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways ({scroll}px)"


def test_the_policy_calculator_at_360_px(page, live_server, site) -> None:
    browser_session(page, live_server, site["staff"])
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/relief/calculator/")
    assert page.locator("h1").inner_text() == "政策试算"
    page.select_option("#id_measure", "loan_interest")
    # Only the loan's facts show.
    assert page.locator("#id_principal").is_visible()
    assert not page.locator("#id_poor_workers").is_visible()
    page.check("#id_resumed")
    page.check("#id_for_production")
    page.fill("#id_principal", "-100")
    page.fill("#id_annual_rate", "0.0435")
    page.fill("#id_due_date", "2020-03-15")
    page.click("main form button[type=submit]")
    error = page.locator(".has-error .field-error").first
    assert error.is_visible()
    assert "0" in error.inner_text()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "id_principal", focused
    page.screenshot(path="/tmp/fk_relief_calc_error.png", full_page=True)
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path="/tmp/fk_relief_calc_error_wide.png", full_page=True)
    page.set_viewport_size({"width": 360, "height": 780})

    page.fill("#id_principal", "100000.00")
    page.click("main form button[type=submit]")
    result = page.locator("#result")
    assert "2175.00" in result.locator(".relief-amount").inner_text()
    assert "四舍五入到分" in result.inner_text()
    page.click("#result summary")
    assert "扶贫：贷款贴息延长月数" in result.inner_text()
    page.screenshot(path="/tmp/fk_relief_calc.png", full_page=True)
    no_sideways_scroll(page)

    # A day no rule covers is said so, not computed.
    page.fill("#id_as_of", "2019-01-01")
    page.click("main form button[type=submit]")
    assert "该日期无有效规则" in page.locator("#result").inner_text()


def test_building_a_payment_batch_at_360_px(page, live_server, site) -> None:
    staff, county, community = site["staff"], site["county"], site["community"]
    for n in range(2):
        household, _ = services.register_household(
            staff, community, client_id=uuid.uuid4(), number=f"B{n}", head=person(300 + n),
            account_number=ACCOUNT, account_bank="农信社")
        services.add_member(staff, household, person(310 + n), away_from=date(2020, 1, 5),
                            away_to=date(2020, 7, 20))
        services.apply(staff, "employment", household=household, client_id=uuid.uuid4(),
                       submitted_on=date(2020, 2, 20))
    browser_session(page, live_server, staff)
    page.set_viewport_size({"width": 360, "height": 780})

    # Acceptance: tick both, accept; the results are frozen.
    page.goto(f"{live_server.url}/relief/batches/")
    page.click(f"a[href$='/acceptance/{county.code}/new/']")
    for box in page.locator("input[name=applications]").all():
        box.check()
    page.fill("#id_accepted_on", "2020-02-27")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/batches/acceptance/*/")
    assert page.locator("td.num", has_text="500.00").count() == 2

    # The payment batch: both households, 1,000.00 yuan in all.
    page.goto(f"{live_server.url}/relief/batches/payment/{county.code}/new/")
    assert "1000.00" in page.locator("h2").first.inner_text()
    page.fill("#id_prepared_on", "2020-02-28")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/batches/payment/*/")
    assert "1000.00" in page.locator(".facts").inner_text()
    assert ACCOUNT not in page.content()  # masked
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")

    # Settling without the bank's reference: the error is next to the field.
    page.fill("#id_paid_on", "2020-03-02")
    page.click("text=标记为已兑付")
    assert page.locator(".has-error .field-error").first.is_visible()
    page.screenshot(path="/tmp/fk_relief_batch.png", full_page=True)
    no_sideways_scroll(page)
    page.fill("#id_bank_reference", "NXS20200302-0001")
    page.click("text=标记为已兑付")
    assert "批次已兑付" in page.content()
    batch = PaymentBatch.objects.get()
    assert (batch.status, batch.bank_reference) == ("settled", "NXS20200302-0001")
    assert set(batch.payments.values_list("application__status", flat=True)) == {
        ApplicationStatus.PAID}
