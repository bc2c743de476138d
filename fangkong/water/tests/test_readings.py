"""Readings judged by the dated GB 5749-2022 limits, per point type; the API."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangkong.core.models import Alert
from fangkong.core.services.rules import add_value
from fangkong.water import services
from fangkong.water.models import Exceedance, Handover, Reading
from fangkong.water.rules import code_for
from fangkong.water.tests.base import WaterTestCase

AT = timezone.make_aware(datetime.combine(date(2020, 2, 18), time(8, 30)))


class ReadingTests(WaterTestCase):
    def read(self, point, indicator, value, **kw):
        return services.record_reading(self.operator, point, client_id=kw.pop(
            "client_id", uuid.uuid4()), indicator=indicator, value=value,
            taken_at=kw.pop("taken_at", AT), sampler="王芳", **kw)

    def test_it_judges_free_chlorine_by_the_point_type(self) -> None:
        outlet, _ = self.read(self.outlet, "free_chlorine", "0.1")
        end, _ = self.read(self.end, "free_chlorine", "0.1")
        self.assertIs(outlet.within_limits, False)
        self.assertEqual(outlet.limit_text, "≥ 0.3 mg/L (GB 5749-2022 表2)")
        self.assertIs(end.within_limits, True)
        self.assertEqual(end.limit_text, "≥ 0.05 mg/L (GB 5749-2022 表2)")
        self.assertEqual(outlet.limit_rule.parameter.code, code_for("free_chlorine"))

    def test_not_detected_is_a_value_not_a_number(self) -> None:
        r, _ = self.read(self.outlet, "coliforms", "未检出")
        self.assertTrue(r.not_detected)
        self.assertIsNone(r.value)
        self.assertIs(r.within_limits, True)
        bad, _ = self.read(self.outlet, "e_coli", "3")
        self.assertIs(bad.within_limits, False)
        with self.assertRaises(ValidationError) as caught:
            self.read(self.outlet, "ph", "not_detected")
        self.assertIn("value", caught.exception.message_dict)

    def test_it_refuses_ph_15_and_a_wrong_unit_saving_nothing(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.read(self.outlet, "ph", "15")
        self.assertIn("value", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            self.read(self.outlet, "turbidity", "0.5", unit="mg/L")
        self.assertIn("unit", caught.exception.message_dict)
        self.assertFalse(Reading.objects.exists())

    def test_an_exceedance_opens_an_alert_asks_a_retest_and_closes_with_a_note(self) -> None:
        first, _ = self.read(self.outlet, "free_chlorine", "0.18")
        exc = Exceedance.objects.get(reading=first)
        self.assertEqual(exc.alert.status, "open")
        with self.assertRaises(ValidationError):
            services.close_exceedance(self.operator, exc, "计量泵已更换")
        failed, _ = self.read(self.outlet, "free_chlorine", "0.2", retest_of=first)
        self.assertEqual(Exceedance.objects.count(), 1)  # the same alert stays open
        exc.refresh_from_db()
        self.assertIsNone(exc.retest_id)
        ok, _ = self.read(self.outlet, "free_chlorine", "0.42", retest_of=first)
        exc.refresh_from_db()
        self.assertEqual(exc.retest_id, ok.pk)
        with self.assertRaises(PermissionDenied):
            services.close_exceedance(self.other_operator, exc, "x")
        services.close_exceedance(self.operator, exc, "计量泵已更换，复检合格")
        self.assertEqual(Alert.objects.get(pk=exc.alert_id).status, "closed")
        self.assertEqual(failed.within_limits, False)

    def test_a_reading_keeps_the_version_it_was_judged_by(self) -> None:
        before, _ = self.read(self.outlet, "turbidity", "0.8")
        add_value(self.hq, code_for("turbidity"), value={
            "clause": "GB 5749-2022 表1", "limits": {"*": {"max": "0.5"}}},
            valid_from=date(2020, 3, 1), document_number="测试", reason="test")
        after, _ = self.read(self.outlet, "turbidity", "0.8", taken_at=AT.replace(day=1,
                                                                                month=3))
        self.assertTrue(before.within_limits)
        self.assertFalse(after.within_limits)
        self.assertNotEqual(before.limit_rule_id, after.limit_rule_id)

    def test_a_handover_signed_by_one_person_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.record_handover(
                self.operator, self.works, client_id=uuid.uuid4(), at=AT, outgoing="李明",
                incoming="张伟", note="正常", outgoing_signature="李明", incoming_signature="")
        self.assertIn("incoming_signature", caught.exception.message_dict)
        self.assertFalse(Handover.objects.exists())

    def test_gaps_in_cover_are_listed_and_alerted_once(self) -> None:
        start = AT.replace(hour=0, minute=0)
        services.add_shift(self.operator, self.works, person_name="李明", starts_at=start,
                           ends_at=start.replace(hour=8))
        services.add_shift(self.operator, self.works, person_name="张伟",
                           starts_at=start.replace(hour=16), ends_at=start.replace(hour=23))
        end = start + timedelta(hours=24)
        gaps = services.cover_gaps(self.works, start, end)
        local = [(timezone.localtime(a).hour, timezone.localtime(b).hour) for a, b in gaps]
        self.assertEqual(local, [(8, 16), (23, 0)])
        services.alert_cover_gaps(start, end)
        services.alert_cover_gaps(start, end)
        # Two gaps at 马坑水厂, and 紫阳水厂 has nobody on its roster at all.
        self.assertEqual(Alert.objects.filter(kind="water_cover_gap", status="open").count(), 3)


class ApiTests(WaterTestCase):
    def post(self, user, **body):
        self.client.force_login(user)
        return self.client.post("/api/v1/water/readings", body, content_type="application/json")

    def test_it_records_judges_and_answers_a_retry_with_the_same_reading(self) -> None:
        key = str(uuid.uuid4())
        body = {"client_id": key, "point": self.outlet.pk, "indicator": "free_chlorine",
                "value": "0.1", "taken_at": AT.isoformat()}
        first = self.post(self.operator, **body)
        self.assertEqual(first.status_code, 201, first.content)
        data = first.json()
        self.assertEqual(data["within_limits"], False)
        self.assertEqual(data["limit"], "≥ 0.3 mg/L (GB 5749-2022 表2)")
        self.assertEqual(data["alert"], Exceedance.objects.get().alert_id)
        again = self.post(self.operator, **body)
        self.assertEqual((again.status_code, again.json()), (200, data))

    def test_bad_input_is_400_with_field_errors(self) -> None:
        r = self.post(self.operator, client_id=str(uuid.uuid4()), point=self.outlet.pk,
                      indicator="ph", value="15", taken_at=AT.isoformat())
        self.assertEqual(r.status_code, 400)
        self.assertIn("value", r.json()["fields"])
        r = self.post(self.operator, client_id="x", point=self.outlet.pk, indicator="nope",
                      value="1", taken_at="yesterday")
        self.assertEqual(set(r.json()["fields"]), {"client_id", "indicator", "taken_at"})
        self.assertFalse(Reading.objects.exists())

    def test_an_operator_sees_only_its_utility(self) -> None:
        self.client.force_login(self.operator)
        names = [p["name"] for p in self.client.get("/api/v1/water/points").json()]
        self.assertEqual(sorted(names), ["中心医院末梢水", "马坑水厂出厂水"])
        r = self.post(self.operator, client_id=str(uuid.uuid4()), point=self.other_point.pk,
                      indicator="ph", value="7", taken_at=AT.isoformat())
        self.assertEqual(r.status_code, 404)
        for url in (f"/water/points/{self.other_point.pk}/",
                    f"/water/stations/{self.other_works.pk}/"):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(f"/water/points/{self.outlet.pk}/").status_code, 200)
        self.client.force_login(self.enterprise_liaison)
        self.assertEqual(self.client.get(f"/water/points/{self.outlet.pk}/").status_code, 403)

    def test_the_exceedance_is_reached_only_inside_the_utility(self) -> None:
        self.post(self.other_operator, client_id=str(uuid.uuid4()), point=self.other_point.pk,
                  indicator="free_chlorine", value="0.1", taken_at=AT.isoformat())
        exc = Exceedance.objects.get()
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get(f"/water/exceedances/{exc.pk}/").status_code, 404)
        self.client.force_login(self.other_operator)
        self.assertEqual(self.client.get(f"/water/exceedances/{exc.pk}/").status_code, 200)
        self.assertEqual(Decimal(exc.reading.value), Decimal("0.1"))


class RuleTextTests(WaterTestCase):
    def test_hq_changes_a_limit_in_its_text_and_later_readings_use_it(self) -> None:
        from fangkong.core.rules import spec_for
        from fangkong.water.rules import DEFAULTS, as_text, from_text

        for value in DEFAULTS.values():
            self.assertEqual(from_text(as_text(value)), value)
        spec = spec_for(code_for("free_chlorine"))
        value = spec.clean("出厂水 0.5-2; 末梢水 >=0.1 | GB 5749-2022 表2 | 氯")
        with self.assertRaises(ValidationError):
            spec.clean("出厂水 2-0.5 | GB 5749-2022 表2")
        add_value(self.hq, code_for("free_chlorine"), value=value,
                  valid_from=date(2020, 3, 1), document_number="测试")
        r, _ = services.record_reading(
            self.operator, self.end, client_id=uuid.uuid4(), indicator="free_chlorine",
            value="0.08", taken_at=AT.replace(month=3, day=1), sampler="王芳")
        self.assertEqual((r.within_limits, r.limit_text),
                         (False, "≥ 0.1 mg/L (GB 5749-2022 表2)"))


class PressureTests(WaterTestCase):
    """The supply's minimum pressure (``water.limit.pressure``, a dated rule HQ changes):
    below it a low-pressure exceedance and its alert, apart from the quality figures."""

    def read(self, point, value, taken_at=AT, indicator="pressure"):
        return services.record_reading(self.operator, point, client_id=uuid.uuid4(),
                                       indicator=indicator, value=value, taken_at=taken_at,
                                       sampler="王芳")

    def test_the_boundary_is_within_and_below_it_opens_a_pressure_alert(self) -> None:
        at_min, _ = self.read(self.end, "0.14")
        self.assertEqual((at_min.within_limits, at_min.limit_text),
                         (True, "≥ 0.14 MPa (CJJ 207-2013)"))
        self.assertEqual(at_min.limit_rule.parameter.code, code_for("pressure"))
        self.assertFalse(Exceedance.objects.exists())
        low, _ = self.read(self.end, "0.139")
        self.assertIs(low.within_limits, False)
        self.assertEqual(low.limit_text, "≥ 0.14 MPa (CJJ 207-2013)")
        exc = Exceedance.objects.get(reading=low)
        self.assertEqual((exc.alert.kind, exc.alert.status, exc.alert.severity),
                         ("water_pressure", "open", "critical"))
        self.assertIn("0.139 MPa", exc.alert.title)
        # The utility's operator sees it among its alerts, another utility's does not.
        self.assertTrue(Alert.objects.visible_to(self.operator).filter(pk=exc.alert_id)
                        .exists())
        self.assertFalse(Alert.objects.visible_to(self.other_operator).filter(
            pk=exc.alert_id).exists())
        # Re-measured after the pump is back, then closed with a note.
        ok, _ = services.record_reading(self.operator, self.end, client_id=uuid.uuid4(),
                                indicator="pressure", value="0.31",
                                taken_at=AT + timedelta(hours=1), sampler="王芳",
                                retest_of=low)
        services.close_exceedance(self.operator, Exceedance.objects.get(pk=exc.pk),
                                  "2号泵故障，已切换备用泵")
        self.assertEqual(Alert.objects.get(pk=exc.alert_id).status, "closed")
        self.assertTrue(ok.within_limits)

    def test_pressure_is_not_a_water_quality_sample_and_flow_stays_unjudged(self) -> None:
        from fangkong.water import indicators

        self.read(self.end, "0.1")
        self.read(self.end, "0.3")
        flow, _ = self.read(self.outlet, "750", indicator="flow")
        self.assertIsNone(flow.within_limits)
        self.assertEqual(flow.limit_text, "")
        services.record_reading(self.operator, self.end, client_id=uuid.uuid4(),
                                indicator="free_chlorine", value="0.2", taken_at=AT,
                                sampler="王芳")
        day = AT.date()
        self.assertEqual(indicators.samples(self.city, day), 1)
        self.assertEqual(indicators.exceedances(self.city, day), 0)
        self.assertEqual(indicators.exceedances_open(self.city, day), 0)
        self.assertEqual(Exceedance.objects.count(), 1)  # the low pressure

    def test_a_new_minimum_takes_effect_from_its_date(self) -> None:
        from fangkong.core.rules import spec_for

        value = spec_for(code_for("pressure")).clean("全部 >=0.16 | CJJ 207-2013")
        add_value(self.hq, code_for("pressure"), value=value, valid_from=date(2020, 3, 1),
                  document_number="安水发〔2020〕3号")
        before, _ = self.read(self.end, "0.15", taken_at=AT.replace(month=2, day=29))
        after, _ = self.read(self.end, "0.15", taken_at=AT.replace(month=3, day=1))
        self.assertEqual((before.within_limits, before.limit_text),
                         (True, "≥ 0.14 MPa (CJJ 207-2013)"))
        self.assertEqual((after.within_limits, after.limit_text),
                         (False, "≥ 0.16 MPa (CJJ 207-2013)"))
        self.assertNotEqual(before.limit_rule_id, after.limit_rule_id)
        # The reading judged before keeps its version.
        before.refresh_from_db()
        self.assertTrue(before.within_limits)
        # An operator may not change the city's minimum.
        with self.assertRaises(PermissionDenied):
            add_value(self.operator, code_for("pressure"), value=value,
                      valid_from=date(2020, 4, 1), document_number="x")
