"""The reports API: shapes exactly as the issue gives them, errors per field, scoping."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.urls import reverse

from fangkong.core.models import ApiToken
from fangkong.reports.models import Status, Submission
from fangkong.reports.tests.base import ReportsTestCase


class ApiTestCase(ReportsTestCase):
    def auth(self, user) -> dict[str, str]:
        _row, raw = ApiToken.issue(user)
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def post(self, user, body: dict, form: str = "daily"):
        return self.client.post(reverse("api-reports-submissions", args=[form]), body,
                                content_type="application/json", **self.auth(user))

    def body(self, unit: str = "610902002002", day: dt.date | None = None, submit=True,
             **values):
        return {"unit": unit, "date": (day or self.today).isoformat(),
                "values": self.values(**values), "submit": submit}

    # --- forms ---------------------------------------------------------------------------
    def test_it_lists_forms_with_their_indicators(self) -> None:
        r = self.client.get(reverse("api-reports-forms"), **self.auth(self.community_a))
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual([f["code"] for f in data], ["daily"])
        form = data[0]
        self.assertEqual(set(form), {"code", "name", "indicators"})
        self.assertEqual(form["name"], "县区日报")
        self.assertEqual(set(form["indicators"][0]), {"code", "name", "type", "aggregation"})
        self.assertEqual(form["indicators"][0],
                         {"code": "people_screened", "name": "排查人员", "type": "integer",
                          "aggregation": "sum"})
        self.assertEqual(form["indicators"][-1]["type"], "text")

    def test_it_lists_the_forms_of_a_liaison_and_none_for_nobody(self) -> None:
        r = self.client.get(reverse("api-reports-forms"), **self.auth(self.sjj_liaison))
        self.assertEqual([f["code"] for f in r.json()], ["daily"])
        r = self.client.get(reverse("api-reports-forms"), **self.auth(self.nobody))
        self.assertEqual(r.json(), [])
        r = self.client.get(reverse("api-reports-forms"))
        self.assertEqual(r.status_code, 401)

    def test_it_names_indicators_in_english_when_asked(self) -> None:
        r = self.client.get(reverse("api-reports-forms"), HTTP_ACCEPT_LANGUAGE="en",
                            **self.auth(self.hq))
        self.assertEqual(r.json()[0]["name"], "County daily report")

    # --- submissions ---------------------------------------------------------------------
    def test_it_creates_then_updates_never_duplicates(self) -> None:
        r = self.post(self.community_a, self.body(submit=False))
        self.assertEqual(r.status_code, 201, r.content)
        data = r.json()
        self.assertEqual(data["status"], "draft")
        self.assertEqual(data["unit"], "610902002002")
        self.assertEqual(data["values"]["avg_temp"], "36.5")
        self.assertEqual(data["values"]["people_screened"], 100)
        r = self.post(self.community_a, self.body(people_screened=110))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["status"], "submitted")
        # The client retries the same submission: accepted, nothing new.
        r = self.post(self.community_a, self.body(people_screened=110))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["version"], 2)
        self.assertEqual(Submission.objects.count(), 1)

    def test_it_refuses_changes_to_a_submitted_report(self) -> None:
        self.post(self.community_a, self.body())
        r = self.post(self.community_a, self.body(people_screened=999))
        self.assertEqual(r.status_code, 409)
        self.assertIn("锁定", r.json()["error"])
        self.assertEqual(Submission.objects.get().entries.get(
            indicator__code="people_screened").number, 100)

    def test_it_reports_every_bad_value_per_field_and_saves_nothing(self) -> None:
        body = self.body(people_screened="many", fever_found=True, projects_resumed=20,
                         avg_temp="36.55")
        body["values"]["nonsense"] = 1
        r = self.post(self.community_a, body)
        self.assertEqual(r.status_code, 400)
        fields = r.json()["fields"]
        self.assertEqual(set(fields), {"values.people_screened", "values.fever_found",
                                       "values.projects_resumed", "values.avg_temp",
                                       "values.nonsense"})
        self.assertEqual(fields["values.projects_resumed"], ["复工项目数不能超过重点项目总数。"])
        self.assertFalse(Submission.objects.exists())

    def test_it_reads_thousands_grouping_but_not_a_decimal_comma(self) -> None:
        """"1,5" once became 15 (a tenfold error): only real grouping is read."""
        r = self.post(self.community_a, self.body(fever_found="1,5", projects_total="1,250",
                                                  note="a\u0000b"))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(set(r.json()["fields"]), {"values.fever_found", "values.note"})
        self.assertFalse(Submission.objects.exists())
        r = self.post(self.community_a, self.body(fever_found="0", projects_total="1,250",
                                                  projects_resumed="1，000"))
        self.assertEqual(r.status_code, 201, r.content)
        values = Submission.objects.get().entries.select_related("indicator")
        self.assertEqual({v.indicator.code: v.number for v in values
                          if v.indicator.code in ("projects_total", "projects_resumed")},
                         {"projects_total": 1250, "projects_resumed": 1000})

    def test_it_gives_rule_messages_in_english(self) -> None:
        r = self.client.post(
            reverse("api-reports-submissions", args=["daily"]),
            self.body(projects_resumed=20), content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en", **self.auth(self.community_a))
        self.assertEqual(r.json()["fields"]["values.projects_resumed"],
                         ["Projects resumed cannot exceed the total number of projects."])

    def test_it_refuses_future_dates_and_missing_required_values(self) -> None:
        r = self.post(self.community_a, self.body(day=self.today + dt.timedelta(days=1)))
        self.assertEqual(r.status_code, 400)
        self.assertIn("date", r.json()["fields"])
        r = self.post(self.community_a, self.body(fever_found=None))
        self.assertEqual(list(r.json()["fields"]), ["values.fever_found"])
        self.assertFalse(Submission.objects.exists())

    def test_it_refuses_a_unit_outside_the_callers_area(self) -> None:
        r = self.post(self.county_b, self.body(unit="610902"))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(list(r.json()["fields"]), ["unit"])
        r = self.post(self.county_b, self.body(unit="999999"))
        self.assertEqual(list(r.json()["fields"]), ["unit"])
        self.assertFalse(Submission.objects.exists())

    def test_it_names_a_bad_unit_with_the_bodys_other_field_errors(self) -> None:
        body = self.body(unit="999999")
        body["colour"] = "red"
        body["date"] = "2020-02-30"
        r = self.post(self.community_a, body)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(set(r.json()["fields"]), {"unit", "colour", "date"})
        self.assertFalse(Submission.objects.exists())

    def test_it_names_every_bad_query_parameter(self) -> None:
        r = self.client.get(reverse("api-reports-aggregate", args=["daily"]),
                            {"date": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en",
                            **self.auth(self.hq))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["fields"], {"date": ["Give the date as YYYY-MM-DD."]})

    def test_it_rejects_unknown_fields_and_bad_dates(self) -> None:
        body = self.body()
        body["colour"] = "red"
        body["date"] = "2020-02-30"
        r = self.post(self.community_a, body)
        self.assertEqual(set(r.json()["fields"]), {"colour", "date"})

    def test_it_answers_days_before_the_epidemic_or_far_ahead_with_a_field_error(self) -> None:
        """Year 1 or 9999 once overflowed the deadline and streak arithmetic (500)."""
        r = self.post(self.community_a, self.body(day=dt.date(1, 1, 2)))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(list(r.json()["fields"]), ["date"])
        for raw in ("0001-01-02", "1900-01-01", "9999-12-31"):
            r = self.client.get(reverse("api-reports-completeness", args=["daily"]),
                                {"date": raw}, **self.auth(self.hq))
            self.assertEqual(r.status_code, 400, raw)
            self.assertIn("date", r.json()["fields"])
        self.client.force_login(self.hq)
        for raw in ("0001-01-01", "9999-12-31"):
            r = self.client.get(reverse("reports:dashboard_data"), {"date": raw})
            self.assertLess(r.status_code, 500, raw)
            r = self.client.get(reverse("reports:fill", args=["daily"]), {"date": raw})
            self.assertLess(r.status_code, 500, raw)

    def test_it_lets_a_liaison_submit_for_its_organisation_only(self) -> None:
        r = self.post(self.sjj_liaison, self.body(unit="sjj"))
        self.assertEqual(r.status_code, 201, r.content)
        r = self.post(self.sjj_liaison, self.body(unit="610902"))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(list(r.json()["fields"]), ["unit"])

    def test_it_answers_404_for_an_unknown_form(self) -> None:
        r = self.post(self.community_a, self.body(), form="nope")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(set(r.json()), {"error", "fields"})

    # --- completeness and aggregate ------------------------------------------------------
    def test_it_gives_completeness_exactly_in_the_documented_shape(self) -> None:
        yesterday = self.today - dt.timedelta(days=1)
        self.form.deadline_days = 0
        self.form.save()
        self.submit(self.r_comm_a, yesterday)  # after yesterday 17:00: late
        r = self.client.get(reverse("api-reports-completeness", args=["daily"])
                            + f"?date={yesterday.isoformat()}&unit=610902",
                            **self.auth(self.county_a))
        self.assertEqual(r.json(), {"expected": 3, "submitted": 1, "on_time": 0,
                                    "late": ["610902002002"],
                                    "missing": ["610902", "610902003001"]})

    def test_it_gives_the_aggregate_exactly_in_the_documented_shape(self) -> None:
        self.submit(self.r_comm_a, avg_temp="36.4")
        self.submit(self.r_comm_b, people_screened=50, avg_temp="36.9")
        self.submit(self.r_sjj, people_screened=7, avg_temp=None)
        r = self.client.get(reverse("api-reports-aggregate", args=["daily"])
                            + f"?date={self.today.isoformat()}&unit=610900",
                            **self.auth(self.province))
        self.assertEqual(r.json(), {
            "unit": "610900", "date": self.today.isoformat(),
            "values": {"people_screened": 157, "fever_found": 3, "projects_total": 30,
                       "projects_resumed": 12, "avg_temp": "36.7"},
        })
        r = self.client.get(reverse("api-reports-aggregate", args=["daily"]) + "?unit=sjj",
                            **self.auth(self.sjj_liaison))
        self.assertEqual(r.json()["values"]["people_screened"], 7)
        self.assertIsNone(r.json()["values"]["avg_temp"])

    def test_it_hides_other_areas_in_queries(self) -> None:
        """Another area's unit and a unit that does not exist get the same JSON field
        error (issue #11 item 11: not a 404 page), so existence does not leak."""
        for name in ("api-reports-completeness", "api-reports-aggregate",
                     "api-reports-province"):
            answers = []
            for code in ("610902", "999999"):
                r = self.client.get(reverse(name, args=["daily"]) + f"?unit={code}",
                                    **self.auth(self.county_b))
                self.assertEqual(r.status_code, 400)
                self.assertEqual(r["Content-Type"], "application/json")
                answers.append(r.json())
            self.assertEqual(answers[0], answers[1])
            self.assertEqual(list(answers[0]["fields"]), ["unit"])
            r = self.client.get(reverse(name, args=["daily"]) + "?date=yesterday",
                                **self.auth(self.county_b))
            self.assertEqual(r.status_code, 400)
            self.assertIn("date", r.json()["fields"])

    def test_it_exports_the_province_report_by_api(self) -> None:
        self.submit(self.r_county_a)
        r = self.client.get(reverse("api-reports-province", args=["daily"])
                            + f"?date={self.today.isoformat()}&unit=610900",
                            **self.auth(self.province))
        self.assertEqual(r.status_code, 200)
        self.assertIn("spreadsheetml", r["Content-Type"])
        _ = Status
        book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)
                                                 if r.streaming else r.content))
        text = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                        for c in row if c is not None)
        self.assertIn(f"{self.today.month}月{self.today.day}日", text)
        self.assertIn("汉滨区", text)
