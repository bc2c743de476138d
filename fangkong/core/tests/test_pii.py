"""Personal data declared once (``Model.PII``): the audit, the pages' filter and the
exporters all read the declaration."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template

from fangkong.care.models import MedicalWorker
from fangkong.checkpoints import exporters  # noqa: F401 - defines the exporters walked
from fangkong.checkpoints.models import Household, HouseholdMember, Outsider, Passage, Tip
from fangkong.core import (
    audit,
    people_io,  # noqa: F401 - defines the exporters walked
    pii,
)
from fangkong.core.exports import RegisterExporter
from fangkong.core.models import Person
from fangkong.core.testing import FangkongTestCase, make_person
from fangkong.lib import masking
from fangkong.relief import exporters as relief_exporters  # noqa: F401 - the bank file
from fangkong.relief.models import Payment
from fangkong.resumption.models import Enterprise, MigrantWorker
from fangkong.volunteers.models import Volunteer


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


class PiiTests(FangkongTestCase):
    def setUp(self) -> None:
        self.person = make_person(self.community_a_unit, phone="13812345678",
                                  address="文昌路1号3栋501")

    def test_it_masks_a_declared_field_unless_told_not_to(self) -> None:
        self.assertEqual(pii.value(self.person, "phone"), "138****5678")
        self.assertEqual(pii.value(self.person, "phone", masked=False), "13812345678")
        self.assertEqual(pii.value(self.person, "name"), self.person.name)  # not declared

    def test_it_follows_relations(self) -> None:
        member = HouseholdMember(person=self.person)
        self.assertEqual(pii.value(member, "person.id_number"),
                         masking.mask_id_number(self.person.id_number))
        self.assertIs(pii.mask_for(HouseholdMember, "person.id_number"),
                      masking.mask_id_number)

    def test_it_refuses_to_mask_a_field_that_is_not_declared(self) -> None:
        with self.assertRaises(ImproperlyConfigured):
            pii.mask_for(Passage, "person.name")

    def test_mask_row_covers_the_declaration(self) -> None:
        self.assertEqual(set(pii.mask_row(self.person)), set(Person.PII))

    def test_the_template_filter_masks_as_declared(self) -> None:
        html = Template('{% load fangkong_pii %}{{ p|masked:"address" }} '
                        '{{ p|masked:"phone" }}').render(Context({"p": self.person}))
        self.assertEqual(html, f"{masking.mask_address(self.person.address)} 138****5678")
        self.assertNotIn("13812345678", html)

    def test_the_history_masks_exactly_the_declared_fields(self) -> None:
        for model in (Person, Household, Outsider, Tip):
            self.assertEqual(set(auditlog.get_model_fields(model)["mask_fields"]),
                             set(model.PII), model.__name__)

    def test_register_refuses_a_declaration_naming_no_field(self) -> None:
        broken = type("Broken", (), {"PII": {"no_such_field": masking.mask_phone},
                                     "_meta": Household._meta})
        with self.assertRaises(ValueError):
            audit.register(broken)

    def test_every_models_pii_names_its_fields(self) -> None:
        for model in apps.get_models():
            names = {f.name for f in model._meta.concrete_fields}
            self.assertLessEqual(set(pii.pii_fields(model)), names, model.__name__)

    def test_every_exporters_personal_columns_are_declared(self) -> None:
        """A column named in ``pii_columns`` that no model declares would be exported in
        full by mistake; resolving every mask finds it."""
        found = [cls for cls in _subclasses(RegisterExporter) if cls.pii_columns]
        self.assertGreaterEqual(len(found), 4)
        # By app and class: care's and resumption's exporters are both WorkerExporter.
        models = {("core", "PeopleExporter"): Person,
                  ("checkpoints", "PassageExporter"): Passage,
                  ("checkpoints", "OutsiderExporter"): Outsider,
                  ("checkpoints", "HouseholdExporter"): HouseholdMember,
                  ("relief", "BankFileExporter"): Payment,
                  ("care", "WorkerExporter"): MedicalWorker,
                  ("volunteers", "VolunteerExporter"): Volunteer,
                  ("resumption", "EnterpriseExporter"): Enterprise,
                  ("resumption", "WorkerExporter"): MigrantWorker}
        for cls in found:
            model = models[(cls.__module__.split(".")[1], cls.__name__)]
            for path in cls.pii_columns.values():
                pii.mask_for(model, path)
