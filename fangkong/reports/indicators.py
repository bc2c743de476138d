"""Daily reporting's own live indicator: reports still missing for a unit on a day."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from fangkong.core.registries import has_records, indicator


@indicator("reports.missing", _("Daily reports missing"), "份", home_card=True,
           home_if=has_records("reports.Reporter"))  # areas expected to report
def reports_missing(unit, day: dt.date) -> int | None:
    """Expected reports under ``unit`` for ``day`` not yet submitted, over active forms."""
    from fangkong.reports.completeness import completeness
    from fangkong.reports.models import ReportForm

    forms = list(ReportForm.objects.filter(is_active=True))
    if not forms:
        return None
    return sum(len(completeness(form, day, unit).missing) for form in forms)

