"""Real Chromium with network emulation (360 px, zh-CN): the phone's queue
(static/js/offline.js, offline-queue.js) and the service worker's app shell (sw.js).

- offline: 20 passages and 3 door-to-door visits, the page reloaded with no network,
  then online: all 23 arrive once, and nothing personal stays on the phone;
- the connection cut in the middle of a replay (the server saved one record, its
  answer was lost), then resumed: every record once;
- two tabs replaying the same queue;
- a record queued under a previous form version (taken), and under one the server does
  not know (失败 with the reason, corrected and resent);
- an expired session: the queue is kept, and sent after logging in again; logging out
  clears it.

The tests of the queue alone block the service worker (its Background Sync would send
from outside the page, around the test's network routes): the queue works without one.
"""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.checkpoints.models import Checkpoint, DutyRoster, Household, Passage, ScreeningVisit
from fangkong.core.models import Role
from fangkong.core.testing import make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEMS = "[data-offline-item]"


def id_number(i: int) -> str:
    return make_id_number("610902", dt.date(1980, 1, 1) + dt.timedelta(days=i), 11)


@pytest.fixture
def site():
    *_, community = make_wenchang_chain()
    checkpoint = Checkpoint.objects.create(org_unit=community, name="文昌花园东门")
    worker = make_user("wenchang", Role.COMMUNITY_WORKER, community, first_name="刘洋")
    DutyRoster.objects.create(checkpoint=checkpoint, user=worker, day=timezone.localdate(),
                              org_unit=community)
    households = [Household.objects.create(org_unit=community, number=str(n),
                                           address=f"文昌路{n}号") for n in (1, 2, 3)]
    return {"checkpoint": checkpoint, "worker": worker, "households": households}


def log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])


def phone(browser, live_server, user, *, workers: bool = True):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740},
        service_workers="allow" if workers else "block")
    if user is not None:
        log_in(context, live_server, user)
    return context


def watch_csp(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" and (
        "Content Security Policy" in m.text) else None)
    return seen


