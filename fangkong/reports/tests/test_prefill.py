"""Live indicators pre-fill a report; a value changed by hand is kept and marked."""

from __future__ import annotations

from decimal import Decimal

from fangkong.core import registries
from fangkong.reports import services
from fangkong.reports.tests.base import LIVE_VALUES, ReportsTestCase


class PrefillTestCase(ReportsTestCase):
    def entry(self, sub, code: str):
        return sub.entries.get(indicator__code=code)

    def test_it_uses_the_live_value_when_none_is_given(self) -> None:
        LIVE_VALUES["610902002002"] = 321
        sub = self.submit(self.r_comm_a, people_screened=None)
        e = self.entry(sub, "people_screened")
        self.assertEqual((e.number, e.computed, e.overridden), (321, 321, False))

    def test_it_marks_a_manual_override_and_keeps_the_computed_value(self) -> None:
        LIVE_VALUES["610902002002"] = 321
        sub = self.submit(self.r_comm_a, people_screened=300)
        e = self.entry(sub, "people_screened")
        self.assertEqual((e.number, e.computed, e.overridden), (300, 321, True))
        snap = sub.versions.get().values["people_screened"]
        self.assertEqual(snap, {"value": 300, "computed": 321, "overridden": True})

    def test_it_does_not_prefill_an_organisation(self) -> None:
        LIVE_VALUES["610900"] = 999
        sub = self.submit(self.r_sjj, people_screened=4)
        e = self.entry(sub, "people_screened")
        self.assertEqual((e.number, e.computed, e.overridden), (Decimal(4), None, False))

    def test_it_survives_a_failing_module(self) -> None:
        def broken(unit, day):
            raise RuntimeError("module down")

        ind = self.form.indicators.get(code="fever_found")
        with registries.override(indicators=[
                registries.Indicator("reports_test.broken", "broken", "人", broken)]):
            ind.source = "reports_test.broken"
            ind.save()
            with self.assertLogs("fangkong.core.registries", "ERROR"):
                sub = self.submit(self.r_comm_a)
        self.assertEqual(self.entry(sub, "fever_found").number, 1)

    def test_it_refuses_an_unknown_live_indicator_in_configuration(self) -> None:
        from django.core.exceptions import ValidationError

        ind = self.form.indicators.get(code="fever_found")
        with self.assertRaises(ValidationError):
            services.save_indicator(self.hq, ind, source="nope.nothing")
