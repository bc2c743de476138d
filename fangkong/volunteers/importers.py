"""Excel import of a community's volunteers (the register export's columns), all or
nothing, checked first (``lib.tabular.Importer`` through ``core.imports``). Each row is
found or created in the person registry by ID number; a person who already volunteers
keeps their profile (``services.enrol``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import OrgUnit
from fangkong.core.registries import import_kind
from fangkong.core.services.people import clean_person_data
from fangkong.lib.tabular import Importer, ImportField, parse_bool, parse_choice
from fangkong.volunteers import services
from fangkong.volunteers.models import Political, Volunteer


class VolunteerImporter(Importer):
    fields = (
        ImportField("name", _("Name"), aliases=("姓名",)),
        ImportField("id_number", _("ID card number"), aliases=("身份证号", "身份证号码")),
        ImportField("phone", _("Phone"), required=False, aliases=("手机号", "电话")),
        ImportField("political", _("Political status"), required=False,
                    parse=parse_choice(Political), aliases=("政治面貌",)),
        ImportField("skills", _("Skills"), required=False, aliases=("特长",)),
        ImportField("availability", _("Availability"), required=False,
                    aliases=("可服务时间",)),
        ImportField("health_ok", _("Health declared"), required=False, parse=parse_bool,
                    aliases=("已健康申报",)),
    )
    unique_together_in_file = ("id_number",)
    template_filename = _("Volunteer import template")

    def __init__(self, community: OrgUnit | None) -> None:
        self.community = community

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        person = clean_person_data(id_number=values["id_number"], name=values["name"],
                                   phone=values.get("phone"))
        values["id_number"], values["phone"] = person.id_number, person.phone
        errors = {}
        for key in ("skills", "availability"):
            if len(values.get(key) or "") > Volunteer._meta.get_field(key).max_length:
                errors[key] = [_("At most 120 characters.")]
        if errors:
            raise ValidationError(errors)
        return values

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        return services.enrol(
            actor, self.community, id_number=cleaned["id_number"], name=cleaned["name"],
            phone=cleaned.get("phone") or "",
            political=cleaned.get("political") or Political.NONE,
            skills=cleaned.get("skills") or "", availability=cleaned.get("availability") or "",
            health_ok=bool(cleaned.get("health_ok")))[0]


@import_kind("volunteers", _("Volunteers"))
def make_volunteer_importer(user: Any, choices: dict[str, Any]) -> VolunteerImporter:
    """The community must still be one the user may import into (else ``DoesNotExist``)."""
    from fangkong.core.models import Level
    from fangkong.core.roles import Cap
    from fangkong.core.scoping import units_visible_to

    return VolunteerImporter(units_visible_to(user, Cap.IMPORT, level=Level.COMMUNITY).get(
        pk=choices.get("community")))
