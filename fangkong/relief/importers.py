"""The relief registry from Excel (``core.imports``: check, then import the checked
file; all rows or none; a row-by-row error report; a template to download).

- ``PoorHouseholdImporter``: one row per member. Rows with the same registration number
  make one household; a new household's first row is its head (the row saying 户主, which
  must then come first) and gives the village, the 一卡通 account and the bank. A
  household already registered gets the members it lacks; a member already in it gets
  the months away the file gives. People are found or created in the person registry by
  ID number (``link_person``), as on the form.
- ``ReliefEntityImporter``: one row per entity (name, kind, town or village code,
  account, bank, day it resumed work). An entity already registered under that name in
  that unit is updated.

Every row goes through the module's services, so it is authorised (IMPORT over its unit,
and what the service itself needs) and audited like a form.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import acting_as
from fangkong.core.models import OrgUnit
from fangkong.core.models.territory import Level
from fangkong.core.people_io import parse_id_number_cell
from fangkong.core.registries import import_kind
from fangkong.core.roles import Cap
from fangkong.core.scoping import scope_for
from fangkong.core.services.people import clean_person_data, link_person
from fangkong.lib.tabular import Importer, ImportField, parse_choice, parse_text
from fangkong.lib.tabular.parsers import parse_date
from fangkong.relief import services
from fangkong.relief.models import EntityKind, PoorHousehold, ReliefEntity

HEAD_WORDS = frozenset({"户主", "head", "本人"})
ENTITY_KINDS = parse_choice([
    *EntityKind.choices, ("workshop", "扶贫车间"), ("enterprise", "本地企业"),
    ("enterprise", "企业"), ("east_west", "东西部协作企业"), ("east_west", "东西部协作"),
    ("cooperative", "合作社"), ("cooperative", "专业合作社"),
])


class _UnitLookup:
    """Units by code where the actor may import, looked up once per file."""

    def __init__(self, actor: Any, levels: tuple[str, ...]) -> None:
        self.scope = scope_for(actor) if actor is not None else None
        self.levels = levels
        self._units: dict[str, OrgUnit | None] = {}

    def get(self, code: str) -> OrgUnit | None:
        if code not in self._units:
            unit = OrgUnit.objects.filter(code=code, level__in=self.levels).first()
            allowed = (unit is not None and self.scope is not None
                       and self.scope.can(Cap.IMPORT, unit.path))
            self._units[code] = unit if allowed else None
        return self._units[code]


class PoorHouseholdImporter(Importer):
    fields = (
        ImportField("number", gettext_lazy("Registration number"),
                    aliases=("户编号", "户号", "建档立卡户编号")),
        ImportField("village", gettext_lazy("Village code"),
                    aliases=("村代码", "区划代码", "所属村代码")),
        ImportField("name", gettext_lazy("Name"), aliases=("姓名",)),
        ImportField("id_number", gettext_lazy("ID card number"), parse=parse_id_number_cell,
                    aliases=("身份证号", "身份证号码", "公民身份号码")),
        ImportField("relation", gettext_lazy("Relation to the head"), required=False,
                    aliases=("与户主关系",)),
        ImportField("phone", gettext_lazy("Mobile phone"), required=False,
                    aliases=("手机号", "手机号码", "联系电话")),
        ImportField("account_number", gettext_lazy("一卡通 account"), required=False,
                    parse=parse_id_number_cell, aliases=("一卡通账号", "一卡通", "账号")),
        ImportField("account_bank", gettext_lazy("Bank"), required=False,
                    aliases=("开户银行", "开户行", "银行")),
        ImportField("away_from", gettext_lazy("Worked away from"), required=False,
                    parse=parse_date, aliases=("外出务工起", "外出日期")),
        ImportField("away_to", gettext_lazy("Worked away until"), required=False,
                    parse=parse_date, aliases=("外出务工止", "返乡日期")),
    )
    unique_together_in_file = ("id_number",)
    max_rows = 10_000
    template_filename = gettext_lazy("Poor households import template")

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.units = _UnitLookup(actor, (Level.COMMUNITY,))
        self.unchanged = 0
        #: registration number → (row, village code, account, bank) of its first row
        self._first: dict[str, tuple[int, str, str, str]] = {}

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        number = " ".join(parse_text(values["number"]).split())
        village_code = parse_text(values["village"])
        relation = (values.get("relation") or "").strip()
        is_head = relation.lower() in HEAD_WORDS
        try:
            values["person"] = clean_person_data(
                id_number=values["id_number"], name=values["name"],
                phone=values.get("phone") or "")
            values["id_number"] = values["person"].id_number
        except ValidationError as exc:
            errors.update(exc.message_dict)
        village = self.units.get(village_code)
        if village is None:
            errors["village"] = [_("No village with this code in your area.")]
        existing = PoorHousehold.objects.filter(number=number).first()
        account = parse_text(values.get("account_number") or "")
        bank = (values.get("account_bank") or "").strip()
        first = self._first.setdefault(number, (row_number, village_code, account, bank))
        if existing is not None:
            if village is not None and existing.org_unit_id != village.pk:
                errors["village"] = [_(
                    "Household %(number)s is registered in another village.") % {
                    "number": number}]
        elif first[0] == row_number:
            if relation and not is_head:
                errors["relation"] = [_(
                    "The first row of a new household is its head (户主): put the head's "
                    "row first.")]
            if not account:
                errors["account_number"] = [_("Give the household's 一卡通 account on the "
                                              "head's row.")]
            elif "account_number" not in errors:
                try:
                    account = services.clean_account(account)
                except ValidationError as exc:
                    errors.update(exc.message_dict)
            if not bank:
                errors["account_bank"] = [_("Give the bank of the account on the head's "
                                            "row.")]
        else:
            if village_code != first[1] and "village" not in errors:
                errors["village"] = [_("Row %(row)d gives household %(number)s another "
                                       "village.") % {"row": first[0], "number": number}]
            if is_head and existing is None:
                errors["relation"] = [_("Row %(row)d is already the head of household "
                                        "%(number)s.") % {"row": first[0], "number": number}]
            if (account and account != first[2]) or (bank and bank != first[3]):
                errors["account_number"] = [_(
                    "Row %(row)d gives household %(number)s another account.") % {
                    "row": first[0], "number": number}]
        away_from, away_to = values.get("away_from"), values.get("away_to")
        if away_to is not None and (away_from is None or away_to < away_from):
            errors["away_to"] = [_("The return is before the departure.")]
        if errors:
            raise ValidationError(errors)
        return {**values, "number": number, "village_unit": village, "relation": relation,
                "account_number": account, "account_bank": bank, "is_first": first[0]}

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        number, person = cleaned["number"], cleaned["person"]
        household = PoorHousehold.objects.filter(number=number).first()
        away = {"away_from": cleaned.get("away_from"), "away_to": cleaned.get("away_to")}
        if household is None:
            household, _created = services.register_household(
                actor, cleaned["village_unit"], client_id=uuid.uuid4(), number=number,
                head=person, account_number=cleaned["account_number"],
                account_bank=cleaned["account_bank"])
            head = household.members.get()
            if away["away_from"]:
                services.update_member(actor, head, relation=head.relation, **away)
            return household, True
        with acting_as(actor):
            found = link_person(actor, person, household.org_unit)
        member = household.members.filter(person=found).first()
        if member is None:
            return services.add_member(actor, household, person,
                                       relation=cleaned["relation"], **away), True
        if away["away_from"] and (member.away_from, member.away_to) != (
                away["away_from"], away["away_to"]):
            return services.update_member(actor, member, relation=member.relation,
                                          **away), False
        self.unchanged += 1
        return None


class ReliefEntityImporter(Importer):
    fields = (
        ImportField("name", gettext_lazy("Entity name"), aliases=("名称", "主体名称", "企业名称")),
        ImportField("kind", gettext_lazy("Kind"), parse=ENTITY_KINDS,
                    aliases=("类型", "主体类型")),
        ImportField("unit", gettext_lazy("Town or village code"),
                    aliases=("镇村代码", "区划代码", "所在镇村代码")),
        ImportField("account_number", gettext_lazy("Account"), parse=parse_id_number_cell,
                    aliases=("账号", "银行账号")),
        ImportField("account_bank", gettext_lazy("Bank"), aliases=("开户银行", "开户行")),
        ImportField("resumed_on", gettext_lazy("Resumed work on"), required=False,
                    parse=parse_date, aliases=("复工日期",)),
    )
    unique_together_in_file = ("name", "unit")
    max_rows = 5_000
    template_filename = gettext_lazy("Poverty-relief entities import template")

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.units = _UnitLookup(actor, (Level.TOWN, Level.COMMUNITY))
        self.unchanged = 0

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        values["name"] = " ".join(parse_text(values["name"]).split())
        unit = self.units.get(parse_text(values["unit"]))
        if unit is None:
            errors["unit"] = [_("No town or village with this code in your area.")]
        try:
            values["account_number"] = services.clean_account(values["account_number"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        return {**values, "unit_obj": unit}

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        unit = cleaned["unit_obj"]
        entity = ReliefEntity.objects.filter(org_unit=unit, name=cleaned["name"]).first()
        if entity is None:
            return services.register_entity(
                actor, unit, client_id=uuid.uuid4(), name=cleaned["name"],
                kind=cleaned["kind"], account_number=cleaned["account_number"],
                account_bank=cleaned["account_bank"], resumed_on=cleaned.get("resumed_on"))
        changed = services.update_entity(
            actor, entity, kind=cleaned["kind"], account_number=cleaned["account_number"],
            account_bank=cleaned["account_bank"], resumed_on=cleaned.get("resumed_on"))
        if changed:
            return entity, False
        self.unchanged += 1
        return None


@import_kind("relief_households", gettext_lazy("Registered poor households"))
def make_household_importer(user: Any, choices: dict[str, Any]) -> PoorHouseholdImporter:
    return PoorHouseholdImporter(user)


@import_kind("relief_entities", gettext_lazy("Poverty-relief entities"))
def make_entity_importer(user: Any, choices: dict[str, Any]) -> ReliefEntityImporter:
    return ReliefEntityImporter(user)
