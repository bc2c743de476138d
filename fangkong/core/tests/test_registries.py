"""The registries: declared by decorators, overridden in tests, and one module's failing
indicator or sentence leaves its figure out while the rest stands."""

from datetime import date

from django.urls import reverse

from fangkong.core import registries
from fangkong.core.registries import AlertKind, Indicator, NavEntry, Sentence
from fangkong.core.testing import FangkongTestCase


def _broken(unit, day):
    raise ZeroDivisionError("a module's bug")


class RegistryFailureTestCase(FangkongTestCase):
    def setUp(self) -> None:
        self.enterContext(registries.override(
            indicators=[Indicator("aaa_broken", "broken", "个", _broken, "core",
                                  home_card=True)],
            sentences=[Sentence(0, "aaa_broken", _broken),
                       Sentence(1, "aaa_fine", lambda unit, day: "一切正常。")],
        ))

    def test_a_failing_module_is_left_out_and_logged(self) -> None:
        with self.assertLogs("fangkong.core.registries", "ERROR"):
            self.assertIsNone(registries.get_indicator("aaa_broken").value(self.city,
                                                                          date(2020, 3, 2)))
        with self.assertLogs("fangkong.core.registries", "ERROR"):
            sentences = registries.render_sentences(self.city, date(2020, 3, 2))
        self.assertIn("一切正常。", sentences)

    def test_the_home_page_still_shows_for_hq(self) -> None:
        self.client.force_login(self.hq)
        with self.assertLogs("fangkong.core.registries", "ERROR"):
            r = self.client.get(reverse("home"))
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("aaa_broken", [c["code"] for c in r.context["cards"]])


class DeclarationTestCase(FangkongTestCase):
    def test_the_decorators_register_the_function_and_return_it_unchanged(self) -> None:
        with registries.override():
            @registries.indicator("tests.families", "结对家庭", "户", cumulative=True,
                                  home_card=True)
            def families(unit, day):
                return 7

            @registries.sentence(order=15)
            def care(unit, day):
                return "结对帮扶7户。"

            ind = registries.get_indicator("tests.families")
            self.assertEqual((ind.module, ind.cumulative, ind.home_card), ("tests", True, True))
            self.assertEqual(families(None, None), 7)
            self.assertIn(ind, registries.home_cards())
            self.assertEqual([s.key for s in registries.sentences() if s.order == 15],
                             ["core.care"])
        self.assertIsNone(registries.get_indicator("tests.families"))
        self.assertNotIn("core.care", [s.key for s in registries.sentences()])

    def test_it_refuses_a_second_indicator_under_a_taken_code(self) -> None:
        with registries.override(), self.assertRaises(ValueError):
            registries.register_indicator("core.open_alerts", "again", "条", _broken)

    def test_the_modules_declare_their_indicators_sentences_nav_and_alert_kinds(self) -> None:
        codes = registries.indicators()
        for code in ("core.people_registered", "checkpoints.passages", "reports.missing"):
            self.assertIn(code, codes)
        self.assertEqual(codes["checkpoints.passages_total"].module, "checkpoints")
        self.assertEqual(
            [s.key for s in registries.sentences()],
            ["reports.completeness_sentence", "reports.figures_sentence",
             "checkpoints.checkpoint_sentence", "checkpoints.screening_sentence",
             "volunteers.volunteers_sentence",
             "care.pairing_sentence", "care.services_sentence", "care.payments_sentence",
             "supplies.supplies_sentence", "resumption.resumption_sentence",
             "relief.relief_sentence", "training.training_sentence", "water.water_sentence"])
        self.assertEqual({k.code for k in registries.alert_kinds()},
                         {"fever", "plate", "temperature_missed", "visit_finding",
                          "report_missing", "late_record", "low_stock",
                          "volunteers_understaffed", "volunteers_left_open",
                          "care_request_overdue", "water_quality", "water_pressure",
                          "water_cover_gap"})
        self.assertIn("checkpoints:duty", [e.url_name for e in registries.nav_entries()])


class OverrideTestCase(FangkongTestCase):
    def test_it_restores_every_registry_also_after_an_error(self) -> None:
        before = (registries.indicators(), registries.sentences(), registries.nav_entries(),
                  registries.alert_kinds())
        with self.assertRaises(RuntimeError), registries.override(
            indicators=[Indicator("t.x", "x", "个", _broken)],
            nav=[NavEntry("core:pii_log", "x")], alert_kinds=[AlertKind("t.kind", "x")],
        ):
            registries.register_sentence(3, "t.s", _broken)
            raise RuntimeError
        self.assertEqual((registries.indicators(), registries.sentences(),
                          registries.nav_entries(), registries.alert_kinds()), before)

    def test_replace_keeps_only_the_entries_given(self) -> None:
        only = Indicator("t.only", "x", "个", _broken)
        with registries.override(indicators=[only], replace=True):
            self.assertEqual(list(registries.indicators().values()), [only])
            self.assertEqual(registries.sentences(), [])
        self.assertIn("core.open_alerts", registries.indicators())


class HasRecordsTestCase(FangkongTestCase):
    def test_has_records_asks_the_units_subtree(self) -> None:
        from fangkong.core.models import Person
        from fangkong.core.testing import make_person

        relevant = registries.has_records("core.Person")
        self.assertIn("core.Person", registries.relevance_models)
        self.assertFalse(relevant(self.community_a_unit))
        make_person(self.community_a_unit, name="王芳")
        self.assertTrue(relevant(self.community_a_unit))
        self.assertTrue(relevant(self.county_a_unit))
        self.assertFalse(relevant(self.county_b_unit))
        self.assertEqual(Person.objects.count(), 1)

    def test_relevance_is_forgotten_on_the_named_models_saves_only(self) -> None:
        """The receiver that forgets cached relevance listens to the models a
        ``has_records`` predicate names, not to every model's saves."""
        from django.db.models.signals import post_save

        from fangkong.core.models import OrgUnit, Person

        registries.has_records("core.Person")

        def listening(model: type) -> bool:
            return registries._relevant_record_changed in post_save._live_receivers(model)[0]

        self.assertTrue(listening(Person))
        self.assertFalse(listening(OrgUnit))
