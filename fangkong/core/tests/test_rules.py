"""Dated rules: the value on a day, overlaps refused by the database, new versions, the
history page."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from fangkong.checkpoints.services import screening
from fangkong.core import rules
from fangkong.core.models import Parameter, ParameterValue
from fangkong.core.models.rules import ParameterValueQuerySet, ValueKind
from fangkong.core.rules import NoRuleInForce, value_on, values_on
from fangkong.core.services.rules import add_value
from fangkong.core.testing import FangkongTestCase

FEVER = screening.FEVER_CODE


class ValueOnTestCase(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.limit = Parameter.objects.create(code="test.limit", name="limit",
                                             kind=ValueKind.INTEGER, module="core")
        cls.january = ParameterValue.objects.create(
            parameter=cls.limit, valid_from=date(2020, 1, 1), valid_to=date(2020, 1, 31),
            value=1)
        cls.after = ParameterValue.objects.create(
            parameter=cls.limit, valid_from=date(2020, 2, 1), value=2)

    def test_it_answers_the_version_in_force_inside_and_at_both_ends(self) -> None:
        for day, expected in ((date(2020, 1, 1), self.january),
                              (date(2020, 1, 15), self.january),
                              (date(2020, 1, 31), self.january),
                              (date(2020, 2, 1), self.after),
                              (date(2031, 7, 1), self.after)):
            found = value_on("test.limit", day)
            self.assertEqual((found, found.typed), (expected, expected.value), day)

    def test_it_says_no_rule_is_in_force_before_the_first_version(self) -> None:
        with self.assertRaises(NoRuleInForce) as caught:
            value_on("test.limit", date(2019, 12, 31))
        self.assertEqual((caught.exception.code, caught.exception.day),
                         ("test.limit", date(2019, 12, 31)))
        with self.assertRaises(NoRuleInForce):
            value_on("test.nothing", date(2020, 3, 1))
        with self.assertRaises(NoRuleInForce):  # one missing among several is an answer too
            values_on([FEVER, "test.limit"], date(2019, 12, 31))

    def test_it_says_no_rule_is_in_force_after_a_closed_last_version(self) -> None:
        ParameterValue.objects.filter(pk=self.after.pk).update(valid_to=date(2020, 6, 30))
        self.assertEqual(value_on("test.limit", date(2020, 6, 30)).pk, self.after.pk)
        with self.assertRaises(NoRuleInForce):
            value_on("test.limit", date(2020, 7, 1))

    def test_the_database_refuses_overlapping_periods(self) -> None:
        for start, end in ((date(2020, 1, 31), date(2020, 1, 31)),  # the last day of january
                           (date(2019, 12, 1), date(2020, 1, 1)),
                           (date(2020, 3, 1), None),  # inside the open-ended one
                           (date(2019, 1, 1), None)):  # around both
            with self.subTest(start=start, end=end), self.assertRaises(IntegrityError), \
                    transaction.atomic():
                ParameterValue.objects.create(parameter=self.limit, valid_from=start,
                                              valid_to=end, value=3)
        with self.assertRaises(IntegrityError), transaction.atomic():  # an update too
            ParameterValue.objects.filter(pk=self.january.pk).update(valid_to=date(2020, 2, 1))
        # Adjacent periods and other parameters are fine.
        ParameterValue.objects.create(parameter=self.limit, valid_from=date(2019, 12, 1),
                                      valid_to=date(2019, 12, 31), value=0)
        other = Parameter.objects.create(code="test.other", name="other",
                                         kind=ValueKind.INTEGER, module="core")
        ParameterValue.objects.create(parameter=other, valid_from=date(2020, 1, 15), value=9)
        self.assertEqual(self.limit.values.count(), 3)


class AddValueTestCase(FangkongTestCase):
    def test_a_new_version_closes_the_open_one_on_the_day_before(self) -> None:
        shipped = value_on(FEVER, timezone.localdate())
        self.assertEqual((shipped.typed, shipped.valid_to), (Decimal("37.3"), None))
        start = timezone.localdate() + timedelta(days=3)
        new, created = add_value(self.hq, FEVER, value=Decimal("37.5"), valid_from=start,
                                 document_number="安政办发〔2020〕9号", reason="省里要求")
        shipped.refresh_from_db()
        self.assertTrue(created)
        self.assertEqual(shipped.valid_to, start - timedelta(days=1))
        self.assertEqual((new.valid_from, new.valid_to, new.typed, new.created_by),
                         (start, None, Decimal("37.5"), self.hq))
        self.assertEqual(value_on(FEVER, start - timedelta(days=1)), shipped)
        self.assertEqual(value_on(FEVER, start), new)
        created_entry = LogEntry.objects.get_for_object(new).get()
        closed_entry = LogEntry.objects.get_for_object(shipped).get(
            action=LogEntry.Action.UPDATE)
        self.assertEqual((created_entry.actor, created_entry.action),
                         (self.hq, LogEntry.Action.CREATE))
        self.assertEqual((closed_entry.actor, closed_entry.changes_dict["valid_to"]),
                         (self.hq, ["None", str(start - timedelta(days=1))]))

    def test_it_refuses_a_version_not_after_the_one_in_force(self) -> None:
        shipped = value_on(FEVER, timezone.localdate())
        with self.assertRaises(ValidationError) as caught:
            add_value(self.hq, FEVER, value=Decimal("37.5"), valid_from=shipped.valid_from)
        self.assertIn("valid_from", caught.exception.message_dict)
        self.assertEqual(ParameterValue.objects.filter(parameter__code=FEVER).count(), 1)
        shipped.refresh_from_db()
        self.assertIsNone(shipped.valid_to)

    def test_only_configure_may_change_a_rule_and_the_value_is_checked(self) -> None:
        for user in (self.community_a, self.county_a, self.gate, self.nobody):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                add_value(user, FEVER, value=Decimal("37.5"),
                          valid_from=timezone.localdate() + timedelta(days=1))
            with self.assertRaises(PermissionDenied):
                screening.change_rule(user, fever_threshold="37.5", watched_provinces="鄂",
                                      note="x")
        with self.assertRaises(ValidationError):
            add_value(self.hq, FEVER, value=Decimal("45.0"),
                      valid_from=timezone.localdate() + timedelta(days=1))
        self.assertEqual(ParameterValue.objects.filter(parameter__code=FEVER).count(), 1)

    def test_the_same_client_key_answers_the_first_version(self) -> None:
        key = uuid.uuid4()
        day = timezone.localdate() + timedelta(days=1)
        first, created = add_value(self.hq, FEVER, value=Decimal("37.5"), valid_from=day,
                                   client_id=key)
        again, created_again = add_value(self.hq, FEVER, value=Decimal("37.5"),
                                         valid_from=day, client_id=key)
        self.assertEqual((again, created, created_again), (first, True, False))


class CacheTestCase(FangkongTestCase):
    """``values_on`` answers from the process's cache; a change clears it at once; other
    processes are bounded by ``FANGKONG_RULES_CACHE_SECONDS``."""

    def setUp(self) -> None:
        super().setUp()
        rules.clear_cache()
        self.day = timezone.localdate()

    def test_a_second_read_sends_no_query(self) -> None:
        with self.assertNumQueries(1):
            first = values_on([FEVER, screening.PROVINCES_CODE], self.day)
        with self.assertNumQueries(0):
            again = values_on([FEVER, screening.PROVINCES_CODE], self.day)
            screening.screening_rule(self.day)  # the same codes, the same day
        self.assertEqual(again, first)
        with self.assertNumQueries(1):  # another day is another entry
            values_on([FEVER, screening.PROVINCES_CODE], self.day - timedelta(days=1))

    def test_no_rule_in_force_is_cached_and_answered_again(self) -> None:
        before = date(2019, 11, 30)
        for queries in (1, 0):
            with self.assertNumQueries(queries), self.assertRaises(NoRuleInForce):
                value_on(FEVER, before)

    def test_a_new_version_is_seen_at_once_even_in_its_own_transaction(self) -> None:
        shipped = value_on(FEVER, self.day)
        new, _created = add_value(self.hq, FEVER, value=Decimal("37.5"), valid_from=self.day
                                  + timedelta(days=1))
        self.assertEqual(value_on(FEVER, self.day + timedelta(days=1)), new)
        self.assertEqual(value_on(FEVER, self.day), shipped)
        # Registering a passage judges by it the moment it exists.
        self.assertEqual(screening.screening_rule(self.day + timedelta(days=1)).fever, new)

    def test_a_rolled_back_change_leaves_nothing_behind(self) -> None:
        shipped = value_on(FEVER, self.day)
        tomorrow = self.day + timedelta(days=1)
        with self.assertRaises(RuntimeError), transaction.atomic():
            new, _created = add_value(self.hq, FEVER, value=Decimal("37.5"),
                                      valid_from=tomorrow)
            self.assertEqual(value_on(FEVER, tomorrow), new)
            raise RuntimeError("rolled back")
        self.assertEqual(value_on(FEVER, tomorrow), shipped)
        self.assertIsNone(value_on(FEVER, tomorrow).valid_to)
        with self.assertNumQueries(0):  # the change is gone, so the cache serves again
            value_on(FEVER, tomorrow)

    def test_any_save_or_delete_of_a_rule_clears_it_and_the_commit_again(self) -> None:
        with self.captureOnCommitCallbacks() as callbacks:
            value_on(FEVER, self.day)
            other = Parameter.objects.create(code="test.cache", name="cache",
                                             kind=ValueKind.INTEGER, module="core")
            self.assertEqual(rules._CACHE, {})
            value = ParameterValue.objects.create(parameter=other, valid_from=self.day,
                                                  value=1)
            self.assertEqual(value_on("test.cache", self.day), value)
            self.assertEqual(rules._CACHE, {})  # not stored before the commit
            value.delete()
            with self.assertRaises(NoRuleInForce):
                value_on("test.cache", self.day)
        self.assertEqual(callbacks, [rules._clear_at_commit])  # once per transaction
        with self.assertRaises(NoRuleInForce):
            value_on("test.cache", self.day)

    def test_a_change_without_signals_is_seen_after_the_ttl(self) -> None:
        """A change made by another process (here: ``update()``, which sends no signal)
        is seen once the entry is older than ``FANGKONG_RULES_CACHE_SECONDS``."""
        clock = mock.Mock(return_value=1000.0)
        with mock.patch.object(rules, "monotonic", clock), \
                override_settings(FANGKONG_RULES_CACHE_SECONDS=30):
            shipped = value_on(FEVER, self.day)
            ParameterValue.objects.filter(pk=shipped.pk).update(value="38.0")
            clock.return_value = 1029.9
            with self.assertNumQueries(0):
                self.assertEqual(value_on(FEVER, self.day).typed, Decimal("37.3"))
            clock.return_value = 1030.0
            with self.assertNumQueries(1):
                self.assertEqual(value_on(FEVER, self.day).typed, Decimal("38.0"))

    @override_settings(FANGKONG_RULES_CACHE_SECONDS=0)
    def test_zero_seconds_turns_the_cache_off(self) -> None:
        for _n in range(2):
            with self.assertNumQueries(1):
                value_on(FEVER, self.day)
        self.assertEqual(rules._CACHE, {})

    def test_an_answer_read_across_a_change_is_not_stored(self) -> None:
        real = ParameterValueQuerySet.in_force_on

        def changed_meanwhile(queryset, day):  # another thread saves a rule meanwhile
            rules.clear_cache()
            return real(queryset, day)

        with mock.patch.object(ParameterValueQuerySet, "in_force_on", changed_meanwhile):
            value_on(FEVER, self.day)
        self.assertEqual(rules._CACHE, {})


class HistoryPageTestCase(FangkongTestCase):
    def url(self, code: str = FEVER) -> str:
        return reverse("core:rule_history", args=[code])

    def form(self, **overrides) -> dict:
        data = {"client_id": str(uuid.uuid4()), "value": "37.5",
                "valid_from": (timezone.localdate() + timedelta(days=1)).isoformat(),
                "valid_to": "", "document_number": "安政办发〔2020〕5号",
                "document_title": "关于加强卡口检测工作的通知", "reason": "省里要求"}
        data.update(overrides)
        return data

    def test_hq_reads_the_history_and_adds_a_version_that_closes_the_previous(self) -> None:
        self.login(self.hq)
        r = self.client.get(self.url())
        self.assertContains(r, "37.3")
        self.assertContains(r, 'name="client_id"')
        data = self.form()
        r = self.client.post(self.url(), data)
        self.assertRedirects(r, self.url())
        self.client.post(self.url(), data)  # sent twice: one version
        old, new = ParameterValue.objects.filter(parameter__code=FEVER).order_by("valid_from")
        self.assertEqual(old.valid_to, new.valid_from - timedelta(days=1))
        self.assertEqual((new.typed, new.document_number, new.created_by),
                         (Decimal("37.5"), "安政办发〔2020〕5号", self.hq))
        r = self.client.get(self.url())
        self.assertContains(r, "安政办发〔2020〕5号 关于加强卡口检测工作的通知")
        self.assertContains(r, "省里要求")
        self.assertContains(self.client.get(reverse("core:rules")), self.url())

    def test_the_form_explains_a_refused_period_before_the_database_refuses_it(self) -> None:
        shipped = value_on(FEVER, timezone.localdate())
        self.login(self.hq)
        too_early = self.form(valid_from=shipped.valid_from.isoformat())
        r = self.client.post(self.url(), too_early, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "field-error")
        self.assertContains(r, "新版本的起始日须晚于该日")
        r = self.client.post(self.url(), too_early, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "a new version must start after that day")
        r = self.client.post(self.url(), self.form(value="湖北"))
        self.assertContains(r, "field-error")
        self.assertEqual(ParameterValue.objects.filter(parameter__code=FEVER).count(), 1)

    def test_a_version_with_an_end_is_superseded_and_no_new_one_leaves_a_gap(self) -> None:
        """A bounded version (from data entered before) is ended by the next version
        instead of blocking every change; a new version may not end, which would leave
        no rule in force after it (checkpoints would then refuse every passage)."""
        shipped = value_on(FEVER, timezone.localdate())
        ParameterValue.objects.filter(pk=shipped.pk).update(
            valid_to=date(9999, 12, 31))
        start = timezone.localdate() + timedelta(days=1)
        with self.assertRaises(ValidationError) as caught:
            add_value(self.hq, FEVER, value=Decimal("37.5"), valid_from=start,
                      valid_to=start + timedelta(days=30))
        self.assertIn("valid_to", caught.exception.message_dict)
        new, created = add_value(self.hq, FEVER, value=Decimal("37.5"), valid_from=start)
        shipped.refresh_from_db()
        self.assertEqual((created, shipped.valid_to), (True, start - timedelta(days=1)))
        self.assertEqual(value_on(FEVER, start + timedelta(days=400)), new)

    def test_a_changed_resubmission_under_the_same_key_is_a_conflict(self) -> None:
        key = uuid.uuid4()
        day = timezone.localdate() + timedelta(days=1)
        add_value(self.hq, FEVER, value=Decimal("37.5"), valid_from=day, client_id=key)
        with self.assertRaises(ValidationError) as caught:
            add_value(self.hq, FEVER, value=Decimal("38.0"),
                      valid_from=day + timedelta(days=4), client_id=key)
        self.assertIn("client_id", caught.exception.message_dict)
        self.login(self.hq)
        r = self.client.post(self.url(), self.form(client_id=str(key), value="38.0"))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "errorlist")
        self.assertEqual(
            [v.typed for v in ParameterValue.objects.filter(parameter__code=FEVER)
             .order_by("valid_from")], [Decimal("37.3"), Decimal("37.5")])

    def test_a_decimal_is_stored_normalised(self) -> None:
        new, _created = add_value(self.hq, FEVER, value=Decimal("37.5" + "0" * 400),
                                  valid_from=timezone.localdate() + timedelta(days=1))
        new.refresh_from_db()
        self.assertEqual(new.value, "37.5")

    def test_others_read_without_the_form_or_get_403_and_404(self) -> None:
        self.login(self.community_a)
        r = self.client.get(self.url())
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, 'name="client_id"')
        self.assertEqual(self.client.post(self.url(), self.form()).status_code, 403)
        self.assertEqual(self.client.get(self.url("test.nope")).status_code, 404)
        for user in (self.gate, self.helper, self.nobody):
            self.login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 403, user.username)
            self.assertEqual(self.client.get(reverse("core:rules")).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.url()).status_code, 302)
        self.assertEqual(ParameterValue.objects.filter(parameter__code=FEVER).count(), 1)


class RuleInputTestCase(FangkongTestCase):
    """A rule's value typed on the history page is read by ``lib.numbers`` and
    ``lib.jsontext``: a field error, never an exception (issue #9, item 5)."""

    def test_it_refuses_hostile_values_with_a_field_error(self) -> None:
        from fangkong.core.rules import _parse_default

        cases = [(ValueKind.JSON, "[" * 3000 + "]" * 3000), (ValueKind.JSON, "[" * 40 + "]" * 40),
                 (ValueKind.DECIMAL, "1e308"), (ValueKind.DECIMAL, "NaN"),
                 (ValueKind.INTEGER, "1e999999999"), (ValueKind.INTEGER, "9" * 30)]
        for kind, raw in cases:
            with self.subTest(kind=kind, raw=raw[:20]), self.assertRaises(ValidationError):
                _parse_default(kind, raw)
        self.assertEqual(_parse_default(ValueKind.DECIMAL, "37,3"), Decimal("37.3"))
        self.assertEqual(_parse_default(ValueKind.INTEGER, "14"), 14)


class OwnedRuleTestCase(FangkongTestCase):
    """A rule whose declaration names an owning unit (``declare(..., owner_unit=...)``):
    that unit's staff with the declared capability add versions, HQ still may, nobody
    else; the pages name the owner and offer the form only to those allowed."""

    CODE = "test.county_amount"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        parameter = Parameter.objects.create(code=cls.CODE, name="amount",
                                             kind=ValueKind.DECIMAL, module="core")
        ParameterValue.objects.create(parameter=parameter, valid_from=date(2020, 1, 1),
                                      value="500")

    def setUp(self) -> None:
        spec = rules.ParameterSpec(code=self.CODE, name="County amount",
                                   kind=ValueKind.DECIMAL, module="core",
                                   default=Decimal("500"), owner_unit="610902")
        patcher = mock.patch.dict(rules._DECLARED, {self.CODE: spec})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_the_owning_county_and_hq_may_add_a_version_nobody_else(self) -> None:
        day = date(2020, 3, 1)
        for user in (self.county_b, self.community_a, self.province, self.gate,
                     self.nobody):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                add_value(user, self.CODE, value=Decimal("600"), valid_from=day)
        self.assertEqual(ParameterValue.objects.filter(parameter__code=self.CODE).count(), 1)
        new, _created = add_value(self.county_a, self.CODE, value=Decimal("600"),
                                  valid_from=day, reason="县里调整")
        self.assertEqual((value_on(self.CODE, day).typed, new.created_by),
                         (Decimal("600"), self.county_a))
        entry = LogEntry.objects.get_for_object(new).get()
        self.assertEqual((entry.actor, entry.action), (self.county_a, LogEntry.Action.CREATE))
        later, _created = add_value(self.hq, self.CODE, value=Decimal("700"),
                                    valid_from=date(2020, 4, 1))
        self.assertEqual(later.created_by, self.hq)
        # A city rule stays HQ's: the county's staff may not change the fever threshold.
        with self.assertRaises(PermissionDenied):
            add_value(self.county_a, FEVER, value=Decimal("37.5"), valid_from=day)

    def test_an_owner_missing_from_the_territory_leaves_the_rule_to_hq(self) -> None:
        spec = rules._DECLARED[self.CODE]
        with mock.patch.dict(rules._DECLARED, {self.CODE: rules.ParameterSpec(
                **{**spec.__dict__, "owner_unit": "999999"})}):
            with self.assertRaises(PermissionDenied):
                add_value(self.county_a, self.CODE, value=Decimal("600"),
                          valid_from=date(2020, 3, 1))

    def test_the_pages_name_the_owner_and_offer_the_form_only_to_those_allowed(self) -> None:
        url = reverse("core:rule_history", args=[self.CODE])
        data = {"client_id": str(uuid.uuid4()), "value": "650", "valid_from": "2020-03-01",
                "document_number": "汉扶办发〔2020〕3号", "document_title": "",
                "reason": "县里调整"}
        self.login(self.county_b)
        r = self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "汉滨区")
        self.assertNotContains(r, 'name="client_id"')
        self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertEqual(ParameterValue.objects.filter(parameter__code=self.CODE).count(), 1)
        r = self.client.get(reverse("core:rules"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "City HQ")  # the fever threshold's owner
        self.assertNotContains(r, "you may change it")
        self.login(self.county_a)
        self.assertContains(self.client.get(url), 'name="client_id"')
        self.assertContains(self.client.get(reverse("core:rules"), HTTP_ACCEPT_LANGUAGE="en"),
                            "you may change it", count=1)
        self.assertRedirects(self.client.post(url, data), url)
        self.assertEqual(value_on(self.CODE, date(2020, 3, 1)).typed, Decimal("650"))
