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
