"""The enterprise's daily epidemic report is pre-filled from its own employee records."""

from __future__ import annotations

import uuid

from django.utils import timezone

from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import make_person
from fangkong.reports.models import Aggregation, Indicator, IndicatorType, Measure, Reporter
from fangkong.reports.services import prefill
from fangkong.reports.tests.base import make_form
from fangkong.resumption.services import workers as worker_svc
from fangkong.resumption.tests.base import ResumptionTestCase


class DailyReportPrefillTests(ResumptionTestCase):
    def test_the_enterprises_report_counts_its_own_returned_staff(self) -> None:
        ent = self.make_enterprise()
        today = timezone.localdate()
        for n in range(2):
            p = make_person(self.town_b, division="610924", name=f"职工{n}")
            worker_svc.record_employee(
                self.enterprise_liaison, ent, client_id=uuid.uuid4(),
                person=clean_person_data(id_number=p.id_number, name=p.name),
                came_from="西安", whereabouts="", returned_on=today, health="normal",
                observation_until=None)
        form = make_form("enterprise_daily_test")
        Indicator.objects.create(
            form=form, code="staff_returned", name="返岗职工", name_en="Staff returned",
            unit="人", type=IndicatorType.INTEGER, aggregation=Aggregation.SUM,
            measure=Measure.FLOW, source="resumption.staff_returned_today", position=20)
        mine = Reporter.objects.create(form=form, organisation=self.enterprise,
                                       active_from=today)
        self.assertEqual(prefill(form, mine, today)["staff_returned"], 2)
        other = Reporter.objects.create(form=form, organisation=self.member_org,
                                        active_from=today)
        self.assertIsNone(prefill(form, other, today)["staff_returned"])
