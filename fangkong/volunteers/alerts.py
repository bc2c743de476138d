from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import AlertKind, Severity

#: A shift starting within a day that has fewer volunteers than it needs.
UNDERSTAFFED = AlertKind("volunteers_understaffed", _("Shift under-staffed"), Severity.WARNING)
#: A check-in left open past the shift's end and grace period (closed automatically).
LEFT_OPEN = AlertKind("volunteers_left_open", _("Check-in left open"), Severity.INFO)
