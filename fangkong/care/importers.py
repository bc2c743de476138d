"""Excel import of the frontline medical worker register into a task force (the worker
export's columns): checked first, then all or nothing, through ``services.register_worker``
(a worker is found again by number, so a second run adds nothing)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.care import services
from fangkong.care.models import Deployment, TaskForce
from fangkong.care.services import registry
from fangkong.core.models import Organisation, OrgUnit
from fangkong.core.registries import import_kind
from fangkong.core.services.people import clean_person_data
from fangkong.lib.tabular import Importer, ImportField, parse_choice, parse_date, parse_text


class WorkerImporter(Importer):
    fields = (
        ImportField("number", pgettext_lazy("medical worker", "Number"), aliases=("编号",)),
        ImportField("name", _("Name"), aliases=("姓名",)),
        ImportField("id_number", _("ID card number"), aliases=("身份证号", "身份证号码")),
        ImportField("phone", _("Mobile phone"), required=False, aliases=("手机号", "电话")),
        ImportField("hospital", _("Hospital"), aliases=("医院", "单位")),
        ImportField("department", _("Department"), required=False, aliases=("科室",)),
        ImportField("deployment", _("Deployment"), parse=parse_choice(Deployment),
                    aliases=("岗位", "类别")),
        ImportField("deployed_from", _("Deployed from"), required=False, parse=parse_date,
                    aliases=("出征日期",)),
        ImportField("member_unit", _("Responsible member unit"), aliases=("责任成员单位",)),
        ImportField("unit_contact", _("Member-unit contact"), required=False,
                    aliases=("成员单位联系人",)),
        ImportField("home", _("Family's home (division code)"), aliases=("家庭所在地代码",)),
        ImportField("registered_on", _("Under support since"), parse=parse_date,
                    aliases=("纳入保障日期",)),
    )
    unique_together_in_file = ("number",)
    template_filename = _("Frontline medical worker import template")

    def __init__(self, task_force: TaskForce | None) -> None:
        self.task_force = task_force
        self._orgs: dict[str, Organisation] = (
            registry.member_unit_labels(task_force) if task_force is not None else {})

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        """The row checked as the registration page checks a worker (the person by the
        registry's rules, then ``registry.clean_worker``): every message at once."""
        errors: dict[str, list[str]] = {}
        try:
            values["person"] = clean_person_data(
                id_number=values["id_number"], name=values["name"], phone=values.get("phone"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        values["member_unit"] = self._orgs.get(parse_text(values["member_unit"]))
        if values["member_unit"] is None:
            errors["member_unit"] = [gettext("This unit is not a member of the task force.")]
        values["home"] = OrgUnit.objects.filter(code=parse_text(values["home"])).first()
        if values["home"] is None:
            errors["home"] = [gettext("No unit has this division code.")]
        number = parse_text(values["number"])
        if "person" in values and self.task_force is not None:
            existing = registry.registered_worker(self.task_force,
                                                  values["person"].id_number)
            if existing is not None and existing.number != number:
                errors["id_number"] = [gettext(
                    "This person is already registered in this task force (number "
                    "%(number)s).") % {"number": existing.number}]
        if self.task_force is not None:
            try:
                registry.clean_worker(
                    self.task_force, member_unit=values["member_unit"],
                    hospital=parse_text(values["hospital"]),
                    department=parse_text(values.get("department") or ""),
                    deployment=values["deployment"],
                    deployed_from=values.get("deployed_from"),
                    unit_contact=parse_text(values.get("unit_contact") or ""),
                    registered_on=values["registered_on"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors.setdefault(field, messages)
        if errors:
            raise ValidationError(errors)
        return values

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> Any:
        return services.register_worker(
            actor, self.task_force, cleaned["home"], number=parse_text(cleaned["number"]),
            person=cleaned["person"], member_unit=cleaned["member_unit"],
            hospital=parse_text(cleaned["hospital"]),
            department=parse_text(cleaned.get("department") or ""),
            deployment=cleaned["deployment"], deployed_from=cleaned.get("deployed_from"),
            unit_contact=parse_text(cleaned.get("unit_contact") or ""),
            registered_on=cleaned["registered_on"])[0]


def task_forces_for(user: Any) -> Any:
    """The task forces ``user`` may import workers into: those they may register
    families in (``registry.coordinated_task_forces``)."""
    return registry.coordinated_task_forces(user)


@import_kind("care_workers", _("Frontline medical workers"))
def make_worker_importer(user: Any, choices: dict[str, Any]) -> WorkerImporter:
    """The task force must still be one the user may import into (else ``DoesNotExist``)."""
    return WorkerImporter(task_forces_for(user).get(pk=choices.get("task_force")))
