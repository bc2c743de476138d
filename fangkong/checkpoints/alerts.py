"""The kinds of alert checkpoints raises (declared in ``CheckpointsConfig.alert_kinds``)."""

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import AlertKind, Severity

#: A temperature at or above the rule's threshold, at a gate or in an outsider's check.
FEVER = AlertKind("fever", _("Fever"), Severity.CRITICAL)
#: A vehicle with a plate of a watched province: screen it.
PLATE = AlertKind("plate", _("Vehicle of a watched province"), Severity.WARNING)
#: An outsider under observation whose temperature check was not recorded in time
#: (``checkpoints.schedules.missed_temperature_checks``).
MISSED_CHECK = AlertKind("temperature_missed", _("Missed temperature check"),
                         Severity.WARNING)
#: A door-to-door visit found fever or cough, someone back from Hubei, a Hubei plate or
#: a contact with a case: the household is followed up, and the alert closed when it is
#: (``services.record_visit``, ``services.follow_up_household``). One open alert per
#: household (subject ``checkpoints.household:<pk>``) however many visits find something.
VISIT_FINDING = AlertKind("visit_finding", _("Door-to-door finding to follow up"),
                          Severity.WARNING)
