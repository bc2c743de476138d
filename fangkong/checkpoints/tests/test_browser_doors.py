"""Real Chromium at 360 px (zh-CN): door-to-door screening, tips and the patrol form
sent twice with the back button (issue #11 items 4, 6, 7, 17)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fangkong.checkpoints.models import PatrolLog
from fangkong.core.models import Role
from fangkong.core.testing import browser_session, make_user, make_wenchang_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    *_, community = make_wenchang_chain()
    worker = make_user("wenchang", Role.COMMUNITY_WORKER, community, first_name="李梅")
    return {"community": community, "worker": worker}


def test_back_and_send_the_patrol_again_saves_one_patrol(page, live_server, site) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    browser_session(page, live_server, site["worker"])
    page.goto(f"{live_server.url}/checkpoints/patrols/")
    page.fill("#id_area", "文昌花园广场")
    page.fill("#id_gatherings_dispersed", "2")
    page.fill("#id_people_persuaded", "31")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages, .message, [role=status]").first).to_contain_text("已保存")
    assert PatrolLog.objects.count() == 1
    # Back to the filled form, and send it again.
    page.go_back()
    page.wait_for_load_state()
    assert page.input_value("#id_people_persuaded") == "31"
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert PatrolLog.objects.count() == 1
    assert list(PatrolLog.objects.values_list("people_persuaded", flat=True)) == [31]
