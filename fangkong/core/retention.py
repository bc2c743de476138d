"""Retention of personal data, declared once per model (PIPL: kept only as long as its
purpose needs it).

A record that names a person only because the emergency made them pass a gate or stay
under observation declares so, beside its ``PII``::

    class Passage(KeyedModel):
        RETENTION = Retention(day="day", clear=("plate",),
                              purge=Q(channel="self", status__in=("pending", "rejected")))

Once the emergency has ended and the retention period after it is over
(``FANGKONG_EMERGENCY_ENDED`` + ``FANGKONG_RETENTION_DAYS``), ``fangkong retention``
anonymises every person who appears in such records only: no record after the end, and
no other row of any model pointing at them (a household, a future module's register:
any foreign key to ``Person`` that is not declared here keeps the person, so a new
module is covered without being listed). The person's name, ID number, phone, address
and notes go, and on their declared records the ``PII`` fields and ``clear``; rows
matching ``purge`` (self-registrations nobody confirmed) are deleted outright.
See ``core.services.retention`` and docs/decisions/security-backup-retention.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Retention:
    """How a record of the emergency is retired.

    ``day``: its date field; a record after the emergency's end keeps its person.
    ``person``: its foreign key to ``core.Person``; empty for a record with personal
    data but no person (a tip's caller): its rows of the emergency have their ``PII``
    and ``clear`` fields emptied once the period is over, whoever they were.
    ``clear``: fields emptied besides the model's ``PII`` (free text, a typed name, a
    plate: what identifies the person without being masked on screen).
    ``purge``: rows deleted once the period is over instead of anonymised.
    """

    day: str
    person: str | None = "person"
    clear: tuple[str, ...] = ()
    purge: Q | None = field(default=None)


def declared() -> list[tuple[type[models.Model], Retention]]:
    """Every installed model declaring ``RETENTION``, in app order."""
    return [(m, m.RETENTION) for m in apps.get_models()
            if isinstance(getattr(m, "RETENTION", None), Retention)]
