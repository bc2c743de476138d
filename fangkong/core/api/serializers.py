"""Request and response shapes of the core API.

Request serializers are strict (``StrictSerializer``): a field the endpoint does not know
is a field error, not silently dropped, so a misspelt ``phone_number`` does not lose the
phone number without anybody noticing (docs/decisions/api.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fangkong.core import pii
from fangkong.core.api.paging import PageQuerySerializer, page_serializer
from fangkong.core.models import Person
from fangkong.core.services.people import clean_person_data
from fangkong.lib.dates import parse_day


class StrictSerializer(serializers.Serializer):
    """A serializer that rejects fields it does not declare, together with its other errors."""

    default_error_messages = {"unknown_field": _("Unknown field.")}

    def to_internal_value(self, data: Any) -> Any:
        unknown = (
            sorted(str(key) for key in data if key not in self.fields)
            if isinstance(data, Mapping) else []
        )
        errors: dict[str, Any] = {}
        value = None
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            errors.update(exc.detail)
        # A text field takes text: DRF's CharField turns 0 into "0" and True into "True"
        # (stored as such), where the document says string.
        if isinstance(data, Mapping):
            for name, field in self.fields.items():
                raw = data.get(name)
                if (isinstance(field, serializers.CharField) and raw is not None
                        and not isinstance(raw, str)):
                    errors[name] = [field.error_messages["invalid"]]
        for key in unknown:
            errors[key] = [self.error_messages["unknown_field"]]
        extra: dict[str, Any] = {}
        if isinstance(data, Mapping):
            try:
                extra = self.validate_whole(data)
            except DjangoValidationError as exc:
                for name, messages in exc.message_dict.items():
                    errors.setdefault(name, messages)
        if errors:
            raise serializers.ValidationError(errors)
        return {**value, **extra}

    def validate_whole(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Checks of the raw body that run even when field checks failed, so that every
        error is reported in one answer; returns values to add, raises Django's
        ``ValidationError`` (a dict by field) for errors."""
        return {}


@extend_schema_field(OpenApiTypes.DATE)
class DayField(serializers.Field):
    """A ``?date=`` as ``lib.dates.parse_day`` reads it everywhere: YYYY-MM-DD from the
    epidemic's start to today (``ahead`` days more where planning needs it); anything
    else is an error on this field, together with the request's other field errors."""

    def __init__(self, *, ahead: int = 0, **kwargs: Any) -> None:
        self.ahead = ahead
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not data:  # ``?date=``: left out means today, empty is no date (the document)
            raise serializers.ValidationError(_("Give the date as YYYY-MM-DD."))
        try:
            return parse_day(str(data), self.field_name, ahead=self.ahead)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict[self.field_name]) from None

    def to_representation(self, value: Any) -> str:
        return value.isoformat()


class ErrorSerializer(serializers.Serializer):
    """Every error response: a sentence, and per-field messages where a field is at fault."""

    error = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True,
        help_text="What the token is for (shown in the token list), e.g. the integration.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown only once; store it safely.")
    expires_at = serializers.DateTimeField()


class PersonCreateSerializer(StrictSerializer):
    id_number = serializers.CharField(
        max_length=40, help_text="18-character resident ID card number; lowercase x accepted.",
    )
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True,
        help_text="Mainland mobile number; +86, spaces and dashes are tolerated.",
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    org_unit = serializers.CharField(
        max_length=12, help_text="Division code of the org unit the person belongs to.",
    )

    def validate_org_unit(self, code: str) -> Any:
        """The unit, if it is in the caller's area (``context["unit_in_area"]``)."""
        unit = self.context["unit_in_area"](code)
        if unit is None:
            raise serializers.ValidationError(_("No org unit with this code in your area."))
        return unit

    def validate_whole(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Adds ``person`` (the registry's ``PersonData``). The identity fields are checked
        by the registry's own rule (``clean_person_data``) also when other fields failed,
        so a bad ID number and an unknown unit are both named in one answer."""
        return {"person": clean_person_data(
            id_number=data.get("id_number"), name=data.get("name"),
            phone=data.get("phone", ""), address=data.get("address", ""),
        )}


class PersonSerializer(serializers.Serializer):
    """A person as the API shows it; personal data masked unless ``masked`` is false."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    sex = serializers.ChoiceField(choices=[("M", "M"), ("F", "F")])
    birth_date = serializers.DateField(allow_null=True)
    id_number = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    org_unit = serializers.CharField(help_text="Division code of the person's org unit.")
    masked = serializers.BooleanField()


class PersonCreatedSerializer(PersonSerializer):
    warnings = serializers.ListField(child=serializers.CharField())


PersonPageSerializer = page_serializer(PersonSerializer, "PersonPageSerializer")


class PeopleQuerySerializer(PageQuerySerializer):
    """Query parameters of the people list (unknown parameters are ignored there)."""

    unit = serializers.CharField(max_length=12, required=False,
                                 help_text="Division code: only people in this subtree.")
    id_number = serializers.CharField(max_length=40, required=False,
                                      help_text="Exact ID card number.")


def person_payload(person: Person, *, reveal: bool) -> dict[str, Any]:
    """The masked birth date is withheld too: it is digits 7-14 of the ID number."""
    return {
        "id": person.pk,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date if reveal else None,
        **pii.mask_row(person, masked=not reveal),
        "org_unit": person.org_unit.code,
        "masked": not reveal,
    }
