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
