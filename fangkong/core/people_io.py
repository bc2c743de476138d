"""The person registry in and out of Excel: ``PeopleImporter`` and ``PeopleExporter``.

Both sit on ``fangkong.lib.tabular``, which owns the file handling (text ID numbers,
GBK CSVs, all-or-nothing saving, the error report). What is decided here:

- Import rows go through the registry's one way in (``core.services.people``), so an
  ID number already registered is the same person ("updated" or "unchanged", never a
  duplicate), and every row's unit must lie where the importer holds ``Cap.IMPORT``.
- A row whose ID number is registered under another name is refused: more often than
  not that is a typo in the number, and merging two people is worse than asking.
- The export is a ``core.exports.RegisterExporter``: masked unless ``core.exports``
  decided the caller asked for, and may have, an unmasked one (and logged it).
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.exports import RegisterExporter
from fangkong.core.models import OrgUnit, Person
from fangkong.core.models.accounts import Cap
from fangkong.core.registries import export_kind, import_kind
from fangkong.core.scoping import get_unit_for_user, scope_for
from fangkong.core.services.people import (
    PersonData,
    as_seen_by,
    clean_person_data,
    register_person,
)
from fangkong.lib.tabular import Column, Importer, ImportField, parse_text

#: Above 15 digits a number cell has lost digits: Excel keeps 15 significant digits.
_EXACT_DIGITS = 15


def parse_id_number_cell(value: Any) -> str:
    """An ID number cell as text; one Excel stored as a number has lost its last digits."""
    if isinstance(value, float) and not math.isfinite(value):  # a crafted file's inf/nan
        raise ValidationError(_("Enter the ID card number as text."), code="invalid")
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) > _EXACT_DIGITS:
            raise ValidationError(
                _("Excel stored this ID card number as a number and changed its last digits. "
                  "Format the column as text and type the number again."),
                code="id_number_as_number",
            )
        return digits
    return parse_text(value)


class PeopleImporter(Importer):
    """Rows of name, ID number, phone, address and org unit code into the person registry.

    One instance per run: it caches the actor's scope and the units it looked up, and
    counts rows that change nothing (``unchanged``), which ``ImportResult`` has no slot for.
    """

    fields = (
        ImportField("name", gettext_lazy("Name"), aliases=("姓名",)),
        ImportField("id_number", gettext_lazy("ID card number"), parse=parse_id_number_cell,
                    aliases=("身份证号码", "身份证号", "身份证", "公民身份号码")),
        ImportField("phone", gettext_lazy("Mobile phone"), required=False,
                    aliases=("手机号码", "手机号", "手机", "联系电话", "电话", "phone")),
        ImportField("address", gettext_lazy("Address"), required=False,
                    aliases=("住址", "地址", "现住址", "家庭住址")),
        ImportField("org_unit", gettext_lazy("Org unit code"),
                    aliases=("所属单位代码", "单位代码", "区划代码", "org unit")),
    )
    unique_together_in_file = ("id_number",)
    #: Each row is a look-up and maybe a write with history; 10,000 rows stay well inside
    #: a request's time. Larger lists are split (the message says so).
    max_rows = 10_000
    template_filename = gettext_lazy("People import template")

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.scope = scope_for(actor)
        self.unchanged = 0
        self._units: dict[str, OrgUnit | None] = {}

    def unit_for(self, code: str) -> OrgUnit | None:
        """The unit with ``code`` if the actor may import into it, else None."""
        if code not in self._units:
            unit = OrgUnit.objects.filter(code=code).first()
            allowed = unit is not None and self.scope.can(Cap.IMPORT, unit.path)
            self._units[code] = unit if allowed else None
        return self._units[code]

    def validate_row(self, values: dict[str, Any], row_number: int) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        data: PersonData | None = None
        try:
            data = clean_person_data(
                id_number=values["id_number"], name=values["name"],
                phone=values.get("phone") or "", address=values.get("address") or "",
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        unit = self.unit_for(values["org_unit"])
        if unit is None:
            errors["org_unit"] = [_("No org unit with this code in your area.")]
        if errors:
            raise ValidationError(errors)
        assert data is not None and unit is not None
        return {"id_number": data.id_number, "data": data, "unit": unit}

    def save_row(self, cleaned: dict[str, Any], actor: Any) -> tuple[Person, bool] | None:
        """Through ``register_person``: a number registered in another area is
        registered in this one (what the file says), like a new person, telling
        nothing of the row elsewhere."""
        data: PersonData = cleaned["data"]
        existing = Person.objects.filter(id_number=data.id_number).first()
        if existing is not None and self.scope.can(Cap.IMPORT, existing.unit_path):
            if existing.name != data.name:
                raise ValidationError({"name": [
                    _("This ID card number is registered under another name (%(name)s). "
                      "Check the number and the name.") % {"name": existing.masked_name}
                ]})
            before = (existing.phone, existing.address)
            person, created = register_person(actor, data, cleaned["unit"], update=True)
            if (person.phone, person.address) != before:
                return person, False
            self.unchanged += 1
            return None
        seen = as_seen_by(actor, [existing]) if existing is not None else []
        before = seen[0] if seen else None
        person, created = register_person(actor, data, cleaned["unit"], update=True)
        if created or before is None or (person.phone, person.address) != (
                before.phone, before.address):
            return person, created
        self.unchanged += 1
        return None


def people_for_export(
    user: Any, capability: str, q: str = "", unit_code: str = "",
) -> QuerySet[Person]:
    """The people list as the People page filters it: ``q`` matches a name, a full ID
    number or a phone; ``unit_code`` narrows to a subtree (404 outside the user's area)."""
    qs = Person.objects.visible_to(user, capability).select_related("org_unit")
    qs = qs.search(user, q, capability)
    if unit_code:
        qs = qs.under(get_unit_for_user(user, unit_code, capability))
    return qs.order_by("unit_path", "name", "pk")


class PeopleExporter(RegisterExporter):
    """The people list. The birth date is only in the unmasked export: it is digits 7-14
    of the ID number, which the mask hides."""

    filename = gettext_lazy("People")
    pii_columns = {"id_number": "id_number", "phone": "phone", "address": "address"}
    person_path = "pk"

    def __init__(self, queryset: QuerySet[Person], *, masked: bool = True,
                 filename: str = "", user: Any = None) -> None:
        super().__init__(queryset, masked=masked, filename=filename, user=user)
        columns = [
            Column("name", gettext_lazy("Name"), "text", 12),
            Column("sex", gettext_lazy("Sex"), "text", 6),
            Column("id_number", gettext_lazy("ID card number"), "text", 22),
        ]
        if not masked:
            columns.append(Column("birth_date", gettext_lazy("Date of birth"), "date"))
        columns += [
            Column("phone", gettext_lazy("Mobile phone"), "text", 14),
            Column("address", gettext_lazy("Address"), "text", 36),
            Column("org_unit", gettext_lazy("Org unit"), "text", 16),
            Column("org_unit_code", gettext_lazy("Org unit code"), "text", 14),
        ]
        self.columns = tuple(columns)

    def get_filename(self) -> str:
        return f"{self.filename}-{timezone.localdate():%Y-%m-%d}"

    def logged_fields(self) -> list[str]:
        return super().logged_fields() + ([] if self.masked else ["birth_date"])

    @property
    def capability(self) -> str:
        return Cap.VIEW if self.masked else Cap.EXPORT_PII

    def prepare(self, objs: list[Person]) -> list[Person]:
        """Each person as the user may see them: a person registered in the user's area
        whose registry row is elsewhere is exported as registered here."""
        # The sex labels once per chunk, not a translation lookup per row.
        self._sexes = {key: str(label) for key, label in Person._meta.get_field("sex").choices}
        return as_seen_by(self.user, objs, self.capability) if self.user else objs

    def row(self, person: Person) -> dict[str, Any]:
        sexes = getattr(self, "_sexes", None)
        return {
            "name": person.name,
            "sex": sexes.get(person.sex, person.sex) if sexes else person.get_sex_display(),
            "id_number": person.id_number, "birth_date": person.birth_date,
            "phone": person.phone, "address": person.address,
            "org_unit": person.org_unit.name, "org_unit_code": person.org_unit.code,
        }


@export_kind("people", gettext_lazy("People"), PeopleExporter, formats=("xlsx", "csv"))
def build_people_export(user: Any, params: Any, capability: str) -> tuple[QuerySet[Person], str]:
    """The People page's list with its search (``q``, ``unit``)."""
    from fangkong.core.forms import PersonSearchForm

    search = PersonSearchForm(params)
    if not search.is_valid():
        raise ValidationError(_("The search is not valid."))
    return people_for_export(user, capability, search.cleaned_data["q"],
                             search.cleaned_data["unit"]), ""


@import_kind("people", gettext_lazy("People"))
def make_people_importer(user: Any, choices: dict[str, Any]) -> PeopleImporter:
    return PeopleImporter(user)
