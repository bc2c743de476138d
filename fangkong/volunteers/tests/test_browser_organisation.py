"""Real Chromium at 360 px in Chinese: a coordinator makes a volunteer team, first with the
name of one the organisation has (refused next to the name, nothing saved), then with a
new name.

Screenshots: /tmp/fk_volunteers_team_*.png.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from playwright.sync_api import expect

from fangkong.core.models import Organisation, Role
from fangkong.core.models.territory import OrgKind
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number
from fangkong.volunteers import services
from fangkong.volunteers.models import Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"


def test_a_coordinator_makes_a_team(page, live_server) -> None:
    _root, city, _county, _town, community = make_wenchang_chain()
    hq = make_user("hq", Role.HQ_STAFF, city)
    org = Organisation.objects.create(code="sjj", name="安康市审计局", kind=OrgKind.DEPARTMENT,
                                      is_member_unit=True, org_unit=city)
    other_org = Organisation.objects.create(code="rsj", name="安康市人社局",
                                            kind=OrgKind.DEPARTMENT, is_member_unit=True,
                                            org_unit=city)

    def enrol(n: int, name: str, organisation: Organisation):
        return services.enrol(hq, community, name=name, organisation=organisation,
                              id_number=make_id_number("610902", date(1990, 1, n), n))[0]

    leader = enrol(1, "吴佳怡", org)
    member = enrol(2, "陈志远", org)
    stranger = enrol(3, "周敏", other_org)
    services.create_team(hq, city, client_id=uuid.uuid4(), name="审计局青年突击队",
                         organisation=org)
    browser_session(page, live_server, hq)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/volunteers/teams/")
    page.get_by_role("link", name="新建队伍").click()
    page.select_option("#id_organisation", str(org.pk))
    page.get_by_role("button", name="下一步").click()
    # Only the organisation's volunteers are offered.
    expect(page.locator(f"input[name=members][value='{member.pk}']")).to_be_visible()
    assert page.locator(f"input[name=members][value='{stranger.pk}']").count() == 0
    page.select_option("#id_community", community.code)
    page.fill("#id_name", "审计局青年突击队")  # the organisation has a team of this name
    page.select_option("#id_leader", str(leader.pk))
    page.check(f"input[name=members][value='{member.pk}']")
    page.get_by_role("button", name="保存队伍").click()
    expect(page.locator(".has-error .field-error")).to_contain_text("该单位已有同名的队伍")
    expect(page.locator("#id_name")).to_be_focused()
    assert Team.objects.count() == 1
    no_sideways_scroll(page)
    page.screenshot(path="/tmp/fk_volunteers_team_error.png", full_page=True)
    # What was chosen is kept; a new name, and the team is saved.
    expect(page.locator(f"input[name=members][value='{member.pk}']")).to_be_checked()
    page.fill("#id_name", "审计局青年突击二队")
    page.get_by_role("button", name="保存队伍").click()
    expect(page.locator("h1")).to_contain_text("审计局青年突击二队")
    team = Team.objects.get(name="审计局青年突击二队")
    assert (team.leader, set(team.members.all())) == (leader, {leader, member})
    expect(page.locator("main")).to_contain_text(member.masked_name)
    no_sideways_scroll(page)
    page.screenshot(path="/tmp/fk_volunteers_team_saved.png", full_page=True)
