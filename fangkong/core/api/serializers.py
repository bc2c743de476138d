from __future__ import annotations

from typing import Any

from rest_framework import serializers

from fangkong.core.models import Person


class PersonCreateSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    org_unit = serializers.CharField(max_length=12, help_text="Division code of the unit")


def person_payload(person: Person, *, reveal: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "id_number": person.id_number if reveal else person.masked_id_number,
        "phone": person.phone if reveal else person.masked_phone,
        "address": person.address if reveal else person.masked_address,
        "org_unit": person.org_unit.code,
        "masked": not reveal,
    }
