"""Request and response shapes of the core API.

Request serializers are strict (``StrictSerializer``): a field the endpoint does not know
is a field error, not silently dropped, so a misspelt ``phone_number`` does not lose the
phone number without anybody noticing (docs/decisions/api.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fangkong.core import pii
from fangkong.core.models import Person


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
        for key in unknown:
            errors[key] = [self.error_messages["unknown_field"]]
        if errors:
            raise serializers.ValidationError(errors)
        return value


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


class PersonPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = PersonSerializer(many=True)


class PeopleQuerySerializer(StrictSerializer):
    """Query parameters of the people list (unknown parameters are ignored there)."""

    page = serializers.IntegerField(min_value=1, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=50)
    unit = serializers.CharField(max_length=12, required=False,
                                 help_text="Division code: only people in this subtree.")
    id_number = serializers.CharField(max_length=40, required=False,
                                      help_text="Exact ID card number.")

    def to_internal_value(self, data: Any) -> Any:
        known = {k: v for k, v in data.items() if k in self.fields}
        return super().to_internal_value(known)


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
