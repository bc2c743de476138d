"""The Content-Security-Policy in a real Chromium: the pages the other browser tests do not
open (the API docs, the Django admin, the menu and the checkpoint close confirmation), and
the proof that the browser enforces the policy (an injected inline script does not run).

Every browser test is a CSP test too: conftest's ``page`` fixture fails a test on any
violation (login, home, people search with htmx, the duty screen with its fever notice,
QR self-registration, the household import, the dashboard with its chart).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.core.models import Role
from fangkong.core.testing import (
    PASSWORD,
    browser_log_in,
    browser_session,
    make_user,
    make_wenchang_chain,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def community(settings):
    return make_wenchang_chain()[-1]


def test_it_blocks_an_injected_inline_script_and_handler(browser, live_server, community):
    """A fresh page outside the fixture: its violations are the point of the test."""
    make_user("wenchang", Role.COMMUNITY_WORKER, community)
    context = browser.new_context()
    page = context.new_page()
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    browser_log_in(page, live_server, "wenchang", PASSWORD)
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true';
        document.body.appendChild(s);
        const b = document.createElement('div');
        b.innerHTML = '<img src="/static/img/favicon.svg" onload="window.__handler = true">';
        document.body.appendChild(b);
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected === undefined && window.__handler === undefined")
    assert any("Content Security Policy" in text for text in seen), seen
    context.close()


def test_it_serves_the_api_docs_to_a_logged_in_user_within_their_policy(page, live_server,
                                                                         community):
    user = make_user("hq", Role.HQ_STAFF, community)
    browser_session(page, live_server, user)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("fangkong API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()


def test_it_sends_an_anonymous_visitor_of_the_docs_to_the_login_page(page, live_server):
    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.url.startswith(f"{live_server.url}/accounts/login/?next=")


def test_it_shows_the_django_admin_login_within_its_policy(page, live_server):
    page.goto(f"{live_server.url}/django-admin/login/")
    expect(page.locator("#login-form")).to_be_visible()


def test_it_asks_before_closing_a_checkpoint(page, live_server, community):
    from fangkong.checkpoints.models import Checkpoint

    checkpoint = Checkpoint.objects.create(
        org_unit=community, name="文昌花园东门",
        opened_on=timezone.localdate() - timedelta(days=3))
    user = make_user("wenchang", Role.COMMUNITY_WORKER, community)
    browser_session(page, live_server, user)
    page.goto(f"{live_server.url}/checkpoints/{checkpoint.pk}/")
    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("form[data-confirm] button")
    page.wait_for_timeout(300)
    checkpoint.refresh_from_db()
    assert checkpoint.is_active and len(questions) == 1
    page.once("dialog", lambda d: answer(d, True))
    page.click("form[data-confirm] button")
    expect(page.locator("form[data-confirm]")).to_have_count(0)
    checkpoint.refresh_from_db()
    assert not checkpoint.is_active and len(questions) == 2


def test_it_runs_the_django_admin_within_its_policy(page, live_server, community):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    browser_session(page, live_server, admin)
    for path in ("/django-admin/", "/django-admin/core/apitoken/", "/django-admin/core/orgunit/",
                 f"/django-admin/core/orgunit/{community.pk}/change/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
