"""Page weight: the bytes a phone downloads to show a page, with budgets (issue #11, item 19).

Weight is deterministic, so it is asserted, not benchmarked. The browser's network events
give every response of a page load; each is counted as production sends it: static files
gzip-compressed (WhiteNoise serves the pre-compressed copy), pages and JSON as they are
(no compression of HTML: BREACH). Budgets:

- the QR self-registration page and the checkpoint duty screen, both used on a phone at a
  gate, under 60 KB;
- the dashboard without its chart (a phone that does not scroll to it) under 60 KB;
- the dashboard with its trend chart loaded under 250 KB (the whole ECharts build alone
  weighed 368 KB compressed; docs/decisions/chart-bundle.md).
"""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

import pytest
from django.utils import timezone

from fangkong.checkpoints.models import Checkpoint, DutyRoster
from fangkong.core.models import Level, Role
from fangkong.core.testing import browser_session, make_unit, make_user, make_wenchang_chain
from fangkong.reports import services
from fangkong.reports.models import Reporter
from fangkong.reports.tests.base import make_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
KB = 1024
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


class Weigher:
    """Records every response of the page and what it would weigh on the wire."""

    def __init__(self, page: Any) -> None:
        self.rows: list[tuple[str, int]] = []
        page.on("response", self._on_response)

    def _on_response(self, response: Any) -> None:
        if response.status in (301, 302, 303, 304):
            return
        body = response.body()
        kind = response.headers.get("content-type", "")
        static = "/static/" in response.url
        if static and kind.startswith(COMPRESSED_TYPES):
            size = len(gzip.compress(body, compresslevel=9, mtime=0))
        else:
            size = len(body)
        self.rows.append((response.url, size))

    def reset(self) -> None:
        self.rows.clear()

    @property
    def total(self) -> int:
        return sum(size for _url, size in self.rows)

    def report(self) -> str:
        lines = [f"{size / KB:7.1f} KB  {url}" for url, size in self.rows]
        return "\n".join(lines + [f"{self.total / KB:7.1f} KB  total"])


@pytest.fixture
def gate(settings):
    _root, _city, _county, _town, community = make_wenchang_chain()
    checkpoint = Checkpoint.objects.create(org_unit=community, name="文昌花园东门")
    user = make_user("gate01", Role.CHECKPOINT_DUTY, community, first_name="赵刚")
    DutyRoster.objects.create(checkpoint=checkpoint, user=user, day=timezone.localdate(),
                              org_unit=community)
    return checkpoint, user


@pytest.fixture
def city(settings):
    province = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    city = make_unit(province, "610900", "安康市", Level.CITY)
    counties = [make_unit(city, code, name, Level.COUNTY) for code, name in (
        ("610902", "汉滨区"), ("610921", "汉阴县"), ("610922", "石泉县"))]
    hq = make_user("hq", Role.HQ_STAFF, city, first_name="周建华")
    form = make_form("county_daily", deadline_days=1)
    services.add_reporters(hq, form, units=counties)
    today = timezone.localdate()
    for back in range(0, 14):
        for n, reporter in enumerate(Reporter.objects.filter(form=form).order_by("code")):
            services.save_report(hq, reporter, today - dt.timedelta(days=back), {
                "people_screened": 900 + 40 * back + 100 * n, "fever_found": back % 3,
                "projects_total": 120, "projects_resumed": 100 - back * 5,
                "avg_temp": "36.5"}, submit=True)
    return hq


def _load(page: Any, weigher: Weigher, url: str) -> int:
    weigher.reset()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return weigher.total


def test_the_gate_pages_weigh_under_60_kb(page, live_server, gate):
    checkpoint, user = gate
    page.set_viewport_size(PHONE)
    weigher = Weigher(page)
    qr = _load(page, weigher, f"{live_server.url}/checkpoints/r/{checkpoint.public_key}/")
    assert page.locator("h1").inner_text() == "进出登记"
    assert qr < 60 * KB, f"the QR page weighs {qr / KB:.1f} KB:\n{weigher.report()}"
    browser_session(page, live_server, user)
    duty = _load(page, weigher, f"{live_server.url}/checkpoints/duty/")
    assert page.locator("#duty-panel").count() == 1
    assert duty < 60 * KB, f"the duty screen weighs {duty / KB:.1f} KB:\n{weigher.report()}"


def test_the_dashboard_loads_its_chart_library_only_when_the_chart_is_near(
        page, live_server, city):
    page.set_viewport_size(PHONE)
    browser_session(page, live_server, city)
    weigher = Weigher(page)
    first = _load(page, weigher, f"{live_server.url}/reports/dashboard/")
    assert "安康市指挥看板" in page.inner_text("main")
    # The chart is below the first screen of a phone: its library is not fetched yet.
    assert page.locator("#trend").bounding_box()["y"] > PHONE["height"]
    assert not any("charts" in url for url, _size in weigher.rows), weigher.report()
    assert first < 60 * KB, f"the dashboard weighs {first / KB:.1f} KB:\n{weigher.report()}"
    page.locator("#trend").scroll_into_view_if_needed()
    page.wait_for_selector("#trend-chart[data-loaded='1']", timeout=15000)
    page.wait_for_load_state("networkidle")
    assert page.locator("#trend-chart canvas").count() == 1
    total = weigher.total  # the first load and what scrolling fetched
    assert total < 250 * KB, (
        f"the dashboard with its chart weighs {total / KB:.1f} KB:\n{weigher.report()}")
