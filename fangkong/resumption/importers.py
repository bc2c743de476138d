"""Excel import of enterprises and migrant workers (core's flow: check, row-by-row error
report, then all or nothing). A row's submission key is derived from its credit code or
ID number, so importing the same file twice registers nobody twice."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import UnitChoiceField
from fangkong.core.imports import ImportForm
from fangkong.core.models import OrgUnit
from fangkong.core.registries import import_kind
from fangkong.core.services.people import clean_person_data
from fangkong.lib.tabular import Importer, ImportField, parse_bool
from fangkong.resumption.models import Enterprise, Industry
from fangkong.resumption.services import filing as filing_svc
from fangkong.resumption.services import workers as worker_svc

NAMESPACE = uuid.UUID("6f1d8a52-93c1-4d5e-9a4e-6a1f0c2b7e15")
INDUSTRY_BY_LABEL = {str(label): value for value, label in Industry.choices}


def _industry(raw: Any) -> str:
    text = str(raw or "").strip()
    if text in Industry.values:
        return text
    for value, label in Industry.choices:
        if text in (str(label), gettext(str(label))):
            return value
    raise ValidationError(gettext("Unknown industry: %(v)s") % {"v": text})


def _int(raw: Any) -> int:
    try:
        value = int(str(raw).strip().split(".")[0])
    except ValueError:
        raise ValidationError(gettext("Enter a whole number.")) from None
    if value < 1:
        raise ValidationError(gettext("Enter 1 or more."))
    return value


class EnterpriseImporter(Importer):
    fields = (
        ImportField("name", _("Name"), aliases=("企业名称", "名称", "项目名称")),
        ImportField("uscc", _("Unified social credit code"), aliases=("统一社会信用代码",)),
        ImportField("industry", _("Industry"), parse=_industry, aliases=("行业",)),
        ImportField("is_key_project", _("Key project"), required=False, parse=parse_bool,
                    aliases=("重点项目",)),
        ImportField("headcount", _("Headcount"), parse=_int, aliases=("职工人数",)),
        ImportField("liaison_name", _("Liaison"), aliases=("联络员",)),
        ImportField("liaison_phone", _("Liaison phone"), aliases=("联络员电话", "联系电话")),
    )
    unique_together_in_file = ("uscc",)
    template_filename = _("Enterprise import template")

    def __init__(self, unit: OrgUnit | None) -> None:
        self.unit = unit

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        try:
            values["uscc"] = filing_svc.clean_uscc(values["uscc"])
        except ValidationError as exc:
            raise ValidationError({"uscc": exc.messages}) from None
        phone = str(values.get("liaison_phone") or "").strip()
        if not (len(phone) == 11 and phone.isdigit()):
            raise ValidationError({"liaison_phone": [gettext("Enter an 11-digit mobile "
                                                             "number.")]})
        values["liaison_phone"] = phone
        taken = Enterprise.objects.filter(uscc=values["uscc"]).first()
        if taken is not None and taken.client_id != self.key(values["uscc"]):
            raise ValidationError({"uscc": [gettext(
                "An enterprise with this credit code is already registered.")]})
        return values

    @staticmethod
    def key(uscc: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"enterprise:{uscc}")

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        return filing_svc.register_enterprise(
            actor, self.unit, client_id=self.key(cleaned["uscc"]), name=cleaned["name"],
            uscc=cleaned["uscc"], industry=cleaned["industry"],
            is_key_project=bool(cleaned.get("is_key_project")),
            headcount=cleaned["headcount"], liaison_name=cleaned["liaison_name"],
            liaison_phone=cleaned["liaison_phone"])[0]


class WorkerImporter(Importer):
    fields = (
        ImportField("name", _("Name"), aliases=("姓名",)),
        ImportField("id_number", _("ID card number"), aliases=("身份证号", "身份证号码")),
        ImportField("phone", _("Mobile phone"), required=False, aliases=("手机号", "电话")),
        ImportField("home", _("Home town"), aliases=("家乡", "户籍地")),
        ImportField("skills", _("Skills"), required=False, aliases=("技能",)),
        ImportField("employer_uscc", _("Employer's credit code"), required=False,
                    aliases=("用工企业信用代码",)),
        ImportField("destination", _("Destination"), required=False, aliases=("务工地",)),
    )
    unique_together_in_file = ("id_number",)
    template_filename = _("Migrant worker import template")

    def __init__(self, unit: OrgUnit | None) -> None:
        self.unit = unit

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        values["person"] = clean_person_data(id_number=values["id_number"],
                                             name=values["name"], phone=values.get("phone"))
        values["id_number"] = values["person"].id_number
        code = str(values.get("employer_uscc") or "").strip().upper()
        values["employer"] = None
        if code:
            values["employer"] = Enterprise.objects.filter(uscc=code).first()
            if values["employer"] is None:
                raise ValidationError({"employer_uscc": [gettext(
                    "No registered enterprise has this credit code.")]})
        return values

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        return worker_svc.register_worker(
            actor, self.unit, client_id=uuid.uuid5(NAMESPACE, f"worker:{cleaned['id_number']}"),
            person=cleaned["person"], home=cleaned["home"], skills=cleaned.get("skills") or "",
            employer=cleaned["employer"], destination=cleaned.get("destination") or "")[0]


class UnitImportForm(ImportForm):
    """The shared import form and the area to import into (bound to the checked file)."""

    unit = UnitChoiceField(label=_("Area"))

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


def _unit(user: Any, choices: dict[str, Any]) -> OrgUnit:
    from fangkong.core.roles import Cap
    from fangkong.core.scoping import units_visible_to

    return units_visible_to(user, Cap.IMPORT).get(pk=choices.get("unit"))


@import_kind("resumption_enterprises", _("Enterprises and key projects"))
def make_enterprise_importer(user: Any, choices: dict[str, Any]) -> EnterpriseImporter:
    return EnterpriseImporter(_unit(user, choices))


@import_kind("resumption_workers", _("Migrant workers"))
def make_worker_importer(user: Any, choices: dict[str, Any]) -> WorkerImporter:
    return WorkerImporter(_unit(user, choices))