def shell_cached(page, path: str, timeout: float = 15) -> None:
    """Wait until the service worker keeps the page's shell (polled from Python:
    a page-side wait_for_function string would be refused by the CSP)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if page.evaluate("""(path) => caches.keys().then((names) => Promise.all(
              names.map((n) => caches.open(n).then((c) => c.match(path)))))
              .then((hits) => hits.some(Boolean))""", path):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"the shell of {path} was not cached")


def register(page, i: int, name: str | None = None) -> None:
    page.fill("#id_name", name or f"测试{i:02d}")
    page.fill("#id_id_number", id_number(i))
    page.fill("#id_temperature", "36.5")
    page.click(".duty-form button[value=in]")


def states(page) -> list[str]:
    return page.locator(ITEMS).evaluate_all("(items) => items.map((i) => i.dataset.status)")


def queue_records(page) -> list[dict]:
    return page.evaluate("() => window.fkQueue.all()")


def test_offline_20_passages_and_3_visits_reload_then_arrive_once(browser, live_server,
                                                                  site) -> None:
    context = phone(browser, live_server, site["worker"])
    page = context.new_page()
    csp = watch_csp(page)
    duty = f"/checkpoints/duty/{site['checkpoint'].pk}/"
    visits = [f"/checkpoints/households/{h.pk}/" for h in site["households"]]
    # Opened once online: the shells are kept.
    for path in [*visits, duty]:
        page.goto(live_server.url + path)
        page.wait_for_selector("form[data-offline]")
        shell_cached(page, path)

    context.set_offline(True)
    for i in range(20):
        register(page, i)
        expect(page.locator("[data-offline-note]")).to_contain_text("已保存在本机")
        expect(page.locator("#id_name")).to_have_value("")  # ready for the next person
    expect(page.locator(ITEMS)).to_have_count(20)
    assert page.locator("[data-offline-status]").inner_text().startswith("无网络")
    for path in visits:  # opened with no network: the shell
        page.goto(live_server.url + path)
        page.fill("#id_people_present", "2")
        page.check("#id_symptoms")
        page.click("form[data-offline] button[type=submit]")
        expect(page.locator("[data-offline-note]")).to_contain_text("已保存在本机")

    page.goto(live_server.url + duty)  # reload with no network
    expect(page.locator(ITEMS)).to_have_count(23)
    assert set(states(page)) == {"pending"}
    assert page.locator(ITEMS).first.inner_text().count("待发送") == 1
    page.screenshot(path="/tmp/fk_offline_queue.png", full_page=True)
    assert Passage.objects.count() == 0 and ScreeningVisit.objects.count() == 0

    context.set_offline(False)
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(23, timeout=30000)
    assert Passage.objects.count() == 20
    assert ScreeningVisit.objects.count() == 3
    assert ScreeningVisit.objects.filter(symptoms=True, people_present=2).count() == 3
    # Counted on the day made; the panel shows them once nothing is being typed.
    expect(page.locator(".duty-counts")).to_contain_text("20", timeout=20000)

    # Sent again by a reload (and the worker): still once.
    page.reload()
    page.wait_for_timeout(1500)
    assert Passage.objects.count() == 20 and ScreeningVisit.objects.count() == 3

    # Nothing personal stays: sent records lose their fields; the shells hold no name.
    records = queue_records(page)
    assert len(records) == 23 and all("fields" not in r for r in records)
    assert all(r["label"].startswith(("测*", "入户排查")) for r in records), records
    cached = page.evaluate("""() => caches.keys().then((names) => Promise.all(names.map(
        (n) => caches.open(n).then((c) => c.keys().then((reqs) => Promise.all(
          reqs.filter((r) => !r.url.includes('/static/'))
              .map((r) => c.match(r).then((res) => res.text()))))))))
        .then((lists) => [].concat(...lists).join('\\n'))""")
    assert "文昌花园东门" in cached  # the shell is there …
    assert "测试" not in cached and id_number(0)[-4:] not in cached  # … without anyone
    assert "文昌路1号" not in cached
    assert not csp, csp
    context.close()


def test_a_connection_cut_mid_replay_resumes_without_doubles(browser, live_server,
                                                            site) -> None:
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    context.set_offline(True)
    for i in range(5):
        register(page, i)
    expect(page.locator(ITEMS)).to_have_count(5)

    sent = {"n": 0}

    def cut(route) -> None:
        sent["n"] += 1
        if sent["n"] <= 2:
            route.continue_()
        elif sent["n"] == 3:
            # The server saves it (the same request, sent beside the page) …
            saver = Client()
            saver.force_login(site["worker"])
            answer = saver.post(urlsplit(route.request.url).path, route.request.post_data,
                                content_type="application/x-www-form-urlencoded",
                                HTTP_FK_QUEUE="1", HTTP_HX_REQUEST="true")
            assert answer["Fk-Outcome"] == "saved"
            route.abort("connectionreset")  # … and the page never hears back
        else:
            route.abort("internetdisconnected")

    context.route("**/register", cut)
    context.set_offline(False)
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(2)
    expect(page.locator(f"{ITEMS}[data-status=pending]")).to_have_count(3)
    assert Passage.objects.count() == 3

    context.unroute("**/register")
    page.click("[data-offline-send]")  # 立即发送
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(5)
    assert Passage.objects.count() == 5
    assert sorted(Passage.objects.values_list("name", flat=True)) == [
        f"测试{i:02d}" for i in range(5)]
    context.close()


def test_two_tabs_replaying_the_same_queue_send_each_record_once(browser, live_server,
                                                                site) -> None:
    context = phone(browser, live_server, site["worker"], workers=False)
    url = f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/"
    first, second = context.new_page(), context.new_page()
    first.goto(url)
    second.goto(url)
    context.set_offline(True)
    for i in range(6):
        register(first, i)
    expect(first.locator(ITEMS)).to_have_count(6)
    context.set_offline(False)  # both tabs see the network return and replay
    expect(first.locator(f"{ITEMS}[data-status=sent]")).to_have_count(6, timeout=20000)
    second.bring_to_front()
    expect(second.locator(f"{ITEMS}[data-status=sent]")).to_have_count(6, timeout=20000)
    assert Passage.objects.count() == 6
    context.close()


def test_records_queued_under_other_form_versions(browser, live_server, site) -> None:
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    context.set_offline(True)
    # A page from before forms carried a version (1, retired: taken for the grace
    # period), and one from a version the server never had.
    page.evaluate("() => document.querySelector('.duty-form [name=form_version]').value = '1'")
    register(page, 1, "旧版一")
    page.evaluate("() => document.querySelector('.duty-form [name=form_version]').value = '0'")
    register(page, 2, "未知版")
    context.set_offline(False)
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(1)
    failed = page.locator(f"{ITEMS}[data-status=failed]")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("服务器无法识别")
    assert list(Passage.objects.values_list("name", flat=True)) == ["旧版一"]

    # Corrected in the current form (the page as it is now; the values come back) and
    # sent again.
    page.reload()
    failed.locator("[data-offline-action=edit]").click()
    expect(page.locator("#id_name")).to_have_value("未知版")
    expect(page.locator("#id_name")).to_be_focused()
    page.click(".duty-form button[value=in]")
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(2)
    expect(page.locator(f"{ITEMS}[data-status=failed]")).to_have_count(0)
    assert sorted(Passage.objects.values_list("name", flat=True)) == ["旧版一", "未知版"]
    context.close()


def test_an_expired_session_keeps_the_queue_and_logout_clears_it(browser, live_server,
                                                                  site) -> None:
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    context.set_offline(True)
    register(page, 1)
    register(page, 2)
    context.clear_cookies()  # the session is gone meanwhile
    context.set_offline(False)
    status = page.locator("[data-offline-status]")
    expect(status).to_contain_text("登录已过期")
    expect(status.locator("a")).to_have_attribute(
        "href", f"/accounts/login/?next=%2Fcheckpoints%2Fduty%2F{site['checkpoint'].pk}%2F")
    assert set(states(page)) == {"pending"} and Passage.objects.count() == 0

    log_in(context, live_server, site["worker"])
    page.click("[data-offline-send]")
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(2)
    assert Passage.objects.count() == 2

    # Logging out with an unsent record asks, then leaves nothing on the phone.
    context.route("**/register", lambda route: route.abort("internetdisconnected"))
    register(page, 3)
    expect(page.locator(f"{ITEMS}[data-status=pending]")).to_have_count(1)
    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    page.evaluate("() => document.querySelector(\"form[action='/accounts/logout/']\")"
                  ".requestSubmit()")
    page.wait_for_url("**/accounts/login/**")
    assert "未发送" in questions[0]
    assert page.evaluate("() => window.fkQueue.all()") == []
    assert Passage.objects.count() == 2
    context.close()


def test_bad_input_made_offline_is_caught_on_the_phone(browser, live_server, site) -> None:
    """The server's messages beside the field, nothing queued; fixed, it is queued."""
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    csp = watch_csp(page)
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    register(page, 0, "李娜")  # online: the page says so
    expect(page.locator(".duty-notice")).to_contain_text("李*")
    context.set_offline(True)
    page.fill("#id_name", "张伟")
    page.fill("#id_id_number", id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1"))
    page.fill("#id_temperature", "47")
    page.fill("#id_plate", "沪AI2345")
    page.click(".duty-form button[value=in]")
    errors = page.locator(".duty-form [data-phone-error]")
    expect(errors).to_have_count(3)
    expect(page.locator(".field", has=page.locator("#id_id_number"))).to_contain_text(
        "身份证号码校验位不正确")
    expect(page.locator(".field", has=page.locator("#id_temperature"))).to_contain_text(
        "34.0 至 43.0")
    expect(page.locator("#id_id_number")).to_be_focused()  # where the finger is
    expect(page.locator(f"{ITEMS}[data-status=pending]")).to_have_count(0)
    assert page.input_value("#id_name") == "张伟"  # what was typed stays

    page.fill("#id_id_number", id_number(1))
    page.fill("#id_temperature", "36.8")
    page.fill("#id_plate", "沪A12345")
    page.click(".duty-form button[value=in]")
    expect(page.locator(f"{ITEMS}[data-status=pending]")).to_have_count(1)
    expect(errors).to_have_count(0)
    # The previous "李* registered" is not left on screen as if it were this one.
    expect(page.locator(".duty-notice")).to_be_hidden()
    expect(page.locator("[data-offline-note]")).to_contain_text("已保存在本机")
    page.screenshot(path="/tmp/fk_offline_checks.png", full_page=True)
    assert not csp, csp
    context.close()


def test_the_qr_page_opens_and_takes_a_registration_offline(browser, live_server,
                                                            site) -> None:
    """A resident's phone (no account): the page opened once online opens again with
    no network, takes the registration, and sends it when the network returns."""
    context = phone(browser, live_server, None)
    page = context.new_page()
    csp = watch_csp(page)
    path = f"/checkpoints/r/{site['checkpoint'].public_key}/"
    page.goto(live_server.url + path)
    shell_cached(page, path)
    context.set_offline(True)
    page.reload()
    page.uncheck("#remember")
    page.fill("#id_name", "王芳")
    page.fill("#id_id_number", id_number(7))
    page.fill("#id_phone", "13912345678")
    page.fill("#id_temperature", "36.4")
    page.click("button[value=in]")
    expect(page.locator("[data-offline-note]")).to_contain_text("已保存在本机")
    expect(page.locator(f"{ITEMS}[data-status=pending]")).to_contain_text("王*")
    assert Passage.objects.count() == 0
    context.set_offline(False)
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(1, timeout=20000)
    expect(page.locator("[data-offline-note]")).to_contain_text("已发送")
    passage = Passage.objects.get()
    assert (passage.status, passage.channel, passage.name) == ("pending", "self", "王芳")
    assert passage.made_at is not None and passage.made_at <= passage.created_at
    assert not csp, csp
    context.close()


# --- The queue beside the other branches' page scripts (front integration) ----------


def test_a_key_the_queue_holds_is_never_given_back_by_the_pages_history(
        browser, live_server, site) -> None:
    """ui.js keeps a form's key in the page's history entry (back/forward gives it back);
    the queue takes a record with that key and gives the form a new one. A send that
    failed on the way (kept to be sent again) must leave the entry with the new key: the
    old one would make the next visit take the queued one's place."""
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    household = site["households"][0]
    page.route(f"**/households/{household.pk}/visit", lambda route: route.abort())
    page.goto(f"{live_server.url}/checkpoints/households/{household.pk}/")
    page.fill("#id_people_present", "2")
    page.click("form[data-offline] button[type=submit]")
    expect(page.locator("[data-offline-note]")).to_contain_text("已保存在本机")
    queued = [r["key"] for r in queue_records(page)]
    in_form = page.input_value("form[data-offline] input[name=client_id]")
    kept = page.evaluate("() => Object.values((history.state || {}).fangkongKeys || {})")
    assert len(queued) == 1 and in_form not in queued
    assert kept == [in_form], f"the history entry gives back {kept}, the queue holds {queued}"
    context.close()


def test_the_pending_list_confirms_discards_and_restores_through_the_queue(
        browser, live_server, site) -> None:
    """gate's pending list (polled, discard asked, undone) with offline's queue: the ask
    is the server's (htmx, not a record), the discard, its undo and the confirmation go
    through the queue; offline, the ask says it needs the network."""
    Client().post(f"/checkpoints/r/{site['checkpoint'].public_key}/", {
        "client_id": "6b0c5d4e-58f4-4a53-9a55-5f1d7c1e2a01", "form_version": "2",
        "direction": "in", "name": "李娜", "id_number": id_number(40), "phone": "13800002222",
        "temperature": "36.4", "mask": "on", "resident": "on"})
    passage = Passage.objects.get()
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    csp = watch_csp(page)
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    row = page.locator(f"[data-pending='{passage.pk}']")
    row.locator("button[value=discard]").click()
    expect(page.locator(".discard-ask")).to_be_visible()
    page.click(".discard-ask button[value=reject]")
    expect(page.locator(".discarded-row")).to_have_count(1)
    passage.refresh_from_db()
    assert passage.status == "rejected"
    page.click(".discarded-row button[value=restore]")
    expect(page.locator(f"[data-pending='{passage.pk}']")).to_have_count(1)
    passage.refresh_from_db()
    assert passage.status == "pending"

    context.set_offline(True)
    page.locator(f"[data-pending='{passage.pk}'] button[value=discard]").click()
    expect(page.locator(f"[data-pending='{passage.pk}'] [data-offline-note]")).to_contain_text(
        "需要网络")
    assert page.locator(".discard-ask").count() == 0
    context.set_offline(False)
    # Online again, the same tap asks (the refused tap left nothing behind).
    page.locator(f"[data-pending='{passage.pk}'] button[value=discard]").click()
    expect(page.locator(".discard-ask")).to_be_visible()
    page.click(".discard-ask button[value=keep]")

    row = page.locator(f"[data-pending='{passage.pk}']")
    row.locator("input[name=temperature]").fill("36.6")
    row.locator("button[value=confirm]").click()
    expect(page.locator(f"[data-pending='{passage.pk}']")).to_have_count(0)
    passage.refresh_from_db()
    assert (passage.status, str(passage.temperature)) == ("confirmed", "36.6")
    assert {r["key"] for r in queue_records(page)} >= {f"confirm-{passage.pk}",
                                                        f"restore-{passage.pk}"}
    assert csp == []
    context.close()


def test_a_fever_kept_on_the_phone_is_stopped_on_the_phone(browser, live_server,
                                                          site) -> None:
    """Offline, the server cannot answer with its stop: the phone stops the fever itself
    (the threshold in force is on the register form), where the finger is; the next
    person's record takes it away."""
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    csp = watch_csp(page)
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    page.wait_for_selector("form[data-offline]")
    context.set_offline(True)
    page.fill("#id_name", "孙强")
    page.fill("#id_id_number", id_number(50))
    page.fill("#id_temperature", "38.2")
    page.click(".duty-form button[value=in]")
    stop = page.locator("[data-stop]")
    expect(stop).to_be_visible()
    expect(stop).to_contain_text("停！发热")
    expect(stop).to_contain_text("孙强")
    expect(stop).to_contain_text("38.2 °C")
    assert page.evaluate("document.activeElement.matches('[data-stop]')")
    expect(page.locator("[data-offline-note]")).to_contain_text("已保存在本机")
    page.screenshot(path="/tmp/fk_offline_fever_stop.png")
    register(page, 51)  # 36.5: no stop
    expect(page.locator("[data-stop]")).to_have_count(0)
    assert Passage.objects.count() == 0
    context.set_offline(False)
    expect(page.locator(f"{ITEMS}[data-status=sent]")).to_have_count(2, timeout=30000)
    assert Passage.objects.filter(fever=True).count() == 1
    assert not csp, csp
    context.close()


def test_the_stops_outcome_says_it_needs_the_network_when_there_is_none(
        browser, live_server, site) -> None:
    """The stop's outcome (放行 / 劝返 …) is decided by the server at once: offline, a tap
    says so inside the stop instead of doing nothing; online again, it is recorded."""
    context = phone(browser, live_server, site["worker"], workers=False)
    page = context.new_page()
    csp = watch_csp(page)
    page.goto(f"{live_server.url}/checkpoints/duty/{site['checkpoint'].pk}/")
    page.wait_for_selector("form[data-offline]")
    page.fill("#id_name", "孙强")
    page.fill("#id_id_number", id_number(60))
    page.fill("#id_temperature", "38.4")
    page.click(".duty-form button[value=in]")
    stop = page.locator("[data-stop]")
    expect(stop.locator(".stop-outcome")).to_be_visible()
    passage = Passage.objects.get()
    assert passage.outcome == "refused"
    context.set_offline(True)
    stop.locator("button[name=outcome][value=turned_back]").click()
    expect(stop.locator("[data-offline-note]")).to_contain_text("需要网络")
    passage.refresh_from_db()
    assert passage.outcome == "refused"
    context.set_offline(False)
    page.locator("[data-stop] button[name=outcome][value=turned_back]").click()
    expect(page.locator(".duty-notice")).to_contain_text("劝返")
    passage.refresh_from_db()
    assert passage.outcome == "turned_back"
    assert not csp, csp
    context.close()
