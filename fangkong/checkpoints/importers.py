"""Excel import of households, one row per member (the household export's columns).

All or nothing, with a dry run and a row-by-row error report (``lib.tabular.Importer``).
Rows with the same household number make one household; every member is found or
created in the person registry by ID number.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Household, Relation
from fangkong.core.models import OrgUnit
from fangkong.core.registries import import_kind
from fangkong.core.services.people import clean_person_data
from fangkong.lib.identity import IdentityError, validate_contact_phone
from fangkong.lib.tabular import Importer, ImportField, parse_bool, parse_choice, parse_text

#: ``services.save_household``'s error keys as this file's columns.
HOUSEHOLD_KEYS = {"phone": "household_phone"}


class HouseholdImporter(Importer):
    fields = (
        ImportField("number", _("Household number"), aliases=("户号", "门牌号")),
        ImportField("address", _("Address"), aliases=("住址", "地址")),
        ImportField("household_phone", _("Contact phone"), required=False),
        ImportField("name", _("Name"), aliases=("姓名",)),
        ImportField("id_number", _("ID card number"), aliases=("身份证号", "身份证号码")),
        ImportField("phone", _("Mobile phone"), required=False, aliases=("手机号", "电话")),
        ImportField("relation", _("Relation to the head"), required=False,
                    parse=parse_choice(Relation), aliases=("与户主关系",)),
        ImportField("permanent", _("Permanent resident"), required=False, parse=parse_bool,
                    aliases=("是否常住",)),
    )
    unique_together_in_file = ("id_number",)
    template_filename = _("Household import template")

    def __init__(self, community: OrgUnit) -> None:
        self.community = community
        self._addresses: dict[str, tuple[str, int]] = {}  # household number -> (address, row)

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        values["person"] = clean_person_data(
            id_number=values["id_number"], name=values["name"], phone=values.get("phone"),
        )
        values["id_number"] = values["person"].id_number
        number = " ".join(parse_text(values["number"]).split())
        address = (values.get("address") or "").strip()
        errors: dict[str, list[str]] = {}
        for key, value in (("number", number), ("address", address)):
            limit = Household._meta.get_field(key).max_length
            if len(value) > limit:
                errors[key] = [gettext("At most %(n)d characters.") % {"n": limit}]
        if values.get("household_phone"):
            try:
                values["household_phone"] = validate_contact_phone(values["household_phone"])
            except IdentityError as exc:
                errors["household_phone"] = [str(exc.message)]
        first = self._addresses.setdefault(number, (address, row_number))
        if first[0] != address and "address" not in errors:
            errors["address"] = [gettext(
                "Row %(row)d gives household %(number)s another address.") % {
                "row": first[1], "number": number}]
        if errors:
            raise ValidationError(errors)
        return values

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        try:
            household, _created = services.save_household(
                actor, self.community, number=parse_text(cleaned["number"]),
                address=cleaned["address"], phone=cleaned.get("household_phone") or "",
            )
        except ValidationError as exc:  # the service names the household's phone "phone"
            raise ValidationError({HOUSEHOLD_KEYS.get(k, k): v
                                   for k, v in exc.message_dict.items()}) from None
        permanent = cleaned.get("permanent")
        return services.add_member(
            actor, household, cleaned["person"],
            relation=cleaned.get("relation") or Relation.OTHER,
            permanent=True if permanent is None else permanent,
        )


@import_kind("households", _("Households"))
def make_household_importer(user: Any, choices: dict[str, Any]) -> HouseholdImporter:
    """The community must still be one the user may import into (else ``DoesNotExist``)."""
    from fangkong.core.models import Level
    from fangkong.core.roles import Cap
    from fangkong.core.scoping import units_visible_to

    community = units_visible_to(user, Cap.IMPORT, level=Level.COMMUNITY).get(
        pk=choices.get("community"))
    return HouseholdImporter(community)
