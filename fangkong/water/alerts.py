"""The alert kinds water raises (declared on ``WaterConfig.alert_kinds``)."""

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import AlertKind, Severity

#: A reading outside its GB 5749-2022 limit: re-test, then close with a note. One open
#: alert per exceedance (subject ``water.exceedance:<pk>``).
WATER_QUALITY = AlertKind("water_quality", _("Water quality outside its limit"),
                          Severity.CRITICAL)
#: A pressure below the supply's minimum (``water.limit.pressure``): the same exceedance
#: workflow (re-measure, then close with a note), under its own kind so that the
#: water-quality figures and lists do not count it.
PRESSURE = AlertKind("water_pressure", _("Supply pressure below its minimum"),
                     Severity.CRITICAL)
#: Hours of the next day with nobody on duty at a station (subject
#: ``water.station:<pk>:<start>``), from the roster (``schedules.cover_gaps``).
COVER_GAP = AlertKind("water_cover_gap", _("Station without duty cover"), Severity.WARNING)
