"""Which alerts a utility operator sees: its own utility's water alerts.

An operator holds no territorial grant, so ``Alert.objects.visible_to`` would show it
nothing; this hook (``WaterConfig.alert_visibility``) opens, for ``Cap.VIEW``, the
water-quality and low-pressure alerts of its utility's exceedances and the cover-gap alerts of its
stations. Closing a water-quality alert goes through the exceedance (``services``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from fangkong.core.models.accounts import Cap, Role


def utility_alerts(user: Any, scope: Any, capability: str) -> Q | None:
    if capability != Cap.VIEW:
        return None
    orgs = {g.organisation_id for g in scope.grants
            if g.role == Role.UTILITY_OPERATOR and g.organisation_id}
    if not orgs:
        return None
    from fangkong.water.models import Exceedance, Station

    quality = Exceedance.objects.filter(organisation_id__in=orgs).values("alert_id")
    stations = (Station.objects.filter(organisation_id__in=orgs)
                .annotate(prefix=Concat(Value("water.station:"), Cast("pk", CharField())))
                .values_list("prefix", flat=True))
    q = Q(kind__in=("water_quality", "water_pressure"), pk__in=quality)
    for prefix in stations:
        q |= Q(kind="water_cover_gap", subject__startswith=f"{prefix}:")
    return q
