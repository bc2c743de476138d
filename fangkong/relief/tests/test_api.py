"""POST /api/v1/relief/quote: the issue's examples, bad input as field errors in the
caller's language (never a 500), uncovered cases as 0.00 with the reason, and the
explicit "no rule in force" result."""

from __future__ import annotations

from fangkong.relief.tests.base import ReliefTestCase

LOAN = {"measure": "loan_interest", "resumed": True, "for_production": True,
        "principal": "100000.00", "annual_rate": "0.0435", "due_date": "2020-03-15",
        "as_of": "2020-03-02"}


class QuoteExamplesTests(ReliefTestCase):
    def test_the_examples_of_the_issue(self) -> None:
        cases = [
            ({"measure": "employment", "members": [{"months_away": 6}, {"months_away": 9}]},
             "amount", "1000.00"),
            ({"measure": "entity", "resumed": True, "poor_workers": 15}, "amount", "10000.00"),
            ({"measure": "supplies", "resumed": True, "households_led": 20}, "tier", 2),
            (LOAN, "amount", "2175.00"),
            ({"measure": "industry", "project_type": "planting", "accepted": True}, "amount",
             "1000.00"),
        ]
        for body, key, expected in cases:
            with self.subTest(measure=body["measure"]):
                response = self.quote(body)
                self.assertEqual(response.status_code, 200, response.content)
                data = response.json()
                self.assertEqual(data[key], expected)
                self.assertEqual(data["status"], "ok")
                self.assertIn("trace", data)
                self.assertTrue(data["trace"]["parameters"])
                for p in data["trace"]["parameters"]:
                    self.assertTrue({"code", "value", "read_for", "version", "valid_from",
                                     "document_number"} <= set(p))

    def test_the_explanation_is_chinese_by_default(self) -> None:
        data = self.quote({"measure": "employment",
                           "members": [{"months_away": 6}, {"months_away": 6},
                                       {"months_away": 7}]}).json()
        self.assertIn("1,000.00 元", data["explanation"])
        self.assertIn("每户最多", data["explanation"])

    def test_the_trace_names_the_facts_and_the_versions(self) -> None:
        trace = self.quote(LOAN).json()["trace"]
        self.assertEqual(trace["as_of"], "2020-03-02")
        self.assertEqual(trace["facts"]["principal"], "100000.00")
        self.assertEqual(trace["rule"]["measure"], "loan_interest")
        codes = [p["code"] for p in trace["parameters"]]
        self.assertEqual(codes, ["relief.period", "relief.loan.extension_months"])
        self.assertEqual({p["read_for"] for p in trace["parameters"]}, {"2020-03-02"})

    def test_uncovered_cases_are_zero_with_the_reason(self) -> None:
        data = self.quote({**LOAN, "due_date": "2020-07-01"}).json()
        self.assertEqual(data["amount"], "0.00")
        self.assertIn("2020-07-01", data["explanation"])
        data = self.quote({"measure": "entity", "resumed": False, "poor_workers": 30}).json()
        self.assertEqual(data["amount"], "0.00")
        self.assertIn("复工", data["explanation"])
        data = self.quote({"measure": "supplies", "resumed": True, "households_led": 4}).json()
        self.assertEqual(data["tier"], 0)

    def test_no_rule_in_force_is_an_explicit_result(self) -> None:
        response = self.quote({"measure": "entity", "resumed": True, "poor_workers": 15,
                               "as_of": "2019-01-01"})
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["status"], "no_rule")
        self.assertIsNone(data["amount"])
        self.assertIn("2019-01-01", data["explanation"])
        self.assertEqual(data["trace"]["no_rule_in_force"]["day"], "2019-01-01")


class QuoteBadInputTests(ReliefTestCase):
    def errors(self, body, language: str = "zh-hans"):
        response = self.quote(body, HTTP_ACCEPT_LANGUAGE=language)
        self.assertEqual(response.status_code, 400, response.content)
        return response.json()["fields"]

    def test_negative_and_non_numeric_amounts(self) -> None:
        fields = self.errors({**LOAN, "principal": "-5", "annual_rate": "abc"})
        self.assertIn("principal", fields)
        self.assertIn("annual_rate", fields)

    def test_unknown_measure(self) -> None:
        self.assertIn("measure", self.errors({"measure": "lottery"}))

    def test_months_that_are_not_a_number(self) -> None:
        fields = self.errors({"measure": "employment", "members": [{"months_away": "six"}]})
        self.assertIn("members", fields)
        self.assertIn("1", fields["members"][0])

    def test_dates_that_do_not_exist(self) -> None:
        fields = self.errors({**LOAN, "due_date": "2020-02-30", "as_of": "2020-13-01"})
        self.assertIn("due_date", fields)
        self.assertIn("as_of", fields)

    def test_missing_and_misplaced_facts_at_once(self) -> None:
        fields = self.errors({"measure": "entity", "households_led": 3})
        self.assertIn("resumed", fields)
        self.assertIn("poor_workers", fields)
        self.assertIn("households_led", fields)

    def test_unknown_fields_and_bad_members(self) -> None:
        fields = self.errors({"measure": "employment", "members": [{"months": 6}],
                              "colour": "red"})
        self.assertIn("colour", fields)
        self.assertIn("members", fields)
        fields = self.errors({"measure": "employment", "members": []})
        self.assertIn("members", fields)
        fields = self.errors({"measure": "employment",
                              "members": [{"away_from": "2020-03-01", "away_to": "2020-02-01"}]})
        self.assertIn("members", fields)

    def test_errors_in_the_callers_language(self) -> None:
        zh = self.errors({"measure": "entity", "resumed": True, "poor_workers": -1})
        en = self.errors({"measure": "entity", "resumed": True, "poor_workers": -1}, "en")
        self.assertNotEqual(zh["poor_workers"], en["poor_workers"])
        self.assertIn("0", en["poor_workers"][0])

    def test_a_body_that_is_not_an_object(self) -> None:
        self.client.force_login(self.county_a)
        response = self.client.post("/api/v1/relief/quote", "[1, 2]",
                                    content_type="application/json")
        self.assertEqual(response.status_code, 400)
        response = self.client.post("/api/v1/relief/quote", "{not json",
                                    content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_who_may_quote(self) -> None:
        self.client.logout()
        response = self.client.post("/api/v1/relief/quote", {"measure": "entity"},
                                    content_type="application/json")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.quote(LOAN, user=self.helper).status_code, 403)
