"""An export in the browser: the People page's export link leads to the job's page, whose
progress bar (htmx polling) reaches the download link once a worker has made the file."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.jobs import services
from fangkong.core.models import Job, Level, Role
from fangkong.core.testing import browser_session, make_unit, make_user
from fangkong.core.tests.jobs_helpers import many_people


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_the_progress_bar_then_the_download(page: Any, live_server: Any,
                                                      settings: Any, tmp_path: Any) -> None:
    settings.FANGKONG_EXPORT_DIRECT_ROWS = 10
    settings.FANGKONG_JOBS_DIR = str(tmp_path)
    root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
    user = make_user("exporter", Role.TERRITORY_STAFF, county)
    many_people(county, 40)
    browser_session(page, live_server, user)

    page.goto(f"{live_server.url}/core/people/")
    page.click("a[href^='/core/people/export.xlsx']")
    page.wait_for_url("**/core/jobs/*/")
    job = Job.objects.get()
    bar = page.locator("#job-progress progress.job-bar")
    assert bar.get_attribute("value") == "0"
    assert page.locator("#job-progress").get_attribute("data-state") == "queued"

    assert services.run(job.pk, job.attempt) == "done"  # the worker's part
    link = page.locator("#job-download")
    link.wait_for(timeout=10_000)  # the page polls every second
    assert bar.get_attribute("value") == "100"
    assert page.locator("#job-progress").get_attribute("data-state") == "done"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert download.value.path().stat().st_size > 0
    page.goto(f"{live_server.url}/core/jobs/")
    assert page.locator(f"a[href='/core/jobs/{job.pk}/file']").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_large_import_is_checked_by_a_job_then_that_file_imported(
        page: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    """At 360 px: "Check the file" on a large file leads to the check job's page; its bar
    reaches "ready to import"; "Import this checked file" leads to the import job's page,
    whose bar reaches the counts. Nothing is saved before the import job has run."""
    import re

    from fangkong.core.models import Person
    from fangkong.core.tests.test_people_io import HEADERS, WENCHANG, good_rows, xlsx

    settings.FANGKONG_IMPORT_DIRECT_BYTES = 1  # every file is large
    settings.FANGKONG_JOBS_DIR = str(tmp_path / "jobs")
    root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
    town = make_unit(county, WENCHANG[:9], "新城街道", Level.TOWN)
    community = make_unit(town, WENCHANG, "文昌社区", Level.COMMUNITY)
    browser_session(page, live_server, make_user("importer", Role.COMMUNITY_WORKER, community))
    upload = tmp_path / "people.xlsx"
    upload.write_bytes(xlsx([HEADERS, *good_rows(3)]))

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/core/people/import/")
    page.set_input_files("#id_file", str(upload))
    page.click("button[value=check]")
    page.wait_for_url("**/core/jobs/*/")
    check = Job.objects.get()
    assert check.parameters["check"] is True
    assert page.locator("#job-progress").get_attribute("data-state") == "queued"

    assert services.run(check.pk, check.attempt) == "done"  # the worker's part
    button = page.locator("#job-import")
    button.wait_for(timeout=10_000)  # the page polls every second
    assert "3" in page.locator("#job-progress .notice").inner_text()
    assert not Person.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="/tmp/fk_import_check_job.png", full_page=True)
    button.click()
    page.wait_for_url(re.compile(rf"/core/jobs/(?!{check.pk}/)\d+/$"))
    job = Job.objects.exclude(pk=check.pk).get()
    assert page.url.endswith(f"/core/jobs/{job.pk}/")

    assert services.run(job.pk, job.attempt) == "done"
    page.locator("#job-progress[data-state=done]").wait_for(timeout=10_000)
    assert Person.objects.count() == 3
    assert page.locator("#job-progress .job-bar").get_attribute("value") == "100"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_large_files_check_shows_its_row_errors_and_report(
        page: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    from fangkong.core.tests.test_people_io import HEADERS, WENCHANG, good_rows, xlsx

    settings.FANGKONG_IMPORT_DIRECT_BYTES = 1
    settings.FANGKONG_JOBS_DIR = str(tmp_path / "jobs")
    root = make_unit(None, "610000", "陕西省", Level.PROVINCE)
    county = make_unit(root, "610902", "汉滨区", Level.COUNTY)
    town = make_unit(county, WENCHANG[:9], "新城街道", Level.TOWN)
    community = make_unit(town, WENCHANG, "文昌社区", Level.COMMUNITY)
    browser_session(page, live_server, make_user("importer", Role.COMMUNITY_WORKER, community))
    rows = good_rows(2)
    rows[1][4] = "610924100001"  # a community outside the user's area
    upload = tmp_path / "people.xlsx"
    upload.write_bytes(xlsx([HEADERS, *rows]))

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/core/people/import/")
    page.set_input_files("#id_file", str(upload))
    page.click("button[value=check]")
    page.wait_for_url("**/core/jobs/*/")
    check = Job.objects.get()
    assert services.run(check.pk, check.attempt) == "done"
    report = page.locator("#job-error-report")
    report.wait_for(timeout=10_000)
    assert page.locator("#job-progress .import-errors li").count() == 1
    assert page.locator("#job-import").count() == 0
    with page.expect_download() as download:
        report.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
