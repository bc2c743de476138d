"""The policy officer's table of cases (cases.yaml), run through the API, plus cases
generated at ±1 around every cap, tier edge and period edge of the rules in force."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import yaml

from fangkong.core.rules import value_on
from fangkong.lib.dates import earliest_day
from fangkong.relief import rules as R
from fangkong.relief.tests.base import ReliefTestCase

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))
DAY = date(2020, 3, 2)


class CaseTableTests(ReliefTestCase):
    def check(self, name: str, day: date, measure: str, facts: dict, *, amount=None,
              tier=None, status: str = "ok") -> None:
        body = json.loads(json.dumps({"measure": measure, "as_of": day, **facts}, default=str))
        response = self.quote(body)
        with self.subTest(case=name):
            self.assertEqual(response.status_code, 200, response.content)
            data = response.json()
            self.assertEqual(data["status"], status, data["explanation"])
            if amount is not None:
                self.assertEqual(data["amount"], amount, data["explanation"])
            if tier is not None:
                self.assertEqual(data["tier"], tier, data["explanation"])
            self.assertTrue(data["explanation"])

    def test_the_table_is_not_empty_and_every_case_names_its_result(self) -> None:
        self.assertGreater(len(CASES), 20)
        for case in CASES:
            self.assertTrue({"amount", "tier", "status"} & set(case), case["name"])

    def test_every_case_of_the_table(self) -> None:
        for case in CASES:
            self.check(case["name"], case["date"], case["measure"], case["facts"],
                       amount=case.get("amount"), tier=case.get("tier"),
                       status=case.get("status", "ok"))

    # --- generated at ±1 around every edge of the rules in force ------------------------
    def test_entity_tier_edges(self) -> None:
        tiers = value_on(R.ENTITY_TIERS, DAY).typed
        edges = {0: Decimal(0)}
        for i, tier in enumerate(tiers):
            below = Decimal(tiers[i - 1]["amount"]) if i else Decimal(0)
            edges[tier["min"] - 1] = below
            edges[tier["min"]] = Decimal(tier["amount"])
            if tier["max"] is not None:
                edges[tier["max"]] = Decimal(tier["amount"])
                edges[tier["max"] + 1] = (Decimal(tiers[i + 1]["amount"])
                                          if i + 1 < len(tiers) else Decimal(0))
        self.assertIn(9, edges)
        self.assertIn(20, edges)
        for workers, expected in edges.items():
            self.check(f"entity {workers}", DAY, "entity",
                       {"resumed": True, "poor_workers": workers}, amount=f"{expected:.2f}")

    def test_supplies_tier_edges(self) -> None:
        tiers = value_on(R.SUPPLIES_TIERS, DAY).typed
        edges = {0: 0}
        for i, tier in enumerate(tiers, start=1):
            edges[tier["min"] - 1] = i - 1
            edges[tier["min"]] = i
            if tier["max"] is not None:
                edges[tier["max"]] = i
                edges[tier["max"] + 1] = i + 1 if i < len(tiers) else 0
        self.assertEqual(edges[4], 0)
        self.assertEqual(edges[50], 3)
        for led, expected in edges.items():
            self.check(f"supplies {led}", DAY, "supplies",
                       {"resumed": True, "households_led": led}, tier=expected)

    def test_employment_months_and_cap_edges(self) -> None:
        required = value_on(R.EMPLOYMENT_MONTHS, DAY).typed
        per = value_on(R.EMPLOYMENT_PER_MEMBER, DAY).typed
        cap = value_on(R.EMPLOYMENT_CAP, DAY).typed
        for months, n in ((required - 1, 0), (required, 1), (required + 1, 1)):
            self.check(f"months {months}", DAY, "employment",
                       {"members": [{"months_away": months}]}, amount=f"{per * n:.2f}")
        at_cap = int(cap // per)
        for members in (at_cap - 1, at_cap, at_cap + 1):
            expected = min(per * members, cap)
            self.check(f"{members} members", DAY, "employment",
                       {"members": [{"months_away": required}] * members},
                       amount=f"{expected:.2f}")

    def test_loan_period_edges(self) -> None:
        period = value_on(R.PERIOD, DAY).typed
        start, end = (date.fromisoformat(period[k]) for k in ("start", "end"))
        loan = {"resumed": True, "for_production": True, "principal": "10000.00",
                "annual_rate": "0.04"}
        for due, expected in ((start - timedelta(days=1), "0.00"), (start, "200.00"),
                              (end, "200.00"), (end + timedelta(days=1), "0.00")):
            self.check(f"due {due}", DAY, "loan_interest", {**loan, "due_date": due},
                       amount=expected)

    def test_resumed_period_edges(self) -> None:
        period = value_on(R.PERIOD, DAY).typed
        start, end = (date.fromisoformat(period[k]) for k in ("start", "end"))
        for resumed_on, expected in ((start - timedelta(days=1), "0.00"), (start, "10000.00"),
                                     (end, "10000.00"), (end + timedelta(days=1), "0.00")):
            self.check(f"resumed {resumed_on}", DAY, "entity",
                       {"resumed": True, "resumed_on": resumed_on, "poor_workers": 10},
                       amount=expected)

    def test_rule_validity_edges(self) -> None:
        first = earliest_day()
        facts = {"members": [{"months_away": 6}]}
        self.check("day before the first rule", first - timedelta(days=1), "employment",
                   facts, status="no_rule")
        self.check("first day of the first rule", first, "employment", facts,
                   amount="500.00")

    def test_edges_of_a_new_version(self) -> None:
        """The day before a new version reads the old one, its first day the new one."""
        from fangkong.core.services.rules import add_value

        change = date(2020, 3, 1)
        add_value(self.hq, R.EMPLOYMENT_PER_MEMBER, value=Decimal("600"), valid_from=change,
                  document_number="白扶办发〔2020〕9号", reason="test")
        facts = {"members": [{"months_away": 6}]}
        self.check("old version", change - timedelta(days=1), "employment", facts,
                   amount="500.00")
        self.check("new version", change, "employment", facts, amount="600.00")
        response = self.quote({"measure": "employment", "as_of": "2020-03-01", **facts})
        used = {p["code"]: p for p in response.json()["trace"]["parameters"]}
        self.assertEqual(used[R.EMPLOYMENT_PER_MEMBER]["document_number"], "白扶办发〔2020〕9号")
        self.assertEqual(used[R.EMPLOYMENT_PER_MEMBER]["valid_from"], "2020-03-01")
        self.assertEqual(used[R.EMPLOYMENT_PER_MEMBER]["read_for"], "2020-03-01")
